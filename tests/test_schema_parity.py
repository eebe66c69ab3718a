"""The vectorised schema engine and frictionless agree on which cells break the Table Schema.

gongbao compiles the Table Schemas into column operations for speed; frictionless reads the
same schemas row by row. On every planted error both must flag the same row and field.
"""

from __future__ import annotations

import pytest
from frictionless import Package, system

from csvedit import set_cell

PLANTED = [
    ("indicators", {"metric": "good_air_days"}, "value", "316天", "type-error"),
    ("indicators", {"metric": "good_air_days"}, "year", "1969", "constraint-error"),
    ("sources", {"source_id": "cqrb-2020-04-02"}, "published", "2020-02-30", "type-error"),
    ("agreements", {"instrument_type": "initiative"}, "status", "signd", "constraint-error"),
    ("agreements", {"instrument_type": "initiative"}, "evidence", "长" * 101, "constraint-error"),
    (
        "organizations",
        {"org_type": "peoples_congress_standing_committee"},
        "jurisdiction_code",
        "42130",
        "constraint-error",
    ),
    ("parties", {"attribution": "stated"}, "evidence", "", "constraint-error"),
    ("indicators", {"metric": "good_air_days"}, "source_id", "no-such-source", "foreign-key"),
]


def _frictionless_cells(package_dir):
    with system.use_context(trusted=True):
        report = Package(str(package_dir / "datapackage.json")).validate()
    return {
        (task.name, error.row_number, getattr(error, "field_name", None), error.type)
        for task in report.tasks
        for error in task.errors
    }


@pytest.mark.parametrize(
    "table, match, field, value, code", PLANTED, ids=[f"{p[0]}.{p[2]}" for p in PLANTED]
)
def test_both_engines_flag_the_same_cell(validate, package, table, match, field, value, code):
    line = set_cell(package / "data" / f"{table}.csv", field, value, **match)
    ours = validate(package, "--format", "json")
    assert ours.code == 1
    assert f'"line": {line}' in ours.out and f'"field": "{field}"' in ours.out
    theirs = _frictionless_cells(package)
    flagged = {(t, r, f) for t, r, f, _ in theirs if f == field or code == "foreign-key"}
    assert (table, line, field) in flagged or (
        code == "foreign-key" and any(t == table and r == line for t, r, _ in flagged)
    )


def test_both_engines_accept_the_shipped_package(repo, validate):
    assert _frictionless_cells(repo) == set()
    assert validate(repo).code == 0


def _add_boolean_field(package, values: list[str]) -> None:
    """A boolean column `checked` at the end of targets: values for the first rows, the
    others empty."""
    import csv
    import io
    import json

    schema_path = package / "schemas" / "targets.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "checked", "type": "boolean"})
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    path = package / "data" / "targets.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[0].append("checked")
    padded = values + [""] * (len(rows) - 1 - len(values))  # the other rows: no value
    for row, value in zip(rows[1:], padded, strict=True):
        row.append(value)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def test_both_engines_accept_signs_nan_booleans_and_missing_values(validate, package):
    """The Table Schema grammar, as the type registry implements it and frictionless reads it."""
    import json

    set_cell(
        package / "data" / "indicators.csv",
        "value",
        "+316",
        jurisdiction_code="500000",
        metric="good_air_days",
    )
    metrics = package / "data" / "metrics.csv"
    set_cell(metrics, "maximum", "NaN", metric="assessed_water_sections")
    set_cell(metrics, "minimum", "NA", metric="good_air_days")
    schema_path = package / "schemas" / "metrics.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["missingValues"] = ["", "NA"]
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    _add_boolean_field(package, ["true", "FALSE"])
    assert validate(package).errors == []
    assert _frictionless_cells(package) == set()


def test_both_engines_refuse_a_boolean_outside_its_values(validate, package):
    _add_boolean_field(package, ["true", "yes"])
    assert validate(package).errors == [
        "data/targets.csv:3: checked: type: 'yes' is not one of true, True, TRUE, 1, false, "
        "False, FALSE, 0 (numbers like 97.6 or -5, years like 2019, dates like 2020-04-02, URLs "
        "with https://)"
    ]
    assert _frictionless_cells(package) == {("targets", 3, "checked", "type-error")}
