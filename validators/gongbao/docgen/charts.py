"""The README's two charts, drawn from the data with matplotlib (Agg, SVG).

``docs/img/agreements-timeline.svg`` shows dated instruments by region;
``docs/img/cooperation-network.svg`` the jurisdictions whose bodies are parties to the same
instrument. Labels are English ids and names: the CJK glyphs may be missing from the fonts a
machine has.

What "stale" means for a chart: every SVG records a fingerprint of the data it plots (and of
the chart style) and the matplotlib version that drew it. Drawn by the same matplotlib
version, the file must equal the regenerated one byte for byte (the output is deterministic:
fixed hash salt, no date, text kept as text). Drawn by another version, only the fingerprint
is compared, since matplotlib's SVG output changes between releases while the chart would
still be current.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data import load
from ..errors import require

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

TIMELINE = "docs/img/agreements-timeline.svg"
NETWORK = "docs/img/cooperation-network.svg"
CHART_STYLE = "1"  # bump when the drawing code changes, so committed charts count as stale
_FINGERPRINT = re.compile(r"gongbao-chart data=sha256:([0-9a-f]{64}) matplotlib=([0-9A-Za-z.+-]+)")

Inputs = dict[str, Any]  # what a chart shows, JSON-serialisable: the fingerprint covers it
STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "gongbao",  # element ids do not change from run to run
    "svg.fonttype": "none",  # text stays text, not font-dependent paths
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Chart:
    path: str  # relative to the package directory
    inputs: Inputs
    draw: Callable[[Inputs], Figure]


def fingerprint(inputs: Inputs) -> str:
    text = json.dumps({"style": CHART_STYLE, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _label(identifier: str) -> str:
    return identifier.replace("_", " ").title()


# -- the timeline ---------------------------------------------------------------------------------


def timeline_inputs(package_dir: Path) -> Inputs:
    agreements = load("agreements", package_dir)
    regions = [str(c) for c in agreements["region_id"].cat.categories]
    dated = agreements["date"].notna() & ~agreements["date"].str.startswith("XXXX").fillna(False)
    points = sorted(
        [str(r.date), str(r.region_id), str(r.instrument_type), str(r.agreement_id)]
        for r in agreements[dated].itertuples()  # agreements.date: text, source's precision
    )
    undated = agreements.loc[~dated, "region_id"].value_counts()
    return {
        "regions": regions,
        "points": points,
        "undated": {r: int(undated.get(r, 0)) for r in regions},
        "total": len(agreements),
    }


def _period(date: str) -> tuple[float, float]:
    """Start and end of an ISO date at reduced precision, in fractional years."""
    year = int(date[:4])
    if len(date) == 4:
        return year, year + 1
    month = int(date[5:7])
    if len(date) == 7:
        return year + (month - 1) / 12, year + month / 12
    day = int(date[8:10])
    start = year + (month - 1) / 12 + (day - 1) / 365
    return start, start + 1 / 365


def draw_timeline(inputs: Inputs) -> Figure:
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    regions = inputs["regions"]
    fig, ax = plt.subplots(figsize=(9, 0.9 * len(regions) + 1.8))
    types = sorted({p[2] for p in inputs["points"]})
    colors = {t: plt.get_cmap("tab10")(i % 10) for i, t in enumerate(types)}
    seen: Counter[tuple[str, int]] = Counter()
    for date, region, kind, _ in inputs["points"]:
        start, end = _period(date)
        y = regions.index(region)
        slot = seen[(region, int(start))]
        seen[(region, int(start))] += 1
        y += 0.12 * ((slot % 5) - 2)  # spread instruments of one region and year
        if end - start > 0.01:  # month or year precision: show the whole period
            ax.plot(
                [start, end],
                [y, y],
                color=colors[kind],
                linewidth=3,
                alpha=0.35,
                solid_capstyle="butt",
            )
        ax.plot(
            [start],
            [y],
            marker="o",
            markersize=6,
            color=colors[kind],
            linestyle="none",
            markeredgecolor="white",
            markeredgewidth=0.5,
        )
    for kind in types:
        ax.plot([], [], marker="o", linestyle="none", color=colors[kind], label=_label(kind))
    ax.set_yticks(
        range(len(regions)), [f"{_label(r)}\n({inputs['undated'][r]} undated)" for r in regions]
    )
    ax.set_ylim(-0.7, len(regions) - 0.3)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("Date signed, adopted or issued (bars: the month or year the source gives)")
    ax.set_title(
        f"Cooperation instruments by region and date: {len(inputs['points'])} of "
        f"{inputs['total']} are dated (undated ones are counted, not drawn)",
        fontsize=10,
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if types:
        ax.legend(
            title="Instrument type",
            fontsize=8,
            title_fontsize=8,
            frameon=False,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
    else:
        ax.text(0.5, 0.5, "no dated instruments", transform=ax.transAxes, ha="center")
    fig.tight_layout()
    return fig


# -- the network ----------------------------------------------------------------------------------


def network_inputs(package_dir: Path) -> Inputs:
    parties = load("parties", package_dir)
    organizations = load("organizations", package_dir)
    jurisdictions = load("jurisdictions", package_dir)
    org_place = dict(zip(organizations["org_id"], organizations["jurisdiction_code"], strict=True))
    names = dict(zip(jurisdictions["code"], jurisdictions["name_en"], strict=True))
    places_of: dict[str, set[str]] = {}
    for agreement, org in zip(parties["agreement_id"], parties["org_id"], strict=True):
        place = org_place.get(org)
        if isinstance(place, str):  # a body of a region (no jurisdiction) is not drawn
            places_of.setdefault(str(agreement), set()).add(str(place))
    edges: Counter[tuple[str, str]] = Counter()
    involvement: Counter[str] = Counter()
    for places in places_of.values():
        involvement.update(places)
        edges.update(combinations(sorted(places), 2))
    nodes = sorted(involvement)
    return {
        "nodes": [[code, str(names.get(code, code)), involvement[code]] for code in nodes],
        "edges": [[a, b, n] for (a, b), n in sorted(edges.items())],
    }


def draw_network(inputs: Inputs) -> Figure:
    import matplotlib.pyplot as plt

    nodes = inputs["nodes"]
    fig, ax = plt.subplots(figsize=(8, 8))
    count = len(nodes)
    position = {}
    for i, (code, _, _) in enumerate(nodes):
        angle = math.pi / 2 - 2 * math.pi * i / max(count, 1)  # clockwise from the top
        position[code] = (math.cos(angle), math.sin(angle))
    heaviest = max((n for _, _, n in inputs["edges"]), default=1)
    for a, b, n in inputs["edges"]:
        (x1, y1), (x2, y2) = position[a], position[b]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color="#4c72b0",
            alpha=0.25 + 0.5 * n / heaviest,
            linewidth=0.8 + 4.2 * n / heaviest,
            zorder=1,
            solid_capstyle="round",
        )
    most = max((n for _, _, n in nodes), default=1)
    for code, name, n in nodes:
        x, y = position[code]
        ax.scatter(
            [x],
            [y],
            s=60 + 340 * n / most,
            color="#dd8452",
            edgecolor="white",
            linewidth=1,
            zorder=2,
        )
        ha = "left" if x > 0.3 else "right" if x < -0.3 else "center"
        va = "bottom" if y > 0.3 else "top" if y < -0.3 else "center"
        ax.text(1.09 * x, 1.09 * y, f"{name}\n{code}", ha=ha, va=va, fontsize=8)
    if not nodes:
        ax.text(0, 0, "no parties recorded", ha="center", va="center")
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.35, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        "Jurisdictions whose bodies are parties to the same instrument\n"
        "(line width: number of shared instruments; dot size: instruments joined)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


# -- rendering and staleness ----------------------------------------------------------------------


def charts(package_dir: Path) -> list[Chart]:
    return [
        Chart(TIMELINE, timeline_inputs(package_dir), draw_timeline),
        Chart(NETWORK, network_inputs(package_dir), draw_network),
    ]


def render(chart: Chart) -> bytes:
    """The chart as deterministic SVG bytes carrying its fingerprint."""
    require("matplotlib", "publish")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE):
        fig = chart.draw(chart.inputs)
        buffer = io.BytesIO()
        description = (
            f"gongbao-chart data=sha256:{fingerprint(chart.inputs)} "
            f"matplotlib={matplotlib.__version__}"
        )
        fig.savefig(
            buffer,
            format="svg",
            metadata={
                "Date": None,
                "Creator": "gongbao.docs",
                "Title": Path(chart.path).stem,
                "Description": description,
            },
        )
        plt.close(fig)
    return buffer.getvalue()


def chart_is_current(existing: bytes, chart: Chart, fresh: bytes) -> bool:
    """True when the committed SVG shows what would be drawn now (see the module docstring)."""
    import matplotlib

    if existing == fresh:
        return True
    found = _FINGERPRINT.search(existing.decode("utf-8", "replace"))
    if not found or found.group(1) != fingerprint(chart.inputs):
        return False
    return found.group(2) != matplotlib.__version__  # same version: the bytes had to match
