"""Bytes and structure (rule family 1), and reading a CSV into a table of strings.

Every cell is read as text, exactly as written: nothing is coerced, so later rules see what
the contributor typed. A clean file takes the fast path (pyarrow's multi-threaded reader);
any other file (a BOM, CR line ends, no final newline, blank or ragged rows, quoted line
breaks) is read with Python's csv module, which knows on which line each record starts, so
every message points at the right line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .descriptor import Resource
from .problems import Report

BOM = b"\xef\xbb\xbf"


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
        return self.data.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.data.column(name)

    def mark(self, name: str, rows: np.ndarray) -> None:
        """Remember cells already reported, so later families do not report them again."""
        mask = self.reported.setdefault(name, np.zeros(len(self), dtype=bool))
        mask[rows] = True

    def unreported(self, name: str) -> np.ndarray:
        mask = self.reported.get(name)
        return np.ones(len(self), dtype=bool) if mask is None else ~mask

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


def in_halves(
    func: Callable[[pa.ChunkedArray], pa.Array | pa.ChunkedArray], column: pa.ChunkedArray
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


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_bytes(resource: Resource, data: bytes, report: Report) -> bytes | None:
    """Encoding, BOM, line endings, final newline. Returns the text bytes to parse, or None."""
    path = resource.path
    if data.startswith(BOM):
        report.error("bom", "file starts with a UTF-8 byte-order mark", path=path, line=1)
        data = data[len(BOM) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start)
        guess = ""
        try:
            data.decode("gb18030")
            guess = (
                "; it decodes as GB18030/GBK, so it was probably saved in a Chinese legacy encoding"
            )
        except UnicodeDecodeError:
            pass
        report.error(
            "encoding",
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8{guess}",
            path=path,
            line=line,
        )
        return None
    cr = data.find(b"\r")
    if cr >= 0:
        kind = "CRLF" if data[cr + 1 : cr + 2] == b"\n" else "CR"
        count = data.count(b"\r")
        report.error(
            "line-ending",
            f"line ends with {kind} ({count} in the file)",
            path=path,
            line=_line_of_offset(data, cr),
        )
    if data and not data.endswith(b"\n"):
        report.error(
            "trailing-newline",
            "the last line has no newline",
            path=path,
            line=_line_of_offset(data, len(data) - 1),
        )
    return data


def check_header(resource: Resource, header: list[str], report: Report) -> bool:
    """True when the header is exactly the schema's field names, in order."""
    expected = resource.field_names
    if header == expected:
        return True
    missing = [n for n in expected if n not in header]
    extra = [n for n in header if n not in expected]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("unexpected " + ", ".join(repr(n) for n in extra))
    if not parts:
        parts.append("columns out of order: expected " + ",".join(expected))
    report.error("header", "; ".join(parts), path=resource.path, line=1)
    return False


def read_table(resource: Resource, report: Report) -> Table | None:
    """Run family 1 on a resource and return its cells, or None when it cannot be read."""
    try:
        scanned = _scan_clean(resource)
    except OSError:
        scanned = None  # reported below
    if scanned is not None:
        # A clean file (no BOM, no CR, final LF, the right header) has nothing to report at
        # the byte level once pyarrow has checked that every cell is UTF-8: it is parsed
        # straight from disk, never held in memory as a whole.
        with pa.OSFile(str(resource.file)) as source:
            table = _read_fast(resource, source, physical_lines=scanned)
        if table is not None:
            return table
    # Anything else is read whole, its bytes checked, and parsed by the careful reader,
    # which knows the line of every record.
    try:
        raw = resource.file.read_bytes()
    except OSError as exc:
        report.error(
            "missing-file", f"cannot read {resource.path}: {exc.strerror}", path=resource.path
        )
        return None
    data = check_bytes(resource, raw, report)
    if data is None:
        return None
    if not check_header(resource, _header_of(data) or [], report):
        return None
    return _read_careful(resource, data, report)


def _scan_clean(resource: Resource, chunk_size: int = 1 << 23) -> int | None:
    """Stream the file: its number of lines when no byte-level rule can fire (no BOM, no CR,
    a final newline) and the header is right; else None (read_table then looks closer)."""
    newlines = 0
    last = b""
    with resource.file.open("rb") as handle:
        first = handle.read(chunk_size)
        end = first.find(b"\n")
        if first.startswith(BOM) or end < 0 or _header_of(first[:end]) != resource.field_names:
            return None
        chunk = first
        while chunk:
            if b"\r" in chunk:
                return None
            newlines += chunk.count(b"\n")
            last = chunk
            chunk = handle.read(chunk_size)
    return newlines if last.endswith(b"\n") else None


def _header_of(data: bytes) -> list[str] | None:
    """The cells of the first line, or None when it is not UTF-8 (check_bytes reports that)."""
    end = data.find(b"\n")
    try:
        first_line = (data if end < 0 else data[:end]).rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError:
        return None
    return next(csv.reader([first_line]), [])


def _string_types(resource: Resource) -> dict[str, pa.DataType]:
    return {name: pa.string() for name in resource.field_names}


def _read_fast(resource: Resource, source: pa.NativeFile, physical_lines: int) -> Table | None:
    """pyarrow reader; None when anything structural is off (then the careful path reports it).

    physical_lines: lines in the file (a last line without newline counts); a blank line or a
    cell spanning lines makes it differ from the rows read plus the header.
    """
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        data_table = pacsv.read_csv(
            source,  # pyarrow parses blocks on every core
            read_options=pacsv.ReadOptions(block_size=1 << 22),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=_string_types(resource),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
                check_utf8=True,  # an invalid byte fails the fast path
            ),
        )
    except pa.ArrowInvalid:
        return None
    if invalid or physical_lines != data_table.num_rows + 1:
        return None  # ragged rows, or a cell spanning lines: only the careful path knows where
    lines = np.arange(2, data_table.num_rows + 2, dtype=np.int64)
    return Table(resource, data_table, lines)


def _read_careful(resource: Resource, data: bytes, report: Report) -> Table:
    """Python csv reader: exact line numbers for blank and ragged rows and multi-line cells."""
    names = resource.field_names
    width = len(names)
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    start = reader.line_num + 1
    for record in reader:
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
            lines.append(start)
            for column, cell in zip(columns, record, strict=True):
                column.append(cell if cell != "" else None)
        start = reader.line_num + 1
    arrays = [pa.array(column, type=pa.string()) for column in columns]
    return Table(resource, pa.table(arrays, names=names), np.array(lines, dtype=np.int64))
