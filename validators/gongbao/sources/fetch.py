"""Fetching a page politely and safely: httpx with timeouts, a size limit, bounded redirects,
http and https only, a descriptive User-Agent.

httpx (rather than urllib) gives per-phase timeouts, redirect history and streaming with a
byte limit out of the box; redirects are followed here by hand so that each hop's scheme is
checked and a loop is named as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__

USER_AGENT = (
    f"gongbao/{__version__} (source checker of an open dataset; "
    "+https://github.com/gongbao-data/gongbao)"
)
MAX_BYTES = 5 * 2**20  # an article page is far smaller; a larger body is not read further
MAX_REDIRECTS = 5
TIMEOUT = httpx.Timeout(15.0, connect=10.0)
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass
class Page:
    """What fetching a URL gave: the final URL, the status, the body (or why there is none)."""

    url: str  # the address asked for
    final_url: str
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    encoding: str | None = None
    error: str | None = None  # why no usable page was had, in words
    redirects: list[str] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.final_url != self.url

    def text(self) -> str:
        return self.body.decode(self.encoding or "utf-8", errors="replace")


def _scheme_ok(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def fetch(url: str, client: httpx.Client, max_bytes: int = MAX_BYTES) -> Page:
    """GET url, following at most MAX_REDIRECTS redirects; never raises for network trouble."""
    page = Page(url, url)
    current = url
    seen = {url}
    for _ in range(MAX_REDIRECTS + 1):
        if not _scheme_ok(current):
            page.error = f"refused: only http and https are fetched, not {current!r}"
            return page
        try:
            with client.stream("GET", current) as response:
                page.final_url, page.status = current, response.status_code
                page.content_type = response.headers.get("content-type", "").split(";")[0].strip()
                page.encoding = response.encoding
                if response.is_redirect:
                    target = urljoin(current, response.headers.get("location", ""))
                    page.redirects.append(target)
                    if target in seen:
                        page.error = f"redirect loop: {current} -> {target}"
                        return page
                    seen.add(target)
                    current = target
                    continue
                if response.status_code >= 400:
                    page.error = f"HTTP {response.status_code}"
                    return page
                if page.content_type and not page.content_type.startswith(HTML_TYPES):
                    page.error = f"not a web page: {page.content_type}"
                    return page
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        page.error = f"page larger than {max_bytes // 2**20} MiB: not read"
                        return page
                    chunks.append(chunk)
                page.body = b"".join(chunks)
                return page
        except httpx.HTTPError as exc:
            page.error = f"cannot fetch: {type(exc).__name__}: {exc}"
            return page
    page.error = f"more than {MAX_REDIRECTS} redirects"
    return page


def client() -> httpx.Client:
    """One client for a run: redirects handled by fetch(), limited connections."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=TIMEOUT,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=4),
    )
