"""`gongbao fmt` changes layout only: every cell survives byte for byte.

Canonical layout is UTF-8 without BOM, LF line ends, a final newline, minimal quoting, rows
sorted by primary key. These tests write a table in every non-canonical way at once (BOM,
CRLF, every cell quoted, rows out of order) with values that a careless formatter would
re-render, then check that only the layout changed; and that a file with a problem beyond
layout is left alone, with the validator's own lines saying why.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from pathlib import Path

import pytest

from conftest import run_process
from csvedit import find_row, line_of, set_cell

BOM = b"\xef\xbb\xbf"
LEFT_UNCHANGED = "1 file(s) left unchanged: fix the problems above, then run gongbao fmt\n"

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


def minimal(rows: list[list[str]]) -> bytes:
    """The rows with LF line ends and minimal quoting (no cell here holds a bare CR)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def snapshot(package: Path) -> dict[str, bytes]:
    """Every file of the package directory tree, by relative path."""
    return {
        str(p.relative_to(package)): p.read_bytes()
        for p in sorted(package.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def messy_package(package: Path) -> Path:
    """The package with indicators.csv rewritten non-canonically, tricky rows added, reversed."""
    path = package / "data" / "indicators.csv"
    header, *body = rows_of(path.read_bytes())
    path.write_bytes(messy([header, *reversed(body + TRICKY_INDICATORS)]))
    return package


def test_shipped_package_is_canonical(package: Path) -> None:
    """The one subprocess run of `gongbao fmt`: the real package is canonical as shipped."""
    before = snapshot(package)
    result = run_process("fmt", package, "--check")
    assert (result.code, result.out, result.err) == (0, "all files in canonical form\n", "")
    assert snapshot(package) == before


def test_check_reports_and_changes_nothing(messy_package: Path, gongbao) -> None:
    before = snapshot(messy_package)
    result = gongbao("fmt", messy_package, "--check")
    assert result.code == 1
    assert result.out == (
        "would reformat data/indicators.csv\n1 file(s) not in canonical form; run: gongbao fmt\n"
    )
    assert result.err == ""
    assert snapshot(messy_package) == before


def test_fmt_changes_layout_only(messy_package: Path, gongbao) -> None:
    path = messy_package / "data" / "indicators.csv"
    header, *body = rows_of(path.read_bytes())
    others = {k: v for k, v in snapshot(messy_package).items() if k != "data/indicators.csv"}

    result = gongbao("fmt", messy_package)
    assert (result.code, result.err) == (0, "")
    assert result.out == "reformatted data/indicators.csv\n1 file(s) reformatted\n"

    # The same header and cells, byte for byte, rows sorted by the key (indicator_id), LF,
    # no BOM, quoted only where needed: 97.6 bare, "a, b" quoted, 050000 with its zero.
    assert path.read_bytes() == minimal([header, *sorted(body, key=lambda row: row[0])])
    text = path.read_text(encoding="utf-8")
    assert "zz-2019-a,000100,x,2019,pm25_concentration,1e3,,ug_m3,-5,percent," in text
    assert ',"a, b",2019,good_water_quality_ratio,97.6,,percent,7.10,' in text

    # Other files were already canonical and are untouched.
    assert {k: v for k, v in snapshot(messy_package).items() if k != "data/indicators.csv"} == (
        others
    )


def test_fmt_is_idempotent(messy_package: Path, gongbao) -> None:
    assert gongbao("fmt", messy_package).code == 0
    once = snapshot(messy_package)
    again = gongbao("fmt", messy_package)
    assert (again.code, again.out) == (0, "all files in canonical form\n")
    assert snapshot(messy_package) == once


def test_fmt_drops_blank_rows_and_adds_final_newline(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    original = path.read_bytes()
    lines = original.rstrip(b"\n").split(b"\n")
    path.write_bytes(b"\n\n".join(lines))  # a blank line between rows, none at the end
    result = gongbao("fmt", package)
    assert (result.code, result.out) == (0, "reformatted data/targets.csv\n1 file(s) reformatted\n")
    assert path.read_bytes() == original


def test_sorting_uses_the_whole_composite_key(package: Path, gongbao) -> None:
    path = package / "data" / "region_members.csv"
    header = b"region_id,jurisdiction_code,basis,source_id,evidence,note\n"
    path.write_bytes(header + b"b,x,k,s,e,\na,z,k,s,e,\na,y,k,s,e,\n")
    assert gongbao("fmt", package).code == 0
    assert path.read_bytes() == header + b"a,y,k,s,e,\na,z,k,s,e,\nb,x,k,s,e,\n"


def test_bare_cr_inside_a_quoted_cell_survives(package: Path, gongbao) -> None:
    path = package / "data" / "region_members.csv"
    header = b"region_id,jurisdiction_code,basis,source_id,evidence,note"
    path.write_bytes(header + b'\r\nb,x,k,s,e,"line one\rline two"\r\na,y,k,s,e,\r\n')
    result = gongbao("fmt", package)
    assert (result.code, result.out) == (
        0,
        "reformatted data/region_members.csv\n1 file(s) reformatted\n",
    )
    assert path.read_bytes() == header + b'\na,y,k,s,e,\nb,x,k,s,e,"line one\rline two"\n'


def test_missing_value_markers_are_kept(package: Path, gongbao) -> None:
    """missingValues are not applied: a marker such as NA is a cell like any other to fmt."""
    schema = package / "schemas" / "indicators.schema.json"
    descriptor = json.loads(schema.read_text(encoding="utf-8"))
    descriptor["missingValues"] = ["", "NA"]
    schema.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    path = package / "data" / "indicators.csv"
    set_cell(path, "value", "NA", metric="good_air_days")
    canonical = path.read_bytes()
    path.write_bytes(canonical.replace(b"\n", b"\r\n"))

    result = gongbao("fmt", package)
    assert (result.code, result.out) == (
        0,
        "reformatted data/indicators.csv\n1 file(s) reformatted\n",
    )
    assert path.read_bytes() == canonical
    assert find_row(path, metric="good_air_days")[1]["value"] == "NA"


@pytest.mark.parametrize("check", [False, True])
def test_ragged_file_is_refused_with_the_validators_line(
    package: Path, gongbao, check: bool
) -> None:
    path = package / "data" / "targets.csv"
    header, *body = path.read_bytes().splitlines(keepends=True)
    text = b"".join([header, *reversed(body)]).decode("utf-8")  # also out of order
    path.write_bytes(text.replace(",汉江干流,eq,", ",汉江干流,extra,eq,", 1).encode("utf-8"))
    before = snapshot(package)
    line = line_of(path, ",extra,")

    result = gongbao("fmt", package, *(["--check"] if check else []))
    assert result.code == 1
    assert result.out == (
        f"data/targets.csv:{line}: -: ragged-row: row has 13 cells, the header has 12 "
        "(check for a missing or extra comma; quote cells that contain commas)\n" + LEFT_UNCHANGED
    )
    assert snapshot(package) == before


def test_gb18030_file_is_refused_with_the_validators_line(package: Path, gongbao) -> None:
    path = package / "data" / "targets.csv"
    data = path.read_text(encoding="utf-8").encode("gb18030")
    path.write_bytes(data)
    offset = next(i for i, byte in enumerate(data) if byte >= 0x80)
    line = data.count(b"\n", 0, offset) + 1

    result = gongbao("fmt", package)
    assert result.code == 1
    assert result.out == (
        f"data/targets.csv:{line}: -: encoding: byte 0x{data[offset]:02x} at offset {offset} is "
        "not UTF-8; it decodes as GB18030/GBK, so it was probably saved in a Chinese legacy "
        "encoding (re-save the file as UTF-8 (in Excel: 'CSV UTF-8'); do not use GB18030/GBK)\n"
        + LEFT_UNCHANGED
    )
    assert path.read_bytes() == data  # fmt does not guess an encoding


def test_refusal_matches_what_validate_reports(package: Path, gongbao, validate) -> None:
    path = package / "data" / "targets.csv"
    path.write_bytes(path.read_bytes().replace(b"target_id,", b"target,", 1))  # a bad header
    expected = validate(package).errors
    assert expected == [
        "data/targets.csv:1: -: header: missing target_id; unexpected 'target' "
        "(make line 1 exactly the field names of the table's schema)"
    ]
    result = gongbao("fmt", package)
    assert (result.code, result.out) == (1, expected[0] + "\n" + LEFT_UNCHANGED)


HEADER = b"mechanism,label_en,label_zh,description"


@pytest.mark.parametrize(
    "data",
    [
        HEADER + b"\ra,b,c,d\re,f,g,h\r",  # old Mac line ends throughout
        HEADER + b"\r\na,b,c,d\re,f,g,h\r\n",  # CRLF, but one row ends with a lone CR
    ],
)
def test_a_lone_cr_ending_a_line_becomes_lf(package: Path, gongbao, data: bytes) -> None:
    """Outside a quoted cell a CR ends the row for every CSV reader, so fmt's LF is no guess."""
    path = package / "data" / "mechanism_types.csv"
    path.write_bytes(data)
    result = gongbao("fmt", package)
    assert (result.code, result.out, result.err) == (
        0,
        "reformatted data/mechanism_types.csv\n1 file(s) reformatted\n",
        "",
    )
    assert path.read_bytes() == HEADER + b"\na,b,c,d\ne,f,g,h\n"


def test_missing_file_is_reported(package: Path, gongbao) -> None:
    (package / "data" / "targets.csv").unlink()
    result = gongbao("fmt", package)
    assert result.code == 1
    assert result.out == (
        "data/targets.csv: -: missing-file: cannot read data/targets.csv: No such file or "
        "directory (check the resource path)\n" + LEFT_UNCHANGED
    )


def test_nothing_outside_the_package_is_written(package: Path, gongbao) -> None:
    outside = package.parent / "outside.csv"
    outside.write_bytes(messy([["target_id"], ["b"], ["a"]]))
    before = outside.read_bytes()
    descriptor = package / "datapackage.json"
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace('"data/targets.csv"', '"../outside.csv"'), encoding="utf-8")

    line = line_of(descriptor, '"../outside.csv"')
    result = gongbao("fmt", package)
    assert (result.code, result.out) == (
        1,
        f"datapackage.json:{line}: path: unsafe-path: resource 'targets' path '../outside.csv' "
        "climbs out of the package with '..'; not read (use a relative path such as data/x.csv "
        "to a regular file: no absolute path, no '..', no URL, no ~ or $, no backslash, no "
        "hidden folder, no symbolic link, FIFO or device)\n" + LEFT_UNCHANGED,
    )
    assert outside.read_bytes() == before


def test_write_is_atomic(messy_package: Path, gongbao, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails leaves the original file whole and no temporary file behind."""
    before = snapshot(messy_package)

    def full_disk(source: str, destination: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    result = gongbao("fmt", messy_package)
    assert result.code == 2
    assert result.err == (
        f"gongbao: error: cannot write data/indicators.csv: {os.strerror(errno.ENOSPC)}\n"
    )
    assert snapshot(messy_package) == before  # same files, same bytes: no temporary file left
