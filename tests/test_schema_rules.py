"""Family 2: types, formats, required, vocabularies, patterns, lengths, ranges and keys."""

from __future__ import annotations

import pytest

from conftest import assert_reported
from csvedit import append_row, find_row, set_cell

CASES = [
    # (table, match, field, bad value, rule, words in the message)
    ("indicators", {"metric": "good_air_days"}, "value", "316天", "type", "is not a number"),
    ("indicators", {"metric": "good_air_days"}, "year", "19", "type", "four-digit year"),
    (
        "sources",
        {"source_id": "cqrb-2020-04-02"},
        "published",
        "2020-02-30",
        "type",
        "not an existing date",
    ),
    (
        "sources",
        {"source_id": "cqrb-2020-04-02"},
        "published",
        "2020/04/02",
        "type",
        "not an existing date",
    ),
    ("sources", {"source_id": "cqrb-2020-04-02"}, "url", "www.example", "type", "a URL"),
    ("parties", {"attribution": "stated"}, "evidence", "", "required", "empty"),
    ("agreements", {"instrument_type": "initiative"}, "status", "signd", "enum", "not one of"),
    ("agreements", {"instrument_type": "initiative"}, "date", "2025-13-05", "pattern", "pattern"),
    (
        "organizations",
        {"org_id": "suizhou-peoples-congress-standing-committee"},
        "jurisdiction_code",
        "42130",
        "pattern",
        "pattern",
    ),
    (
        "agreements",
        {"instrument_type": "initiative"},
        "evidence",
        "长" * 101,
        "length",
        "longer than 100",
    ),
    ("indicators", {"metric": "good_air_days"}, "year", "1969", "range", "below the minimum 1970"),
    ("targets", {"metric": "water_quality_class"}, "value_label", "II", "enum", "not one of"),
]


@pytest.mark.parametrize(
    "table, match, field, value, rule, words",
    CASES,
    ids=[f"{c[0]}.{c[2]}={c[3][:12]}" for c in CASES],
)
def test_cell_rules(validate, package, table, match, field, value, rule, words):
    line = set_cell(package / "data" / f"{table}.csv", field, value, **match)
    out = assert_reported(validate(package), f"data/{table}.csv", line, field, rule)
    assert words in out


def test_unique_field(validate, package):
    path = package / "data" / "sources.csv"
    _, first = find_row(path, source_id="cqrb-2020-04-02")
    line = set_cell(path, "archive", first["archive"], source_id="cqrb-2021-06-25")
    out = assert_reported(validate(package), "data/sources.csv", line, "archive", "unique")
    assert "already appears on line" in out


def test_composite_primary_key(validate, package):
    path = package / "data" / "parties.csv"
    first_line, row = find_row(path, attribution="stated")
    line = append_row(path, **row)
    out = assert_reported(
        validate(package), "data/parties.csv", line, "agreement_id", "primary-key"
    )
    assert f"already appears on line {first_line}" in out


@pytest.mark.parametrize(
    "table, match, field, target",
    [
        ("indicators", {"metric": "good_air_days"}, "source_id", "sources.source_id"),
        ("parties", {"attribution": "stated"}, "org_id", "organizations.org_id"),
        (
            "commitments",
            {"mechanism": "joint_enforcement"},
            "mechanism",
            "mechanism_types.mechanism",
        ),
        ("jurisdictions", {"code": "420100"}, "parent_code", "jurisdictions.code"),
        # vocabularies are tables: a code outside them is a key to nowhere
        ("jurisdictions", {"code": "420100"}, "level", "levels.level"),
        (
            "agreements",
            {"status": "planned"},
            "instrument_type",
            "instrument_types.instrument_type",
        ),
        ("organizations", {"org_type": "government"}, "org_type", "org_types.org_type"),
        ("agreements", {"status": "planned"}, "region_id", "regions.region_id"),
    ],
)
def test_foreign_keys(validate, package, table, match, field, target):
    line = set_cell(
        package / "data" / f"{table}.csv",
        field,
        "990000" if field == "parent_code" else "no-such-id",
        **match,
    )
    out = assert_reported(validate(package), f"data/{table}.csv", line, field, "foreign-key")
    assert f"is not in {target}" in out


def _in_memory(columns: dict[str, list[str | None]]):
    """A Table of string columns, lines 2.. (only what the key checks read)."""
    from types import SimpleNamespace

    import numpy as np
    import pyarrow as pa

    from gongbao.tableschema.csvio import Table

    data = pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})
    resource = SimpleNamespace(name="t", path="data/t.csv", field_names=list(columns))
    return Table(resource, data, np.arange(2, 2 + data.num_rows))


def test_composite_key_groups_values_not_joined_strings():
    """('a\x1fb', 'c') and ('a', 'b\x1fc') are different keys, though joined with the
    separator the old check used they are the same string; nulls are no key."""
    from gongbao.problems.report import Report
    from gongbao.rules.schema import _check_unique, _key_codes

    table = _in_memory(
        {"x": ["a\x1fb", "a", "a", None, "a"], "y": ["c", "b\x1fc", "b\x1fc", "c", None]}
    )
    assert _key_codes(table, ["x", "y"]).tolist()[3:] == [-1, -1]
    report = Report()
    _check_unique(table, ["x", "y"], report, rule="primary-key")
    assert [(p.rule, p.line, p.message) for p in report.problems] == [
        ("primary-key", 4, "(x, y) = (a, b\x1fc) already appears on line 3")
    ]


def test_composite_foreign_key_is_an_anti_join():
    """Rows whose (x, y) is not a parent key, judged only where both cells are set."""
    from gongbao.rules.schema import _unmatched

    parent = _in_memory({"x": ["a", "a", "b"], "y": ["1", "2", "1"]})
    child = _in_memory({"x": ["a", "b", "b", None, "a"], "y": ["2", "2", "1", "9", "3"]})
    assert _unmatched(child, ["x", "y"], parent, ["x", "y"]).tolist() == [
        False,
        True,
        False,
        False,
        True,
    ]
