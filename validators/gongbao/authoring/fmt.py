"""Canonical CSV layout (``gongbao fmt``): layout only, never values.

Canonical means: UTF-8 without BOM, LF line ends, a final newline, minimal quoting, rows
sorted by primary key, blank rows dropped (they hold no value). Each file is read with the
validator's strict reader, every cell kept exactly as written (missingValues are not
applied, so ``NA`` stays ``NA``, 97.6 stays 97.6 and 050000 keeps its zero), and written back
by the canonical writer, atomically, only when its bytes change.

A file with a problem beyond layout (not UTF-8, a wrong header, a ragged row, a lone CR
ending a line, a missing file) is left untouched: fmt prints the validator's lines for it and
exits 1. Rewriting it could lose cells or guess at them.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import Exit, UsageError
from ..problems.report import Problem, Report
from ..rules.render import text_line
from ..tableschema.csvio import BOM, Table, canonical, read_table, text_rows, write_atomically
from ..tableschema.package import Resource, read_package

LAYOUT_RULES = frozenset({"bom", "line-ending", "trailing-newline", "blank-row"})
"""What the strict reader reports that a canonical rewrite fixes without touching a value."""

_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass
class AsWritten:
    """A resource file read for rewriting: its cells exactly as written, or why it may not be
    rewritten."""

    resource: Resource
    table: Table | None  # None when the file may not be rewritten
    problems: list[Problem] = field(default_factory=list)  # all the strict reader reported
    reason: str = ""  # why it may not be rewritten, when none of the problems says it

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.rule not in LAYOUT_RULES]

    def refusal(self) -> str:
        """One line saying why the file may not be rewritten."""
        if self.reason or not self.blocking:
            return self.reason or f"{self.resource.path}: cannot be read"
        first, *more = self.blocking
        return text_line(first) + (f" (and {len(more)} more)" if more else "")


def read_as_written(resource: Resource) -> AsWritten:
    """Read a resource with the strict reader, cells as written; its table is None when the
    file has a problem a rewrite would not fix (or would make worse)."""
    report = Report()
    failure = ""
    try:
        table = read_table(resource, report, missing_values=False)
    except csv.Error as exc:  # the csv module gives up on some files (a lone CR, a huge cell)
        table, failure = None, str(exc)
    read = AsWritten(resource, table, report.sorted())
    if table is not None or failure:  # otherwise the reader's problems say why
        ends_lines = any(p.rule == "line-ending" for p in read.problems)
        if ends_lines and (line := _stray_lone_cr(read)) is not None:
            read.reason = (
                f"{resource.path}:{line}: a line ends with a lone CR, which may be a row end or "
                "part of a cell: replace it with LF by hand"
            )
        elif failure:
            read.reason = f"{resource.path}: the CSV reader cannot parse it: {failure}"
    if read.reason or read.blocking:
        read.table = None
    return read


def _stray_lone_cr(read: AsWritten) -> int | None:
    """Line of the first lone CR (CR without LF) when one ends a line rather than sitting in a
    quoted cell; else None. The csv module takes a lone CR for a row end, which may not be
    what the file means."""
    try:
        data = read.resource.source.read_bytes().removeprefix(BOM)
    except OSError:
        return None  # reported by the reader as missing-file
    first = _LONE_CR.search(data)
    if first is None:
        return None
    in_cells = 0
    if read.table is not None:
        for column in read.table.data.columns:
            in_cells += _count(column, "\r") - _count(column, "\r\n")
    if len(_LONE_CR.findall(data)) <= in_cells:
        return None
    return data.count(b"\n", 0, first.start()) + 1


def _count(column: pa.ChunkedArray, text: str) -> int:
    return int(pc.sum(pc.count_substring(column, text)).as_py() or 0)


def canonical_bytes(table: Table) -> bytes:
    """The file a table's cells make in canonical form."""
    resource = table.resource
    return canonical(resource.field_names, text_rows(table), resource.primary_key).data


def format_package(path: Path, check: bool = False) -> Exit:
    """Rewrite every resource file in canonical form (with check, only say which would change).

    Exit 1 when a file would change (check) or may not be rewritten; else 0. Problems of the
    descriptor are left to ``gongbao validate``: fmt only touches files the package reader
    accepted, so nothing outside the package is written.
    """
    package = read_package(path)
    changed = refused = 0
    for resource in package.resources.values():
        read = read_as_written(resource)
        if read.table is None:
            refused += 1
            for problem in read.problems:
                print(text_line(problem))
            if read.reason:
                print(read.reason)
            continue
        data = canonical_bytes(read.table)
        if data == resource.source.read_bytes():
            continue
        changed += 1
        if check:
            print(f"would reformat {resource.path}")
            continue
        _write(resource, data)
        print(f"reformatted {resource.path}")
    return _summary(changed, refused, check)


def _write(resource: Resource, data: bytes) -> None:
    try:
        write_atomically(resource.file, data)
    except OSError as exc:
        raise UsageError(f"cannot write {resource.path}: {exc.strerror or exc}") from None


def _summary(changed: int, refused: int, check: bool) -> Exit:
    if changed:
        print(
            f"{changed} file(s) not in canonical form; run: gongbao fmt"
            if check
            else f"{changed} file(s) reformatted"
        )
    if refused:
        print(f"{refused} file(s) left unchanged: fix the problems above, then run gongbao fmt")
    if not changed and not refused:
        print("all files in canonical form")
    sys.stdout.flush()
    return Exit.INVALID if refused or (check and changed) else Exit.OK
