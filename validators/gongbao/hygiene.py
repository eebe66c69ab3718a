"""Hygiene (rule family 5): whitespace, line breaks, formula injection, full-width, NFC.

Checks run on each column's distinct values, then map back to rows, so a million rows that
repeat a few thousand quotes cost a few thousand checks. Flagged cells are marked on the
table, so the schema family does not report the same cell again in other words.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .problems import Report
from .structure import Table

# Types whose cells are codes or numbers, and string fields constrained by a pattern (ids,
# codes): these must be plain ASCII digits and letters.
_CODE_TYPES = {"number", "integer", "year", "date", "yearmonth", "datetime", "boolean"}
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
_NUMBER = re.compile(r"^-\d+(\.\d+)?([eE][-+]?\d+)?$")


def _is_code_field(field: dict) -> bool:
    return field.get("type", "string") in _CODE_TYPES or "pattern" in field.get("constraints", {})


def _bad_values(values: pa.Array, field: dict) -> list[tuple[str, np.ndarray]]:
    """(rule, mask over values) for each hygiene rule these distinct values break."""
    found = []
    trimmed = pc.utf8_trim_whitespace(values)
    found.append(("whitespace", pc.not_equal(trimmed, values)))
    found.append(("line-break", pc.match_substring_regex(values, r"[\r\n]")))
    starts = pc.match_substring_regex(values, r"^[=+@\t\r-]")
    if pc.any(starts).as_py():
        negative_number = np.array([bool(v and _NUMBER.match(v)) for v in values.to_pylist()])
        starts = pc.and_(starts, pa.array(~negative_number))
    found.append(("formula", starts))
    if _is_code_field(field):
        found.append(("full-width", pc.match_substring_regex(values, _FULL_WIDTH)))
    found.append(("nfc", pc.not_equal(pc.utf8_normalize(values, form="NFC"), values)))
    return [(rule, mask.to_numpy(zero_copy_only=False)) for rule, mask in found]


_MESSAGES = {
    "whitespace": "{v!r} has leading or trailing whitespace",
    "line-break": "{v!r} contains a line break",
    "formula": "{v!r} starts with {c!r}, which a spreadsheet may run as a formula",
    "full-width": "{v!r} contains full-width characters",
    "nfc": "{v!r} is not NFC-normalised",
}


def check_hygiene(table: Table, report: Report) -> None:
    for field in table.resource.fields:
        name = field["name"]
        column = table.column(name)
        values = pc.unique(column).drop_null()
        if len(values) == 0:
            continue
        for rule, bad in _bad_values(values, field):
            if not bad.any():
                continue
            bad_values = values.filter(pa.array(bad))
            rows = np.flatnonzero(pc.fill_null(pc.is_in(column, value_set=bad_values), False)
                                  .to_numpy(zero_copy_only=False))
            cells = column.take(pa.array(rows)).to_pylist()
            for row, value in zip(rows, cells):
                report.error(rule, _MESSAGES[rule].format(v=_short(value), c=value[:1]),
                             path=table.path, line=int(table.lines[row]), field=name)
            table.mark(name, rows)


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
