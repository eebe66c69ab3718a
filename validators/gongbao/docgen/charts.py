"""The README's charts, drawn from the data with matplotlib (Agg, SVG).

``docs/img/agreements-timeline.svg`` shows the instruments by region and date, each numbered
and named (in English and Chinese) in a key; ``docs/img/cooperation-network.svg`` the
jurisdictions whose bodies are parties to the same instrument, a link drawn solid when the
source names a party on both sides and dashed when one side is inferred;
``docs/img/indicators.svg`` the figures the regions report, one panel per metric. Signed
(adopted, issued, established, implemented) instruments are filled markers, planned ones
hollow.

Chinese text: matplotlib measures text with DejaVu Sans, which it ships, so the layout (and
the bytes) are the same on every machine, with or without CJK fonts; the SVG keeps text as
text and asks the reader's browser for DejaVu Sans, then common CJK fonts (Noto Sans CJK,
Source Han Sans, PingFang, Microsoft YaHei), which every system that reads Chinese has.
DejaVu has no Han glyphs, so matplotlib measures them narrower than they are drawn: Chinese
text is put last on its line, where the extra width has room. English labels carry the
meaning; the Chinese names are there for Chinese readers, never alone.

What "stale" means for a chart: every SVG records a fingerprint of the data it plots (and of
the chart style) and the matplotlib and numpy versions that drew it. Drawn by the same
versions, the file must equal the regenerated one byte for byte (the output is deterministic:
fixed hash salt, no date, text kept as text). Drawn by other versions, only the fingerprint
is compared, since the SVG's numbers change between releases (numpy 1 and 2 print some
coordinates differently) while the chart would still be current.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import textwrap
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data import load
from ..errors import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

TIMELINE = "docs/img/agreements-timeline.svg"
NETWORK = "docs/img/cooperation-network.svg"
INDICATORS = "docs/img/indicators.svg"
CHART_STYLE = "2"  # bump when the drawing code changes, so committed charts count as stale
_FINGERPRINT = re.compile(
    r"gongbao-chart data=sha256:([0-9a-f]{64}) (matplotlib=[0-9A-Za-z.+-]+ numpy=[0-9A-Za-z.+-]+)"
)

Inputs = dict[str, Any]  # what a chart shows, JSON-serialisable: the fingerprint covers it
FONT = "DejaVu Sans"
# What the SVG asks the reader's browser for: DejaVu, then fonts with Chinese glyphs.
FONT_STACK = (
    "'DejaVu Sans', 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', 'Heiti SC', sans-serif"
)
STYLE: dict[RcKeyType, Any] = {
    "text.parse_math": False,  # names are data, not TeX
    "svg.hashsalt": "gongbao",  # element ids do not change from run to run
    "svg.fonttype": "none",  # text stays text, not font-dependent paths
    "font.family": FONT,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PLANNED = "planned"  # the one status drawn hollow: the instrument does not exist yet
STATED = "stated"
KEY_WIDTH = 70  # characters of English title in the timeline's key, before the Chinese one


@dataclass(frozen=True)
class Chart:
    path: str  # relative to the package directory
    inputs: Inputs
    draw: Callable[[Inputs], Figure]


def fingerprint(inputs: Inputs) -> str:
    text = json.dumps({"style": CHART_STYLE, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _label(identifier: str) -> str:
    return identifier.replace("_", " ").capitalize()


def _region(identifier: str) -> str:
    return identifier.replace("_", " ").title()


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _marker(ax: Axes, x: float, y: float, color: Any, planned: bool, size: float = 7) -> None:
    """Filled for an instrument that exists, hollow for a planned one."""
    ax.plot(
        [x],
        [y],
        marker="o",
        markersize=size,
        linestyle="none",
        markerfacecolor="white" if planned else color,
        markeredgecolor=color,
        markeredgewidth=1.4,
        zorder=3,
    )


# -- the timeline ---------------------------------------------------------------------------------


def timeline_inputs(package_dir: Path) -> Inputs:
    agreements = load("agreements", package_dir)
    regions = [str(c) for c in agreements["region_id"].cat.categories]
    dated = agreements["date"].notna() & ~agreements["date"].str.startswith("XXXX").fillna(False)
    points = sorted(
        [
            str(r.date),
            str(r.region_id),
            str(r.instrument_type),
            str(r.status),
            str(r.title_en),
            str(r.title_zh),
        ]
        for r in agreements[dated].itertuples()  # agreements.date: text, source's precision
    )
    undated = sorted(
        [str(r.region_id), str(r.status), str(r.instrument_type)]
        for r in agreements[~dated].itertuples()
    )
    return {"regions": regions, "points": points, "undated": undated, "total": len(agreements)}


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
    from matplotlib.lines import Line2D

    regions, points, undated = inputs["regions"], inputs["points"], inputs["undated"]
    types = sorted({p[2] for p in points} | {u[2] for u in undated})
    colors = {t: plt.get_cmap("tab10")(i % 10) for i, t in enumerate(types)}
    key_lines = len(points)
    plot_height = 0.9 * len(regions) + 1.4
    key_height = 0.19 * key_lines + 0.5
    fig = plt.figure(figsize=(10, plot_height + key_height))
    ax = fig.add_axes(
        (
            0.17,
            key_height / (plot_height + key_height) + 0.08 * 3 / plot_height,
            0.6,
            0.8 * plot_height / (plot_height + key_height),
        )
    )
    starts = [_period(p[0])[0] for p in points]
    first = math.floor(min(starts, default=2020.0))
    last = math.floor(max(starts, default=2020.0)) + 1
    undated_x = last + 0.6  # the column of instruments without a date
    same_year = Counter((p[1], int(_period(p[0])[0])) for p in points)
    seen: Counter[tuple[str, int]] = Counter()
    for number, (date, region, kind, status, _, _) in enumerate(points, start=1):
        start, end = _period(date)
        slot = seen[(region, int(start))]
        seen[(region, int(start))] += 1
        # spread instruments of one region and year around the region's line
        y = regions.index(region) + 0.16 * (slot - (same_year[(region, int(start))] - 1) / 2)
        if end - start > 0.01:  # month or year precision: show the whole period
            ax.plot(
                [start, end],
                [y, y],
                color=colors[kind],
                linewidth=3,
                alpha=0.35,
                solid_capstyle="butt",
                zorder=2,
            )
        _marker(ax, start, y, colors[kind], status == PLANNED)
        ax.annotate(
            str(number),
            (start, y),
            xytext=(5, 3),
            textcoords="offset points",
            fontsize=7,
            color="#333333",
        )
    per_region: Counter[str] = Counter()
    for region, status, kind in undated:
        index = per_region[region]
        per_region[region] += 1
        column, row = divmod(index, 4)
        x = undated_x + 0.16 * column
        y = regions.index(region) + 0.16 * (row - 1.5)
        _marker(ax, x, y, colors[kind], status == PLANNED, size=5)
    ax.axvline(last + 0.3, color="#bbbbbb", linewidth=0.8, linestyle=":")
    ax.set_yticks(range(len(regions)), [_region(r) for r in regions])
    ax.set_ylim(-0.7, len(regions) - 0.3)
    ax.invert_yaxis()
    ticks = list(range(first, last + 1))
    ax.set_xticks([*ticks, undated_x + 0.25], [*map(str, ticks), "no date"])
    ax.set_xlim(first - 0.3, undated_x + 0.16 * (1 + max(per_region.values(), default=0) // 4))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(
        f"Cooperation instruments by region and date: {len(points)} of {inputs['total']} are "
        "dated\n(numbered, and named below); the others are in the 'no date' column",
        fontsize=10,
        loc="left",
    )
    handles = [
        Line2D([], [], marker="o", linestyle="none", color=colors[t], label=_label(t))
        for t in types
    ]
    handles += [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="#555555",
            markeredgecolor="#555555",
            label="signed, adopted, issued…",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor="#555555",
            label="planned",
        ),
        Line2D(
            [],
            [],
            color="#999999",
            linewidth=3,
            alpha=0.5,
            label="the month or year given",
        ),
    ]
    ax.legend(
        handles=handles, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )
    top = key_height / (plot_height + key_height) - 0.02
    step = 0.19 / (plot_height + key_height)
    for number, (date, _, _, _, title_en, title_zh) in enumerate(points, start=1):
        y = top - number * step
        fig.text(0.045, y, str(number), fontsize=8, ha="right")
        fig.text(0.06, y, date, fontsize=8)
        fig.text(0.13, y, f"{_shorten(title_en, KEY_WIDTH)}  {title_zh}", fontsize=8)
    return fig


# -- the network ----------------------------------------------------------------------------------


def network_inputs(package_dir: Path) -> Inputs:
    parties = load("parties", package_dir)
    organizations = load("organizations", package_dir)
    jurisdictions = load("jurisdictions", package_dir)
    org_place = dict(zip(organizations["org_id"], organizations["jurisdiction_code"], strict=True))
    names = {
        str(code): (str(en), str(zh))
        for code, en, zh in zip(
            jurisdictions["code"], jurisdictions["name_en"], jurisdictions["name_zh"], strict=True
        )
    }
    stated_places: dict[str, set[str]] = {}
    places_of: dict[str, set[str]] = {}
    for agreement, org, attribution in zip(
        parties["agreement_id"], parties["org_id"], parties["attribution"], strict=True
    ):
        place = org_place.get(org)
        if isinstance(place, str):  # a body of a region (no jurisdiction) is not drawn
            places_of.setdefault(str(agreement), set()).add(str(place))
            if str(attribution) == STATED:
                stated_places.setdefault(str(agreement), set()).add(str(place))
    stated: Counter[tuple[str, str]] = Counter()
    inferred: Counter[tuple[str, str]] = Counter()
    involvement: Counter[str] = Counter()
    for agreement, places in places_of.items():
        involvement.update(places)
        named = stated_places.get(agreement, set())
        for a, b in combinations(sorted(places), 2):
            (stated if a in named and b in named else inferred)[(a, b)] += 1
    nodes = sorted(involvement)
    pairs = sorted(stated.keys() | inferred.keys())
    return {
        "nodes": [[code, *names.get(code, (code, "")), involvement[code]] for code in nodes],
        "edges": [[a, b, stated[(a, b)], inferred[(a, b)]] for a, b in pairs],
    }


def draw_network(inputs: Inputs) -> Figure:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    nodes, edges = inputs["nodes"], inputs["edges"]
    fig, ax = plt.subplots(figsize=(8, 8.4))
    count = len(nodes)
    position = {}
    for i, node in enumerate(nodes):
        angle = math.pi / 2 - 2 * math.pi * i / max(count, 1)  # clockwise from the top
        position[node[0]] = (math.cos(angle), math.sin(angle))
    heaviest = max((s + n for _, _, s, n in edges), default=1)
    for a, b, stated, inferred in edges:
        (x1, y1), (x2, y2) = position[a], position[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx, ny = (y1 - y2) / length, (x2 - x1) / length  # unit normal, to draw both side by side
        both = stated and inferred
        for n, style, color, side in ((stated, "-", "#1f4e8c", 1), (inferred, "--", "#c2571a", -1)):
            if not n:
                continue
            shift = 0.012 * side if both else 0.0
            ax.plot(
                [x1 + nx * shift, x2 + nx * shift],
                [y1 + ny * shift, y2 + ny * shift],
                color=color,
                linestyle=style,
                alpha=0.85,
                linewidth=0.8 + 3.2 * n / heaviest,
                zorder=1,
                dash_capstyle="butt",
            )
    most = max((n for *_, n in nodes), default=1)
    for code, name_en, name_zh, n in nodes:
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
        ax.text(1.1 * x, 1.1 * y, f"{name_en}\n{code} {name_zh}", ha=ha, va=va, fontsize=8)
    if not nodes:
        ax.text(0, 0, "no parties recorded", ha="center", va="center")
    stated_links = sum(e[2] for e in edges)
    all_links = sum(e[2] + e[3] for e in edges)
    ax.legend(
        handles=[
            Line2D(
                [],
                [],
                color="#1f4e8c",
                linestyle="-",
                linewidth=2,
                label=f"the source names a party on both sides ({stated_links} of {all_links} "
                "links, instrument by instrument)",
            ),
            Line2D(
                [],
                [],
                color="#c2571a",
                linestyle="--",
                linewidth=2,
                label="at least one side is inferred by the curators",
            ),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, -0.04),
        fontsize=8,
        frameon=False,
    )
    ax.set_xlim(-1.55, 1.55)
    ax.set_ylim(-1.45, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        "Jurisdictions whose bodies are parties to the same instrument\n"
        "(line width: number of shared instruments; dot size: instruments joined)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


# -- the indicators -------------------------------------------------------------------------------


def indicators_inputs(package_dir: Path) -> Inputs:
    indicators = load("indicators", package_dir).to_dict("records")
    metrics = load("metrics", package_dir).to_dict("records")
    jurisdictions = load("jurisdictions", package_dir)
    names = dict(zip(jurisdictions["code"], jurisdictions["name_en"], strict=True))
    described: dict[str, list[Any]] = {
        str(m["metric"]): [
            str(m["label_en"]),
            str(m["label_zh"]),
            str(m["unit"]),
            None if _missing(m["minimum"]) else float(m["minimum"]),
            None if _missing(m["maximum"]) else float(m["maximum"]),
        ]
        for m in metrics
    }
    figures: list[list[Any]] = []
    words: list[list[Any]] = []
    for r in indicators:
        place = str(names.get(r["jurisdiction_code"], r["jurisdiction_code"]))
        metric, year = str(r["metric"]), int(r["year"])
        change: list[Any] | None = None
        if not _missing(r["change"]):
            change = [float(r["change"]), str(r["change_unit"])]
        if not _missing(r["value"]):
            figures.append([metric, place, year, float(r["value"]), change])
            continue
        parts = [] if _missing(r["value_label"]) else [str(r["value_label"])]
        if change is not None:
            parts.append(f"change {_signed(change[0])} {_unit(change[1])}")
        words.append([metric, place, year, " ".join(parts)])
    used = sorted({str(f[0]) for f in figures} | {str(w[0]) for w in words})
    return {
        "metrics": {m: described[m] for m in used if m in described},
        "figures": sorted(figures, key=lambda f: (f[0], f[1], f[2])),
        "words": sorted(words, key=lambda w: (w[0], w[1], w[2])),
    }


def _missing(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or str(value)
        in (
            "<NA>",
            "nan",
        )
    )


def _signed(number: float) -> str:
    return f"{number:+g}"


UNITS = {
    "day": "days",
    "percent": "%",
    "percentage_point": "percentage points",
    "ug_m3": "µg/m³",
    "count": "",
    "grade": "",
}


def _unit(unit: str) -> str:
    return UNITS.get(unit, unit.replace("_", " "))


def draw_indicators(inputs: Inputs) -> Figure:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    metrics, figures, words = inputs["metrics"], inputs["figures"], inputs["words"]
    panels = sorted({f[0] for f in figures})
    columns = min(max(len(panels), 1), 3)
    rows = max(math.ceil(len(panels) / columns), 1)
    text_height = 0.22 * len(words) + (0.6 if words else 0)
    fig = plt.figure(figsize=(10, 2.7 * rows + text_height + 0.8))
    height = 2.7 * rows + text_height + 0.8
    places = sorted({f[1] for f in figures})
    colors = {p: plt.get_cmap("tab10")(i % 10) for i, p in enumerate(places)}
    for index, metric in enumerate(panels):
        label_en, label_zh, unit, minimum, maximum = metrics[metric]
        row, column = divmod(index, columns)
        left = 0.07 + column * (0.93 / columns)
        bottom = 1 - (0.8 + 2.7 * (row + 1)) / height + 0.55 / height
        ax = fig.add_axes((left, bottom, 0.93 / columns - 0.09, 1.75 / height))
        own = [f for f in figures if f[0] == metric]
        years = sorted({f[2] for f in own})
        for place in places:
            mine = sorted((f[2], f[3], f[4]) for f in own if f[1] == place)
            if not mine:
                continue
            ax.plot(
                [m[0] for m in mine],
                [m[1] for m in mine],
                marker="o",
                color=colors[place],
                linewidth=1.5,
                markersize=6,
                label=place,
            )
            for year, value, change in mine:
                text = f"{value:g} {_unit(unit)}".strip()
                if change:
                    text += f"\n({_signed(change[0])} {_unit(change[1])} on the year before)"
                ax.annotate(
                    text,
                    (year, value),
                    xytext=(7, -3),
                    textcoords="offset points",
                    fontsize=7.5,
                    va="top",
                )
        low = 0.0 if minimum is None else minimum
        high = maximum if maximum is not None else max(f[3] for f in own) * 1.3
        ax.set_ylim(low, high)
        ax.set_xlim(min(years) - 0.6, max(years) + 1.4)
        ax.set_xticks(years, [str(y) for y in years])
        ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
        english = "\n".join(textwrap.wrap(label_en, 40)[:2])
        ax.set_title(f"{english}\n{label_zh}", fontsize=8.5, loc="left")
    if places and panels:
        fig.legend(
            handles=[Line2D([], [], marker="o", color=colors[p], label=p) for p in places],
            loc="upper right",
            fontsize=8,
            frameon=False,
            title="Place",
        )
    fig.text(
        0.02,
        1 - 0.35 / height,
        f"Figures the regions report: {len(figures)} numbers, one panel per metric "
        "(axes from the metric's plausible range)",
        fontsize=10,
    )
    if words:
        top = text_height / height
        fig.text(
            0.02,
            top - 0.05 / height,
            "Reported in words or as a change only:",
            fontsize=9,
            weight="bold",
        )
        for i, (metric, place, year, text) in enumerate(words, start=1):
            label_en, label_zh = metrics[metric][0], metrics[metric][1]
            fig.text(
                0.03,
                top - (0.05 + 0.22 * i) / height,
                f"{place} {year}  {label_en}: {text}  {label_zh}",
                fontsize=8,
            )
    return fig


# -- rendering and staleness ----------------------------------------------------------------------


def charts(package_dir: Path) -> list[Chart]:
    return [
        Chart(TIMELINE, timeline_inputs(package_dir), draw_timeline),
        Chart(NETWORK, network_inputs(package_dir), draw_network),
        Chart(INDICATORS, indicators_inputs(package_dir), draw_indicators),
    ]


def render(chart: Chart) -> bytes:
    """The chart as deterministic SVG bytes carrying its fingerprint."""
    require("matplotlib", "publish")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font")
        fig = chart.draw(chart.inputs)
        buffer = io.BytesIO()
        description = f"gongbao-chart data=sha256:{fingerprint(chart.inputs)} {_drawn_by()}"
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
    return with_font_stack(buffer.getvalue())


def with_font_stack(svg: bytes) -> bytes:
    """Let the reader's browser fall back to a CJK font for Chinese text (see above)."""
    return svg.replace(f"'{FONT}'".encode(), FONT_STACK.encode()).replace(
        f"font-family: {FONT}".encode(), f"font-family: {FONT_STACK}".encode()
    )


def _drawn_by() -> str:
    """The library versions an SVG's bytes depend on."""
    import matplotlib
    import numpy

    return f"matplotlib={matplotlib.__version__} numpy={numpy.__version__}"


def chart_is_current(existing: bytes, chart: Chart, fresh: bytes) -> bool:
    """True when the committed SVG shows what would be drawn now (see the module docstring)."""
    if existing == fresh:
        return True
    found = _FINGERPRINT.search(existing.decode("utf-8", "replace"))
    if not found or found.group(1) != fingerprint(chart.inputs):
        return False
    return found.group(2) != _drawn_by()  # same versions: the bytes had to match
