"""The rules of bench/ports/spec.py in polars: expressions, group_by and joins.

    python bench/ports/port_polars.py PACKAGE_DIR ARCHIVE_DIR

A baseline for `gongbao validate`, not a validator: it counts problems per rule (see spec.py)
and prints them as one JSON line. Every table is read as text (infer_schema=False), then
cast, so that a bad cell is a counted type problem, never a crash or a silent null. The cell
rules are one select, which polars runs over the columns in parallel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec  # noqa: E402

TYPED = "typed:"  # prefix of a typed column beside its text


def read(table: spec.Table) -> pl.DataFrame:
    """The table as text: every column a string, a missing value null."""
    return pl.read_csv(table.path, infer_schema=False, null_values=list(table.missing_values))


def typed(field: spec.Field) -> pl.Expr:
    """The field's typed column: null where the cell is missing or not of the type."""
    raw = pl.col(field.name)
    if field.type == "string":
        return raw
    good = pl.when(raw.str.contains(spec.anchored(spec.GRAMMAR[field.type]))).then(raw)
    if field.type in ("integer", "year"):
        return good.cast(pl.Int64, strict=False)
    if field.type == "number":
        return good.cast(pl.Float64, strict=False)
    return good.str.to_date("%Y-%m-%d", strict=False)


def value(field: spec.Field) -> pl.Expr:
    return pl.col(field.name if field.type == "string" else TYPED + field.name)


def fold(text: pl.Expr) -> pl.Expr:
    """Runs of whitespace folded to one space, the ends trimmed."""
    return text.str.replace_all(spec.FOLD, " ").str.strip_chars(" ")


def set_rows(frame: pl.DataFrame, columns: dict[str, pl.Expr]) -> pl.DataFrame:
    """These columns, named, in the rows where every one is set."""
    return frame.select(**columns).drop_nulls()


def cell_checks(table: spec.Table) -> list[tuple[str, pl.Expr]]:
    """(rule, condition) of the cell rules of every column."""
    checks: list[tuple[str, pl.Expr]] = []
    for field in table.fields:
        cells, parsed = pl.col(field.name), value(field)
        if field.type != "string":
            checks.append(("type", cells.is_not_null() & parsed.is_null()))
        else:
            checks.append(("hygiene", cells.str.contains(spec.HYGIENE)))
        if field.required:
            checks.append(("required", cells.is_null()))
        if field.enum is not None:
            checks.append(("enum", ~parsed.is_in(list(field.enum))))
        if field.pattern is not None:
            checks.append(("pattern", ~cells.str.contains(spec.anchored(field.pattern))))
        if field.minimum is not None:
            checks.append(("minimum", parsed < field.minimum))
        if field.max_length is not None:
            checks.append(("maxLength", cells.str.len_chars() > field.max_length))
    return checks


def row_checks(table: spec.Table) -> list[tuple[str, pl.Expr]]:
    """(rule, condition) of the big table's own row rules: value ranges per unit, the id's
    year (metric-unit needs the metrics table: metric_unit)."""
    number, unit = value(table.field(spec.VALUE)), pl.col(spec.UNIT)
    checks = [
        (rule, (unit == name) & ((number < low) | (number > high)))
        for rule, (name, low, high) in spec.RANGES.items()
    ]
    year = pl.col(spec.ID).str.extract(spec.ID_YEAR, 1).cast(pl.Int64)
    return [*checks, ("id-year", year != value(table.field(spec.YEAR)))]


def sums(frame: pl.DataFrame, checks: list[tuple[str, pl.Expr]]) -> dict[str, int]:
    """The true cells of each (rule, condition), added up per rule: one select, which polars
    runs as one pass, the conditions in parallel (a null is not judged, so not counted)."""
    row = frame.select(check.sum().alias(str(i)) for i, (_, check) in enumerate(checks)).row(0)
    found: dict[str, int] = {}
    for (rule, _), n in zip(checks, row, strict=True):
        found[rule] = found.get(rule, 0) + n
    return found


def key_rules(table: spec.Table, frame: pl.DataFrame, refs: dict[str, pl.DataFrame]) -> dict:
    """Duplicate primary keys (of the typed cells), foreign keys not found (as text)."""
    found = {"primary-key": 0, "foreign-key": 0}
    if table.primary_key:
        key = {name: value(table.field(name)) for name in table.primary_key}
        keys = set_rows(frame, key)
        found["primary-key"] = keys.height - keys.group_by(list(key)).len().height
    for fk in table.foreign_keys:
        names = list(fk.fields)
        columns = {n: pl.col(r) for n, r in zip(names, fk.reference, strict=True)}
        parent = set_rows(refs[fk.resource], columns).unique()
        child = set_rows(frame, {n: pl.col(n) for n in names})
        found["foreign-key"] += child.join(parent, on=names, how="anti").height
    return found


def metric_unit(frame: pl.DataFrame, metrics: pl.DataFrame) -> int:
    """Rows whose metric has a unit in metrics, and whose unit is not it."""
    pair = {"metric": pl.col(spec.METRIC), "unit": pl.col(spec.UNIT)}
    units = set_rows(metrics, pair).unique()
    judged = set_rows(frame, pair).join(units.select("metric"), on="metric", how="semi")
    return judged.join(units, on=["metric", "unit"], how="anti").height


def number_in_quote(table: spec.Table, frame: pl.DataFrame) -> int:
    """Rows whose value is not a number token of their evidence, judged per distinct pair."""
    pairs = set_rows(frame, {"a": value(table.field(spec.VALUE)).abs(), "b": pl.col(spec.EVIDENCE)})
    tokens = pl.col("b").str.extract_all(spec.NUMBER_TOKEN).list.eval(pl.element().cast(pl.Float64))
    hit = tokens.list.contains(pl.col("a")).fill_null(False)
    return int(pairs.group_by("a", "b").len().filter(~hit)["len"].sum())


def quote_in_source(frame: pl.DataFrame, sources: pl.DataFrame, archive: Path) -> int:
    """Rows whose folded evidence is not in their source's folded capture."""
    listed = set_rows(sources, {"s": pl.col(spec.SOURCE), "a": pl.col(spec.ARCHIVE)}).rows()
    texts = spec.captures(archive, listed)
    if not texts:
        return 0
    folded = pl.DataFrame({"s": list(texts), "t": list(texts.values())})
    folded = dict(folded.select("s", fold(pl.col("t"))).rows())
    pairs = set_rows(frame, {"s": pl.col(spec.SOURCE), "b": pl.col(spec.EVIDENCE)})
    pairs = pairs.filter(pl.col("s").is_in(list(texts))).group_by("s", "b").len()
    return sum(
        n
        for s, q, n in pairs.select("s", fold(pl.col("b")), "len").rows()
        if not spec.quote_found(q, folded[s])
    )


def main(argv: list[str] | None = None) -> int:
    archive, tables, big = spec.inputs(argv)
    raw, refs = spec.read_with_references(tables, big, read)
    frame = raw.with_columns(typed(f).alias(TYPED + f.name) for f in big.typed)
    problems = sums(frame, cell_checks(big) + row_checks(big))
    problems |= key_rules(big, frame, refs)
    problems["metric-unit"] = metric_unit(frame, refs[spec.METRICS])
    problems["number-in-quote"] = number_in_quote(big, frame)
    problems["quote-in-source"] = quote_in_source(frame, refs[spec.SOURCES], archive)
    spec.emit("polars", raw.height, problems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
