"""Table rules a Table Schema cannot say (rule family 3), as pandera models.

Each table's pandera schema is derived from its Table Schema (columns, order, dtypes: one
source of truth); the rules add what only a dataframe engine can say: cross-column,
cross-table and domain rules. A rule is a vectorised function returning True where a row
is fine. The rules live here (figures, sources) and in :mod:`.dates`, :mod:`.places` and
:mod:`.attribution` (imported at the end); they run in that order, and a cell already
reported (by this or an earlier family, or an earlier rule) is not reported again, so the
most specific wording wins. A rule of severity "warning" reports without failing the package
and without hiding the cell from later rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.config import ValidationDepth, config_context

from ..gbt2260 import Reference
from ..gbt2260 import load as load_reference
from ..problems.catalogue import implements
from ..problems.report import Report
from ..tableschema.csvio import Table
from ..tableschema.package import Resource

Frames = dict[str, pd.DataFrame]

WATER_CLASSES = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
NATIONAL = "100000"


@dataclass(frozen=True)
class Context:
    """What a rule may look at besides its own table: every table's frame, today, and the
    GB/T 2260 reference."""

    frames: Frames
    today: dt.date
    gbt2260: Reference


Decide = Callable[[pd.DataFrame, Context, str], pd.Series]
Message = Callable[[pd.Series, Context, str], str]


@dataclass(frozen=True)
class TableRule:
    """A rule attached to one table and the field its problems are reported on."""

    rule: str
    table: str
    field: str
    ok: Decide  # (frame, context, field) -> True where the row is fine
    message: Message  # (failing row, context, field) -> the problem's message
    reads: tuple[str, ...]  # the row's cells it decides on: if one was reported, it is skipped
    severity: str = "error"  # "warning": reported, but the package stays valid
    across_rows: bool = False  # it compares rows with each other (not only with other tables)


RULES: list[TableRule] = []

# Tables that may be validated in slices when they are too large to hold whole (see
# gongbao.validate), with the columns the rules of other tables read from them: those, and
# what the table's across-rows rules read, are all that is kept of every slice.
STREAMABLE: dict[str, set[str]] = {}


def streamable(table: str, *read_by_others: str) -> None:
    """Declare table fit for slices; read_by_others: every column other tables' rules read
    from its frame (ctx.frames[table])."""
    STREAMABLE.setdefault(table, set()).update(read_by_others)


def kept_in_slices(table: str) -> list[str]:
    """The columns of a table in slices that the end of the run still needs."""
    kept = set(STREAMABLE.get(table, set()))
    for r in RULES:
        if r.table == table and r.across_rows:
            kept.update(r.reads)
    return sorted(kept)


def rule(
    rule_id: str,
    targets: list[tuple[str, str]],
    message: Message,
    reads: tuple[str, ...] = (),
    severity: str = "error",
    across_rows: bool = False,
) -> Callable[[Decide], Decide]:
    """Register a rule's one implementation, attached to each (table, field) in targets.

    reads names the other cells of a row the rule decides on: a row where one of them (or
    the target field) was already reported by an earlier family is not judged again.
    The function is called with the target's field, so one function can decide each target
    on its own terms. across_rows marks a rule that compares a row with other rows of its
    table: in a table validated in slices it runs once, at the end, on the kept columns.
    """

    def register(ok: Decide) -> Decide:
        implements(rule_id)(ok)
        RULES.extend(
            TableRule(rule_id, table, field, ok, message, (field, *reads), severity, across_rows)
            for table, field in targets
        )
        return ok

    return register


def _ok(mask: pd.Series) -> pd.Series:
    """Rules pass where they cannot be decided (a missing cell is another rule's business).

    A mask of numpy bools has nothing missing; a nullable one is filled where it is, in one
    step (astype("boolean") would first look for missing values in every row).
    """
    if mask.dtype == bool:
        return mask
    arrow_bool = isinstance(mask.dtype, pd.ArrowDtype) and mask.dtype == pd.ArrowDtype(
        pyarrow.bool_()
    )
    if isinstance(mask.dtype, pd.BooleanDtype) or arrow_bool:
        filled = mask.array.to_numpy(dtype=bool, na_value=True)
        return pd.Series(filled, index=mask.index, name=mask.name)
    return mask.astype("boolean").fillna(True).astype(bool)


def _metric_attr(frames: Frames, df: pd.DataFrame, attr: str) -> pd.Series:
    """df["metric"].map(metrics' attr), looked up with pyarrow (pandas' map is 5-7x slower).

    Several rules need the same lookup: it is kept as a helper column of the frame being
    validated (rules add such columns for their messages too), so it is computed once.
    """
    helper = f"_metric_{attr}"
    if helper not in df:
        lookup = frames["metrics"].drop_duplicates("metric").set_index("metric")[attr]
        positions = pc.index_in(_arrow(df["metric"]), value_set=_arrow(lookup.index.to_series()))
        taken = lookup.array.take(positions.fill_null(-1).to_numpy(), allow_fill=True)
        df[helper] = pd.Series(taken, index=df.index, name=df["metric"].name)
    return df[helper]


def _set_together(df: pd.DataFrame, first: str, second: str) -> pd.Series:
    """True where both cells are set or both are empty (a pair of fields that go together)."""
    return _ok(df[first].isna() == df[second].isna())


def _arrow(series: pd.Series) -> pyarrow.ChunkedArray | pyarrow.Array:
    array = series.array
    if hasattr(array, "__arrow_array__"):  # pyarrow-backed: no copy
        return array.__arrow_array__()
    return pyarrow.array(series, from_pandas=True)


def lookup(frames: Frames, table: str, key: str, column: str, keys: pd.Series) -> np.ndarray:
    """For each of keys, column of the row of frames[table] whose key it is (missing: NA)."""
    index = frames[table].drop_duplicates(key).set_index(key)[column]
    return keys.map(index).to_numpy()


def plain(value: object) -> Any:
    """A cell as plain Python: None for a missing value, a date for a timestamp."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def record(row: pd.Series | Mapping[Any, Any]) -> dict[str, Any]:
    """A row (with its helper columns) as a dict of plain values."""
    return {str(k): plain(v) for k, v in row.items()}


Problem = Callable[[dict[str, Any]], str | None]
"""A row-wise rule: the problem with a row, in words, or None when the row is fine."""


def _plain_column(series: pd.Series) -> list[Any]:
    """A column as plain Python values, as record() gives them, converted by pyarrow (a
    pandas round-trip through to_dict costs ten times as much on a small table)."""
    if series.dtype == object:
        return [plain(v) for v in series]
    array = _arrow(series) if hasattr(series.array, "__arrow_array__") else None
    if array is None:
        array = pyarrow.array(series, from_pandas=True)
    if pyarrow.types.is_timestamp(array.type):
        array = array.cast(pyarrow.date32())
    values: list[Any] = array.to_pylist()
    return values


def per_row(df: pd.DataFrame, problem: Problem) -> pd.Series:
    """True where problem finds nothing. For small tables' rules that read like prose (the
    bounds of a date, the names of a party); the big tables' rules stay vectorised."""
    names = [str(name) for name in df.columns]
    columns = [_plain_column(df[name]) for name in df.columns]
    rows = zip(*columns, strict=True)
    fine = [problem(dict(zip(names, row, strict=True))) is None for row in rows]
    return pd.Series(fine, index=df.index, dtype=bool)


def says(problem: Problem) -> Message:
    """The message of a per_row rule: the problem it found with the failing row."""
    return lambda row, ctx, field: problem(record(row)) or "(no problem found on a re-check)"


# -- figures: targets and indicators -----------------------------------------------------

_FIGURES = [("targets", "value"), ("indicators", "value")]


@rule(
    "percent-range",
    _FIGURES,
    lambda r, c, f: f"{r['value']:g} percent is outside 0-100",
    reads=("unit",),
)
def _percent_range(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(~((df["unit"] == "percent") & ~df["value"].between(0, 100)))


@rule(
    "day-range",
    _FIGURES,
    lambda r, c, f: f"{r['value']:g} days is more than a year holds (0-366)",
    reads=("unit",),
)
def _day_range(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(~((df["unit"] == "day") & ~df["value"].between(0, 366)))


@rule(
    "metric-unit",
    [("targets", "unit"), ("indicators", "unit")],
    lambda r, c, f: f"unit {r['unit']!r} differs from metric {r['metric']!r}'s unit",
    reads=("metric",),
)
def _metric_unit(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    unit = _metric_attr(ctx.frames, df, "unit")
    return _ok((df["unit"] == unit) | unit.isna())


@rule(
    "metric-range",
    _FIGURES,
    lambda r, c, f: f"{r['value']:g} is outside the plausible range of metric {r['metric']!r}",
    reads=("metric",),
)
def _metric_range(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    # In numpy, so that a missing or NaN bound means "unbounded" whatever the pandas version
    # (pandas 2 and 3 treat NaN in nullable floats differently).
    value = df["value"].to_numpy(dtype=float, na_value=np.nan)
    low = _metric_attr(ctx.frames, df, "minimum").to_numpy(dtype=float, na_value=np.nan)
    high = _metric_attr(ctx.frames, df, "maximum").to_numpy(dtype=float, na_value=np.nan)
    inside = (value >= np.where(np.isnan(low), -np.inf, low)) & (
        value <= np.where(np.isnan(high), np.inf, high)
    )
    return _ok(pd.Series(inside, index=df.index).where(~np.isnan(value) | df["value"].notna()))


@rule(
    "water-class",
    [("indicators", "value_label")],
    lambda r, c, f: f"{r['value_label']!r} is not a water-quality class",
    reads=("unit",),
)
def _water_class(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    is_class = df["unit"] == "water_quality_class"
    return _ok(~is_class | df["value_label"].isin(WATER_CLASSES))


@rule(
    "change-unit",
    [("indicators", "change_unit")],
    lambda r, c, f: (
        "change is set but change_unit is empty"
        if pd.notna(r["change"])
        else "change_unit is set but change is empty"
    ),
    reads=("change",),
)
def _change_unit(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _set_together(df, "change", "change_unit")


@rule(
    "indicator-empty",
    [("indicators", "value")],
    lambda r, c, f: "no value, value_label or change: the row reports nothing",
    reads=("value_label", "change"),
)
def _indicator_empty(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(df["value"].notna() | df["value_label"].notna() | df["change"].notna())


@rule(
    "excellent-le-good",
    [("indicators", "value")],
    lambda r, c, f: (
        f"{r['value']:g} excellent-air days exceed the {r['_good']:g} good-air days "
        f"of {r['jurisdiction_code']} in {r['year']}"
    ),
    reads=("metric", "jurisdiction_code", "year"),
    across_rows=True,
)
def _excellent_le_good(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    key = ["jurisdiction_code", "year"]
    good = (
        df.loc[df["metric"] == "good_air_days", key + ["value"]]
        .dropna()
        .groupby(key, observed=True)["value"]
        .min()
        .rename("_good")
    )
    joined = df[key].join(good, on=key)
    df["_good"] = joined["_good"].to_numpy()
    return _ok(~((df["metric"] == "excellent_air_days") & (df["value"] > df["_good"])))


# -- sources ---------------------------------------------------------------------------------


@rule(
    "web-source",
    [("sources", "url")],
    lambda r, c, f: (
        "a source without a capture needs the url it was read at"
        if pd.isna(r["url"])
        else "a web-only source needs the date its url was retrieved"
    ),
    reads=("archive", "retrieved"),
)
def _web_source(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    web_only = df["archive"].isna()
    return _ok(~web_only | (df["url"].notna() & df["retrieved"].notna()))


@rule(
    "archive-pair",
    [("sources", "archive_sha256")],
    lambda r, c, f: (
        "archive is set but archive_sha256 is empty"
        if pd.notna(r["archive"])
        else "archive_sha256 is set but archive is empty"
    ),
    reads=("archive",),
)
def _archive_pair(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _set_together(df, "archive", "archive_sha256")


# -- dates and years everywhere ------------------------------------------------------------


@rule(
    "future-date",
    [
        ("sources", "published"),
        ("targets", "deadline"),
        ("indicators", "year"),
        ("agreements", "date"),
    ],
    lambda r, c, f: f"{r[f]} is after next year ({c.today.year + 1})",
)
def _future(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    values = df[field]
    if pd.api.types.is_datetime64_any_dtype(values):
        years = values.dt.year
    elif pd.api.types.is_integer_dtype(values):
        years = values
    else:  # ISO text at reduced precision (agreements.date)
        years = pd.to_numeric(values.str.slice(0, 4), errors="coerce")
    return _ok((years <= ctx.today.year + 1).where(years.notna()))


# -- running ---------------------------------------------------------------------------------


Skipped = set[tuple[TableRule, str]]  # rules not run, with the table they needed


MODULES = ("tables", "dates", "places", "attribution")
"""The family's modules, in the order their rules run (within a module: as registered)."""


def in_order(table: str) -> list[TableRule]:
    """The table's rules in run order, whatever order their modules were imported in: an
    earlier rule's report hides a cell from later ones, so the order is part of what a rule
    means."""
    ranked = [r for r in RULES if r.table == table]
    return sorted(
        ranked, key=lambda r: (MODULES.index(r.ok.__module__.rsplit(".", 1)[-1]), RULES.index(r))
    )


class RuleCrashed(RuntimeError):
    """A table rule raised: a bug in the validator, never a pass."""


def _decide(
    rule: TableRule, ctx: Context, skipped: Skipped, crashed: list[Exception], df: pd.DataFrame
) -> pd.Series:
    """Run a rule; a rule that looks into a table that could not be read is skipped, loudly.

    pandera records an exception in a check as a failure with no row, which would read as a
    pass: the exception is kept in crashed and raised after validation instead."""
    try:
        return rule.ok(df, ctx, rule.field)
    except KeyError as exc:
        if exc.args and exc.args[0] in ctx.frames:
            crashed.append(exc)
            raise
        skipped.add((rule, str(exc.args[0] if exc.args else exc)))
        return pd.Series(True, index=df.index)
    except Exception as exc:
        crashed.append(exc)
        raise


Which = Callable[[TableRule], bool]


def pandera_schema(
    resource: Resource,
    ctx: Context,
    skipped: Skipped | None = None,
    crashed: list[Exception] | None = None,
    which: Which | None = None,
) -> pa.DataFrameSchema:
    """Columns and dtypes from the Table Schema, plus this table's rules as checks (those
    which accepts, if given).

    Rules that cannot run because a table they look into is missing are added to skipped.
    """
    skipped = set() if skipped is None else skipped
    crashed = [] if crashed is None else crashed
    columns = {f.name: pa.Column(f.kind.pandas, nullable=True) for f in resource.fields}
    checks = [
        pa.Check(partial(_decide, r, ctx, skipped, crashed), name=f"{r.rule}:{r.field}")
        for r in in_order(resource.name)
        if which is None or which(r)
    ]
    return pa.DataFrameSchema(
        columns, checks=checks, strict=True, ordered=True, coerce=False, name=resource.name
    )


def _check_layout(resource: Resource, frame: pd.DataFrame) -> None:
    """The frame has the schema's columns, in order, with their dtypes (else a bug here)."""
    expected = [(f.name, pd.api.types.pandas_dtype(f.kind.pandas)) for f in resource.fields]
    actual = list(frame.dtypes.items())
    if actual != expected:
        raise RuntimeError(f"frame of {resource.name} does not match its schema: {actual}")


def check_tables(
    tables: dict[str, Table],
    frames: Frames,
    report: Report,
    today: dt.date | None = None,
    reference: Reference | None = None,
    which: Which | None = None,
) -> None:
    """Family 3: validate every table's frame with its pandera schema (with the rules which
    accepts, if given: a table in slices runs its across-rows rules apart)."""
    ctx = Context(frames, today or dt.date.today(), reference or load_reference())
    for name, table in tables.items():
        rules = [r for r in in_order(name) if which is None or which(r)]
        if not rules:
            continue  # its columns and dtypes come straight from the schema: nothing to add
        frame = frames[name]
        skipped: Skipped = set()
        crashed: list[Exception] = []
        schema = pandera_schema(table.resource, ctx, skipped, crashed, which)
        work = frame.copy(deep=False)  # rules may add helper columns for their messages
        _check_layout(table.resource, work)
        try:
            # The layout was checked above; pandera's own per-column dtype checks cost more
            # than all the rules of a small package together, so pandera runs the rules only.
            with config_context(validation_depth=ValidationDepth.DATA_ONLY):
                schema.validate(work, lazy=True, inplace=True)
            failures = None
        except pa.errors.SchemaErrors as exc:
            failures = exc.failure_cases
        if crashed:
            raise RuleCrashed(f"a table rule on {name} raised: {crashed[0]!r}") from crashed[0]
        for table_rule, missing in sorted(skipped, key=lambda item: item[0].rule):
            report.warning(
                table_rule.rule,
                f"not checked: it needs table '{missing}', which could not be read",
                path=table.path,
                field=table_rule.field,
            )
        if failures is None:
            continue
        for table_rule in rules:
            label = f"{table_rule.rule}:{table_rule.field}"
            rows = np.unique(failures.loc[failures["check"] == label, "index"].dropna().astype(int))
            for cell in table_rule.reads:
                rows = rows[table.unreported(cell)[rows]]
            add = report.warning if table_rule.severity == "warning" else report.error
            for row in rows:
                add(
                    table_rule.rule,
                    table_rule.message(work.iloc[row], ctx, table_rule.field),
                    path=table.path,
                    line=int(table.lines[row]),
                    field=table_rule.field,
                )
            if table_rule.severity != "warning":
                table.mark(table_rule.field, rows)
        other = failures[~failures["check"].astype(str).str.contains(":", regex=False)]
        if len(other):  # a dtype or column mismatch means the engine itself is wrong
            raise RuntimeError(
                f"pandera schema mismatch on {name}: {other.head().to_dict('records')}"
            )


# The rules of the other family-3 modules register on import (after the framework above);
# they run in the order of MODULES (in_order), whichever module is imported first.
from . import dates  # noqa: E402, F401  isort: skip
from . import places  # noqa: E402, F401  isort: skip
from . import attribution  # noqa: E402, F401  isort: skip
