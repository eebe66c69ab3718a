"""Hygiene (rule family 5): whitespace, line breaks, formula injection, full-width, NFC.

Checks run on each column's distinct values, then map back to rows, so a million rows that
repeat a few thousand quotes cost a few thousand checks; a column of mostly distinct values
(ids) is checked cell by cell instead, which is cheaper than finding its distinct values.
Columns are checked in parallel (pyarrow kernels release the GIL); problems are reported in
field order. Flagged cells are marked on the table, so the schema family does not report
the same cell again in other words.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .problems import Report
from .structure import Table

# Types whose cells are codes or numbers, and string fields constrained by a pattern (ids,
# codes): these must be plain ASCII digits and letters.
_CODE_TYPES = {"number", "integer", "year", "date", "yearmonth", "datetime", "boolean"}
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
# A negative number may start with '-'. Written for RE2 to mean what Python's
# re.match(r"^-\d+(\.\d+)?([eE][-+]?\d+)?$") means: \d is any Unicode digit, and $ also
# matches before a final newline.
_NEGATIVE_NUMBER = r"^-\p{Nd}+(\.\p{Nd}+)?([eE][-+]?\p{Nd}+)?\n?$"


def _is_code_field(field: dict) -> bool:
    return field.get("type", "string") in _CODE_TYPES or "pattern" in field.get("constraints", {})


def _bad_values(values: pa.Array | pa.ChunkedArray, field: dict) -> list[tuple[str, np.ndarray]]:
    """(rule, mask over values) for each hygiene rule these values break (null: no rule)."""
    found = []
    trimmed = pc.utf8_trim_whitespace(values)
    found.append(("whitespace", pc.not_equal(trimmed, values)))
    found.append(
        ("line-break", pc.or_(pc.match_substring(values, "\n"), pc.match_substring(values, "\r")))
    )
    starts = pc.match_substring_regex(values, r"^[=+@\t\r-]")
    if pc.any(starts).as_py():
        negative_number = pc.match_substring_regex(values, _NEGATIVE_NUMBER)
        starts = pc.and_(starts, pc.invert(negative_number))
    found.append(("formula", starts))
    # Full-width characters and non-NFC text need a non-ASCII character: skip pure ASCII.
    non_ascii = pc.invert(pc.string_is_ascii(values))
    if pc.any(non_ascii).as_py():
        if _is_code_field(field):
            found.append(("full-width", pc.match_substring_regex(values, _FULL_WIDTH)))
        found.append(("nfc", pc.not_equal(pc.utf8_normalize(values, form="NFC"), values)))
    return [
        (rule, pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool))
        for rule, mask in found
    ]


def _field_findings(table: Table, field: dict) -> list[tuple[str, np.ndarray]]:
    """(rule, rows) for each hygiene rule the field's cells break."""
    column = table.column(field["name"])
    if table.mostly_distinct(field["name"]):  # check cell by cell, each half on a thread
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


def check_hygiene(table: Table, report: Report) -> None:
    fields = table.resource.fields
    if len(table) * len(fields) > 1_000_000:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda f: _field_findings(table, f), fields))
    else:
        results = [_field_findings(table, f) for f in fields]
    for field, findings in zip(fields, results, strict=True):
        name = field["name"]
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
