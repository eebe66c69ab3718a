"""Sources without a capture: the web-only tier in validate, `gongbao sources check --online`
against pages a local server serves (written by the tests), and `gongbao sources capture`."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import copy_package
from csvedit import find_row, quoted_cells, read_rows, set_cell

SOURCES = "data/sources.csv"
HBRB = "hbrb-2025-12-07"


def quotes_of(package: Path, source_id: str) -> int:
    """Quoted cells (evidence, antecedent) that cite a source, counted from the CSV files."""
    return quoted_cells(package).get(source_id, 0)


def _quotes(package: Path, source_id: str) -> list[str]:
    """Every quoted cell (evidence, antecedent) of the source, in file and column order."""
    quotes = []
    for path in sorted((package / "data").glob("*.csv")):
        rows = read_rows(path)
        if "evidence" in rows[0]:
            at = rows[0].index("source_id")
            cells = [rows[0].index(n) for n in ("evidence", "antecedent") if n in rows[0]]
            quotes += [r[c] for r in rows[1:] if r[at] == source_id for c in cells if r[c]]
    return quotes


def _page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        "<html><head><meta charset='utf-8'><title>t</title></head><body>"
        f"<nav>首页 > 新闻</nav><article><h1>新闻</h1>{body}</article>"
        "<footer>版权所有</footer></body></html>"
    ).encode()


class Site:
    """Pages the tests write themselves, served on 127.0.0.1 (nothing leaves the machine)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes, str | None]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                status, kind, body, location = site.pages.get(
                    self.path, (404, "text/html", b"not found", None)
                )
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def html(self, path: str, paragraphs: list[str]) -> str:
        self.pages[path] = (200, "text/html; charset=utf-8", _page(paragraphs), None)
        return self.base + path

    def redirect(self, path: str, to: str) -> str:
        self.pages[path] = (301, "text/html", b"", to)
        return self.base + path


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.server.shutdown()


@pytest.fixture
def web_package(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "pkg")


def _point(package: Path, source_id: str, url: str) -> int:
    return set_cell(package / SOURCES, "url", url, source_id=source_id)


def test_the_online_check_reports_moved_changed_and_unreachable_pages(gongbao, site, web_package):
    pkg = web_package
    cq = _quotes(pkg, "cqrb-2020-04-02")
    site.html("/cq-article.html", cq)
    moved = _point(pkg, "cqrb-2020-04-02", site.redirect("/cq-old.html", "/cq-article.html"))
    kept = _quotes(pkg, "cqrb-2021-06-25")
    lost = next(q for q in kept if not any(q in other for other in kept if other != q))
    page = [q for q in kept if q != lost]
    changed = _point(pkg, "cqrb-2021-06-25", site.html("/changed.html", page))
    missing = _point(pkg, "guancha-2022-08-18", site.base + "/gone.html")
    site.pages["/loop-a"] = (302, "text/html", b"", "/loop-b")
    site.pages["/loop-b"] = (302, "text/html", b"", "/loop-a")
    loop = _point(pkg, "hbrb-2025-12-07", site.base + "/loop-a")
    site.pages["/decision.pdf"] = (200, "application/pdf", b"%PDF-1.4", None)
    pdf = _point(pkg, "szrb-2022-01-04", site.base + "/decision.pdf")

    five = ["cqrb-2020-04-02", "cqrb-2021-06-25", "guancha-2022-08-18", HBRB, "szrb-2022-01-04"]
    # only the five pointed at the local site: no test reaches the network
    result = gongbao("sources", "check", pkg, "--online", *(f"--source={s}" for s in five))

    lost_at = _lines_with_quote(pkg, "cqrb-2021-06-25", lost)
    shown = repr(lost if len(lost) <= 60 else lost[:59] + "…")
    assert result.code == 1, result.err
    assert result.out.splitlines() == [
        f"{SOURCES}:{moved}: cqrb-2020-04-02: moved: {site.base}/cq-old.html -> "
        f"{site.base}/cq-article.html; {len(cq)} of {len(cq)} quotes found at "
        f"{site.base}/cq-old.html",
        f"{SOURCES}:{changed}: cqrb-2021-06-25: changed: {len(kept) - len(lost_at)} of "
        f"{len(kept)} quotes found at {site.base}/changed.html",
        *(
            f"{path}:{line}: evidence: not on the page of cqrb-2021-06-25: {shown}"
            for path, line in lost_at
        ),
        f"{SOURCES}:{missing}: guancha-2022-08-18: unreachable: HTTP 404",
        f"{SOURCES}:{loop}: hbrb-2025-12-07: unreachable: redirect loop: "
        f"{site.base}/loop-b -> {site.base}/loop-a",
        f"{SOURCES}:{pdf}: szrb-2022-01-04: unreachable: not a web page: application/pdf",
        "gongbao sources check: 5 sources: 1 changed, 1 moved, 3 unreachable",
    ]


def _lines_with_quote(package: Path, source_id: str, quote: str) -> list[tuple[str, int]]:
    found = []
    for path in sorted((package / "data").glob("*.csv")):
        rows = read_rows(path)
        if "evidence" in rows[0]:
            at = rows[0].index("source_id"), rows[0].index("evidence")
            for number, row in enumerate(rows[1:], start=2):
                if row[at[0]] == source_id and row[at[1]] == quote:
                    found.append((f"data/{path.name}", number))
    return found


def test_a_page_with_every_quote_is_ok(gongbao, site, web_package):
    quotes = _quotes(web_package, "hbrb-2025-12-07")
    line = _point(web_package, "hbrb-2025-12-07", site.html("/ok.html", quotes))
    result = gongbao("sources", "check", web_package, "--online", "--source", "hbrb-2025-12-07")
    assert (result.code, result.out.splitlines()) == (
        0,
        [
            f"{SOURCES}:{line}: hbrb-2025-12-07: ok: {len(quotes)} of {len(quotes)} quotes "
            f"found at {site.base}/ok.html",
            "gongbao sources check: 1 sources: 1 ok",
        ],
    )


def test_a_quote_found_only_with_full_width_punctuation_is_reported_as_such(
    gongbao, site, web_package
):
    quotes = _quotes(web_package, "cqrb-2020-04-02")
    comma = next(q for q in quotes if "," in q)
    page = [q.replace(",", "，") if q == comma else q for q in quotes]
    line = _point(web_package, "cqrb-2020-04-02", site.html("/wide.html", page))
    result = gongbao("sources", "check", web_package, "--online", "--source", "cqrb-2020-04-02")
    where = _lines_with_quote(web_package, "cqrb-2020-04-02", comma)
    shown = repr(comma if len(comma) <= 60 else comma[:59] + "…")
    assert result.code == 0
    assert result.out.splitlines() == [
        f"{SOURCES}:{line}: cqrb-2020-04-02: ok: {len(quotes) - len(where)} of {len(quotes)} "
        f"quotes found at {site.base}/wide.html",
        *(
            f"{path}:{n}: evidence: on the page of cqrb-2020-04-02 only with full-width and "
            f"half-width forms swapped: {shown}"
            for path, n in where
        ),
        "gongbao sources check: 1 sources: 1 ok",
    ]


def test_a_huge_page_is_not_read(gongbao, site, web_package):
    site.pages["/huge.html"] = (200, "text/html", b"<p>" + b"x" * (6 * 2**20) + b"</p>", None)
    line = _point(web_package, "hbrb-2025-12-07", site.base + "/huge.html")
    result = gongbao("sources", "check", web_package, "--online", "--source", "hbrb-2025-12-07")
    assert (result.code, result.out.splitlines()) == (
        1,
        [
            f"{SOURCES}:{line}: hbrb-2025-12-07: unreachable: page larger than 5 MiB: not read",
            "gongbao sources check: 1 sources: 1 unreachable",
        ],
    )


def test_only_http_and_https_are_fetched(gongbao, web_package):
    line = _point(web_package, "hbrb-2025-12-07", "file:///etc/passwd")
    result = gongbao("sources", "check", web_package, "--online", "--source", "hbrb-2025-12-07")
    assert result.out.splitlines()[0] == (
        f"{SOURCES}:{line}: hbrb-2025-12-07: unreachable: refused: only http and https are "
        "fetched, not 'file:///etc/passwd'"
    )


def test_offline_the_check_lists_tiers(gongbao, web_package):
    set_cell(web_package / SOURCES, "archive", "", source_id="hbrb-2025-12-07")
    result = gongbao("sources", "check", web_package)
    line, _ = find_row(web_package / SOURCES, source_id="hbrb-2025-12-07")
    assert result.code == 0
    assert (
        f"{SOURCES}:{line}: hbrb-2025-12-07: web-only: {quotes_of(web_package, HBRB)} quotes; "
        "http://cn.caiding5.cn/news/54171.html"
    ) in result.out.splitlines()


def test_capture_writes_a_named_capture_with_its_header_and_prints_its_hash(
    gongbao, site, tmp_path
):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "004_37c85f85672b322f.txt").write_text("an older capture\n", encoding="utf-8")
    url = site.html("/capture-me.html", ["川渝两地签署协议,双方将建立联防联控机制。"])
    result = gongbao("sources", "capture", url, "--archive", archive)
    name = f"005_{hashlib.sha256(url.encode()).hexdigest()[:16]}.txt"
    data = (archive / name).read_bytes()
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"wrote {archive / name}",
        f"archive: {name}",
        f"archive_sha256: {hashlib.sha256(data).hexdigest()}",
    ]
    text = data.decode("utf-8")
    assert re.fullmatch(
        r"gongbao-capture: 1\nurl: http://127\.0\.0\.1:[0-9]+/capture-me\.html\n"
        r"retrieved: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n"
        r"extractor: trafilatura [0-9.]+\n---\n(.+\n)+",
        text,
    ), text
    assert "川渝两地签署协议,双方将建立联防联控机制。" in text
    assert "版权所有" not in text  # page furniture is left out


def test_capture_needs_an_archive(gongbao, monkeypatch):
    result = gongbao("sources", "capture", "http://127.0.0.1:9/x")
    assert (result.code, result.err) == (
        2,
        "gongbao: error: give --archive DIR or set GONGBAO_ARCHIVE\n",
    )


# -- the web-only tier in validate ---------------------------------------------------------


def _make_web_only(package: Path, source_id: str) -> int:
    path = package / SOURCES
    set_cell(path, "archive", "", source_id=source_id)
    set_cell(path, "archive_sha256", "", source_id=source_id)
    return set_cell(path, "retrieved", "2026-12-01", source_id=source_id)


def test_a_web_source_with_correct_quotes_passes_with_its_quotes_listed_unchecked(
    validate, web_package, archive
):
    line = _make_web_only(web_package, "hbrb-2025-12-07")
    result = validate(web_package, "--archive", archive)
    assert result.code == 0, result.out
    warning = (
        f"{SOURCES}:{line}: archive: quote-unchecked: warning: {quotes_of(web_package, HBRB)} "
        "quotes of source "
        "hbrb-2025-12-07 were not checked offline: no capture "
        "(http://cn.caiding5.cn/news/54171.html) (check them online (gongbao sources check "
        "--online), or capture the page into the archive (gongbao sources capture) and fill "
        "archive)"
    )
    assert [p for p in result.problems if f"source {HBRB} " in p] == [warning]
    others = [p for p in result.problems if f"source {HBRB} " not in p]
    assert all(": archive: quote-unchecked: warning: " in p for p in others)  # web-only ones
    assert any(
        line.startswith("  4. Provenance: passed; ") and "not checked offline" in line
        for line in result.out.splitlines()
    )


def test_with_require_archive_the_same_web_source_fails(validate, web_package, archive):
    line = _make_web_only(web_package, "hbrb-2025-12-07")
    result = validate(web_package, "--archive", archive, "--require-archive")
    assert result.code == 1
    assert [e for e in result.errors if f"source {HBRB} " in e] == [
        f"{SOURCES}:{line}: archive: quote-unchecked: {quotes_of(web_package, HBRB)} quotes of "
        "source hbrb-2025-12-07 were "
        "not checked offline: no capture (http://cn.caiding5.cn/news/54171.html) (check them "
        "online (gongbao sources check --online), or capture the page into the archive "
        "(gongbao sources capture) and fill archive)"
    ]


def test_a_named_capture_missing_from_the_archive_still_fails(validate, web_package, tmp_path):
    empty = tmp_path / "empty-archive"
    empty.mkdir()
    result = validate(web_package, "--archive", empty)
    assert result.code == 1
    assert len(result.errors) == 5
    assert all(": archive: archive-missing: " in line for line in result.errors)
