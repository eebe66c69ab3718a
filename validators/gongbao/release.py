"""Release files for people who do not use Python.

Run as ``python -m gongbao.release PACKAGE_DIR OUT_DIR``.

Writes to OUT_DIR:

``gongbao-X.Y.Z.zip``
    The data package as published: datapackage.json with ``bytes`` and ``hash``
    (``sha256:<hex>``, the Data Package v2 form, which frictionless checks) filled in for
    every resource, the Table Schemas, the CSVs, and README/LICENSE/CHANGELOG/CITATION and
    the README's charts where present. ``frictionless validate gongbao-X.Y.Z.zip`` reads it.
``gongbao.sqlite`` and ``datasette.json``
    One table per resource with its primary key, foreign keys (and an index on each),
    NOT NULL for required fields and SQLite types (integer/year INTEGER, number NUMERIC, codes,
    ids and dates TEXT), plus ``_tables`` and ``_columns`` tables documenting every table and
    column (SQLite has no column comments). ``datasette gongbao.sqlite -m datasette.json``
    shows the same descriptions, the license and the source.
``gongbao.xlsx``
    An ``about`` sheet (title, version, license, how to cite, what each sheet holds), a
    ``columns`` sheet explaining every column, then one sheet per table (the ``sources``
    sheet lists the articles). Codes and ids are text cells, never numbers.
``excel/<table>.csv``
    The canonical CSVs with a UTF-8 byte-order mark, so Excel shows Chinese correctly; the
    bytes after the BOM are the canonical file's.

Every file is reproducible: building twice gives identical bytes. Timestamps (zip entries,
workbook properties) come from SOURCE_DATE_EPOCH when set, else 1980-01-01T00:00:00Z.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import math
import os
import sqlite3
import sys
import zipfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from .loaders import TableData

BOM = b"\xef\xbb\xbf"
DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
EXTRA_FILES = (
    "README.md",
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
    "CITATION.cff",
    "docs/img/agreements-timeline.svg",
    "docs/img/cooperation-network.svg",
)
SQLITE_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "year": "INTEGER",
    "number": "NUMERIC",  # whole numbers stay integers, 97.6 is stored as a real
    "date": "TEXT",
    "boolean": "INTEGER",
}
ABOUT_SHEET, COLUMNS_SHEET = "about", "columns"


class ReleaseError(Exception):
    """The package cannot be released as it is (exit code 1)."""


# -- shared helpers ----------------------------------------------------------------------------


def build_time() -> dt.datetime:
    """The one timestamp every release file carries (UTC, naive)."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_EPOCH)
    epoch = max(epoch, DEFAULT_EPOCH)
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)


def _zip(members: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip with fixed timestamps, permissions and order: same members, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _python_value(text: str | None, field: dict, *, for_sqlite: bool) -> Any:
    """A cell's text as the Python value a typed store keeps (None when missing)."""
    if text is None:
        return None
    kind = field.get("type", "string")
    if kind in ("integer", "year"):
        return int(text)
    if kind == "number":
        if text.lstrip("-").isdigit():
            return int(text)  # 42 stays 42 (not 42.0) in SQLite and Excel
        value = float(text.replace("INF", "inf"))
        return value if math.isfinite(value) or for_sqlite else text
    if kind == "boolean":
        truth = text in field.get("trueValues", ["true", "True", "TRUE", "1"])
        return int(truth) if for_sqlite else truth
    if kind == "date" and not for_sqlite and field.get("format", "default") == "default":
        return dt.date.fromisoformat(text)
    return text


def vocabulary(field: dict) -> list[str]:
    """The values a field may take (its categories, else its enum), as text."""
    values = field.get("categories") or field.get("constraints", {}).get("enum") or []
    return [str(v["value"] if isinstance(v, dict) else v) for v in values]


def _plain(text: str) -> str:
    return text


def constraint_text(field: dict, code: Callable[[str], str] = _plain) -> str:
    """A field's constraints and vocabulary in words (the xlsx, SQLite and docs use it).

    code formats literal values (patterns, vocabulary), e.g. as Markdown code spans.
    """
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("unique"):
        parts.append("unique")
    if "pattern" in constraints:
        parts.append(f"pattern {code(constraints['pattern'])}")
    for key, word in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ):
        if key in constraints:
            parts.append(f"{word} {constraints[key]}")
    if field.get("format") not in (None, "default"):
        parts.append(f"format {field['format']}")
    values = vocabulary(field)
    if values:
        joiner = " < " if field.get("categoriesOrdered") else ", "
        label = "ordered values" if field.get("categoriesOrdered") else "values"
        parts.append(f"{label}: {joiner.join(code(v) for v in values)}")
    return "; ".join(parts)


def _required(field: dict) -> bool:
    return bool(field.get("constraints", {}).get("required"))


def _table_description(data: TableData, name: str) -> str:
    return data.schema(name).get("description") or data.resource(name).get("description", "")


def _project_url(data: TableData) -> str | None:
    homepage = data.descriptor.get("homepage")
    if homepage:
        return str(homepage)
    try:
        urls = metadata.metadata("gongbao").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("source", "homepage", "repository"):
            return url.strip()
    return None


# -- the data-package zip ----------------------------------------------------------------------


def package_zip(data: TableData, root: Path, when: dt.datetime) -> tuple[str, bytes]:
    """The zip's name and bytes: descriptor with bytes/hash, schemas, data, docs."""
    descriptor = json.loads(json.dumps(data.descriptor))  # a deep copy
    members: dict[str, bytes] = {}
    for resource in descriptor["resources"]:
        raw = data.raw_bytes(resource["name"])
        resource["bytes"] = len(raw)
        resource["hash"] = f"sha256:{sha256(raw)}"
        members[resource["path"]] = raw
        schema_ref = resource.get("schema")
        if isinstance(schema_ref, str):
            members[schema_ref] = data.read(schema_ref)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    ordered = [("datapackage.json", text.encode("utf-8"))]
    for extra in EXTRA_FILES:
        if (root / extra).is_file():
            ordered.append((extra, (root / extra).read_bytes()))
    ordered += sorted(members.items())
    name = f"{descriptor.get('name', 'gongbao')}-{data.version}.zip"
    return name, _zip(ordered, when)


# -- SQLite and Datasette ------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns_sql(names: Iterable[str]) -> str:
    return ", ".join(_quote(n) for n in names)


def create_table_sql(data: TableData, name: str) -> str:
    fields = data.fields(name)
    primary_key = data.primary_key(name)
    lines = []
    for field in fields:
        column = f"{_quote(field['name'])} {SQLITE_TYPES.get(field.get('type', 'string'), 'TEXT')}"
        if _required(field) or field["name"] in primary_key:
            column += " NOT NULL"
        if field.get("constraints", {}).get("unique") and primary_key != [field["name"]]:
            column += " UNIQUE"
        lines.append(column)
    if primary_key:
        lines.append(f"PRIMARY KEY ({_columns_sql(primary_key)})")
    for fk in data.foreign_keys(name):
        lines.append(
            f"FOREIGN KEY ({_columns_sql(fk['fields'])}) REFERENCES "
            f"{_quote(fk['resource'])} ({_columns_sql(fk['reference_fields'])})"
        )
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {_quote(name)} (\n  {body}\n)"


_META_TABLES = """
CREATE TABLE "_tables" (
  "table_name" TEXT NOT NULL PRIMARY KEY,
  "description" TEXT NOT NULL,
  "primary_key" TEXT NOT NULL,
  "foreign_keys" TEXT NOT NULL,
  "row_count" INTEGER NOT NULL,
  "source_file" TEXT NOT NULL
);
CREATE TABLE "_columns" (
  "table_name" TEXT NOT NULL REFERENCES "_tables" ("table_name"),
  "column_name" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  "type" TEXT NOT NULL,
  "sqlite_type" TEXT NOT NULL,
  "required" INTEGER NOT NULL,
  "constraints" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  PRIMARY KEY ("table_name", "column_name")
);
"""

META_DESCRIPTIONS = {
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
            "type": "Table Schema type (string, number, integer, year, date).",
            "sqlite_type": "SQLite column type: INTEGER, NUMERIC or TEXT (dates as ISO 8601 text).",
            "required": "1 when every row has a value.",
            "constraints": "Constraints and allowed values, in words.",
            "description": "What the column holds (from its Table Schema).",
        },
    ),
}


def _fk_text(data: TableData, name: str) -> str:
    return "; ".join(
        f"{', '.join(fk['fields'])} -> {fk['resource']}({', '.join(fk['reference_fields'])})"
        for fk in data.foreign_keys(name)
    )


def write_sqlite(data: TableData, path: Path) -> None:
    """Build the database into a fresh file, check its foreign keys, VACUUM it."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("BEGIN")
        for statement in _META_TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        for name in data.table_names():
            fields = data.fields(name)
            connection.execute(create_table_sql(data, name))
            for fk in data.foreign_keys(name):
                index = f"idx_{name}_{'_'.join(fk['fields'])}"
                connection.execute(
                    f"CREATE INDEX {_quote(index)} ON {_quote(name)} ({_columns_sql(fk['fields'])})"
                )
            text = data.text_frame(name)
            rows = [
                [
                    _python_value(cell, field, for_sqlite=True)
                    for cell, field in zip(row, fields, strict=True)
                ]
                for row in text.itertuples(index=False, name=None)
            ]
            placeholders = ", ".join("?" for _ in fields)
            connection.executemany(f"INSERT INTO {_quote(name)} VALUES ({placeholders})", rows)
            connection.execute(
                'INSERT INTO "_tables" VALUES (?, ?, ?, ?, ?, ?)',
                (
                    name,
                    _table_description(data, name),
                    ", ".join(data.primary_key(name)),
                    _fk_text(data, name),
                    len(rows),
                    data.resource(name)["path"],
                ),
            )
            connection.executemany(
                'INSERT INTO "_columns" VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                [
                    (
                        name,
                        f["name"],
                        position,
                        f.get("type", "string"),
                        SQLITE_TYPES.get(f.get("type", "string"), "TEXT"),
                        int(_required(f)),
                        constraint_text(f),
                        f.get("description", ""),
                    )
                    for position, f in enumerate(fields, start=1)
                ],
            )
        connection.execute("COMMIT")
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            shown = "; ".join(f"{t} row {r} -> {p}" for t, r, p, _ in problems[:10])
            raise ReleaseError(f"{len(problems)} foreign-key violation(s) in the database: {shown}")
        connection.execute("VACUUM")
    finally:
        connection.close()
    os.replace(tmp, path)


def datasette_metadata(data: TableData, database: str) -> dict:
    """Datasette metadata: title, description, license and source, table and column descriptions."""
    descriptor = data.descriptor
    licenses = descriptor.get("licenses") or [{}]
    url = _project_url(data)
    meta: dict[str, Any] = {
        "title": descriptor.get("title", descriptor.get("name", "")),
        "description": descriptor.get("description", ""),
        "license": licenses[0].get("title") or licenses[0].get("name", ""),
        "license_url": licenses[0].get("path", LICENSE_URL),
        "source": f"gongbao {data.version}: dated articles, listed in the sources table",
    }
    if url:
        meta["source_url"] = url
        meta["about"] = "gongbao on GitHub"
        meta["about_url"] = url
    tables: dict[str, Any] = {}
    for name in data.table_names():
        fields = data.fields(name)
        table: dict[str, Any] = {
            "description": _table_description(data, name),
            "columns": {f["name"]: f.get("description", "") for f in fields},
        }
        labels = [
            f["name"] for f in fields if f["name"] in ("name_en", "title_en", "label_en", "title")
        ]
        if labels:
            table["label_column"] = labels[0]
        tables[name] = table
    for name, (description, columns) in META_DESCRIPTIONS.items():
        tables[name] = {"description": description, "columns": columns}
    meta["databases"] = {database: {"tables": tables}}
    return meta


# -- Excel ---------------------------------------------------------------------------------------


def _set_cell(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: never a formula, never a number
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


def _fill_sheet(sheet: Any, header: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths = [len(h) for h in header]
    for column, title in enumerate(header, start=1):
        _set_cell(sheet, 1, column, title)
        sheet.cell(row=1, column=column).font = bold
    count = 0
    for count, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if value is not None:
                _set_cell(sheet, count, column, value)
                widths[column - 1] = max(widths[column - 1], len(str(value)))
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(count, 1)}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def workbook_bytes(data: TableData, when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    names = data.table_names()
    clash = {ABOUT_SHEET, COLUMNS_SHEET} & set(names)
    if clash:
        raise ReleaseError(f"table name(s) {sorted(clash)} clash with the workbook's own sheets")
    too_long = [n for n in names if len(n) > 31]
    if too_long:
        raise ReleaseError(f"sheet names longer than 31 characters: {too_long}")

    descriptor = data.descriptor
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    licenses = descriptor.get("licenses") or [{}]
    contributors = ", ".join(c.get("title", "") for c in descriptor.get("contributors", []))
    title = descriptor.get("title", descriptor.get("name", ""))
    about_rows: list[list[Any]] = [
        ["title", title],
        ["version", data.version],
        ["description", descriptor.get("description", "")],
        ["license", f"{licenses[0].get('name', '')} ({licenses[0].get('path', LICENSE_URL)})"],
        ["authors", contributors],
        ["cite as", f"{contributors or 'gongbao contributors'}. {title}. Version {data.version}."],
        [
            "sources",
            "Every row cites a dated article: see the sheet 'sources' (source_id) and "
            "the verbatim 'evidence' quote in each row.",
        ],
        ["", ""],
        ["sheet", "contents"],
        [COLUMNS_SHEET, "What every column of every table holds: type, required, allowed values."],
    ]
    about_rows += [[name, _table_description(data, name)] for name in names]
    _fill_sheet(about, ["about", "value"], about_rows)

    columns = book.create_sheet(COLUMNS_SHEET)
    header = [
        "table",
        "column",
        "position",
        "type",
        "required",
        "constraints / values",
        "description",
    ]
    _fill_sheet(
        columns,
        header,
        (
            [
                name,
                f["name"],
                position,
                f.get("type", "string"),
                "yes" if _required(f) else "no",
                constraint_text(f),
                f.get("description", ""),
            ]
            for name in names
            for position, f in enumerate(data.fields(name), start=1)
        ),
    )

    for name in names:
        fields = data.fields(name)
        text = data.text_frame(name)
        sheet = book.create_sheet(name)
        _fill_sheet(
            sheet,
            [f["name"] for f in fields],
            (
                [
                    _python_value(cell, field, for_sqlite=False)
                    for cell, field in zip(row, fields, strict=True)
                ]
                for row in text.itertuples(index=False, name=None)
            ),
        )

    props = book.properties
    props.creator = contributors or "gongbao contributors"
    props.lastModifiedBy = props.creator
    props.title = f"{title} {data.version}"
    props.created = when
    props.modified = when
    buffer = io.BytesIO()
    book.save(buffer)  # stamps "modified" with the clock, and zip entries with the time
    props.modified = when
    core = tostring(props.to_tree())
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as saved:
        members = [
            (
                info.filename,
                core if info.filename == "docProps/core.xml" else saved.read(info.filename),
            )
            for info in saved.infolist()
        ]
    return _zip(members, when)


# -- the whole release -----------------------------------------------------------------------------


def build(package_dir: Path, out_dir: Path) -> list[Path]:
    """Write every release file for the package at package_dir into out_dir."""
    package_dir = Path(package_dir)
    if package_dir.name == "datapackage.json":
        package_dir = package_dir.parent
    if not (package_dir / "datapackage.json").is_file():
        raise ReleaseError(f"{package_dir}: no datapackage.json here")
    data = TableData(package_dir)
    when = build_time()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    zip_name, zip_data = package_zip(data, package_dir, when)
    written.append(_write(out_dir / zip_name, zip_data))

    database = out_dir / "gongbao.sqlite"
    write_sqlite(data, database)
    written.append(database)
    meta = datasette_metadata(data, database.stem)
    written.append(
        _write(
            out_dir / "datasette.json",
            (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
    )

    written.append(_write(out_dir / "gongbao.xlsx", workbook_bytes(data, when)))

    for name in data.table_names():
        raw = data.raw_bytes(name)
        written.append(
            _write(out_dir / "excel" / f"{name}.csv", raw if raw.startswith(BOM) else BOM + raw)
        )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gongbao.release", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("package_dir", type=Path, help="package directory (holds datapackage.json)")
    parser.add_argument("out_dir", type=Path, help="directory to write the release files to")
    args = parser.parse_args(argv)
    try:
        written = build(args.package_dir, args.out_dir)
    except ReleaseError as exc:
        sys.stderr.write(f"gongbao.release: error: {exc}\n")
        return 1
    for path in written:
        data = path.read_bytes()
        print(f"{sha256(data)}  {len(data):>9}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
