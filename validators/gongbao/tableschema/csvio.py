"""CSV input and output: the strict reader (rule family 1: bytes and structure), the
canonical writer, appending a row, and atomic writes. Every command reads and writes CSV here.

Every cell is read as text, exactly as written: nothing is coerced, so later rules see what
the contributor typed. A file is first scanned once, streamed, for what only its bytes show
(a BOM, a NUL byte, CR line ends, the final newline, quotes where CSV allows none); then a
file whose rows are its lines takes the fast path (pyarrow's multi-threaded reader), and any
other (blank or ragged rows, quoted line breaks, lone CRs) is read with Python's csv module,
streamed too, which knows on which line each record starts, so every message points at the
right line. Memory follows the cells kept, never the defects: a file with a CRLF on line 1
or gigabytes of NULs costs no more than a clean one.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..problems.catalogue import implements
from ..problems.report import Report, shown, shown_list
from .files import PackageFile, Refused
from .package import Field, Package, Resource

if TYPE_CHECKING:
    from .types import Parsed

BOM = b"\xef\xbb\xbf"
# No limit on a cell's length beyond the file's own size (the csv module's default stops at
# 131,072 characters with an error).
csv.field_size_limit(2**31 - 1)


@dataclass
class Table:
    """A resource read as strings, with the CSV line of every row."""

    resource: Resource
    data: pa.Table  # one string column per schema field; empty cells are null
    lines: np.ndarray  # lines[i] is the CSV line where row i starts (header is line 1)
    reported: dict[str, np.ndarray] = field(default_factory=dict)  # cells a rule already flagged
    _encoded: dict[str, pa.DictionaryArray] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def path(self) -> str:
        return self.resource.path

    def __len__(self) -> int:
        return int(self.data.num_rows)

    def column(self, name: str) -> pa.ChunkedArray:
        return self.data.column(name)

    def mark(self, name: str, rows: np.ndarray) -> None:
        """Remember cells already reported, so later families do not report them again."""
        mask = self.reported.setdefault(name, np.zeros(len(self), dtype=bool))
        mask[rows] = True

    def unreported(self, name: str) -> np.ndarray:
        mask = self.reported.get(name)
        return np.ones(len(self), dtype=bool) if mask is None else ~mask

    def passed(self, typed: dict[str, pa.ChunkedArray]) -> pa.Table:
        """The typed columns, with every cell a rule reported set to null (what the table
        rules see: a cell reported by an earlier family is missing to them)."""
        columns = []
        for name in self.resource.field_names:
            column = typed[name]
            if name in self.reported and self.reported[name].any():
                column = pc.if_else(
                    pa.array(self.reported[name]), pa.scalar(None, column.type), column
                )
            columns.append(column)
        return pa.table(columns, names=self.resource.field_names)

    def encoded(self, name: str) -> pa.DictionaryArray:
        """The column dictionary-encoded: its distinct values and a code per row (cached)."""
        if name not in self._encoded:
            column = self.column(name)
            if column.num_chunks == 0:
                column = pa.chunked_array([pa.array([], type=column.type)])
            self._encoded[name] = column.dictionary_encode().combine_chunks()
        return self._encoded[name]

    def mostly_distinct(self, name: str, sample: int = 20_000) -> bool:
        """True for a long column (ids) whose first values mostly differ: per-value tricks
        cost more than they save there."""
        column = self.column(name)
        if len(column) <= 4 * sample:
            return False
        return len(pc.unique(column.slice(0, sample))) > sample // 2

    def elementwise(self, name: str, func: Callable[[pa.Array], pa.Array]) -> pa.ChunkedArray:
        """func(column) for an element-wise func, run once per distinct value when the column
        repeats values (a null stays null either way)."""
        column = self.column(name)
        if len(column) < 10_000:
            return func(column)
        if self.mostly_distinct(name):
            return in_halves(func, column)
        encoded = self.encoded(name)
        return pa.chunked_array([pc.take(func(encoded.dictionary), encoded.indices)])

    def parse(self, field: Field) -> Parsed:
        """The field's column typed by the type registry, its patterns run once per distinct
        value (see elementwise): how the schema family and gongbao.load type a column."""
        each = functools.partial(self.elementwise, field.name)
        return field.kind.parse(self.column(field.name), field, each)


def in_halves(
    func: Callable[[pa.Array | pa.ChunkedArray], pa.Array | pa.ChunkedArray],
    column: pa.Array | pa.ChunkedArray,
) -> pa.ChunkedArray:
    """func(column) for an element-wise func, on two threads (pyarrow releases the GIL)."""
    if len(column) < 200_000:
        result = func(column)
        return result if isinstance(result, pa.ChunkedArray) else pa.chunked_array([result])
    half = len(column) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(func, (column.slice(0, half), column.slice(half))))
    chunks = [
        c for part in parts for c in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])
    ]
    return pa.chunked_array(chunks, type=chunks[0].type)


# -- reading: one streamed pass over the bytes ------------------------------------------------

CHUNK = 1 << 23  # bytes read at a time: memory for bytes never grows with the file
HEADER_LIMIT = 1 << 20  # a first line longer than this (1 MiB) is not a header
BATCH_ROWS = 50_000  # rows the careful reader holds as Python objects before converting them
_COMMA, _LF, _CR, _QUOTE = 0x2C, 0x0A, 0x0D, 0x22
_OPEN_AFTER = (_COMMA, _LF, _CR, _QUOTE)  # bytes that may precede an opening "
_CLOSE_BEFORE = _OPEN_AFTER  # may follow a closing " (a second " is an escaped quote)
# The same as lookup tables, indexed by a byte (index -1, the file's start, is False).
_MAY_OPEN_AFTER = np.isin(np.arange(257), _OPEN_AFTER)
_MAY_CLOSE_BEFORE = _MAY_OPEN_AFTER


@dataclass
class Scan:
    """What one streamed pass over a file's bytes found, before anything is decoded.

    Quotes are followed by their parity (an odd count so far means inside a quoted cell), so
    a CR inside a quoted cell is told from one that ends a line, and a quote where CSV allows
    none (inside an unquoted cell, or followed by text after it closes) is found without
    parsing. Readers are lenient there: pyarrow and Excel read ``"Acoustic" (noise)`` as
    ``Acoustic (noise)``, and an unclosed quote swallows the rest of the file.
    """

    size: int = 0
    bom: bool = False
    header: bytes | None = None  # line 1 without its end; None when longer than HEADER_LIMIT
    newlines: int = 0  # LF bytes
    last_byte: int | None = None
    cr_line: int | None = None  # line of the first CR ending a line (not inside a quoted cell)
    cr_kind: str = ""  # CRLF or CR
    cr_count: int = 0  # CRs ending lines
    lone_cr: bool = False  # a CR without LF ends a line: rows and LF-counted lines differ
    nul: tuple[int, int] | None = None  # (offset, line) of the first NUL: the scan stopped
    quoting: tuple[int, str] | None = None  # (line, what) of the first misplaced quote

    @property
    def lines(self) -> int:
        """Lines in the file, counted by LF (a last line without one counts)."""
        return self.newlines + (1 if self.size and self.last_byte != _LF else 0)


class _Scanner:
    """The state :func:`scan` carries from one chunk to the next."""

    def __init__(self) -> None:
        self.found = Scan()
        self.offset = 0  # file offset of the chunk being scanned
        self.quotes = 0  # quotes before the chunk (while their placement is valid)
        self.previous = -1  # last byte of the previous chunk (-1: the file starts)
        self.content_start = 0  # offset after the BOM
        self.closing_at_end = False  # the previous chunk ended with a closing quote
        self.cr_at_end = False  # the previous chunk ended with a line-ending CR
        self.last_open = 0  # line of the last opening quote
        self.header: list[bytes] | None = []  # line 1 so far (None once it is too long)

    def line_at(self, chunk: bytes, position: int) -> int:
        return self.found.newlines + chunk.count(b"\n", 0, position) + 1

    def feed(self, chunk: bytes) -> bool:
        """Scan one chunk; False when the scan must stop (a NUL byte)."""
        found = self.found
        if self.offset == 0 and chunk.startswith(BOM):
            found.bom, self.content_start = True, len(BOM)
        self._header(chunk)
        nul = chunk.find(b"\0")
        if nul >= 0:
            found.nul = (self.offset + nul, self.line_at(chunk, nul))
            return False
        data = np.frombuffer(chunk, dtype=np.uint8)
        quotes = self._quotes(chunk, data) if found.quoting is None else None
        if self.cr_at_end:
            self._cr_followed_by(chunk[0] == _LF)
        if b"\r" in chunk:
            self._returns(chunk, data, quotes)
        found.newlines += int(np.count_nonzero(data == _LF))  # twice as fast as bytes.count
        found.size += len(chunk)
        found.last_byte = self.previous = chunk[-1]
        self.offset += len(chunk)
        if quotes is not None:
            self.quotes += len(quotes)
        return True

    def _header(self, chunk: bytes) -> None:
        if self.header is None or self.found.header is not None:
            return
        start = len(BOM) if self.offset == 0 and self.found.bom else 0
        ends = [i for i in (chunk.find(b"\n", start), chunk.find(b"\r", start)) if i >= 0]
        self.header.append(chunk[start : min(ends)] if ends else chunk[start:])
        if sum(len(part) for part in self.header) > HEADER_LIMIT:
            self.header = None
        elif ends:
            self.found.header = b"".join(self.header)

    def _quotes(self, chunk: bytes, data: np.ndarray) -> np.ndarray | None:
        """Positions of the chunk's quotes; None (recorded) once one is misplaced."""
        if self.closing_at_end:
            self.closing_at_end = False
            if chunk[0] not in _CLOSE_BEFORE:
                self._misplaced(chunk, 0, after=True)
                return None
        if b'"' not in chunk:
            return np.zeros(0, dtype=np.int64)
        where = np.flatnonzero(data == _QUOTE)
        opening = (self.quotes + np.arange(len(where))) % 2 == 0
        # In int16, so that -1 (the file starts) fits beside bytes (numpy 2 refuses -1 as uint8).
        earlier = data[np.maximum(where - 1, 0)].astype(np.int16)
        before = np.where(where > 0, earlier, np.int16(self.previous))
        at_start = (self.offset + where) == self.content_start
        bad_open = opening & ~at_start & ~_MAY_OPEN_AFTER[before]
        after = data[np.minimum(where + 1, len(chunk) - 1)]
        bad_close = ~opening & (where < len(chunk) - 1) & ~_MAY_CLOSE_BEFORE[after]
        bad = np.flatnonzero(bad_open | bad_close)
        if len(bad):
            first = int(bad[0])
            self._misplaced(chunk, int(where[first]), after=bool(bad_close[first]))
            return None
        self.closing_at_end = bool(len(where)) and not opening[-1] and where[-1] == len(chunk) - 1
        if len(where) and opening[-1]:  # the chunk ends inside a quoted cell: where it opened
            self.last_open = self.line_at(chunk, int(where[-1]))
        return where

    def _misplaced(self, chunk: bytes, position: int, after: bool) -> None:
        """Record the first misplaced quote, with the 12 characters either side of it."""
        before = chunk[max(position - 48, 0) : position].decode("utf-8", "ignore")[-12:]
        rest = chunk[position : position + 52].decode("utf-8", "ignore")[:13]
        where = "after the closing quote of a cell" if after else "inside an unquoted cell"
        near = shown(before + rest)
        self.found.quoting = (self.line_at(chunk, position), f"quote {where}, near {near}")

    def _returns(self, chunk: bytes, data: np.ndarray, quotes: np.ndarray | None) -> None:
        """Record the CRs that end lines (a CR inside a quoted cell is the cell's)."""
        found = self.found
        returns = np.flatnonzero(data == _CR)
        if quotes is not None:  # parity of the quotes before each CR: odd is inside a cell
            inside = (self.quotes + np.searchsorted(quotes, returns)) % 2 == 1
            returns = returns[~inside]
        if not len(returns):
            return
        found.cr_count += len(returns)
        inner = returns[returns < len(chunk) - 1]
        followed = data[inner + 1] == _LF
        if found.cr_line is None:
            found.cr_line = self.line_at(chunk, int(returns[0]))
            found.cr_kind = ("CRLF" if followed[0] else "CR") if len(inner) else "?"
        found.lone_cr |= not followed.all()
        self.cr_at_end = len(inner) < len(returns)

    def _cr_followed_by(self, lf: bool) -> None:
        """A line-ending CR ended the previous chunk (or the file): is it a CRLF?"""
        self.cr_at_end = False
        if self.found.cr_kind == "?":
            self.found.cr_kind = "CRLF" if lf else "CR"
        self.found.lone_cr |= not lf

    def finish(self) -> Scan:
        found = self.found
        if self.cr_at_end:
            self._cr_followed_by(False)
        if found.quoting is None and found.nul is None and self.quotes % 2:
            found.quoting = (self.last_open, f"quote opened on line {self.last_open} never closes")
        if self.header is not None and found.header is None:
            found.header = b"".join(self.header)  # a file of one line, without its end
        return found


def scan(handle: IO[bytes]) -> Scan:
    """One streamed pass over a file's bytes (see :class:`Scan`); stops at a NUL byte."""
    scanner = _Scanner()
    while chunk := handle.read(CHUNK):
        if not scanner.feed(chunk):
            break
    return scanner.finish()


def _report_bytes(resource: Resource, found: Scan, report: Report) -> None:
    """The byte-level problems a scan found (BOM, NUL, line ends, final newline)."""
    path = resource.path
    if found.bom:
        report.error("bom", "file starts with a UTF-8 byte-order mark", path=path, line=1)
    if found.nul is not None:
        offset, line = found.nul
        report.error(
            "encoding",
            f"NUL byte at offset {offset}: a CSV file is text and holds no NUL bytes (was it "
            "saved as UTF-16, or is it not a CSV file?); not read further",
            path=path,
            line=line,
        )
        return
    if found.cr_line is not None:
        report.error(
            "line-ending",
            f"line ends with {found.cr_kind} ({found.cr_count} in the file)",
            path=path,
            line=found.cr_line,
        )
    if found.size and found.last_byte != _LF:
        report.error(
            "trailing-newline", "the last line has no newline", path=path, line=found.lines
        )


def _first_invalid_utf8(handle: IO[bytes]) -> tuple[int, int, int] | None:
    """(offset, byte, line) of the first byte that is not UTF-8, or None; streamed."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = newlines = 0
    while True:
        chunk = handle.read(CHUNK)
        pending = decoder.getstate()[0]
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            window = pending + chunk
            position = offset - len(pending) + exc.start
            line = newlines + chunk.count(b"\n", 0, max(exc.start - len(pending), 0)) + 1
            return position, window[exc.start], line
        if not chunk:
            return None
        offset += len(chunk)
        newlines += chunk.count(b"\n")


def _decodes_as_gb18030(handle: IO[bytes], skip: int) -> bool:
    handle.seek(skip)
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        while chunk := handle.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _report_encoding(resource: Resource, handle: IO[bytes], bom: bool, report: Report) -> bool:
    """Report the first byte that is not UTF-8 (True), saying when the file is GB18030."""
    handle.seek(0)
    bad = _first_invalid_utf8(handle)
    if bad is None:
        return False
    offset, byte, line = bad
    guess = ""
    if _decodes_as_gb18030(handle, len(BOM) if bom else 0):
        guess = "; it decodes as GB18030/GBK, so it was probably saved in a Chinese legacy encoding"
    report.error(
        "encoding",
        f"byte 0x{byte:02x} at offset {offset} is not UTF-8{guess}",
        path=resource.path,
        line=line,
    )
    return True


def check_header(resource: Resource, header: list[str], report: Report) -> bool:
    """True when the header is exactly the schema's field names, in order."""
    expected = resource.field_names
    if header == expected:
        return True
    missing = [n for n in expected if n not in header]
    expected_names = set(expected)
    extra = [n for n in header if n not in expected_names]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unexpected " + shown_list(extra))
    if not parts:
        parts.append("columns out of order: expected " + ",".join(expected))
    report.error("header", "; ".join(parts), path=resource.path, line=1)
    return False


def _header_cells(line: bytes | None) -> list[str] | None:
    """The cells of line 1, or None when it is not UTF-8 (reported as encoding)."""
    try:
        text = (line or b"").decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error:
        return None


@implements(
    "missing-file",
    "encoding",
    "bom",
    "line-ending",
    "trailing-newline",
    "quoting",
    "header",
    "blank-row",
    "ragged-row",
)
def read_table(resource: Resource, report: Report, missing_values: bool = True) -> Table | None:
    """Read a resource strictly (rule family 1): its cells as text, or None when it cannot be
    read. With missing_values, cells equal to one of the schema's missingValues are null;
    without, only empty cells are (``gongbao fmt`` keeps every cell as written).

    The file is opened through its confined :class:`PackageFile` and read in a bounded
    amount of memory whatever its defects: one streamed scan of the bytes, then pyarrow's
    reader, or (when rows do not map one to a line, or pyarrow gives up) the careful reader,
    streamed too.
    """
    nulls = resource.missing_values if missing_values else [""]
    path = resource.path
    try:
        with resource.source.open_binary() as handle:
            return _read(resource, handle, report, nulls)
    except Refused as refused:
        if refused.kind == "unsafe":
            report.error("unsafe-path", f"{refused.about(path)}; not read", path=path)
        else:
            report.error("missing-file", refused.about(path), path=path)
    except OSError as exc:  # the disk failed mid-read
        report.error("missing-file", f"cannot read {path}: {exc.strerror or exc}", path=path)
    return None


def _read(resource: Resource, handle: IO[bytes], report: Report, nulls: list[str]) -> Table | None:
    found = scan(handle)
    _report_bytes(resource, found, report)
    if found.nul is not None:
        return None
    header = _header_cells(found.header)
    if header == resource.field_names and found.quoting is None and not found.lone_cr:
        # Nothing structural to report once pyarrow has checked that every cell is UTF-8:
        # parsed straight from disk on every core.
        handle.seek(0)
        with _for_arrow(handle) as source:
            table = _read_fast(resource, source, found.lines, nulls)
        if table is not None:
            return table
    if _report_encoding(resource, handle, found.bom, report):
        return None
    if found.quoting is not None:
        line, what = found.quoting
        report.error("quoting", what, path=resource.path, line=line)
        return None
    if found.header is None:
        report.error(
            "header",
            f"line 1 is longer than {HEADER_LIMIT // 2**20} MiB, too long for a header",
            path=resource.path,
            line=1,
        )
        return None
    if not check_header(resource, header or [], report):
        return None
    handle.seek(0)
    return _read_careful(resource, handle, report, nulls)


@contextlib.contextmanager
def _for_arrow(handle: IO[bytes]) -> Iterator[pa.NativeFile]:
    """The opened file for pyarrow: by its descriptor where the system can reopen one (the
    file already checked, not whatever its path names now), else through Python. Closed
    after; handle stays open (its owner closes it)."""
    try:
        descriptor = f"/proc/self/fd/{handle.fileno()}"
    except (OSError, AttributeError, io.UnsupportedOperation):
        descriptor = None
    if descriptor is None or not os.path.isdir("/proc/self/fd"):
        yield pa.PythonFile(handle, mode="r")  # closing it would close handle too
        return
    source = pa.OSFile(descriptor)
    try:
        yield source
    finally:
        source.close()


def _as_text(names: list[str], nulls: list[str]) -> pacsv.ConvertOptions:
    """How every pyarrow read here converts cells: the named columns, each cell as text
    (checked to be UTF-8), a cell equal to one of nulls (quoted or not) as null."""
    return pacsv.ConvertOptions(
        include_columns=names,
        column_types={name: pa.string() for name in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=nulls,
        check_utf8=True,
    )


def read_columns(resource: Resource, names: list[str], block: int = 1 << 22) -> Table:
    """Only the named columns of a file already found clean by :func:`read_slices` (rows
    are lines): for a check that needs a few columns of every row of a large table."""
    with resource.source.open_binary() as handle, _for_arrow(handle) as source:
        data = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=block),
            convert_options=_as_text(names, resource.missing_values),
        )
    return Table(resource, data, np.arange(2, data.num_rows + 2, dtype=np.int64))


def _read_fast(
    resource: Resource, source: pa.NativeFile, physical_lines: int, nulls: list[str]
) -> Table | None:
    """pyarrow reader; None when anything structural is off (then the careful path reports it).

    physical_lines: lines in the file (a last line without newline counts); a blank line or a
    ragged row makes it differ from the rows read plus the header.
    """
    try:
        data_table = pacsv.read_csv(
            source,  # pyarrow parses blocks on every core
            read_options=pacsv.ReadOptions(block_size=1 << 22),
            # No Python invalid_row_handler: the reader can release it on one of pyarrow's
            # threads after read_csv returns, and when that happens while Python shuts down
            # the process aborts ("terminate called without an active exception"). A ragged
            # row raises ArrowInvalid instead, which sends the file to the careful path.
            convert_options=_as_text(resource.field_names, nulls),  # bad UTF-8 fails it
        )
    except (pa.ArrowInvalid, pa.ArrowCapacityError):
        return None
    if physical_lines != data_table.num_rows + 1:
        return None  # blank or ragged rows: only the careful path knows where
    lines = np.arange(2, data_table.num_rows + 2, dtype=np.int64)
    return Table(resource, data_table, lines)


class NotClean(Exception):
    """A file streamed in slices turned out to need the careful reader (a blank or ragged
    row, a cell over several lines, a byte that is not UTF-8): start again, whole."""


def read_slices(resource: Resource, rows: int, block: int = 1 << 22) -> Iterator[Table] | None:
    """The table in slices of at most `rows` rows, each with its own CSV lines, for tables
    too large to hold whole; None when the file needs the whole-table reader (anything its
    scan finds, reported there). The slices raise NotClean, part-way through, for a defect
    only pyarrow's reader sees: whatever was made of the earlier slices must be dropped.
    """
    try:
        with resource.source.open_binary() as handle:
            found = scan(handle)
    except (Refused, OSError):
        return None
    clean = found.nul is None and not found.bom and found.quoting is None
    clean = clean and not found.lone_cr and found.cr_count == 0 and found.last_byte == _LF
    if not clean or _header_cells(found.header) != resource.field_names:
        return None
    return _slices(resource, rows, found.lines, block)


def _slices(resource: Resource, rows: int, physical_lines: int, block: int) -> Iterator[Table]:
    with resource.source.open_binary() as handle, _for_arrow(handle) as source:
        reader = pacsv.open_csv(
            source,
            # No Python invalid_row_handler (see _read_fast): a ragged row raises ArrowInvalid.
            read_options=pacsv.ReadOptions(block_size=block),
            convert_options=_as_text(resource.field_names, resource.missing_values),
        )
        start, batches, held = 0, [], 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, pa.ArrowCapacityError) as exc:
                raise NotClean(f"{resource.path}: {exc}") from None
            batches.append(batch)
            held += batch.num_rows
            if held >= rows:
                yield _slice(resource, batches, start)
                start, batches, held = start + held, [], 0
        if start + held + 1 != physical_lines:
            raise NotClean(f"{resource.path}: rows and lines differ")
        if held or start == 0:
            yield _slice(resource, batches, start, reader.schema)


def _slice(
    resource: Resource, batches: list[pa.RecordBatch], start: int, schema: pa.Schema = None
) -> Table:
    data = pa.Table.from_batches(batches, schema=schema if not batches else None)
    lines = np.arange(start + 2, start + 2 + data.num_rows, dtype=np.int64)
    return Table(resource, data, lines)


class _CountedLines:
    """The lines of a text stream, counting the LFs read (record lines are LF-counted, as
    everywhere else)."""

    def __init__(self, stream: Iterator[str]) -> None:
        self._stream = stream
        self.newlines = 0

    def __iter__(self) -> _CountedLines:
        return self

    def __next__(self) -> str:
        line = next(self._stream)
        self.newlines += line.endswith("\n")
        return line


class _Columns:
    """Rows collected into Arrow string columns a batch at a time, so the careful reader
    holds at most BATCH_ROWS rows as Python objects."""

    def __init__(self, names: list[str], missing: set[str]) -> None:
        self.names, self.missing = names, missing
        self.pending: list[list[str | None]] = [[] for _ in names]
        self.chunks: list[list[pa.Array]] = [[] for _ in names]
        self.lines: list[int] = []
        self.line_chunks: list[np.ndarray] = []

    def add(self, record: list[str], line: int) -> None:
        for column, cell in zip(self.pending, record, strict=True):
            column.append(None if cell in self.missing else cell)
        self.lines.append(line)
        if len(self.lines) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        for chunks, column in zip(self.chunks, self.pending, strict=True):
            chunks.append(pa.array(column, type=pa.string()))
            column.clear()
        self.line_chunks.append(np.array(self.lines, dtype=np.int64))
        self.lines.clear()

    def table(self, resource: Resource) -> Table:
        self.flush()
        columns = [pa.chunked_array(chunks, type=pa.string()) for chunks in self.chunks]
        data = pa.table(columns, names=self.names)
        return Table(resource, data, np.concatenate(self.line_chunks))


def _read_careful(resource: Resource, handle: IO[bytes], report: Report, nulls: list[str]) -> Table:
    """Python's csv reader, streamed: exact line numbers for blank and ragged rows and for
    rows after a multi-line cell. The file's bytes are known to be UTF-8 and its quotes to be
    where CSV allows them (the scan checked), so the reader is strict and nothing is guessed.
    """
    names = resource.field_names
    width = len(names)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        lines = _CountedLines(text)
        reader = csv.reader(lines, strict=True)
        next(reader, None)  # the header, checked already
        columns = _Columns(names, set(nulls))
        start = lines.newlines + 1
        for record in _records(reader, resource, report, lines):
            if not record or all(cell == "" for cell in record):
                report.error("blank-row", "blank row", path=resource.path, line=start)
            elif len(record) != width:
                report.error(
                    "ragged-row",
                    f"row has {len(record)} cells, the header has {width}",
                    path=resource.path,
                    line=start,
                )
            else:
                columns.add(record, start)
            start = lines.newlines + 1
        return columns.table(resource)
    finally:
        text.detach()  # the caller closes the file


def _records(
    reader: Iterator[list[str]], resource: Resource, report: Report, lines: _CountedLines
) -> Iterator[list[str]]:
    """The reader's records, until one cannot be parsed (the rest of the file cannot be split
    into rows reliably)."""
    while True:
        start = lines.newlines + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.error(
                "ragged-row",
                f"cannot split the file into rows from here on: {exc}",
                path=resource.path,
                line=start,
            )
            return
        yield record


def read_tables(package: Package, report: Report, skip: Iterable[str] = ()) -> dict[str, Table]:
    """Every resource of the package (but those named in skip) read strictly; those that
    cannot be read are left out (their problems are in the report)."""
    tables: dict[str, Table] = {}
    for name, resource in package.resources.items():
        if name in skip:
            continue
        table = read_table(resource, report)
        if table is not None:
            tables[name] = table
    return tables


# -- writing ----------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Minimal quoting, spelled out: csv.writer before Python 3.11.9 leaves a bare CR unquoted."""
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(values: list[str]) -> str:
    """One CSV record in canonical form, with its LF."""
    if values == [""]:
        return '""\n'  # a lone empty cell must not become a blank line
    return ",".join(_cell(value) for value in values) + "\n"


@dataclass
class Canonical:
    """A table in canonical form: the file's bytes and the line each row starts on."""

    data: bytes
    lines: list[int]  # lines[i]: line of the i-th row in written order
    order: list[int]  # order[i]: index, in the input rows, of the i-th row written


def canonical(names: list[str], rows: list[list[str]], primary_key: list[str]) -> Canonical:
    """The canonical CSV of a header and rows of text (empty string for an empty cell):
    UTF-8 without BOM, LF line ends, minimal quoting, rows sorted by primary key (stable, so
    rows with equal keys keep their order)."""
    positions = [names.index(k) for k in primary_key if k in names]
    order = sorted(range(len(rows)), key=lambda i: tuple(rows[i][p] for p in positions))
    out = [csv_line(names)]
    line = 2 + out[0].count("\n") - 1
    lines = []
    for index in order:
        record = csv_line(rows[index])
        lines.append(line)
        line += record.count("\n")
        out.append(record)
    return Canonical("".join(out).encode("utf-8"), lines, order)


WRITE_BATCH = 50_000  # rows rendered at a time by canonical_chunks


def canonical_chunks(table: Table) -> Iterator[bytes]:
    """The canonical file of a table's cells, a batch of rows at a time: the bytes
    :func:`canonical` makes of :func:`text_rows`, rendered by Arrow kernels in bounded memory
    (``gongbao fmt`` on a table of gigabytes). Rows are sorted by primary key with Arrow's
    stable sort; UTF-8 byte order is code-point order, so the order is Python's."""
    names = table.resource.field_names
    yield csv_line(names).encode("utf-8")
    key = [k for k in table.resource.primary_key if k in names]
    order = None
    if key:  # an empty cell is '' to the order, as in canonical()
        keys = pa.table([pc.fill_null(table.column(k), "") for k in key], names=key)
        order = pc.sort_indices(keys, sort_keys=[(k, "ascending") for k in key])
    for start in range(0, len(table), WRITE_BATCH):
        batch = (
            table.data.slice(start, WRITE_BATCH)
            if order is None
            else table.data.take(order.slice(start, WRITE_BATCH))
        )
        yield "".join(_csv_lines(batch, names).to_pylist()).encode("utf-8")


def _csv_lines(batch: pa.Table, names: list[str]) -> pa.ChunkedArray:
    """Each row of batch as a canonical CSV record (csv_line, vectorised)."""
    cells = []
    for name in names:
        text = pc.fill_null(batch.column(name), "")
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        cells.append(pc.if_else(pc.match_substring_regex(text, '[,"\r\n]'), quoted, text))
    lines = pc.binary_join_element_wise(*cells, ",")
    if len(names) == 1:  # a lone empty cell must not become a blank line
        lines = pc.if_else(pc.equal(lines, ""), '""', lines)
    return pc.binary_join_element_wise(lines, "\n", "")


def same_bytes(file: PackageFile, chunks: Iterable[bytes]) -> bool:
    """True when the file holds exactly the concatenated chunks (read as they come)."""
    with file.open_binary() as handle:
        for chunk in chunks:
            if handle.read(len(chunk)) != chunk:
                return False
        return handle.read(1) == b""


def text_rows(table: Table) -> list[list[str]]:
    """A table's cells as rows of text, an empty (null) cell as ''."""
    columns = [
        ["" if v is None else v for v in table.column(n).to_pylist()]
        for n in table.resource.field_names
    ]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace path with data (bytes, or chunks of them), or leave it untouched: a temporary
    file in the same directory, flushed to disk, then renamed over the old one (keeping its
    permissions). A failure at any point (a full disk) leaves the old file whole."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in [data] if isinstance(data, bytes) else data:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
