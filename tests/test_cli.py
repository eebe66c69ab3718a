"""The command as a user meets it: exit codes, output formats, and what it never does."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conftest import assert_reported
from csvedit import set_cell


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_shipped_package_is_valid_with_archive(validate, repo, archive):
    result = validate(repo, "--archive", archive)
    assert result.code == 0, result.out
    assert "gongbao validate: valid" in result.out
    assert "4. Provenance: passed" in result.out


def test_archive_from_environment(validate, repo, archive, monkeypatch):
    monkeypatch.setenv("GONGBAO_ARCHIVE", str(archive))
    result = validate(repo)
    assert result.code == 0
    assert "4. Provenance: passed" in result.out


def test_without_archive_provenance_is_reported_not_run(validate, repo):
    result = validate(repo)
    assert result.code == 0
    assert "4. Provenance: NOT RUN (no archive)" in result.out
    assert "datapackage.json: -: provenance-skipped: warning: " in result.out
    assert "WARNING: provenance NOT checked" in result.err


def test_require_archive_refuses_to_skip(validate, repo):
    assert validate(repo, "--require-archive").code == 2


def test_descriptor_path_is_accepted(validate, repo):
    assert validate(repo / "datapackage.json").code == 0


def test_usage_errors_exit_2(validate, tmp_path, repo):
    assert validate(tmp_path / "missing").code == 2
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    broken = validate(tmp_path)
    assert broken.code == 2 and "unreadable descriptor" in broken.err
    assert validate(repo, "--archive", tmp_path / "nowhere").code == 2
    assert validate(repo, "--format", "xml").code == 2


def test_text_output_names_file_line_field_rule_and_hint(validate, package):
    line = set_cell(
        package / "data" / "indicators.csv", "value", "97,6", metric="good_water_quality_ratio"
    )
    out = assert_reported(validate(package), "data/indicators.csv", line, "value", "type")
    assert out.endswith(
        "(numbers like 97.6 or -5, years like 2019, dates like 2020-04-02, URLs with https://)"
    )
    assert "'97,6' is not a number" in out


def test_json_output(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "year", "1969", metric="good_air_days")
    result = validate(package, "--format", "json")
    assert result.code == 1
    payload = json.loads(result.out)
    assert payload["valid"] is False
    [problem] = [p for p in payload["problems"] if p["severity"] == "error"]
    assert (problem["path"], problem["line"], problem["field"], problem["rule"]) == (
        "data/indicators.csv",
        line,
        "year",
        "range",
    )
    assert problem["family"] == "schema" and problem["hint"]


def test_github_annotations(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "unit", "days", metric="good_air_days")
    result = validate(package, "--format", "github")
    assert result.code == 1
    assert f"::error file=data/indicators.csv,line={line},title=gongbao enum (unit)::" in result.out


def test_validate_never_rewrites_anything(validate, package):
    path = package / "data" / "agreements.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    before = _digest(package)
    assert validate(package).code == 1
    assert _digest(package) == before
