"""One validation run: the rule families in order, each seeing what the earlier ones left.

Order: descriptor safety (6) and structure (1) decide what can be read at all; hygiene (5)
runs before the schema (2) so a full-width digit is reported as such and not as a bad
number; table rules (3) and provenance (4) work on cells that passed; Great Expectations (7)
runs only when asked, because it is slow to start.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from .descriptor import load_package
from .hygiene import check_hygiene
from .problems import Report
from .provenance import check_provenance
from .schema import UnsupportedSchema, check_foreign_keys, check_schema
from .structure import Table, read_table

if TYPE_CHECKING:
    import pandas as pd


def to_frame(table: Table, typed: dict[str, pa.ChunkedArray]) -> pd.DataFrame:
    import pandas as pd

    types = {
        pa.string(): pd.StringDtype("pyarrow"),
        pa.float64(): pd.Float64Dtype(),
        pa.int64(): pd.Int64Dtype(),
    }
    columns = [typed[name] for name in table.resource.field_names]
    return pa.table(columns, names=table.resource.field_names).to_pandas(
        types_mapper=types.get, date_as_object=False
    )


def _import_table_rules() -> None:
    # Errors are not lost: the main thread imports the module again and sees them.
    with contextlib.suppress(Exception):
        from . import table_rules  # noqa: F401


def _start_import() -> threading.Thread:
    """Import pandas and pandera (the slowest part of a small run) on another thread.

    Families 6, 1, 5 and 2 need only pyarrow, whose kernels release the GIL, so the import
    overlaps with them; family 3 waits for it.
    """
    thread = threading.Thread(target=_import_table_rules, name="gongbao-import", daemon=True)
    thread.start()
    return thread


def _family_status(report: Report, family: str) -> str:
    return (
        "failed"
        if any(p.family == family and p.severity == "error" for p in report.problems)
        else "passed"
    )


def validate(
    path: Path,
    archive: Path | None = None,
    expectations: bool = False,
    data_docs: Path | None = None,
) -> Report:
    """Validate the package at path; UsageError when path is not a package."""
    importing = _start_import()
    report = Report()
    package = load_package(path, report)
    tables: dict[str, Table] = {}
    for name, resource in package.resources.items():
        table = read_table(resource, report)
        if table is not None:
            tables[name] = table
            report.rows[name] = len(table)
    for table in tables.values():
        check_hygiene(table, report)
    importing.join()  # pandas, for the frames
    frames: dict[str, pd.DataFrame] = {}
    for name, table in list(tables.items()):
        try:
            frames[name] = to_frame(table, check_schema(table, report))
        except UnsupportedSchema as exc:
            report.error("schema-file", str(exc), path=table.resource.schema_path)
            del tables[name]
    for table in tables.values():
        check_foreign_keys(table, tables, report)

    from .table_rules import check_tables  # pandera is the slowest import: load it once needed

    check_tables(tables, frames, report)
    provenance_ran = check_provenance(tables, archive, report)

    for family in ("descriptor", "structure", "hygiene", "schema", "tables", "provenance"):
        report.families[family] = _family_status(report, family)
    if not provenance_ran and report.families["provenance"] == "passed":
        report.families["provenance"] = "NOT RUN (no archive)"
    if expectations or data_docs is not None:
        from .expectations import check_expectations

        check_expectations(tables, frames, report, data_docs)
        report.families["expectations"] = _family_status(report, "expectations")
    else:
        report.families["expectations"] = "not requested"
    return report
