"""``gongbao.sqlite`` and ``datasette.json``: the package as a database.

One table per resource with its primary key, foreign keys (and an index on each), NOT NULL
for required fields and the column types of the type registry (``field.kind.sqlite``), plus
``_tables`` and ``_columns`` tables documenting every table and column (SQLite has no column
comments), and views that keep an earlier model's queries working (``mechanisms``, read
from ``commitments``). ``datasette gongbao.sqlite -m datasette.json`` shows the same
descriptions, the license and the source.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..tableschema.package import Package, Resource
from ..tableschema.types import TYPES
from .common import (
    ReleaseError,
    constraint_text,
    first_license,
    package_description,
    project_url,
    read_cells,
    typed_rows,
    write,
)

DATABASE = "gongbao.sqlite"
METADATA = "datasette.json"
LABEL_COLUMNS = ("name_en", "title_en", "label_en", "title")  # what Datasette shows for a key

_META_TABLES = (
    """CREATE TABLE "_tables" (
  "table_name" TEXT NOT NULL PRIMARY KEY,
  "description" TEXT NOT NULL,
  "primary_key" TEXT NOT NULL,
  "foreign_keys" TEXT NOT NULL,
  "row_count" INTEGER NOT NULL,
  "source_file" TEXT NOT NULL
)""",
    """CREATE TABLE "_columns" (
  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),
  "column_name" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  "type" TEXT NOT NULL,
  "sqlite_type" TEXT NOT NULL,
  "required" INTEGER NOT NULL,
  "constraints" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  PRIMARY KEY ("table_name", "column_name")
)""",
)

META_DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "_tables": (
        "Every data table of the package: what it holds, its keys, its row count.",
        {
            "table_name": "Name of the table.",
            "description": "What the table holds (from its Table Schema).",
            "primary_key": "Columns of the primary key, comma-separated.",
            "foreign_keys": "Foreign keys: columns -> table(columns), semicolon-separated.",
            "row_count": "Number of rows.",
            "source_file": "The CSV of the data package the table was loaded from.",
        },
    ),
    "_columns": (
        "Every column of every data table: type, whether required, allowed values "
        "and description (SQLite has no column comments).",
        {
            "table_name": "Table of the column.",
            "column_name": "Name of the column.",
            "position": "1-based position of the column in its table.",
            "type": f"Table Schema type ({', '.join(TYPES)}).",
            "sqlite_type": "SQLite column type of each Table Schema type: "
            + ", ".join(f"{name} {kind.sqlite}" for name, kind in TYPES.items())
            + ".",
            "required": "1 when every row has a value.",
            "constraints": "Constraints and allowed values, in words.",
            "description": "What the column holds (from its Table Schema).",
        },
    ),
}


# Views that keep queries written against an earlier data model working: (the table they
# read, their description, their SELECT). Created only when the package has that table and
# no table of the view's name.
COMPATIBILITY_VIEWS: dict[str, tuple[str, str, str]] = {
    "mechanisms": (
        "commitments",
        "Mechanisms each instrument commits to, as in data model 1 (releases 0.x): the "
        "distinct (agreement_id, mechanism) of commitments that belong to an instrument.",
        'SELECT DISTINCT "agreement_id", "mechanism" FROM "commitments" '
        'WHERE "agreement_id" IS NOT NULL ORDER BY "agreement_id", "mechanism"',
    ),
}


def compatibility_views(package: Package) -> dict[str, tuple[str, str, str]]:
    return {
        name: view
        for name, view in COMPATIBILITY_VIEWS.items()
        if view[0] in package.resources and name not in package.resources
    }


def build(package: Package, directory: Path, when: dt.datetime) -> list[str]:
    write_database(package, directory / DATABASE)
    meta = datasette_metadata(package, Path(DATABASE).stem)
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    return [DATABASE, write(directory, METADATA, text.encode("utf-8"))]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns_sql(names: Iterable[str]) -> str:
    return ", ".join(_quote(n) for n in names)


def create_table_sql(resource: Resource) -> str:
    primary_key = resource.primary_key
    lines = []
    for field in resource.fields:
        column = f"{_quote(field.name)} {field.kind.sqlite}"
        if field.required or field.name in primary_key:
            column += " NOT NULL"
        if field.unique and primary_key != [field.name]:
            column += " UNIQUE"
        lines.append(column)
    if primary_key:
        lines.append(f"PRIMARY KEY ({_columns_sql(primary_key)})")
    for fk in resource.foreign_keys:
        lines.append(
            f"FOREIGN KEY ({_columns_sql(fk.fields)}) REFERENCES "
            f"{_quote(fk.resource)} ({_columns_sql(fk.reference_fields)})"
        )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {_quote(resource.name)} (\n  {body}\n)"


def _foreign_keys_text(resource: Resource) -> str:
    return "; ".join(
        f"{', '.join(fk.fields)} -> {fk.resource}({', '.join(fk.reference_fields)})"
        for fk in resource.foreign_keys
    )


def _stored(value: Any) -> Any:
    """A typed cell as sqlite3 stores it: dates as ISO 8601 text (the registry's TEXT column
    type; sqlite3's own date adapter is deprecated), everything else as it is."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _load_table(connection: sqlite3.Connection, resource: Resource) -> None:
    name = resource.name
    connection.execute(create_table_sql(resource))
    indexed: set[tuple[str, ...]] = set()
    for fk in resource.foreign_keys:
        if tuple(fk.fields) not in indexed:  # two keys on the same columns share an index
            indexed.add(tuple(fk.fields))
            index = f"idx_{name}_{'_'.join(fk.fields)}"
            connection.execute(
                f"CREATE INDEX {_quote(index)} ON {_quote(name)} ({_columns_sql(fk.fields)})"
            )
    rows = [tuple(_stored(v) for v in row) for row in typed_rows(read_cells(resource))]
    placeholders = ", ".join("?" for _ in resource.fields)
    connection.executemany(f"INSERT INTO {_quote(name)} VALUES ({placeholders})", rows)
    connection.execute(
        'INSERT INTO "_tables" VALUES (?, ?, ?, ?, ?, ?)',
        (
            name,
            resource.description,
            ", ".join(resource.primary_key),
            _foreign_keys_text(resource),
            len(rows),
            resource.path,
        ),
    )
    connection.executemany(
        'INSERT INTO "_columns" VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
            (
                name,
                field.name,
                position,
                field.type,
                field.kind.sqlite,
                int(field.required),
                constraint_text(field, resource=resource),
                field.description,
            )
            for position, field in enumerate(resource.fields, start=1)
        ],
    )


def write_database(package: Package, path: Path) -> None:
    """Build the database, check its foreign keys, VACUUM it (so its bytes are reproducible).

    ReleaseError when SQLite refuses what the validator let through (e.g. a unique number
    column holding both 1 and 1.0, which differ as text and are equal as numbers).
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("BEGIN")
        for statement in _META_TABLES:
            connection.execute(statement)
        for resource in package.resources.values():
            try:
                _load_table(connection, resource)
            except (sqlite3.Error, OverflowError) as exc:
                raise ReleaseError(
                    f"{resource.path}: the SQLite database cannot hold this table: {exc}"
                ) from None
        for name, (_, _, select) in compatibility_views(package).items():
            connection.execute(f"CREATE VIEW {_quote(name)} AS {select}")
        connection.execute("COMMIT")
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            shown = "; ".join(f"{t} row {r} -> {p}" for t, r, p, _ in problems[:10])
            raise ReleaseError(f"{len(problems)} foreign-key violation(s) in the database: {shown}")
        connection.execute("VACUUM")
    finally:
        connection.close()


def datasette_metadata(package: Package, database: str) -> dict[str, Any]:
    """Datasette metadata: title, description, license and source, table and column
    descriptions."""
    _, license_title, license_url = first_license(package)
    url = project_url(package)
    meta: dict[str, Any] = {
        "title": package.title,
        "description": package_description(package),
        "license": license_title,
        "license_url": license_url,
        "source": f"gongbao {package.version}: dated articles, listed in the sources table",
    }
    if url:
        meta["source_url"] = url
        meta["about"] = "gongbao on GitHub"
        meta["about_url"] = url
    tables: dict[str, Any] = {}
    for name, resource in package.resources.items():
        table: dict[str, Any] = {
            "description": resource.description,
            "columns": {field.name: field.description for field in resource.fields},
        }
        labels = [n for n in resource.field_names if n in LABEL_COLUMNS]
        if labels:
            table["label_column"] = labels[0]
        tables[name] = table
    for name, (description, columns) in META_DESCRIPTIONS.items():
        tables[name] = {"description": description, "columns": columns}
    for name, (_, description, _) in compatibility_views(package).items():
        tables[name] = {"description": description}
    meta["databases"] = {database: {"tables": tables}}
    return meta
