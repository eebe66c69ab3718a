"""Canonical CSV layout (``gongbao fmt``): layout only, never values.

Canonical means: UTF-8 without BOM, LF line ends, a final newline, minimal quoting, rows
sorted by primary key, blank rows dropped (they hold no value). Every cell is read and
written as the exact string it was, so 97.6 stays 97.6, 050000 keeps its zero and dates
keep their form. Files that are not UTF-8 are left untouched (validate says why).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .descriptor import Resource, load_package, unsafe_reason
from .problems import Report
from .structure import BOM


def canonical_text(text: str, primary_key: list[str]) -> str:
    """The canonical form of a CSV document given as text."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return ""
    header, body = rows[0], [r for r in rows[1:] if any(cell != "" for cell in r)]
    positions = [header.index(k) for k in primary_key if k in header]

    def key(row: list[str]) -> tuple[str, ...]:
        return tuple(row[i] if i < len(row) else "" for i in positions)

    if positions:
        body.sort(key=key)
    return "".join(_row(row) for row in [header, *body])


def _cell(value: str) -> str:
    """Minimal quoting, spelled out: csv.writer before Python 3.11.9 leaves a bare CR unquoted."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _row(row: list[str]) -> str:
    if row == [""]:
        return '""\n'  # a lone empty cell must not become a blank line
    return ",".join(_cell(value) for value in row) + "\n"


def format_resource(resource: Resource, check: bool) -> bool:
    """Rewrite one file in canonical form (unless check); True when it was not canonical."""
    raw = resource.file.read_bytes()
    data = raw[len(BOM) :] if raw.startswith(BOM) else raw
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False  # not ours to guess an encoding: 'gongbao validate' reports it
    canonical = canonical_text(text, resource.primary_key).encode("utf-8")
    if canonical == raw:
        return False
    if not check:
        resource.file.write_bytes(canonical)
    return True


def format_package(path: Path, check: bool = False) -> list[str]:
    """Canonicalise every resource file of the package; returns the paths that changed."""
    package = load_package(path, Report())
    return [
        r.path
        for r in package.resources.values()
        if unsafe_reason(r.path) is None and r.file.is_file() and format_resource(r, check)
    ]
