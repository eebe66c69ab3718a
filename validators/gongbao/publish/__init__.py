"""Release files for people who do not use Python: ``gongbao release [PATH] [--out DIR]``.

The package is validated first: an invalid package gets validate's report and no file at
all. A valid one is built into a temporary directory next to DIR (same file system), and
only when every file is complete are they moved into DIR, replacing older files of the same
names; a failure leaves DIR as it was. Writes, one module per target:

``gongbao.sqlite`` and ``datasette.json`` (:mod:`.sqlite`)
    One table per resource with its keys and typed columns, tables documenting every column,
    full-text search, what changed since the previous release (:mod:`.changes`, when
    ``GONGBAO_PREVIOUS_RELEASE`` names its zip), and the Datasette configuration.
``gongbao.xlsx`` and ``excel/<table>.csv`` (:mod:`.excel`)
    A workbook with typed cells and English labels beside codes, and the canonical CSVs with
    a BOM for Excel.
``gongbao-X.Y.Z.zip`` (:mod:`.datazip`)
    Everything in one folder ``gongbao-X.Y.Z/``: the data package as published (``bytes``
    and ``hash`` filled in for every resource), the Excel files, and a README for people.

Every file is reproducible: building twice gives identical bytes. Timestamps (zip entries,
workbook properties) come from SOURCE_DATE_EPOCH when set, else 1980-01-01T00:00:00Z.
Values are typed by the type registry only, so what validates is what lands in SQLite and
Excel (``+5`` is the integer 5, ``NaN`` stays the text ``NaN``, a missing value is NULL).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import Exit, UsageError, require
from ..rules.render import render_text, text_line
from ..tableschema.package import Package, read_package
from ..validate import validate
from . import changes, datazip, excel, sqlite
from .common import ReleaseError, build_time, sha256

__all__ = ["ReleaseError", "release"]


def release(path: Path, out: Path) -> Exit:
    """Validate the package at path, then write its release files into out.

    Prints validate's report and returns Exit.INVALID for an invalid package; prints
    ``<sha256>  <size>  <path>`` for each file written. UsageError when path is not a data
    package or out cannot be written.
    """
    require("openpyxl", "publish")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a directory")
    previous = changes.previous_release()
    report = validate(path, archive=_archive())
    if not report.valid:
        sys.stdout.write(render_text(report))
        return Exit.INVALID
    for warning in report.sorted():  # a valid report holds warnings only
        sys.stderr.write(text_line(warning) + "\n")
    try:
        written = build(read_package(path), out, previous)
    except ReleaseError as exc:
        sys.stderr.write(f"gongbao: error: {exc}\n")
        return Exit.INVALID
    for file, digest, size in written:
        print(f"{digest}  {size:>9}  {file}")
    return Exit.OK


def _archive() -> Path | None:
    """The source archive for the quote checks, as ``gongbao validate`` finds it."""
    configured = os.environ.get("GONGBAO_ARCHIVE")
    if not configured:
        return None
    if not Path(configured).is_dir():
        raise UsageError(f"archive directory not found: {configured}")
    return Path(configured)


def build(
    package: Package, out: Path, previous: Package | None = None
) -> list[tuple[Path, str, int]]:
    """Build every release file, then move them into out; (path, sha256, size) of each.

    With previous (the last release's package), the database records what changed since.

    Nothing is moved until every file is built, and the temporary directory is removed
    whatever happens, so a failed build leaves out as it was.
    """
    when = build_time()
    beside = out.resolve()  # next to where the files really go: os.replace needs one device
    try:
        beside.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{beside.name}.", dir=beside.parent))
    except OSError as exc:
        raise UsageError(f"{out}: release not written: {exc}") from None
    try:
        compared = None
        if previous is not None:
            compared = sqlite.Changes(previous.version, changes.compare(previous, package))
        names = [
            *sqlite.build(package, staging, when, compared),
            *(spreadsheets := excel.build(package, staging, when)),
        ]
        names += datazip.build(package, staging, when, spreadsheets)
        written = []
        for name in names:
            data = (staging / name).read_bytes()
            written.append((out / name, sha256(data), len(data)))
        for name in names:
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, target)
        return written
    except OSError as exc:
        raise UsageError(f"{out}: release not written: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
