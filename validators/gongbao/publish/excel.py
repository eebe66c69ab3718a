"""``gongbao.xlsx`` and ``excel/<table>.csv``: the package for spreadsheet users.

The workbook has an ``about`` sheet (title, version, license, how to cite, what each sheet
holds), a ``columns`` sheet explaining every column, then one sheet per table (the
``sources`` sheet lists the articles). Cells are typed by the registry: text stays text,
never a number or a formula (codes keep their leading zeros); numbers, years, dates and
booleans are real Excel values, formatted with ``field.kind.excel_format``; a missing value is
an empty cell. Text columns are in Text format (``@``) down to their empty cells, so a code
typed into one stays a code, and Excel's "number stored as text" warning is switched off for
them (the codes are meant to be text).

Beside every code that refers to another table (a single-field foreign key) sits, in a grey
column, the English name of what it refers to: ``jurisdiction_name_en`` beside
``jurisdiction_code``, ``metric_label_en`` beside ``metric``, taken from the referenced
table's label field (:func:`.common.label_field`). They are for reading only and are not in
the CSV files. Header rows are frozen and filtered; column widths follow the content (a
Chinese character counts double), up to a limit.

The CSVs are the canonical files (as ``gongbao fmt`` writes them) with a UTF-8 byte-order
mark, which Excel needs to show Chinese correctly; the bytes after the BOM are canonical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import require
from ..tableschema.csvio import Table, canonical, text_rows
from ..tableschema.package import Field, Package, Resource
from .common import (
    BOM,
    ReleaseError,
    citation,
    constraint_text,
    contributors,
    first_license,
    label_field,
    package_description,
    read_cells,
    release_date,
    release_url,
    reproducible_zip,
    typed_rows,
    write,
)

WORKBOOK = "gongbao.xlsx"
ABOUT_SHEET, COLUMNS_SHEET = "about", "columns"
SHEET_NAME_LIMIT = 31  # Excel's limits, in characters
CELL_TEXT_LIMIT = 32767
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 8, 50  # column widths, in characters
LABEL_FILL = "F2F2F2"  # the grey of the label columns
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


@dataclass(frozen=True)
class LabelColumn:
    """A grey column naming, in English, what the code beside it refers to."""

    name: str  # e.g. jurisdiction_name_en
    code: str  # the code field it follows, e.g. jurisdiction_code
    table: str  # the referenced table
    label: str  # the referenced table's label field
    names: dict[str, str]  # code -> name

    @property
    def description(self) -> str:
        return (
            f"English name of {self.code} (from {self.table}.{self.label}); for reading "
            "only, not in the CSV files."
        )


def label_columns(package: Package, resource: Resource) -> list[LabelColumn]:
    """The label columns of a table's sheet: one per single-field foreign key to a table
    with a label field, named after the key without its _id/_code suffix."""
    columns = []
    taken = set(resource.field_names)
    for fk in resource.foreign_keys:
        target = package.resources.get(fk.resource)
        if len(fk.fields) != 1 or target is None:
            continue
        label = label_field(target)
        if label is None or label in fk.reference_fields:
            continue
        name = f"{re.sub(r'_(id|code)$', '', fk.fields[0])}_{label}"
        if name in taken:
            continue
        taken.add(name)
        cells = read_cells(target)
        keys = cells.column(fk.reference_fields[0]).to_pylist()
        names = cells.column(label).to_pylist()
        lookup = {str(k): str(v) for k, v in zip(keys, names, strict=True) if k and v}
        columns.append(LabelColumn(name, fk.fields[0], target.name, label, lookup))
    return columns


def _display_width(value: Any) -> int:
    """Characters as wide as Excel shows them: a Chinese character counts double."""
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


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
    grey: Sequence[bool] | None = None,
) -> None:
    """Header in bold, frozen and filtered; rows below it (None: an empty cell). A column in
    Text format has it down to its empty cells, and as the column's style, so that what is
    typed into it later stays text; grey columns are the label columns."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    formats = formats or [None] * len(header)
    grey = grey or [False] * len(header)
    fill = PatternFill("solid", start_color=LABEL_FILL, end_color=LABEL_FILL)
    widths = [_display_width(h) for h in header]
    last_row = 1
    for last_row, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            number_format = None if last_row == 1 else formats[column - 1]
            if value is None:
                if number_format == TEXT_FORMAT:
                    sheet.cell(row=last_row, column=column).number_format = TEXT_FORMAT
                continue
            if isinstance(value, str) and (problem := _unfit_text(value)):
                raise ReleaseError(f"{locate(last_row, column)}: {problem}")
            _put(sheet, last_row, column, value, number_format)
            widths[column - 1] = max(widths[column - 1], _display_width(value))
    for column in range(1, len(header) + 1):
        sheet.cell(row=1, column=column).font = Font(bold=True, italic=grey[column - 1])
        if grey[column - 1]:
            for row in range(1, last_row + 1):
                sheet.cell(row=row, column=column).fill = fill
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
    for column, width in enumerate(widths, start=1):
        dimension = sheet.column_dimensions[get_column_letter(column)]
        dimension.width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        if formats[column - 1] == TEXT_FORMAT:
            dimension.number_format = TEXT_FORMAT


def _text_ranges(header: list[str], formats: Sequence[str | None], rows: int) -> str:
    """The cells of the Text-format columns, as an Excel range list (A2:A26 C2:C26)."""
    from openpyxl.utils import get_column_letter

    return " ".join(
        f"{get_column_letter(i)}2:{get_column_letter(i)}{max(rows, 2)}"
        for i, number_format in enumerate(formats, start=1)
        if number_format == TEXT_FORMAT
    )


def _in_sheet(title: str) -> Locate:
    return lambda row, column: f"sheet '{title}', row {row}, column {column}"


def _in_table(table: Table, header: list[str]) -> Locate:
    def locate(row: int, column: int) -> str:
        name = header[column - 1]
        return table.path if row == 1 else f"{table.path}:{table.lines[row - 2]}: {name}"

    return locate


def _about_rows(package: Package) -> list[list[Any]]:
    license_name, _, license_url = first_license(package)
    authors = contributors(package)
    title, version = package.title, package.version
    rows: list[list[Any]] = [
        ["title", title],
        ["version", version],
        ["released", release_date(package) or "not released yet"],
        ["description", package_description(package)],
        ["license", f"{license_name} ({license_url})"],
        ["authors", authors],
        ["cite as", citation(package)],
        ["url", release_url(package) or ""],
        [
            "sources",
            "Every row cites a dated article: see the sheet 'sources' (source_id) and "
            "the verbatim 'evidence' quote in each row.",
        ],
        [
            "grey columns",
            "English names beside codes (e.g. jurisdiction_name_en beside jurisdiction_code), "
            "for reading; they are not in the CSV files.",
        ],
        ["", ""],
        ["sheet", "contents"],
        [COLUMNS_SHEET, "What every column of every table holds: type, required, allowed values."],
    ]
    rows += [[name, resource.description] for name, resource in package.resources.items()]
    return rows


def _column_rows(package: Package, labels: dict[str, list[LabelColumn]]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for name, resource in package.resources.items():
        for position, (header, field, label) in enumerate(_layout(resource, labels[name]), 1):
            if label is not None:
                rows.append([name, header, position, "string", "no", "", label.description])
            elif field is not None:
                rows.append(
                    [
                        name,
                        field.name,
                        position,
                        field.type,
                        "yes" if field.required else "no",
                        constraint_text(field, resource=resource),
                        field.description,
                    ]
                )
    return rows


def _layout(
    resource: Resource, labels: list[LabelColumn]
) -> list[tuple[str, Field | None, LabelColumn | None]]:
    """The sheet's columns in order: each field, followed by its label column if any."""
    after = {label.code: label for label in labels}
    columns: list[tuple[str, Field | None, LabelColumn | None]] = []
    for field in resource.fields:
        columns.append((field.name, field, None))
        if field.name in after:
            columns.append((after[field.name].name, None, after[field.name]))
    return columns


def _table_sheet(sheet: Any, resource: Resource, labels: list[LabelColumn]) -> str:
    """Fill a table's sheet; returns the range list of its Text-format cells."""
    table = read_cells(resource)
    layout = _layout(resource, labels)
    header = [name for name, _, _ in layout]
    formats = [
        field.kind.excel_format if field is not None else TEXT_FORMAT for _, field, _ in layout
    ]
    position = {name: i for i, name in enumerate(resource.field_names)}
    rows = []
    for typed in typed_rows(table):
        row: list[Any] = []
        for _, field, label in layout:
            if field is not None:
                row.append(typed[position[field.name]])
            else:
                assert label is not None
                code = typed[position[label.code]]
                row.append(None if code is None else label.names.get(str(code)))
        rows.append(row)
    grey = [label is not None for _, _, label in layout]
    _fill_sheet(sheet, header, rows, _in_table(table, header), formats, grey)
    return _text_ranges(header, formats, len(rows) + 1)


def workbook_bytes(package: Package, when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.xml.functions import tostring

    check_sheet_names(list(package.resources))
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    _fill_sheet(about, ["about", "value"], _about_rows(package), _in_sheet(ABOUT_SHEET))
    labels = {name: label_columns(package, r) for name, r in package.resources.items()}
    columns = book.create_sheet(COLUMNS_SHEET)
    _fill_sheet(columns, COLUMNS_HEADER, _column_rows(package, labels), _in_sheet(COLUMNS_SHEET))
    text_ranges = {
        f"xl/worksheets/sheet{index}.xml": _table_sheet(
            book.create_sheet(name), resource, labels[name]
        )
        for index, (name, resource) in enumerate(package.resources.items(), start=3)
    }

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
    members = []
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as saved:
        for info in saved.infolist():
            data = core if info.filename == "docProps/core.xml" else saved.read(info.filename)
            if text_ranges.get(info.filename):
                data = ignore_number_stored_as_text(data, text_ranges[info.filename])
            members.append((info.filename, data))
    return reproducible_zip(members, when)


_WORKSHEET_END = b"</worksheet>"
_LAST_BEFORE_IGNORED = re.compile(
    rb"<(pageMargins|pageSetup|headerFooter)\b[^>]*/>\s*</worksheet>\s*$"
)


def ignore_number_stored_as_text(sheet_xml: bytes, ranges: str) -> bytes:
    """Switch off Excel's "number stored as text" warning for the given cells (openpyxl
    cannot write ignoredErrors). The element goes where the schema puts it: after the page
    setup, which is where openpyxl's worksheet ends."""
    if not _LAST_BEFORE_IGNORED.search(sheet_xml):
        return sheet_xml  # an unexpected layout: keep the warning rather than break the file
    element = (
        f'<ignoredErrors><ignoredError sqref="{ranges}" numberStoredAsText="1"/></ignoredErrors>'
    )
    head, _, _ = sheet_xml.rpartition(_WORKSHEET_END)
    return head + element.encode("ascii") + _WORKSHEET_END
