"""The article text of a page, with trafilatura.

trafilatura is the maintained, benchmarked choice for main-text extraction: it drops
navigation, comment and "related articles" blocks, handles Chinese pages and needs no browser.
Quotes are checked against its output with ``favor_recall`` (a quote from the body must not be
lost to an over-eager filter); headlines are kept, so a quote found in the text may still be a
headline: the capture is the reference, the online check a cross-check.
"""

from __future__ import annotations

import trafilatura

EXTRACTOR = f"trafilatura {trafilatura.__version__}"


def article_text(html: str, url: str | None = None) -> str:
    """The main text of an HTML page ('' when none can be found)."""
    return trafilatura.extract(html, url=url, favor_recall=True, include_comments=False) or ""
