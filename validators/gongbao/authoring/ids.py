"""Id conventions: how a new row's id is made from its own cells, readable and never reused.

An id is a slug built by the table's recipe (:data:`ID_RECIPES`, docs/codebook.md section 8):
``cqrb-2020-04-02`` for a source, the English title plus the year for an agreement,
place-year-metric for an indicator, place-body for an organization, agreement-mechanism for
a commitment. A table without a recipe but with an English name field and a slug-shaped key
gets the slug of that name. An id that exists gets ``-2``, ``-3``... (:func:`fresh`), so an
id, once published, never names something else.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UsageError
from ..tableschema.package import Field, Resource

Rows = Callable[[str], list[dict[str, str]]]
"""A table's existing rows by table name (cells as text, '' when empty; [] for no table)."""

# English words left out of slugs made from titles.
STOPWORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"]
    + ["to", "with"]
)
DEFAULT_ID_LENGTH = 80  # for an id field without maxLength
SUFFIX_ROOM = 3  # kept free for a -NN suffix


def option_name(field: str) -> str:
    """The command-line option of a field (messages here tell which option to give)."""
    return "--" + field.replace("_", "-")


def slug(text: str, sep: str = "-", limit: int | None = None, drop_stopwords: bool = False) -> str:
    """ASCII, lower-case words joined by sep, cut at a word boundary after limit characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if drop_stopwords:
        words = [w for w in words if w not in STOPWORDS] or words
    out: list[str] = []
    for word in words:
        if limit is not None and out and len(sep.join([*out, word])) > limit:
            break
        out.append(word)
    return sep.join(out)


@dataclass
class Context:
    """What an id recipe may look at: the new row, and the package's existing rows."""

    resource: Resource
    row: dict[str, str]
    rows: Rows
    sep: str
    room: int  # characters an id may have, keeping SUFFIX_ROOM for a -NN suffix

    def need(self, *names: str) -> list[str]:
        """The cells the id is made from; a usage error naming the options when some are not
        given (the id cannot be guessed)."""
        missing = [n for n in names if not self.row.get(n)]
        if missing:
            given = " ".join(f"{option_name(n)} ..." for n in missing)
            raise UsageError(
                f"{self.resource.primary_key[0]} is made from "
                f"{', '.join(names)}: give {given} (or --id ID)"
            )
        return [self.row[n] for n in names]


Recipe = Callable[[Context], str]


def _from_title(field: str) -> Recipe:
    """A slug of an English name, plus the year of `date` when the table has one."""

    def recipe(ctx: Context) -> str:
        (title,) = ctx.need(field)
        year = (ctx.row.get("date") or "")[:4]
        suffix = f"{ctx.sep}{year}" if year.isdigit() else ""
        base = slug(title, ctx.sep, ctx.room - len(suffix), drop_stopwords=True)
        return base if base.endswith(suffix) else base + suffix

    return recipe


def _source_id(ctx: Context) -> str:
    """<publisher abbreviation>-<published>: cqrb-2020-04-02.

    The abbreviation of a publisher already in the table is reused (重庆日报 -> cqrb);
    a new publisher's is the slug of publisher_en (Hubei Daily -> hubei-daily), or --id.
    """
    publisher, published = ctx.need("publisher", "published")
    for row in ctx.rows(ctx.resource.name):
        known = re.match(r"^(.+?)-\d{4}-\d{2}-\d{2}(-\d+)?$", row.get("source_id", ""))
        if row.get("publisher") == publisher and known:
            return f"{known.group(1)}-{published}"
    english = ctx.row.get("publisher_en") or (publisher if publisher.isascii() else "")
    if not english:
        raise UsageError(
            f"source_id is <publisher abbreviation>-<published>, and {publisher!r} "
            "is a new publisher: give --publisher-en (e.g. 'Hubei Daily') "
            "or --id (e.g. hbrb-2025-12-07)"
        )
    return f"{slug(english, ctx.sep, ctx.room - len(published) - 1)}-{published}"


def _agreement_abbrev(agreement_id: str) -> str:
    """Leading short words of an agreement id: sc-cq-air-... -> sc-cq, xsss-green-... -> xsss."""
    words = agreement_id.split("-")
    short = list(itertools.takewhile(lambda w: len(w) <= 4, words))
    return "-".join(short or words[:1])


def _target_id(ctx: Context) -> str:
    """<agreement abbreviation>-<deadline year>-<metric>: xsss-2025-water-quality-class."""
    agreement_id, metric = ctx.need("agreement_id", "metric")
    year = (ctx.row.get("deadline") or "")[:4]
    parts = [_agreement_abbrev(agreement_id), year, slug(metric, ctx.sep)]
    return ctx.sep.join(p for p in parts if p)


def _indicator_id(ctx: Context) -> str:
    """<place>-<year>-<metric>: cq-2019-good-air-days.

    The place abbreviation already used for the jurisdiction is reused; otherwise the slug
    of the jurisdiction's English name (Wuhan -> wuhan).
    """
    code, year, metric = ctx.need("jurisdiction_code", "year", "metric")
    place = ""
    for row in ctx.rows(ctx.resource.name):
        known = re.match(r"^(.+?)-\d{4}-", row.get("indicator_id", ""))
        if row.get("jurisdiction_code") == code and known:
            place = known.group(1)
            break
    if not place:
        names = {r.get("code"): r.get("name_en", "") for r in ctx.rows("jurisdictions")}
        place = slug(names.get(code) or code, ctx.sep)
    return ctx.sep.join([place, year, slug(metric, ctx.sep)])


def _commitment_id(ctx: Context) -> str:
    """<agreement_id>-<mechanism, hyphens> for a commitment of an instrument (a second one
    of the same kind gets -2, -3...); an announced commitment's id is chosen by hand."""
    if not ctx.row.get("agreement_id"):
        raise UsageError(
            "commitment_id is <agreement_id>-<mechanism> for a commitment of an instrument: "
            "give --agreement-id; for a commitment a body announces, give --id "
            "<announcer's place>-<name keywords> "
            "(e.g. chongqing-cross-boundary-environmental-emergency-mechanism)"
        )
    agreement_id, mechanism = ctx.need("agreement_id", "mechanism")
    return f"{agreement_id}{ctx.sep}{slug(mechanism, ctx.sep)}"


_HEAD_NOUNS = (("厅", "dept"), ("部门", "dept"), ("局", "bureau"))


def _org_id(ctx: Context) -> str:
    """<place>-<body> (docs/codebook.md, section 8): place = the jurisdiction's English name
    (or the region's id prefix), body = the type's id_stem, with dept or bureau after a stem
    that names no body (厅/部门 -> dept, 局 -> bureau). National bodies: the English name."""
    org_type, name_zh = ctx.need("org_type", "name_zh")
    stem = next(
        (r.get("id_stem", "") for r in ctx.rows("org_types") if r.get("org_type") == org_type), ""
    )
    code, region = ctx.row.get("jurisdiction_code"), ctx.row.get("region_id")
    if region:
        prefix = next(
            (r.get("id_prefix", "") for r in ctx.rows("regions") if r.get("region_id") == region),
            "",
        )
        (english,) = ctx.need("name_en")
        return ctx.sep.join(p for p in (prefix, slug(english, ctx.sep, drop_stopwords=True)) if p)
    if not code or code == "100000" or not stem:
        return _from_title("name_en")(ctx)
    place = next(
        (r.get("name_en", "") for r in ctx.rows("jurisdictions") if r.get("code") == code), ""
    )
    if not place:
        raise UsageError(
            f"jurisdiction {code} is not in jurisdictions yet: add it first (or give --id)"
        )
    body = stem
    if stem.split("-")[-1] not in {"dept", "bureau"}:
        body += next((f"-{word}" for noun, word in _HEAD_NOUNS if name_zh.endswith(noun)), "")
    return f"{slug(place, ctx.sep)}{ctx.sep}{body}"


ID_RECIPES: dict[str, Recipe] = {
    "sources": _source_id,
    "agreements": _from_title("title_en"),
    "targets": _target_id,
    "indicators": _indicator_id,
    "organizations": _org_id,
    "commitments": _commitment_id,
}
"""Table -> how its id is made. A table not listed here, with a single string key, gets a
slug of its English name field (name_en, title_en or label_en) if it has one."""
_ENGLISH_NAMES = ("name_en", "title_en", "label_en")


def id_separator(field: Field) -> str:
    """'_' for snake_case codes (good_air_days), '-' for slugs, as the field's pattern allows."""
    pattern = field.pattern
    if pattern and not re.fullmatch(pattern, "a-b") and re.fullmatch(pattern, "a_b"):
        return "_"
    return "-"


def generate_id(resource: Resource, row: dict[str, str], rows: Rows) -> str | None:
    """A readable id for the row's single-field key (before :func:`fresh`), or None when the
    table has no recipe and no English name to make one from."""
    (key,) = resource.primary_key
    field = resource.field(key)
    limit = int(field.constraints.get("maxLength") or DEFAULT_ID_LENGTH)
    ctx = Context(resource, row, rows, id_separator(field), limit - SUFFIX_ROOM)
    recipe = ID_RECIPES.get(resource.name)
    if recipe is None:
        english = next((n for n in _ENGLISH_NAMES if n in resource.field_names), None)
        if english is None or not field.pattern or not re.fullmatch(field.pattern, f"a{ctx.sep}b"):
            return None  # no English name, or the key is not a slug (a code, a Chinese term)
        recipe = _from_title(english)
    base = recipe(ctx)
    if len(base) > ctx.room:
        base = slug(base, ctx.sep, ctx.room)
    if not base:
        raise UsageError(f"cannot make a {key} from the given cells: give --id ID")
    return base


def fresh(base: str, taken: set[str], sep: str = "-") -> str:
    """base, or base-2, base-3... : the first not in taken."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{sep}{number}"
    return candidate
