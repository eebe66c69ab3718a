"""The engine ports in bench/ports count the same problems, and the right ones.

The ports are the baselines `nox -s bench` times `gongbao validate` against: the same rule set
in pyarrow, polars and duckdb. A port that counted differently would time different work, so
each runs here on a planted package (bench/generate.py) and on cells built to trip the rules
the planted rows leave at zero, and must print exactly the expected counts.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

pytestmark = pytest.mark.slow

sys.path.insert(0, str(REPO / "bench" / "ports"))
from spec import RULES  # noqa: E402  (the ports' own list of rule keys)

PORTS = REPO / "bench" / "ports"
ENGINES = ("arrow", "polars", "duckdb")
PLANTED_ROWS = 10_000
# One count per planted row, plus what a planted row really breaks besides:
# - number-in-quote 2: 317 (planted), and 197.6 (the percent-range row: its quote says 97.6);
# - metric-unit 1: the "days" row (enum) is also not its metric's unit, day;
# - id-year 1: at 10,000 rows the duplicate id (the row before's) is that of the last row
#   of another year, so its -YYYY- differs from the row's own year.
# Not counted twice: the "316天" value and the "２０19" year are type errors, so null, and the
# rules on the value (number-in-quote) and on the year (minimum, id-year) do not judge them.
PLANTED = dict.fromkeys(RULES, 0) | {
    "type": 2,
    "foreign-key": 1,
    "percent-range": 1,
    "number-in-quote": 2,
    "quote-in-source": 1,
    "enum": 1,
    "primary-key": 1,
    "metric-unit": 1,
    "id-year": 1,
}
# Cells on a copy of a valid row (Chongqing's good-air-days: 316 day, quote
# 空气质量优良天数达到316天 from an archived source, id z<n>-2019-...): each changes one
# thing and trips what it says.
HOSTILE: list[tuple[dict[str, str], dict[str, int]]] = [
    ({"scope_zh": "重庆\u3000"}, {"hygiene": 1}),  # trailing ideographic space
    ({"note": "a\x07b"}, {"hygiene": 1}),  # BEL
    ({"note": "a\u0085b"}, {"hygiene": 1}),  # NEL, a C1 control
    ({"note": "a\tb"}, {}),  # a tab inside a cell is fine
    ({"evidence": " 空气质量优良天数达到316天\n"}, {"hygiene": 1}),  # quote folds: found
    ({"evidence": "空气质量优良  天数达到316天"}, {"quote-in-source": 1}),  # a space too many
    ({"evidence": "空气质量优良天数[…]316天"}, {}),  # segments, in order
    ({"evidence": "316天[…]空气质量优良天数"}, {"quote-in-source": 1}),  # out of order
    ({"jurisdiction_code": "5000001"}, {"pattern": 1, "foreign-key": 1}),
    ({"indicator_id": "z" * 81}, {"maxLength": 1}),  # no -YYYY-: id-year not judged
    ({"year": "1969"}, {"minimum": 1, "id-year": 1}),
    ({"year": "+2019"}, {}),  # a year, with a sign
    ({"year": "2019\n"}, {"type": 1}),
    ({"unit": ""}, {"required": 1}),  # and the unit rules do not judge it
    ({"value": "367"}, {"day-range": 1, "number-in-quote": 1}),
    ({"value": "+316.0"}, {}),  # the number 316: in the quote
    ({"value": "3.16e2"}, {}),  # so is this
    ({"value": "1,316"}, {"type": 1}),
    ({"change": "23", "change_unit": "days"}, {"enum": 1}),
    ({"metric": "no_such_metric"}, {"foreign-key": 1}),  # metric-unit: not judged
    ({"source_id": "no-such-source"}, {"foreign-key": 1}),  # no capture: quote not judged
]


def run_port(engine: str, package: Path, archive: Path) -> dict[str, object]:
    """One port in a fresh process; its JSON line."""
    script = PORTS / f"port_{engine}.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(package), str(archive)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def needs(engine: str) -> None:
    if engine != "arrow":  # pyarrow is a dependency of gongbao; the others are not
        pytest.importorskip(engine)


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ports") / "planted"
    assert len(generate(out, PLANTED_ROWS, plant_errors=True)) == 8
    return out


@pytest.fixture(scope="module")
def counted(planted, archive):
    """run_port on the planted package, once per engine."""
    done: dict[str, dict[str, object]] = {}

    def count(engine: str) -> dict[str, object]:
        if engine not in done:
            done[engine] = run_port(engine, planted, archive)
        return done[engine]

    return count


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A clean generated package with the HOSTILE rows appended."""
    out = tmp_path_factory.mktemp("ports") / "hostile"
    generate(out, 1_000)
    path = out / "data" / "indicators.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    base = next(r for r in rows if r["metric"] == "good_air_days" and r["value"] == "316")
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(base), lineterminator="\n")
        for n, (cells, _) in enumerate(HOSTILE):
            row = base | {"indicator_id": f"z{n}-2019-good-air-days", "year": "2019"}
            writer.writerow(row | cells)
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_port_counts_the_planted_problems(engine, counted):
    needs(engine)
    expected = {"engine": engine, "rows": PLANTED_ROWS, "problems": PLANTED}
    assert counted(engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_port_counts_the_hostile_cells(engine, hostile, archive):
    needs(engine)
    problems = dict.fromkeys(RULES, 0)
    for _, trips in HOSTILE:
        for rule, n in trips.items():
            problems[rule] += n
    expected = {"engine": engine, "rows": 1_000 + len(HOSTILE), "problems": problems}
    assert run_port(engine, hostile, archive) == expected


def test_ports_agree(counted):
    """The three print the same counts on the planted package: one baseline, three engines."""
    for engine in ENGINES:
        needs(engine)
    counts = [counted(engine)["problems"] for engine in ENGINES]
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize("engine", [*ENGINES, "floor"])
def test_usage_error_exits_2(engine):
    if engine != "floor":
        needs(engine)
    script = PORTS / ("floor.py" if engine == "floor" else f"port_{engine}.py")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2 and proc.stdout == ""
