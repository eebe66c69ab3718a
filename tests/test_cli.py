"""The command as a user meets it: exit codes, output formats, and what it never does."""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import assert_reported, run_process
from csvedit import quoted_cells, read_rows, set_cell

FAMILY_LINES = [
    "  6. Descriptor safety: passed",
    "  1. Bytes and structure: passed",
    "  5. Hygiene: passed",
    "  2. Schema and keys: passed",
    "  3. Table rules (pandera): passed",
]


REFERENCE_LINE = "  GB/T 2260 reference: 63 lists, 1980-12 … 2026-09"


def _summary(root: Path) -> str:
    files = list((root / "data").glob("*.csv"))
    rows = sum(len(p.read_bytes().splitlines()) - 1 for p in files)
    return f"gongbao validate: valid ({len(files)} tables, {rows} rows)"


def _web_only(root: Path) -> dict[str, tuple[int, str, int]]:
    """source_id -> (line in sources.csv, url, quoted cells citing it), for each source
    without a capture: what validate lists as not checked offline."""
    header, *rows = read_rows(root / "data" / "sources.csv")
    at = {name: header.index(name) for name in ("source_id", "url", "archive")}
    web = {
        row[at["source_id"]]: (line, row[at["url"]])
        for line, row in enumerate(rows, start=2)
        if not row[at["archive"]]
    }
    quotes = quoted_cells(root)
    return {s: (line, url, quotes.get(s, 0)) for s, (line, url) in web.items()}


def _unchecked_lines(root: Path) -> list[str]:
    return [
        f"data/sources.csv:{line}: archive: quote-unchecked: warning: {n} "
        f"{'quote' if n == 1 else 'quotes'} of source {source} "
        f"{'was' if n == 1 else 'were'} not checked offline: no capture ({url}) (check them "
        "online (gongbao sources check --online), or capture the page into the archive "
        "(gongbao sources capture) and fill archive)"
        for source, (line, url, n) in _web_only(root).items()
    ]


def _provenance_line(root: Path) -> str:
    web = _web_only(root)
    if not web:
        return "  4. Provenance: passed"
    quotes = sum(n for _, _, n in web.values())
    return (
        f"  4. Provenance: passed; {quotes} quotes on {len(web)} web-only sources not checked "
        "offline"
    )


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_shipped_package_is_valid_with_archive(validate, repo, archive):
    result = validate(repo, "--archive", archive)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        *_unchecked_lines(repo),  # web-only sources are listed, as warnings
        _summary(repo),
        *FAMILY_LINES,
        _provenance_line(repo),
        "  7. Great Expectations: not requested",
        REFERENCE_LINE,
    ]


def test_smoke_validate_in_a_subprocess(repo, archive):
    result = run_process("validate", repo, "--archive", archive)
    assert (result.code, result.err) == (0, "")
    assert _summary(repo) in result.out.splitlines()


def test_archive_from_environment(gongbao, repo, archive):
    result = gongbao("validate", repo, env={"GONGBAO_ARCHIVE": str(archive)})
    assert result.code == 0
    assert _provenance_line(repo) in result.out.splitlines()


def test_without_archive_provenance_is_reported_not_run(validate, repo):
    result = validate(repo)
    assert result.code == 0
    assert result.out.splitlines() == [
        "datapackage.json: -: provenance-skipped: warning: evidence quotes were NOT checked "
        "against the sources: no archive given (pass --archive DIR or set GONGBAO_ARCHIVE)",
        _summary(repo),
        *FAMILY_LINES,
        "  4. Provenance: NOT RUN (no archive)",
        "  7. Great Expectations: not requested",
        REFERENCE_LINE,
    ]
    assert result.err == (
        "WARNING: provenance NOT checked: evidence quotes were not compared with the sources "
        "(pass --archive DIR or set GONGBAO_ARCHIVE)\n"
    )


def test_another_gbt2260_vintage_is_used_and_named(validate, repo, archive, tmp_path):
    """--gbt2260 FILE checks against another reference, and the summary names its vintage:
    one that lacks 襄阳市 (the name 420600 has carried since 2010) refuses the package."""
    reference = (repo / "reference" / "gbt2260.csv").read_text(encoding="utf-8")
    older = tmp_path / "gbt2260-2001.csv"
    older.write_text(
        "".join(
            line
            for line in reference.splitlines(keepends=True)
            if not line.startswith("420600,襄阳市,")
        ),
        encoding="utf-8",
    )
    result = validate(repo, "--archive", archive, "--gbt2260", older)
    assert result.code == 1
    assert result.errors == [
        f"data/jurisdictions.csv:{_line(repo, '420600')}: name_zh: gbt2260-name: 420600 is "
        "襄樊市 in GB/T 2260, never 襄阳市 (use the reference's name for the code at the date "
        "of the facts, or the code of the name)"
    ]
    assert REFERENCE_LINE in result.out.splitlines()


def test_an_unreadable_gbt2260_reference_is_a_usage_error(validate, repo, tmp_path):
    bad = tmp_path / "gbt2260.csv"
    bad.write_text("code,name\n110000,北京市\n", encoding="utf-8")
    result = validate(repo, "--gbt2260", bad)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"gongbao: error: {bad}: not a GB/T 2260 reference")


def _line(root: Path, code: str) -> int:
    lines = (root / "data" / "jurisdictions.csv").read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(code + ","))


def test_require_archive_refuses_to_skip(validate, repo):
    result = validate(repo, "--require-archive")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "gongbao: error: --require-archive: give --archive DIR or set GONGBAO_ARCHIVE\n"
    )


def test_descriptor_path_is_accepted(validate, repo):
    assert validate(repo / "datapackage.json").code == 0


def test_usage_errors_exit_2(validate, tmp_path, repo):
    missing = validate(tmp_path / "missing")
    assert (missing.code, missing.err) == (
        2,
        f"gongbao: error: {tmp_path / 'missing'}: no datapackage.json here (give a package "
        "directory, its datapackage.json, or a zip)\n",
    )
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    broken = validate(tmp_path)  # a package, if a broken one: a problem line, exit 1
    assert (broken.code, broken.errors) == (
        1,
        [
            "datapackage.json:1: -: descriptor: invalid JSON: Expecting property name enclosed "
            "in double quotes (column 2) (compare with an existing resource entry in "
            "datapackage.json)"
        ],
    )
    nowhere = validate(repo, "--archive", tmp_path / "nowhere")
    assert (nowhere.code, nowhere.err) == (
        2,
        f"gongbao: error: archive directory not found: {tmp_path / 'nowhere'}\n",
    )
    assert validate(repo, "--format", "xml").code == 2


def test_text_output_names_file_line_field_rule_and_hint(validate, package):
    line = set_cell(
        package / "data" / "indicators.csv", "value", "97,6", metric="good_water_quality_ratio"
    )
    out = assert_reported(validate(package), "data/indicators.csv", line, "value", "type")
    assert out == (
        f"data/indicators.csv:{line}: value: type: '97,6' is not a number (numbers like 97.6 "
        "or -5, years like 2019, dates like 2020-04-02, URLs with https://)"
    )


def test_json_output(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "year", "1969", metric="good_air_days")
    result = validate(package, "--format", "json")
    assert result.code == 1
    payload = json.loads(result.out)
    assert payload["valid"] is False
    [problem] = [p for p in payload["problems"] if p["severity"] == "error"]
    assert problem == {
        "rule": "range",
        "message": "1969 is below the minimum 1970",
        "path": "data/indicators.csv",
        "line": line,
        "field": "year",
        "severity": "error",
        "family": "schema",
        "hint": "check the value against the field's bounds in the schema",
    }


def test_github_annotations(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "unit", "days", metric="good_air_days")
    result = validate(package, "--format", "github")
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        f"::error file=data/indicators.csv,line={line},title=gongbao enum (unit)::'days' is not "
        "one of: percent, percentage_point, day, count, ug_m3, water_quality_class, grade (use "
        "one of the listed codes; a new code is a schema change, see CONTRIBUTING.md)",
        "::warning file=datapackage.json,title=gongbao provenance-skipped (datapackage.json)::"
        "evidence quotes were NOT checked against the sources: no archive given (pass "
        "--archive DIR or set GONGBAO_ARCHIVE)",
    ]


def test_validate_never_rewrites_anything(validate, package):
    path = package / "data" / "agreements.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    before = _digest(package)
    assert validate(package).code == 1
    assert _digest(package) == before


def test_timings_name_every_step_in_order(validate, repo):
    """--timings: one stderr line per step of the run, in the order the steps ran; the report
    on stdout is the same as without it."""
    result = validate(repo, "--timings")
    steps = [line.split(": ")[1] for line in result.err.splitlines() if line.startswith("timing:")]
    assert steps == [
        "descriptor and read",
        "hygiene",
        "waiting for pandas and pandera",
        "schema and keys",
        "frames for the table rules",
        "captures and body anchors",
        "table rules",
        "provenance",
    ]
    assert all(
        re.fullmatch(r"timing: [a-z ]+: [0-9]+\.[0-9]{3} s", line)
        for line in result.err.splitlines()
        if line.startswith("timing:")
    )
    assert (result.code, result.out) == (0, validate(repo).out)


@pytest.mark.slow
def test_the_process_exits_cleanly_every_time(package: Path) -> None:
    """A reader callback released on one of pyarrow's threads while Python shut down aborted
    the process now and then ("terminate called without an active exception", exit 134),
    more often on a busy machine: two at a time, 24 runs, every one exits 0 with nothing on
    stderr."""
    args = ("new", "agreement", package, "--title-en", "Smoke Test Accord", "--dry-run")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: run_process(*args), range(24)))
    assert [(r.code, r.err) for r in results] == [(0, "")] * 24
