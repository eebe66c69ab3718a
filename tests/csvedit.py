"""Edit a scratch package the way a contributor would: one cell, one line, one file."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _render(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


def find_row(path: Path, **match: str) -> tuple[int, dict[str, str]]:
    """(line, row) of the first row whose cells equal match (the CSVs keep one row a line)."""
    rows = read_rows(path)
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        record = dict(zip(header, row, strict=False))
        if all(record.get(k) == v for k, v in match.items()):
            return number, record
    raise AssertionError(f"no row with {match} in {path.name}")


def set_cell(path: Path, field: str, value: str, **match: str) -> int:
    """Set one cell of the first row matching match; returns its line. Other bytes are kept."""
    line, record = find_row(path, **match)
    header = read_rows(path)[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    record[field] = value
    lines[line - 1] = _render([record[name] for name in header]).rstrip("\n")
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    return line


def append_row(path: Path, **cells: str) -> int:
    """Append a row (unset cells empty); returns its line."""
    header = read_rows(path)[0]
    text = path.read_text(encoding="utf-8")
    text += _render([cells.get(name, "") for name in header])
    path.write_text(text, encoding="utf-8", newline="")
    return text.count("\n")


def edit_text(path: Path, old: str, new: str) -> None:
    """Replace text once (the test fails if the text is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def quoted_cells(package: Path) -> dict[str, int]:
    """Quoted cells (evidence, antecedent) per source_id, counted from the package's CSVs:
    what validate counts for each web-only source."""
    counts: dict[str, int] = {}
    for path in sorted((package / "data").glob("*.csv")):
        header, *rows = read_rows(path)
        if "source_id" not in header:
            continue
        at = header.index("source_id")
        quoted = [i for i, name in enumerate(header) if name in ("evidence", "antecedent")]
        for row in rows:
            if cells := sum(1 for i in quoted if row[i]):
                counts[row[at]] = counts.get(row[at], 0) + cells
    return counts
