"""Release files: validated first, written all or nothing, reproducible, and each one holds
exactly the package's tables, typed the way the validator and the type registry say."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from gongbao.publish import excel as publish_excel
from gongbao.publish.common import constraint_text
from gongbao.tableschema.package import Package, read_package

from conftest import REPO, Result, assert_reported, copy_package, run_cli, run_process, run_validate
from csvedit import find_row, read_rows, set_cell

BOM = b"\xef\xbb\xbf"
EPOCH_2026 = "1767225600"  # 2026-01-01T00:00:00Z
DOCUMENTS = [
    "README.md",
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
    "CITATION.cff",
    "docs/img/agreements-timeline.svg",
    "docs/img/cooperation-network.svg",
]


@dataclass
class Built:
    package: Package
    root: Path
    out: Path
    result: Result


def _release(package: Path, out: Path, **env: str) -> Built:
    result = run_cli("release", package, "--out", out, env=env)
    return Built(read_package(package), package, out, result)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A scratch copy of the package (data may change under the checkout) with its
    documents, and its release."""
    base = tmp_path_factory.mktemp("release")
    root = copy_package(base / "pkg")
    for document in DOCUMENTS:
        (root / document).parent.mkdir(parents=True, exist_ok=True)
        (root / document).write_bytes((REPO / document).read_bytes())
    done = _release(root, base / "out")
    assert done.result.code == 0, done.result.out + done.result.err
    return done


def _names(package: Package) -> list[str]:
    """Every release file, in the order the release prints them."""
    return [
        f"gongbao-{package.version}.zip",
        "gongbao.sqlite",
        "datasette.json",
        "gongbao.xlsx",
        *(f"excel/{name}.csv" for name in package.resources),
    ]


def _files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _listing(out: Path, names: list[str]) -> list[str]:
    """What the release prints: one line per file written, '<sha256>  <size>  <path>'."""
    lines = []
    for name in names:
        data = (out / name).read_bytes()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {len(data):>9}  {out / name}")
    return lines


def _csv_rows(root: Path, package: Package, name: str) -> list[list[str]]:
    return read_rows(root / package.resource(name).path)[1:]


def _plain(value: Any) -> str:
    """A stored value as the CSV writes it (the real package has no booleans)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


# -- what the command prints and writes -----------------------------------------------------------


def test_release_prints_one_line_per_file_written(built: Built) -> None:
    names = _names(built.package)
    assert list(_files(built.out)) == sorted(names)
    assert built.result.out.splitlines() == _listing(built.out, names)
    # validation passed with warnings only (no archive): they go to stderr, as validate words them
    assert built.result.err.splitlines() == run_validate(built.root).problems


def test_smoke_release_in_a_subprocess_gives_identical_bytes(built: Built, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_process("release", built.root, "--out", again)
    assert (result.code, result.err) == (0, built.result.err)
    assert _files(again) == _files(built.out)
    assert result.out.splitlines() == _listing(again, _names(built.package))


def test_python_m_gongbao_release_still_works(built: Built, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GONGBAO_ARCHIVE"}
    proc = subprocess.run(
        [sys.executable, "-m", "gongbao.release", str(built.root), str(tmp_path / "old")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
    )
    assert (proc.returncode, proc.stderr) == (0, built.result.err)
    assert _files(tmp_path / "old") == _files(built.out)
    assert proc.stdout.splitlines() == _listing(tmp_path / "old", _names(built.package))


def test_source_date_epoch_stamps_every_file_and_old_files_are_replaced(
    built: Built, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "excel").mkdir(parents=True)
    (out / "gongbao.sqlite").write_bytes(b"an older release")
    (out / "excel" / "sources.csv").write_bytes(b"an older release")
    (out / "notes.txt").write_bytes(b"not a release file")
    again = _release(built.root, out, SOURCE_DATE_EPOCH=EPOCH_2026)
    assert again.result.code == 0
    files = _files(out)
    assert files.pop("notes.txt") == b"not a release file"
    assert list(files) == sorted(_names(built.package))
    assert files["excel/sources.csv"] == _files(built.out)["excel/sources.csv"]
    assert files["gongbao.sqlite"] == _files(built.out)["gongbao.sqlite"]  # holds no time
    for name in (f"gongbao-{built.package.version}.zip", "gongbao.xlsx"):
        with zipfile.ZipFile(out / name) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}, name
    book = load_workbook(out / "gongbao.xlsx")
    assert book.properties.created == book.properties.modified == dt.datetime(2026, 1, 1)


def test_not_a_package_is_a_usage_error(gongbao, tmp_path: Path) -> None:
    result = gongbao("release", tmp_path, "--out", tmp_path / "out")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"gongbao: error: {tmp_path}: no datapackage.json here "
        "(give a package directory, its datapackage.json, or a zip)\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_missing_archive_directory_is_a_usage_error(gongbao, package: Path, tmp_path: Path):
    nowhere = tmp_path / "nowhere"
    result = gongbao(
        "release", package, "--out", tmp_path / "out", env={"GONGBAO_ARCHIVE": str(nowhere)}
    )
    assert (result.code, result.out) == (2, "")
    assert result.err == f"gongbao: error: archive directory not found: {nowhere}\n"
    assert not (tmp_path / "out").exists()


# -- nothing is written unless everything is ----------------------------------------------------


def test_an_invalid_package_prints_the_report_and_writes_nothing(
    gongbao, package: Path, tmp_path: Path
) -> None:
    line = set_cell(package / "data/indicators.csv", "value", "316天", metric="good_air_days")
    out = tmp_path / "out"
    result = gongbao("release", package, "--out", out)
    assert (result.code, result.err) == (1, "")
    assert result.out == gongbao("validate", package).out
    reported = assert_reported(result, "data/indicators.csv", line, "value", "type")
    assert reported.startswith(
        f"data/indicators.csv:{line}: value: type: '316天' is not a number ("
    )
    assert not out.exists()


def test_a_failure_mid_build_leaves_out_as_it_was(
    gongbao, package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "gongbao.sqlite").write_bytes(b"the last release")

    def broken(*args: object) -> list[str]:
        raise RuntimeError("the workbook cannot be built")

    monkeypatch.setattr(publish_excel, "build", broken)  # runs after the zip and SQLite
    with pytest.raises(RuntimeError, match="the workbook cannot be built"):
        gongbao("release", package, "--out", out)
    assert _files(out) == {"gongbao.sqlite": b"the last release"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pkg"]  # no temporary directory


def test_a_value_excel_cannot_hold_stops_the_release_cleanly(
    gongbao, package: Path, tmp_path: Path
) -> None:
    """A control character passes validation, but no xlsx can hold it: exit 1, no traceback,
    one line saying where, and nothing written."""
    path = package / "data/indicators.csv"
    line = set_cell(path, "note", "a\x01b", metric="good_air_days")
    out = tmp_path / "out"
    result = gongbao("release", package, "--out", out)
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines() == [
        *run_validate(package).problems,  # its warnings: it validated
        f"gongbao: error: data/indicators.csv:{line}: note: 'a\\x01b' holds a control "
        "character, which an Excel file cannot hold",
    ]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def _add_table(root: Path, name: str, fields: list[dict[str, Any]], lines: list[str]) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    schema = f"schemas/{name}.schema.json"
    descriptor["resources"].append({"name": name, "path": f"data/{name}.csv", "schema": schema})
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    (root / schema).write_text(json.dumps({"fields": fields}), encoding="utf-8")
    header = ",".join(f["name"] for f in fields)
    (root / f"data/{name}.csv").write_text("\n".join([header, *lines, ""]), encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "fields", "lines", "message"),
    [
        (
            "scores",
            [{"name": "score", "type": "number", "constraints": {"unique": True}}],
            ["1", "1.0"],  # different text, the same number
            "data/scores.csv: the SQLite database cannot hold this table: "
            "UNIQUE constraint failed: scores.score",
        ),
        (
            "columns",
            [{"name": "note", "type": "string"}],
            ["a note"],
            "table 'columns' cannot be an Excel sheet: "
            "Excel takes it for the workbook's own 'columns' sheet",
        ),
    ],
)
def test_a_valid_package_a_format_cannot_hold_stops_cleanly(
    gongbao, package: Path, tmp_path: Path, name, fields, lines, message
) -> None:
    _add_table(package, name, fields, lines)
    result = gongbao("release", package, "--out", tmp_path / "out")
    assert (result.code, result.out) == (1, "")
    assert result.err.splitlines() == [
        *run_validate(package).problems,
        f"gongbao: error: {message}",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


# -- the data-package zip ---------------------------------------------------------------------


def test_zip_descriptor_has_bytes_and_hash_of_every_file(built: Built) -> None:
    package, root = built.package, built.root
    with zipfile.ZipFile(built.out / f"gongbao-{package.version}.zip") as archive:
        assert archive.namelist() == [
            "datapackage.json",
            *DOCUMENTS,
            *sorted(
                [r.path for r in package.resources.values()]
                + [r.schema_path for r in package.resources.values()]
            ),
        ]
        for document in DOCUMENTS:
            assert archive.read(document) == (root / document).read_bytes(), document
        descriptor = json.loads(archive.read("datapackage.json"))
        for entry in descriptor["resources"]:
            member = archive.read(entry["path"])
            assert member == (root / entry["path"]).read_bytes()
            assert entry["bytes"] == len(member)
            assert entry["hash"] == "sha256:" + hashlib.sha256(member).hexdigest()
            assert archive.read(entry["schema"]) == (root / entry["schema"]).read_bytes()
    for entry in descriptor["resources"]:
        del entry["bytes"], entry["hash"]
    assert descriptor == json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def test_zip_validates_with_frictionless_and_gongbao(built: Built, validate) -> None:
    import frictionless

    release_zip = built.out / f"gongbao-{built.package.version}.zip"
    report = frictionless.Package(str(release_zip)).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "type", "note"])[:10]
    assert validate(release_zip).code == 0


# -- SQLite and Datasette ---------------------------------------------------------------------


def test_sqlite_holds_every_row_and_key(built: Built) -> None:
    package = built.package
    db = sqlite3.connect(built.out / "gongbao.sqlite")
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for name, resource in package.resources.items():
            stored = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            assert [[_plain(v) for v in row] for row in stored] == _csv_rows(
                built.root, package, name
            ), name
            columns = db.execute(f'PRAGMA table_info("{name}")').fetchall()
            assert [(c[1], c[2], c[3]) for c in columns] == [
                (f.name, f.kind.sqlite, int(f.required or f.name in resource.primary_key))
                for f in resource.fields
            ], name
            assert [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]] == (
                resource.primary_key
            )
            declared = sorted(
                (table, column, to)
                for _, _, table, column, to, *_ in db.execute(f'PRAGMA foreign_key_list("{name}")')
            )
            assert declared == sorted(
                (fk.resource, column, to)
                for fk in resource.foreign_keys
                for column, to in zip(fk.fields, fk.reference_fields, strict=True)
            ), name
            indexes = db.execute(f'PRAGMA index_list("{name}")').fetchall()
            assert {i[1] for i in indexes if i[3] == "c"} == {
                f"idx_{name}_{'_'.join(fk.fields)}" for fk in resource.foreign_keys
            }, name
    finally:
        db.close()


def test_sqlite_types_come_from_the_registry(built: Built) -> None:
    db = sqlite3.connect(built.out / "gongbao.sqlite")
    try:
        types = {c[1]: c[2] for c in db.execute('PRAGMA table_info("indicators")')}
        assert (types["indicator_id"], types["year"], types["value"]) == (
            "TEXT",
            "INTEGER",
            "NUMERIC",
        )
        value = (
            'SELECT value, typeof(value), year, typeof(year) FROM "indicators" '
            "WHERE indicator_id = ?"
        )
        assert db.execute(value, ["cq-2019-assessed-water-sections"]).fetchall() == [
            (42, "integer", 2019, "integer")  # 42 is not 42.0
        ]
        assert db.execute(value, ["cq-2019-good-water-sections-ratio"]).fetchall() == [
            (97.6, "real", 2019, "integer")
        ]
        assert db.execute(value, ["cq-2019-acoustic-environment-quality"]).fetchall() == [
            (None, "null", 2019, "integer")
        ]
        code = 'SELECT code, typeof(code) FROM "jurisdictions" WHERE name_en = ?'
        assert db.execute(code, ["Chongqing"]).fetchall() == [("500000", "text")]
        deadline = 'SELECT DISTINCT deadline, typeof(deadline) FROM "targets"'
        assert db.execute(deadline).fetchall() == [("2025-12-31", "text")]
    finally:
        db.close()


def test_sqlite_documents_every_table_and_column(built: Built) -> None:
    package = built.package
    db = sqlite3.connect(built.out / "gongbao.sqlite")
    try:
        assert db.execute('SELECT * FROM "_tables"').fetchall() == [
            (
                name,
                resource.description,
                ", ".join(resource.primary_key),
                "; ".join(
                    f"{', '.join(fk.fields)} -> {fk.resource}({', '.join(fk.reference_fields)})"
                    for fk in resource.foreign_keys
                ),
                len(_csv_rows(built.root, package, name)),
                resource.path,
            )
            for name, resource in package.resources.items()
        ]
        assert db.execute('SELECT * FROM "_columns" ORDER BY rowid').fetchall() == [
            (
                name,
                f.name,
                position,
                f.type,
                f.kind.sqlite,
                int(f.required),
                constraint_text(f, resource=resource),
                f.description,
            )
            for name, resource in package.resources.items()
            for position, f in enumerate(resource.fields, start=1)
        ]
        level = 'SELECT constraints FROM "_columns" WHERE table_name = ? AND column_name = ?'
        assert db.execute(level, ["jurisdictions", "level"]).fetchone() == (
            "a key of levels.level",
        )
        assert db.execute(level, ["jurisdictions", "parent_code"]).fetchone() == (
            "pattern [0-9]{6}; a key of jurisdictions.code",
        )
    finally:
        db.close()


def test_sqlite_keeps_a_mechanisms_view_for_readers_of_0x(built: Built) -> None:
    """Data model 2 replaced mechanisms by commitments; the view gives 0.x queries their
    (agreement_id, mechanism) pairs, from the commitments that belong to an instrument."""
    db = sqlite3.connect(built.out / "gongbao.sqlite")
    try:
        kinds = dict(db.execute("SELECT name, type FROM sqlite_master WHERE name = 'mechanisms'"))
        assert kinds == {"mechanisms": "view"}
        pairs = db.execute('SELECT agreement_id, mechanism FROM "mechanisms"').fetchall()
        expected = {
            (r["agreement_id"], r["mechanism"])
            for r in csv.DictReader(
                io.StringIO((built.root / "data" / "commitments.csv").read_text(encoding="utf-8"))
            )
            if r["agreement_id"]
        }
        assert pairs == sorted(expected)
    finally:
        db.close()


def test_datasette_metadata_documents_every_column(built: Built) -> None:
    package = built.package
    meta = json.loads((built.out / "datasette.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in meta.items() if k != "databases"} == {
        "title": package.title,
        "description": package.descriptor["description"],
        "license": "Creative Commons Attribution 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": f"gongbao {package.version}: dated articles, listed in the sources table",
        "source_url": "https://github.com/gongbao-data/gongbao",
        "about": "gongbao on GitHub",
        "about_url": "https://github.com/gongbao-data/gongbao",
    }
    tables = meta["databases"]["gongbao"]["tables"]
    assert list(tables) == [*package.resources, "_tables", "_columns", "mechanisms"]
    assert tables["mechanisms"]["description"].startswith(
        "Mechanisms each instrument commits to, as in data model 1 (releases 0.x)"
    )
    for name, resource in package.resources.items():
        assert tables[name]["description"] == resource.description
        assert tables[name]["columns"] == {f.name: f.description for f in resource.fields}
    assert tables["jurisdictions"]["label_column"] == "name_en"
    assert "label_column" not in tables["parties"]
    assert tables["_columns"]["columns"]["sqlite_type"] == (
        "SQLite column type of each Table Schema type: string TEXT, number NUMERIC, "
        "integer INTEGER, year INTEGER, date TEXT, boolean INTEGER."
    )


# -- Excel ------------------------------------------------------------------------------------


def _cells(book: Any, sheet: str, column: str, value: Any) -> dict[str, Any]:
    """The cells, by column name, of the one row of a sheet whose column holds value."""
    rows = list(book[sheet].iter_rows())
    header = [c.value for c in rows[0]]
    (row,) = [r for r in rows[1:] if r[header.index(column)].value == value]
    return dict(zip(header, row, strict=True))


def test_xlsx_sheets_hold_every_cell_typed(built: Built) -> None:
    package = built.package
    book = load_workbook(built.out / "gongbao.xlsx")
    assert book.sheetnames == ["about", "columns", *package.resources]
    for name, resource in package.resources.items():
        sheet = book[name]
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == resource.field_names
        assert [[_plain(c.value) for c in row] for row in rows[1:]] == _csv_rows(
            built.root, package, name
        ), name
        for row in rows[1:]:
            for cell, field in zip(row, resource.fields, strict=True):
                if cell.value is not None:
                    assert cell.number_format == field.kind.excel_format, (name, cell.coordinate)
                    assert (cell.data_type == "s") == (field.type == "string"), cell.coordinate
    code = _cells(book, "jurisdictions", "name_en", "Chongqing")["code"]
    assert (code.value, code.data_type, code.number_format) == ("500000", "s", "@")
    figure = _cells(book, "indicators", "indicator_id", "cq-2019-assessed-water-sections")
    assert [
        (figure[c].value, figure[c].data_type, figure[c].number_format) for c in ("year", "value")
    ] == [
        (2019, "n", "0"),
        (42, "n", "General"),  # 42, not 42.0
    ]
    assert type(figure["value"].value) is int
    target = _csv_rows(built.root, package, "targets")[0]
    deadline = _cells(book, "targets", "target_id", target[0])["deadline"]
    assert (deadline.value, deadline.data_type, deadline.number_format) == (
        dt.datetime.fromisoformat(
            target[package.resource("targets").field_names.index("deadline")]
        ),
        "d",
        "yyyy-mm-dd",
    )


def test_xlsx_about_and_columns_sheets(built: Built) -> None:
    package = built.package
    book = load_workbook(built.out / "gongbao.xlsx")
    about = [[c.value for c in row] for row in book["about"].iter_rows()]
    assert about[:7] == [
        ["about", "value"],
        ["title", package.title],
        ["version", package.version],
        ["description", package.descriptor["description"]],
        ["license", "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)"],
        ["authors", "gongbao contributors"],
        ["cite as", f"gongbao contributors. {package.title}. Version {package.version}."],
    ]
    assert about[-len(package.resources) :] == [
        [name, resource.description] for name, resource in package.resources.items()
    ]
    columns = [[c.value for c in row] for row in book["columns"].iter_rows()]
    assert columns == [
        ["table", "column", "position", "type", "required", "constraints / values", "description"],
        *(
            [
                name,
                f.name,
                position,
                f.type,
                "yes" if f.required else "no",
                constraint_text(f, resource=resource) or None,
                f.description or None,
            ]
            for name, resource in package.resources.items()
            for position, f in enumerate(resource.fields, start=1)
        ),
    ]


def test_excel_csvs_are_the_canonical_files_with_a_bom(built: Built) -> None:
    for name, resource in built.package.resources.items():
        assert (built.out / "excel" / f"{name}.csv").read_bytes() == BOM + (
            built.root / resource.path
        ).read_bytes(), name


# -- validate, the registry and the release agree ------------------------------------------------


def _add_columns(root: Path, table: str, fields: list[dict[str, Any]], cells: list[list[str]]):
    """Add fields to a table of a scratch package: cells[i] are row i's new cells (later rows
    get empty ones). Returns the first column's value of each changed row."""
    schema_path = root / "schemas" / f"{table}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"] += fields
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    path = root / "data" / f"{table}.csv"
    header, *rows = read_rows(path)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header + [f["name"] for f in fields])
    for index, row in enumerate(rows):
        writer.writerow(row + (cells[index] if index < len(cells) else [""] * len(fields)))
    path.write_text(text.getvalue(), encoding="utf-8", newline="")
    return [row[0] for row in rows[: len(cells)]]


def _stored(out: Path, table: str, column: str, key: str, value: str) -> tuple[Any, Any]:
    """(value, typeof) in SQLite and the Excel cell of one row's column."""
    db = sqlite3.connect(out / "gongbao.sqlite")
    try:
        sql = f'SELECT "{column}", typeof("{column}") FROM "{table}" WHERE "{key}" = ?'
        (stored,) = db.execute(sql, [value]).fetchall()
    finally:
        db.close()
    return stored, _cells(load_workbook(out / "gongbao.xlsx"), table, key, value)[column]


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, list[str]]:
    """A release of a package whose mechanism_types gained a number and a boolean field, and
    'NA' as a missing value."""
    base = tmp_path_factory.mktemp("typed")
    root = copy_package(base / "pkg")
    fields = [{"name": "score", "type": "number"}, {"name": "active", "type": "boolean"}]
    keys = _add_columns(
        root, "mechanism_types", fields, [["NaN", "true"], ["NA", "false"], ["", ""]]
    )
    schema_path = root / "schemas" / "mechanism_types.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["missingValues"] = ["", "NA"]
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    done = _release(root, base / "out")
    assert done.result.code == 0, done.result.out + done.result.err  # it validated
    return done, keys


def test_plus_five_validates_and_is_the_integer_five(gongbao, package: Path, tmp_path: Path):
    key = _add_columns(package, "mechanism_types", [{"name": "score", "type": "number"}], [["+5"]])
    result = gongbao("release", package, "--out", tmp_path / "out")
    assert result.code == 0, result.out + result.err  # it validated
    stored, cell = _stored(tmp_path / "out", "mechanism_types", "score", "mechanism", key[0])
    assert stored == (5, "integer")
    assert (cell.value, cell.data_type) == (5, "n") and type(cell.value) is int


def test_nan_validates_and_is_kept_as_text(typed: tuple[Built, list[str]]) -> None:
    done, keys = typed
    stored, cell = _stored(done.out, "mechanism_types", "score", "mechanism", keys[0])
    assert stored == ("NaN", "text")
    assert (cell.value, cell.data_type) == ("NaN", "s")


def test_boolean_is_one_and_zero_in_sqlite_and_true_false_in_excel(
    typed: tuple[Built, list[str]],
) -> None:
    done, keys = typed
    stored = [_stored(done.out, "mechanism_types", "active", "mechanism", k) for k in keys]
    assert [s for s, _ in stored] == [(1, "integer"), (0, "integer"), (None, "null")]
    assert [(c.value, c.data_type) for _, c in stored] == [(True, "b"), (False, "b"), (None, "n")]
    db = sqlite3.connect(done.out / "gongbao.sqlite")
    try:
        info = {c[1]: c[2] for c in db.execute('PRAGMA table_info("mechanism_types")')}
    finally:
        db.close()
    assert (info["score"], info["active"]) == ("NUMERIC", "INTEGER")


def test_missing_values_are_null_in_sqlite_and_empty_in_excel(
    typed: tuple[Built, list[str]],
) -> None:
    done, keys = typed
    stored, cell = _stored(done.out, "mechanism_types", "score", "mechanism", keys[1])
    assert stored == (None, "null")
    assert cell.value is None
    line, _ = find_row(done.root / "data/mechanism_types.csv", mechanism=keys[1])
    excel_csv = (done.out / "excel/mechanism_types.csv").read_bytes()
    assert excel_csv == BOM + (done.root / "data/mechanism_types.csv").read_bytes()
    assert excel_csv.decode("utf-8").split("\n")[line - 1].endswith(",NA,false")  # as written
