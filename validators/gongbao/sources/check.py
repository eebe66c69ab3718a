"""``gongbao sources check``: each source's provenance tier, and with ``--online`` each web
page fetched and every evidence quote looked for in its article text.

A quote is looked for with runs of whitespace folded, as the offline check does (a quote of
several segments joined by […]: each segment, in order). One that is
found only after full-width and half-width forms are folded together (NFKC: ，and , or ：and :)
is reported as such: the quote is right in substance but not verbatim. Link rot is reported
per source: unreachable (HTTP errors, loops, refusals), moved (redirected elsewhere) and
content changed (quotes that are no longer on the page).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..problems.report import Report, printable, shown
from ..rules.provenance import QUOTE_FIELDS, fold, in_order, quote_in, segments
from ..tableschema.csvio import read_tables
from ..tableschema.package import read_package


@dataclass(frozen=True)
class Quote:
    path: str  # file of the row that cites it
    line: int
    quote: str
    field: str = "evidence"  # or antecedent


@dataclass
class SourceRow:
    source_id: str
    line: int
    url: str | None
    archive: str | None
    quotes: list[Quote] = field(default_factory=list)

    @property
    def tier(self) -> str:
        return "web-only" if self.archive is None else "archived"


@dataclass
class Finding:
    """What the online check found for one source."""

    source: SourceRow
    status: str  # ok | moved | unreachable | changed | not-checked
    detail: str = ""
    missing: list[Quote] = field(default_factory=list)
    width_only: list[Quote] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status in ("unreachable", "changed")


def _width_fold(text: str) -> str:
    return fold(unicodedata.normalize("NFKC", text))


def sources_of(path: Path) -> tuple[str, list[SourceRow]]:
    """The package's sources with the quotes that rest on each (read with the strict reader)."""
    report = Report()
    package = read_package(path, report)
    tables = read_tables(package, report)
    if report.errors or "sources" not in tables:
        from ..errors import UsageError

        raise UsageError("the package does not read cleanly: run gongbao validate first")
    sources = tables["sources"]
    rows = {
        r["source_id"]: SourceRow(r["source_id"], int(line), r["url"], r["archive"])
        for r, line in zip(
            sources.data.select(["source_id", "url", "archive"]).to_pylist(),
            sources.lines,
            strict=True,
        )
    }
    for table in tables.values():
        if not {"source_id", "evidence"} <= set(table.resource.field_names):
            continue
        names = [n for n in QUOTE_FIELDS if n in table.resource.field_names]
        records = table.data.select(["source_id", *names]).to_pylist()
        for record, line in zip(records, table.lines, strict=True):
            for name in names:
                if record[name] and record["source_id"] in rows:
                    quote = Quote(table.path, int(line), record[name], name)
                    rows[record["source_id"]].quotes.append(quote)
    return sources.path, list(rows.values())


def check_online(rows: list[SourceRow], workers: int = 4) -> Iterator[Finding]:
    """Fetch every source that has a url (at most `workers` at a time) and look for its quotes."""
    from .extract import article_text
    from .fetch import client, fetch

    with client() as http:

        def one(row: SourceRow) -> Finding:
            if not row.url:
                return Finding(row, "not-checked", "no url")
            page = fetch(row.url, http)
            if page.error:
                return Finding(row, "unreachable", page.error)
            text = fold(article_text(page.text(), page.final_url))
            wide = _width_fold(text)
            finding = Finding(row, "moved" if page.moved else "ok")
            if page.moved:
                finding.detail = f"{row.url} -> {page.final_url}"
            for quote in row.quotes:
                if quote_in(quote.quote, text):
                    continue
                if in_order([_width_fold(part) for part in segments(quote.quote)], wide):
                    finding.width_only.append(quote)
                else:
                    finding.missing.append(quote)
            if finding.missing:
                finding.status = "changed"
            return finding

        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(one, rows)


def lines_of(sources_path: str, finding: Finding) -> list[str]:
    """The report lines of one finding, `file:line: source_id: status: detail`."""
    row = finding.source
    total = len(row.quotes)
    found = total - len(finding.missing) - len(finding.width_only)
    head = f"{sources_path}:{row.line}: {printable(row.source_id)}: {finding.status}"
    if finding.status in ("unreachable", "not-checked"):
        lines = [f"{head}: {printable(finding.detail)}"]
    else:
        moved = f"{printable(finding.detail)}; " if finding.detail else ""
        lines = [f"{head}: {moved}{found} of {total} quotes found at {printable(row.url or '')}"]
    for quote in finding.missing:
        lines.append(
            f"{quote.path}:{quote.line}: {quote.field}: not on the page of "
            f"{printable(row.source_id)}: "
            f"{shown(quote.quote)}"
        )
    for quote in finding.width_only:
        lines.append(
            f"{quote.path}:{quote.line}: {quote.field}: on the page of "
            f"{printable(row.source_id)} only "
            f"with full-width and half-width forms swapped: {shown(quote.quote)}"
        )
    return lines
