"""Family 5: cells a spreadsheet or a diff would mangle, reported in their own words."""

from __future__ import annotations

import unicodedata

import pytest

from conftest import assert_reported
from csvedit import find_row, set_cell


@pytest.mark.parametrize("value", [" 重庆", "重庆 ", "重庆\u3000"])
def test_whitespace(validate, package, value):
    line = set_cell(package / "data" / "indicators.csv", "scope_zh", value, metric="good_air_days")
    assert_reported(validate(package), "data/indicators.csv", line, "scope_zh", "whitespace")


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+cmd", "@SUM(A1)", "-cmd"])
def test_formula_injection(validate, package, value):
    line = set_cell(
        package / "data" / "agreements.csv", "title_en", value, instrument_type="initiative"
    )
    assert_reported(validate(package), "data/agreements.csv", line, "title_en", "formula")


def test_a_leading_tab_is_both_a_formula_starter_and_whitespace(validate, package):
    line = set_cell(
        package / "data" / "agreements.csv", "title_en", "\tx", instrument_type="initiative"
    )
    assert validate(package).errors == [
        f"data/agreements.csv:{line}: title_en: formula: '\\tx' starts with '\\t', which a "
        "spreadsheet may run as a formula (reword the cell so it does not start with that "
        "character; a sign before a number (-5, +5) is fine)",
        f"data/agreements.csv:{line}: title_en: whitespace: '\\tx' has leading or trailing "
        "whitespace (delete the spaces (including full-width spaces) around the value)",
    ]


def test_minus_before_a_number_is_fine(validate, repo, package):
    # The shipped PM2.5 row has change -5: validating the package proves '-5' is accepted.
    _, row = find_row(
        package / "data" / "indicators.csv", jurisdiction_code="500000", metric="pm25_concentration"
    )
    assert row["change"].startswith("-")
    assert validate(package).code == 0


def test_full_width_digit_in_a_year_is_reported_once(validate, package):
    line = set_cell(package / "data" / "indicators.csv", "year", "２０19", metric="good_air_days")
    result = validate(package)
    assert_reported(result, "data/indicators.csv", line, "year", "full-width")
    assert f"data/indicators.csv:{line}: year: type" not in result.out


def test_full_width_letter_in_a_code(validate, package):
    line = set_cell(
        package / "data" / "indicators.csv", "jurisdiction_code", "５00000", metric="good_air_days"
    )
    result = validate(package)
    assert_reported(result, "data/indicators.csv", line, "jurisdiction_code", "full-width")
    errors = [
        r for r in result.out.splitlines() if f"indicators.csv:{line}: jurisdiction_code" in r
    ]
    assert len(errors) == 1, errors  # not also pattern or foreign-key


def test_nfc(validate, package):
    decomposed = unicodedata.normalize("NFD", "Café")
    line = set_cell(
        package / "data" / "agreements.csv", "title_en", decomposed, instrument_type="initiative"
    )
    assert_reported(validate(package), "data/agreements.csv", line, "title_en", "nfc")


def test_line_break_inside_a_cell_keeps_later_lines_exact(validate, package):
    path = package / "data" / "indicators.csv"
    later = set_cell(path, "unit", "days", metric="good_air_days")
    first = set_cell(path, "note", "two\nlines", metric="excellent_air_days")
    assert later > first  # rows are sorted by id: excellent before good
    assert validate(package).errors == [
        f"data/indicators.csv:{first}: note: line-break: 'two\\nlines' contains a line break "
        "(keep each cell on one line)",
        f"data/indicators.csv:{later + 1}: unit: enum: 'days' is not one of: percent, "
        "percentage_point, day, count, ug_m3, water_quality_class, grade (use one of the "
        "listed codes; a new code is a schema change, see CONTRIBUTING.md)",
    ]
