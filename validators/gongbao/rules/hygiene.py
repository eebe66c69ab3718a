"""Hygiene (rule family 5): whitespace, line breaks, formula injection, full-width, NFC.

Checks run on each column's distinct values, then map back to rows, so a million rows that
repeat a few thousand quotes cost a few thousand checks; a column of mostly distinct values
(ids) is checked cell by cell instead, which is cheaper than finding its distinct values.
Columns are checked in parallel (pyarrow kernels release the GIL); problems are reported in
field order. Flagged cells are marked on the table, so the schema family does not report
the same cell again in other words.
"""

from __future__ import annotations

import unicodedata
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..problems.catalogue import implements
from ..problems.report import Report
from ..tableschema.csvio import Table
from ..tableschema.package import Field

_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
# A signed number may start with '-' or '+' (a spreadsheet reads it as the number). Written
# for RE2 to mean what Python's re.match(r"^[-+]\d+(\.\d+)?([eE][-+]?\d+)?$") means: \d is
# any Unicode digit, and $ also matches before a final newline.
_SIGNED_NUMBER = r"^[-+]\p{Nd}+(\.\p{Nd}+)?([eE][-+]?\p{Nd}+)?\n?$"


def _not_nfc(values: pa.Array | pa.ChunkedArray, non_ascii: pa.Array) -> pa.Array:
    """True where a value is not NFC. Python's check, on the non-ASCII values only: pyarrow's
    utf8_normalize leaves decomposed text unchanged in some releases (seen up to 21)."""
    mask = pc.fill_null(non_ascii, False).to_numpy(zero_copy_only=False).astype(bool)
    rows = np.flatnonzero(mask)
    texts = values.take(pa.array(rows)).to_pylist()
    flags = np.zeros(len(mask), dtype=bool)
    flags[rows] = [not unicodedata.is_normalized("NFC", text) for text in texts]
    return pa.array(flags)


def _bad_values(values: pa.Array | pa.ChunkedArray, field: Field) -> list[tuple[str, np.ndarray]]:
    """(rule, mask over values) for each hygiene rule these values break (null: no rule)."""
    found = []
    trimmed = pc.utf8_trim_whitespace(values)
    found.append(("whitespace", pc.not_equal(trimmed, values)))
    found.append(
        ("line-break", pc.or_(pc.match_substring(values, "\n"), pc.match_substring(values, "\r")))
    )
    starts = pc.match_substring_regex(values, r"^[=+@\t\r-]")
    if pc.any(starts).as_py():
        signed_number = pc.match_substring_regex(values, _SIGNED_NUMBER)
        starts = pc.and_(starts, pc.invert(signed_number))
    found.append(("formula", starts))
    # Full-width characters and non-NFC text need a non-ASCII character: skip pure ASCII.
    non_ascii = pc.invert(pc.string_is_ascii(values))
    if pc.any(non_ascii).as_py():
        if field.is_code:  # codes, ids, numbers and dates: plain ASCII
            found.append(("full-width", pc.match_substring_regex(values, _FULL_WIDTH)))
        found.append(("nfc", _not_nfc(values, non_ascii)))
    return [
        (rule, pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool))
        for rule, mask in found
    ]


def _field_findings(table: Table, field: Field) -> list[tuple[str, np.ndarray]]:
    """(rule, rows) for each hygiene rule the field's cells break."""
    column = table.column(field.name)
    if table.mostly_distinct(field.name):  # check cell by cell, each half on a thread
        half = len(column) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(
                pool.map(
                    lambda part: dict(_bad_values(part, field)),
                    (column.slice(0, half), column.slice(half)),
                )
            )
        found = []
        for rule in _MESSAGES:  # both halves may not have run the same rules
            masks = [
                part.get(rule, np.zeros(len(piece), dtype=bool))
                for part, piece in zip(
                    parts, (column.slice(0, half), column.slice(half)), strict=True
                )
            ]
            bad = np.concatenate(masks)
            if bad.any():
                found.append((rule, np.flatnonzero(bad)))
        return found
    values = pc.unique(column).drop_null()
    if len(values) == 0:
        return []
    findings = []
    for rule, bad in _bad_values(values, field):
        if not bad.any():
            continue
        bad_values = values.filter(pa.array(bad))
        rows = np.flatnonzero(
            pc.fill_null(pc.is_in(column, value_set=bad_values), False).to_numpy(
                zero_copy_only=False
            )
        )
        findings.append((rule, rows))
    return findings


_MESSAGES = {
    "whitespace": "{v!r} has leading or trailing whitespace",
    "line-break": "{v!r} contains a line break",
    "formula": "{v!r} starts with {c!r}, which a spreadsheet may run as a formula",
    "full-width": "{v!r} contains full-width characters",
    "nfc": "{v!r} is not NFC-normalised",
}


@implements("whitespace", "line-break", "formula", "full-width", "nfc")
def check_hygiene(table: Table, report: Report) -> None:
    fields = table.resource.fields
    if len(table) * len(fields) > 1_000_000:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda f: _field_findings(table, f), fields))
    else:
        results = [_field_findings(table, f) for f in fields]
    for field, findings in zip(fields, results, strict=True):
        name = field.name
        column = table.column(name)
        for rule, rows in findings:
            cells = column.take(pa.array(rows)).to_pylist()
            for row, value in zip(rows, cells, strict=True):
                report.error(
                    rule,
                    _MESSAGES[rule].format(v=_short(value), c=value[:1]),
                    path=table.path,
                    line=int(table.lines[row]),
                    field=name,
                )
            table.mark(name, rows)


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
