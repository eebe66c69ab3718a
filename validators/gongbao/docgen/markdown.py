"""Markdown helpers for the generated sections, and the markers that fence them in a file.

A generated region is everything between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``;
``gongbao docs`` owns that text and leaves the rest of the file alone.
"""

from __future__ import annotations

import re

from ..errors import UsageError

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_MARKER = re.compile(r"<!--\s*[\w-]+:(?:start|end)\s*-->")


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")  # what begins HTML: a tag, a comment, a directive


def text(value: object) -> str:
    """Text from the package as Markdown prose: one line, and every '<' that would begin
    HTML (a tag, a comment) written &lt; outside code spans, so a description can neither add
    HTML to the README nor a region marker ('national < province' stays as it is)."""
    one_line = " ".join(str(value).split())
    out, last = [], 0
    for span in _CODE_SPAN.finditer(one_line):
        out += [_TAG_START.sub("&lt;", one_line[last : span.start()]), span.group()]
        last = span.end()
    return "".join([*out, _TAG_START.sub("&lt;", one_line[last:])])


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell: :func:`text`, with pipes escaped."""
    return text(value).replace("|", "\\|")


def code(value: str) -> str:
    """A Markdown code span that survives backticks inside value (its fence is longer than
    any run of backticks in it)."""
    runs = [len(run) for run in re.findall(r"`+", value)]
    if not runs:
        return f"`{value}`"
    fence = "`" * (max(runs) + 1)
    return f"{fence} {value} {fence}"


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
    """document with the region's content replaced by section (on its own lines).

    UsageError when section holds a region marker (a schema value written in a code span):
    the next run would take it for the region's end and the file would grow every run.
    """
    bounds = _bounds(document, region)
    assert bounds is not None, f"no {region} markers"
    if (marker := _MARKER.search(section)) is not None:
        raise UsageError(
            f"the generated {region} section would contain {marker.group()!r}, which marks "
            "generated regions: remove it from the schema or catalogue text it comes from"
        )
    return document[: bounds[0]] + "\n" + section + document[bounds[1] :]


def missing_markers(file: str, region: str, what: str) -> UsageError:
    """The error for a file that lacks a region's markers: the command has nowhere to write."""
    start_marker, end_marker = markers(region)
    return UsageError(
        f"{file} has no {start_marker} ... {end_marker} markers; add them where {what} belongs"
    )
