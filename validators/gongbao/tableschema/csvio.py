"""CSV input and output: the strict reader (rule family 1: bytes and structure), the
canonical writer, appending a row, and atomic writes. Every command reads and writes CSV here.

Every cell is read as text, exactly as written: nothing is coerced, so later rules see what
the contributor typed. A clean file takes the fast path (pyarrow's multi-threaded reader);
any other file (a BOM, CR line ends, no final newline, blank or ragged rows, quoted line
breaks) is read with Python's csv module, which knows on which line each record starts, so
every message points at the right line.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..problems.catalogue import implements
from ..problems.report import Report
from .package import Resource

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


@implements(
    "missing-file",
    "encoding",
    "bom",
    "line-ending",
    "trailing-newline",
    "header",
    "blank-row",
    "ragged-row",
)
def read_table(resource: Resource, report: Report, missing_values: bool = True) -> Table | None:
    """Read a resource strictly (rule family 1): its cells as text, or None when it cannot be
    read. With missing_values, cells equal to one of the schema's missingValues are null;
    without, only empty cells are (``gongbao fmt`` keeps every cell as written)."""
    nulls = resource.missing_values if missing_values else [""]
    source = resource.source
    if isinstance(source, Path):
        try:
            scanned = _scan_clean(resource, source)
        except OSError:
            scanned = None  # reported below
        if scanned is not None:
            # A clean file (no BOM, no CR, final LF, the right header) has nothing to report
            # at the byte level once pyarrow has checked that every cell is UTF-8: it is
            # parsed straight from disk, never held in memory as a whole.
            with pa.OSFile(str(source)) as stream:
                table = _read_fast(resource, stream, scanned, nulls)
            if table is not None:
                return table
    # Anything else is read whole, its bytes checked, and parsed by the careful reader,
    # which knows the line of every record.
    try:
        raw = source.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        report.error("missing-file", f"cannot read {resource.path}: {reason}", path=resource.path)
        return None
    data = check_bytes(resource, raw, report)
    if data is None:
        return None
    if not check_header(resource, _header_of(data) or [], report):
        return None
    return _read_careful(resource, data, report, nulls)


def _scan_clean(resource: Resource, file: Path, chunk_size: int = 1 << 23) -> int | None:
    """Stream the file: its number of lines when no byte-level rule can fire (no BOM, no CR,
    a final newline) and the header is right; else None (read_table then looks closer)."""
    newlines = 0
    last = b""
    with file.open("rb") as handle:
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
    """The cells of the first line (ended by LF, CRLF or a lone CR), or None when it is not
    UTF-8 (check_bytes reports that)."""
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    first = data[: min(ends)] if ends else data
    try:
        first_line = first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return next(csv.reader([first_line]), [])
    except csv.Error:
        return None


def _string_types(resource: Resource) -> dict[str, pa.DataType]:
    return {name: pa.string() for name in resource.field_names}


def _read_fast(
    resource: Resource, source: pa.NativeFile, physical_lines: int, nulls: list[str]
) -> Table | None:
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
                null_values=nulls,
                check_utf8=True,  # an invalid byte fails the fast path
            ),
        )
    except pa.ArrowInvalid:
        return None
    if invalid or physical_lines != data_table.num_rows + 1:
        return None  # ragged rows, or a cell spanning lines: only the careful path knows where
    lines = np.arange(2, data_table.num_rows + 2, dtype=np.int64)
    return Table(resource, data_table, lines)


def _records(
    reader: Iterator[list[str]], resource: Resource, report: Report
) -> Iterator[list[str]]:
    """The reader's records, until one cannot be parsed (reported as a ragged row: the rest of
    the file cannot be split into rows reliably)."""
    line = getattr(reader, "line_num", 0)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.error(
                "ragged-row",
                f"cannot split the file into rows from here on: {exc}",
                path=resource.path,
                line=line + 1,
            )
            return
        line = getattr(reader, "line_num", line)
        yield record


def _read_careful(resource: Resource, data: bytes, report: Report, nulls: list[str]) -> Table:
    """Python csv reader: exact line numbers for blank and ragged rows and multi-line cells."""
    names = resource.field_names
    width = len(names)
    text = data.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    columns: list[list[str | None]] = [[] for _ in names]
    missing = set(nulls)
    lines: list[int] = []
    start = reader.line_num + 1
    for record in _records(reader, resource, report):
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
                column.append(None if cell in missing else cell)
        start = reader.line_num + 1
    arrays = [pa.array(column, type=pa.string()) for column in columns]
    return Table(resource, pa.table(arrays, names=names), np.array(lines, dtype=np.int64))


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


def text_rows(table: Table) -> list[list[str]]:
    """A table's cells as rows of text, an empty (null) cell as ''."""
    columns = [
        ["" if v is None else v for v in table.column(n).to_pylist()]
        for n in table.resource.field_names
    ]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def write_atomically(path: Path, data: bytes) -> None:
    """Replace path with data, or leave it untouched: a temporary file in the same directory,
    flushed to disk, then renamed over the old one (keeping its permissions)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
