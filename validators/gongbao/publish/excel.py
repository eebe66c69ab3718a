"""``gongbao.xlsx`` and ``excel/<table>.csv``: the package for spreadsheet users.

The workbook has an ``about`` sheet (title, version, license, how to cite, what each sheet
holds), a ``columns`` sheet explaining every column, then one sheet per table (the
``sources`` sheet lists the articles). Cells are typed by the registry: text stays text,
never a number or a formula (codes keep their leading zeros); numbers, years, dates and
booleans are real Excel values, formatted with ``field.kind.excel_format``; a missing value is
an empty cell.

The CSVs are the canonical files (as ``gongbao fmt`` writes them) with a UTF-8 byte-order
mark, which Excel needs to show Chinese correctly; the bytes after the BOM are canonical.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import require
from ..tableschema.csvio import Table, canonical, text_rows
from ..tableschema.package import Package, Resource
from .common import (
    BOM,
    ReleaseError,
    constraint_text,
    contributors,
    first_license,
    package_description,
    read_cells,
    reproducible_zip,
    typed_rows,
    write,
)

WORKBOOK = "gongbao.xlsx"
ABOUT_SHEET, COLUMNS_SHEET = "about", "columns"
SHEET_NAME_LIMIT = 31  # Excel's limits, in characters
CELL_TEXT_LIMIT = 32767
COLUMNS_HEADER = [
    "table",
    "column",
    "position",
    "type",
    "required",
    "constraints / values",
    "description",
]

Locate = Callable[[int, int], str]  # (row, column) of a sheet -> where the value came from


def build(package: Package, directory: Path, when: dt.datetime) -> list[str]:
    require("openpyxl", "publish")
    written = [write(directory, WORKBOOK, workbook_bytes(package, when))]
    for name, resource in package.resources.items():
        written.append(write(directory, f"excel/{name}.csv", BOM + canonical_bytes(resource)))
    return written


def canonical_bytes(resource: Resource) -> bytes:
    """The resource's canonical CSV: every cell as written (missing values too), rows sorted
    by primary key."""
    table = read_cells(resource, missing_values=False)
    return canonical(resource.field_names, text_rows(table), resource.primary_key).data


def check_sheet_names(names: Sequence[str]) -> None:
    """Refuse table names Excel cannot use as sheet names (they also name excel/*.csv)."""
    from openpyxl.workbook.child import INVALID_TITLE_REGEX

    taken = {sheet: f"the workbook's own '{sheet}' sheet" for sheet in (ABOUT_SHEET, COLUMNS_SHEET)}
    for name in names:
        if len(name) > SHEET_NAME_LIMIT:
            problem = f"longer than {SHEET_NAME_LIMIT} characters"
        elif INVALID_TITLE_REGEX.search(name):
            problem = "it holds one of \\ * ? : / [ ]"
        elif name.lower() in taken:  # Excel ignores case in sheet names
            problem = f"Excel takes it for {taken[name.lower()]}"
        else:
            taken[name.lower()] = f"table '{name}'"
            continue
        raise ReleaseError(f"table '{name}' cannot be an Excel sheet: {problem}")


def _unfit_text(value: str) -> str | None:
    """Why an Excel cell cannot hold this text, or None."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if ILLEGAL_CHARACTERS_RE.search(value):
        return f"{value!r} holds a control character, which an Excel file cannot hold"
    if len(value) > CELL_TEXT_LIMIT:
        return f"{len(value)} characters, more than the {CELL_TEXT_LIMIT} an Excel cell holds"
    return None


def _put(sheet: Any, row: int, column: int, value: Any, number_format: str | None) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: never a formula, never a number
    if number_format is not None:
        cell.number_format = number_format


def _fill_sheet(
    sheet: Any,
    header: list[str],
    rows: Iterable[Sequence[Any]],
    locate: Locate,
    formats: Sequence[str | None] | None = None,
) -> None:
    """Header in bold, frozen and filtered; rows below it (None: an empty cell)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = formats or [None] * len(header)
    bold = Font(bold=True)
    widths = [len(h) for h in header]
    last_row = 1
    for last_row, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            if isinstance(value, str) and (problem := _unfit_text(value)):
                raise ReleaseError(f"{locate(last_row, column)}: {problem}")
            _put(sheet, last_row, column, value, None if last_row == 1 else formats[column - 1])
            widths[column - 1] = max(widths[column - 1], len(str(value)))
    for column in range(1, len(header) + 1):
        sheet.cell(row=1, column=column).font = bold
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def _in_sheet(title: str) -> Locate:
    return lambda row, column: f"sheet '{title}', row {row}, column {column}"


def _in_table(table: Table) -> Locate:
    def locate(row: int, column: int) -> str:
        name = table.resource.field_names[column - 1]
        return table.path if row == 1 else f"{table.path}:{table.lines[row - 2]}: {name}"

    return locate


def _about_rows(package: Package) -> list[list[Any]]:
    license_name, _, license_url = first_license(package)
    authors = contributors(package)
    title, version = package.title, package.version
    rows: list[list[Any]] = [
        ["title", title],
        ["version", version],
        ["description", package_description(package)],
        ["license", f"{license_name} ({license_url})"],
        ["authors", authors],
        ["cite as", f"{authors or 'gongbao contributors'}. {title}. Version {version}."],
        [
            "sources",
            "Every row cites a dated article: see the sheet 'sources' (source_id) and "
            "the verbatim 'evidence' quote in each row.",
        ],
        ["", ""],
        ["sheet", "contents"],
        [COLUMNS_SHEET, "What every column of every table holds: type, required, allowed values."],
    ]
    rows += [[name, resource.description] for name, resource in package.resources.items()]
    return rows


def _column_rows(package: Package) -> list[list[Any]]:
    return [
        [
            name,
            field.name,
            position,
            field.type,
            "yes" if field.required else "no",
            constraint_text(field, resource=resource),
            field.description,
        ]
        for name, resource in package.resources.items()
        for position, field in enumerate(resource.fields, start=1)
    ]


def workbook_bytes(package: Package, when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    check_sheet_names(list(package.resources))
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    _fill_sheet(about, ["about", "value"], _about_rows(package), _in_sheet(ABOUT_SHEET))
    columns = book.create_sheet(COLUMNS_SHEET)
    _fill_sheet(columns, COLUMNS_HEADER, _column_rows(package), _in_sheet(COLUMNS_SHEET))
    for name, resource in package.resources.items():
        table = read_cells(resource)
        _fill_sheet(
            book.create_sheet(name),
            resource.field_names,
            typed_rows(table),
            _in_table(table),
            [field.kind.excel_format for field in resource.fields],
        )

    props = book.properties
    props.creator = contributors(package) or "gongbao contributors"
    props.lastModifiedBy = props.creator
    props.title = f"{package.title} {package.version}"
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
    return reproducible_zip(members, when)
