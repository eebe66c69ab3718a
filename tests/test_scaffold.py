"""`gongbao new`: the CONTRIBUTING walk-through, end to end, on a scratch copy of the package.

A contributor archives a news article, scaffolds a source, an agreement, its parties, a
mechanism, a target and an indicator, fills the cells, and `gongbao validate` passes; then
each typical mistake is reported at the right `data/<table>.csv:<line>: <field>: <rule>:`.

The article below is a TEST FIXTURE: invented for these tests (and the worked example in
CONTRIBUTING.md). It is not a real news report and its content is not in the dataset.
"""

from __future__ import annotations

import hashlib
import shlex
import shutil
from pathlib import Path

import pytest

from gongbao.descriptor import load_package
from gongbao.problems import Report
from gongbao.scaffold import find_resource

from conftest import assert_reported, copy_package, run_gongbao
from csvedit import find_row, read_rows, set_cell

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


def new(gongbao, pkg: Path, command: str) -> str:
    """Run `gongbao new TABLE PKG ...` from a command line as CONTRIBUTING.md writes it.

    It must succeed; returns its output.
    """
    table, *rest = shlex.split(command)
    result = gongbao("new", table, pkg, *rest)
    assert result.code == 0, result.out + result.err
    return result.out


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
    assert f"added sources row {SOURCE} at {data / 'sources.csv'}:{line}" in out
    assert "all required cells are filled" in out
    fill(
        data / "sources.csv",
        {"source_id": SOURCE},
        title_en="Sichuan and Chongqing sign an agreement on the Jialing River basin",
        note="TEST FIXTURE (invented article). 5月20日 resolves to 2024-05-20; 去年 to 2023.",
    )

    # 2. The agreement: the id comes from the English title and the year of the date.
    out = new(
        gongbao,
        pkg,
        f"""agreement --source {SOURCE}
              --title-zh 嘉陵江流域水生态环境联合保护协议
              --title-en "Jialing River Basin Water Eco-environment Joint Protection Agreement"
              --date 2024-05-20""",
    )
    assert f"added agreements row {AGREEMENT}" in out
    assert "filled date_precision day (from date 2024-05-20)" in out
    for field in ("instrument_type", "status", "region", "evidence"):
        assert f"  {field}" in out  # listed as still to fill
    fill(
        data / "agreements.csv",
        {"agreement_id": AGREEMENT},
        instrument_type="agreement",
        status="signed",
        region="chengdu_chongqing",
        event="嘉陵江流域生态环境保护联席会议",
        evidence="5月20日,四川省生态环境厅、重庆市生态环境局在广安共同召开嘉陵江流域生态环境保护"
        "联席会议,签订《嘉陵江流域水生态环境联合保护协议》",
        note="5月20日 in an article of 2024-05-21 resolves to 2024-05-20.",
    )

    # 3. Its parties: both named by the article, so stated. Every cell given at once.
    for org in ("sichuan-eco-env-dept", "chongqing-eco-env-bureau"):
        out = new(
            gongbao,
            pkg,
            f"""party --agreement {AGREEMENT} --org {org}
                  --role signatory --attribution stated --source {SOURCE} --evidence
                  四川省生态环境厅、重庆市生态环境局在广安共同召开嘉陵江流域生态环境保护联席会议""",
        )
        assert "all required cells are filled" in out

    # 4. A mechanism it creates (--set is the generic form of the field options).
    new(
        gongbao,
        pkg,
        f"""mechanism --set agreement_id={AGREEMENT}
        --set mechanism=joint_monitoring --set source_id={SOURCE}""",
    )
    fill(
        data / "mechanisms.csv",
        {"agreement_id": AGREEMENT, "mechanism": "joint_monitoring"},
        evidence="双方将建立嘉陵江跨界断面水质联合监测机制",
    )

    # 5. A target: unit is taken from the metric.
    out = new(
        gongbao,
        pkg,
        f"""target --agreement {AGREEMENT} --metric water_quality_class
              --deadline 2025-12-31 --source {SOURCE}""",
    )
    assert f"added targets row {TARGET}" in out
    assert "filled unit water_quality_class" in out
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
    assert f"added indicators row {INDICATOR}" in out
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
    assert sources[SOURCE][7:9] == [CAPTURE, digest]

    fmt = gongbao("fmt", package, "--check")
    assert fmt.code == 0, fmt.out  # new rows land in canonical form, in key order
    result = gongbao("validate", package, "--archive", archive_dir)
    assert result.code == 0, result.out + result.err
    assert "4. Provenance: passed" in result.out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, archive: Path) -> Path:
    """The package with the worked example added (built once; tests work on copies)."""
    base = tmp_path_factory.mktemp("example")
    pkg = copy_package(base / "pkg")
    add_example(pkg, make_archive(base / "archive", archive), run_gongbao)
    return pkg


@pytest.fixture
def with_example(package: Path, example: Path) -> Path:
    """A scratch copy of the package holding the worked example, for a test to break."""
    shutil.rmtree(package / "data")
    shutil.copytree(example / "data", package / "data")
    return package


MISTAKES = {
    # A number that is not in the quote (the quote says 100%).
    "number-not-in-quote": ("indicators.csv", {"indicator_id": INDICATOR}, "value", "97.6"),
    # An evidence quote that paraphrases the article instead of copying it.
    "quote-not-found": (
        "mechanisms.csv",
        {"agreement_id": AGREEMENT, "mechanism": "joint_monitoring"},
        "evidence",
        "双方将建立水质联合监测机制",
    ),
    # A unit that is not the metric's (good_water_quality_ratio is in percent).
    "metric-unit": ("indicators.csv", {"indicator_id": INDICATOR}, "unit", "percentage_point"),
    # The article's date taken for the instrument's, one day late.
    "date-after-published": ("agreements.csv", {"agreement_id": AGREEMENT}, "date", "2024-05-22"),
    # An id that is not a slug.
    "pattern": ("targets.csv", {"target_id": TARGET}, "target_id", "Jialing_2025"),
}


@pytest.mark.parametrize("rule", list(MISTAKES))
def test_typical_mistake_is_reported(
    rule: str, with_example: Path, archive_dir: Path, validate
) -> None:
    table, match, field, value = MISTAKES[rule]
    line = set_cell(with_example / "data" / table, field, value, **match)
    result = validate(with_example, "--archive", archive_dir)
    assert_reported(result, f"data/{table}", line, field, rule)


def test_changed_capture_is_reported(with_example: Path, archive_dir: Path, validate) -> None:
    with (archive_dir / CAPTURE).open("a", encoding="utf-8") as capture:
        capture.write("edited after archiving\n")
    line, _ = find_row(with_example / "data" / "sources.csv", source_id=SOURCE)
    result = validate(with_example, "--archive", archive_dir)
    assert_reported(result, "data/sources.csv", line, "archive_sha256", "archive-hash")


# -- the command itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    ["source", "agreement", "party", "mechanism", "target", "indicator", "organization", "metric"],
)
def test_help_lists_every_schema_field(repo: Path, gongbao, table: str) -> None:
    result = gongbao("new", table, repo, "--help")
    assert result.code == 0, result.err
    resource = find_resource(load_package(repo, Report()), table)
    for field in resource.fields:
        assert "--" + field["name"].replace("_", "-") in result.out, field["name"]
        for code in field.get("constraints", {}).get("enum", []):
            assert code in result.out, (field["name"], code)


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
    assert row["date_precision"] == "year"
    assert row["note"] == 'a "quoted", comma note'
    filled = [name for name, value in row.items() if value]
    assert filled == ["agreement_id", "title_en", "date", "date_precision", "note"]
    assert gongbao("fmt", package, "--check").code == 0
    ids = [r[0] for r in rows]
    assert ids == sorted(ids)


def test_existing_slug_gets_a_number(package: Path, gongbao) -> None:
    for expected in ("test-accord-2019", "test-accord-2019-2", "test-accord-2019-3"):
        out = new(gongbao, package, "agreement --title-en 'The Test Accord' --date 2019-05")
        assert f"added agreements row {expected} at" in out


def test_source_id_reuses_the_publisher_abbreviation(package: Path, gongbao) -> None:
    out = new(gongbao, package, "source --publisher 重庆日报 --published 2024-01-02 --dry-run")
    assert "would add sources row cqrb-2024-01-02" in out
    assert "archive_sha256" in out  # still to fill


def test_dry_run_changes_nothing(package: Path, gongbao) -> None:
    before = {p: p.read_bytes() for p in (package / "data").iterdir()}
    out = new(
        gongbao,
        package,
        """indicator --jurisdiction-code 500000 --year 2024
              --metric good_air_days --dry-run""",
    )
    assert "would add indicators row cq-2024-good-air-days" in out
    assert {p: p.read_bytes() for p in (package / "data").iterdir()} == before


def test_path_may_follow_the_options(package: Path, gongbao) -> None:
    result = gongbao("new", "metric", "--label_en", "Heavy pollution days", package)
    assert result.code == 0, result.err
    assert "added metrics row heavy_pollution_days" in result.out  # snake_case, as its pattern


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("nosuchtable", "unknown table 'nosuchtable'"),
        ("agreement --set colour=red", "agreements has no field 'colour'"),
        ("agreement --set status", "write FIELD=VALUE"),
        ("agreement --status agreed", "status 'agreed' is not one of: signed, adopted"),
        ("agreement --id sc-cq-air-pollution-agreement-2020", "ids are never reused"),
        ("agreement --id 'Not A Slug'", "does not match the pattern"),
        ("agreement --date 2020", "made from title_en: give --title-en"),
        (
            "party --agreement sc-cq-air-pollution-agreement-2020 --org chongqing-eco-env-bureau",
            "ids are never reused",
        ),
        ("mechanism --agreement x", "keyed by agreement_id, mechanism: give --mechanism"),
        ("source --publisher 某报 --published 2024-01-02", "give --publisher-en"),
        (
            "source --archive 001_3162b2f4d4b0c4f9.txt --id x-2024-01-01",
            "already used by sources row cqrb-2020-04-02",
        ),
        ("jurisdiction --name-en Xiamen", "ids are not generated: give --code"),
        ("agreement --title-en X --note 'two\nlines'", "note: a cell holds no line break"),
    ],
)
def test_usage_errors_exit_2(package: Path, gongbao, command: str, message: str) -> None:
    table, *rest = shlex.split(command)
    before = {p: p.read_bytes() for p in (package / "data").iterdir()}
    result = gongbao("new", table, package, *rest)
    assert result.code == 2, result.out + result.err
    assert message in result.err
    assert {p: p.read_bytes() for p in (package / "data").iterdir()} == before


def test_unknown_option_exits_2(package: Path, gongbao) -> None:
    result = gongbao("new", "agreement", package, "--colour", "red")
    assert result.code == 2
    assert "unrecognized arguments: --colour" in result.err


def test_missing_package_exits_2(tmp_path: Path, gongbao) -> None:
    result = gongbao("new", "source", tmp_path / "nowhere")
    assert result.code == 2
    assert "no datapackage.json" in result.err


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
    assert result.code == 2
    assert "is not in the archive directory" in result.err


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
    assert result.code == 0, result.err
    digest = hashlib.sha256((archive_dir / CAPTURE).read_bytes()).hexdigest()
    assert f"{CAPTURE},{digest}" in result.out


def test_reference_to_a_missing_row_warns(package: Path, gongbao) -> None:
    result = gongbao(
        "new",
        "mechanism",
        package,
        "--agreement",
        "not-yet-added",
        "--mechanism",
        "joint_monitoring",
    )
    assert result.code == 0
    assert "warning: agreement_id 'not-yet-added' is not in agreements.agreement_id" in result.err


def test_non_canonical_file_is_rewritten_canonically(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    new(
        gongbao,
        package,
        """target --agreement xsss-green-integration-decision-suizhou-2021
        --metric good_air_days --deadline 2025-12-31""",
    )
    assert gongbao("fmt", package, "--check").code == 0
    _, row = find_row(path, target_id="xsss-2025-good-air-days")
    assert row["unit"] == "day"


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
    for text in (CAPTURE, SOURCE, AGREEMENT, TARGET, INDICATOR, "joint_monitoring", *quotes):
        assert text in guide, text
    assert "README.md#validation" in guide
