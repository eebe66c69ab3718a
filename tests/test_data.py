"""gongbao.load: every table, typed from its Table Schema by the type registry, no value lost,
and a damaged file refused with its file and line."""

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
from gongbao.data import DataError, UnknownTableError, open_package

from conftest import PACKAGE_PARTS, REPO
from csvedit import read_rows

SHIPPED = open_package()
NAMES = list(SHIPPED.resources)
DATE_DTYPE = "datetime64[ms]"
STRING = pd.StringDtype("pyarrow")


def _fields(name: str) -> list[dict]:
    return [f.raw for f in SHIPPED.resources[name].fields]


def _raw_rows(name: str) -> list[list[str]]:
    text = SHIPPED.resources[name].source.read_bytes().decode("utf-8")
    return [r for r in csv.reader(io.StringIO(text, newline=""))][1:]


def _vocabulary(name: str, field: str) -> list[str] | None:
    """The codes of the vocabulary table a field's foreign key points into (a table with a
    one-field key and an English label), in rank order where it has one; None otherwise."""
    resource = SHIPPED.resources[name]
    for fk in resource.foreign_keys:
        target = SHIPPED.resources[fk.resource]
        if fk.fields != [field] or len(target.primary_key) != 1:
            continue
        if "label_en" not in target.field_names:
            continue
        header = [f.name for f in target.fields]
        rows = _raw_rows(fk.resource)
        if "rank" in header:
            at = header.index("rank")
            rows.sort(key=lambda r: (r[at] == "", int(r[at] or 0)))
        return [r[header.index(target.primary_key[0])] for r in rows]
    return None


def test_tables_are_the_descriptor_resources(repo: Path) -> None:
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert gongbao.tables() == [r["name"] for r in descriptor["resources"]]
    assert len(NAMES) == 22


@pytest.mark.parametrize("name", NAMES)
def test_every_table_loads_with_schema_dtypes(name: str) -> None:
    df = gongbao.load(name)
    fields = _fields(name)
    assert list(df.columns) == [f["name"] for f in fields]
    assert len(df) == len(_raw_rows(name))
    for field in fields:
        dtype = df[field["name"]].dtype
        kind = field.get("type", "string")
        vocabulary = _vocabulary(name, field["name"])
        if field.get("categories"):
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == field["categories"]
            assert dtype.ordered == bool(field.get("categoriesOrdered", False))
        elif vocabulary is not None:  # a foreign key into a vocabulary table
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == vocabulary
            assert not dtype.ordered
        elif kind == "string":
            assert dtype == STRING, field["name"]
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
        for field, text in zip(_fields(name), row, strict=True):
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
    assert codes.dtype == STRING
    assert codes.str.fullmatch(r"[0-9]{6}|[0-9]{9}").all()
    raw = [row[0] for row in _raw_rows("jurisdictions")]
    assert codes.tolist() == raw
    assert "500000" in raw
    if "429021" in raw:  # Shennongjia, a county-level unit directly under Hubei
        assert "429021" in codes.tolist()
    for table in ("organizations", "indicators"):
        values = gongbao.load(table)["jurisdiction_code"].dropna()
        assert values.dtype == STRING
        assert values.str.fullmatch(r"[0-9]{6}").all()


def test_water_classes_are_ordered_and_levels_follow_their_rank() -> None:
    classes = gongbao.load("targets")["value_label"]
    assert classes.cat.ordered
    assert list(classes.cat.categories) == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
    probe = pd.Series(["劣Ⅴ", "Ⅱ", "Ⅴ", "Ⅰ"], dtype=classes.dtype)
    assert list(probe.sort_values()) == ["Ⅰ", "Ⅱ", "Ⅴ", "劣Ⅴ"]
    assert (probe > "Ⅲ").tolist() == [True, False, True, False]
    levels = gongbao.load("jurisdictions")["level"]
    assert not levels.cat.ordered  # functional_area has no rank
    assert list(levels.cat.categories) == [
        "national",
        "province",
        "prefecture",
        "county",
        "township",
        "functional_area",
    ]
    assert (gongbao.load("jurisdictions").query("code == '429021'")["level"] == "county").all()


def test_a_new_vocabulary_row_is_a_new_category(package: Path) -> None:
    """Extending a vocabulary is a new row: the loader's categories follow the table."""
    path = package / "data" / "org_types.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("port_authority,港口管理局,port authority,port-authority,A port authority.\n")
    org_type = gongbao.load("organizations", package)["org_type"]
    assert "port_authority" in list(org_type.cat.categories)


def test_agreement_date_stays_a_reduced_precision_string() -> None:
    agreements = gongbao.load("agreements")
    assert agreements["date"].dtype == STRING
    pattern = re.compile(r"([0-9]{4}|XXXX)(-[0-9]{2}(-[0-9]{2})?)?")
    assert all(pattern.fullmatch(d) for d in agreements["date"].dropna())
    header, *rows = read_rows(REPO / "data" / "agreements.csv")
    written = sorted(row[header.index("date")] for row in rows if row[header.index("date")])
    assert sorted(agreements["date"].dropna()) == written  # as written: 2018 stays 2018
    assert {"2018", "2020-09", "2020-04-01"} <= set(written)  # a year, a month, a day
    # every instrument sits on a timeline: its latest date is always known
    assert agreements["date_latest"].notna().all()
    assert agreements["date_latest"].dtype == DATE_DTYPE


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


def test_a_stray_category_is_refused_not_lost(package: Path) -> None:
    path = package / "data" / "targets.csv"
    text = path.read_text(encoding="utf-8")
    assert ",Ⅱ," in text
    path.write_text(text.replace(",Ⅱ,", ",II,", 1), encoding="utf-8", newline="")
    with pytest.raises(DataError) as info:
        gongbao.load("targets", package)
    assert str(info.value) == "data/targets.csv: value_label: value(s) outside its categories: 'II'"


def test_load_reads_any_package_directory_descriptor_or_zip(package: Path, tmp_path: Path) -> None:
    expected = gongbao.load("indicators")
    pd.testing.assert_frame_equal(gongbao.load("indicators", package), expected)
    pd.testing.assert_frame_equal(
        gongbao.load("indicators", package / "datapackage.json"), expected
    )
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(package.rglob("*")):
            if path.is_file():
                zf.write(path, Path("gongbao-0.1.0") / path.relative_to(package))
    pd.testing.assert_frame_equal(gongbao.load("indicators", archive), expected)
    assert gongbao.tables(archive) == NAMES


def _replace(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


def test_a_short_row_is_refused_with_its_line(package: Path) -> None:
    path = package / "data" / "metrics.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[3] = rows[3][:-1]  # one cell missing on line 4
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    with pytest.raises(DataError) as info:
        gongbao.load("metrics", package)
    assert str(info.value) == (
        "data/metrics.csv:4: -: ragged-row: row has 6 cells, the header has 7 (check for a "
        "missing or extra comma; quote cells that contain commas)"
    )


def test_a_file_truncated_mid_row_is_refused(package: Path) -> None:
    path = package / "data" / "targets.csv"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"\n", data.index(b"\n") + 1) + 40])
    with pytest.raises(DataError) as info:
        gongbao.load("targets", package)
    assert str(info.value).splitlines() == [
        "data/targets.csv:3: -: trailing-newline: the last line has no newline (add a newline "
        "after the last row ('gongbao fmt' does it))",
        "data/targets.csv:3: -: ragged-row: row has 1 cells, the header has 12 (check for a "
        "missing or extra comma; quote cells that contain commas)",
    ]


def test_a_legacy_encoding_is_refused_with_its_line(package: Path) -> None:
    path = package / "data" / "targets.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(DataError) as info:
        gongbao.load("targets", package)
    assert str(info.value).startswith("data/targets.csv:2: -: encoding: byte 0x")
    assert "it decodes as GB18030/GBK" in str(info.value)


def test_a_value_of_the_wrong_type_is_refused(package: Path) -> None:
    _replace(package / "data" / "indicators.csv", b",316,", b",316\xe5\xa4\xa9,")
    with pytest.raises(DataError) as info:
        gongbao.load("indicators", package)
    line = (package / "data" / "indicators.csv").read_text(encoding="utf-8").split("\n")
    number = next(n for n, text in enumerate(line, 1) if ",316天," in text)
    assert str(info.value) == f"data/indicators.csv:{number}: value: type: '316天' is not a number"


def test_load_and_validate_agree_on_signs_specials_booleans_and_missing_values(
    package: Path, validate
) -> None:
    """+5 and NaN are numbers (Table Schema), a boolean field is typed, missingValues honoured."""
    indicators = package / "data" / "indicators.csv"
    _replace(indicators, b",316,", b",+316,")
    metrics = package / "data" / "metrics.csv"
    _replace(metrics, b",count,0,,", b",count,0,NaN,")
    schema_path = package / "schemas" / "metrics.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["missingValues"] = ["", "NA"]
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    text = metrics.read_text(encoding="utf-8").split("\n")
    text[1] = text[1].replace(",grade,,,", ",grade,NA,NA,", 1)
    metrics.write_text("\n".join(text), encoding="utf-8", newline="")
    assert validate(package).errors == []
    figures = gongbao.load("indicators", package)
    chongqing = figures[
        (figures.metric == "good_air_days") & (figures.jurisdiction_code == "500000")
    ]
    assert chongqing["value"].tolist() == [316.0]  # +316 is the number 316
    loaded = gongbao.load("metrics", package)
    assert loaded.loc[0, "unit"] == "grade"  # the row whose NA markers were written
    assert pd.isna(loaded.loc[0, "minimum"]) and pd.isna(loaded.loc[0, "maximum"])
    sections = loaded.loc[loaded.metric == "assessed_water_sections", "maximum"].iloc[0]
    assert pd.isna(sections)  # NaN as written (pandas 3 folds NaN into <NA> in Float64)
    assert not pd.isna(loaded.loc[loaded.metric == "assessed_water_sections", "minimum"]).any()


def test_a_zipped_install_loads(tmp_path: Path) -> None:
    """The package imported from a zip (zipimport): data read as bytes, package() materialised."""
    installed = Path(gongbao.__file__).parent
    archive = tmp_path / "gongbao.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(installed.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and "package" not in path.parts:
                zf.write(path, Path("gongbao") / path.relative_to(installed))
        for part in PACKAGE_PARTS:  # the data, where the wheel puts it
            for path in [REPO / part, *sorted((REPO / part).rglob("*"))]:
                if path.is_file():
                    zf.write(path, Path("gongbao/package") / path.relative_to(REPO))
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
