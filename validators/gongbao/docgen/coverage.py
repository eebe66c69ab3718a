"""The README's coverage statement: what the data holds, counted from the data.

Counts per provincial-level division, per year and per instrument type, and the river basins
and other cooperation regions covered. A province counts an instrument when one of the
instrument's parties belongs to it (the party's jurisdiction, or a member of the region a
multi-jurisdiction body belongs to, walked up to its province) or when the instrument's
scope (agreement_scope) names a place in it. Generated, so that the README cannot claim
more, or less, than the data holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ..problems.report import Report
from ..tableschema.csvio import read_tables
from ..tableschema.package import Package
from .markdown import cell

REGION = "coverage"
WHAT = "the coverage statement"
SOURCES = "the data"
PROVINCE = "province"  # levels.level of a provincial-level division


def _rows(tables: dict[str, Any], name: str) -> list[dict[str, Any]]:
    table = tables.get(name)
    return [] if table is None else list(table.data.to_pylist())


def _province_of(code: str, jurisdictions: dict[str, dict[str, Any]]) -> str | None:
    """The provincial-level division a code lies in, walking parent_code up (None for the
    country as a whole or a code the table does not hold)."""
    seen = set()
    while code in jurisdictions and code not in seen:
        seen.add(code)
        row = jurisdictions[code]
        if row["level"] == PROVINCE:
            return code
        code = row["parent_code"] or ""
    return None


def coverage(package: Package) -> dict[str, Any]:
    """What the tables count: per province, year, instrument type and region."""
    report = Report()
    tables = read_tables(package, report)
    jurisdictions = {r["code"]: r for r in _rows(tables, "jurisdictions")}
    agreements = _rows(tables, "agreements")
    organizations = {r["org_id"]: r for r in _rows(tables, "organizations")}
    members: dict[str, set[str]] = defaultdict(set)
    for r in _rows(tables, "region_members"):
        members[r["region_id"]].add(r["jurisdiction_code"])

    def places_of_org(org_id: str) -> set[str]:
        org = organizations.get(org_id)
        if org is None:
            return set()
        if org["jurisdiction_code"]:
            return {org["jurisdiction_code"]}
        return set(members.get(org["region_id"] or "", set()))

    provinces_of: dict[str, set[str]] = defaultdict(set)
    for r in _rows(tables, "parties"):
        for place in places_of_org(r["org_id"]):
            if (province := _province_of(place, jurisdictions)) is not None:
                provinces_of[r["agreement_id"]].add(province)
    for r in _rows(tables, "agreement_scope"):
        if (province := _province_of(r["jurisdiction_code"], jurisdictions)) is not None:
            provinces_of[r["agreement_id"]].add(province)

    per_province: Counter[str] = Counter()
    for agreement in agreements:
        per_province.update(provinces_of.get(agreement["agreement_id"], set()))
    dated: Counter[str] = Counter()
    bounded: Counter[str] = Counter()
    for a in agreements:
        year = (a["date"] or "")[:4]
        if year.isdigit():
            dated[year] += 1
        elif a["date_latest"]:  # text: YYYY-MM-DD
            bounded[a["date_latest"][:4]] += 1
    types = {r["instrument_type"]: r["label_en"] for r in _rows(tables, "instrument_types")}
    regions = {r["region_id"]: r for r in _rows(tables, "regions")}
    per_region = Counter(a["region_id"] for a in agreements)
    figures = {r["jurisdiction_code"] for r in _rows(tables, "indicators")}
    sources = _rows(tables, "sources")
    return {
        "sources": len(sources),
        "archived": sum(1 for s in sources if s["archive"]),
        "instruments": len(agreements),
        "parties": len(_rows(tables, "parties")),
        "commitments": len(_rows(tables, "commitments")),
        "targets": len(_rows(tables, "targets")),
        "indicators": len(_rows(tables, "indicators")),
        "figure_places": len(figures),
        "provinces": [
            (code, jurisdictions[code]["name_en"], jurisdictions[code]["name_zh"], count)
            for code, count in sorted(per_province.items())
        ],
        "years": [
            (year, dated.get(year, 0), bounded.get(year, 0))
            for year in sorted(set(dated) | set(bounded))
        ],
        "types": [
            (kind, types.get(kind, kind), count)
            for kind, count in sorted(Counter(a["instrument_type"] for a in agreements).items())
        ],
        "regions": [
            (rid, regions[rid]["label_en"], regions[rid]["label_zh"], regions[rid]["kind"], n)
            for rid, n in sorted(per_region.items())
            if rid in regions
        ],
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def coverage_section(package: Package) -> str:
    """The README section, in Markdown (without the markers)."""
    c = coverage(package)
    basins = sum(1 for r in c["regions"] if r[3] == "river_basin")
    out = [
        f"<!-- Generated by `gongbao docs` from {SOURCES}; edit the data, not this section. -->",
        "",
        f"{c['instruments']} instruments from {c['sources']} sources ({c['archived']} with an "
        f"archived capture), with {c['parties']} party rows, {c['commitments']} commitments, "
        f"{c['targets']} targets and {c['indicators']} reported figures for "
        f"{_count(c['figure_places'], 'place')}. They involve "
        f"{_count(len(c['provinces']), 'provincial-level division')} and "
        f"{_count(len(c['regions']), 'cooperation region')} "
        f"({_count(basins, 'river basin')}).",
        "",
        "| provincial-level division | instruments |",
        "| --- | ---: |",
    ]
    out += [f"| {cell(en)} ({cell(zh)}, {code}) | {n} |" for code, en, zh, n in c["provinces"]]
    out += [
        "",
        "| year | instruments dated that year | instruments known only to be on or before a "
        "day of that year |",
        "| --- | ---: | ---: |",
    ]
    out += [f"| {year} | {d} | {b} |" for year, d, b in c["years"]]
    out += ["", "| instrument type | instruments |", "| --- | ---: |"]
    out += [f"| {cell(label)} (`{kind}`) | {n} |" for kind, label, n in c["types"]]
    out += ["", "| cooperation region | kind | instruments |", "| --- | --- | ---: |"]
    out += [
        f"| {cell(en)} ({cell(zh)}) | {kind.replace('_', ' ')} | {n} |"
        for _, en, zh, kind, n in c["regions"]
    ]
    return "\n".join(out) + "\n"


def coverage_of(path: Path) -> dict[str, Any]:
    """coverage() of the package at path (for tests and scripts)."""
    from ..data import open_package

    return coverage(open_package(path))
