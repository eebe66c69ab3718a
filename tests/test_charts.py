"""What the charts show, checked on their inputs (the drawing is checked byte for byte by
tests/test_docs.py): stated and inferred links apart, planned instruments apart, every
figure and every figure in words, and Chinese text left to the reader's CJK fonts."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from gongbao.docgen import charts

from conftest import copy_package
from csvedit import read_rows, set_cell


def _rows(package: Path, table: str) -> list[dict[str, str]]:
    header, *rows = read_rows(package / "data" / f"{table}.csv")
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_links_are_stated_only_when_the_source_names_both_sides(repo: Path) -> None:
    """An independent count: for each instrument and pair of places, stated when a stated
    party sits in each place."""
    place = {o["org_id"]: o["jurisdiction_code"] for o in _rows(repo, "organizations")}
    by_agreement: dict[str, list[dict[str, str]]] = {}
    for party in _rows(repo, "parties"):
        if place[party["org_id"]]:  # a body of a region (no jurisdiction) is not drawn
            by_agreement.setdefault(party["agreement_id"], []).append(party)
    expected: dict[tuple[str, str], list[int]] = {}
    for parties in by_agreement.values():
        places = sorted({place[p["org_id"]] for p in parties})
        named = {place[p["org_id"]] for p in parties if p["attribution"] == "stated"}
        for a, b in combinations(places, 2):
            counts = expected.setdefault((a, b), [0, 0])
            counts[0 if a in named and b in named else 1] += 1
    edges = charts.network_inputs(repo)["edges"]
    assert edges == [[a, b, s, i] for (a, b), (s, i) in sorted(expected.items())]
    sichuan_chongqing = next(e for e in edges if e[:2] == ["500000", "510000"])
    assert sichuan_chongqing[2] >= 1 and sichuan_chongqing[3] >= 1  # drawn solid and dashed


def test_planned_instruments_are_kept_apart_and_undated_ones_are_drawn(repo: Path) -> None:
    agreements = _rows(repo, "agreements")
    inputs = charts.timeline_inputs(repo)

    def dated(a: dict[str, str]) -> bool:  # a date with its year (XXXX-10-27 has none)
        return bool(a["date"]) and not a["date"].startswith("XXXX")

    assert [p[0] for p in inputs["points"]] == sorted(a["date"] for a in agreements if dated(a))
    assert sorted(inputs["undated"]) == sorted(
        [a["region_id"], a["status"], a["instrument_type"]] for a in agreements if not dated(a)
    )
    assert {p[3] for p in inputs["points"]} | {u[1] for u in inputs["undated"]} == {
        a["status"] for a in agreements
    }


def test_the_indicator_chart_holds_every_figure(repo: Path) -> None:
    inputs = charts.indicators_inputs(repo)
    figures = {f[0]: f for f in inputs["figures"] if f[1] == "Chongqing"}
    assert figures["good_air_days"] == ["good_air_days", "Chongqing", 2019, 316.0, None]
    assert figures["excellent_air_days"] == [
        "excellent_air_days",
        "Chongqing",
        2019,
        119.0,
        [23.0, "day"],
    ]
    words = {w[0]: w[3] for w in inputs["words"] if w[1] == "Chongqing"}
    assert words["pm25_concentration"] == "change -5 %"
    assert words["water_quality_grade"] == "优"
    assert len(inputs["figures"]) + len(inputs["words"]) == len(_rows(repo, "indicators"))
    assert inputs["metrics"]["good_air_days"][:2] == [
        "Days with good or excellent air quality",
        "空气质量优良天数",
    ]


def test_a_changed_figure_changes_only_the_indicator_chart(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "pkg")
    before = {chart.path: charts.fingerprint(chart.inputs) for chart in charts.charts(package)}
    set_cell(
        package / "data/indicators.csv",
        "value",
        "317",
        jurisdiction_code="500000",
        metric="good_air_days",
    )
    after = {chart.path: charts.fingerprint(chart.inputs) for chart in charts.charts(package)}
    assert [path for path in before if before[path] != after[path]] == [charts.INDICATORS]


def test_chinese_text_asks_for_cjk_fonts_and_stays_text(repo: Path) -> None:
    svg = (repo / charts.INDICATORS).read_text(encoding="utf-8")
    assert "空气质量优良天数" in svg  # text, not glyph outlines
    assert f"font-family: {charts.FONT_STACK}" in svg
    assert "font-family: 'DejaVu Sans';" not in svg
