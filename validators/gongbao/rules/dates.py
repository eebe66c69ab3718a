"""Table rules on dates (family 3): every instrument on a timeline, and bounds that say why.

An instrument's act (and a standing body's founding) is dated by ``date`` (as the source
gives it: YYYY-MM-DD, YYYY-MM, YYYY, or XXXX-MM-DD when the year cannot be resolved) and by
two bounds, ``*_earliest`` and ``*_latest``, each with its basis (docs/codebook.md, D1-D7).
The rules here check that the bounds agree with each other, with ``date``, with the event
they are dated by, with the parent instrument and with the source's own date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model import exists, month_day_latest, period
from .tables import Context, Frames, _ok, lookup, per_row, record, rule

EARLIEST_BASES = frozenset(
    {"stated", "resolved", "parent", "event", "relative_to_event", "after_reference", "unbounded"}
)
LATEST_BASES = frozenset(
    {"stated", "resolved", "month_day", "parent", "event", "relative_to_event"}
    | {"published", "retrieved"}
)
FROM_DATE = frozenset({"stated", "resolved"})
# Lifecycle rank of a status (docs/data-model-2.md, 6.1): an instrument only moves forward.
RANK = {
    "planned": 0,
    "signed": 1,
    "adopted": 1,
    "issued": 1,
    "established": 1,
    "implemented": 2,
    "superseded": 3,
    "expired": 3,
}


@dataclass(frozen=True)
class DateFields:
    """The names of one set of date fields: an act's, or a standing body's founding."""

    date: str
    earliest: str
    earliest_basis: str
    latest: str
    latest_basis: str
    event: str
    relation: str


ACT = DateFields(
    "date",
    "date_earliest",
    "date_earliest_basis",
    "date_latest",
    "date_latest_basis",
    "event",
    "event_relation",
)
FOUNDING = DateFields(
    "established",
    "established_earliest",
    "established_earliest_basis",
    "established_latest",
    "established_latest_basis",
    "established_event",
    "established_event_relation",
)
_ACTS = ["agreements", "agreement_events"]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


# -- the checks, row by row (shared by acts and foundings) ------------------------------------


def bounds_problem(r: dict[str, Any], f: DateFields, side: str) -> str | None:
    """date-bounds: the bounds are ordered, each has a basis allowed for it, and an empty
    earliest bound is exactly the basis unbounded."""
    earliest, latest = r.get(f.earliest), r.get(f.latest)
    e_basis, l_basis = r.get(f.earliest_basis), r.get(f.latest_basis)
    if side == "earliest":
        if earliest and latest and earliest > latest:
            return f"{f.earliest} {_iso(earliest)} is after {f.latest} {_iso(latest)}"
        if e_basis and e_basis not in EARLIEST_BASES:
            return f"{f.earliest_basis} {e_basis!r} cannot bound a date from below"
        if earliest is None and e_basis and e_basis != "unbounded":
            return f"{f.earliest} is empty but its basis is {e_basis!r}, not 'unbounded'"
        if earliest is not None and e_basis == "unbounded":
            return f"{f.earliest} is {_iso(earliest)} but its basis is 'unbounded'"
        return None
    if l_basis and l_basis not in LATEST_BASES:
        return f"{f.latest_basis} {l_basis!r} cannot bound a date from above"
    if latest is None and l_basis:
        return f"{f.latest_basis} is {l_basis!r} but {f.latest} is empty"
    return None


def stated_problem(r: dict[str, Any], f: DateFields, side: str) -> str | None:
    """date-stated-bounds: a bound read from the date is the first (last) day of the period
    the date names; a month_day bound is the last such day on or before the source's date."""
    date = r.get(f.date)
    if side == "date":
        return None if exists(date) else f"{f.date} {date!r} names no real day"
    bound = r.get(f.earliest if side == "earliest" else f.latest)
    basis = r.get(f.earliest_basis if side == "earliest" else f.latest_basis)
    name = f.earliest if side == "earliest" else f.latest
    if basis in FROM_DATE:
        days = period(date)
        if days is None:
            what = "empty" if not date else f"{date!r}, which has no year"
            return f"{name} has basis {basis!r}, but {f.date} is {what}"
        expected = days[0] if side == "earliest" else days[1]
        if bound is not None and bound != expected:
            first = "first" if side == "earliest" else "last"
            return (
                f"{name} {_iso(bound)} (basis {basis}) should be {_iso(expected)}, the {first} "
                f"day of {f.date} {date}"
            )
    if basis == "month_day":
        if not date or not str(date).startswith("XXXX"):
            return f"{name} has basis 'month_day', but {f.date} is not XXXX-MM-DD"
        source_day = r.get("_source_day")
        expected_day = month_day_latest(date, source_day) if source_day else None
        if bound is not None and expected_day is not None and bound != expected_day:
            return (
                f"{name} {_iso(bound)} is not the last {date[5:]} on or before the source's "
                f"date {_iso(source_day)}: {_iso(expected_day)}"
            )
    return None


def relation_problem(r: dict[str, Any], f: DateFields) -> str | None:
    """event-relation: an event has its relation, and event bounds agree with it."""
    event, relation = r.get(f.event), r.get(f.relation)
    if event and not relation:
        return f"{f.event} is set but {f.relation} is empty (at, before or after)"
    if relation and not event:
        return f"{f.relation} is {relation!r} but {f.event} is empty"
    if r.get(f.earliest_basis) == "event":
        if not event:
            return f"{f.earliest_basis} is 'event' but no {f.event} is named"
        if relation == "before":
            return f"{f.earliest_basis} is 'event' but the act was before it (会前): unbounded"
    if r.get(f.latest_basis) == "event":
        if not event:
            return f"{f.latest_basis} is 'event' but no {f.event} is named"
        if relation == "after":
            return f"{f.latest_basis} is 'event' but the act was after it (会后)"
    return None


def _source_day(df: pd.DataFrame, frames: Frames) -> None:
    """Helper column: the source's date (published, else retrieved) of each row."""
    published = lookup(frames, "sources", "source_id", "published", df["source_id"])
    retrieved = lookup(frames, "sources", "source_id", "retrieved", df["source_id"])
    day = pd.Series(published, index=df.index).fillna(pd.Series(retrieved, index=df.index))
    df["_source_day"] = pd.to_datetime(day)
    df["_source_basis"] = (
        pd.Series(published, index=df.index).isna().map({True: "retrieved", False: "published"})
    )


# -- rules on acts (agreements, agreement_events) ----------------------------------------------


def _side(field: str) -> str:
    if field.endswith("earliest"):
        return "earliest"
    return "latest" if field.endswith("latest") else "date"


@rule(
    "date-bounds",
    [(t, f) for t in _ACTS for f in ("date_earliest", "date_latest")],
    lambda r, c, f: bounds_problem(record(r), ACT, _side(f)) or "",
    reads=("date_earliest_basis", "date_latest_basis"),
)
def _date_bounds(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    side = _side(field)
    return per_row(df, lambda r: bounds_problem(r, ACT, side))


@rule(
    "date-stated-bounds",
    [(t, f) for t in _ACTS for f in ("date", "date_earliest", "date_latest")],
    lambda r, c, f: stated_problem(record(r), ACT, _side(f)) or "",
    reads=("date", "date_earliest_basis", "date_latest_basis", "source_id"),
)
def _date_stated_bounds(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    _source_day(df, ctx.frames)
    side = _side(field)
    return per_row(df, lambda r: stated_problem(r, ACT, side))


def _published_problem(r: dict[str, Any]) -> str | None:
    latest, day, basis = r.get("date_latest"), r.get("_source_day"), r.get("_source_basis")
    if latest is None or day is None:
        return None
    if latest > day:
        return f"date_latest {_iso(latest)} is after the source's date ({_iso(day)}, {basis})"
    if r.get("date_latest_basis") in ("published", "retrieved"):
        if r["date_latest_basis"] != basis:
            return (
                f"date_latest has basis {r['date_latest_basis']!r}, but the source's date is "
                f"its {basis} date"
            )
        if latest != day:
            return (
                f"date_latest {_iso(latest)} has basis {basis!r}, but the source's {basis} "
                f"date is {_iso(day)}"
            )
    return None


@rule(
    "date-after-published",
    [(t, "date_latest") for t in _ACTS],
    lambda r, c, f: _published_problem(record(r)) or "",
    reads=("source_id", "date_latest_basis"),
)
def _date_after_published(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    _source_day(df, ctx.frames)
    return per_row(df, _published_problem)


@rule(
    "event-relation",
    [(t, "event_relation") for t in _ACTS],
    lambda r, c, f: relation_problem(record(r), ACT) or "",
    reads=("event", "date_earliest_basis", "date_latest_basis"),
)
def _event_relation(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return per_row(df, lambda r: relation_problem(r, ACT))


def _parent_problem(r: dict[str, Any]) -> str | None:
    for side in ("earliest", "latest"):
        if r.get(f"date_{side}_basis") != "parent":
            continue
        if not r.get("parent_agreement_id"):
            return f"date_{side} has basis 'parent' but parent_agreement_id is empty"
        mine, theirs = r.get(f"date_{side}"), r.get(f"_parent_{side}")
        if mine is not None and theirs is not None and mine != theirs:
            return (
                f"date_{side} {_iso(mine)} (basis parent) differs from the parent's "
                f"date_{side} {_iso(theirs)}"
            )
    return None


@rule(
    "parent-date",
    [("agreements", "parent_agreement_id")],
    lambda r, c, f: _parent_problem(record(r)) or "",
    reads=("date_earliest", "date_latest", "date_earliest_basis", "date_latest_basis"),
)
def _parent_date(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    for side in ("earliest", "latest"):
        values = lookup(ctx.frames, "agreements", "agreement_id", f"date_{side}", df[field])
        df[f"_parent_{side}"] = pd.to_datetime(pd.Series(values, index=df.index))
    return per_row(df, _parent_problem)


_DAY_WORDS = ("今天", "今日", "当天")
_ARABIC_DAY = re.compile(r"([0-9]{1,2})月([0-9]{1,2})日")
_CHINESE_DAY = re.compile("[一二三四五六七八九十〇]+月[一二三四五六七八九十〇]+日")
# A day without its month (13日): news style for a day of the article's own month (D3).
_BARE_DAY = re.compile(r"(?<![0-9月])([0-9]{1,2})日")


def _names_the_day(quote: str | None, day: dt.date) -> bool:
    """The quote states the day: 今天, 今日, 当天, M月D日 with the day's month and day, D日
    with the day's day (the article's own month), or a date in Chinese numerals (not read
    here: accepted)."""
    if not quote:
        return False
    if any(word in quote for word in _DAY_WORDS) or _CHINESE_DAY.search(quote):
        return True
    if any(int(date) == day.day for date in _BARE_DAY.findall(quote)):
        return True
    return any(
        (int(month), int(date)) == (day.month, day.day)
        for month, date in _ARABIC_DAY.findall(quote)
    )


def _article_date_problem(r: dict[str, Any]) -> str | None:
    day = r.get("_source_day")
    if day is None or r.get("date_earliest") != day or r.get("date_latest") != day:
        return None
    bases = {r.get("date_earliest_basis"), r.get("date_latest_basis")}
    if bases <= FROM_DATE and _names_the_day(r.get("evidence"), day):
        return None
    return (
        f"the instrument is dated on its source's date ({_iso(day)}), but its quote does not "
        "state that day"
    )


@rule(
    "instrument-date-is-article-date",
    [(t, "date_latest") for t in _ACTS],
    lambda r, c, f: _article_date_problem(record(r)) or "",
    reads=("date_earliest", "source_id", "evidence"),
)
def _instrument_date_is_article_date(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    _source_day(df, ctx.frames)
    return per_row(df, _article_date_problem)


@rule(
    "deadline-after-agreement",
    [("targets", "deadline")],
    lambda r, c, f: (
        f"deadline {r['deadline']:%Y-%m-%d} is before the agreement's earliest date "
        f"{r['_earliest']:%Y-%m-%d}"
    ),
    reads=("agreement_id",),
)
def _deadline_after_agreement(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    earliest = lookup(ctx.frames, "agreements", "agreement_id", "date_earliest", df["agreement_id"])
    df["_earliest"] = pd.to_datetime(pd.Series(earliest, index=df.index))
    # An unbounded agreement (or no deadline) cannot be judged: the comparison is NA, a pass.
    early = (df["deadline"] < df["_earliest"]).astype("boolean")
    return _ok(~early.mask(df["_earliest"].isna()))


def _lifecycle_problem(r: dict[str, Any]) -> str | None:
    own, rank = r.get("_own_status"), RANK.get(r.get("status") or "", -1)
    if own is not None and rank >= RANK.get(own, 99):
        return (
            f"earlier status {r.get('status')!r} is not an earlier stage than the instrument's "
            f"status {own!r}"
        )
    return r.get("_order") or None


@rule(
    "lifecycle",
    [("agreement_events", "status")],
    lambda r, c, f: _lifecycle_problem(record(r)) or "",
    reads=("agreement_id", "date_latest"),
)
def _lifecycle(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    agreements = ctx.frames["agreements"]
    own = lookup(ctx.frames, "agreements", "agreement_id", "status", df["agreement_id"])
    df["_own_status"] = pd.Series(own, index=df.index, dtype="object")
    stages: dict[str, list[tuple[Any, int]]] = {}
    for a in [
        record(x) for x in agreements[["agreement_id", "status", "date_latest"]].to_dict("records")
    ]:
        stages.setdefault(a["agreement_id"], []).append(
            (a["date_latest"], RANK.get(a["status"], 0))
        )
    for e in [record(x) for x in df[["agreement_id", "status", "date_latest"]].to_dict("records")]:
        stages.setdefault(e["agreement_id"], []).append(
            (e["date_latest"], RANK.get(e["status"], 0))
        )
    order = []
    for e in [record(x) for x in df[["agreement_id", "status", "date_latest"]].to_dict("records")]:
        mine = (e["date_latest"], RANK.get(e["status"], 0))
        clash = next(
            (
                other
                for other in stages.get(e["agreement_id"], [])
                if mine[0] is not None
                and other[0] is not None
                and (other[0] < mine[0] and other[1] > mine[1])
            ),
            None,
        )
        order.append(
            None
            if clash is None
            else f"a later stage is dated before this one (on or before {_iso(clash[0])})"
        )
    df["_order"] = pd.Series(order, index=df.index, dtype="object")
    return per_row(df, _lifecycle_problem)


# -- standing bodies' founding ---------------------------------------------------------------

_FOUNDING_FIELDS = (
    FOUNDING.date,
    FOUNDING.earliest,
    FOUNDING.earliest_basis,
    FOUNDING.latest,
    FOUNDING.latest_basis,
    FOUNDING.event,
    FOUNDING.relation,
)


def founding_problem(r: dict[str, Any]) -> str | None:
    """founding-bounds: a founding with its source, evidence and both bases, whose bounds
    obey date-bounds, date-stated-bounds and event-relation."""
    if not any(r.get(name) is not None for name in _FOUNDING_FIELDS):
        return None
    missing = [
        name
        for name in ("source_id", "evidence", FOUNDING.earliest_basis, FOUNDING.latest_basis)
        if r.get(name) is None
    ]
    if missing:
        return f"a founding date needs {', '.join(missing)}"
    if r.get(FOUNDING.latest) is None:
        return f"a founding date needs {FOUNDING.latest} (the latest day it can have been)"
    found = (
        bounds_problem(r, FOUNDING, "earliest")
        or bounds_problem(r, FOUNDING, "latest")
        or stated_problem(r, FOUNDING, "date")
        or stated_problem(r, FOUNDING, "earliest")
        or stated_problem(r, FOUNDING, "latest")
        or relation_problem(r, FOUNDING)
    )
    if found:
        return found
    day = r.get("_source_day")
    if day is not None and r[FOUNDING.latest] > day:
        return (
            f"{FOUNDING.latest} {_iso(r[FOUNDING.latest])} is after the source's date {_iso(day)}"
        )
    return None


@rule(
    "founding-bounds",
    [("organizations", "established_latest")],
    lambda r, c, f: founding_problem(record(r)) or "",
    reads=_FOUNDING_FIELDS + ("source_id", "evidence"),
)
def _founding_bounds(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    if df["source_id"].notna().any():
        _source_day(df, ctx.frames)
    return per_row(df, founding_problem)


# -- sources -----------------------------------------------------------------------------------


@rule(
    "source-date",
    [("sources", "published")],
    lambda r, c, f: "the page gives no publication date and no retrieval date is recorded",
    reads=("retrieved",),
)
def _source_date(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(df["published"].notna() | df["retrieved"].notna())
