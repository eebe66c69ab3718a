"""Table rules on places and bodies (family 3): jurisdictions checked against the GB/T 2260
reference, division types, where an organization belongs, and one row per body.

The reference (:mod:`gongbao.gbt2260`) decides whether a code exists, which names it carried
and when, its level and its parent: so ``name_zh``, ``level`` and ``parent_code`` are checked
against it, not against the digits of the code, and every fact that uses a jurisdiction must
fall in the window of its (code, name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..gbt2260 import NATIONAL, Reference, county_part, reference_level, reference_parent
from ..model import normalise_name
from .tables import Context, Frames, _ok, lookup, per_row, record, rule, streamable

# -- jurisdictions ---------------------------------------------------------------------------


def _unknown(code: str | None, ref: Reference) -> bool:
    if not code or code == NATIONAL:
        return False
    if len(code) == 9:  # a township: its county must be a county-level code
        return not any(d.level == "county" for d in ref.pairs(county_part(code)))
    return not ref.pairs(code)


def _unknown_message(r: pd.Series, ctx: Context, field: str) -> str:
    code = str(r["code"])
    if len(code) == 9:
        return (
            f"{code} is a township code whose county part {county_part(code)} is not a "
            f"county-level GB/T 2260 code (lists {ctx.gbt2260.first} … {ctx.gbt2260.last})"
        )
    name = r["name_zh"] if pd.notna(r["name_zh"]) else None
    return ctx.gbt2260.unknown_message(code, name)


@rule("gbt2260-unknown", [("jurisdictions", "code")], _unknown_message, reads=("name_zh",))
def _gbt2260_unknown(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(
        ~df["code"].map(lambda c: _unknown(c, ctx.gbt2260), na_action="ignore").astype("boolean")
    )


def _name_ok(code: str | None, name: str | None, ref: Reference) -> bool:
    if not code or not name or code == NATIONAL or len(code) == 9 or not ref.pairs(code):
        return True
    return bool(ref.matching(code, name))


def _name_message(r: pd.Series, ctx: Context, field: str) -> str:
    ref = ctx.gbt2260
    code, name = str(r["code"]), str(r["name_zh"])
    names = ", ".join(dict.fromkeys(d.name_zh for d in ref.pairs(code)))
    message = f"{code} is {names} in GB/T 2260, never {name}"
    elsewhere = [d for d in ref.nearest(code, name) if d.name_zh == name]
    if elsewhere:
        message += f"; {name} is {', '.join(d.code for d in elsewhere)}"
    return message


@rule("gbt2260-name", [("jurisdictions", "name_zh")], _name_message, reads=("code",))
def _gbt2260_name(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return pd.Series(
        [
            _name_ok(plain_str(c), plain_str(n), ctx.gbt2260)
            for c, n in zip(df["code"], df["name_zh"], strict=True)
        ],
        index=df.index,
    )


def plain_str(value: object) -> str | None:
    return (
        None
        if value is None or value is pd.NA or (isinstance(value, float) and value != value)
        else str(value)
    )


def _code_patterns(frames: Frames) -> dict[str, str]:
    levels = frames["levels"]
    return {
        str(level): str(pattern)
        for level, pattern in zip(levels["level"], levels["code_pattern"], strict=True)
        if pd.notna(level) and pd.notna(pattern)
    }


def _level_problem(r: dict[str, Any], ref: Reference, patterns: dict[str, str]) -> str | None:
    code, name, level = r.get("code"), r.get("name_zh"), r.get("level")
    if not code or not level:
        return None
    expected = reference_level(ref, code, name)
    if expected is not None and level != expected:
        return f"{code} is a {expected} code in GB/T 2260, not {level}"
    pattern = patterns.get(level)
    if pattern and not re.fullmatch(pattern, code):
        return f"{code} does not match the code pattern of level {level} ({pattern})"
    return None


@rule(
    "gbt2260-level",
    [("jurisdictions", "level")],
    lambda r, c, f: _level_problem(record(r), c.gbt2260, _code_patterns(c.frames)) or "",
    reads=("code", "name_zh"),
)
def _gbt2260_level(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    patterns = _code_patterns(ctx.frames)
    return per_row(df, lambda r: _level_problem(r, ctx.gbt2260, patterns))


def _parent_problem(r: dict[str, Any], ref: Reference) -> str | None:
    code, name, parent = r.get("code"), r.get("name_zh"), r.get("parent_code")
    if not code:
        return None
    if code != NATIONAL and len(code) == 6 and not ref.pairs(code):
        return None  # unknown: gbt2260-unknown says so
    expected = reference_parent(ref, code, name)
    if parent != expected:
        return f"parent of {code} is {expected or 'empty'} in GB/T 2260, not {parent or 'empty'}"
    return None


@rule(
    "gbt2260-parent",
    [("jurisdictions", "parent_code")],
    lambda r, c, f: _parent_problem(record(r), c.gbt2260) or "",
    reads=("code", "name_zh"),
)
def _gbt2260_parent(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return per_row(df, lambda r: _parent_problem(r, ctx.gbt2260))


# The facts that use a jurisdiction, and the months they cover (docs/data-model-2.md, 7.1).


def _month(value: Any) -> str | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return f"{value:%Y-%m}"


# The indicators table may be validated in slices: _facts reads these two columns of it.
streamable("indicators", "jurisdiction_code", "year")


def _facts(frames: Frames) -> Iterator[tuple[str, str | None, str | None, str]]:
    """(code, first month or None = open, last month, what) for every dated use of a code.

    A table that could not be read (reported by an earlier family) gives no facts: the
    others are still checked.
    """
    empty = pd.DataFrame(
        columns=["agreement_id", "org_id", "jurisdiction_code", "date_earliest", "date_latest"]
        + ["commitment_id", "source_id", "member_org_id", "as_of", "published", "year"]
    )

    def table(name: str) -> pd.DataFrame:
        return frames.get(name, empty)

    agreements = table("agreements").drop_duplicates("agreement_id")
    spans = {
        agreement_id: (_month(earliest), _month(latest))
        for agreement_id, earliest, latest in zip(
            agreements["agreement_id"],
            agreements["date_earliest"],
            agreements["date_latest"],
            strict=True,
        )
    }
    orgs = table("organizations").drop_duplicates("org_id").set_index("org_id")
    org_code = orgs["jurisdiction_code"]

    def span(agreement_id: Any) -> tuple[str | None, str | None] | None:
        return spans.get(agreement_id)

    for p in table("parties")[["agreement_id", "org_id"]].itertuples(index=False):
        dates, code = span(p.agreement_id), org_code.get(p.org_id)
        if dates and isinstance(code, str):
            yield code, dates[0], dates[1], f"parties ({p.agreement_id})"
    scope = table("agreement_scope")[["agreement_id", "jurisdiction_code"]]
    for s in scope.itertuples(index=False):
        dates = span(s.agreement_id)
        if dates and isinstance(s.jurisdiction_code, str):
            yield s.jurisdiction_code, dates[0], dates[1], f"agreement_scope ({s.agreement_id})"
    commitments = table("commitments").drop_duplicates("commitment_id").set_index("commitment_id")
    published = table("sources").drop_duplicates("source_id").set_index("source_id")["published"]
    parties = table("commitment_parties")[["commitment_id", "org_id", "source_id"]]
    for c in parties.itertuples(index=False):
        code = org_code.get(c.org_id)
        if not isinstance(code, str):
            continue
        agreement = commitments["agreement_id"].get(c.commitment_id)
        dates = span(agreement) if isinstance(agreement, str) else None
        if dates is None:
            day = _month(published.get(c.source_id))
            dates = (day, day) if day else None
        if dates:
            yield code, dates[0], dates[1], f"commitment_parties ({c.commitment_id})"
    for m in table("memberships")[["member_org_id", "as_of"]].itertuples(index=False):
        code, day = org_code.get(m.member_org_id), _month(m.as_of)
        if isinstance(code, str) and day:
            yield code, day, day, f"memberships ({m.member_org_id})"
    indicators = table("indicators")[["jurisdiction_code", "year"]].dropna()
    years = indicators.groupby("jurisdiction_code", observed=True)["year"].agg(["min", "max"])
    for code, low, high in years.itertuples():
        yield str(code), f"{int(low):04d}-01", f"{int(high):04d}-12", "indicators"


def _period_problems(frames: Frames, ref: Reference) -> dict[tuple[str, str], str]:
    names = frames["jurisdictions"][["code", "name_zh"]].dropna()
    name_of = dict(zip(names["code"].astype(str), names["name_zh"].astype(str), strict=True))
    outside: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for code, first, last, what in _facts(frames):
        name = name_of.get(code)
        if name is None or code == NATIONAL or len(code) != 6:
            continue
        pairs = ref.matching(code, name)
        if pairs and not any(d.overlaps(first or "", last or "") for d in pairs):
            outside.setdefault(code, []).append((what, first, last))
    problems = {}
    for code, uses in outside.items():
        name = name_of[code]
        windows = "; ".join(d.window for d in ref.matching(code, name))
        what, first, last = uses[0]
        when = first if first == last else f"{first or '…'} … {last}"
        more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
        current = ref.name_at(code, last)
        hint = f"; then it was {current.name_zh}" if current and current.name_zh != name else ""
        problems[(code, name)] = (
            f"{code} {name} is valid {windows} in GB/T 2260, but {what} uses it in "
            f"{when}{more}{hint}"
        )
    return problems


@rule(
    "gbt2260-period",
    [("jurisdictions", "name_zh")],
    lambda r, c, f: _period_problems(c.frames, c.gbt2260).get(
        (str(r["code"]), str(r["name_zh"])), ""
    ),
    reads=("code",),
)
def _gbt2260_period(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    problems = _period_problems(ctx.frames, ctx.gbt2260)
    return pd.Series(
        [
            (plain_str(c), plain_str(n)) not in problems
            for c, n in zip(df["code"], df["name_zh"], strict=True)
        ],
        index=df.index,
    )


@rule(
    "division-type-level",
    [("jurisdictions", "division_type")],
    lambda r, c, f: (
        f"division type {r['division_type']!r} is of level {r['_type_level']!r}, "
        f"the jurisdiction of level {r['level']!r}"
    ),
    reads=("level",),
)
def _division_type_level(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    levels = lookup(ctx.frames, "division_types", "division_type", "level", df["division_type"])
    df["_type_level"] = pd.Series(levels, index=df.index, dtype="object")
    return _ok((df["_type_level"] == df["level"]).where(df["_type_level"].notna()))


# -- organizations -----------------------------------------------------------------------------


@rule(
    "org-place",
    [("organizations", "jurisdiction_code")],
    lambda r, c, f: (
        "give jurisdiction_code or region_id, not both"
        if pd.notna(r["jurisdiction_code"])
        else "an organization needs a jurisdiction_code or (for a body of several "
        "jurisdictions) a region_id"
    ),
    reads=("region_id",),
)
def _org_place(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(df["jurisdiction_code"].notna() != df["region_id"].notna())


def _duplicates(frames: Frames, df: pd.DataFrame) -> list[str | None]:
    """For each organization row, the earlier body that shares one of its names, in words."""
    aliases: dict[str, list[str]] = {}
    table = frames.get("organization_aliases")
    if table is not None:
        for org_id, alias in zip(table["org_id"], table["alias_zh"], strict=True):
            if isinstance(org_id, str) and isinstance(alias, str):
                aliases.setdefault(org_id, []).append(alias)
    seen: dict[str, tuple[str, str]] = {}  # normalised name -> (org_id, name as written)
    found: list[str | None] = []
    for org_id, name in zip(df["org_id"], df["name_zh"], strict=True):
        if not isinstance(org_id, str) or not isinstance(name, str):
            found.append(None)
            continue
        clash = None
        for written in [name, *aliases.get(org_id, [])]:
            key = normalise_name(written)
            other = seen.get(key)
            if other is not None and other[0] != org_id and clash is None:
                clash = f"{written} is also a name of {other[0]} ({other[1]})"
            seen.setdefault(key, (org_id, written))
        found.append(clash)
    return found


@rule(
    "duplicate-organization",
    [("organizations", "name_zh")],
    lambda r, c, f: str(r["_duplicate"]),
    reads=("org_id",),
)
def _duplicate_organization(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    df["_duplicate"] = pd.Series(_duplicates(ctx.frames, df), index=df.index, dtype="object")
    return df["_duplicate"].isna()


def _same_place(df: pd.DataFrame) -> list[str | None]:
    """For each row, an earlier organization of the same place, type and parent, unless one
    of the two rows' notes names the other's org_id (a curator's "not the same body as …")."""
    seen: dict[tuple[Any, ...], list[tuple[str, str]]] = {}
    found: list[str | None] = []
    names = ["org_id", "jurisdiction_code", "region_id", "org_type", "parent_org_id", "note"]
    for r in [record(x) for x in df[names].to_dict("records")]:
        key = (r["jurisdiction_code"] or r["region_id"], r["org_type"], r["parent_org_id"])
        org_id, note = str(r["org_id"]), r["note"] or ""
        earlier = seen.setdefault(key, [])
        other = next((o for o, n in earlier if o not in note and org_id not in n), None)
        found.append(
            None
            if other is None or None in key[:2]
            else f"{other} is also of type {r['org_type']} in {key[0]}: the same body twice?"
        )
        earlier.append((org_id, note))
    return found


@rule(
    "possible-duplicate-organization",
    [("organizations", "org_type")],
    lambda r, c, f: str(r["_same_place"]),
    reads=("org_id", "name_zh", "jurisdiction_code", "region_id", "parent_org_id", "note"),
    severity="warning",
)
def _possible_duplicate_organization(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    df["_same_place"] = pd.Series(_same_place(df), index=df.index, dtype="object")
    return df["_same_place"].isna()
