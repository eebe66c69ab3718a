"""The rules of bench/ports/spec.py in duckdb: SQL over read_csv(all_varchar = true).

    python bench/ports/port_duckdb.py PACKAGE_DIR ARCHIVE_DIR

A baseline for `gongbao validate`, not a validator: it counts problems per rule (see spec.py)
and prints them as one JSON line. Every table is read as text, then cast with TRY_CAST behind
the type's grammar, so that a bad cell is a counted type problem, never a crash or a silent
null. The cell rules are one aggregate query, one scan of the table.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spec  # noqa: E402

TYPED = "typed:"  # prefix of a typed column beside its text
CAST = {"integer": "BIGINT", "year": "BIGINT", "number": "DOUBLE", "date": "DATE"}


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal of a constraint's value (text, number or date)."""
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def read(table: spec.Table) -> str:
    """read_csv of the table as text: every column a string, a missing value null."""
    nulls = ", ".join(literal(v) for v in table.missing_values)
    return (
        f"read_csv({literal(str(table.path))}, all_varchar = true, header = true, "
        f"delim = ',', quote = '\"', escape = '\"', nullstr = [{nulls}])"
    )


def typed(field: spec.Field) -> str:
    """The field's typed cell: null where it is missing or not of the type."""
    cell = ident(field.name)
    if field.type == "string":
        return cell
    grammar = literal(spec.anchored(spec.GRAMMAR[field.type]))
    cast = f"TRY_CAST({cell} AS {CAST[field.type]})"
    return f"CASE WHEN regexp_matches({cell}, {grammar}) THEN {cast} END"


def value(field: spec.Field) -> str:
    return ident(field.name if field.type == "string" else TYPED + field.name)


def fold(text: str) -> str:
    """Runs of whitespace folded to one space, the ends trimmed."""
    return f"trim(regexp_replace({text}, {literal(spec.FOLD)}, ' ', 'g'), ' ')"


def set_cells(names: list[str], alias: str = "") -> str:
    return " AND ".join(f"{alias}{n} IS NOT NULL" for n in names)


def sums(con: duckdb.DuckDBPyConnection, checks: list[tuple[str, str]]) -> dict[str, int]:
    """count_if of each (rule, condition) in one scan of big, added up per rule."""
    columns = ", ".join(f"count_if({condition})" for _, condition in checks)
    row = con.execute(f"SELECT {columns} FROM big").fetchone()
    assert row is not None
    found: dict[str, int] = {}
    for (rule, _), n in zip(checks, row, strict=True):
        found[rule] = found.get(rule, 0) + n
    return found


def cell_checks(table: spec.Table) -> list[tuple[str, str]]:
    """(rule, condition) of the cell rules of every column."""
    checks = []
    for field in table.fields:
        cell, parsed = ident(field.name), value(field)
        if field.type != "string":
            checks.append(("type", f"{cell} IS NOT NULL AND {parsed} IS NULL"))
        else:
            checks.append(("hygiene", f"regexp_matches({cell}, {literal(spec.HYGIENE)})"))
        if field.required:
            checks.append(("required", f"{cell} IS NULL"))
        if field.enum is not None:
            checks.append(("enum", f"{parsed} NOT IN ({', '.join(map(literal, field.enum))})"))
        if field.pattern is not None:
            pattern = literal(spec.anchored(field.pattern))
            checks.append(("pattern", f"NOT regexp_matches({cell}, {pattern})"))
        if field.minimum is not None:
            checks.append(("minimum", f"{parsed} < {literal(field.minimum)}"))
        if field.max_length is not None:
            checks.append(("maxLength", f"length({cell}) > {field.max_length}"))
    return checks


def table_checks(table: spec.Table) -> list[tuple[str, str]]:
    """(rule, condition) of the big table's own row rules: value ranges per unit, the id's
    year (metric-unit needs the metrics table: metric_unit)."""
    number, unit = value(table.field(spec.VALUE)), ident(spec.UNIT)
    checks = [
        (rule, f"{unit} = {literal(name)} AND ({number} < {low} OR {number} > {high})")
        for rule, (name, low, high) in spec.RANGES.items()
    ]
    year = f"TRY_CAST(regexp_extract({ident(spec.ID)}, {literal(spec.ID_YEAR)}, 1) AS BIGINT)"
    checks.append(("id-year", f"{year} <> {value(table.field(spec.YEAR))}"))
    return checks


def one(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0] or 0) if row else 0


def key_rules(con: duckdb.DuckDBPyConnection, table: spec.Table) -> dict[str, int]:
    """Duplicate primary keys (of the typed cells), foreign keys not found (as text)."""
    found = {"primary-key": 0, "foreign-key": 0}
    if table.primary_key:
        keys = [value(table.field(n)) for n in table.primary_key]
        found["primary-key"] = one(
            con,
            f"SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM big WHERE {set_cells(keys)} "
            f"GROUP BY {', '.join(keys)})",
        )
    for fk in table.foreign_keys:
        names = [ident(n) for n in fk.fields]
        match = " AND ".join(
            f"p.{ident(r)} = c.{n}" for n, r in zip(names, fk.reference, strict=True)
        )
        found["foreign-key"] += one(
            con,
            f"SELECT count(*) FROM big AS c WHERE {set_cells(names, 'c.')} AND NOT EXISTS "
            f"(SELECT 1 FROM {ident('ref:' + fk.resource)} AS p WHERE {match})",
        )
    return found


def metric_unit(con: duckdb.DuckDBPyConnection) -> int:
    """Rows whose metric has a unit in metrics, and whose unit is not it."""
    metric, unit, metrics = ident(spec.METRIC), ident(spec.UNIT), ident("ref:" + spec.METRICS)
    return one(
        con,
        f"SELECT count(*) FROM big AS b WHERE b.{metric} IS NOT NULL AND b.{unit} IS NOT NULL "
        f"AND EXISTS (SELECT 1 FROM {metrics} AS m WHERE m.{metric} = b.{metric} "
        f"AND m.{unit} IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM {metrics} AS m "
        f"WHERE m.{metric} = b.{metric} AND m.{unit} = b.{unit})",
    )


def number_in_quote(con: duckdb.DuckDBPyConnection, table: spec.Table) -> int:
    """Rows whose value is not a number token of their evidence, judged per distinct pair."""
    number, evidence = value(table.field(spec.VALUE)), ident(spec.EVIDENCE)
    tokens = f"CAST(regexp_extract_all(b, {literal(spec.NUMBER_TOKEN)}) AS DOUBLE[])"
    return one(
        con,
        f"SELECT sum(n) FROM (SELECT abs({number}) AS a, {evidence} AS b, count(*) AS n "
        f"FROM big WHERE {number} IS NOT NULL AND {evidence} IS NOT NULL GROUP BY a, b) "
        f"WHERE NOT list_contains({tokens}, a)",
    )


def quote_in_source(con: duckdb.DuckDBPyConnection, archive: Path) -> int:
    """Rows whose folded evidence is not in their source's folded capture."""
    source, name = ident(spec.SOURCE), ident(spec.ARCHIVE)
    listed = con.execute(
        f"SELECT {source}, {name} FROM {ident('ref:' + spec.SOURCES)} "
        f"WHERE {source} IS NOT NULL AND {name} IS NOT NULL"
    ).fetchall()
    texts = spec.captures(archive, listed)
    if not texts:
        return 0
    con.execute("CREATE TEMP TABLE captures (s VARCHAR, t VARCHAR)")
    con.executemany("INSERT INTO captures VALUES (?, ?)", list(texts.items()))
    folded = dict(con.execute(f"SELECT s, {fold('t')} FROM captures").fetchall())
    evidence = ident(spec.EVIDENCE)
    pairs = con.execute(
        f"SELECT s, {fold('b')}, n FROM (SELECT {source} AS s, {evidence} AS b, count(*) AS n "
        f"FROM big WHERE {evidence} IS NOT NULL AND {source} IN (SELECT s FROM captures) "
        "GROUP BY ALL)"
    ).fetchall()
    return sum(n for s, q, n in pairs if not spec.quote_found(q, folded[s]))


def main(argv: list[str] | None = None) -> int:
    archive, tables, big = spec.inputs(argv)
    con = duckdb.connect()
    columns = "".join(f", {typed(f)} AS {ident(TYPED + f.name)}" for f in big.typed)
    con.execute(f"CREATE TABLE big AS SELECT *{columns} FROM {read(big)}")
    for name in spec.referenced(big):
        source = "big" if name == big.name else read(tables[name])
        con.execute(f"CREATE TABLE {ident('ref:' + name)} AS SELECT * FROM {source}")
    problems = sums(con, cell_checks(big) + table_checks(big))
    problems |= key_rules(con, big)
    problems["metric-unit"] = metric_unit(con)
    problems["number-in-quote"] = number_in_quote(con, big)
    problems["quote-in-source"] = quote_in_source(con, archive)
    spec.emit("duckdb", one(con, "SELECT count(*) FROM big"), problems)
    return 0


if __name__ == "__main__":
    sys.exit(main())
