"""Family 5: cells a spreadsheet or a diff would mangle, reported in their own words."""

from __future__ import annotations

import random
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gongbao.rules import hygiene

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


def _all_characters(end: int = 0x30000) -> list[str]:
    return [chr(code) for code in range(end) if not 0xD800 <= code <= 0xDFFF]


def _suspect(texts: list[str]) -> list[bool]:
    return pc.match_substring_regex(pa.array(texts), hygiene.nfc_suspects()).to_pylist()


def test_text_without_an_nfc_suspect_is_nfc():
    """The class that lets a long column skip Python's NFC check misses nothing: no
    character outside it, alone or beside others, is changed by NFC."""
    bmp = _all_characters(0x10000)
    outside = [c for c, hit in zip(bmp, _suspect(bmp), strict=True) if not hit]
    assert len(outside) > 60_000  # CJK, Latin, punctuation: most of the BMP
    assert all(unicodedata.is_normalized("NFC", c) for c in outside)
    draw = random.Random(2260)
    texts = ["".join(draw.choices(outside, k=draw.randint(2, 6))) for _ in range(50_000)]
    assert [t for t in texts if not unicodedata.is_normalized("NFC", t)] == []
    # and every kind of change NFC makes is caught: a combining mark, a singleton, a Hangul
    # tail, a two-part vowel, a character beyond the BMP
    changed = ["Cafe\u0301", "\u212b", "\uac00\u11a8", "\u0dd9\u0dcf", "\U0001d15e", "\u1100\u1161"]
    assert _suspect(changed) == [True] * 6
    assert not any(unicodedata.is_normalized("NFC", t) for t in changed)


def test_formula_look_alikes_are_exactly_what_formula_start_reads_as_a_starter():
    expected = {c for c in _all_characters() if hygiene.formula_start(c + "x") is not None}
    assert set(hygiene.formula_look_alikes().to_pylist()) == expected


def test_long_columns_are_narrowed_in_arrow_with_the_same_report(validate, package, monkeypatch):
    """FILTER_FROM 1 sends every column through the Arrow narrowing, 10**9 none: the report
    is the same, with an NFC problem, full-width and disguised formulas, and titles that
    open with punctuation a spreadsheet does not run."""
    path = package / "data" / "agreements.csv"
    cells = {
        "initiative": unicodedata.normalize("NFD", "Café"),
        "plan": "\uff1d1+1",
        "memorandum": "\u200b\u22121",
        "agreement": "《长江保护》",
    }
    line = {k: set_cell(path, "title_en", v, instrument_type=k) for k, v in cells.items()}
    monkeypatch.setattr(hygiene, "FILTER_FROM", 10**9)
    python_only = validate(package)
    monkeypatch.setattr(hygiene, "FILTER_FROM", 1)
    narrowed = validate(package)
    assert narrowed.out == python_only.out
    formula = "which a spreadsheet may run as a formula (reword the cell so it does not start "
    formula += "with that character; a sign before a number (-5, +5) is fine)"
    assert narrowed.errors == [
        f"data/agreements.csv:{line['plan']}: title_en: formula: '＝1+1' starts with '＝' "
        f"(read as '='), {formula}",
        f"data/agreements.csv:{line['memorandum']}: title_en: formula: '\\u200b−1' starts "
        f"with '−' (read as '-') after the invisible U+200B ZERO WIDTH SPACE, {formula}",
        f"data/agreements.csv:{line['initiative']}: title_en: nfc: '{cells['initiative']}' is not "
        "NFC-normalised (normalise the text to NFC (unicodedata.normalize('NFC', s)))",
    ]
