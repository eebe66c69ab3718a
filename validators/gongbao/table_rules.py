"""Table rules a Table Schema cannot say (rule family 3), as pandera models.

Each table's pandera schema is derived from its Table Schema (columns, order, dtypes: one
source of truth); the rules below add what only a dataframe engine can say: cross-column,
cross-table and domain rules. A rule is a vectorised function returning True where a row
is fine. Rules run in the order listed, and a cell already reported (by this or an earlier
family) is not reported again, so the most specific wording wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.config import ValidationDepth, config_context

from .descriptor import Resource
from .problems import Report
from .structure import Table

Frames = dict[str, pd.DataFrame]

WATER_CLASSES = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"]
NATIONAL = "100000"

# Table Schema type -> the pandas dtype validation works on (nullable, no coercion).
VALIDATION_DTYPES = {
    "string": "string[pyarrow]",
    "number": "Float64",
    "integer": "Int64",
    "year": "Int64",
    "date": "datetime64[ms]",
}


@dataclass(frozen=True)
class TableRule:
    rule: str
    table: str
    field: str
    ok: Callable[[pd.DataFrame, Frames], pd.Series]
    message: Callable[[pd.Series], str]


RULES: list[TableRule] = []


def rule(rule_id: str, table: str, field: str, message: Callable[[pd.Series], str]):
    def register(ok: Callable[[pd.DataFrame, Frames], pd.Series]):
        RULES.append(TableRule(rule_id, table, field, ok, message))
        return ok

    return register


def _ok(mask: pd.Series) -> pd.Series:
    """Rules pass where they cannot be decided (a missing cell is another rule's business)."""
    return mask.fillna(True).astype(bool)


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


def _arrow(series: pd.Series) -> pyarrow.ChunkedArray | pyarrow.Array:
    array = series.array
    if hasattr(array, "__arrow_array__"):  # pyarrow-backed: no copy
        return array.__arrow_array__()
    return pyarrow.array(series, from_pandas=True)


# -- figures: targets and indicators -----------------------------------------------------

for _table in ("targets", "indicators"):
    rule("percent-range", _table, "value", lambda r: f"{r['value']:g} percent is outside 0-100")(
        lambda df, f: _ok(~((df["unit"] == "percent") & ~df["value"].between(0, 100)))
    )
    rule(
        "day-range",
        _table,
        "value",
        lambda r: f"{r['value']:g} days is more than a year holds (0-366)",
    )(lambda df, f: _ok(~((df["unit"] == "day") & ~df["value"].between(0, 366))))
    rule(
        "metric-unit",
        _table,
        "unit",
        lambda r: f"unit {r['unit']!r} differs from metric {r['metric']!r}'s unit",
    )(
        lambda df, f: _ok(
            (df["unit"] == _metric_attr(f, df, "unit")) | _metric_attr(f, df, "unit").isna()
        )
    )
    rule(
        "metric-range",
        _table,
        "value",
        lambda r: f"{r['value']:g} is outside the plausible range of metric {r['metric']!r}",
    )(
        lambda df, f: _ok(
            (df["value"] >= _metric_attr(f, df, "minimum").fillna(-np.inf))
            & (df["value"] <= _metric_attr(f, df, "maximum").fillna(np.inf))
        )
    )


@rule(
    "water-class",
    "indicators",
    "value_label",
    lambda r: f"{r['value_label']!r} is not a water-quality class",
)
def _water_class(df: pd.DataFrame, frames: Frames) -> pd.Series:
    is_class = df["unit"] == "water_quality_class"
    return _ok(~is_class | df["value_label"].isin(WATER_CLASSES))


@rule(
    "change-unit",
    "indicators",
    "change_unit",
    lambda r: (
        "change is set but change_unit is empty"
        if pd.notna(r["change"])
        else "change_unit is set but change is empty"
    ),
)
def _change_unit(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return _ok(df["change"].isna() == df["change_unit"].isna())


@rule(
    "indicator-empty",
    "indicators",
    "value",
    lambda r: "no value, value_label or change: the row reports nothing",
)
def _indicator_empty(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return _ok(df["value"].notna() | df["value_label"].notna() | df["change"].notna())


@rule(
    "excellent-le-good",
    "indicators",
    "value",
    lambda r: (
        f"{r['value']:g} excellent-air days exceed the {r['_good']:g} good-air days "
        f"of {r['jurisdiction_code']} in {r['year']}"
    ),
)
def _excellent_le_good(df: pd.DataFrame, frames: Frames) -> pd.Series:
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


def _lookup(frames: Frames, table: str, key: str, column: str, keys: pd.Series) -> np.ndarray:
    """For each of keys, column of the row of frames[table] whose key it is (missing: NA)."""
    index = frames[table].drop_duplicates(key).set_index(key)[column]
    return keys.map(index).to_numpy()


@rule(
    "deadline-after-agreement",
    "targets",
    "deadline",
    lambda r: f"deadline {r['deadline']:%Y-%m-%d} is before the agreement's date {r['_date']}",
)
def _deadline_after_agreement(df: pd.DataFrame, frames: Frames) -> pd.Series:
    df["_date"] = _lookup(frames, "agreements", "agreement_id", "date", df["agreement_id"])
    deadline = df["deadline"].dt.strftime("%Y-%m-%d")
    # An agreement date may be YYYY or YYYY-MM: the deadline may not precede its start.
    return _ok(deadline >= df["_date"].str.slice(0, 10))


# -- agreements ---------------------------------------------------------------------------

_PRECISION = {10: "day", 7: "month", 4: "year"}


def _date_exists(value: str) -> bool:
    try:
        dt.date.fromisoformat((value + "-01-01")[:10] if len(value) < 10 else value)
    except ValueError:
        return False
    return True


@rule(
    "date-precision",
    "agreements",
    "date_precision",
    lambda r: (
        f"date {r['date']!r} with date_precision {r['date_precision']!r}"
        if pd.isna(r["date"]) or _date_exists(r["date"])
        else f"date {r['date']!r} does not exist"
    ),
)
def _date_precision(df: pd.DataFrame, frames: Frames) -> pd.Series:
    expected = df["date"].str.len().map(_PRECISION).fillna("unknown")
    exists = df["date"].map(_date_exists, na_action="ignore").fillna(True).astype(bool)
    return _ok((df["date_precision"] == expected) & exists)


@rule(
    "date-after-published",
    "agreements",
    "date",
    lambda r: f"date {r['date']} is after the source was published ({r['_published']:%Y-%m-%d})",
)
def _date_after_published(df: pd.DataFrame, frames: Frames) -> pd.Series:
    df["_published"] = _lookup(frames, "sources", "source_id", "published", df["source_id"])
    return _ok(df["date"] <= df["_published"].dt.strftime("%Y-%m-%d"))


# -- dates and years everywhere ------------------------------------------------------------


def _next_year() -> int:
    return dt.date.today().year + 1


def _future_message(column: str, row: pd.Series) -> str:
    return f"{row[column]} is after next year ({_next_year()})"


def _future(column: str, kind: str) -> Callable[[pd.DataFrame, Frames], pd.Series]:
    def ok(df: pd.DataFrame, frames: Frames) -> pd.Series:
        values = df[column]
        if kind == "date":
            years = values.dt.year
        elif kind == "year":
            years = values
        else:  # ISO text at reduced precision
            years = pd.to_numeric(values.str.slice(0, 4), errors="coerce")
        return _ok((years <= _next_year()).where(years.notna()))

    return ok


for _table, _field, _kind in (
    ("sources", "published", "date"),
    ("targets", "deadline", "date"),
    ("indicators", "year", "year"),
    ("agreements", "date", "text"),
):
    rule(
        "future-date",
        _table,
        _field,
        partial(_future_message, _field),
    )(_future(_field, _kind))


# -- jurisdictions: GB/T 2260 --------------------------------------------------------------


def implied_parent(code: str) -> str | None:
    """Parent a GB/T 2260 code's digits imply (100000 stands for the country)."""
    if code == NATIONAL:
        return None
    if code.endswith("0000"):
        return NATIONAL
    if code.endswith("00") or code[2:4] == "90":
        return code[:2] + "0000"
    return code[:4] + "00"


def implied_level(code: str) -> str:
    if code == NATIONAL:
        return "national"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


@rule(
    "gbt2260-parent",
    "jurisdictions",
    "parent_code",
    lambda r: (
        f"parent of {r['code']} should be {implied_parent(r['code']) or 'empty'}, "
        f"not {r['parent_code'] if pd.notna(r['parent_code']) else 'empty'}"
    ),
)
def _parent(df: pd.DataFrame, frames: Frames) -> pd.Series:
    expected = df["code"].map(implied_parent, na_action="ignore")
    same = (df["parent_code"] == expected) | (df["parent_code"].isna() & expected.isna())
    return _ok(same.where(df["code"].notna()))


@rule(
    "gbt2260-level",
    "jurisdictions",
    "level",
    lambda r: f"{r['code']} is a {implied_level(r['code'])} code, not {r['level']}",
)
def _level(df: pd.DataFrame, frames: Frames) -> pd.Series:
    return _ok(df["level"] == df["code"].map(implied_level, na_action="ignore"))


# -- running ---------------------------------------------------------------------------------


def _decide(rule: TableRule, frames: Frames, skipped: set, df: pd.DataFrame) -> pd.Series:
    """Run a rule; a rule that looks into a table that could not be read is skipped, loudly."""
    try:
        return rule.ok(df, frames)
    except KeyError as exc:
        if exc.args and exc.args[0] in frames:
            raise
        skipped.add((rule, str(exc.args[0] if exc.args else exc)))
        return pd.Series(True, index=df.index)


def pandera_schema(
    resource: Resource, frames: Frames, skipped: set | None = None
) -> pa.DataFrameSchema:
    """Columns and dtypes from the Table Schema, plus this table's rules as checks.

    Rules that cannot run because a table they look into is missing are added to skipped.
    """
    skipped = set() if skipped is None else skipped
    columns = {
        f["name"]: pa.Column(VALIDATION_DTYPES[f.get("type", "string")], nullable=True)
        for f in resource.fields
    }
    checks = [
        pa.Check(partial(_decide, r, frames, skipped), name=f"{r.rule}:{r.field}")
        for r in RULES
        if r.table == resource.name
    ]
    return pa.DataFrameSchema(
        columns, checks=checks, strict=True, ordered=True, coerce=False, name=resource.name
    )


def _check_layout(resource: Resource, frame: pd.DataFrame) -> None:
    """The frame has the schema's columns, in order, with their dtypes (else a bug here)."""
    expected = [
        (f["name"], pd.api.types.pandas_dtype(VALIDATION_DTYPES[f.get("type", "string")]))
        for f in resource.fields
    ]
    actual = list(frame.dtypes.items())
    if actual != expected:
        raise RuntimeError(f"frame of {resource.name} does not match its schema: {actual}")


def check_tables(tables: dict[str, Table], frames: Frames, report: Report) -> None:
    """Family 3: validate every table's frame with its pandera schema."""
    for name, table in tables.items():
        if not any(r.table == name for r in RULES):
            continue  # its columns and dtypes come straight from the schema: nothing to add
        frame = frames[name]
        skipped: set[tuple[TableRule, str]] = set()
        schema = pandera_schema(table.resource, frames, skipped)
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
        for table_rule, missing in sorted(skipped, key=lambda item: item[0].rule):
            report.warning(
                table_rule.rule,
                f"not checked: it needs table '{missing}', which could not be read",
                path=table.path,
                field=table_rule.field,
            )
        if failures is None:
            continue
        for table_rule in (r for r in RULES if r.table == name):
            label = f"{table_rule.rule}:{table_rule.field}"
            rows = np.unique(failures.loc[failures["check"] == label, "index"].dropna().astype(int))
            rows = rows[table.unreported(table_rule.field)[rows]]
            for row in rows:
                report.error(
                    table_rule.rule,
                    table_rule.message(work.iloc[row]),
                    path=table.path,
                    line=int(table.lines[row]),
                    field=table_rule.field,
                )
            table.mark(table_rule.field, rows)
        other = failures[~failures["check"].astype(str).str.contains(":", regex=False)]
        if len(other):  # a dtype or column mismatch means the engine itself is wrong
            raise RuntimeError(
                f"pandera schema mismatch on {name}: {other.head().to_dict('records')}"
            )
