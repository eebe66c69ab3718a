"""``gongbao-X.Y.Z.zip``: everything a reader needs, in one folder ``gongbao-X.Y.Z/``.

The folder holds the data package as published (datapackage.json gains ``bytes`` and
``hash``, ``sha256:<hex>``, the Data Package v2 form, for every resource; the Table Schemas
and CSVs go in as they are), the Excel files (``gongbao.xlsx``, ``excel/*.csv``), the
license, changelog, citation and charts, and ``README.txt``: what each file is and how to
open it, written for people who do not program (the repository's README is for developers).
One top-level folder, so that unzipping never scatters files; ``gongbao validate``,
``gongbao.load`` and ``frictionless validate gongbao-X.Y.Z/datapackage.json`` read it.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from ..tableschema.package import DESCRIPTOR, Package, child
from .common import (
    citation,
    contributors,
    first_license,
    package_description,
    project_url,
    read_cells,
    reproducible_zip,
    sha256,
    write,
)

README = "README.txt"
DOCUMENTS = (
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
    "CITATION.cff",
    "docs/img/agreements-timeline.svg",
    "docs/img/cooperation-network.svg",
    "docs/img/indicators.svg",
)
# What each file is, for README.txt (the tables and Excel files are described from the package).
FILE_NOTES = {
    "gongbao.xlsx": "Every table in one Excel workbook. Start with the sheet 'about' (what "
    "the data is, how to cite it), then 'columns' (what every column means), then one sheet "
    "per table. Codes are text; English names sit beside them in grey columns.",
    "excel/": "Each table as a CSV file for Excel (UTF-8 with a byte-order mark, so Chinese "
    "shows correctly when you double-click one).",
    "data/": "The same tables as plain CSV files (UTF-8 without a byte-order mark): for R, "
    "Python, databases and version control.",
    DESCRIPTOR: "Describes every table: its columns, their types and allowed values, and how "
    "tables link (a Frictionless Data Package). schemas/ holds one Table Schema per table.",
    "docs/img/": "Charts drawn from the data (SVG: open them in a web browser).",
    "CHANGELOG.md": "What changed in each version.",
    "CITATION.cff": "How to cite this dataset, in a form reference managers read.",
    "LICENSE-DATA": "The data's license. LICENSE is the license of the code.",
}


def folder(package: Package) -> str:
    return f"{package.name}-{package.version}"


def build(
    package: Package, directory: Path, when: dt.datetime, spreadsheets: Sequence[str] = ()
) -> list[str]:
    """Write the zip; spreadsheets are release files already in directory to put in it."""
    extra = [(name, (directory / name).read_bytes()) for name in spreadsheets]
    name, data = package_zip(package, when, extra)
    return [write(directory, name, data)]


def package_zip(
    package: Package, when: dt.datetime, spreadsheets: Sequence[tuple[str, bytes]] = ()
) -> tuple[str, bytes]:
    """The zip's name and bytes: descriptor and README first, then the documents, the
    spreadsheets, schemas and data in path order (a fixed order: reproducible bytes)."""
    top = folder(package)
    descriptor = copy.deepcopy(package.descriptor)
    members: dict[str, bytes] = {}
    for entry in descriptor["resources"]:
        resource = package.resources[entry["name"]]
        raw = resource.source.read_bytes()
        entry["bytes"] = len(raw)
        entry["hash"] = f"sha256:{sha256(raw)}"
        members[resource.path] = raw
        if isinstance(entry.get("schema"), str):
            members[resource.schema_path] = child(package.root, resource.schema_path).read_bytes()
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    ordered = [
        (DESCRIPTOR, text.encode("utf-8")),
        (README, readme(package, [n for n, _ in spreadsheets]).encode("utf-8")),
    ]
    for extra in DOCUMENTS:
        document = child(package.root, extra)
        if document.is_file():
            ordered.append((extra, document.read_bytes()))
    ordered += list(spreadsheets)
    ordered += sorted(members.items())
    return f"{top}.zip", reproducible_zip([(f"{top}/{n}", d) for n, d in ordered], when)


def readme(package: Package, spreadsheets: Sequence[str]) -> str:
    """README.txt: what the data is, what each file is, how to open it, how to cite it."""
    license_name, license_title, license_url = first_license(package)
    lines = [
        f"{package.title}",
        f"Version {package.version}",
        "",
        *_wrap(package_description(package)),
        "",
        "WHAT IS IN THIS FOLDER",
        "",
    ]
    shown = [n for n in FILE_NOTES if n not in ("gongbao.xlsx", "excel/") or _has(spreadsheets, n)]
    for name in shown:
        lines += _wrap(FILE_NOTES[name], first=f"  {name:<17} ", rest=" " * 20)
    lines += ["", "THE TABLES", ""]
    for name, resource in package.resources.items():
        rows = len(read_cells(resource))
        lines += _wrap(resource.description, first=f"  {name} ({rows} rows): ", rest="    ")
    lines += [
        "",
        "OPENING THE CSV FILES IN EXCEL",
        "",
        *_wrap(
            "Double-click a file in excel/ (or open gongbao.xlsx). To open a file of data/ "
            "instead, use Data > From Text/CSV, choose the file origin '65001: Unicode "
            f"(UTF-8)', and set the columns of codes made of digits ({_digit_codes(package)}) "
            "to Text, so that a code such as 500000 stays a code and is not turned into a "
            "number. Keep dates as text too: agreements.date is written at the precision the "
            "source gives (2018, 2020-04, 2020-04-01).",
            first="  ",
            rest="  ",
        ),
        "",
        "HOW TO CITE",
        "",
        *_wrap(citation(package), first="  ", rest="  "),
        "",
        *_wrap(
            "Every row names the article it comes from (source_id: see the sources table) and "
            "quotes it (evidence). Rows marked 'inferred' (parties.attribution) are the "
            "curators' deduction, not the article's words: say so when you use them.",
            first="  ",
            rest="  ",
        ),
        "",
        "LICENSE",
        "",
        *_wrap(
            f"The data: {license_title or license_name} ({license_url}), by "
            f"{contributors(package) or 'gongbao contributors'}.",
            first="  ",
            rest="  ",
        ),
    ]
    url = project_url(package)
    if url:
        lines += ["", f"More, and every version: {url}"]
    return "\n".join(lines) + "\n"


def _digit_codes(package: Package) -> str:
    """The text columns holding codes made of digits only, which Excel would make numbers."""
    names: dict[str, None] = {}
    for resource in package.resources.values():
        table = read_cells(resource)
        for field in resource.fields:
            values = [v for v in table.column(field.name).to_pylist() if v is not None]
            if (
                field.type == "string"
                and values
                and all(v.isascii() and v.isdigit() for v in values)
            ):
                names[field.name] = None
    return ", ".join(names) or "none"


def _has(spreadsheets: Sequence[str], name: str) -> bool:
    return any(s == name or s.startswith(name) for s in spreadsheets)


def _wrap(text: str, first: str = "", rest: str = "", width: int = 88) -> list[str]:
    """Text wrapped at spaces (Chinese has none: a long Chinese run stays on its line)."""
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]
