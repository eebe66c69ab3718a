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
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import Report
from .structure import Table

_SPACE = re.compile(r"\s+")
_NUMBER_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
NUMERIC_FIELDS = ("value", "change")


def fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def evidence_tables(tables: dict[str, Table]) -> list[Table]:
    return [t for t in tables.values() if {"source_id", "evidence"} <= set(t.resource.field_names)]


def load_archive(sources: Table, archive: Path, report: Report) -> dict[str, str]:
    """Folded article text per source_id, for captures that exist and match their hash."""
    texts: dict[str, str] = {}
    frame = sources.data.select(["source_id", "archive", "archive_sha256"]).to_pylist()
    for row, record in enumerate(frame):
        source_id, name, expected = record["source_id"], record["archive"], record["archive_sha256"]
        if not (source_id and name):
            continue
        where = {"path": sources.path, "line": int(sources.lines[row])}
        file = archive / name
        try:
            data = file.read_bytes()
        except OSError:
            report.error("archive-missing", f"{name} is not in the archive {archive}",
                         field="archive", **where)
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            report.error("archive-hash", f"{name} has SHA-256 {actual[:12]}…, the row says "
                         f"{(expected or '')[:12]}…", field="archive_sha256", **where)
            continue
        texts[source_id] = fold(data.decode("utf-8", errors="replace"))
    return texts


def check_quotes(table: Table, texts: dict[str, str], report: Report) -> None:
    pairs = table.data.select(["source_id", "evidence"]).to_pandas()
    ok_cells = table.unreported("evidence") & table.unreported("source_id")
    distinct = pairs[ok_cells].dropna().drop_duplicates()
    missing = [(s, e) for s, e in distinct.itertuples(index=False)
               if s in texts and fold(e) not in texts[s]]
    if not missing:
        return
    bad = pd.MultiIndex.from_frame(pairs).isin(missing) & ok_cells
    for row in np.flatnonzero(bad):
        report.error("quote-not-found", f"quote not found in source {pairs.iat[row, 0]}: "
                     f"{pairs.iat[row, 1][:30]!r}…", path=table.path, line=int(table.lines[row]),
                     field="evidence")
    table.mark("evidence", np.flatnonzero(bad))


def _quote_numbers(quote: str) -> set[Decimal]:
    return {Decimal(token) for token in _NUMBER_TOKEN.findall(quote)}


def _number_in_quote(raw: str, quote: str) -> bool:
    try:
        number = abs(Decimal(raw))
    except InvalidOperation:
        return True  # not a number: the schema family has reported it
    return number in _quote_numbers(quote)


def check_numbers(table: Table, report: Report) -> None:
    """Each numeric value and change of a row appears, as a number, in the row's quote."""
    for name in (n for n in NUMERIC_FIELDS if n in table.resource.field_names):
        pairs = table.data.select([name, "evidence"]).to_pandas()
        usable = table.unreported(name) & pairs.notna().all(axis=1).to_numpy()
        distinct = pairs[usable].drop_duplicates()
        missing = [(v, e) for v, e in distinct.itertuples(index=False) if not _number_in_quote(v, e)]
        if not missing:
            continue
        bad = pd.MultiIndex.from_frame(pairs).isin(missing) & usable
        for row in np.flatnonzero(bad):
            report.error("number-not-in-quote", f"{pairs.iat[row, 0]} does not appear in the "
                         "evidence quote", path=table.path, line=int(table.lines[row]), field=name)
        table.mark(name, np.flatnonzero(bad))


def check_provenance(tables: dict[str, Table], archive: Path | None, report: Report) -> bool:
    """Family 4. Returns True when the archive-backed quote check ran."""
    for table in evidence_tables(tables):
        check_numbers(table, report)
    if archive is None or "sources" not in tables:
        report.warning("provenance-skipped", "evidence quotes were NOT checked against the sources: "
                       "no archive given")
        return False
    texts = load_archive(tables["sources"], archive, report)
    for table in evidence_tables(tables):
        check_quotes(table, texts, report)
    return True
