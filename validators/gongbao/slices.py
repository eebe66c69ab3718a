"""A table too large to hold whole, validated a slice at a time.

Families 5, 2 (but keys), the row-by-row table rules and provenance run on each slice of
SLICE_ROWS rows as on a whole table; each slice is then dropped, keeping only what the end
of the run needs: the columns other tables' rules and this table's across-rows rules read
(``rules.tables.STREAMABLE``), with the cells already reported, and the quotes per source.
The primary key and unique fields need every row: the rows repeating a key are found first,
on the key columns alone, and reported in their slice where the whole-table check would.

Memory is then one slice plus the kept columns, not the table: 10M indicator rows take about
what 2M rows take whole. A defect only pyarrow's reader sees (a ragged row, a cell over
several lines) stops the slices part-way: their problems are dropped and the table is read
whole by the careful reader, which reports it exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from .gbt2260 import Reference
from .problems.report import Report
from .rules.hygiene import check_hygiene
from .rules.provenance import Capture, check_table_provenance, quotes_per_source
from .rules.schema import (
    Duplicates,
    check_foreign_keys,
    check_schema,
    duplicates,
    keys_of,
    report_duplicates,
)
from .tableschema.csvio import NotClean, Table, read_columns, read_slices
from .tableschema.package import Package, Resource
from .tableschema.types import to_pandas

if TYPE_CHECKING:
    import pandas as pd

    from .rules.tables import TableRule

LARGE_BYTES = 1 << 30  # a table file at least this large is validated in slices
SLICE_ROWS = 1_000_000
BLOCK_BYTES = 1 << 22  # what pyarrow reads at a time: a slice is whole blocks


def in_slices(resource: Resource, package: Package) -> bool:
    """A file of at least LARGE_BYTES, of a table declared streamable, that no other table
    points a foreign key at (a key table must be whole to be looked up)."""
    try:
        size = resource.source.size()
    except Exception:  # refused or unreadable: the whole-table reader reports why
        return False
    if size is None or size < LARGE_BYTES:
        return False
    from .rules.tables import STREAMABLE  # pandera: only for a file this large

    referenced = any(
        fk.resource == resource.name
        for other in package.resources.values()
        if other.name != resource.name
        for fk in other.foreign_keys
    )
    return resource.name in STREAMABLE and not referenced


@dataclass
class Kept:
    """What is left of a table validated in slices."""

    table: Table  # the kept columns' rows (lines and reported cells of every row)
    frame: pd.DataFrame  # the kept columns, typed, with reported cells missing
    quotes: dict[str, int] = field(default_factory=dict)  # quoted cells per source_id


def validate_in_slices(
    resource: Resource,
    tables: dict[str, Table],
    frames: dict[str, pd.DataFrame],
    texts: dict[str, Capture] | None,
    report: Report,
    today: dt.date | None,
    reference: Reference,
) -> Kept | None:
    """Validate a table slice by slice (see the module's docstring); None when the file
    needs the whole-table reader (nothing of it is then in the report)."""
    from .rules.tables import check_tables, kept_in_slices  # pandera

    slices = read_slices(resource, SLICE_ROWS, BLOCK_BYTES)
    if slices is None:
        return None
    kept_names = [f.name for f in resource.fields if f.name in kept_in_slices(resource.name)]
    found = Report()  # merged into report only once every slice has been read
    try:
        keys = _duplicates(resource)
    except (pa.ArrowInvalid, pa.ArrowCapacityError):
        return None  # a defect the careful reader will report
    parts: list[pd.DataFrame] = []
    lines: list[np.ndarray] = []
    marks: dict[str, list[np.ndarray]] = {name: [] for name in kept_names}
    quotes: dict[str, int] = {}
    try:
        for piece in slices:
            check_hygiene(piece, found)
            typed = check_schema(piece, found, keys=False)
            start = int(piece.lines[0]) - 2 if len(piece) else 0
            for names, rule, repeated in keys:  # as check_schema would on the whole table
                report_duplicates(piece, names, found, rule, repeated.within(start, len(piece)))
            check_foreign_keys(piece, tables, found)
            frame = to_pandas(piece.passed(typed), resource.fields)
            check_tables(
                {resource.name: piece},
                {**frames, resource.name: frame},
                found,
                today,
                reference,
                which=_row_by_row,
            )
            check_table_provenance(piece, texts, found)
            quotes_per_source([piece], quotes)
            parts.append(frame[kept_names])
            lines.append(piece.lines)
            for name, masks in marks.items():
                masks.append(~piece.unreported(name))
    except NotClean:
        return None
    for problem in found.problems:
        report.add(problem)
    narrow = dataclasses.replace(resource, fields=[resource.field(n) for n in kept_names])
    import pandas as pd

    frame = pd.concat(parts, ignore_index=True)  # the slices yield one table at least
    all_lines = np.concatenate(lines)
    rows = pa.table({"row": pa.nulls(len(all_lines))})  # only its length is read
    reported = {name: np.concatenate(masks) for name, masks in marks.items()}
    return Kept(Table(narrow, rows, all_lines, reported), frame, quotes)


def _duplicates(resource: Resource) -> list[tuple[list[str], str, Duplicates]]:
    """The rows repeating a key, found on the key columns alone, read first (the rest of
    the row is not needed, and every row is)."""
    keys = keys_of(resource)
    names = sorted({name for fields, _ in keys for name in fields})
    if not names:
        return []
    table = read_columns(resource, names, BLOCK_BYTES)
    return [(fields, rule, duplicates(table, fields)) for fields, rule in keys]


def _row_by_row(rule: TableRule) -> bool:
    return not rule.across_rows
