"""``gongbao docs [PATH] [--check]``: the parts of the documentation that are generated.

* README.md, between markers: the coverage tables (:mod:`.coverage`, counted from the data),
  the data dictionary (:mod:`.dictionary`, from the schemas) and the rule table
  (:mod:`.rules`, from running every rule's example).
* CONTRIBUTING.md, between markers: the rule families with their rules (:mod:`.rules`).
* Two SVG charts drawn from the data (:mod:`.charts`).

They are generated so that they cannot drift from the schemas, the catalogue and the data.
Without ``--check`` every stale file is rewritten (atomically) and named. With ``--check``
nothing is written, and the exit code is 1 when anything is stale, which CI uses to catch a
schema, rule or data change committed without ``gongbao docs``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..data import DataError, open_package
from ..errors import Exit, UsageError
from ..tableschema.csvio import write_atomically
from ..tableschema.package import Package
from . import charts, coverage, dictionary, markdown, rules

README = "README.md"
CONTRIBUTING = "CONTRIBUTING.md"
FIX = "nox -s docs"


@dataclass(frozen=True)
class Region:
    """A generated section of a Markdown file, between ``<!-- name:start/end -->``."""

    file: str
    name: str
    what: str  # in words, for messages
    source: str  # what it is generated from, for the message when it is stale


REGIONS = [
    Region(README, coverage.REGION, coverage.WHAT, coverage.SOURCES),
    Region(README, dictionary.REGION, dictionary.WHAT, dictionary.SOURCES),
    Region(README, rules.TABLE_REGION, rules.TABLE_WHAT, "the rule catalogue and its examples"),
    Region(CONTRIBUTING, rules.FAMILIES_REGION, rules.FAMILIES_WHAT, "the rule catalogue"),
]


@dataclass(frozen=True)
class Regenerated:
    """A generated file as it should be, and what in the committed one is out of date."""

    path: str  # relative to the package directory
    content: bytes
    stale: list[str]  # one message per stale part; [] when the file is current
    stale_parts: list[str]  # the generated sections among them, for the "wrote" line


def package_directory(path: Path) -> tuple[Package, Path]:
    """The package at path and its directory; UsageError unless it is a directory with the
    Markdown files the generated sections go into."""
    package = open_package(path)
    directory = package.directory
    if directory is None:
        raise UsageError(f"{path}: not a package directory; docs are written into one")
    for name in dict.fromkeys(region.file for region in REGIONS):
        if not (directory / name).is_file():
            raise UsageError(f"{directory}: no {name} beside datapackage.json")
    return package, directory


def _documents(directory: Path) -> dict[str, str]:
    """The Markdown files holding generated regions; UsageError when a marker is missing."""
    documents = {}
    for region in REGIONS:
        if region.file not in documents:
            documents[region.file] = (directory / region.file).read_bytes().decode("utf-8")
        if not markdown.has_region(documents[region.file], region.name):
            raise markdown.missing_markers(region.file, region.name, region.what)
    return documents


def _sections(package: Package, directory: Path) -> dict[str, str]:
    """Region name -> its generated Markdown. The rule table runs every example (slow)."""
    messages = rules.example_messages(rules.example_outcomes(directory))
    return {
        coverage.REGION: coverage.coverage_section(package),
        dictionary.REGION: dictionary.data_dictionary(package),
        rules.TABLE_REGION: rules.rule_table(messages),
        rules.FAMILIES_REGION: rules.family_list(),
    }


def _markdown_files(documents: dict[str, str], sections: dict[str, str]) -> list[Regenerated]:
    regenerated = []
    for file, text in documents.items():
        updated, stale, stale_parts = text, [], []
        for region in (r for r in REGIONS if r.file == file):
            section = sections[region.name]
            if markdown.region_content(text, region.name) != "\n" + section:
                stale.append(f"{file}: {region.what} is out of date with {region.source}")
                stale_parts.append(region.what)
            updated = markdown.splice(updated, region.name, section)
        regenerated.append(Regenerated(file, updated.encode("utf-8"), stale, stale_parts))
    return regenerated


def _chart_files(directory: Path) -> list[Regenerated]:
    regenerated = []
    for chart in charts.charts(directory):
        fresh = charts.render(chart)
        target = directory / chart.path
        existing = target.read_bytes() if target.is_file() else None
        if existing is None:
            stale = [f"{chart.path}: missing"]
        elif charts.chart_is_current(existing, chart, fresh):
            stale = []
        else:
            stale = [f"{chart.path}: out of date with the data"]
        regenerated.append(Regenerated(chart.path, fresh, stale, []))
    return regenerated


def run(path: Path, check: bool) -> Exit:
    """Regenerate the documentation of the package at path, or with check only report what is
    stale (Exit.INVALID) and write nothing."""
    try:
        package, directory = package_directory(path)
        documents = _documents(directory)  # missing markers fail before the slow part
        drawn = _chart_files(directory)  # before the slow examples: a data error stops both
        files = _markdown_files(documents, _sections(package, directory)) + drawn
    except (DataError, rules.InvalidPackage) as exc:
        sys.stderr.write(
            f"{exc}\ngongbao docs: the docs are generated from a valid package; fix the errors "
            f"above first (gongbao validate {path})\n"
        )
        return Exit.INVALID
    stale = [f for f in files if f.stale]
    if not stale:
        print(f"up to date: {', '.join(f.path for f in files)}")
        return Exit.OK
    if check:
        for file in stale:
            sys.stderr.write("".join(f"{message}\n" for message in file.stale))
        sys.stderr.write(f"to regenerate: gongbao docs {path}   (or: {FIX})\n")
        return Exit.INVALID
    for file in stale:
        target = directory / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, file.content)
        parts = f" ({', '.join(file.stale_parts)})" if file.stale_parts else ""
        print(f"wrote {file.path}{parts}")
    return Exit.OK
