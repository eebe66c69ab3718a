"""Family 1: bytes and structure, checked before any cell is parsed."""

from __future__ import annotations

from conftest import assert_reported
from csvedit import find_row, line_of


def test_gb18030_file_is_an_encoding_error_that_says_so(validate, package):
    path = package / "data" / "agreements.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    first_chinese = next(
        n for n, line in enumerate(path.read_bytes().split(b"\n"), 1) if any(b > 0x7F for b in line)
    )
    out = assert_reported(validate(package), "data/agreements.csv", first_chinese, "-", "encoding")
    assert "GB18030/GBK" in out


def test_bom(validate, package):
    path = package / "data" / "metrics.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert_reported(validate(package), "data/metrics.csv", 1, "-", "bom")


def test_crlf(validate, package):
    path = package / "data" / "metrics.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    out = assert_reported(validate(package), "data/metrics.csv", 1, "-", "line-ending")
    assert "CRLF" in out


def test_missing_final_newline(validate, package):
    path = package / "data" / "metrics.csv"
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data)
    assert_reported(
        validate(package), "data/metrics.csv", data.count(b"\n") + 1, "-", "trailing-newline"
    )


def test_header_must_match_schema(validate, package):
    path = package / "data" / "indicators.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("change_unit", "change_units", 1),
        encoding="utf-8",
        newline="",
    )
    out = assert_reported(validate(package), "data/indicators.csv", 1, "-", "header")
    assert "missing change_unit" in out and "'change_units'" in out


def test_blank_row_and_later_lines_stay_exact(validate, package):
    path = package / "data" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "")  # a blank line 4
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    last = len(lines) - 1
    text = path.read_text(encoding="utf-8").replace(",cqrb-2020-04-02,", ",nope-2020,", 1)
    path.write_text(text, encoding="utf-8", newline="")
    changed = line_of(path, ",nope-2020,")
    assert changed != 4 and changed <= last
    expected = {
        changed: f"data/indicators.csv:{changed}: source_id: foreign-key: 'nope-2020' is not in "
        "sources.source_id (add the referenced row first, or correct the reference)",
        4: "data/indicators.csv:4: -: blank-row: blank row (delete the empty line)",
    }
    assert validate(package).errors == [expected[n] for n in sorted(expected)]  # by line


def test_ragged_row(validate, package):
    path = package / "data" / "metrics.csv"
    line, row = find_row(path, metric="good_air_days")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = lines[line - 1].replace(",day,", ",day,extra,", 1)
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    # The ragged row is not read, so the indicators that use its metric point to nothing.
    users = [
        n for n, text in enumerate(_lines(package, "indicators"), 1) if ",good_air_days," in text
    ]
    assert validate(package).errors == [
        *(
            f"data/indicators.csv:{n}: metric: foreign-key: 'good_air_days' is not in "
            "metrics.metric (add the referenced row first, or correct the reference)"
            for n in users
        ),
        f"data/metrics.csv:{line}: -: ragged-row: row has 8 cells, the header has 7 "
        "(check for a missing or extra comma; quote cells that contain commas)",
    ]


def _lines(package, table):
    return (package / "data" / f"{table}.csv").read_text(encoding="utf-8").split("\n")


def test_missing_file(validate, package):
    (package / "data" / "targets.csv").unlink()
    assert_reported(validate(package), "data/targets.csv", None, "-", "missing-file")
