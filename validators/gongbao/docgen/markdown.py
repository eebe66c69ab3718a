"""Markdown helpers for the generated sections, and the markers that fence them in a file.

A generated region is everything between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``;
``gongbao docs`` owns that text and leaves the rest of the file alone.
"""

from __future__ import annotations

from ..errors import UsageError


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def code(text: str) -> str:
    """A Markdown code span that survives backticks inside text."""
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def markers(region: str) -> tuple[str, str]:
    return f"<!-- {region}:start -->", f"<!-- {region}:end -->"


def _bounds(document: str, region: str) -> tuple[int, int] | None:
    """Where the region's content starts and ends in document, or None without both markers."""
    start_marker, end_marker = markers(region)
    start = document.find(start_marker)
    if start < 0:
        return None
    end = document.find(end_marker, start + len(start_marker))
    return None if end < 0 else (start + len(start_marker), end)


def has_region(document: str, region: str) -> bool:
    return _bounds(document, region) is not None


def region_content(document: str, region: str) -> str:
    """The text between the region's markers (the document must have them)."""
    bounds = _bounds(document, region)
    assert bounds is not None, f"no {region} markers"
    return document[bounds[0] : bounds[1]]


def splice(document: str, region: str, section: str) -> str:
    """document with the region's content replaced by section (on its own lines)."""
    bounds = _bounds(document, region)
    assert bounds is not None, f"no {region} markers"
    return document[: bounds[0]] + "\n" + section + document[bounds[1] :]


def missing_markers(file: str, region: str, what: str) -> UsageError:
    """The error for a file that lacks a region's markers: the command has nowhere to write."""
    start_marker, end_marker = markers(region)
    return UsageError(
        f"{file} has no {start_marker} ... {end_marker} markers; add them where {what} belongs"
    )
