"""Provenance (rule family 4): every quote is in its archived source, every number in its quote.

The archive lives outside the package (``--archive DIR`` or ``GONGBAO_ARCHIVE``). Each
capture's SHA-256 is checked against ``sources.archive_sha256`` before its text is trusted.
Quotes are matched with runs of whitespace folded to one space, on distinct
(source, quote) pairs, so repeated quotes cost nothing. Without an archive the quote check
is reported as not run, never as passed; the number-in-quote check needs no archive.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

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


def evidence_tables(tables: dict[str, Table]) -> list[Table]:
    return [t for t in tables.values() if {"source_id", "evidence"} <= set(t.resource.field_names)]


@implements("archive-missing", "archive-hash")
def load_archive(sources: Table, archive: Path, report: Report) -> dict[str, str]:
    """Folded article text per source_id, for captures that exist and match their hash."""
    texts: dict[str, str] = {}
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
        texts[source_id] = fold(data.decode("utf-8", errors="replace"))
    return texts


def _refused_capture(name: str, refused: Refused) -> tuple[str, str]:
    """(rule, message) for a capture that cannot be read: missing, unreadable or unsafe."""
    if refused.kind == "missing":
        return "archive-missing", f"{name} is not in the archive"
    if refused.kind == "unreadable":
        return "archive-missing", f"{shown(name)} cannot be read: {refused.reason}"
    return "unsafe-path", f"{shown(name)} {refused.reason}; not read"


def _distinct_pairs(
    table: Table, first: str, second: str, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """Codes of the (first, second) pairs of usable rows with both cells set.

    Returns (code of each row, the distinct codes, the pair of each distinct code), all
    computed on dictionary codes so that a million rows repeating a few quotes cost a few
    Python-level checks.
    """
    rows = len(table)
    if rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    encoded = [table.encoded(name) for name in (first, second)]
    a, b = (e.indices.fill_null(-1).to_numpy(zero_copy_only=False) for e in encoded)
    width = max(len(encoded[1].dictionary), 1)
    codes = a.astype(np.int64) * width + b
    codes[~(usable & (a >= 0) & (b >= 0))] = -1
    distinct = np.unique(codes)
    distinct = distinct[distinct >= 0]
    firsts = encoded[0].dictionary.take(pa.array(distinct // width)).to_pylist()
    seconds = encoded[1].dictionary.take(pa.array(distinct % width)).to_pylist()
    return codes, distinct, list(zip(firsts, seconds, strict=True))


@implements("quote-not-found")
def check_quotes(table: Table, texts: dict[str, str], report: Report) -> None:
    ok_cells = table.unreported("evidence") & table.unreported("source_id")
    codes, distinct, pairs = _distinct_pairs(table, "source_id", "evidence", ok_cells)
    missing = {
        code: (s, e)
        for code, (s, e) in zip(distinct, pairs, strict=True)
        if s in texts and fold(e) not in texts[s]
    }
    if not missing:
        return
    bad = np.flatnonzero(np.isin(codes, list(missing)))
    for row in bad:
        source_id, evidence = missing[codes[row]]
        report.error(
            "quote-not-found",
            f"quote not found in source {source_id}: {evidence[:30]!r}…",
            path=table.path,
            line=int(table.lines[row]),
            field="evidence",
        )
    table.mark("evidence", bad)


def _quote_numbers(quote: str) -> set[Decimal]:
    return {Decimal(token) for token in _NUMBER_TOKEN.findall(quote)}


def _number_in_quote(raw: str, quote: str) -> bool:
    try:
        number = abs(Decimal(raw))
    except InvalidOperation:
        return True  # not a number: the schema family has reported it
    return number in _quote_numbers(quote)


@implements("number-not-in-quote")
def check_numbers(table: Table, report: Report) -> None:
    """Each numeric value and change of a row appears, as a number, in the row's quote."""
    for name in (n for n in NUMERIC_FIELDS if n in table.resource.field_names):
        codes, distinct, pairs = _distinct_pairs(table, name, "evidence", table.unreported(name))
        missing = {
            code: v
            for code, (v, e) in zip(distinct, pairs, strict=True)
            if not _number_in_quote(v, e)
        }
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


def _quotes_per_source(tables: dict[str, Table]) -> dict[str, int]:
    """Rows with an evidence quote, per source_id, across every table that has quotes."""
    counts: dict[str, int] = {}
    for table in evidence_tables(tables):
        quoted = table.column("source_id").filter(pc.is_valid(table.column("evidence")))
        for entry in pc.value_counts(quoted.drop_null()).to_pylist():
            counts[entry["values"]] = counts.get(entry["values"], 0) + entry["counts"]
    return counts


@implements("quote-unchecked")
def report_unchecked(
    tables: dict[str, Table], texts: dict[str, str], report: Report, require_archive: bool
) -> Provenance:
    """One problem per web-only source that quotes rest on: a warning, or with
    --require-archive an error (every quote must then be checked offline)."""
    sources = tables["sources"]
    quotes = _quotes_per_source(tables)
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


@implements("provenance-skipped")
def check_provenance(
    tables: dict[str, Table], archive: Path | None, report: Report, require_archive: bool = False
) -> Provenance:
    """Family 4: numbers in quotes everywhere; quotes against captures where an archive is
    given; the quotes that could not be checked offline, per web-only source."""
    for table in evidence_tables(tables):
        check_numbers(table, report)
    if archive is None or "sources" not in tables:
        report.warning(
            "provenance-skipped",
            "evidence quotes were NOT checked against the sources: no archive given",
        )
        return Provenance(False)
    texts = load_archive(tables["sources"], archive, report)
    for table in evidence_tables(tables):
        check_quotes(table, texts, report)
    return report_unchecked(tables, texts, report, require_archive)
