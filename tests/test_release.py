"""Release files: reproducible, and each one holds exactly the package's tables."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from gongbao import release
from gongbao.loaders import TableData


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path]]:
    """A scratch copy of the package (data may change under the checkout) and its release."""
    from conftest import copy_package

    base = tmp_path_factory.mktemp("release")
    package = copy_package(base / "pkg")
    out = base / "out"
    return package, out, release.build(package, out)


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))[1:]


def _names(package: Path) -> list[str]:
    return TableData(package).table_names()


def test_building_twice_gives_identical_bytes(built, tmp_path: Path) -> None:
    package, out, written = built
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.run(
        [sys.executable, "-m", "gongbao.release", str(package), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    again = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    first = sorted(p.relative_to(out) for p in written)
    assert again == first
    for relative in first:
        assert (out / relative).read_bytes() == (tmp_path / relative).read_bytes(), relative
    expected = {
        f"gongbao-{TableData(package).version}.zip",
        "gongbao.sqlite",
        "datasette.json",
        "gongbao.xlsx",
    } | {f"excel/{n}.csv" for n in _names(package)}
    assert {p.as_posix() for p in first} == expected


def test_source_date_epoch_sets_the_timestamps(built, tmp_path: Path, monkeypatch) -> None:
    package, _, _ = built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    release.build(package, tmp_path)
    with zipfile.ZipFile(tmp_path / f"gongbao-{TableData(package).version}.zip") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    book = load_workbook(tmp_path / "gongbao.xlsx")
    assert book.properties.created.year == book.properties.modified.year == 2026


def test_zip_descriptor_has_bytes_and_hash_of_every_file(built) -> None:
    package, out, _ = built
    data = TableData(package)
    with zipfile.ZipFile(out / f"gongbao-{data.version}.zip") as zf:
        descriptor = json.loads(zf.read("datapackage.json"))
        assert [r["name"] for r in descriptor["resources"]] == data.table_names()
        for resource in descriptor["resources"]:
            member = zf.read(resource["path"])
            assert member == (package / resource["path"]).read_bytes()
            assert resource["bytes"] == len(member)
            assert resource["hash"] == "sha256:" + hashlib.sha256(member).hexdigest()
            assert zf.read(resource["schema"]) == (package / resource["schema"]).read_bytes()
        assert zf.namelist()[0] == "datapackage.json"
    original = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        del resource["bytes"], resource["hash"]
    assert descriptor == original


def test_zip_validates_with_frictionless(built) -> None:
    import frictionless

    package, out, _ = built
    report = frictionless.Package(str(out / f"gongbao-{TableData(package).version}.zip")).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "type", "note"])[:10]


def test_sqlite_tables_keys_and_rows(built) -> None:
    package, out, _ = built
    data = TableData(package)
    db = sqlite3.connect(out / "gongbao.sqlite")
    try:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        for name in data.table_names():
            rows = _csv_rows(package / data.resource(name)["path"])
            assert db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(rows), name
            info = db.execute(f'PRAGMA table_info("{name}")').fetchall()
            assert [c[1] for c in info] == [f["name"] for f in data.fields(name)]
            pk = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5] > 0]
            assert pk == data.primary_key(name), name
            declared = {}
            for _, seq, table, column, to, *_ in db.execute(f'PRAGMA foreign_key_list("{name}")'):
                declared.setdefault(table, []).append((seq, column, to))
            expected = {}
            for fk in data.foreign_keys(name):
                expected.setdefault(fk["resource"], []).extend(
                    enumerate(zip(fk["fields"], fk["reference_fields"], strict=True))
                )
            assert {t: sorted((s, c, to) for s, c, to in v) for t, v in declared.items()} == {
                t: sorted((s, c, to) for s, (c, to) in v) for t, v in expected.items()
            }, name
        codes = db.execute('SELECT code, typeof(code) FROM "jurisdictions"').fetchall()
        assert {t for _, t in codes} == {"text"}
        assert ("500000", "text") in codes
        years = db.execute('SELECT DISTINCT typeof(year) FROM "indicators"').fetchall()
        assert set(years) <= {("integer",)}
        values = db.execute('SELECT value, typeof(value) FROM "indicators"').fetchall()
        assert (42, "integer") in values and (97.6, "real") in values  # 42 is not shown as 42.0
        assert {t for _, t in values} <= {"integer", "real", "null"}
        documented = db.execute(
            'SELECT table_name, column_name, description FROM "_columns"'
        ).fetchall()
        assert len(documented) == sum(len(data.fields(n)) for n in data.table_names())
        assert all(description for _, _, description in documented)
        counts = dict(db.execute('SELECT table_name, row_count FROM "_tables"').fetchall())
        assert counts == {
            n: len(_csv_rows(package / data.resource(n)["path"])) for n in data.table_names()
        }
    finally:
        db.close()


def test_datasette_metadata_documents_every_column(built) -> None:
    package, out, _ = built
    data = TableData(package)
    meta = json.loads((out / "datasette.json").read_text(encoding="utf-8"))
    assert meta["license"] and meta["license_url"].startswith("https://creativecommons.org/")
    assert meta["source"] and meta["title"]
    tables = meta["databases"]["gongbao"]["tables"]
    for name in data.table_names():
        assert tables[name]["description"]
        assert list(tables[name]["columns"]) == [f["name"] for f in data.fields(name)]
    assert {"_tables", "_columns"} <= set(tables)


def test_xlsx_rows_and_text_codes(built) -> None:
    package, out, _ = built
    data = TableData(package)
    book = load_workbook(out / "gongbao.xlsx")
    assert book.sheetnames == ["about", "columns", *data.table_names()]
    for name in data.table_names():
        sheet = book[name]
        rows = _csv_rows(package / data.resource(name)["path"])
        header = [c.value for c in sheet[1]]
        assert header == [f["name"] for f in data.fields(name)]
        assert sheet.max_row - 1 == len(rows), name
        for field_index, field in enumerate(data.fields(name)):
            if field.get("type", "string") != "string":
                continue
            for row_index, row in enumerate(rows, start=2):
                cell = sheet.cell(row=row_index, column=field_index + 1)
                if row[field_index]:
                    assert cell.data_type == "s" and cell.value == row[field_index]
    codes = [c.value for c in book["jurisdictions"]["A"][1:]]
    assert all(isinstance(code, str) and len(code) == 6 for code in codes)
    assert "500000" in codes
    columns = book["columns"]
    assert columns.max_row - 1 == sum(len(data.fields(n)) for n in data.table_names())
    years = [c.value for c in book["indicators"]["D"][1:]]
    assert all(isinstance(y, int) for y in years if y is not None)


def test_excel_csvs_are_the_canonical_files_with_a_bom(built) -> None:
    package, out, _ = built
    data = TableData(package)
    for name in data.table_names():
        copy = (out / "excel" / f"{name}.csv").read_bytes()
        assert copy.startswith(b"\xef\xbb\xbf")
        assert copy[3:] == (package / data.resource(name)["path"]).read_bytes()


def test_not_a_package_is_an_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gongbao.release", str(tmp_path), str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "no datapackage.json" in proc.stderr


def test_a_broken_foreign_key_stops_the_release(package: Path, tmp_path: Path) -> None:
    path = package / "data" / "parties.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(csv.reader([lines[1]]))
    first[1] = "no-such-organization"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(first)
    lines[1] = out.getvalue().rstrip("\n")
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    with pytest.raises(release.ReleaseError, match="foreign-key"):
        release.build(package, tmp_path / "out")
