"""``gongbao sources capture URL|FILE --archive DIR``: a capture for the source archive.

A capture is the article's extracted text under a small header, so that a reader of the
archive knows where and when it came from and how it was made::

    gongbao-capture: 1
    url: https://example.org/news/1.html
    retrieved: 2026-12-02T01:23:45Z
    extractor: trafilatura 2.3.1
    ---
    <the article text>

It is named by the archive's rule, ``NNN_XXXXXXXXXXXXXXXX.txt``: the next free three-digit
number and the first 16 hex digits of the SHA-256 of the URL (or of the file's bytes), and is
never overwritten. Its SHA-256 is printed: `gongbao new source --archive NAME` records it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..tableschema.csvio import write_atomically

NAME = re.compile(r"^([0-9]{3})_[0-9a-f]{16}\.txt$")


@dataclass(frozen=True)
class Capture:
    path: Path
    sha256: str
    url: str | None


def next_name(archive: Path, key: bytes) -> str:
    """NNN_<16 hex>.txt with the next free number in the archive."""
    numbers = [int(m.group(1)) for p in archive.iterdir() if (m := NAME.match(p.name))]
    number = max(numbers, default=-1) + 1
    if number > 999:
        raise UsageError(f"{archive}: the archive has no free capture number left (000-999)")
    return f"{number:03d}_{hashlib.sha256(key).hexdigest()[:16]}.txt"


def render(text: str, url: str | None, when: dt.datetime, extractor: str) -> bytes:
    header = [
        "gongbao-capture: 1",
        f"url: {url or '-'}",
        f"retrieved: {when.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"extractor: {extractor}",
        "---",
    ]
    return ("\n".join(header) + "\n" + text.rstrip("\n") + "\n").encode("utf-8")


def capture(target: str, archive: Path, now: dt.datetime | None = None) -> Capture:
    """Fetch a URL (or read a saved HTML file), extract its article text, write the capture."""
    from .extract import EXTRACTOR, article_text
    from .fetch import client, fetch

    if not archive.is_dir():
        raise UsageError(f"archive directory not found: {archive}")
    when = now or dt.datetime.now(dt.UTC)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target):
        with client() as http:
            page = fetch(target, http)
        if page.error:
            raise UsageError(f"{target}: {page.error}")
        url: str | None = page.final_url
        html, key = page.text(), target.encode("utf-8")
    else:
        file = Path(target)
        if not file.is_file():
            raise UsageError(f"{target}: neither a URL (http/https) nor a file")
        data = file.read_bytes()
        url, html, key = None, data.decode("utf-8", errors="replace"), data
    text = article_text(html, url)
    if not text.strip():
        raise UsageError(f"{target}: no article text could be extracted")
    path = archive / next_name(archive, key)
    body = render(text, url, when, EXTRACTOR)
    write_atomically(path, body)
    return Capture(path, hashlib.sha256(body).hexdigest(), url)
