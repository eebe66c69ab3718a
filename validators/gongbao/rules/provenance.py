"""Provenance (rule family 4): every quote is in its archived source, every number in its quote.

The archive lives outside the package (``--archive DIR`` or ``GONGBAO_ARCHIVE``). Each
capture's SHA-256 is checked against ``sources.archive_sha256`` before its text is trusted.
Quotes are matched with runs of whitespace folded to one space, on distinct
(source, quote) pairs, so repeated quotes cost nothing. A quote may join verbatim segments
of one paragraph with […]; it must lie inside the article body, which each source marks
with its first and last words (body_start, body_end), so a headline or a caption supports
nothing. Without an archive the quote checks are reported as not run, never as passed; the
checks that need no archive (numbers and names in their quotes) always run.
"""

from __future__ import annotations

import hashlib
import operator
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..problems.catalogue import implements
from ..problems.report import Report, shown
from ..tableschema.csvio import Table
from ..tableschema.files import CAPTURE_LIMIT, Refused, read_confined

_SPACE = re.compile(r"\s+")
_NUMBER_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
NUMERIC_FIELDS = ("value", "change")


def file_sha256(path: Path) -> str:
    """SHA-256 of a capture, lower-case hex: what sources.archive_sha256 holds."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# Python's \s (str.isspace) written for RE2, whose own \s is ASCII only.
_SPACE_RE2 = r"[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\pZ]+"


Strings: TypeAlias = "pa.Array | pa.ChunkedArray"


def _spaced_or_joined(values: Strings) -> pa.Array | pa.ChunkedArray:
    """True where a value holds whitespace (to fold) or the segment marker."""
    pattern = f"{_SPACE_RE2}|{re.escape(SEGMENT)}"
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def fold_quotes(values: Strings) -> tuple[list[str], np.ndarray]:
    """fold() of every value, as a list, and where a value joins segments (holds SEGMENT).

    Values with neither whitespace nor the marker (most quotes) are taken as they are, the
    rest looked at one by one: no second copy of a million strings, no second pass. On a
    long column, pyarrow searches on another thread (its kernels release the GIL) while
    Python turns the values into strings."""
    if len(values) < 100_000:
        marked = _spaced_or_joined(values)
        folded: list[str] = values.to_pylist()  # no nulls: pairs have both cells set
    else:
        with ThreadPoolExecutor(1) as pool:
            searching = pool.submit(_spaced_or_joined, values)
            folded = values.to_pylist()
            marked = searching.result()
    rows = np.flatnonzero(marked.to_numpy(zero_copy_only=False))
    joined = np.zeros(len(folded), dtype=bool)
    for row in rows:  # folding never makes or breaks the marker: it holds no whitespace
        folded[row] = fold(folded[row])
        joined[row] = SEGMENT in folded[row]
    return folded, joined


def evidence_tables(tables: dict[str, Table]) -> list[Table]:
    return [t for t in tables.values() if {"source_id", "evidence"} <= set(t.resource.field_names)]


def _distinct_codes(
    table: Table, first: str, second: str, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Strings, Strings]:
    """The (first, second) pairs of usable rows with both cells set, on dictionary codes.

    Returns (code of each row, the distinct codes, and for each distinct code its first and
    second value as Arrow arrays), so that a million rows repeating a few quotes cost a few
    checks, and a million distinct quotes are handled in Arrow until the last step.
    """
    rows = len(table)
    if rows == 0:
        empty = pa.array([], pa.string())
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty
    if table.mostly_distinct(second):  # a pair per row: hashing a million strings saves nothing
        a, b = (table.column(name) for name in (first, second))
        set_ = pc.and_(pc.is_valid(a), pc.is_valid(b)).to_numpy(zero_copy_only=False)
        kept = usable & set_
        distinct = np.flatnonzero(kept)
        codes = np.full(rows, -1, dtype=np.int64)
        codes[distinct] = distinct
        if len(distinct) == rows:  # every row: no copy
            return codes, distinct, a, b
        mask = pa.array(kept)  # a filter copies strings four times as fast as a take
        return codes, distinct, a.filter(mask), b.filter(mask)
    encoded = [table.encoded(name) for name in (first, second)]
    a, b = (e.indices.fill_null(-1).to_numpy(zero_copy_only=False) for e in encoded)
    width = max(len(encoded[1].dictionary), 1)
    codes = a.astype(np.int64) * width + b
    codes[~(usable & (a >= 0) & (b >= 0))] = -1
    distinct = np.unique(codes)
    distinct = distinct[distinct >= 0]
    firsts = encoded[0].dictionary.take(pa.array(distinct // width))
    seconds = encoded[1].dictionary.take(pa.array(distinct % width))
    return codes, distinct, firsts, seconds


SEGMENT = "[…]"  # joins verbatim segments of one paragraph in a quote (codebook E2)
QUOTE_FIELDS = ("evidence", "antecedent")  # cells quoted from a source's body


def segments(quote: str) -> list[str]:
    """A quote's verbatim segments, folded: 'A[…]B' is ['A', 'B']."""
    return [fold(part) for part in quote.split(SEGMENT)]


def in_order(parts: list[str], text: str, start: int = 0, end: int | None = None) -> bool:
    """Every part occurs in text[start:end], each after the one before."""
    end = len(text) if end is None else end
    position = start
    for part in parts:
        found = text.find(part, position)
        if found < 0 or found + len(part) > end:
            return False
        position = found + len(part)
    return True


def quote_in(quote: str, text: str) -> bool:
    """The quote is in the (folded) text: its segments, in order."""
    return in_order(segments(quote), text)


@dataclass
class Capture:
    """A source's archived article: its folded text, its paragraphs, and where its body is."""

    text: str  # whitespace folded
    paragraphs: list[str]  # each line of the capture, folded
    body: tuple[int, int] | None = None  # [start, end) of the body in text, once anchored

    @property
    def body_text(self) -> str:
        """The folded text a quote must lie in: the body, or all of it without anchors."""
        return self.text if self.body is None else self.text[self.body[0] : self.body[1]]

    def in_body(self, part: str) -> bool:
        if self.body is None:
            return True  # no anchors to judge by (body-anchors reports why)
        start, end = self.body
        found = self.text.find(part, start)
        return found >= 0 and found + len(part) <= end

    def first_in_body(self, part: str) -> int | None:
        if self.body is None:
            return None
        found = self.text.find(part, self.body[0])
        return found if found >= 0 and found + len(part) <= self.body[1] else None


@implements("archive-missing", "archive-hash")
def load_archive(sources: Table, archive: Path, report: Report) -> dict[str, Capture]:
    """The article of each source whose capture exists and matches its hash."""
    texts: dict[str, Capture] = {}
    frame = sources.data.select(["source_id", "archive", "archive_sha256"]).to_pylist()
    for row, record in enumerate(frame):
        source_id, name, expected = record["source_id"], record["archive"], record["archive_sha256"]
        if not (source_id and name and expected):
            continue  # no capture named, or no hash to trust it by (rule archive-pair)
        where = {"path": sources.path, "line": int(sources.lines[row])}
        try:  # confined: no '..', link, FIFO or oversized file; never a file outside the archive
            data = read_confined(archive, name, CAPTURE_LIMIT, "the archive directory")
        except Refused as refused:
            rule, message = _refused_capture(name, refused)
            report.error(rule, message, field="archive", **where)
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            report.error(
                "archive-hash",
                f"{name} has SHA-256 {actual[:12]}…, the row says {(expected or '')[:12]}…",
                field="archive_sha256",
                **where,
            )
            continue
        raw = data.decode("utf-8", errors="replace")
        paragraphs = [fold(line) for line in raw.splitlines() if line.strip()]
        texts[source_id] = Capture(fold(raw), paragraphs)
    return texts


def _refused_capture(name: str, refused: Refused) -> tuple[str, str]:
    """(rule, message) for a capture that cannot be read: missing, unreadable or unsafe."""
    if refused.kind == "missing":
        return "archive-missing", f"{name} is not in the archive"
    if refused.kind == "unreadable":
        return "archive-missing", f"{shown(name)} cannot be read: {refused.reason}"
    return "unsafe-path", f"{shown(name)} {refused.reason}; not read"


@implements("body-anchors")
def check_body_anchors(sources: Table, captures: dict[str, Capture] | None, report: Report) -> None:
    """Every source with a capture names its body's first and last words, and (with the
    archive) they are in the capture, in that order; the body of each capture is set."""
    names = [n for n in ("body_start", "body_end") if n in sources.resource.field_names]
    if len(names) < 2:
        return
    rows = sources.data.select(["source_id", "archive", *names]).to_pylist()
    fine = sources.unreported("body_start") & sources.unreported("body_end")
    for row, record in enumerate(rows):
        if record["archive"] is None or not fine[row]:
            continue
        where = {"path": sources.path, "line": int(sources.lines[row])}
        start, end = record["body_start"], record["body_end"]
        if start is None or end is None:
            missing = "body_start" if start is None else "body_end"
            report.error(
                "body-anchors",
                f"a source with a capture needs {missing}: the verbatim "
                f"{'first' if start is None else 'last'} words of the article body",
                field=missing,
                **where,
            )
            sources.mark(missing, np.array([row]))
            continue
        capture = (captures or {}).get(record["source_id"])
        if capture is None:
            continue  # no archive, or the capture is missing (reported above)
        last = capture.text.find(fold(end))
        first = capture.text.rfind(fold(start), 0, max(last, 0))
        if last < 0 or first < 0:
            field, words = ("body_end", end) if last < 0 else ("body_start", start)
            where_not = "in the capture" if last < 0 else "in the capture before body_end"
            report.error(
                "body-anchors",
                f"{field} {words[:30]!r} is not {where_not} {record['archive']}",
                field=field,
                **where,
            )
            sources.mark(field, np.array([row]))
            continue
        capture.body = (first, last + len(fold(end)))


def _quote_problem(quote: str, capture: Capture) -> tuple[str, str] | None:
    """(rule, what) when a quote is not where it must be in the capture, else None."""
    parts = segments(quote)
    if len(parts) > 1 and (len(parts) > 3 or not all(parts)):
        many = len(parts) > 3
        return "evidence-segments", (
            f"joins {len(parts)} segments (at most three)" if many else "has an empty segment"
        )
    missing = next((p for p in parts if p not in capture.text), None)
    if missing is not None:
        return "quote-not-found", ""
    outside = next((p for p in parts if not capture.in_body(p)), None)
    if outside is not None:
        return "quote-outside-body", outside
    if len(parts) > 1 and not any(in_order(parts, paragraph) for paragraph in capture.paragraphs):
        return "evidence-segments", "has segments that are not in order within one paragraph"
    return None


def _in_bodies(
    sources: Strings, folded: list[str], texts: dict[str, Capture]
) -> tuple[np.ndarray, np.ndarray]:
    """For each (source, folded quote) pair: whether its source has a capture, and whether
    the quote is in that capture's body text. One `in` per pair, looped in C (map), not in
    Python: the whole cost for a million distinct quotes is the substring search itself."""
    encoded = sources.dictionary_encode()
    if isinstance(encoded, pa.ChunkedArray):  # one dictionary for all chunks
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)  # no nulls: pairs have both cells
    names = encoded.dictionary.to_pylist()
    bodies = np.array([texts[n].body_text if n in texts else "" for n in names], dtype=object)
    captured = np.array([n in texts for n in names], dtype=bool)[codes]
    in_body = np.fromiter(
        map(operator.contains, bodies[codes].tolist(), folded), dtype=bool, count=len(folded)
    )
    return captured, in_body


@implements("quote-not-found", "quote-outside-body", "evidence-segments")
def check_quotes(table: Table, texts: dict[str, Capture], report: Report) -> None:
    """Each quoted cell (evidence, antecedent) is in its source's capture, inside the article
    body, and a quote of several segments has them in order within one paragraph."""
    for name in (n for n in QUOTE_FIELDS if n in table.resource.field_names):
        ok_cells = table.unreported(name) & table.unreported("source_id")
        codes, distinct, sources, quotes = _distinct_codes(table, "source_id", name, ok_cells)
        # The common case decided in one pass: a quote of one segment, folded, found in its
        # source's body. The rest (segments, misses) gets the full check in Python.
        folded, joined = fold_quotes(quotes)
        captured, in_body = _in_bodies(sources, folded, texts)
        plain = ~joined
        found: dict[int, tuple[str, str, str, str]] = {}
        for i in np.flatnonzero(captured & ~(in_body & plain)):
            source_id, quote = sources[i].as_py(), quotes[i].as_py()
            problem = _quote_problem(quote, texts[source_id])
            if problem is not None:
                found[int(distinct[i])] = (problem[0], problem[1], source_id, quote)
        if not found:
            continue
        bad = np.flatnonzero(np.isin(codes, list(found)))
        for row in bad:
            rule, what, source_id, quote = found[int(codes[row])]
            if rule == "quote-not-found":
                message = f"quote not found in source {source_id}: {quote[:30]!r}…"
            elif rule == "quote-outside-body":
                message = (
                    f"quote of source {source_id} is not in the article body (between "
                    f"body_start and body_end): {what[:30]!r}"
                )
            else:
                message = f"quote of source {source_id} {what}: {quote[:30]!r}…"
            report.error(rule, message, path=table.path, line=int(table.lines[row]), field=name)
        table.mark(name, bad)


@implements("antecedent-before-quote")
def check_antecedents(table: Table, texts: dict[str, Capture], report: Report) -> None:
    """A collective reference's antecedent comes before the quote, in the article body."""
    names = table.resource.field_names
    if not {"antecedent", "evidence", "source_id"} <= set(names):
        return
    fine = table.unreported("antecedent") & table.unreported("evidence")
    rows = table.data.select(["source_id", "antecedent", "evidence"]).to_pylist()
    bad = []
    for row, record in enumerate(rows):
        capture = texts.get(record["source_id"] or "")
        if not fine[row] or capture is None or not record["antecedent"] or not record["evidence"]:
            continue
        before = capture.first_in_body(fold(record["antecedent"]))
        quote = capture.first_in_body(segments(record["evidence"])[0])
        if before is not None and quote is not None and before >= quote:
            report.error(
                "antecedent-before-quote",
                f"antecedent {record['antecedent'][:30]!r} first occurs after the start of the "
                "quote it should precede",
                path=table.path,
                line=int(table.lines[row]),
                field="antecedent",
            )
            bad.append(row)
    table.mark("antecedent", np.array(bad, dtype=np.int64))


# -- names in quotes (no archive needed) --------------------------------------------------------

_CONJUNCTIONS = re.compile("[、和与及]")
_ORG_FIELD = {"parties": "org_id", "memberships": "member_org_id", "commitment_parties": "org_id"}


def _rows(table: Table | None, *names: str) -> list[dict[str, Any]]:
    if table is None or not set(names) <= set(table.resource.field_names):
        return []
    return list(table.data.select(list(names)).to_pylist())


@dataclass(frozen=True)
class Names:
    """What the package knows about each body's names, for the stated-name check."""

    org_name: dict[str, str]
    org_place: dict[str, str]  # org_id -> jurisdiction code
    aliases: dict[str, list[str]]
    place_names: dict[str, tuple[str, ...]]  # code -> (name_zh, short_zh)
    terms: tuple[str, ...]
    unsure: frozenset[str]  # orgs whose name or place was reported: not judged here

    @classmethod
    def of(cls, tables: dict[str, Table]) -> Names:
        table = tables.get("organizations")
        orgs = _rows(table, "org_id", "name_zh", "jurisdiction_code")
        unsure: set[str] = set()
        if table is not None and orgs:
            reported = ~(table.unreported("name_zh") & table.unreported("jurisdiction_code"))
            unsure = {o["org_id"] for o, bad in zip(orgs, reported, strict=True) if bad}
        aliases: dict[str, list[str]] = {}
        for a in _rows(tables.get("organization_aliases"), "org_id", "alias_zh"):
            if a["org_id"] and a["alias_zh"]:
                aliases.setdefault(a["org_id"], []).append(a["alias_zh"])
        places = _rows(tables.get("jurisdictions"), "code", "name_zh", "short_zh")
        terms = _rows(tables.get("collective_terms"), "term")
        return cls(
            {o["org_id"]: o["name_zh"] for o in orgs if o["org_id"] and o["name_zh"]},
            {
                o["org_id"]: o["jurisdiction_code"]
                for o in orgs
                if o["org_id"] and o["jurisdiction_code"]
            },
            aliases,
            {
                p["code"]: tuple(n for n in (p["name_zh"], p["short_zh"]) if n)
                for p in places
                if p["code"]
            },
            tuple(t["term"] for t in terms if t["term"]),
            frozenset(unsure),
        )

    def of_org(self, org_id: str) -> list[str]:
        return (
            [self.org_name[org_id], *self.aliases.get(org_id, [])]
            if org_id in self.org_name
            else []
        )

    def of_place(self, org_id: str) -> tuple[str, ...]:
        return self.place_names.get(self.org_place.get(org_id, ""), ())


def _descriptive(named_as: str, name: str, places: tuple[str, ...]) -> bool:
    """武汉、长沙、南昌生态环境部门 names 武汉市生态环境部门: it ends with the name less its
    place's name, and one of the coordinated words before that is the place."""
    if not places or not name.startswith(places[0]):
        return False
    rest = name[len(places[0]) :]
    if not rest or not named_as.endswith(rest):
        return False
    conjuncts = _CONJUNCTIONS.split(named_as[: -len(rest)])
    return any(place in conjuncts for place in places)


def stated_name_problem(row: dict[str, Any], org_id: str, names: Names) -> str | None:
    """Why a stated row's quote does not name its body, or None (codebook P1, E3)."""
    named_as, basis = row["named_as"], row["attribution_basis"]
    if not named_as:
        return "a stated row needs named_as: the words of its quote that name the body"
    quote = "".join(segments(row["evidence"] or ""))
    if fold(named_as) not in quote:
        return f"named_as {named_as!r} is not in the quote"
    own = names.of_org(org_id)
    if not own or org_id in names.unsure:
        return None  # an unknown org (foreign-key says so) or one with a reported name
    if basis == "named":
        if named_as in own or _descriptive(
            named_as, names.org_name[org_id], names.of_place(org_id)
        ):
            return None
        return f"{named_as!r} is not a name or alias of {org_id} ({names.org_name[org_id]})"
    if basis == "collective":
        if not any(term in named_as for term in names.terms):
            return f"{named_as!r} contains no collective term (collective_terms, e.g. 双方)"
        antecedent = row.get("antecedent") or ""
        if not any(n in antecedent for n in (*own, *names.of_place(org_id))):
            return f"the antecedent names neither {org_id} ({names.org_name[org_id]}) nor its place"
        return None
    if basis == "officeholder" and not any(named_as.startswith(n) for n in own):
        return f"officeholder {named_as!r} does not begin with {org_id}'s name or an alias"
    return None


@implements("stated-name-in-quote")
def check_stated_names(tables: dict[str, Table], report: Report) -> None:
    """Each stated party, member or commitment party is named by its quote (no archive)."""
    needed = ("organizations", "organization_aliases", "jurisdictions", "collective_terms")
    lost = [name for name in needed if name not in tables]
    if lost:  # the names a quote is checked against are unknown: say so, judge nothing
        if any(name in tables for name in _ORG_FIELD):
            report.warning(
                "stated-name-in-quote",
                f"not checked: it needs table '{lost[0]}', which could not be read",
            )
        return
    names: Names | None = None
    for table_name, org_field in _ORG_FIELD.items():
        table = tables.get(table_name)
        fields = ("attribution", "attribution_basis", "named_as", "antecedent", "evidence")
        rows = _rows(table, org_field, *fields)
        if table is None or not rows:
            continue
        names = names or Names.of(tables)
        fine = np.ones(len(table), dtype=bool)
        for cell in (org_field, *fields):
            fine &= table.unreported(cell)
        bad = []
        for row, record in enumerate(rows):
            if not fine[row] or record["attribution"] != "stated" or not record[org_field]:
                continue
            problem = stated_name_problem(record, record[org_field], names)
            if problem:
                report.error(
                    "stated-name-in-quote",
                    problem,
                    path=table.path,
                    line=int(table.lines[row]),
                    field="named_as",
                )
                bad.append(row)
        table.mark("named_as", np.array(bad, dtype=np.int64))


@implements("commitment-name-in-quote")
def check_commitment_names(tables: dict[str, Table], report: Report) -> None:
    """A named commitment's name is in its quote (no archive)."""
    table = tables.get("commitments")
    rows = _rows(table, "name_zh", "evidence")
    if table is None or not rows:
        return
    fine = table.unreported("name_zh") & table.unreported("evidence")
    bad = []
    for row, record in enumerate(rows):
        if not (fine[row] and record["name_zh"] and record["evidence"]):
            continue
        if fold(record["name_zh"]) not in "".join(segments(record["evidence"])):
            report.error(
                "commitment-name-in-quote",
                f"name {record['name_zh'][:30]!r} is not in the quote",
                path=table.path,
                line=int(table.lines[row]),
                field="name_zh",
            )
            bad.append(row)
    table.mark("name_zh", np.array(bad, dtype=np.int64))


def _quote_numbers(quote: str) -> set[Decimal]:
    return {Decimal(token) for token in _NUMBER_TOKEN.findall(quote)}


def _stands_alone(digits: str, quote: str) -> bool:
    """digits (a plain decimal: no sign, no leading or trailing zero to drop) is a whole
    number token of quote somewhere: a fast test that implies _number_in_quote."""
    at = quote.find(digits)
    while at >= 0:
        end = at + len(digits)
        before = quote[at - 1] if at else ""
        after = quote[end : end + 2]
        if not (
            before.isdigit()
            or (before == "." and at >= 2 and quote[at - 2].isdigit())
            or (after[:1].isdigit())
            or (after[:1] == "." and after[1:2].isdigit())
        ):
            return True
        at = quote.find(digits, at + 1)
    return False


def _number_in_quote(raw: str, quote: str) -> bool:
    digits = raw.lstrip("+-")
    canonical = digits[:1] in "123456789" and not ("." in digits and digits.endswith("0"))
    if canonical and _NUMBER_TOKEN.fullmatch(digits) and _stands_alone(digits, quote):
        return True
    try:
        number = abs(Decimal(raw))
    except InvalidOperation:
        return True  # not a number: the schema family has reported it
    return number in _quote_numbers(quote)


_DECIMAL = re.compile(r"[-+]?([0-9]+)(?:\.([0-9]+))?")
# A number token starts where no digit (or digit and point) comes before it, and ends where
# no digit (or point and digit) follows: the tokens _NUMBER_TOKEN.findall() would give.
_BEFORE = r"(?:^|[^0-9.]|(?:^|[^0-9])\.)"
_AFTER = r"(?:$|[^0-9.]|\.(?:$|[^0-9]))"


def _token_pattern(raw: str) -> str | None:
    """An RE2 pattern matching quotes with a number token equal to raw (its absolute
    value), written any way (316, 316.0, 0316); None for what is not a plain decimal."""
    found = _DECIMAL.fullmatch(raw)
    if found is None:
        return None
    whole = found.group(1).lstrip("0")
    fraction = (found.group(2) or "").rstrip("0")
    digits = f"0*{whole}" if whole else "0+"
    tail = rf"\.{fraction}0*" if fraction else r"(?:\.0+)?"
    return _BEFORE + digits + tail + _AFTER


def _numbers_absent(values: Strings, quotes: Strings) -> np.ndarray:
    """For each (value, quote) pair: True where the value is not a number of the quote.

    One RE2 search per distinct value over its quotes (a column of figures repeats few
    values); a pair it does not settle, or a column of many values, goes to Python."""
    absent = np.zeros(len(values), dtype=bool)
    distinct = pc.unique(values)
    if len(distinct) > 1000:
        pairs = zip(values.to_pylist(), quotes.to_pylist(), strict=True)
        absent[:] = [not _number_in_quote(v, q) for v, q in pairs]
        return absent
    codes = pc.index_in(values, value_set=distinct).to_numpy(zero_copy_only=False)
    for code, raw in enumerate(distinct.to_pylist()):
        unsettled = codes == code  # a filter copies strings faster than a take
        pattern = _token_pattern(raw)
        if pattern is not None:
            found = pc.match_substring_regex(quotes.filter(pa.array(unsettled)), pattern)
            unsettled[unsettled] = ~found.to_numpy(zero_copy_only=False)
        left = quotes.filter(pa.array(unsettled)).to_pylist()
        absent[unsettled] = [not _number_in_quote(raw, quote) for quote in left]
    return absent


@implements("number-not-in-quote")
def check_numbers(table: Table, report: Report) -> None:
    """Each numeric value and change of a row appears, as a number, in the row's quote."""
    for name in (n for n in NUMERIC_FIELDS if n in table.resource.field_names):
        codes, distinct, values, quotes = _distinct_codes(
            table, name, "evidence", table.unreported(name)
        )
        absent = np.flatnonzero(_numbers_absent(values, quotes))
        missing = {int(distinct[i]): values[int(i)].as_py() for i in absent}
        if not missing:
            continue
        bad = np.flatnonzero(np.isin(codes, list(missing)))
        for row in bad:
            report.error(
                "number-not-in-quote",
                f"{missing[codes[row]]} does not appear in the evidence quote",
                path=table.path,
                line=int(table.lines[row]),
                field=name,
            )
        table.mark(name, bad)


@dataclass(frozen=True)
class Provenance:
    """How the quote checks went, per provenance tier of the sources.

    archived-verified: the capture is present, its hash matches, its quotes were checked;
    archived-pending: a capture is named but is not in this archive (reported as a problem);
    web-only: a url, no capture: its quotes could not be checked offline.
    """

    ran: bool  # an archive was given, so the quote checks ran where a capture was available
    verified: int = 0
    pending: int = 0
    web_only: int = 0
    unchecked_quotes: int = 0  # quotes resting on web-only sources

    def status(self) -> str | None:
        """The family's summary beyond passed/failed, or None when there is nothing to add."""
        if not self.ran:
            return "NOT RUN (no archive)"
        if not self.web_only:
            return None
        sources = f"{self.web_only} web-only source{'s' * (self.web_only != 1)}"
        quotes = f"{self.unchecked_quotes} quote{'s' * (self.unchecked_quotes != 1)}"
        return f"passed; {quotes} on {sources} not checked offline"


def quotes_per_source(tables: list[Table], counts: dict[str, int] | None = None) -> dict[str, int]:
    """Quoted cells (evidence, antecedent), per source_id, across tables (added to counts)."""
    counts = {} if counts is None else counts
    for table in tables:
        for name in (n for n in QUOTE_FIELDS if n in table.resource.field_names):
            quoted = table.column("source_id").filter(pc.is_valid(table.column(name)))
            for entry in pc.value_counts(quoted.drop_null()).to_pylist():
                counts[entry["values"]] = counts.get(entry["values"], 0) + entry["counts"]
    return counts


@implements("quote-unchecked")
def report_unchecked(
    tables: dict[str, Table],
    texts: dict[str, Capture],
    report: Report,
    require_archive: bool,
    quotes_elsewhere: dict[str, int] | None = None,
) -> Provenance:
    """One problem per web-only source that quotes rest on: a warning, or with
    --require-archive an error (every quote must then be checked offline).

    quotes_elsewhere counts the quotes of tables not in tables (read in slices)."""
    sources = tables["sources"]
    quotes = quotes_per_source(evidence_tables(tables), dict(quotes_elsewhere or {}))
    rows = sources.data.select(["source_id", "archive", "url"]).to_pylist()
    verified = pending = web_only = unchecked = 0
    fine = np.ones(len(sources), dtype=bool)
    for name in ("url", "archive", "archive_sha256"):
        fine &= sources.unreported(name)  # a malformed source row was reported already
    for row, record in enumerate(rows):
        source_id, name = record["source_id"], record["archive"]
        if name is not None:
            verified += source_id in texts
            pending += source_id not in texts
            continue
        web_only += 1
        count = quotes.get(source_id, 0)
        if not count or not fine[row]:
            continue
        unchecked += count
        where = record["url"] or "no url"
        message = (
            f"{count} quote{'s' * (count != 1)} of source {source_id} "
            f"{'were' if count != 1 else 'was'} not checked offline: no capture ({where})"
        )
        add = report.error if require_archive else report.warning
        add(
            "quote-unchecked",
            message,
            path=sources.path,
            line=int(sources.lines[row]),
            field="archive",
        )
    return Provenance(True, verified, pending, web_only, unchecked)


def prepare_provenance(
    tables: dict[str, Table], archive: Path | None, report: Report
) -> dict[str, Capture] | None:
    """The captures quotes are checked against (None without an archive), read once, with
    each source's body found (rule body-anchors)."""
    sources = tables.get("sources")
    if archive is None or sources is None:
        if sources is not None:
            check_body_anchors(sources, None, report)
        return None
    texts = load_archive(sources, archive, report)
    check_body_anchors(sources, texts, report)
    return texts


def check_table_provenance(table: Table, texts: dict[str, Capture] | None, report: Report) -> None:
    """One evidence table (or a slice of one): numbers in quotes; with captures, quotes in
    their source's body, antecedents before their quotes."""
    check_numbers(table, report)
    if texts is not None:
        check_quotes(table, texts, report)
        check_antecedents(table, texts, report)


@implements("provenance-skipped")
def finish_provenance(
    tables: dict[str, Table],
    texts: dict[str, Capture] | None,
    report: Report,
    require_archive: bool = False,
    quotes_elsewhere: dict[str, int] | None = None,
) -> Provenance:
    """The names quotes must contain (no archive needed), then the quotes that could not be
    checked offline, per web-only source (quotes_elsewhere: those of tables in slices)."""
    check_stated_names(tables, report)
    check_commitment_names(tables, report)
    if texts is None or "sources" not in tables:
        report.warning(
            "provenance-skipped",
            "evidence quotes were NOT checked against the sources: no archive given",
        )
        return Provenance(False)
    return report_unchecked(tables, texts, report, require_archive, quotes_elsewhere)


def check_provenance(
    tables: dict[str, Table], archive: Path | None, report: Report, require_archive: bool = False
) -> Provenance:
    """Family 4: numbers in quotes everywhere; quotes against captures (inside the article
    body, antecedents before their quotes) where an archive is given; then the names quotes
    must contain (no archive needed); the quotes that could not be checked offline, per
    web-only source."""
    texts = prepare_provenance(tables, archive, report)
    for table in evidence_tables(tables):
        check_table_provenance(table, texts, report)
    return finish_provenance(tables, texts, report, require_archive)
