"""The journalist's path through the release in a real browser: Datasette serving
gongbao.sqlite with datasette.json, driven in headless Chromium by Playwright.

1. search the agreements for 大气 (two Chinese characters, typed into Datasette's own box);
2. open an instrument; 3. see its parties, each stated or inferred; 4. follow its source
link; 5. see the quote among those the source supports.

Needs the `browser` extra (Datasette and Playwright) and a Chromium: Debian's `chromium`
(/usr/bin/chromium, which .ci/run installs), Google Chrome (as on GitHub's runners) or
GONGBAO_CHROMIUM. Playwright's own browser
download is not used. Screenshots of each step go to build/screenshots/ (kept by CI).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gongbao.publish import build
from gongbao.publish.fulltext import searchable_fields
from gongbao.tableschema.package import read_package

from conftest import REPO, copy_package
from csvedit import read_rows

SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # no network here but the registries
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "大气"


def _chromium() -> str:
    configured = os.environ.get("GONGBAO_CHROMIUM")
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    found = configured or next(filter(None, map(shutil.which, names)), None)
    if not found or not Path(found).exists():
        pytest.skip(
            "no Chromium to drive: install Debian's chromium (`apt-get install chromium "
            "fonts-noto-cjk`; .ci/run does it as root) or set GONGBAO_CHROMIUM to a Chromium "
            "binary; Playwright's own browser download is not used"
        )
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    url: str  # http://127.0.0.1:PORT/gongbao
    package: Path


def _rows(package: Path, table: str) -> list[dict[str, str]]:
    header, *rows = read_rows(package / "data" / f"{table}.csv")
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The release of a scratch copy of the package, served by Datasette on loopback."""
    pytest.importorskip("datasette", reason="Datasette is not installed: pip install '.[browser]'")
    pytest.importorskip(
        "playwright", reason="Playwright is not installed: pip install '.[browser]'"
    )
    _chromium()
    base = tmp_path_factory.mktemp("browser")
    package = copy_package(base / "pkg")
    build(read_package(package), base / "out")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(base / "out" / "gongbao.sqlite"),
            "--metadata",
            str(base / "out" / "datasette.json"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    error = server.stderr.read().decode() if server.stderr else ""
                    pytest.fail(f"Datasette did not start on port {port}: {error}")
                time.sleep(0.2)
        yield Site(f"http://127.0.0.1:{port}/gongbao", package)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def page(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            tab.set_default_timeout(15_000)
            yield tab
        finally:
            browser.close()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def _column(page: Any, column: str) -> list[str]:
    """A column's cells as shown, spaces collapsed ('Label\xa0id' for a foreign key)."""
    cells = page.locator(f"table.rows-and-columns td.col-{column}").all_inner_texts()
    return [" ".join(text.split()) for text in cells]


def test_the_journalists_path(site: Site, page: Any) -> None:
    agreements = _rows(site.package, "agreements")
    parties = _rows(site.package, "parties")
    organizations = {o["org_id"]: o for o in _rows(site.package, "organizations")}
    sources = {s["source_id"]: s for s in _rows(site.package, "sources")}
    searchable = searchable_fields(read_package(site.package).resource("agreements"))
    matching = sorted(
        a["agreement_id"] for a in agreements if any(QUERY in a[f] for f in searchable)
    )
    assert "chengdu-chongqing-regional-air-pollution-plan" in matching  # 区域大气污染防治规划

    # 1. Search: two Chinese characters typed into Datasette's search box.
    page.goto(f"{site.url}/agreements")
    assert not page.locator("dl.column-descriptions").is_visible()  # folded: rows come first
    columns = len(read_package(site.package).resource("agreements").fields)
    assert page.locator("details.gongbao-columns summary").inner_text() == (
        f"What each column holds ({columns} columns)"
    )
    page.fill("#_search", QUERY)
    page.press("#_search", "Enter")
    page.wait_for_url("**_search=*")
    assert (
        page.locator("h3")
        .first.inner_text()
        .startswith(f'{len(matching)} rows where search matches "{QUERY}"')
    )
    assert sorted(_column(page, "agreement_id")) == matching
    suggested = page.locator("p.suggested-facets a").all_inner_texts()
    assert suggested and not set(suggested) & set(searchable)  # no facet of quotes or notes
    _shot(page, "1-search")

    # 2. Open an instrument: a planned one, whose parties the curator inferred (codebook P3).
    chosen = "chengdu-chongqing-regional-air-pollution-plan"
    instrument = next(a for a in agreements if a["agreement_id"] == chosen)
    page.click(f"td.col-agreement_id a:text-is('{chosen}')")
    page.wait_for_url(f"**/agreements/{chosen}")
    assert _column(page, "title_zh") == [instrument["title_zh"]]
    assert _column(page, "evidence") == [instrument["evidence"]]
    _shot(page, "2-instrument")

    # 3. Its parties, each stated or inferred, with the organizations' English names.
    own = [p for p in parties if p["agreement_id"] == chosen]
    assert sorted(p["attribution"] for p in own) == ["inferred", "inferred"]
    page.locator("li:has-text('from agreement_id in parties') a").click()
    page.wait_for_url("**/parties?agreement_id=*")
    shown = sorted(zip(_column(page, "org_id"), _column(page, "attribution"), strict=True))
    assert shown == sorted(
        (f"{organizations[p['org_id']]['name_en']} {p['org_id']}", p["attribution"]) for p in own
    )
    _shot(page, "3-parties")

    # 4. Back on the instrument, follow its source link (Datasette does not link it on a row
    # page; datasette.js does), and beside it the article's own address.
    page.go_back()
    page.wait_for_url(f"**/agreements/{chosen}")
    source = sources[instrument["source_id"]]
    cell = page.locator("td.col-source_id")
    if source["url"]:
        assert cell.locator("a.gongbao-article").get_attribute("href") == source["url"]
    cell.locator(f"a:text-is('{source['source_id']}')").click()
    page.wait_for_url(f"**/sources/{source['source_id']}")
    assert _column(page, "title") == [source["title"]]
    assert _column(page, "url") == [source["url"]]
    _shot(page, "4-source")

    # 5. The quote: the source's page leads to every row it supports, with its quote.
    page.locator("li:has-text('from source_id in agreements') a").click()
    page.wait_for_url("**/agreements?source_id=*")
    quotes = dict(zip(_column(page, "agreement_id"), _column(page, "evidence"), strict=True))
    assert quotes[chosen] == instrument["evidence"]
    assert sorted(quotes) == sorted(
        a["agreement_id"] for a in agreements if a["source_id"] == source["source_id"]
    )
    link = page.get_by_role("link", name=chosen, exact=True)
    row = page.locator("table.rows-and-columns tbody tr", has=link)
    quote = row.locator("td.col-evidence")
    assert quote.inner_text() == instrument["evidence"]
    quote.evaluate("cell => cell.scrollIntoView({block: 'center', inline: 'center'})")
    quote.evaluate("cell => { cell.style.outline = '3px solid #d33'; }")  # for the screenshot
    _shot(page, "5-quote")


def test_an_english_word_and_the_index(site: Site, page: Any) -> None:
    """An English word finds every row holding it, whatever its case; the documentation
    tables are not what the database page lists first."""
    agreements = _rows(site.package, "agreements")
    searchable = searchable_fields(read_package(site.package).resource("agreements"))
    page.goto(f"{site.url}/agreements?_search=AIR")
    word = re.compile(r"\bair\b", re.I)
    expected = sorted(
        a["agreement_id"] for a in agreements if any(word.search(a[f]) for f in searchable)
    )
    assert expected and sorted(_column(page, "agreement_id")) == expected
    page.goto(site.url)
    tables = page.locator("h3 a").all_inner_texts()
    assert tables[:3] == ["agreement_events", "agreement_scope", "agreements"]  # by name
    assert not {"_columns", "_tables", "_changes"} & set(tables)
    _shot(page, "0-database")
