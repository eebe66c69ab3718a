"""Schema and keys (rule family 2), compiled from the Table Schemas into column operations.

The same rules frictionless applies row by row (types, formats, required, enum, pattern,
lengths, ranges, unique, primary and foreign keys), run as vectorised pyarrow kernels over
whole columns, so a million rows take a fraction of a second. ``tests/test_schema_parity.py``
checks that both engines flag the same cells.

Besides reporting, this step produces each table's *typed* columns (numbers as float64,
integers and years as int64, dates as date32; a cell that failed its type is null), which
the table rules in family 3 work on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..problems.catalogue import implements
from ..problems.report import Report, brief, shown
from ..tableschema.csvio import Table
from ..tableschema.package import Field, Resource


def _to_mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    mask: np.ndarray = pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool)
    return mask


def _flag(
    table: Table,
    report: Report,
    name: str,
    mask: np.ndarray,
    rule: str,
    describe: Callable[[str | None], str],
) -> None:
    rows = np.flatnonzero(mask & table.unreported(name))
    if not len(rows):
        return
    values = table.column(name).take(pa.array(rows)).to_pylist()
    for row, value in zip(rows, values, strict=True):
        report.error(rule, describe(value), path=table.path, line=int(table.lines[row]), field=name)
    table.mark(name, rows)


def _length_message(word: str, limit: int, value: str | None) -> str:
    return f"value of {len(value or '')} characters is {word} {limit}"


def _range_message(word: str, bound: object, value: str | None) -> str:
    return f"{brief(value)} is {word} {bound}"


def _reference_message(target: str, value: str | None) -> str:
    return f"{shown(value)} is not in {target}"


def _check_type(table: Table, field: Field, report: Report) -> pa.ChunkedArray:
    """Report cells of the wrong type; return the typed column (bad cells null)."""
    parsed = table.parse(field)
    if parsed.bad is not None:
        word = field.kind.describe(field)
        _flag(
            table,
            report,
            field.name,
            _to_mask(parsed.bad),
            "type",
            lambda v: f"{shown(v)} is not {word}",
        )
    return parsed.typed


def _check_constraints(
    table: Table, field: Field, typed: pa.ChunkedArray, report: Report, keys: bool = True
) -> None:
    name = field.name
    constraints = field.constraints
    column = table.column(name)
    present = pc.is_valid(column)
    if constraints.get("required"):
        # A required cell that held a wrong-typed value was already reported as 'type'.
        _flag(
            table, report, name, ~_to_mask(present), "required", lambda v: "required value is empty"
        )
    if "enum" in constraints:
        allowed = [str(v) for v in constraints["enum"]]
        bad = _to_mask(pc.and_(present, pc.invert(pc.is_in(column, value_set=pa.array(allowed)))))
        listing = ", ".join(allowed)
        _flag(table, report, name, bad, "enum", lambda v: f"{shown(v)} is not one of: {listing}")
    if "pattern" in constraints:
        pattern = constraints["pattern"]
        matches = table.elementwise(name, lambda v: pc.match_substring_regex(v, f"^(?:{pattern})$"))
        bad = _to_mask(pc.and_(present, pc.invert(matches)))
        _flag(
            table,
            report,
            name,
            bad,
            "pattern",
            lambda v: f"{shown(v)} does not match pattern {pattern}",
        )
    for key, op, word in (
        ("minLength", pc.less, "shorter than"),
        ("maxLength", pc.greater, "longer than"),
    ):
        if key in constraints:
            limit = constraints[key]
            lengths = pc.utf8_length(column)
            _flag(
                table,
                report,
                name,
                _to_mask(op(lengths, limit)),
                "length",
                partial(_length_message, word, limit),
            )
    for key, op, word in (
        ("minimum", pc.less, "below the minimum"),
        ("maximum", pc.greater, "above the maximum"),
    ):
        if key in constraints:
            bound = constraints[key]
            limit = (
                pa.scalar(bound, type=typed.type)
                if field.type != "date"
                else pc.cast(
                    pc.strptime(pa.scalar(bound), format="%Y-%m-%d", unit="s"), pa.date32()
                )
            )
            _flag(
                table,
                report,
                name,
                _to_mask(op(typed, limit)),
                "range",
                partial(_range_message, word, bound),
            )
    if field.unique and keys:
        _check_unique(table, [name], report, rule="unique")


def _key_codes(table: Table, names: list[str]) -> np.ndarray:
    """One int64 code per row for the values of names together (-1 where one is null): a
    group-by over the columns' dictionary codes, never keys joined into new strings (which
    cost a copy of every key and confuse ('a\x1fb', 'c') with ('a', 'b\x1fc'))."""
    combined: np.ndarray | None = None
    for name in names:
        encoded = table.encoded(name)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        if combined is None:
            combined = codes
            continue
        null = (combined < 0) | (codes < 0)
        # Both codes are below the row count, so the product fits in 64 bits.
        merged = combined * max(len(encoded.dictionary), 1) + codes
        combined = np.unique(merged, return_inverse=True)[1].reshape(-1).astype(np.int64)
        combined[null] = -1
    assert combined is not None, "a key has at least one field"
    return combined


def _strictly_increasing(values: pa.ChunkedArray) -> bool:
    """True when every value is greater than the one before: then no value repeats.

    Canonical files are sorted by primary key, so this one comparison pass usually decides
    uniqueness without hashing a million ids.
    """
    n = len(values)
    return n < 2 or bool(pc.all(pc.less(values.slice(0, n - 1), values.slice(1))).as_py())


def _all_distinct(table: Table, names: list[str]) -> bool:
    """The cheap answer first: one sorted pass, or one hash of a single column."""
    if len(names) > 1:
        return False
    values = table.column(names[0]).drop_null()
    return _strictly_increasing(values) or len(pc.unique(values)) == len(values)


@dataclass(frozen=True)
class Duplicates:
    """Rows whose key an earlier row has (in row order), and the line of that first row."""

    rows: np.ndarray
    first_lines: np.ndarray

    def within(self, start: int, count: int) -> Duplicates:
        """Those among rows start..start+count, numbered from start (a slice's rows)."""
        low, high = np.searchsorted(self.rows, [start, start + count])
        return Duplicates(self.rows[low:high] - start, self.first_lines[low:high])


def duplicates(table: Table, names: list[str]) -> Duplicates:
    """The rows of table repeating an earlier row's key (names' values together)."""
    none = np.zeros(0, dtype=np.int64)
    if _all_distinct(table, names):
        return Duplicates(none, none)
    codes = _key_codes(table, names)
    distinct, first_index = np.unique(codes, return_index=True)
    first_of = np.zeros(int(codes.max(initial=-1)) + 2, dtype=np.int64)  # codes may skip
    first_of[distinct + 1] = first_index  # shifted by one so that -1 (null) has a slot
    first = first_of[codes + 1]
    rows = np.flatnonzero((codes >= 0) & (first != np.arange(len(codes))))
    return Duplicates(rows, table.lines[first[rows]])


def report_duplicates(
    table: Table, names: list[str], report: Report, rule: str, found: Duplicates
) -> None:
    """Report found's rows (of table) whose first key cell no rule has reported yet."""
    keep = table.unreported(names[0])[found.rows]
    rows, first_lines = found.rows[keep], found.first_lines[keep]
    if len(rows) == 0:
        return
    label = ", ".join(names)
    cells = [table.column(name).take(pa.array(rows)).to_pylist() for name in names]
    for row, first_line, *values in zip(rows, first_lines, *cells, strict=True):
        written = brief(", ".join(str(value) for value in values))
        report.error(
            rule,
            f"({label}) = ({written}) already appears on line {first_line}",
            path=table.path,
            line=int(table.lines[row]),
            field=names[0],
        )
    table.mark(names[0], rows)


def _check_unique(table: Table, names: list[str], report: Report, rule: str) -> None:
    report_duplicates(table, names, report, rule, duplicates(table, names))


def _unmatched(table: Table, fields: list[str], parent: Table, ref_fields: list[str]) -> np.ndarray:
    """Mask of rows whose key (every cell set) is not among parent's keys: one column by a
    hash lookup, several by an anti-join on all of them."""
    if len(fields) == 1:
        child = table.column(fields[0])
        allowed = parent.column(ref_fields[0]).unique()
        return _to_mask(pc.and_(pc.is_valid(child), pc.invert(pc.is_in(child, value_set=allowed))))
    child = pa.table([table.column(f) for f in fields], names=fields)
    child = child.append_column("_row", pa.array(np.arange(len(table), dtype=np.int64)))
    keys = pa.table([parent.column(f) for f in ref_fields], names=fields).group_by(fields)
    missing = child.join(keys.aggregate([]), keys=fields, join_type="left anti")
    set_ = np.ones(len(table), dtype=bool)
    for field in fields:
        set_ &= _to_mask(pc.is_valid(table.column(field)))
    mask = np.zeros(len(table), dtype=bool)
    mask[missing.column("_row").to_numpy()] = True
    return mask & set_


@implements("foreign-key")
def check_foreign_keys(table: Table, tables: dict[str, Table], report: Report) -> None:
    for fk in table.resource.foreign_keys:
        fields, ref_fields = fk.fields, fk.reference_fields
        parent = tables.get(fk.resource)
        if parent is None:
            continue  # the referenced table is missing or unreadable: already reported
        bad = _unmatched(table, fields, parent, ref_fields)
        target = f"{parent.name}.{'+'.join(ref_fields)}"
        _flag(table, report, fields[0], bad, "foreign-key", partial(_reference_message, target))


@implements("type", "required", "enum", "pattern", "length", "range", "unique", "primary-key")
def check_schema(table: Table, report: Report, keys: bool = True) -> dict[str, pa.ChunkedArray]:
    """Family 2 on one table (without foreign keys); returns its typed columns.

    Without keys, what needs every row at once (the primary key, unique fields) is left to
    check_keys: a table read in slices has it checked once, over all of them."""
    typed: dict[str, pa.ChunkedArray] = {}
    for field in table.resource.fields:
        typed[field.name] = column = _check_type(table, field, report)
        _check_constraints(table, field, column, report, keys)
    if keys:
        check_keys(table, report, unique_fields=False)
    return typed


def check_keys(table: Table, report: Report, unique_fields: bool = True) -> None:
    """The primary key (and, with unique_fields, every unique field) of a whole table."""
    for names, rule in keys_of(table.resource) if unique_fields else []:
        if rule == "unique":
            _check_unique(table, names, report, rule)
    if table.resource.primary_key and not _pk_is_unique_field(table.resource):
        _check_unique(table, table.resource.primary_key, report, rule="primary-key")


def _pk_is_unique_field(resource: Resource) -> bool:
    """A one-field primary key whose field is also `unique`: checked as that field already
    (every repeat reported there), so hashing a million ids twice would find nothing new."""
    key = resource.primary_key
    return len(key) == 1 and any(f.name == key[0] and f.unique for f in resource.fields)


def keys_of(resource: Resource) -> list[tuple[list[str], str]]:
    """(fields, rule) of every key in the order family 2 checks them: each unique field,
    then the primary key."""
    keys = [([f.name], "unique") for f in resource.fields if f.unique]
    if resource.primary_key and not _pk_is_unique_field(resource):
        keys.append((resource.primary_key, "primary-key"))
    return keys
