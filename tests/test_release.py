"""Release files: validated first, written all or nothing, reproducible, and each one holds
exactly the package's tables, typed the way the validator and the type registry say."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from gongbao.publish import excel as publish_excel
from gongbao.publish.common import constraint_text
from gongbao.publish.fulltext import searchable_fields
from gongbao.tableschema.package import Package, read_package

from conftest import REPO, Result, assert_reported, copy_package, run_cli, run_process, run_validate
from csvedit import find_row, read_rows, set_cell

BOM = b"\xef\xbb\xbf"
EPOCH_2026 = "1767225600"  # 2026-01-01T00:00:00Z
DOCUMENTS = [
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
    "CITATION.cff",
    "docs/img/agreements-timeline.svg",
    "docs/img/cooperation-network.svg",
    "docs/img/indicators.svg",
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
    for document in [*DOCUMENTS, "README.md"]:
        (root / document).parent.mkdir(parents=True, exist_ok=True)
        (root / document).write_bytes((REPO / document).read_bytes())
    done = _release(root, base / "out")
    assert done.result.code == 0, done.result.out + done.result.err
    return done


def _names(package: Package) -> list[str]:
    """Every release file, in the order the release prints them."""
    return [
        "gongbao.sqlite",
        "datasette.json",
        "gongbao.xlsx",
        *(f"excel/{name}.csv" for name in package.resources),
        f"gongbao-{package.version}.zip",
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


def _as_stored(package: Package, name: str, rows: list[list[str]]) -> list[list[str]]:
    """The CSV cells as a typed copy holds them: a number is its value (81.0 is 81, as the
    release writes numbers), every other cell its text."""
    numbers = [f.type == "number" for f in package.resource(name).fields]
    return [
        [
            str(int(float(cell))) if number and cell and float(cell).is_integer() else cell
            for cell, number in zip(row, numbers, strict=True)
        ]
        for row in rows
    ]


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


def test_a_value_excel_cannot_hold_is_refused_by_validate_first(
    gongbao, package: Path, tmp_path: Path
) -> None:
    """A control character: validate refuses it (family 5), so the release writes nothing;
    the workbook's own guard stays for packages validated by another tool."""
    path = package / "data/indicators.csv"
    line = set_cell(path, "note", "a\x01b", metric="good_air_days")
    out = tmp_path / "out"
    result = gongbao("release", package, "--out", out)
    assert (result.code, result.err) == (1, "")
    assert result.out == gongbao("validate", package).out
    assert f"data/indicators.csv:{line}: note: " in result.out
    assert not out.exists()
    assert publish_excel._unfit_text("a\x01b") == (
        "'a\\x01b' holds a control character, which an Excel file cannot hold"
    )


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


def test_zip_holds_one_folder_with_the_package_the_excel_files_and_a_readme(
    built: Built,
) -> None:
    package, root = built.package, built.root
    top = f"gongbao-{package.version}/"
    spreadsheets = ["gongbao.xlsx", *(f"excel/{name}.csv" for name in package.resources)]
    with zipfile.ZipFile(built.out / f"gongbao-{package.version}.zip") as archive:
        assert archive.namelist() == [
            top + name
            for name in [
                "datapackage.json",
                "README.txt",
                *DOCUMENTS,
                *spreadsheets,
                *sorted(
                    [r.path for r in package.resources.values()]
                    + [r.schema_path for r in package.resources.values()]
                ),
            ]
        ]
        for document in DOCUMENTS:
            assert archive.read(top + document) == (root / document).read_bytes(), document
        for name in spreadsheets:
            assert archive.read(top + name) == (built.out / name).read_bytes(), name
        descriptor = json.loads(archive.read(top + "datapackage.json"))
        for entry in descriptor["resources"]:
            member = archive.read(top + entry["path"])
            assert member == (root / entry["path"]).read_bytes()
            assert entry["bytes"] == len(member)
            assert entry["hash"] == "sha256:" + hashlib.sha256(member).hexdigest()
            assert archive.read(top + entry["schema"]) == (root / entry["schema"]).read_bytes()
        readme = archive.read(top + "README.txt").decode("utf-8")
    for entry in descriptor["resources"]:
        del entry["bytes"], entry["hash"]
    assert descriptor == json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    lines = readme.splitlines()
    assert lines[:2] == [package.title, f"Version {package.version}"]
    assert (
        "  gongbao.xlsx      Every table in one Excel workbook. Start with the sheet 'about'"
        in lines
    )
    assert (
        "  excel/            Each table as a CSV file for Excel (UTF-8 with a byte-order mark, so"
        in lines
    )
    figures = len(_csv_rows(root, package, "indicators"))
    assert (
        f"  indicators ({figures} rows): Figures the regions report: one row per reported figure (a"
    ) in lines
    assert (
        "columns of codes made of digits (code, parent_code, jurisdiction_code) to Text," in readme
    )
    assert lines[lines.index("HOW TO CITE") + 2 : lines.index("HOW TO CITE") + 5] == [
        "  gongbao contributors (2026). gongbao (共保): China's inter-regional eco-environmental",
        f"  cooperation. Version {package.version}, released 2026-11-22.",
        f"  https://github.com/gongbao-data/gongbao/releases/tag/v{package.version}",
    ]
    assert "nox" not in readme  # written for people, not developers


def test_zip_validates_with_frictionless_and_gongbao(built: Built, validate, tmp_path) -> None:
    """frictionless reads the descriptor inside the folder (it wants a descriptor at a zip's
    root, so it is given the unzipped folder); gongbao reads the zip itself."""
    release_zip = built.out / f"gongbao-{built.package.version}.zip"
    with zipfile.ZipFile(release_zip) as archive:
        archive.extractall(tmp_path)
    descriptor = tmp_path / f"gongbao-{built.package.version}" / "datapackage.json"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", str(descriptor)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert validate(release_zip).code == 0
    import gongbao

    loaded = gongbao.load("jurisdictions", release_zip)
    assert list(loaded["code"][:2]) == [
        row[0] for row in _csv_rows(built.root, built.package, "jurisdictions")[:2]
    ]


# -- SQLite and Datasette ---------------------------------------------------------------------


def test_sqlite_holds_every_row_and_key(built: Built) -> None:
    package = built.package
    db = sqlite3.connect(built.out / "gongbao.sqlite")
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for name, resource in package.resources.items():
            stored = db.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            assert [[_plain(v) for v in row] for row in stored] == _as_stored(
                package, name, _csv_rows(built.root, package, name)
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
        deadline = (
            'SELECT DISTINCT deadline, typeof(deadline) FROM "targets" ORDER BY deadline IS NULL'
        )
        types = db.execute(deadline).fetchall()
        assert ("2025-12-31", "text") in types  # a date is ISO text
        assert {t for d, t in types if d is not None} == {"text"}
        assert {t for d, t in types if d is None} <= {"null"}  # no deadline: NULL, not ''

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


def _datasette_db(out: Path) -> sqlite3.Connection:
    """The release database with the SQL function Datasette adds (escape_fts, copied from
    datasette.utils: each word of the query quoted as a phrase)."""

    def escape_fts(query: str) -> str:
        if query.count('"') % 2:
            query += '"'
        bits = [b for b in re.split(r'\s+|(".*?")', query) if b and b != '""']
        return " ".join(f'"{b}"' if not b.startswith('"') else b for b in bits)

    db = sqlite3.connect(out / "gongbao.sqlite")
    db.create_function("escape_fts", 1, escape_fts)
    return db


def _search(db: sqlite3.Connection, table: str, key: str, query: str) -> list[str]:
    """What Datasette's search box finds (the where clause of datasette/filters.py)."""
    sql = (
        f'SELECT "{key}" FROM "{table}" WHERE rowid IN (SELECT rowid FROM "{table}_fts" '
        f'WHERE "{table}_fts" MATCH escape_fts(?)) ORDER BY "{key}"'
    )
    return [row[0] for row in db.execute(sql, [query])]


def _containing(built: Built, table: str, key: str, pattern: re.Pattern[str]) -> list[str]:
    """An independent count: the keys of rows whose searchable text matches pattern."""
    resource = built.package.resource(table)
    fields = searchable_fields(resource)
    header, *rows = read_rows(built.root / resource.path)
    at = [header.index(f) for f in fields]
    return sorted(r[header.index(key)] for r in rows if any(pattern.search(r[i]) for i in at))


def test_search_finds_two_chinese_characters_and_english_words(built: Built) -> None:
    db = _datasette_db(built.out)
    try:
        for query in ("大气", "大气污染联防联控", "生态补偿", "气大"):
            expected = _containing(built, "agreements", "agreement_id", re.compile(query))
            assert _search(db, "agreements", "agreement_id", query) == expected, query
        assert "js-ah-2-12-air-joint-prevention-memorandum" in _search(
            db,
            "agreements",
            "agreement_id",
            "大气污染联防联控",  # 苏皖共同建立…机制
        )
        assert _search(db, "agreements", "agreement_id", "气大") == []  # not a substring
        # an English word, whatever its case, and its plural: words are split at _ and -
        word = re.compile(r"(?<![A-Za-z0-9])agreements?(?![A-Za-z0-9])", re.IGNORECASE)
        agreement = _containing(built, "agreements", "agreement_id", word)
        assert "sc-cq-air-pollution-agreement-2020" in agreement
        assert _search(db, "agreements", "agreement_id", "agreement") == agreement
        assert _search(db, "agreements", "agreement_id", "Agreements") == agreement
        air = re.compile(r"(?<![A-Za-z0-9])air(?![A-Za-z0-9])", re.IGNORECASE)
        assert _search(db, "agreements", "agreement_id", "AIR") == _containing(
            built, "agreements", "agreement_id", air
        )
        sichuan = re.compile(r"(?<![A-Za-z0-9])sichuan(?![A-Za-z0-9])", re.IGNORECASE)
        both = sorted(
            set(agreement) & set(_containing(built, "agreements", "agreement_id", sichuan))
        )
        assert both and _search(db, "agreements", "agreement_id", "agreements sichuan") == both
        assert _search(db, "organizations", "org_id", "四川") == _containing(
            built, "organizations", "org_id", re.compile("四川")
        )
    finally:
        db.close()


def test_the_index_holds_every_han_substring_and_leaves_other_text_alone() -> None:
    from gongbao.publish.fulltext import MAX_GRAM, grams, index_text

    assert index_text("大气污染 in Sichuan") == (
        " 大 气 污 染 大气 气污 污染 大气污 气污染 大气污染  in Sichuan"
    )
    assert index_text("PM2.5浓度") == "PM2.5 浓 度 浓度 "
    assert len(grams("一" * 30)) == sum(30 - size + 1 for size in range(1, MAX_GRAM + 1))


def test_datasette_metadata(built: Built) -> None:
    package = built.package
    meta = json.loads((built.out / "datasette.json").read_text(encoding="utf-8"))
    script = meta.pop("extra_js_urls")
    assert {k: v for k, v in meta.items() if k != "databases"} == {
        "title": package.title,
        "description_html": (
            f"<p>{package.descriptor['description']}</p><p>Cite as: gongbao contributors "
            f"(2026). gongbao (共保): China's inter-regional eco-environmental cooperation. "
            f"Version {package.version}, released 2026-11-22. "
            f"https://github.com/gongbao-data/gongbao/releases/tag/v{package.version}</p>"
        ),
        "license": "Creative Commons Attribution 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": f"gongbao {package.version}: dated articles, listed in the sources table",
        "source_url": "https://github.com/gongbao-data/gongbao",
        "about": "gongbao on GitHub",
        "about_url": "https://github.com/gongbao-data/gongbao",
    }
    database = meta["databases"]["gongbao"]
    tables = database["tables"]
    assert list(tables) == [*package.resources, "_tables", "_columns", "_changes", "mechanisms"]
    assert tables["mechanisms"]["description"].startswith(
        "Mechanisms each instrument commits to, as in data model 1 (releases 0.x)"
    )
    for name, resource in package.resources.items():
        assert tables[name]["description"] == resource.description
        assert tables[name]["columns"] == {f.name: f.description for f in resource.fields}
        assert tables[name]["fts_table"] == f"{name}_fts" and tables[name]["fts_pk"] == "rowid"
    assert {name: t.get("facets") for name, t in tables.items() if name in package.resources} == {
        "sources": ["publisher"],
        "levels": None,
        "division_types": None,
        "jurisdictions": ["level"],
        "regions": ["kind"],
        "region_members": ["basis"],
        "org_types": None,
        "organizations": ["org_type", "level", "jurisdiction_code"],
        "organization_aliases": ["kind"],
        "memberships": ["role", "attribution", "attribution_basis"],
        "instrument_types": ["kind"],
        "agreements": ["region_id", "instrument_type", "status"],
        "agreement_events": [
            "status",
            "date_earliest_basis",
            "date_latest_basis",
            "event_relation",
        ],
        "agreement_scope": ["basis"],
        "collective_terms": None,
        "parties": ["attribution", "role"],
        "mechanism_types": None,
        "commitments": ["mechanism"],
        "commitment_parties": ["role", "attribution", "attribution_basis"],
        "metrics": ["unit"],
        "targets": ["metric", "comparator"],
        "indicators": ["metric", "year", "jurisdiction_code"],
    }
    labelled = {  # a label column where the table has an English name or label
        "sources": "title_en",
        "levels": "label_en",
        "division_types": "label_en",
        "jurisdictions": "name_en",
        "regions": "label_en",
        "org_types": "label_en",
        "organizations": "name_en",
        "instrument_types": "label_en",
        "agreements": "title_en",
        "collective_terms": "label_en",
        "mechanism_types": "label_en",
        "metrics": "label_en",
    }
    assert {name: t.get("label_column") for name, t in tables.items()} == {
        name: labelled.get(name) for name in tables
    }
    assert [name for name, t in tables.items() if t.get("hidden")] == [
        "_tables",
        "_columns",
        "_changes",
    ]
    assert tables["_changes"]["description"].endswith(
        "This build was not compared with a previous release, so the table is empty (a release "
        "build compares with the last release's zip: GONGBAO_PREVIOUS_RELEASE)."
    )
    assert {name: q["title"] for name, q in database["queries"].items()} == {
        "figures_with_quotes": "Figures with their quotes",
        "instruments_of_a_province": "Instruments of a province, with their partners",
        "what_changed": "What changed since the previous release",
    }
    (url,) = script
    prefix = "data:text/javascript;base64,"
    assert url.startswith(prefix)
    js = base64.b64decode(url[len(prefix) :]).decode("utf-8")
    config = json.loads(re.search(r"var config = (\{.*\});", js).group(1))
    assert config["links"]["parties"] == {
        "agreement_id": "agreements",
        "org_id": "organizations",
        "source_id": "sources",
    }
    sources = {row[0]: row for row in _csv_rows(built.root, package, "sources")}
    url_at = package.resource("sources").field_names.index("url")
    assert config["urls"] == {
        "sources": {key: row[url_at] for key, row in sources.items() if row[url_at]}
    }
    assert config["text"]["agreements"] == ["title_zh", "title_en", "event", "evidence", "note"]


def _query(db: sqlite3.Connection, meta: dict[str, Any], name: str, **params: str):
    sql = meta["databases"]["gongbao"]["queries"][name]["sql"]
    cursor = db.execute(sql, params)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def test_instruments_of_a_province_lists_partners_stated_and_inferred(built: Built) -> None:
    meta = json.loads((built.out / "datasette.json").read_text(encoding="utf-8"))
    db = _datasette_db(built.out)
    try:
        by_name = _query(db, meta, "instruments_of_a_province", province="Sichuan")
        assert _query(db, meta, "instruments_of_a_province", province="四川") == by_name
        assert _query(db, meta, "instruments_of_a_province", province="510000") == by_name
        assert _query(db, meta, "instruments_of_a_province", province="") == []
    finally:
        db.close()
    parties = _csv_rows(built.root, built.package, "parties")
    organizations = _csv_rows(built.root, built.package, "organizations")
    code_at = built.package.resource("organizations").field_names.index("jurisdiction_code")
    parent = {
        j[0]: j[built.package.resource("jurisdictions").field_names.index("parent_code")]
        for j in _csv_rows(built.root, built.package, "jurisdictions")
    }

    def in_province(code: str) -> bool:  # the province itself, or a place under it
        while code:
            if code == "510000":
                return True
            code = parent.get(code, "")
        return False

    in_sichuan = {o[0] for o in organizations if in_province(o[code_at])}
    assert {"sichuan-eco-env-dept", "sichuan-natural-resources-dept"} <= in_sichuan
    sichuan = sorted({p[0] for p in parties if p[1] in in_sichuan})
    assert sorted(r["agreement_id"] for r in by_name) == sichuan
    air = next(
        r for r in by_name if r["agreement_id"] == "chengdu-chongqing-regional-air-pollution-plan"
    )
    assert air["province_parties"] == (
        "Department of Ecology and Environment of Sichuan Province [Sichuan]: participant, inferred"
    )
    assert air["partners"] == (
        "Chongqing Municipal Ecology and Environment Bureau [Chongqing]: participant, inferred"
    )
    signed = next(r for r in by_name if r["agreement_id"] == "sc-cq-air-pollution-agreement-2020")
    assert signed["province_parties"] == (
        "Department of Ecology and Environment of Sichuan Province [Sichuan]: signatory, stated"
    )
    assert signed["partners"] == (
        "Chongqing Municipal Ecology and Environment Bureau [Chongqing]: signatory, stated"
    )
    assert air["article"] == "http://difang.gmw.cn/cq/2020-04/02/content_33708588.htm"


def test_figures_with_quotes_filters_by_place_and_metric(built: Built) -> None:
    meta = json.loads((built.out / "datasette.json").read_text(encoding="utf-8"))
    db = _datasette_db(built.out)
    try:
        everything = _query(db, meta, "figures_with_quotes", place="", metric="")
        air = _query(db, meta, "figures_with_quotes", place="重庆", metric="good_air_days")
    finally:
        db.close()
    assert len(everything) == len(_csv_rows(built.root, built.package, "indicators"))
    assert air == [
        {
            "indicator_id": "cq-2019-good-air-days",
            "place": "Chongqing",
            "place_zh": "重庆市",
            "year": 2019,
            "metric": "Days with good or excellent air quality",
            "metric_zh": "空气质量优良天数",
            "value": 316,
            "value_label": None,
            "unit": "day",
            "change": None,
            "change_unit": None,
            "quote": air[0]["quote"],
            "article_title": "重庆日报 2020-04-02: “云”上达共识:生态共建环境共管",
            "article": "http://difang.gmw.cn/cq/2020-04/02/content_33708588.htm",
            "source_id": "cqrb-2020-04-02",
        }
    ]
    assert "316" in air[0]["quote"]


def test_changes_since_the_previous_release(built: Built, gongbao, package: Path, tmp_path: Path):
    """Given the previous release's zip, the database lists exactly what differs."""
    previous = built.out / f"gongbao-{built.package.version}.zip"
    line = set_cell(package / "data/indicators.csv", "note", "Reread.", metric="good_air_days")
    assert line
    note_at = built.package.resource("indicators").field_names.index("note")
    old_note = next(
        row[note_at]
        for row in _csv_rows(built.root, built.package, "indicators")
        if row[0] == "cq-2019-good-air-days"
    )
    # a mechanism type goes, with the commitments of that type (none has a party row)
    commitments = _csv_rows(built.root, built.package, "commitments")
    with_parties = {row[0] for row in _csv_rows(built.root, built.package, "commitment_parties")}
    path = package / "data/mechanism_types.csv"
    header, *rows = read_rows(path)
    removed = next(
        m[0]
        for m in rows
        if any(c[2] == m[0] for c in commitments)
        and not any(c[2] == m[0] and c[0] in with_parties for c in commitments)
    )
    gone = sorted(c[0] for c in commitments if c[2] == removed)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *(r for r in rows if r[0] != removed)])
    path.write_text(text.getvalue(), encoding="utf-8")
    path = package / "data/commitments.csv"
    header, *rows = read_rows(path)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [header, *(r for r in rows if r[0] not in gone)]
    )
    path.write_text(text.getvalue(), encoding="utf-8")
    result = gongbao(
        "release",
        package,
        "--out",
        tmp_path / "out",
        env={"GONGBAO_PREVIOUS_RELEASE": str(previous)},
    )
    assert result.code == 0, result.out + result.err
    db = sqlite3.connect(tmp_path / "out" / "gongbao.sqlite")
    try:
        changes = db.execute('SELECT * FROM "_changes" ORDER BY rowid').fetchall()
    finally:
        db.close()
    version = built.package.version
    assert gone  # the removed type was in use
    assert changes == [  # in table order, then by key
        (version, "mechanism_types", removed, "removed", None, None, None),
        *((version, "commitments", c, "removed", None, None, None) for c in gone),
        (version, "indicators", "cq-2019-good-air-days", "changed", "note", old_note, "Reread."),
    ]
    meta = json.loads((tmp_path / "out" / "datasette.json").read_text(encoding="utf-8"))
    assert meta["databases"]["gongbao"]["tables"]["_changes"]["description"].endswith(
        f"Compared with gongbao {version}: {len(changes)} change(s)."
    )


def test_a_missing_previous_release_is_a_usage_error(gongbao, package: Path, tmp_path: Path):
    result = gongbao(
        "release",
        package,
        "--out",
        tmp_path / "out",
        env={"GONGBAO_PREVIOUS_RELEASE": str(tmp_path / "nowhere.zip")},
    )
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"gongbao: error: GONGBAO_PREVIOUS_RELEASE={tmp_path / 'nowhere.zip'}: no such file or "
        "directory\n"
    )
    assert not (tmp_path / "out").exists()


# -- Excel ------------------------------------------------------------------------------------


def _cells(book: Any, sheet: str, column: str, value: Any) -> dict[str, Any]:
    """The cells, by column name, of the one row of a sheet whose column holds value."""
    rows = list(book[sheet].iter_rows())
    header = [c.value for c in rows[0]]
    (row,) = [r for r in rows[1:] if r[header.index(column)].value == value]
    return dict(zip(header, row, strict=True))


LABELS = {  # the grey label columns: table -> [(label column, after code column)]
    "sources": [],
    "levels": [],
    "division_types": [("level_label_en", "level")],
    "jurisdictions": [
        ("parent_name_en", "parent_code"),
        ("level_label_en", "level"),
        ("division_type_label_en", "division_type"),
    ],
    "regions": [("parent_region_label_en", "parent_region_id")],
    "region_members": [
        ("region_label_en", "region_id"),
        ("jurisdiction_name_en", "jurisdiction_code"),
        ("source_title_en", "source_id"),
    ],
    "org_types": [],
    "organizations": [
        ("org_type_label_en", "org_type"),
        ("level_label_en", "level"),
        ("jurisdiction_name_en", "jurisdiction_code"),
        ("region_label_en", "region_id"),
        ("parent_org_name_en", "parent_org_id"),
        ("source_title_en", "source_id"),
    ],
    "organization_aliases": [("org_name_en", "org_id"), ("source_title_en", "source_id")],
    "memberships": [
        ("body_org_name_en", "body_org_id"),
        ("member_org_name_en", "member_org_id"),
        ("source_title_en", "source_id"),
    ],
    "instrument_types": [],
    "agreements": [
        ("instrument_type_label_en", "instrument_type"),
        ("region_label_en", "region_id"),
        ("parent_agreement_title_en", "parent_agreement_id"),
        ("source_title_en", "source_id"),
    ],
    "agreement_events": [("agreement_title_en", "agreement_id"), ("source_title_en", "source_id")],
    "agreement_scope": [
        ("agreement_title_en", "agreement_id"),
        ("jurisdiction_name_en", "jurisdiction_code"),
        ("source_title_en", "source_id"),
    ],
    "collective_terms": [],
    "parties": [
        ("agreement_title_en", "agreement_id"),
        ("org_name_en", "org_id"),
        ("source_title_en", "source_id"),
    ],
    "mechanism_types": [],
    "commitments": [
        ("agreement_title_en", "agreement_id"),
        ("mechanism_label_en", "mechanism"),
        ("source_title_en", "source_id"),
    ],
    "commitment_parties": [("org_name_en", "org_id"), ("source_title_en", "source_id")],
    "metrics": [],
    "targets": [
        ("agreement_title_en", "agreement_id"),
        ("metric_label_en", "metric"),
        ("source_title_en", "source_id"),
    ],
    "indicators": [
        ("jurisdiction_name_en", "jurisdiction_code"),
        ("metric_label_en", "metric"),
        ("source_title_en", "source_id"),
    ],
}


def _sheet_header(resource) -> list[str]:
    after = {code: label for label, code in LABELS[resource.name]}
    return [n for f in resource.field_names for n in ([f, after[f]] if f in after else [f])]


def test_xlsx_sheets_hold_every_cell_typed(built: Built) -> None:
    package = built.package
    book = load_workbook(built.out / "gongbao.xlsx")
    assert book.sheetnames == ["about", "columns", *package.resources]
    for name, resource in package.resources.items():
        sheet = book[name]
        rows = list(sheet.iter_rows())
        header = [c.value for c in rows[0]]
        assert header == _sheet_header(resource), name
        data = [header.index(f) for f in resource.field_names]
        assert [[_plain(row[i].value) for i in data] for row in rows[1:]] == _as_stored(
            package, name, _csv_rows(built.root, package, name)
        ), name
        for row in rows[1:]:
            for i, field in zip(data, resource.fields, strict=True):
                cell = row[i]
                if cell.value is not None or field.type == "string":  # text: even when empty
                    assert cell.number_format == field.kind.excel_format, (name, cell.coordinate)
                if cell.value is not None:
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
    deadline_at = package.resource("targets").field_names.index("deadline")
    target = next(t for t in _csv_rows(built.root, package, "targets") if t[deadline_at])
    deadline = _cells(book, "targets", "target_id", target[0])["deadline"]
    assert (deadline.value, deadline.data_type, deadline.number_format) == (
        dt.datetime.fromisoformat(
            target[package.resource("targets").field_names.index("deadline")]
        ),
        "d",
        "yyyy-mm-dd",
    )


def test_xlsx_english_labels_beside_codes(built: Built) -> None:
    book = load_workbook(built.out / "gongbao.xlsx")
    figure = _cells(book, "indicators", "indicator_id", "cq-2019-good-air-days")
    assert [
        (figure[c].value, figure[c].number_format, figure[c].fill.start_color.rgb)
        for c in ("jurisdiction_code", "jurisdiction_name_en", "metric", "metric_label_en")
    ] == [
        ("500000", "@", "00000000"),
        ("Chongqing", "@", "00F2F2F2"),
        ("good_air_days", "@", "00000000"),
        ("Days with good or excellent air quality", "@", "00F2F2F2"),
    ]
    assert book["indicators"]["C1"].font.italic  # jurisdiction_name_en: derived
    party = _cells(book, "organizations", "org_id", "sichuan-eco-env-dept")
    assert party["jurisdiction_name_en"].value == "Sichuan"
    sheet = list(book["parties"].iter_rows(values_only=True))
    at = sheet[0].index("org_id")
    assert sheet[0][at + 1] == "org_name_en"
    assert {row[at + 1] for row in sheet[1:] if row[at] == "sichuan-eco-env-dept"} == {
        "Department of Ecology and Environment of Sichuan Province"
    }
    top = _cells(book, "jurisdictions", "code", "100000")
    assert (top["parent_code"].value, top["parent_name_en"].value) == (None, None)
    assert top["parent_name_en"].number_format == "@"  # typing into it later gives text


def test_xlsx_text_columns_stay_text_and_read_comfortably(built: Built) -> None:
    book = load_workbook(built.out / "gongbao.xlsx")
    sheet = book["jurisdictions"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:L{sheet.max_row}"
    assert sheet.column_dimensions["A"].number_format == "@"  # the code column's style

    # the widest value or header + 2, at least 8, at most 50; a Chinese character counts 2
    def shown(value: Any) -> int:
        text = "" if value is None else str(value)
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    columns = list(sheet.iter_cols(values_only=True))
    expected = {
        get_column_letter(i): min(50, max(8, 2 + max(shown(v) for v in column)))
        for i, column in enumerate(columns, start=1)
    }
    assert {k: round(d.width) for k, d in sheet.column_dimensions.items() if d.width} == expected
    assert expected["A"] == 8  # code: 6 digits, at least 8
    assert expected["B"] >= 16  # name_zh: 中华人民共和国 is 7 wide characters, 14 columns, + 2
    agreements = book["agreements"]
    header = [c.value for c in agreements[1]]
    evidence = agreements.column_dimensions[chr(ord("A") + header.index("evidence"))]
    assert evidence.width == 50  # long quotes stop at the limit
    with zipfile.ZipFile(built.out / "gongbao.xlsx") as archive:
        # the about and columns sheets come first
        number = list(book.sheetnames).index("jurisdictions") + 1
        xml = archive.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")
    rows = sheet.max_row
    text = " ".join(f"{c}2:{c}{rows}" for c in "ABCDEFGHIJKL")  # every column holds text
    assert xml.endswith(
        f'<ignoredErrors><ignoredError sqref="{text}" numberStoredAsText="1"/></ignoredErrors>'
        "</worksheet>"
    )


def test_xlsx_about_and_columns_sheets(built: Built) -> None:
    package = built.package
    book = load_workbook(built.out / "gongbao.xlsx")
    about = [[c.value for c in row] for row in book["about"].iter_rows()]
    release = f"https://github.com/gongbao-data/gongbao/releases/tag/v{package.version}"
    assert about[:9] == [
        ["about", "value"],
        ["title", package.title],
        ["version", package.version],
        ["released", "2026-11-22"],
        ["description", package.descriptor["description"]],
        ["license", "CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/)"],
        ["authors", "gongbao contributors"],
        [
            "cite as",
            f"gongbao contributors (2026). {package.title}. Version {package.version}, "
            f"released 2026-11-22. {release}",
        ],
        ["url", release],
    ]
    assert about[-len(package.resources) :] == [
        [name, resource.description] for name, resource in package.resources.items()
    ]
    columns = [[c.value for c in row] for row in book["columns"].iter_rows()]
    expected = [
        ["table", "column", "position", "type", "required", "constraints / values", "description"]
    ]
    for name, resource in package.resources.items():
        labels = {label: code for label, code in LABELS[name]}
        for position, column in enumerate(_sheet_header(resource), start=1):
            if column in labels:
                code = labels[column]
                target = next(fk.resource for fk in resource.foreign_keys if fk.fields == [code])
                description = (
                    f"English name of {code} (from {target}.{column.rsplit('_', 2)[-2]}_en); "
                    "for reading only, not in the CSV files."
                )
                expected.append([name, column, position, "string", "no", None, description])
                continue
            f = resource.field(column)
            expected.append(
                [
                    name,
                    f.name,
                    position,
                    f.type,
                    "yes" if f.required else "no",
                    constraint_text(f, resource=resource) or None,
                    f.description or None,
                ]
            )
    assert columns == expected


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
