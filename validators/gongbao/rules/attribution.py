"""Table rules on who took part (family 3): how a party, member or commitment party is
attributed (docs/codebook.md, P1-P7), commitments and their containers, every instrument
on a map, and the ids' conventions (section 8).

Whether a stated row's quote really names its body is a provenance check
(:mod:`.provenance`, ``stated-name-in-quote``), since it reads the quote.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pyarrow.compute as pc

from ..gbt2260 import provinces
from ..tableschema.csvio import in_halves
from .tables import Context, Frames, _arrow, _ok, lookup, per_row, record, rule

STATED_BASES = frozenset({"named", "collective", "officeholder"})
INFERRED_BASES = frozenset(
    {"counterpart", "place_authorities", "frame", "title_places", "geography"}
)
ATTRIBUTED = ["parties", "memberships", "commitment_parties"]
# The body a row attributes, and the container it belongs to, per table.
ORG_FIELD = {"parties": "org_id", "memberships": "member_org_id", "commitment_parties": "org_id"}
CONTAINER = {
    "parties": "agreement_id",
    "memberships": "body_org_id",
    "commitment_parties": "commitment_id",
}


@rule(
    "attribution-basis",
    [(t, "attribution_basis") for t in ATTRIBUTED],
    lambda r, c, f: (
        f"{r['attribution']} with basis {r['attribution_basis']!r}: the basis of a "
        f"{r['attribution']} row is one of "
        + ", ".join(sorted(STATED_BASES if r["attribution"] == "stated" else INFERRED_BASES))
    ),
    reads=("attribution",),
)
def _attribution_basis(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    stated = (df["attribution"] == "stated") & df["attribution_basis"].isin(STATED_BASES)
    inferred = (df["attribution"] == "inferred") & df["attribution_basis"].isin(INFERRED_BASES)
    return _ok(
        (stated | inferred).where(df["attribution"].notna() & df["attribution_basis"].notna())
    )


@rule(
    "collective-antecedent",
    [(t, "antecedent") for t in ATTRIBUTED],
    lambda r, c, f: (
        "a collective reference needs its antecedent: the earlier span of the body that names "
        "the bodies or places it refers to"
        if r["attribution_basis"] == "collective"
        else f"an antecedent belongs to basis collective, not {r['attribution_basis']!r}"
    ),
    reads=("attribution_basis",),
)
def _collective_antecedent(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    collective = df["attribution_basis"] == "collective"
    return _ok((collective == df["antecedent"].notna()).where(df["attribution_basis"].notna()))


@rule(
    "inferred-without-note",
    [(t, "note") for t in ATTRIBUTED],
    lambda r, c, f: (
        f"an inferred row (basis {r['attribution_basis']}) needs a note giving the reasoning"
    ),
    reads=("attribution",),
)
def _inferred_without_note(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(~((df["attribution"] == "inferred") & df["note"].isna()))


def _terms(frames: Frames) -> dict[str, int | None]:
    terms = frames["collective_terms"]
    return {
        str(t): (None if pd.isna(n) else int(n))
        for t, n in zip(terms["term"], terms["referents"], strict=True)
        if isinstance(t, str)
    }


def term_in(named_as: str, terms: dict[str, int | None]) -> str | None:
    """The longest collective term named_as contains (三省一市 in 三省一市生态环境部门)."""
    found = [t for t in terms if t in named_as]
    return max(found, key=len) if found else None


def _place_levels(frames: Frames) -> tuple[dict[str, str], dict[str, str]]:
    """(org_id -> its jurisdiction code, code -> the province-level code it lies in)."""
    orgs = frames["organizations"]
    where = {
        str(o): str(c)
        for o, c in zip(orgs["org_id"], orgs["jurisdiction_code"], strict=True)
        if isinstance(o, str) and isinstance(c, str)
    }
    places = frames["jurisdictions"]
    rows = zip(places["code"], places["parent_code"], places["level"], strict=True)
    province = provinces(
        (str(c), str(p) if isinstance(p, str) else None, str(level)) for c, p, level in rows
    )
    return where, province


_PLACE_WORDS = "地省市州县区"  # a term of places (两地, 三省, 三州), not of parties (双方, 三方)


def _count_problems(df: pd.DataFrame, frames: Frames, table: str) -> list[str | None]:
    """A collective reference (双方, 三省, 两地…) stands for N bodies; a term of places may
    also stand for N places whose bodies are several each (两地生态环境和水利部门: two places,
    two departments each):
    its rows must number N, or their bodies lie in exactly N places (their own, or their
    provinces: 川渝两地法院 are four district courts of two provinces)."""
    terms = _terms(frames)
    container, org_field = CONTAINER[table], ORG_FIELD[table]
    where, province = _place_levels(frames)
    rows = [
        record(x)
        for x in df[[container, "source_id", "named_as", "attribution_basis", org_field]].to_dict(
            "records"
        )
    ]
    bodies: dict[tuple[Any, ...], list[str]] = {}
    for r in rows:
        if r["attribution_basis"] == "collective" and r["named_as"]:
            key = (r[container], r["source_id"], r["named_as"])
            bodies.setdefault(key, []).append(str(r[org_field]))
    last = {(r[container], r["source_id"], r["named_as"]): i for i, r in enumerate(rows)}
    found: list[str | None] = []
    for i, r in enumerate(rows):
        key = (r[container], r["source_id"], r["named_as"])
        term = term_in(r["named_as"], terms) if r["named_as"] else None
        expected = terms.get(term) if term else None
        members = bodies.get(key, [])
        codes = [where.get(b) for b in members]
        located = bool(term) and any(w in (term or "") for w in _PLACE_WORDS) and all(codes)
        if (
            r["attribution_basis"] != "collective"
            or expected is None
            or len(members) == expected
            or (located and len(set(codes)) == expected)
            or (located and len({province.get(c or "") for c in codes} - {None}) == expected)
            or last[key] != i  # one problem per group, on its last row
        ):
            found.append(None)
        else:
            what = r["named_as"] if term == r["named_as"] else f"{r['named_as']} ({term})"
            found.append(
                f"{what} refers to {expected}, but {len(members)} rows of {r[container]} rest on it"
            )
    return found


@rule(
    "collective-count",
    [(t, "named_as") for t in ATTRIBUTED],
    lambda r, c, f: str(r["_count"]),
    reads=("attribution_basis",),
    severity="warning",
)
def _collective_count(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    table = next(t for t, container in CONTAINER.items() if container in df and ORG_FIELD[t] in df)
    df["_count"] = pd.Series(_count_problems(df, ctx.frames, table), index=df.index, dtype="object")
    return df["_count"].isna()


# -- commitments -------------------------------------------------------------------------------


@rule(
    "commitment-container",
    [("commitments", "agreement_id")],
    lambda r, c, f: (
        "a commitment with no containing instrument needs its announcer "
        "(a commitment_parties row with role announcer)"
    ),
)
def _commitment_container(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    parties = ctx.frames["commitment_parties"]
    announced = set(parties.loc[parties["role"] == "announcer", "commitment_id"].dropna())
    return _ok(df["agreement_id"].notna() | df["commitment_id"].isin(announced))


@rule(
    "commitment-action",
    [("commitments", "action")],
    lambda r, c, f: (
        "name_zh is set but action is empty"
        if pd.notna(r["name_zh"])
        else "action is set but name_zh is empty (a thematic commitment has no action)"
    ),
    reads=("name_zh",),
)
def _commitment_action(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return _ok(df["name_zh"].notna() == df["action"].notna())


# -- every instrument on a map -------------------------------------------------------------------


@rule(
    "placed",
    [("agreements", "agreement_id")],
    lambda r, c, f: (
        "the instrument cannot be placed on a map: no party with a jurisdiction and no "
        "agreement_scope row"
    ),
)
def _placed(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    parties = ctx.frames["parties"]
    codes = lookup(ctx.frames, "organizations", "org_id", "jurisdiction_code", parties["org_id"])
    placed = set(
        parties.loc[pd.Series(codes, index=parties.index).notna(), "agreement_id"].dropna()
    )
    placed |= set(ctx.frames["agreement_scope"]["agreement_id"].dropna())
    return _ok(df["agreement_id"].isin(placed).where(df["agreement_id"].notna()))


# -- evidence for optional facts ---------------------------------------------------------------


def _pair_problem(r: dict[str, Any]) -> str | None:
    if r.get("source_id") and not r.get("evidence"):
        return "source_id is set but evidence is empty: quote the sentence the row rests on"
    if r.get("evidence") and not r.get("source_id"):
        return "evidence is set but source_id is empty: name the source it is quoted from"
    if r.get("basis") == "source_names" and not r.get("source_id"):
        return "basis source_names needs the source (source_id) and its quote (evidence)"
    return None


@rule(
    "evidence-pair",
    [("region_members", "evidence"), ("organizations", "evidence")],
    lambda r, c, f: _pair_problem(record(r)) or "",
    reads=("source_id",),
)
def _evidence_pair(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    return per_row(df, _pair_problem)


# -- ids -----------------------------------------------------------------------------------------

_YEAR_TOKEN = re.compile(r"-((?:19|20)[0-9]{2})$")


def _words(slug: str) -> list[str]:
    return slug.split("-")


def _contains_words(slug: str, stem: str) -> bool:
    words, part = _words(slug), _words(stem)
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _ends_with(ident: str, stem: str, whole: bool = False) -> bool:
    """ident ends with stem, or with stem and a counter (-2, -3 …); with whole, ident is that
    and nothing more. String tests, not a pattern per row: each distinct pattern compiled
    would cost more than the rest of the rule."""
    at = (0 if ident.startswith(stem) else -1) if whole else ident.rfind(stem)
    if at < 0:
        return False
    rest = ident[at + len(stem) :]
    return rest == "" or (rest[:1] == "-" and rest[1:].isascii() and rest[1:].isdigit())


def id_problem(table: str, r: dict[str, Any]) -> str | None:
    """The id convention of a table (docs/codebook.md, section 8), where a row's own cells
    decide it: ids older than the convention pass, since ids are permanent."""
    if table == "sources":
        day = r.get("published") or r.get("retrieved")
        ident = r["source_id"]
        if day is not None and not _ends_with(ident, f"-{day.isoformat()}"):
            return f"{ident} does not end with its date: <publisher>-{day.isoformat()}"
    elif table == "organizations":
        ident, stem, prefix = r["org_id"], r.get("_id_stem"), r.get("_id_prefix")
        if stem and not _contains_words(ident, stem):
            return f"{ident} does not contain the words {stem!r} of its type {r.get('org_type')}"
        if prefix and not ident.startswith(f"{prefix}-"):
            return f"{ident} does not start with its region's prefix {prefix}-"
    elif table == "agreements":
        ident, date = r["agreement_id"], r.get("date")
        token = _YEAR_TOKEN.search(ident)
        if token and date and date[:4].isdigit() and token.group(1) != date[:4]:
            return f"{ident} ends with {token.group(1)}, but its date is {date}"
    elif table == "commitments":
        ident, agreement, mechanism = r["commitment_id"], r.get("agreement_id"), r.get("mechanism")
        if agreement and mechanism:
            stem = f"{agreement}-{mechanism.replace('_', '-')}"
            if not (ident == stem or _ends_with(ident, stem, whole=True)):
                return f"{ident} is not <agreement_id>-<mechanism>[-n]: {stem}"
    elif table == "targets":
        ident, deadline = r["target_id"], r.get("deadline")
        if deadline is not None and f"-{deadline.year}-" not in ident:
            year = deadline.year
            return f"{ident} does not contain its deadline's year: <agreement>-{year}-<metric>"
    return None


_ID_FIELD = {
    "sources": "source_id",
    "organizations": "org_id",
    "agreements": "agreement_id",
    "commitments": "commitment_id",
    "targets": "target_id",
    "indicators": "indicator_id",
}


def _indicator_ok(df: pd.DataFrame) -> pd.Series:
    """<place>-<year>-<metric>: the first -YYYY- of the id is the row's year (vectorised: the
    table that grows to a million rows)."""
    ids, years = _arrow(df["indicator_id"]), _arrow(df["year"])
    # null where no -YYYY- at all; a million distinct ids are searched on two threads
    matched = in_halves(lambda part: pc.extract_regex(part, r"-(?P<year>[0-9]{4})-"), ids)
    same = pc.fill_null(pc.equal(pc.struct_field(matched, "year"), pc.cast(years, "string")), False)
    judged = pc.and_(pc.is_valid(ids), pc.is_valid(years))
    ok = pc.or_(pc.invert(judged), same)  # a missing id or year is another rule's business
    return pd.Series(ok.to_numpy(zero_copy_only=False), index=df.index, dtype=bool)


def _indicator_message(r: pd.Series) -> str:
    return f"{r['indicator_id']} is not <place>-{r['year']}-<metric>: the year is the row's year"


@rule(
    "id-convention",
    [(t, f) for t, f in _ID_FIELD.items()],
    lambda r, c, f: (
        _indicator_message(r)
        if f == "indicator_id"
        else id_problem(next(t for t, x in _ID_FIELD.items() if x == f), record(r)) or ""
    ),
    # the cells an id is checked against: one reported already is not judged twice
    reads=("published", "retrieved", "org_type", "region_id", "date", "agreement_id")
    + ("mechanism", "deadline", "year"),
)
def _id_convention(df: pd.DataFrame, ctx: Context, field: str) -> pd.Series:
    if field == "indicator_id":
        return _indicator_ok(df)
    table = next(t for t, x in _ID_FIELD.items() if x == field)
    if table == "organizations":
        stems = lookup(ctx.frames, "org_types", "org_type", "id_stem", df["org_type"])
        prefixes = lookup(ctx.frames, "regions", "region_id", "id_prefix", df["region_id"])
        df["_id_stem"] = pd.Series(stems, index=df.index, dtype="object")
        df["_id_prefix"] = pd.Series(prefixes, index=df.index, dtype="object")
    return per_row(df, lambda r: None if r.get(field) is None else id_problem(table, r))
