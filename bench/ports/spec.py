"""What the engine ports of `gongbao validate` share, engine-free: the rules as data.

The ports (port_arrow.py, port_polars.py, port_duckdb.py) are independent baselines for
``nox -s bench``: each validates the big table of a package with the same rule set in its own
engine. So that they check the same thing, everything a rule needs is derived here from the
package's Table Schemas (fields, types, constraints, keys) rather than written into each port,
and the regular expressions are written once, in the syntax RE2 (pyarrow, duckdb) and Rust's
regex (polars) both read, with the same meaning in both: explicit character classes, no ``\\s``,
``\\d`` or ``\\w`` (whose meaning differs between them), and ``$`` only at the end of the text.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

BIG = "indicators"  # the table the ports validate; its foreign keys name the others read

# Every rule key of the output, in order: a port reports each, 0 when it found none.
RULES = (
    "type",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maxLength",
    "primary-key",
    "foreign-key",
    "hygiene",
    "percent-range",
    "day-range",
    "metric-unit",
    "id-year",
    "number-in-quote",
    "quote-in-source",
)

# The value grammars a present cell must match in full. integer and year: an optional sign
# and ASCII digits, at most 18 significant ones so that every engine's int64 holds them (a
# longer one is a type error everywhere, never an overflow in one engine only).
GRAMMAR = {
    "integer": r"[+-]?0*[0-9]{1,18}",
    "year": r"[+-]?0*[0-9]{1,18}",
    "number": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",  # and a real calendar date (each engine's parser)
}
TYPES = ("string", *GRAMMAR)


def anchored(pattern: str) -> str:
    """A full match of pattern as a search pattern, the same in RE2 and Rust regex."""
    return f"^(?:{pattern})$"


def char_class(chars: str) -> str:
    """A regex class of exactly these characters, as \\x{...} escapes (RE2 and Rust)."""
    codes = sorted({ord(c) for c in chars})
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = (f"\\x{{{a:04X}}}" if a == b else f"\\x{{{a:04X}}}-\\x{{{b:04X}}}" for a, b in ranges)
    return "[" + "".join(parts) + "]"


# Whitespace is what Python's str.isspace() (and re's \s, which gongbao folds with) calls
# whitespace: the engines' own \s disagree with it and with each other (RE2's is ASCII only).
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
WS = char_class(WHITESPACE)
# Hygiene: leading or trailing whitespace, or anywhere a line break or a control character
# (C0 other than tab, LF and CR, DEL, C1). HYGIENE is the one pattern; pyarrow's RE2 search
# runs it four times slower than its three parts one after the other, so port_arrow uses those.
CONTROL = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t")
HYGIENE_PARTS = (f"^{WS}", f"{WS}$", char_class("\u2028\u2029" + CONTROL))
HYGIENE = "|".join(HYGIENE_PARTS)
FOLD = f"{WS}+"  # a run of whitespace, folded to one space (and the ends trimmed)
NUMBER_TOKEN = r"[0-9]+(?:\.[0-9]+)?"  # a number as a quote writes it (unsigned)
ID_YEAR = r"-(?P<year>[0-9]{4})-"  # the year in an indicator_id: its first -YYYY-
SEGMENT = "[…]"  # joins verbatim segments of one paragraph in a quote

# The big table's own rules: fields they read, and the value ranges per unit.
ID, YEAR, VALUE, UNIT, METRIC = "indicator_id", "year", "value", "unit", "metric"
SOURCE, EVIDENCE, ARCHIVE = "source_id", "evidence", "archive"
RANGES = {"percent-range": ("percent", 0, 100), "day-range": ("day", 0, 366)}
METRICS, SOURCES = "metrics", "sources"  # the tables metric-unit and the provenance rules read


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    enum: tuple[Any, ...] | None = None  # values of the field's type
    pattern: str | None = None
    minimum: Any = None  # a value of the field's type
    max_length: int | None = None


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the referenced table
    reference: tuple[str, ...]  # its key columns


@dataclass(frozen=True)
class Table:
    name: str
    path: Path
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def strings(self) -> list[Field]:
        return [f for f in self.fields if f.type == "string"]

    @property
    def typed(self) -> list[Field]:
        return [f for f in self.fields if f.type != "string"]


def value_of(text: Any, type_: str) -> Any:
    """A constraint's value (as JSON gives it) as a Python value of the field's type."""
    if type_ in ("integer", "year"):
        return int(text)
    if type_ == "number":
        return float(text)
    if type_ == "date":
        return dt.date.fromisoformat(str(text))
    return str(text)


def _field(spec: dict[str, Any]) -> Field:
    type_ = spec.get("type", "string")
    c = spec.get("constraints", {})
    enum = c.get("enum")
    return Field(
        name=spec["name"],
        type=type_,
        required=bool(c.get("required", False)),
        enum=None if enum is None else tuple(value_of(v, type_) for v in enum),
        pattern=c.get("pattern"),
        minimum=None if c.get("minimum") is None else value_of(c["minimum"], type_),
        max_length=c.get("maxLength"),
    )


def _listed(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def load(package: Path) -> dict[str, Table]:
    """Every table of the package, from datapackage.json and the schemas it names."""
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in descriptor["resources"]:
        schema = resource.get("schema")
        if schema is None:
            continue
        if isinstance(schema, str):
            schema = json.loads((package / schema).read_text(encoding="utf-8"))
        name = resource["name"]
        keys = tuple(
            ForeignKey(
                _listed(fk["fields"]),
                fk["reference"].get("resource") or name,  # "" refers to the table itself
                _listed(fk["reference"]["fields"]),
            )
            for fk in schema.get("foreignKeys", [])
        )
        tables[name] = Table(
            name=name,
            path=package / resource["path"],
            fields=tuple(_field(f) for f in schema["fields"]),
            primary_key=_listed(schema.get("primaryKey", [])),
            foreign_keys=keys,
            missing_values=tuple(schema.get("missingValues", [""])),
        )
    return tables


def big_table(tables: dict[str, Table]) -> Table:
    """The table the ports validate, refused (not half-checked) if a field's type is one they
    have no grammar for."""
    table = tables[BIG]
    for field in table.fields:
        if field.type not in TYPES:
            raise ValueError(f"{BIG}.{field.name}: type {field.type!r} is not one the ports check")
    return table


def header(path: Path) -> list[str]:
    """The column names on a CSV file's first line (the readers that need them up front)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def captures(archive: Path, sources: list[tuple[str, str]]) -> dict[str, str]:
    """{source_id: text of its capture} for each (source_id, archive file name) whose file is
    in the archive; a source whose capture is absent is skipped, not judged."""
    texts = {}
    for source_id, name in sources:
        path = archive / name
        if name and path.is_file():
            texts[source_id] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def quote_found(quote: str, text: str) -> bool:
    """The folded quote is in the folded text: each of its […] segments, in order."""
    position = 0
    for part in quote.split(SEGMENT):
        found = text.find(part.strip(" "), position)
        if found < 0:
            return False
        position = found + len(part.strip(" "))
    return True


def arguments(argv: list[str] | None = None) -> tuple[Path, Path]:
    """PACKAGE_DIR and ARCHIVE_DIR from the command line; a usage error exits 2."""
    parser = argparse.ArgumentParser(description="Validate a gongbao package's big table.")
    parser.add_argument("package", type=Path, help="the data package directory")
    parser.add_argument("archive", type=Path, help="the source archive directory")
    args = parser.parse_args(argv)
    if not (args.package / "datapackage.json").is_file():
        parser.error(f"no datapackage.json in {args.package}")
    if not args.archive.is_dir():
        parser.error(f"archive not found: {args.archive}")
    return args.package, args.archive


def emit(engine: str, rows: int, problems: dict[str, int]) -> None:
    """Print the port's one JSON line: every rule key, 0 where nothing was found."""
    unknown = set(problems) - set(RULES)
    if unknown:
        raise ValueError(f"not rules: {sorted(unknown)}")
    counts = {rule: int(problems.get(rule, 0)) for rule in RULES}
    sys.stdout.write(json.dumps({"engine": engine, "rows": int(rows), "problems": counts}) + "\n")


def inputs(argv: list[str] | None = None) -> tuple[Path, dict[str, Table], Table]:
    """The command line read: (archive, the package's tables, the big table)."""
    package, archive = arguments(argv)
    tables = load(package)
    return archive, tables, big_table(tables)


def referenced(big: Table) -> set[str]:
    """The tables the big table's rules read: its foreign keys' tables, metrics, sources."""
    return {fk.resource for fk in big.foreign_keys} | {METRICS, SOURCES}


def read_with_references(
    tables: dict[str, Table], big: Table, read: Callable[[Table], T]
) -> tuple[T, dict[str, T]]:
    """The big table and the tables it references, each read by an engine's read()."""
    raw = read(big)
    return raw, {n: raw if n == big.name else read(tables[n]) for n in referenced(big)}
