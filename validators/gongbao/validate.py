"""One validation run: the rule families in catalogue order, each seeing what the earlier
ones left.

Descriptor safety (6) and structure (1) decide what can be read at all; hygiene (5) runs
before the schema (2) so a full-width digit is reported as such and not as a bad number;
table rules (3) and provenance (4) work on cells that passed; Great Expectations (7) runs
only when asked, because it is slow to start.

A table file too large to hold whole (gongbao.slices) goes through families 5, 2, 3 and 4 a
slice at a time, between the other tables' frames and their table rules: those may read it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .background import start_import
from .errors import UsageError, require
from .gbt2260 import load as load_reference
from .problems.catalogue import FAMILIES
from .problems.report import Report
from .rules.hygiene import check_hygiene
from .rules.provenance import (
    check_table_provenance,
    evidence_tables,
    finish_provenance,
    prepare_provenance,
)
from .rules.schema import check_foreign_keys, check_schema
from .slices import Kept, in_slices, validate_in_slices
from .tableschema.csvio import read_table, read_tables
from .tableschema.package import read_package
from .tableschema.types import to_pandas

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd

    from .rules.tables import TableRule


def _across_rows(rule: TableRule) -> bool:
    return rule.across_rows


@contextlib.contextmanager
def _timed(report: Report, step: str) -> Iterator[None]:
    """Add the wall time of a step to report.timings (`gongbao validate --timings`)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        report.timings[step] = report.timings.get(step, 0.0) + time.perf_counter() - start


def validate(
    path: Path | Traversable,
    archive: Path | None = None,
    expectations: bool = False,
    data_docs: Path | None = None,
    today: dt.date | None = None,
    require_archive: bool = False,
    gbt2260: Path | None = None,
) -> Report:
    """Validate the package at path; UsageError when path is not a package (or gbt2260 not a
    GB/T 2260 reference), EngineMissing when an engine a family needs is not installed.

    today fixes what "next year" means for the future-date rule (default: today).
    require_archive makes every quote that could not be checked against a capture an error.
    gbt2260 is the GB/T 2260 reference to check jurisdictions against (default: the one
    shipped with gongbao); its vintage is noted in the report.
    """
    require("pandera", "validate")
    if expectations or data_docs is not None:
        require("great_expectations", "expectations")
    # pandas and pandera load while families 6, 1, 5 and 2 (pyarrow only) run; 3 waits.
    importing = start_import("gongbao.rules.tables")
    try:
        reference = load_reference(None if gbt2260 is None else str(gbt2260))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    report = Report()
    report.notes.append(f"GB/T 2260 reference: {reference.vintage}")
    with _timed(report, "descriptor and read"):
        package = read_package(path, report)
        large = [r for r in package.resources.values() if in_slices(r, package)]
        tables = read_tables(package, report, skip={r.name for r in large})
    with _timed(report, "hygiene"):
        for table in tables.values():
            check_hygiene(table, report)
    with _timed(report, "waiting for pandas and pandera"):
        importing.join()
    with _timed(report, "schema and keys"):
        typed = {name: check_schema(table, report) for name, table in tables.items()}
        for table in tables.values():
            check_foreign_keys(table, tables, report)
    with _timed(report, "frames for the table rules"):
        # Table rules see only cells that passed: a cell reported above is missing to them.
        frames: dict[str, pd.DataFrame] = {
            name: to_pandas(table.passed(typed[name]), table.resource.fields)
            for name, table in tables.items()
        }
    with _timed(report, "captures and body anchors"):
        texts = prepare_provenance(tables, archive, report)
    sliced: dict[str, Kept] = {}
    for resource in large:
        with _timed(report, f"{resource.name} in slices"):
            kept = validate_in_slices(resource, tables, frames, texts, report, today, reference)
        if kept is not None:
            sliced[resource.name] = kept
            frames[resource.name] = kept.frame
            continue
        with _timed(report, f"{resource.name} whole"):  # a defect the slices could not read
            whole = read_table(resource, report)
            if whole is not None:
                check_hygiene(whole, report)
                whole_typed = check_schema(whole, report)
                check_foreign_keys(whole, tables, report)
                tables[resource.name] = whole
                frames[resource.name] = to_pandas(whole.passed(whole_typed), whole.resource.fields)
    report.rows.update({name: len(table) for name, table in tables.items()})
    report.rows.update({name: len(kept.table) for name, kept in sliced.items()})
    with _timed(report, "table rules"):
        from .rules.tables import check_tables  # pandera: the slowest import, loaded once needed

        check_tables(tables, frames, report, today, reference)
        across = {name: kept.table for name, kept in sliced.items()}
        check_tables(across, frames, report, today, reference, which=_across_rows)
    with _timed(report, "provenance"):
        for table in evidence_tables(tables):
            check_table_provenance(table, texts, report)
        quotes: dict[str, int] = {}
        for kept in sliced.values():
            for source_id, count in kept.quotes.items():
                quotes[source_id] = quotes.get(source_id, 0) + count
        provenance = finish_provenance(tables, texts, report, require_archive, quotes)

    for family in FAMILIES:
        if family not in ("provenance", "expectations"):  # the families that always run
            report.close_family(family)
    report.close_family("provenance", provenance.status())
    if expectations or data_docs is not None:
        from .rules.expectations import check_expectations

        with _timed(report, "expectations"):
            check_expectations(tables, frames, report, data_docs)
        for name in sliced:
            report.notes.append(f"Great Expectations: {name} not run (read in slices)")
        report.close_family("expectations")
    else:
        report.families["expectations"] = "not requested"
    return report
