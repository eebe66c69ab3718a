"""Canonical CSV layout (``gongbao fmt``): layout only, never values.

Canonical means: UTF-8 without BOM, LF line ends, a final newline, minimal quoting, rows
sorted by primary key, blank rows dropped (they hold no value). Each file is read with the
validator's strict reader, every cell kept exactly as written (missingValues are not
applied, so ``NA`` stays ``NA``, 97.6 stays 97.6 and 050000 keeps its zero), and written back
by the canonical writer, atomically, only when its bytes change. Files are compared and
written a batch of rows at a time, so a table of gigabytes needs no more memory than its
cells.

A file with a problem beyond layout (not UTF-8, a NUL byte, a stray or unclosed quote, a
wrong header, a ragged row, a file that is missing, unsafe or read-only) is left untouched:
fmt prints the validator's lines for it and exits 1. Rewriting it could lose cells or guess
at them. Problems of the descriptor are printed too: the files they concern are not reached.
"""

from __future__ import annotations

import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Exit, UsageError
from ..problems.report import Problem, Report, printable
from ..rules.render import text_line
from ..tableschema.csvio import Table, canonical_chunks, read_table, same_bytes, write_atomically
from ..tableschema.package import Resource, read_package

LAYOUT_RULES = frozenset({"bom", "line-ending", "trailing-newline", "blank-row"})
"""What the strict reader reports that a canonical rewrite fixes without touching a value."""


@dataclass
class AsWritten:
    """A resource file read for rewriting: its cells exactly as written, or why it may not be
    rewritten."""

    resource: Resource
    table: Table | None  # None when the file may not be rewritten
    problems: list[Problem] = field(default_factory=list)  # all the strict reader reported

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.rule not in LAYOUT_RULES]

    def refusal(self) -> str:
        """One line saying why the file may not be rewritten."""
        if not self.blocking:
            return printable(f"{self.resource.path}: cannot be read")
        first, *more = self.blocking
        return text_line(first) + (f" (and {len(more)} more)" if more else "")


def read_as_written(resource: Resource) -> AsWritten:
    """Read a resource with the strict reader, cells as written; its table is None when the
    file has a problem a rewrite would not fix (or would make worse)."""
    report = Report()
    table = read_table(resource, report, missing_values=False)
    read = AsWritten(resource, table, report.sorted())
    if read.blocking:
        read.table = None
    return read


def format_package(path: Path, check: bool = False) -> Exit:
    """Rewrite every resource file in canonical form (with check, only say which would change).

    Exit 1 when a file would change (check) or may not be rewritten; else 0. fmt only
    touches files the package reader accepted, so nothing outside the package is written.
    """
    report = Report()
    package = read_package(path, report)
    for problem in report.sorted():  # the descriptor's own: the files it names are not reached
        print(text_line(problem))
    changed, refused = 0, len({p.path for p in report.errors})
    for resource in package.resources.values():
        read = read_as_written(resource)
        if read.table is None:
            refused += 1
            for problem in read.problems:
                print(text_line(problem))
            continue
        if same_bytes(resource.source, canonical_chunks(read.table)):
            continue
        if check:
            changed += 1
            print(printable(f"would reformat {resource.path}"))
            continue
        if (reason := _read_only(resource)) is not None:
            refused += 1
            print(printable(reason))
            continue
        changed += 1
        _write(read.table)
        print(printable(f"reformatted {resource.path}"))
    return _summary(changed, refused, check)


def _read_only(resource: Resource) -> str | None:
    """Why the file may not be replaced although it could be read: it is read-only (fmt
    respects that, even where the directory would let it replace the file)."""
    try:
        mode = resource.file.stat().st_mode
    except OSError:
        return None  # the write reports it
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return f"{resource.path}: read-only (mode {stat.S_IMODE(mode):04o}); not rewritten"
    return None


def _write(table: Table) -> None:
    resource = table.resource
    try:
        write_atomically(resource.file, canonical_chunks(table))
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
