"""A new row in its table, checked by the validator's own rules before anything is written.

The candidate is the table as ``gongbao new`` would write it: the existing rows exactly as
written plus the new row, in canonical form. The validator's hygiene and schema rules and
its foreign keys run on it as ``gongbao validate`` would run them on the written file (the
same cells, missing values and lines), and only what they report on the new row counts.
So ``new`` refuses exactly the rows ``validate`` would reject, in its words, and keeps no
copy of any rule.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..problems.report import Problem, Report
from ..rules.hygiene import check_hygiene
from ..rules.schema import check_foreign_keys, check_schema
from ..tableschema.csvio import Canonical, Table, canonical, read_table, text_rows
from ..tableschema.package import Package, Resource

NOT_YET = frozenset({"required", "foreign-key"})
"""Rules a scaffold may break for now: cells still to fill, rows still to add."""


class PackageTables:
    """The package's tables, each read with the strict reader the first time it is needed."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self._tables: dict[str, Table | None] = {}

    def table(self, name: str) -> Table | None:
        """The table as validate reads it (missing values null); None when it cannot be read
        (validate reports why)."""
        if name not in self._tables:
            resource = self.package.resources.get(name)
            self._tables[name] = None if resource is None else _read(resource)
        return self._tables[name]

    def rows(self, name: str) -> list[dict[str, str]]:
        """The table's rows as text ('' for an empty cell); [] when it cannot be read."""
        table = self.table(name)
        if table is None:
            return []
        names = table.resource.field_names
        return [dict(zip(names, row, strict=True)) for row in text_rows(table)]


def _read(resource: Resource) -> Table | None:
    try:
        return read_table(resource, Report())
    except csv.Error:  # the csv module gives up on some malformed files
        return None


@dataclass
class Candidate:
    """The table with the new row, as it would be written, and what the rules say of it."""

    resource: Resource
    values: list[str]  # the new row, in field order
    written: Canonical  # the file with the row
    line: int  # line of the new row in the written file
    problems: list[Problem]  # what the validator reports on the new row

    @property
    def errors(self) -> list[Problem]:
        """Problems that refuse the row: anything but a cell or a referenced row still to add."""
        return [p for p in self.problems if p.rule not in NOT_YET]

    @property
    def dangling(self) -> list[Problem]:
        """References to rows that do not exist (yet)."""
        return [p for p in self.problems if p.rule == "foreign-key"]

    @property
    def unfilled(self) -> list[str]:
        """Required fields the row leaves empty, in column order."""
        empty = {p.field for p in self.problems if p.rule == "required"}
        return [name for name in self.resource.field_names if name in empty]


def candidate(
    resource: Resource, existing: Table | None, values: list[str], tables: PackageTables
) -> Candidate:
    """Add values (text, '' for empty) to the existing rows, in canonical form, and check it."""
    rows = [*(text_rows(existing) if existing is not None else []), values]
    written = canonical(resource.field_names, rows, resource.primary_key)
    lines = np.zeros(len(rows), dtype=np.int64)
    lines[written.order] = written.lines
    # The new row comes last in the checked table (whatever its place in the file), so a key
    # or unique value it repeats is reported on the new row, not on the row it repeats.
    table = _as_validated(resource, rows, lines)
    report = Report()
    check_hygiene(table, report)
    check_schema(table, report)
    parents: dict[str, Table] = {resource.name: table}
    for fk in resource.foreign_keys:
        parent = tables.table(fk.resource) if fk.resource != resource.name else table
        if parent is not None:
            parents[fk.resource] = parent
    check_foreign_keys(table, parents, report)
    line = int(lines[-1])
    on_row = [p for p in report.problems if p.path == resource.path and p.line == line]
    return Candidate(resource, values, written, line, on_row)


def _as_validated(resource: Resource, rows: list[list[str]], lines: np.ndarray) -> Table:
    """Rows of text as the strict reader would give them: a missing value is null."""
    missing = set(resource.missing_values)
    columns = [
        pa.array([None if row[i] in missing else row[i] for row in rows], type=pa.string())
        for i in range(len(resource.field_names))
    ]
    return Table(resource, pa.table(columns, names=resource.field_names), lines)
