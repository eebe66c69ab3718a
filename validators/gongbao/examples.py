"""Running the catalogue's examples: plant each rule's bad value in a copy of a package and
validate it.

The copy gets a synthetic source archive made from its own evidence quotes (one capture per
source: its headline, then a body holding that source's antecedents and quotes between two
anchors), so the provenance examples need no real archive and give the same messages on
every machine. ``tests/test_catalogue.py`` asserts that each
example produces exactly its rule at its ``file:line: field``; ``gongbao docs`` renders the
README's rule table from the same runs, so the messages shown there are real.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .problems.catalogue import (
    LAST,
    ROW,
    AppendRows,
    Capture,
    Cells,
    DuplicateRow,
    Needle,
    NoArchive,
    Remove,
    Replace,
    Rule,
    Transform,
)
from .problems.report import Problem, Report

PACKAGE_PARTS = ("datapackage.json", "schemas", "data")
TODAY = dt.date(2026, 12, 1)  # the examples' "today", so their messages never go stale


Baseline = frozenset[tuple[str, str, str | None, str]]  # (rule, path, field, message)


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    expected: tuple[str, int | None, str | None]  # (path, line, field) the rule must report
    report: Report
    baseline: Baseline = frozenset()  # warnings the package carries before the example

    @property
    def problems(self) -> list[Problem]:
        """What the example adds: the report less the package's own warnings."""
        return [
            p
            for p in self.report.sorted()
            if p.severity != "warning" or (p.rule, p.path, p.field, p.message) not in self.baseline
        ]


def baseline_warnings(source: Path) -> Baseline:
    """The warnings of the package at source as the examples see it (with its synthetic
    archive): a real package may carry reviewed warnings (a collective reference that counts
    fewer rows than it names), which an example must not count as its own."""
    from .validate import validate

    with tempfile.TemporaryDirectory(prefix="gongbao-example-baseline-") as scratch:
        package = copy_package(source, Path(scratch) / "package")
        archive = Path(scratch) / "archive"
        synthetic_archive(package, archive)
        report = validate(package, archive=archive, today=TODAY)
    return frozenset(
        (p.rule, p.path, p.field, p.message) for p in report.sorted() if p.severity == "warning"
    )


def copy_package(source: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        if (source / part).is_dir():
            shutil.copytree(source / part, destination / part)
        else:
            shutil.copy2(source / part, destination / part)
    return destination


def _records(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_records(path: Path, records: list[list[str]]) -> None:
    from .tableschema.csvio import csv_line

    path.write_text("".join(csv_line(r) for r in records), encoding="utf-8", newline="")


def _find(records: list[list[str]], match: dict[str, str]) -> int:
    header = records[0]
    for index, record in enumerate(records[1:], start=1):
        if all(record[header.index(k)] == v for k, v in match.items()):
            return index
    raise LookupError(f"no row with {match}")


BODY_START, BODY_END = "【正文】", "【正文完】"  # the synthetic captures' body anchors


def synthetic_archive(package: Path, archive: Path) -> None:
    """One capture per source (web-only ones included, so that no example reports their
    quotes as unchecked): its headline, then its body holding every antecedent and
    then every evidence quote that rests on it (one a line, so a quote of segments is one
    paragraph). sources.csv gets the captures' hashes and body anchors."""
    from .tableschema.package import read_package

    antecedents: dict[str, list[str]] = {}
    quotes: dict[str, list[str]] = {}
    for resource in read_package(package).resources.values():
        if {"source_id", "evidence"} <= set(resource.field_names):
            records = _records(resource.file)
            header = records[0]
            at = header.index("source_id"), header.index("evidence")
            before = header.index("antecedent") if "antecedent" in header else None
            for record in records[1:]:
                if before is not None and record[before]:
                    antecedents.setdefault(record[at[0]], []).append(record[before])
                if record[at[1]]:
                    quotes.setdefault(record[at[0]], []).append(record[at[1]])
    sources = package / "data" / "sources.csv"
    records = _records(sources)
    header = records[0]
    archive.mkdir(parents=True, exist_ok=True)
    for record in records[1:]:
        source_id = record[header.index("source_id")]
        lines = [
            record[header.index("title")],
            BODY_START,
            *antecedents.get(source_id, []),
            *quotes.get(source_id, []),
            BODY_END,
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        if not record[header.index("archive")]:  # a web-only source gets a capture too
            digest = hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:16]
            record[header.index("archive")] = f"{len(source_id) % 1000:03d}_{digest}.txt"
        (archive / record[header.index("archive")]).write_bytes(data)
        record[header.index("archive_sha256")] = hashlib.sha256(data).hexdigest()
        if "body_start" in header:
            record[header.index("body_start")] = BODY_START
            record[header.index("body_end")] = BODY_END
    _write_records(sources, records)


def _capture_of(package: Path, source_id: str) -> str:
    records = _records(package / "data" / "sources.csv")
    return records[_find(records, {"source_id": source_id})][records[0].index("archive")]


def plant(rule: Rule, package: Path, archive: Path) -> tuple[Path | None, int | None]:
    """Break the package (or its archive) as the rule's example says.

    Returns the archive to validate with (None for none) and the line of the planted row.
    """
    what = rule.example.plant
    row_line = None
    if isinstance(what, Cells):
        path = package / what.file
        records = _records(path)
        index = _find(records, what.match)
        for name, value in what.cells.items():
            records[index][records[0].index(name)] = value
        _write_records(path, records)
        row_line = index + 1  # canonical files hold one record a line
    elif isinstance(what, Replace):
        path = package / what.file
        text = path.read_text(encoding="utf-8")
        if what.old not in text:
            raise LookupError(f"{what.old!r} is not in {what.file}")
        path.write_text(text.replace(what.old, what.new, 1), encoding="utf-8", newline="")
    elif isinstance(what, Transform):
        path = package / what.file
        data = path.read_bytes()
        changed = {
            "bom": lambda: b"\xef\xbb\xbf" + data,
            "crlf": lambda: data.replace(b"\n", b"\r\n"),
            "gb18030": lambda: data.decode("utf-8").encode("gb18030"),
            "strip-final-newline": lambda: data.rstrip(b"\n"),
        }[what.how]()
        path.write_bytes(changed)
    elif isinstance(what, Remove):
        (package / what.file).unlink()
    elif isinstance(what, DuplicateRow):
        path = package / what.file
        records = _records(path)
        records.append(list(records[_find(records, what.match)]))
        _write_records(path, records)
    elif isinstance(what, AppendRows):
        path = package / what.file
        records = _records(path)
        header = records[0]
        for n in range(1, what.count + 1):
            records.append([what.template.get(h, "").replace("{n}", str(n)) for h in header])
        _write_records(path, records)
    elif isinstance(what, Capture):
        capture = archive / _capture_of(package, what.source_id)
        if what.how == "missing":
            capture.unlink()
        else:
            capture.write_bytes(capture.read_bytes() + b"tampered\n")
    elif isinstance(what, NoArchive):
        return None, None
    return archive, row_line


def _expected_line(rule: Rule, package: Path, row_line: int | None) -> int | None:
    line = rule.example.line
    if line is None or isinstance(line, int):
        return line
    data = (package / rule.example.path).read_bytes()
    if line == ROW:
        return row_line
    if line == LAST:
        return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    assert isinstance(line, Needle)
    lines = data.decode("utf-8").split("\n")
    return next(n for n, text in enumerate(lines, start=1) if line.text in text)


def run_example(rule: Rule, source: Path, baseline: Baseline = frozenset()) -> Outcome:
    """Plant the rule's example in a copy of the package at source and validate the copy;
    baseline: the package's own warnings (baseline_warnings), left out of the outcome."""
    from .validate import validate

    with tempfile.TemporaryDirectory(prefix=f"gongbao-example-{rule.id}-") as scratch:
        package = copy_package(source, Path(scratch) / "package")
        archive = Path(scratch) / "archive"
        synthetic_archive(package, archive)
        used, row_line = plant(rule, package, archive)
        report = validate(
            package, archive=used, expectations=rule.example.expectations, today=TODAY
        )
        expected = (rule.example.path, _expected_line(rule, package, row_line), rule.example.field)
    return Outcome(rule, expected, report, baseline)
