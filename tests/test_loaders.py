"""gongbao.load: every shipped table, typed from its Table Schema, no value lost."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import gongbao
from gongbao.loaders import (
    DATE_DTYPE,
    SchemaMismatchError,
    TableData,
    UnknownTableError,
    open_package,
)

SHIPPED = open_package()
NAMES = SHIPPED.table_names()


def _raw_rows(name: str) -> list[list[str]]:
    text = SHIPPED.raw_bytes(name).decode("utf-8")
    return [r for r in csv.reader(io.StringIO(text, newline=""))][1:]


def test_tables_are_the_descriptor_resources(repo: Path) -> None:
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert gongbao.tables() == [r["name"] for r in descriptor["resources"]]
    assert len(NAMES) == 10


@pytest.mark.parametrize("name", NAMES)
def test_every_table_loads_with_schema_dtypes(name: str) -> None:
    df = gongbao.load(name)
    fields = SHIPPED.fields(name)
    assert list(df.columns) == [f["name"] for f in fields]
    assert len(df) == len(_raw_rows(name))
    for field in fields:
        dtype = df[field["name"]].dtype
        kind = field.get("type", "string")
        if field.get("categories"):
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == field["categories"]
            assert dtype.ordered == bool(field.get("categoriesOrdered", False))
        elif kind == "string":
            assert dtype == pd.StringDtype(na_value=pd.NA), field["name"]
        elif kind in ("integer", "year"):
            assert dtype == pd.Int64Dtype(), field["name"]
        elif kind == "number":
            assert dtype == pd.Float64Dtype(), field["name"]
        elif kind == "date":
            assert dtype == DATE_DTYPE, field["name"]


@pytest.mark.parametrize("name", NAMES)
def test_no_value_is_lost(name: str) -> None:
    """Every cell of the CSV round-trips: text equal, numbers equal, empty exactly when missing."""
    df = gongbao.load(name)
    for i, row in enumerate(_raw_rows(name)):
        for field, text in zip(SHIPPED.fields(name), row, strict=True):
            value = df[field["name"]].iloc[i]
            if text == "":
                assert pd.isna(value), (name, i, field["name"])
                continue
            kind = field.get("type", "string")
            if kind in ("integer", "year"):
                assert value == int(text)
            elif kind == "number":
                assert value == float(text)
            elif kind == "date":
                assert value == pd.Timestamp(text)
            else:
                assert str(value) == text, (name, i, field["name"])


def test_codes_keep_leading_digits() -> None:
    codes = gongbao.load("jurisdictions")["code"]
    assert codes.dtype == pd.StringDtype(na_value=pd.NA)
    assert codes.str.fullmatch(r"[0-9]{6}").all()
    raw = [row[0] for row in _raw_rows("jurisdictions")]
    assert codes.tolist() == raw
    assert "500000" in raw
    if "429021" in raw:  # Shennongjia, a county-level unit directly under Hubei
        assert "429021" in codes.tolist()
    for table in ("organizations", "indicators"):
        values = gongbao.load(table)["jurisdiction_code"].dropna()
        assert values.dtype == pd.StringDtype(na_value=pd.NA)
        assert values.str.fullmatch(r"[0-9]{6}").all()


def test_water_classes_and_levels_are_ordered() -> None:
    classes = gongbao.load("targets")["value_label"]
    assert classes.cat.ordered
    assert list(classes.cat.categories) == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
    probe = pd.Series(["劣Ⅴ", "Ⅱ", "Ⅴ", "Ⅰ"], dtype=classes.dtype)
    assert list(probe.sort_values()) == ["Ⅰ", "Ⅱ", "Ⅴ", "劣Ⅴ"]
    assert (probe > "Ⅲ").tolist() == [True, False, True, False]
    levels = gongbao.load("jurisdictions")["level"]
    assert levels.cat.ordered
    assert list(levels.cat.categories) == ["national", "province", "prefecture", "county"]
    assert (levels.dropna() >= "national").all()


def test_agreement_date_stays_a_reduced_precision_string() -> None:
    agreements = gongbao.load("agreements")
    assert agreements["date"].dtype == pd.StringDtype(na_value=pd.NA)
    pattern = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
    assert all(pattern.fullmatch(d) for d in agreements["date"].dropna())
    lengths = {"day": 10, "month": 7, "year": 4}
    for date, precision in zip(agreements["date"], agreements["date_precision"], strict=True):
        if precision in lengths:
            assert len(date) == lengths[precision]


def test_unknown_table_lists_the_names() -> None:
    with pytest.raises(UnknownTableError) as info:
        gongbao.load("agreement")
    message = str(info.value)
    assert "agreement" in message
    for name in NAMES:
        assert name in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def test_package_is_a_frictionless_package() -> None:
    pkg = gongbao.package()
    assert pkg.resource_names == NAMES
    rows = pkg.get_resource("jurisdictions").read_rows()
    assert {str(r["code"]) for r in rows} == set(gongbao.load("jurisdictions")["code"])


def test_a_stray_category_is_refused_not_lost(tmp_path: Path, package: Path) -> None:
    path = package / "data" / "targets.csv"
    text = path.read_text(encoding="utf-8")
    assert ",Ⅱ," in text
    path.write_text(text.replace(",Ⅱ,", ",II,", 1), encoding="utf-8", newline="")
    with pytest.raises(SchemaMismatchError, match="value_label"):
        TableData(package).frame("targets")


def test_a_zipped_install_loads(tmp_path: Path) -> None:
    """The package imported from a zip (zipimport): data read as bytes, package() materialised."""
    installed = Path(gongbao.__file__).parent
    archive = tmp_path / "gongbao.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(installed.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, Path("gongbao") / path.relative_to(installed))
    script = (
        "import json, gongbao\n"
        "assert '.zip' in gongbao.__file__, gongbao.__file__\n"
        "shapes = {n: list(gongbao.load(n).shape) for n in gongbao.tables()}\n"
        "pkg = gongbao.package()\n"
        "rows = len(pkg.get_resource('jurisdictions').read_rows())\n"
        "print(json.dumps({'shapes': shapes, 'version': gongbao.__version__, 'rows': rows}))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(archive))
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["version"] == gongbao.__version__
    assert result["shapes"] == {n: list(gongbao.load(n).shape) for n in NAMES}
    assert result["rows"] == len(gongbao.load("jurisdictions"))
