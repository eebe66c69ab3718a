"""`gongbao fmt` changes layout only: every cell survives byte for byte.

Canonical layout is UTF-8 without BOM, LF line ends, minimal quoting, rows sorted by primary
key. These tests write a table in every non-canonical way at once (BOM, CRLF, every cell
quoted, rows out of order) with values that a careless formatter would re-render, then check
that only the layout changed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from gongbao.csvfmt import canonical_text

BOM = b"\xef\xbb\xbf"

# Values a formatter must not touch: numbers as written, leading zeros, dates in any form,
# commas, quotes and doubled quotes inside cells, non-ASCII text, spaces inside a cell.
TRICKY_INDICATORS = [
    # indicator_id, jurisdiction_code, scope_zh, year, metric, value, value_label, unit,
    # change, change_unit, change_basis, source_id, evidence, note
    [
        "zz-2019-b",
        "050000",
        "a, b",
        "2019",
        "good_water_quality_ratio",
        "97.6",
        "",
        "percent",
        "7.10",
        "percentage_point",
        "year_on_year",
        "cqrb-2020-04-02",
        '他说:"优良比例为97.6%",同比提高7.10个百分点',
        'quote " inside, and a comma',
    ],
    [
        "zz-2019-a",
        "000100",
        "x",
        "2019",
        "pm25_concentration",
        "1e3",
        "",
        "ug_m3",
        "-5",
        "percent",
        "",
        "cqrb-2020-04-02",
        "PM2.5平均浓度同比下降5%",
        "0.50 stays 0.50",
    ],
    [
        "zz-2019-c",
        "500000",
        "  spaced  ",
        "2019",
        "good_air_days",
        "316.0",
        "",
        "day",
        "",
        "",
        "",
        "cqrb-2020-04-02",
        "空气质量优良天数达到316天",
        "2020/04/02, 2020-4-2, 20200402",
    ],
]


def rows_of(data: bytes) -> list[list[str]]:
    text = data.removeprefix(BOM).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def messy(rows: list[list[str]]) -> bytes:
    """The same rows with a BOM, CRLF line ends and every cell quoted."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return BOM + out.getvalue().encode("utf-8")


def snapshot(package: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((package / "data").glob("*.csv"))}


@pytest.fixture
def messy_package(package: Path) -> Path:
    """The package with indicators.csv rewritten non-canonically, tricky rows added, reversed."""
    path = package / "data" / "indicators.csv"
    header, *body = rows_of(path.read_bytes())
    path.write_bytes(messy([header, *reversed(body + TRICKY_INDICATORS)]))
    return package


def test_shipped_package_is_canonical(package: Path, gongbao) -> None:
    before = snapshot(package)
    result = gongbao("fmt", package, "--check")
    assert result.code == 0, result.out + result.err
    assert "all files in canonical form" in result.out
    assert snapshot(package) == before


def test_check_reports_and_changes_nothing(messy_package: Path, gongbao) -> None:
    before = snapshot(messy_package)
    result = gongbao("fmt", messy_package, "--check")
    assert result.code == 1
    assert "would reformat data/indicators.csv" in result.out
    assert "1 file(s) not in canonical form" in result.out
    assert snapshot(messy_package) == before


def test_fmt_changes_layout_only(messy_package: Path, gongbao) -> None:
    path = messy_package / "data" / "indicators.csv"
    before_rows = rows_of(path.read_bytes())
    others = {k: v for k, v in snapshot(messy_package).items() if k != "indicators.csv"}

    result = gongbao("fmt", messy_package)
    assert result.code == 0, result.out + result.err
    assert "reformatted data/indicators.csv" in result.out
    data = path.read_bytes()

    # Layout: no BOM, no CR, a final newline, UTF-8, minimal quoting.
    assert not data.startswith(BOM)
    assert b"\r" not in data
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    text = data.decode("utf-8")
    assert '"97.6"' not in text and ",97.6," in text  # unquoted once quoting is not needed
    assert '"a, b"' in text  # quoted where it is

    # Values: the same header and the same multiset of rows, every cell byte for byte.
    header, *body = rows_of(data)
    assert header == before_rows[0]
    assert sorted(body) == sorted(before_rows[1:])
    cells = {cell for row in body for cell in row}
    for value in (
        "97.6",
        "7.10",
        "050000",
        "000100",
        "1e3",
        "-5",
        "316.0",
        "  spaced  ",
        "a, b",
        'quote " inside, and a comma',
        "2020/04/02, 2020-4-2, 20200402",
        '他说:"优良比例为97.6%",同比提高7.10个百分点',
    ):
        assert value in cells, value

    # Order: sorted by the primary key (indicator_id).
    ids = [row[0] for row in body]
    assert ids == sorted(ids)

    # Other files were already canonical and are untouched.
    assert {k: v for k, v in snapshot(messy_package).items() if k != "indicators.csv"} == others


def test_fmt_is_idempotent(messy_package: Path, gongbao) -> None:
    assert gongbao("fmt", messy_package).code == 0
    once = snapshot(messy_package)
    again = gongbao("fmt", messy_package)
    assert again.code == 0
    assert "all files in canonical form" in again.out
    assert snapshot(messy_package) == once
    assert gongbao("fmt", messy_package, "--check").code == 0


def test_fmt_drops_blank_rows_and_adds_final_newline(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    original = path.read_bytes()
    lines = original.rstrip(b"\n").split(b"\n")
    path.write_bytes(b"\n\n".join(lines))  # a blank line between rows, none at the end
    assert gongbao("fmt", package).code == 0
    assert path.read_bytes() == original


def test_sorting_uses_the_whole_composite_key() -> None:
    text = "agreement_id,mechanism,source_id,evidence,note\nb,x,s,e,\na,z,s,e,\na,y,s,e,\n"
    assert canonical_text(text, ["agreement_id", "mechanism"]) == (
        "agreement_id,mechanism,source_id,evidence,note\na,y,s,e,\na,z,s,e,\nb,x,s,e,\n"
    )


def test_non_utf8_file_is_left_alone(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    data = path.read_text(encoding="utf-8").encode("gb18030")
    path.write_bytes(data)
    assert gongbao("fmt", package).code == 0
    assert path.read_bytes() == data  # 'gongbao validate' reports the encoding, fmt does not guess


def test_bare_cr_inside_a_quoted_cell_survives() -> None:
    header = "agreement_id,mechanism,source_id,evidence,note"
    text = f'{header}\r\na,y,s,"line one\rline two",\r\n'
    out = canonical_text(text, ["agreement_id", "mechanism"])
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[1:] == [["a", "y", "s", "line one\rline two", ""]]
