"""Family 6: unsafe resource paths and schema references are refused before anything is read."""

from __future__ import annotations

import json

import pytest

from conftest import assert_reported
from csvedit import line_of


def _point(package, resource: str, key: str, value: str) -> int:
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    for entry in descriptor["resources"]:
        if entry["name"] == resource:
            entry[key] = value
    text = json.dumps(descriptor, ensure_ascii=False, indent=2)
    descriptor_path.write_text(text, encoding="utf-8")
    return next(n for n, line in enumerate(text.splitlines(), 1) if json.dumps(value) in line)


@pytest.mark.parametrize(
    "bad",
    [
        "/etc/passwd",
        "../outside.csv",
        "data/../../outside.csv",
        "https://example.org/x.csv",
        "~/x.csv",
        "$HOME/x.csv",
    ],
)
def test_unsafe_resource_path_is_refused(validate, package, bad):
    line = _point(package, "targets", "path", bad)
    out = assert_reported(validate(package), "datapackage.json", line, "path", "unsafe-path")
    assert "not read" in out


def test_unsafe_schema_reference_is_refused(validate, package):
    line = _point(package, "metrics", "schema", "../schemas/metrics.schema.json")
    assert_reported(validate(package), "datapackage.json", line, "schema", "unsafe-path")


def test_file_outside_the_package_is_never_opened(validate, package):
    outside = package.parent / "outside.csv"
    outside.write_bytes(b"\xff\xfe not even utf-8")
    _point(package, "targets", "path", "../outside.csv")
    result = validate(package)
    assert "outside.csv: -: encoding" not in result.out
    assert "encoding" not in result.out


def test_broken_pattern_in_a_schema_is_a_schema_error_not_a_traceback(validate, package):
    path = package / "schemas" / "jurisdictions.schema.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('"pattern": "[0-9]{6}"', '"pattern": "[0-9{6}"', 1), encoding="utf-8"
    )
    line = line_of(path, '"pattern": "[0-9{6}"')
    out = assert_reported(
        validate(package), "schemas/jurisdictions.schema.json", line, "-", "schema-file"
    )
    assert "invalid pattern '[0-9{6}'" in out


def test_rules_that_need_an_unreadable_table_say_they_did_not_run(validate, package):
    path = package / "data" / "metrics.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("unit", "units", 1), encoding="utf-8")
    result = validate(package)
    assert_reported(result, "data/metrics.csv", 1, "-", "header")
    assert (
        "data/indicators.csv: unit: metric-unit: warning: not checked: it needs table 'metrics'"
        in result.out
    )


def test_resource_without_a_schema(validate, package):
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    del descriptor["resources"][0]["schema"]
    text = json.dumps(descriptor, indent=2)
    descriptor_path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"data/sources.csv"' in row)
    out = assert_reported(validate(package), "datapackage.json", line, "-", "descriptor")
    assert "has no schema" in out


def _edit_schema(package, name, change):
    path = package / "schemas" / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.mark.parametrize(
    "name, change, words, needle",
    [
        (
            "metrics",
            lambda s: s["fields"][1].pop("name"),
            "fields[1] of 'metrics' has no name",
            None,
        ),
        (
            "indicators",
            lambda s: s["foreignKeys"][1]["reference"].update(resource="metricz"),
            "refers to resource 'metricz', which the package does not have",
            '"foreignKeys":',
        ),
        (
            "targets",
            lambda s: s.update(primaryKey=["target_idx"]),
            "primaryKey field 'target_idx' is not a field of 'targets'",
            '"primaryKey":',
        ),
        (
            "parties",
            lambda s: s["fields"].append(dict(s["fields"][0])),
            "field names repeat in 'parties': agreement_id",
            '"name": "agreement_id"',
        ),
    ],
    ids=["unnamed-field", "unknown-resource", "unknown-key", "repeated-field"],
)
def test_unusable_schema_is_reported_not_a_traceback(
    validate, package, name, change, words, needle
):
    _edit_schema(package, name, change)
    schema = package / "schemas" / f"{name}.schema.json"
    line = None if needle is None else line_of(schema, needle)
    where = f"schemas/{name}.schema.json"
    out = assert_reported(validate(package), where, line, "-", "schema-file")
    assert words in out
