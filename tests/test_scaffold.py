"""`gongbao new`: the CONTRIBUTING walk-through, end to end, on a scratch copy of the package.

A contributor archives a news article, scaffolds a source, an agreement, its parties, a
commitment, a target and an indicator, fills the cells, and `gongbao validate` passes; then
each typical mistake is reported at the right `data/<table>.csv:<line>: <field>: <rule>:`.
The command itself refuses, in the validator's words, a row `gongbao validate` would reject.

The article below is a TEST FIXTURE: invented for these tests (and the worked example in
CONTRIBUTING.md). It is not a real news report and its content is not in the dataset.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from gongbao.arguments import PATH_HELP
from gongbao.authoring.new import find_resource
from gongbao.tableschema.package import read_package

from conftest import REPO, assert_reported, copy_package, run_cli, run_process
from csvedit import find_row, line_of, read_rows, set_cell

CAPTURE = "900_7e57000000000001.txt"
ARTICLE = """\
TEST FIXTURE - invented article for tests/test_scaffold.py and CONTRIBUTING.md; not a real report.
示例日报 2024-05-21 09:30  首页 > 生态环境 > 正文

川渝签订嘉陵江流域水生态环境联合保护协议

    本报讯 5月20日,四川省生态环境厅、重庆市生态环境局在广安共同召开嘉陵江流域生态环境保护联席会议,签订《嘉陵江流域水生态环境联合保护协议》。
    根据协议,双方将建立嘉陵江跨界断面水质联合监测机制,按月共享监测数据。协议提出,到2025年底,嘉陵江干流川渝交界断面水质稳定在Ⅱ类。
    从重庆方面来说,去年,嘉陵江流域纳入考核的12个断面水质优良比例为100%。

相关阅读  分享到微信  返回顶部
"""  # noqa: E501 (article paragraphs are one line each, as in a capture)

SOURCE = "example-daily-2024-05-21"
AGREEMENT = "jialing-river-basin-water-eco-environment-joint-protection-agreement-2024"
COMMITMENT = f"{AGREEMENT}-joint-monitoring"
SIGNING = (
    "5月20日,四川省生态环境厅、重庆市生态环境局在广安共同召开嘉陵江流域生态环境保护联席会议,"
    "签订《嘉陵江流域水生态环境联合保护协议》"
)
TARGET = "jialing-2025-water-quality-class"
INDICATOR = "cq-2023-good-water-quality-ratio"


def make_archive(directory: Path, archive: Path) -> Path:
    """The source archive plus the new capture, as a contributor's archive/ would be."""
    shutil.copytree(archive, directory)
    (directory / CAPTURE).write_text(ARTICLE, encoding="utf-8")
    return directory


@pytest.fixture
def archive_dir(tmp_path: Path, archive: Path) -> Path:
    return make_archive(tmp_path / "archive", archive)


def new(gongbao, pkg: Path, command: str) -> list[str]:
    """Run `gongbao new TABLE PKG ...` from a command line as CONTRIBUTING.md writes it.

    It must succeed, silently on stderr; returns its output lines.
    """
    table, *rest = shlex.split(command)
    result = gongbao("new", table, pkg, *rest)
    assert (result.code, result.err) == (0, ""), result.out + result.err
    return result.out.splitlines()


def still_empty(lines: list[str]) -> list[str]:
    """The required fields the output lists as still empty."""
    start = lines.index("required cells still empty:") + 1
    return [line.split()[0] for line in lines[start:] if line.startswith("  ")]


def fill(path: Path, match: dict[str, str], **cells: str) -> None:
    """Fill cells of the row matching match, as a contributor would in an editor."""
    for field, value in cells.items():
        set_cell(path, field, value, **match)


def add_example(pkg: Path, archive_dir: Path, gongbao) -> None:
    """The worked example of CONTRIBUTING.md, step by step."""
    data = pkg / "data"

    # 1. The source: the id comes from publisher and date, the hash from the capture.
    out = new(
        gongbao,
        pkg,
        f"""source --publisher 示例日报 --publisher-en "Example Daily"
              --published 2024-05-21 --title 川渝签订嘉陵江流域水生态环境联合保护协议
              --archive {CAPTURE} --archive-dir '{archive_dir}'""",
    )
    line, _ = find_row(data / "sources.csv", source_id=SOURCE)
    assert out == [
        f"added sources row {SOURCE} at {data / 'sources.csv'}:{line}",
        "all required cells are filled",
        "optional cells left empty: title_en, url, reprinted_by, retrieved, body_start, "
        "body_end, note",
    ]
    fill(
        data / "sources.csv",
        {"source_id": SOURCE},
        title_en="Sichuan and Chongqing sign an agreement on the Jialing River basin",
        body_start="本报讯 5月20日",
        body_end="水质优良比例为100%。",
        note="TEST FIXTURE (invented article). 5月20日 resolves to 2024-05-20; 去年 to 2023.",
    )

    # 2. The agreement: the id comes from the English title and the year of the date; the
    #    date bounds from the date (resolved: the quote gives no year).
    out = new(
        gongbao,
        pkg,
        f"""agreement --source {SOURCE}
              --title-zh 嘉陵江流域水生态环境联合保护协议
              --title-en "Jialing River Basin Water Eco-environment Joint Protection Agreement"
              --date 2024-05-20 --evidence {SIGNING}""",
    )
    line, _ = find_row(data / "agreements.csv", agreement_id=AGREEMENT)
    assert out[:3] == [
        f"added agreements row {AGREEMENT} at {data / 'agreements.csv'}:{line}",
        "filled date_earliest 2024-05-20, date_latest 2024-05-20 (resolved: from date "
        "2024-05-20, the quote does not give the year)",
        "required cells still empty:",
    ]
    assert still_empty(out) == ["instrument_type", "status", "region_id"]
    assert out[-1] == "optional cells left empty: parent_agreement_id, event, event_relation, note"
    fill(
        data / "agreements.csv",
        {"agreement_id": AGREEMENT},
        instrument_type="agreement",
        status="signed",
        region_id="chengdu_chongqing",
        event="嘉陵江流域生态环境保护联席会议",
        event_relation="at",
        note="5月20日 in an article of 2024-05-21 resolves to 2024-05-20.",
    )

    # 3. Its parties: the quote names both, so stated, by name. Every cell given at once.
    names = {
        "sichuan-eco-env-dept": "四川省生态环境厅",
        "chongqing-eco-env-bureau": "重庆市生态环境局",
    }
    for org, name in names.items():
        out = new(
            gongbao,
            pkg,
            f"""party --agreement {AGREEMENT} --org {org}
                  --role signatory --attribution stated --attribution-basis named
                  --named-as {name} --source {SOURCE} --evidence
                  四川省生态环境厅、重庆市生态环境局在广安共同召开嘉陵江流域生态环境保护联席会议""",
        )
        line, _ = find_row(data / "parties.csv", agreement_id=AGREEMENT, org_id=org)
        assert out == [
            f"added parties row {AGREEMENT}, {org} at {data / 'parties.csv'}:{line}",
            "all required cells are filled",
            "optional cells left empty: antecedent, note",
        ]

    # 4. A commitment it makes (--set is the generic form of the field options): a named
    #    mechanism, so its name and the verb's action too.
    out = new(
        gongbao,
        pkg,
        f"""commitment --set agreement_id={AGREEMENT}
        --set mechanism=joint_monitoring --set source_id={SOURCE}""",
    )
    match = {"commitment_id": COMMITMENT}
    line, _ = find_row(data / "commitments.csv", **match)
    assert out[0] == f"added commitments row {COMMITMENT} at {data / 'commitments.csv'}:{line}"
    assert still_empty(out) == ["evidence"]
    fill(
        data / "commitments.csv",
        match,
        name_zh="嘉陵江跨界断面水质联合监测机制",
        action="establish",
        evidence="双方将建立嘉陵江跨界断面水质联合监测机制",
    )

    # 5. A target: unit is taken from the metric.
    out = new(
        gongbao,
        pkg,
        f"""target --agreement {AGREEMENT} --metric water_quality_class
              --deadline 2025-12-31 --source {SOURCE}""",
    )
    line, _ = find_row(data / "targets.csv", target_id=TARGET)
    assert out[:2] == [
        f"added targets row {TARGET} at {data / 'targets.csv'}:{line}",
        "filled unit water_quality_class (the unit of metric water_quality_class)",
    ]
    assert still_empty(out) == ["scope_zh", "comparator", "evidence"]
    fill(
        data / "targets.csv",
        {"target_id": TARGET},
        scope_zh="嘉陵江干流川渝交界断面",
        comparator="eq",
        value_label="Ⅱ",
        evidence="到2025年底,嘉陵江干流川渝交界断面水质稳定在Ⅱ类",
        note="到2025年底 read as deadline 2025-12-31; 稳定在 read as eq.",
    )

    # 6. An indicator: 去年 in an article of 2024-05-21 is 2023; the place prefix cq is reused.
    out = new(
        gongbao,
        pkg,
        f"""indicator --jurisdiction-code 500000 --year 2023
              --metric good_water_quality_ratio --source {SOURCE}""",
    )
    line, _ = find_row(data / "indicators.csv", indicator_id=INDICATOR)
    assert out[:2] == [
        f"added indicators row {INDICATOR} at {data / 'indicators.csv'}:{line}",
        "filled unit percent (the unit of metric good_water_quality_ratio)",
    ]
    assert still_empty(out) == ["scope_zh", "evidence"]
    fill(
        data / "indicators.csv",
        {"indicator_id": INDICATOR},
        scope_zh="嘉陵江流域纳入考核的断面",
        value="100",
        evidence="嘉陵江流域纳入考核的12个断面水质优良比例为100%",
        note="去年 (last year) in an article of 2024-05-21 resolves to 2023.",
    )


def test_contributing_example_validates(package: Path, archive_dir: Path, gongbao) -> None:
    add_example(package, archive_dir, gongbao)

    sources = {row[0]: row for row in read_rows(package / "data" / "sources.csv")[1:]}
    digest = hashlib.sha256((archive_dir / CAPTURE).read_bytes()).hexdigest()
    assert sources[SOURCE][9:13] == [CAPTURE, digest, "本报讯 5月20日", "水质优良比例为100%。"]

    fmt = gongbao("fmt", package, "--check")
    assert (fmt.code, fmt.out) == (0, "all files in canonical form\n")  # new rows land canonical
    result = gongbao("validate", package, "--archive", archive_dir)
    unchecked = [p for p in result.problems if ": quote-unchecked: warning: " in p]
    assert (result.code, [p for p in result.problems if p not in unchecked]) == (0, []), (
        result.out + result.err
    )
    assert unchecked  # the web-only sources are listed as not checked offline
    assert any(line.startswith("  4. Provenance: passed") for line in result.out.splitlines())
    # CONTRIBUTING.md prints the filled-in agreement row: it is this one, byte for byte
    text = (package / "data" / "agreements.csv").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(AGREEMENT + ","))
    assert row in (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, archive: Path) -> Path:
    """The package with the worked example added (built once; tests work on copies)."""
    base = tmp_path_factory.mktemp("example")
    pkg = copy_package(base / "pkg")
    add_example(pkg, make_archive(base / "archive", archive), run_cli)
    return pkg


@pytest.fixture
def with_example(package: Path, example: Path) -> Path:
    """A scratch copy of the package holding the worked example, for a test to break."""
    shutil.rmtree(package / "data")
    shutil.copytree(example / "data", package / "data")
    return package


def _dated(day: str) -> dict[str, str]:
    return {"date": day, "date_earliest": day, "date_latest": day}


MISTAKES = {
    # A number that is not in the quote (the quote says 100%).
    "number-not-in-quote": ("indicators.csv", {"indicator_id": INDICATOR}, {"value": "97.6"}),
    # An evidence quote that paraphrases the article instead of copying it.
    "quote-not-found": (
        "commitments.csv",
        {"commitment_id": COMMITMENT},
        {"evidence": "双方将建立水质联合监测机制"},
    ),
    # The headline quoted instead of the body.
    "quote-outside-body": (
        "parties.csv",
        {"org_id": "sichuan-eco-env-dept", "agreement_id": AGREEMENT},
        {"evidence": "川渝签订嘉陵江流域水生态环境联合保护协议"},
    ),
    # A unit that is not the metric's (good_water_quality_ratio is in percent).
    "metric-unit": (
        "indicators.csv",
        {"indicator_id": INDICATOR},
        {"unit": "percentage_point"},
    ),
    # The article's date taken for the instrument's.
    "instrument-date-is-article-date": (
        "agreements.csv",
        {"agreement_id": AGREEMENT},
        _dated("2024-05-21"),
    ),
    # ... or one day late.
    "date-after-published": ("agreements.csv", {"agreement_id": AGREEMENT}, _dated("2024-05-22")),
    # A party the quote does not name, marked stated.
    "stated-name-in-quote": (
        "parties.csv",
        {"org_id": "sichuan-eco-env-dept", "agreement_id": AGREEMENT},
        {"named_as": "四川省生态环境局"},
    ),
    # An id that is not a slug.
    "pattern": ("targets.csv", {"target_id": TARGET}, {"target_id": "Jialing_2025"}),
}
MISTAKE_FIELD = {"instrument-date-is-article-date": "date_latest"}
MISTAKE_FIELD |= {"date-after-published": "date_latest", "stated-name-in-quote": "named_as"}


@pytest.mark.parametrize("rule", list(MISTAKES))
def test_typical_mistake_is_reported(
    rule: str, with_example: Path, archive_dir: Path, validate
) -> None:
    table, match, cells = MISTAKES[rule]
    line = 0
    for field, value in cells.items():
        line = set_cell(with_example / "data" / table, field, value, **match)
        match = {**match, field: value} if field in match else match
    result = validate(with_example, "--archive", archive_dir)
    field = MISTAKE_FIELD.get(rule, next(iter(cells)))
    assert_reported(result, f"data/{table}", line, field, rule)


def test_changed_capture_is_reported(with_example: Path, archive_dir: Path, validate) -> None:
    with (archive_dir / CAPTURE).open("a", encoding="utf-8") as capture:
        capture.write("edited after archiving\n")
    line, _ = find_row(with_example / "data" / "sources.csv", source_id=SOURCE)
    result = validate(with_example, "--archive", archive_dir)
    assert_reported(result, "data/sources.csv", line, "archive_sha256", "archive-hash")


# -- the command itself -----------------------------------------------------------------------


def data_files(package: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((package / "data").iterdir())}


def test_new_runs_as_a_command(package: Path) -> None:
    """The one subprocess run of `gongbao new`."""
    result = run_process(
        "new", "agreement", package, "--title-en", "Smoke Test Accord", "--dry-run"
    )
    assert (result.code, result.err) == (0, "")
    line = 1 + sum(
        1 for row in read_rows(package / "data" / "agreements.csv")[1:] if row[0] < "smoke"
    )
    assert result.out.splitlines()[:2] == [
        f"would add agreements row smoke-test-accord at {package / 'data' / 'agreements.csv'}:"
        f"{line + 1}:",
        "  smoke-test-accord,,Smoke Test Accord" + "," * 14,
    ]


@pytest.mark.parametrize(
    "table",
    [
        "source",
        "agreement",
        "party",
        "commitment",
        "target",
        "indicator",
        "organization",
        "organization_alias",
        "membership",
        "jurisdiction",
        "metric",
    ],
)
def test_help_lists_every_schema_field(repo: Path, gongbao, table: str) -> None:
    result = gongbao("new", table, repo, "--help")
    assert (result.code, result.err) == (0, "")
    text = " ".join(result.out.split())  # argparse wraps help text
    resource = find_resource(read_package(repo), table)
    for field in resource.fields:
        # "--source-id TEXT, --source TEXT" before Python 3.13, "--source-id, --source TEXT" after
        assert re.search(rf"--{field.name.replace('_', '-')}[ ,]", text), field.name
        for code in field.vocabulary:
            assert code in text, (field.name, code)
    assert f"PATH {PATH_HELP}" in text


# How argparse shows an option with an alias changed in Python 3.13.
ALIASES = (
    "--source-id, --source TEXT"
    if sys.version_info >= (3, 13)
    else "--source-id TEXT, --source TEXT"
)


def test_help_names_values_as_the_type_registry_does(repo: Path, gongbao) -> None:
    out = " ".join(gongbao("new", "indicator", repo, "--help").out.split())
    for option in (
        "--indicator-id TEXT",
        "--year YEAR",
        "--value NUMBER",
        "--unit CODE",
        ALIASES,
    ):
        assert f" {option} " in out, option
    assert "[required] Value: a four-digit year such as 2019." in out
    assert "Value: a number such as 97.6, -5 or 1e3 (a point, never a comma)." in out
    sources = " ".join(gongbao("new", "source", repo, "--help").out.split())
    assert "--published YYYY-MM-DD " in sources
    assert "Value: a date YYYY-MM-DD such as 2020-04-02." in sources
    assert (
        "--url TEXT Address of the page the evidence was read on: the publisher's own " in sources
    )
    assert "Required for a web-only source (one without a capture). Value: a URL." in sources


def test_new_row_has_schema_columns_and_canonical_form(package: Path, gongbao) -> None:
    path = package / "data" / "agreements.csv"
    new(
        gongbao,
        package,
        """agreement --title-en "Test Accord on Rivers" --date 2019
        --note 'a "quoted", comma note'""",
    )
    header, *rows = read_rows(path)
    row = dict(zip(header, next(r for r in rows if r[0] == "test-accord-rivers-2019"), strict=True))
    assert (row["date_earliest"], row["date_latest"]) == ("2019-01-01", "2019-12-31")
    assert row["note"] == 'a "quoted", comma note'
    filled = [name for name, value in row.items() if value]
    assert filled == ["agreement_id", "title_en", "date", "date_earliest", "date_latest", "note"]
    assert gongbao("fmt", package, "--check").out == "all files in canonical form\n"


def test_existing_slug_gets_a_number(package: Path, gongbao) -> None:
    for expected in ("test-accord-2019", "test-accord-2019-2", "test-accord-2019-3"):
        out = new(gongbao, package, "agreement --title-en 'The Test Accord' --date 2019-05")
        line, _ = find_row(package / "data" / "agreements.csv", agreement_id=expected)
        assert out[:2] == [
            f"added agreements row {expected} at {package / 'data' / 'agreements.csv'}:{line}",
            "filled date_earliest 2019-05-01, date_latest 2019-05-31 (from date 2019-05; their "
            "bases: stated if the quote gives the year, resolved if it was read from the "
            "publication date)",
        ]


def test_source_id_reuses_the_publisher_abbreviation(package: Path, gongbao) -> None:
    out = new(gongbao, package, "source --publisher 重庆日报 --published 2024-01-02 --dry-run")
    assert out[1:3] == [
        "  cqrb-2024-01-02,,,重庆日报,,2024-01-02,,,,,,,,",
        "required cells still empty:",
    ]
    assert still_empty(out) == ["title"]
    assert out[-1] == (
        "optional cells left empty: title_en, publisher_en, url, reprinted_by, retrieved, "
        "archive, archive_sha256, body_start, body_end, note"
    )


def test_dry_run_changes_nothing(package: Path, gongbao) -> None:
    before = data_files(package)
    out = new(
        gongbao,
        package,
        """indicator --jurisdiction-code 500000 --year 2024
              --metric good_air_days --dry-run""",
    )
    line = 1 + sum(
        1
        for row in read_rows(package / "data" / "indicators.csv")[1:]
        if row[0] < "cq-2024-good-air-days"
    )
    assert out[:3] == [
        f"would add indicators row cq-2024-good-air-days at "
        f"{package / 'data' / 'indicators.csv'}:{line + 1}:",
        "  cq-2024-good-air-days,500000,,2024,good_air_days,,,day,,,,,,",
        "filled unit day (the unit of metric good_air_days)",
    ]
    assert data_files(package) == before


def test_path_may_follow_the_options(package: Path, gongbao) -> None:
    result = gongbao("new", "metric", "--label_en", "Heavy pollution days", package)
    assert result.code == 0, result.err
    line, _ = find_row(package / "data" / "metrics.csv", metric="heavy_pollution_days")
    assert result.out.splitlines()[0] == (  # snake_case, as its pattern wants
        f"added metrics row heavy_pollution_days at {package / 'data' / 'metrics.csv'}:{line}"
    )


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "nosuchtable",
            "unknown table 'nosuchtable'; the package has: source (sources), level (levels), "
            "division_type (division_types), jurisdiction (jurisdictions), region (regions), "
            "region_member (region_members), org_type (org_types), organization "
            "(organizations), organization_alias (organization_aliases), membership "
            "(memberships), instrument_type (instrument_types), agreement (agreements), "
            "agreement_event (agreement_events), agreement_scope (agreement_scope), "
            "collective_term (collective_terms), party (parties), mechanism_type "
            "(mechanism_types), commitment (commitments), commitment_party "
            "(commitment_parties), metric (metrics), target (targets), indicator (indicators)",
        ),
        (
            "agreement --set colour=red",
            "--set: agreements has no field 'colour'; its fields are: agreement_id, title_zh, "
            "title_en, instrument_type, status, date, date_earliest, date_earliest_basis, "
            "date_latest, date_latest_basis, region_id, parent_agreement_id, event, "
            "event_relation, source_id, evidence, note",
        ),
        ("agreement --set status", "--set 'status': write FIELD=VALUE"),
        (
            "agreement --agreement-id a --id b",
            "agreement_id is given twice, as 'a' and 'b'",
        ),
        (
            "agreement --date 2020",
            "agreement_id is made from title_en: give --title-en ... (or --id ID)",
        ),
        (
            "commitment --agreement x",
            "commitment_id is made from agreement_id, mechanism: give --mechanism ... (or --id ID)",
        ),
        (
            "commitment --mechanism joint_monitoring",
            "commitment_id is <agreement_id>-<mechanism> for a commitment of an instrument: give "
            "--agreement-id; for a commitment a body announces, give --id <announcer's "
            "place>-<name keywords> (e.g. chongqing-cross-boundary-environmental-emergency-"
            "mechanism)",
        ),
        (
            "party --agreement x",
            "parties rows are keyed by agreement_id, org_id: give --org-id ...",
        ),
        (
            "jurisdiction --code 610999",
            "gbt2260-unknown: 610999 is not a GB/T 2260 code (lists 1980-12 … 2026-09); "
            "nearest: 610981 旬阳市, 610929 白河县, 610928 旬阳县 (historical)",
        ),
        (
            "organization --name-zh 中共上海市委 --org-type party_committee --jurisdiction-code "
            "310000 --name-en X",
            "duplicate-organization: 中共上海市委 is also a name of shanghai-party-committee "
            "(上海市委); use that organization, and record this wording as its alias (gongbao "
            "new organization_alias)",
        ),
        (
            "source --publisher 某报 --published 2024-01-02",
            "source_id is <publisher abbreviation>-<published>, and '某报' is a new publisher: "
            "give --publisher-en (e.g. 'Hubei Daily') or --id (e.g. hbrb-2025-12-07)",
        ),
        ("jurisdiction --name-en Xiamen", "jurisdictions ids are not generated: give --code"),
    ],
)
def test_usage_errors_exit_2(package: Path, gongbao, command: str, message: str) -> None:
    table, *rest = shlex.split(command)
    before = data_files(package)
    result = gongbao("new", table, package, *rest)
    assert (result.code, result.out, result.err) == (2, "", f"gongbao: error: {message}\n")
    assert data_files(package) == before


ENUM_HINT = "use one of the listed codes; a new code is a schema change, see CONTRIBUTING.md"
PATTERN_HINT = "see the field's pattern in the schema (ids are lower-case slugs: a-z, 0-9, hyphens)"


def line_of_row(package: Path, table: str, **match: str) -> int:
    return find_row(package / "data" / f"{table}.csv", **match)[0]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "agreement --title-en X --status agreed",
            "data/agreements.csv: status: enum: 'agreed' is not one of: planned, signed, adopted, "
            f"issued, established, implemented, superseded, expired ({ENUM_HINT})",
        ),
        (
            "agreement --id 'Not A Slug'",
            "data/agreements.csv: agreement_id: pattern: 'Not A Slug' does not match pattern "
            f"[a-z0-9]+(-[a-z0-9]+)* ({PATTERN_HINT})",
        ),
        (
            "agreement --id sc-cq-air-pollution-agreement-2020",
            "data/agreements.csv: agreement_id: unique: (agreement_id) = "
            "(sc-cq-air-pollution-agreement-2020) already appears on line {line} "
            "(use a new, unused id)",
        ),
        (
            "party --agreement sc-cq-air-pollution-agreement-2020 --org chongqing-eco-env-bureau",
            "data/parties.csv: agreement_id: primary-key: (agreement_id, org_id) = "
            "(sc-cq-air-pollution-agreement-2020, chongqing-eco-env-bureau) already appears on "
            "line {line} (each key may appear once: merge the rows or change the key)",
        ),
        (
            "source --archive 001_3162b2f4d4b0c4f9.txt --id x-2024-01-01",
            "data/sources.csv: archive: unique: (archive) = (001_3162b2f4d4b0c4f9.txt) already "
            "appears on line {line} (use a new, unused id)",
        ),
        (
            "indicator --jurisdiction-code 500000 --year 20x9 --metric good_air_days",
            "data/indicators.csv: year: type: '20x9' is not a four-digit year (numbers like 97.6 "
            "or -5, years like 2019, dates like 2020-04-02, URLs with https://)",
        ),
        (
            "agreement --title-en X --note 'two\nlines'",
            "data/agreements.csv: note: line-break: 'two\\nlines' contains a line break "
            "(keep each cell on one line)",
        ),
        (  # every problem of the row at once, in the validator's order
            "agreement --title-en X --status agreed --date 2020-13",
            "data/agreements.csv: status: enum: 'agreed' is not one of: planned, signed, adopted, "
            f"issued, established, implemented, superseded, expired ({ENUM_HINT}); "
            "data/agreements.csv: date: pattern: '2020-13' does not match pattern "
            "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?|XXXX-(0[1-9]|1[0-2])-"
            f"(0[1-9]|[12][0-9]|3[01]) ({PATTERN_HINT})",
        ),
    ],
)
def test_row_the_validator_rejects_is_refused(
    package: Path, gongbao, command: str, message: str
) -> None:
    repeated = {  # the row a repeated key or unique value already has
        "agreement": ("agreements", {"agreement_id": "sc-cq-air-pollution-agreement-2020"}),
        "party": (
            "parties",
            {
                "agreement_id": "sc-cq-air-pollution-agreement-2020",
                "org_id": "chongqing-eco-env-bureau",
            },
        ),
        "source": ("sources", {"archive": "001_3162b2f4d4b0c4f9.txt"}),
    }
    table, *rest = shlex.split(command)
    if "{line}" in message:
        name, match = repeated[table]
        message = message.format(line=line_of_row(package, name, **match))
    before = data_files(package)
    result = gongbao("new", table, package, *rest)
    assert (result.code, result.out, result.err) == (2, "", f"gongbao: error: {message}\n")
    assert data_files(package) == before


def test_file_a_rewrite_would_damage_is_refused(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    path.write_bytes(
        path.read_bytes().replace(",汉江干流,eq,".encode(), ",汉江干流,extra,eq,".encode())
    )
    before = data_files(package)
    line = line_of(path, ",extra,")
    result = gongbao("new", "target", package, "--agreement", "x", "--metric", "good_air_days")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"gongbao: error: cannot add a row to data/targets.csv: data/targets.csv:{line}: -: "
        "ragged-row: row has 13 cells, the header has 12 (check for a missing or extra comma; "
        "quote cells that contain commas)\n"
    )
    assert data_files(package) == before


def test_unknown_option_exits_2(package: Path, gongbao) -> None:
    result = gongbao("new", "agreement", package, "--colour", "red")
    assert result.code == 2
    assert result.err.splitlines()[-1] == (
        "gongbao new agreement: error: unrecognized arguments: --colour red"
    )


def test_missing_package_exits_2(tmp_path: Path, gongbao) -> None:
    result = gongbao("new", "source", tmp_path / "nowhere")
    assert result.code == 2
    assert result.err == (
        f"gongbao: error: {tmp_path / 'nowhere'}: no datapackage.json here (give a package "
        "directory, its datapackage.json, or a zip)\n"
    )


def test_archive_file_not_in_archive_dir_exits_2(package: Path, tmp_path: Path, gongbao) -> None:
    result = gongbao(
        "new",
        "source",
        package,
        "--publisher",
        "重庆日报",
        "--published",
        "2024-01-02",
        "--archive",
        "999_0000000000000000.txt",
        "--archive-dir",
        tmp_path,
    )
    assert (result.code, result.err) == (
        2,
        "gongbao: error: capture '999_0000000000000000.txt' is not in the archive directory "
        f"{tmp_path}\n",
    )


def test_archive_as_a_path_computes_the_hash(package: Path, tmp_path: Path, gongbao) -> None:
    capture = tmp_path / CAPTURE
    capture.write_text(ARTICLE, encoding="utf-8")
    new(
        gongbao,
        package,
        f"""source --publisher 重庆日报 --published 2024-05-21
        --archive '{capture}'""",
    )
    _, row = find_row(package / "data" / "sources.csv", source_id="cqrb-2024-05-21")
    assert row["archive"] == CAPTURE
    assert row["archive_sha256"] == hashlib.sha256(capture.read_bytes()).hexdigest()


def test_archive_dir_defaults_to_gongbao_archive(package: Path, archive_dir: Path, gongbao) -> None:
    result = gongbao(
        "new",
        "source",
        package,
        "--publisher",
        "重庆日报",
        "--published",
        "2024-05-21",
        "--archive",
        CAPTURE,
        "--dry-run",
        env={"GONGBAO_ARCHIVE": str(archive_dir)},
    )
    assert (result.code, result.err) == (0, "")
    digest = hashlib.sha256((archive_dir / CAPTURE).read_bytes()).hexdigest()
    assert (
        result.out.splitlines()[1]
        == f"  cqrb-2024-05-21,,,重庆日报,,2024-05-21,,,,{CAPTURE},{digest},,,"
    )


def test_archive_hash_is_left_to_fill_without_an_archive(package: Path, gongbao) -> None:
    result = gongbao(
        "new",
        "source",
        package,
        "--publisher",
        "重庆日报",
        "--published",
        "2024-05-21",
        "--archive",
        CAPTURE,
        "--dry-run",
    )
    assert result.code == 0
    assert result.err == (
        "note: archive_sha256 not computed: pass --archive-dir DIR (or set GONGBAO_ARCHIVE), "
        "or fill it with 'sha256sum FILE'\n"
    )


def test_reference_to_a_missing_row_warns(package: Path, gongbao) -> None:
    result = gongbao(
        "new",
        "commitment",
        package,
        "--agreement",
        "not-yet-added",
        "--mechanism",
        "joint_monitoring",
    )
    assert result.code == 0
    path = package / "data" / "commitments.csv"
    line, _ = find_row(path, agreement_id="not-yet-added")
    assert result.out.splitlines()[0] == (
        f"added commitments row not-yet-added-joint-monitoring at {path}:{line}"
    )
    assert result.err == (
        f"data/commitments.csv:{line}: agreement_id: foreign-key: warning: 'not-yet-added' is not "
        "in agreements.agreement_id (add the referenced row first, or correct the reference)\n"
    )


def test_non_canonical_file_is_rewritten_canonically(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    new(
        gongbao,
        package,
        """target --agreement suizhou-xiang-shi-sui-shen-green-integration-decision-2021
        --metric good_air_days --deadline 2025-12-31""",
    )
    assert gongbao("fmt", package, "--check").out == "all files in canonical form\n"
    _, row = find_row(path, target_id="suizhou-2025-good-air-days")
    assert row["unit"] == "day"


def test_missing_value_markers_of_other_rows_are_kept(package: Path, gongbao) -> None:
    """The file is rewritten from its cells as written: a missingValues marker stays."""
    schema = package / "schemas" / "indicators.schema.json"
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    descriptor["missingValues"] = ["", "NA"]
    schema.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    path = package / "data" / "indicators.csv"
    set_cell(path, "value", "NA", metric="good_air_days")
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)

    new(
        gongbao,
        package,
        "indicator --jurisdiction-code 500000 --year 2024 --metric pm25_concentration",
    )
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line, _ = find_row(path, indicator_id="cq-2024-pm25-concentration")
    assert after[: line - 1] + after[line:] == before  # only the new line was added


def test_contributing_shows_this_example(repo: Path) -> None:
    """CONTRIBUTING.md's worked example is this test's: same article, ids and quotes."""
    guide = (repo / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for line in ARTICLE.splitlines()[1:]:  # all but the fixture label
        assert line in guide, line
    quotes = (
        "双方将建立嘉陵江跨界断面水质联合监测机制",
        "到2025年底,嘉陵江干流川渝交界断面水质稳定在Ⅱ类",
        "嘉陵江流域纳入考核的12个断面水质优良比例为100%",
    )
    for text in (CAPTURE, SOURCE, AGREEMENT, COMMITMENT, TARGET, INDICATOR, *quotes):
        assert text in guide, text
    assert "README.md#validation" in guide


# -- what gongbao new derives from the model ---------------------------------------------------


def test_a_jurisdiction_from_its_code(package: Path, gongbao) -> None:
    """The issue's example: the name, level, parent and division type come from GB/T 2260."""
    result = gongbao(
        "new",
        "jurisdiction",
        package,
        "--code",
        "650200",
        "--name-en",
        "Karamay",
        "--short-zh",
        "克拉玛依",
    )
    assert result.code == 0
    out = result.out.splitlines()
    line, row = find_row(package / "data" / "jurisdictions.csv", code="650200")
    assert result.err == (  # Xinjiang is not in the package yet: add it next
        f"data/jurisdictions.csv:{line}: parent_code: foreign-key: warning: '650000' is not in "
        "jurisdictions.code (add the referenced row first, or correct the reference)\n"
    )
    assert out[:5] == [
        f"added jurisdictions row 650200 at {package / 'data' / 'jurisdictions.csv'}:{line}",
        "filled name_zh 克拉玛依市 (GB/T 2260, 63 lists, 1980-12 … 2026-09: valid in every list)",
        "filled level prefecture (GB/T 2260)",
        "filled parent_code 650000 (GB/T 2260)",
        "filled division_type prefecture_city (from the name's ending at level prefecture)",
    ]
    assert (row["name_zh"], row["level"], row["parent_code"], row["division_type"]) == (
        "克拉玛依市",
        "prefecture",
        "650000",
        "prefecture_city",
    )


def test_a_jurisdiction_under_the_name_of_its_time(package: Path, gongbao) -> None:
    result = gongbao(
        "new", "jurisdiction", package, "--code", "420607", "--date", "2001", "--dry-run"
    )
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:3] == [
        "  420607,襄阳区,,,,county,district,420600,",
        "filled name_zh 襄阳区 (GB/T 2260, 63 lists, 1980-12 … 2026-09: valid 2000-12 … "
        "2010-12; asked for 2001)",
    ]
    now = gongbao("new", "jurisdiction", package, "--code", "420607", "--dry-run")
    assert now.out.splitlines()[1] == "  420607,襄州区,,,,county,district,420600,"


def test_a_province_direct_county_and_a_municipality_district(package: Path, gongbao) -> None:
    places = package / "data" / "jurisdictions.csv"
    places.write_text(  # Hong Kong's row goes, so that it can be derived again
        "".join(
            line
            for line in places.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("810000,")
        ),
        encoding="utf-8",
    )
    for code, row in (
        ("429006", "  429006,天门市,,,,county,county_city,420000,"),
        ("500103", "  500103,渝中区,,,,county,district,500000,"),
        ("810000", "  810000,香港特别行政区,,,,province,special_administrative_region,100000,"),
    ):
        result = gongbao("new", "jurisdiction", package, "--code", code, "--dry-run")
        assert result.out.splitlines()[1] == row, result.out + result.err


def test_an_undated_instrument_is_bounded_by_its_source(package: Path, gongbao) -> None:
    out = new(
        gongbao,
        package,
        "agreement --title-en 'Undated Accord' --source cqrb-2021-06-25 --dry-run",
    )
    assert out[2] == (
        "filled date_latest 2021-06-25 (published: the source's date, an upper bound, never "
        "the instrument's date), date_earliest unbounded"
    )


def test_an_organization_id_follows_the_convention(package: Path, gongbao) -> None:
    out = new(
        gongbao,
        package,
        "organization --name-zh 贵州省水利厅 --name-en 'Guizhou Department of Water Resources' "
        "--org-type water_resources_department --jurisdiction-code 520000 --level province",
    )
    assert out[0].startswith("added organizations row guizhou-water-resources-dept at ")
