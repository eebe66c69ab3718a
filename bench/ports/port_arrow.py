"""The rules of bench/ports/spec.py in pyarrow: pyarrow.csv reads, pyarrow.compute checks.

    python bench/ports/port_arrow.py PACKAGE_DIR ARCHIVE_DIR

A baseline for `gongbao validate`, not a validator: it counts problems per rule (see spec.py)
and prints them as one JSON line. Every table is read as text, then cast, so that a bad cell
is a counted type problem, never a crash or a silent null.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec  # noqa: E402


def read(table: spec.Table) -> pa.Table:
    """The table as text: every column a string, a missing value null."""
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in spec.header(table.path)},
        null_values=list(table.missing_values),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    return pcsv.read_csv(table.path, convert_options=convert)


def count(mask: pa.Array | pa.ChunkedArray) -> int:
    """True cells of a mask (a null is not a problem: the rule did not judge that cell)."""
    return int(pc.sum(pc.fill_null(mask, False)).as_py() or 0)


def typed(raw: pa.Array, field: spec.Field) -> pa.Array:
    """The field's typed column: null where the cell is missing or not of the type."""
    if field.type == "string":
        return raw
    ok = pc.match_substring_regex(raw, spec.anchored(spec.GRAMMAR[field.type]))
    good = pc.if_else(ok, raw, pa.scalar(None, pa.string()))
    if field.type in ("integer", "year"):  # arrow's integer parser refuses a leading '+'
        return pc.cast(pc.replace_substring_regex(good, r"^\+", ""), pa.int64())
    if field.type == "number":
        return pc.cast(good, pa.float64())
    stamp = pc.strptime(good, format="%Y-%m-%d", unit="s", error_is_null=True)
    real = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), good)  # strptime takes 02-30
    return pc.if_else(real, pc.cast(stamp, pa.date32()), pa.scalar(None, pa.date32()))


def fold(text: pa.Array) -> pa.Array:
    """Runs of whitespace folded to one space, the ends trimmed."""
    return pc.utf8_trim(pc.replace_substring_regex(text, spec.FOLD, " "), characters=" ")


def distinct_pairs(a: pa.Array, b: pa.Array) -> pa.Table:
    """The distinct (a, b) pairs where both are set, with how many rows have each (n)."""
    both = pc.and_(pc.is_valid(a), pc.is_valid(b))
    pairs = pa.table({"a": a, "b": b}).filter(both)
    return pairs.group_by(["a", "b"]).aggregate([([], "count_all")]).rename_columns(["a", "b", "n"])


def key_rows(columns: dict[str, pa.Array]) -> pa.Table:
    """The rows of these key columns where every cell is set."""
    rows = pa.table(columns)
    if not any(c.null_count for c in rows.columns):
        return rows  # no copy
    valid = [pc.is_valid(c) for c in rows.columns]
    mask = valid[0]
    for other in valid[1:]:
        mask = pc.and_(mask, other)
    return rows.filter(mask)


def field_rules(field: spec.Field, cells: pa.ChunkedArray) -> tuple[pa.ChunkedArray, Counter]:
    """One column: its typed cells, and its problems under the cell rules."""
    value = typed(cells, field)
    found: Counter[str] = Counter()
    if field.type != "string":
        found["type"] += count(pc.and_(pc.is_valid(cells), pc.is_null(value)))
    else:
        parts = [pc.match_substring_regex(cells, part) for part in spec.HYGIENE_PARTS]
        found["hygiene"] += count(pc.or_(pc.or_(parts[0], parts[1]), parts[2]))
    if field.required:
        found["required"] += cells.null_count
    if field.enum is not None:
        outside = pc.invert(pc.is_in(value, value_set=pa.array(field.enum)))
        found["enum"] += count(pc.and_(pc.is_valid(value), outside))
    if field.pattern is not None:
        full = pc.match_substring_regex(cells, spec.anchored(field.pattern))
        found["pattern"] += count(pc.invert(full))
    if field.minimum is not None:
        found["minimum"] += count(pc.less(value, pa.scalar(field.minimum, value.type)))
    if field.max_length is not None:
        found["maxLength"] += count(pc.greater(pc.utf8_length(cells), field.max_length))
    return value, found


def cell_rules(table: spec.Table, raw: pa.Table) -> tuple[dict[str, pa.ChunkedArray], dict]:
    """The typed columns and the cell rules' problems, a column per thread: each pyarrow
    kernel runs on one core, and releases the GIL."""
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        done = list(pool.map(lambda f: field_rules(f, raw[f.name]), table.fields))
    typ = {f.name: value for f, (value, _) in zip(table.fields, done, strict=True)}
    return typ, dict(sum((found for _, found in done), Counter()))


def key_rules(
    table: spec.Table, raw: pa.Table, typ: dict[str, pa.Array], refs: dict[str, pa.Table]
) -> dict[str, int]:
    """Duplicate primary keys (of the typed cells), foreign keys not found (as text)."""
    found = {"primary-key": 0, "foreign-key": 0}
    if table.primary_key:
        keys = key_rows({name: typ[name] for name in table.primary_key})
        groups = keys.group_by(list(table.primary_key)).aggregate([])  # the distinct keys
        found["primary-key"] = keys.num_rows - groups.num_rows
    for fk in table.foreign_keys:
        names = list(fk.fields)
        target = refs[fk.resource]
        parent = key_rows({n: target[r] for n, r in zip(names, fk.reference, strict=True)})
        parent = parent.group_by(names).aggregate([])
        child = key_rows({n: raw[n] for n in names})
        found["foreign-key"] += child.join(parent, keys=names, join_type="left anti").num_rows
    return found


def table_rules(raw: pa.Table, typ: dict[str, pa.Array], metrics: pa.Table) -> dict[str, int]:
    """The big table's own rules: value ranges per unit, the metric's unit, the id's year."""
    found = {}
    value, unit = typ[spec.VALUE], raw[spec.UNIT]
    for rule, (name, low, high) in spec.RANGES.items():
        outside = pc.or_(pc.less(value, low), pc.greater(value, high))
        found[rule] = count(pc.and_(pc.equal(unit, name), outside))
    # metric-unit: rows whose metric has a unit in metrics, and whose unit is not it
    units = key_rows({"metric": metrics[spec.METRIC], "unit": metrics[spec.UNIT]})
    units = units.group_by(["metric", "unit"]).aggregate([])
    rows = key_rows({"metric": raw[spec.METRIC], "unit": unit})
    judged = rows.join(units.select(["metric"]), keys="metric", join_type="left semi")
    other = judged.join(units, keys=["metric", "unit"], join_type="left anti")
    found["metric-unit"] = other.num_rows
    year = pc.struct_field(pc.extract_regex(raw[spec.ID], spec.ID_YEAR), "year")
    found["id-year"] = count(pc.not_equal(pc.cast(year, pa.int64()), typ[spec.YEAR]))
    return found


def number_in_quote(typ: dict[str, pa.Array], raw: pa.Table) -> int:
    """Rows whose value is not a number token of their evidence, judged per distinct pair."""
    pairs = distinct_pairs(pc.abs(typ[spec.VALUE]), raw[spec.EVIDENCE])
    values, quotes = pairs["a"].combine_chunks(), pairs["b"].combine_chunks()
    # Every token followed by a space, every other character a space: then split.
    spaced = pc.replace_substring_regex(quotes, f"({spec.NUMBER_TOKEN})|(?s:.)", r"\1 ")
    tokens = pc.ascii_split_whitespace(spaced)
    flat, parent = pc.list_flatten(tokens), pc.list_parent_indices(tokens)
    present = pc.not_equal(flat, "")
    flat, parent = flat.filter(present), parent.filter(present)
    hit = pc.equal(pc.cast(flat, pa.float64()), pc.take(values, parent))
    found = np.zeros(pairs.num_rows, dtype=bool)
    found[parent.filter(hit).to_numpy()] = True
    return int(pairs["n"].to_numpy()[~found].sum())


def quote_in_source(raw: pa.Table, sources: pa.Table, archive: Path) -> int:
    """Rows whose folded evidence is not in their source's folded capture."""
    listed = key_rows({"s": sources[spec.SOURCE], "a": sources[spec.ARCHIVE]}).to_pylist()
    texts = spec.captures(archive, [(r["s"], r["a"]) for r in listed])
    if not texts:
        return 0
    folded = dict(zip(texts, fold(pa.array(list(texts.values()))).to_pylist(), strict=True))
    source = raw[spec.SOURCE]
    captured = pc.if_else(pc.is_in(source, value_set=pa.array(list(texts))), source, None)
    pairs = distinct_pairs(captured, raw[spec.EVIDENCE])
    quotes = fold(pairs["b"]).to_pylist()
    return sum(
        n
        for s, q, n in zip(pairs["a"].to_pylist(), quotes, pairs["n"].to_pylist(), strict=True)
        if not spec.quote_found(q, folded[s])
    )


def main(argv: list[str] | None = None) -> int:
    archive, tables, big = spec.inputs(argv)
    raw, refs = spec.read_with_references(tables, big, read)
    typ, problems = cell_rules(big, raw)
    problems |= key_rules(big, raw, typ, refs)
    problems |= table_rules(raw, typ, refs[spec.METRICS])
    problems["number-in-quote"] = number_in_quote(typ, raw)
    problems["quote-in-source"] = quote_in_source(raw, refs[spec.SOURCES], archive)
    spec.emit("arrow", raw.num_rows, problems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
