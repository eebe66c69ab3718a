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
