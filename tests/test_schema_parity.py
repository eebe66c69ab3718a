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
