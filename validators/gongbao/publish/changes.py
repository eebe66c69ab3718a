"""What changed since the previous release: a cell-by-cell comparison of two packages.

The release compares the package with the previous release's zip when it is given
(``GONGBAO_PREVIOUS_RELEASE=path/to/gongbao-X.Y.Z.zip``; the release workflow downloads the
latest GitHub release's zip), and the SQLite database holds the result as ``_changes``. A
build without one holds an empty ``_changes`` and says so, rather than guessing a baseline.

Rows are matched by primary key and compared as written (the text of each cell), so a
changed quote, a corrected number or a new party each show up as exactly what changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..problems.report import Report
from ..tableschema.csvio import text_rows
from ..tableschema.package import Package, Resource, read_package
from .common import read_cells

PREVIOUS_RELEASE = "GONGBAO_PREVIOUS_RELEASE"


@dataclass(frozen=True)
class Change:
    table: str
    key: str | None  # the row's primary key values, comma-separated; None for a column change
    change: str  # added, removed, changed, column added, column removed
    column: str | None = None
    previous_value: str | None = None
    value: str | None = None


def previous_release() -> Package | None:
    """The package of the previous release named by GONGBAO_PREVIOUS_RELEASE, or None."""
    configured = os.environ.get(PREVIOUS_RELEASE)
    if not configured:
        return None
    path = Path(configured)
    if not path.exists():
        raise UsageError(f"{PREVIOUS_RELEASE}={configured}: no such file or directory")
    report = Report()
    package = read_package(path, report)
    if not report.valid:
        raise UsageError(f"{PREVIOUS_RELEASE}={configured}: not a readable data package")
    return package


def _rows(resource: Resource) -> tuple[list[str], dict[tuple[str, ...], list[str]]]:
    """A table's columns and its rows by primary key (the whole row when it has none)."""
    columns = resource.field_names
    rows = text_rows(read_cells(resource, missing_values=False))
    key_at = [columns.index(k) for k in resource.primary_key] or list(range(len(columns)))
    return columns, {tuple(row[i] for i in key_at): row for row in rows}


def compare(previous: Package, current: Package) -> list[Change]:
    """Every difference, table by table (current order, then tables that were removed)."""
    changes: list[Change] = []
    names = [*current.resources, *(n for n in previous.resources if n not in current.resources)]
    for name in names:
        old = previous.resources.get(name)
        new = current.resources.get(name)
        old_columns, old_rows = _rows(old) if old else ([], {})
        new_columns, new_rows = _rows(new) if new else ([], {})
        if old and new:
            changes += [
                Change(name, None, "column added", c) for c in new_columns if c not in old_columns
            ]
            changes += [
                Change(name, None, "column removed", c) for c in old_columns if c not in new_columns
            ]
        shared = [c for c in new_columns if c in old_columns]
        for key in sorted(old_rows.keys() | new_rows.keys()):
            label = ",".join(key)
            if key not in old_rows:
                changes.append(Change(name, label, "added"))
            elif key not in new_rows:
                changes.append(Change(name, label, "removed"))
            else:
                before = dict(zip(old_columns, old_rows[key], strict=True))
                after = dict(zip(new_columns, new_rows[key], strict=True))
                changes += [
                    Change(name, label, "changed", c, before[c], after[c])
                    for c in shared
                    if before[c] != after[c]
                ]
    return changes
