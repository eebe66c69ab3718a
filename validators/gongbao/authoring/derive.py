"""Cells of a new row that follow from other cells by a rule, so nobody types them.

* ``unit`` is the unit of the row's metric (rule metric-unit);
* an act's date bounds follow from ``date`` (rule date-stated-bounds), or, with no date, from
  the source's publication date (basis published; docs/codebook.md, D2);
* a jurisdiction's ``name_zh``, ``level``, ``parent_code`` and ``division_type`` come from
  the GB/T 2260 reference (rules gbt2260-*): ``gongbao new jurisdiction --code 440800``.

A cell given on the command line is never overwritten: if it disagrees, ``gongbao validate``
says so. What cannot be derived (an unknown code) is a usage error, in the validator's words.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import UsageError
from ..gbt2260 import Reference, county_part, reference_level, reference_parent
from ..gbt2260 import load as load_reference
from ..model import month_day_latest, period
from ..tableschema.package import Resource
from .ids import Rows

METRICS = "metrics"
JURISDICTIONS = "jurisdictions"


def derive(
    resource: Resource,
    cells: dict[str, str],
    rows: Rows,
    date: str | None = None,
    reference: Reference | None = None,
) -> list[str]:
    """Fill the cells that follow from given ones; returns what was filled, for people.

    date (YYYY, YYYY-MM or YYYY-MM-DD) picks the name a jurisdiction's code had then.
    """
    filled = [_unit(resource, cells, rows), *_bounds(resource, cells, rows)]
    if resource.name == JURISDICTIONS:
        filled += _jurisdiction(resource, cells, rows, date, reference or load_reference())
    return [what for what in filled if what]


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


def _source_day(cells: dict[str, str], rows: Rows) -> tuple[str, str] | None:
    """(date, 'published' or 'retrieved') of the row's source."""
    source = next(
        (r for r in rows("sources") if r.get("source_id") == cells.get("source_id")), None
    )
    if source is None:
        return None
    if source.get("published"):
        return source["published"], "published"
    if source.get("retrieved"):
        return source["retrieved"], "retrieved"
    return None


def _bounds(resource: Resource, cells: dict[str, str], rows: Rows) -> list[str]:
    """date_earliest/date_latest and their bases, from date or from the source's date."""
    names = set(resource.field_names)
    needed = {"date", "date_earliest", "date_earliest_basis", "date_latest", "date_latest_basis"}
    if not needed <= names or cells.get("date_latest") or cells.get("date_earliest"):
        return []
    date = cells.get("date", "")
    filled = []
    days = period(date)
    if days is not None:
        cells.setdefault("date_earliest", days[0].isoformat())
        cells.setdefault("date_latest", days[1].isoformat())
        evidence = cells.get("evidence")
        if evidence is None:  # whether the quote states the year is the quote's to say
            filled.append(
                f"date_earliest {days[0]}, date_latest {days[1]} (from date {date}; their "
                "bases: stated if the quote gives the year, resolved if it was read from the "
                "publication date)"
            )
            return filled
        # stated when the quote gives the year itself (2021年12月31日), else resolved against
        # the publication date (4月1日, 去年)
        basis = "stated" if date[:4] in evidence else "resolved"
        cells.setdefault("date_earliest_basis", basis)
        cells.setdefault("date_latest_basis", basis)
        read = "gives the year" if basis == "stated" else "does not give the year"
        filled.append(
            f"date_earliest {days[0]}, date_latest {days[1]} ({basis}: from date {date}, "
            f"the quote {read})"
        )
        return filled
    source_day = _source_day(cells, rows)
    if re.fullmatch(r"XXXX-[0-9]{2}-[0-9]{2}", date) and source_day is not None:
        latest = month_day_latest(date, dt.date.fromisoformat(source_day[0]))
        if latest is not None:
            cells.setdefault("date_latest", latest.isoformat())
            cells.setdefault("date_latest_basis", "month_day")
            cells.setdefault("date_earliest_basis", "unbounded")
            filled.append(
                f"date_latest {latest} (month_day: the last {date[5:]} on or before "
                f"the source's date {source_day[0]}), date_earliest unbounded"
            )
        return filled
    if not date and source_day is not None:
        cells.setdefault("date_latest", source_day[0])
        cells.setdefault("date_latest_basis", source_day[1])
        cells.setdefault("date_earliest_basis", "unbounded")
        filled.append(
            f"date_latest {source_day[0]} ({source_day[1]}: the source's date, an upper bound, "
            "never the instrument's date), date_earliest unbounded"
        )
    return filled


def _division_type(name: str, level: str, rows: Rows) -> str | None:
    """The division type of the level whose name_suffix is the longest ending of name."""
    types = [r for r in rows("division_types") if r.get("level") == level]
    matching = [r for r in types if r.get("name_suffix") and name.endswith(r["name_suffix"])]
    if not matching:
        only = [r for r in types if not r.get("name_suffix")]
        return only[0]["division_type"] if len(only) == 1 else None
    return max(matching, key=lambda r: len(r["name_suffix"]))["division_type"]


def _jurisdiction(
    resource: Resource, cells: dict[str, str], rows: Rows, date: str | None, ref: Reference
) -> list[str]:
    code = cells.get("code", "")
    if not re.fullmatch(r"[0-9]{6}|[0-9]{9}", code) or code == "100000":
        return []
    six = county_part(code)
    if not ref.pairs(six) or (len(code) == 9 and ref.pairs(six)[0].level != "county"):
        raise UsageError(
            f"gbt2260-unknown: {ref.unknown_message(six, cells.get('name_zh'))}"
            + (" (the county part of a township code)" if len(code) == 9 else "")
        )
    filled = []
    name = cells.get("name_zh")
    if len(code) == 6 and not name:
        month = (date + "-06")[:7] if date and len(date) == 4 else (date or "")[:7]
        division = ref.name_at(code, month or None)
        if division is None:
            raise UsageError(f"gbt2260-unknown: {ref.unknown_message(code)}")
        name = cells["name_zh"] = division.name_zh
        when = f"valid {division.window}" + (f"; asked for {date}" if date else "")
        filled.append(f"name_zh {name} (GB/T 2260, {ref.vintage}: {when})")
    level = reference_level(ref, code, name)
    if level and not cells.get("level"):
        cells["level"] = level
        filled.append(f"level {level} (GB/T 2260)")
    parent = reference_parent(ref, code, name)
    if parent and not cells.get("parent_code"):
        cells["parent_code"] = parent
        filled.append(f"parent_code {parent} (GB/T 2260)")
    if name and (level or cells.get("level")) and not cells.get("division_type"):
        kind = _division_type(name, cells.get("level") or str(level), rows)
        if kind:
            cells["division_type"] = kind
            filled.append(
                f"division_type {kind} (from the name's ending at level {cells['level']})"
            )
    return filled
