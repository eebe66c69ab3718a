"""Cells of a new row that follow from other cells by a table rule, so nobody types them.

``unit`` is the unit of the row's metric (rule metric-unit), ``date_precision`` follows from
the length of ``date`` (rule date-precision). A cell given on the command line is never
overwritten: if it disagrees, ``gongbao validate`` says so.
"""

from __future__ import annotations

from ..tableschema.package import Resource
from .ids import Rows

PRECISION = {10: "day", 7: "month", 4: "year"}  # length of an ISO date -> its precision
METRICS = "metrics"


def derive(resource: Resource, cells: dict[str, str], rows: Rows) -> list[str]:
    """Fill the cells that follow from given ones; returns what was filled, for people."""
    return [what for what in (_unit(resource, cells, rows), _precision(resource, cells)) if what]


def _unit(resource: Resource, cells: dict[str, str], rows: Rows) -> str | None:
    names = set(resource.field_names)
    metric = cells.get("metric")
    if resource.name == METRICS or not {"metric", "unit"} <= names or not metric:
        return None
    if cells.get("unit"):
        return None
    unit = next((r.get("unit") for r in rows(METRICS) if r.get("metric") == metric), None)
    if not unit:
        return None
    cells["unit"] = unit
    return f"unit {unit} (the unit of metric {metric})"


def _precision(resource: Resource, cells: dict[str, str]) -> str | None:
    date = cells.get("date", "")
    names = set(resource.field_names)
    if not {"date", "date_precision"} <= names or cells.get("date_precision"):
        return None
    if len(date) not in PRECISION:
        return None
    cells["date_precision"] = PRECISION[len(date)]
    return f"date_precision {cells['date_precision']} (from date {date})"
