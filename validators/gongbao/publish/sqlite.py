"""``gongbao.sqlite`` and ``datasette.json``: the package as a database, and as a website.

One table per resource with its primary key, foreign keys (and an index on each), NOT NULL
for required fields and the column types of the type registry (``field.kind.sqlite``), plus
``_tables`` and ``_columns`` documenting every table and column (SQLite has no column
comments), ``_changes`` (what changed since the previous release, :mod:`.changes`) and a
full-text index per table (:mod:`.fulltext`), and views that keep an earlier
model's queries working (``mechanisms``, read from ``commitments``).

``datasette gongbao.sqlite -m datasette.json`` is the web face of the data, with nothing else
to install or download: search in Chinese or English, facets, English labels for codes,
ready-made questions (canned queries, ``publish/queries/*.sql``), the documentation tables
hidden from the index, and a small script (``publish/datasette.js``) that links each row
page's source to the source and its article. It is written for Datasette 0.65.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..tableschema.package import Package, Resource
from ..tableschema.types import TYPES
from . import fulltext
from .changes import Change
from .common import (
    ReleaseError,
    citation,
    constraint_text,
    first_license,
    label_field,
    package_description,
    project_url,
    read_cells,
    typed_rows,
    write,
)

DATABASE = "gongbao.sqlite"
METADATA = "datasette.json"
# What a reader narrows a table by. A table not listed gets its vocabulary and year fields.
FACETS = {
    "sources": ["publisher"],
    "jurisdictions": ["level"],
    "organizations": ["org_type", "level", "jurisdiction_code"],
    "agreements": ["region_id", "instrument_type", "status"],
    "parties": ["attribution", "role"],
    "commitments": ["mechanism"],
    "metrics": ["unit"],
    "targets": ["metric", "comparator"],
    "indicators": ["metric", "year", "jurisdiction_code"],
}
SORT_DESC = {"agreements": "date", "indicators": "year", "sources": "published"}
QUERIES = "queries"  # publish/queries/<name>.sql: -- title: and -- description: lines, then SQL

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
    """CREATE TABLE "_changes" (
  "previous_version" TEXT NOT NULL,
  "table_name" TEXT NOT NULL,
  "row_key" TEXT,
  "change" TEXT NOT NULL,
  "column_name" TEXT,
  "previous_value" TEXT,
  "value" TEXT
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
    "_changes": (
        "What changed since the previous release: rows added or removed, cells changed.",
        {
            "previous_version": "The release this one is compared with.",
            "table_name": "Table of the change.",
            "row_key": "Primary key of the row, comma-separated (empty for a column change).",
            "change": "added, removed, changed (one row per changed cell), column added or "
            "column removed.",
            "column_name": "The changed column.",
            "previous_value": "The cell in the previous release, as written.",
            "value": "The cell in this release, as written.",
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


def build(
    package: Package,
    directory: Path,
    when: dt.datetime,
    changes: Changes | None = None,
) -> list[str]:
    write_database(package, directory / DATABASE, changes)
    meta = datasette_metadata(package, Path(DATABASE).stem, changes)
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


def write_database(package: Package, path: Path, changes: Changes | None = None) -> None:
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
        indexes = {fulltext.fts_table(name) for name in package.resources}
        if clash := sorted(indexes & set(package.resources)):
            raise ReleaseError(f"table {clash[0]!r}: the name of another table's search index")
        for resource in package.resources.values():
            try:
                _load_table(connection, resource)
                fulltext.build_index(connection, resource)
            except (sqlite3.Error, OverflowError) as exc:
                raise ReleaseError(
                    f"{resource.path}: the SQLite database cannot hold this table: {exc}"
                ) from None
        if changes is not None:
            connection.executemany(
                'INSERT INTO "_changes" VALUES (?, ?, ?, ?, ?, ?, ?)',
                [
                    (changes.version, c.table, c.key, c.change, c.column, c.previous_value, c.value)
                    for c in changes.changes
                ],
            )
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


@dataclass(frozen=True)
class Changes:
    """The comparison with the previous release: its version and what changed since."""

    version: str
    changes: list[Change]


def datasette_metadata(
    package: Package, database: str, changes: Changes | None = None
) -> dict[str, Any]:
    """Datasette metadata: title, license, source, how to cite; per table its description,
    column descriptions, label column, facets and search index; the canned queries; and the
    script of :file:`datasette.js`."""
    _, license_title, license_url = first_license(package)
    url = project_url(package)
    meta: dict[str, Any] = {
        "title": package.title,
        "description_html": _html_paragraphs(
            package_description(package), f"Cite as: {citation(package)}"
        ),
        "license": license_title,
        "license_url": license_url,
        "source": f"gongbao {package.version}: dated articles, listed in the sources table",
    }
    if url:
        meta["source_url"] = url
        meta["about"] = "gongbao on GitHub"
        meta["about_url"] = url
    meta["extra_js_urls"] = [_script_url(package)]
    tables: dict[str, Any] = {}
    for name, resource in package.resources.items():
        tables[name] = _table_metadata(resource)
    for name, (description, columns) in META_DESCRIPTIONS.items():
        if name == "_changes":
            description += " " + _changes_note(changes)
        tables[name] = {"description": description, "columns": columns, "hidden": True}
    for name, (_, description, _) in compatibility_views(package).items():
        tables[name] = {"description": description}
    meta["databases"] = {
        database: {
            "description_html": _GUIDE,
            "tables": tables,
            "queries": canned_queries(package),
        }
    }
    return meta


_GUIDE = (
    "<p>Start with <strong>agreements</strong> (the cooperation instruments), "
    "<strong>parties</strong> (who takes part: <em>stated</em> by the source or "
    "<em>inferred</em> by the curator) and <strong>indicators</strong> (the figures regions "
    "report). Every table can be searched in Chinese or English (大气, air), narrowed with "
    "its facets, and every row cites its source and quotes it (<em>evidence</em>). The "
    "questions below are ready to run.</p>"
)


def _html_paragraphs(*texts: str) -> str:
    from html import escape

    return "".join(f"<p>{escape(text, quote=False)}</p>" for text in texts if text)


def _changes_note(changes: Changes | None) -> str:
    if changes is None:
        return (
            "This build was not compared with a previous release, so the table is empty "
            "(a release build compares with the last release's zip: GONGBAO_PREVIOUS_RELEASE)."
        )
    return f"Compared with gongbao {changes.version}: {len(changes.changes)} change(s)."


def _table_metadata(resource: Resource) -> dict[str, Any]:
    table: dict[str, Any] = {
        "description": resource.description,
        "columns": {field.name: field.description for field in resource.fields},
    }
    label = label_field(resource)
    if label:
        table["label_column"] = label
    facets = [f for f in _facets(resource) if f in resource.field_names]
    if facets:
        table["facets"] = facets
    if resource.name in SORT_DESC and SORT_DESC[resource.name] in resource.field_names:
        table["sort_desc"] = SORT_DESC[resource.name]
    if fulltext.searchable_fields(resource):
        table["fts_table"] = fulltext.fts_table(resource.name)
        table["fts_pk"] = "rowid"
    return table


def _facets(resource: Resource) -> list[str]:
    if resource.name in FACETS:
        return FACETS[resource.name]
    return [f.name for f in resource.fields if f.vocabulary or f.type == "year"]


def _script_url(package: Package) -> str:
    """datasette.js with its configuration, as a data: URL: datasette.json is all it needs."""
    links: dict[str, dict[str, str]] = {}
    urls: dict[str, dict[str, str]] = {}
    text = {name: fulltext.searchable_fields(r) for name, r in package.resources.items()}
    for name, resource in package.resources.items():
        links[name] = {
            fk.fields[0]: fk.resource for fk in resource.foreign_keys if len(fk.fields) == 1
        }
        uri = [f.name for f in resource.fields if f.format == "uri"]
        if uri and len(resource.primary_key) == 1:
            table = read_cells(resource)
            keys = table.column(resource.primary_key[0]).to_pylist()
            addresses = table.column(uri[0]).to_pylist()
            found = {str(k): str(u) for k, u in zip(keys, addresses, strict=True) if u}
            if found:
                urls[name] = found
    config = json.dumps(
        {"links": links, "urls": urls, "text": text}, ensure_ascii=False, sort_keys=True
    )
    script = (files("gongbao.publish") / "datasette.js").read_text(encoding="utf-8")
    script = script.replace("var config = GONGBAO;", f"var config = {config};")
    encoded = base64.b64encode(script.encode("utf-8")).decode("ascii")
    return f"data:text/javascript;base64,{encoded}"


_HEADER = re.compile(r"^-- (title|description): (.+)$")


def canned_queries(package: Package) -> dict[str, Any]:
    """The ready-made questions of publish/queries/, for packages that have their tables.

    A query that does not compile against this package's tables (another package, or a
    renamed column) is left out; the tests check that every one is there for gongbao.
    """
    probe = sqlite3.connect(":memory:")
    try:
        for statement in [create_table_sql(r) for r in package.resources.values()]:
            probe.execute(statement)
        probe.execute(_META_TABLES[-1])
        queries: dict[str, Any] = {}
        for entry in sorted(files("gongbao.publish").joinpath(QUERIES).iterdir(), key=_name):
            if not entry.name.endswith(".sql"):
                continue
            text = entry.read_text(encoding="utf-8")
            query: dict[str, Any] = {}
            for line in text.splitlines():
                if found := _HEADER.match(line):
                    query[found.group(1)] = found.group(2)
            sql = "\n".join(line for line in text.splitlines() if not _HEADER.match(line))
            try:
                probe.execute(f"EXPLAIN {sql}", {n: "" for n in _parameters(sql)})
            except sqlite3.Error:
                continue
            name = entry.name.removesuffix(".sql")
            queries[name] = {"sql": sql.strip(), **query, "hide_sql": True}
        return queries
    finally:
        probe.close()


def _name(entry: Any) -> str:
    return str(entry.name)


def _parameters(sql: str) -> set[str]:
    return set(re.findall(r":([A-Za-z_][A-Za-z0-9_]*)", sql))
