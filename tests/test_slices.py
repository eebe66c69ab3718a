"""A table validated in slices reports exactly what the whole table reports.

The thresholds are lowered so that a few thousand generated indicator rows are read in
slices of a few hundred; the packages carry the planted bad rows of bench/generate.py, an
across-rows problem whose two rows lie in different slices, and (unsorted) keys that one
sorted pass cannot settle.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import REPO
from csvedit import find_row, set_cell

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

from gongbao import slices  # noqa: E402
from gongbao.rules.render import RENDERERS  # noqa: E402
from gongbao.validate import validate  # noqa: E402

ROWS = 3000


def _report(package: Path, archive: Path) -> tuple[str, dict[str, int], list[str]]:
    report = validate(package, archive=archive, today=None)
    return RENDERERS["text"](report), report.rows, list(report.timings)


@pytest.fixture
def small_slices(monkeypatch):
    """Slice any indicators file, a few hundred rows at a time."""

    def lowered() -> None:
        monkeypatch.setattr(slices, "LARGE_BYTES", 0)
        monkeypatch.setattr(slices, "SLICE_ROWS", 400)
        monkeypatch.setattr(slices, "BLOCK_BYTES", 16_384)

    return lowered


def _compare(package: Path, archive: Path, small_slices) -> str:
    whole, whole_rows, whole_steps = _report(package, archive)
    assert "indicators in slices" not in whole_steps
    small_slices()
    sliced, sliced_rows, sliced_steps = _report(package, archive)
    assert "indicators in slices" in sliced_steps
    assert "indicators whole" not in sliced_steps
    assert (sliced, sliced_rows) == (whole, whole_rows)
    return whole


def _excellent_above_good(package: Path) -> tuple[int, int]:
    """A place's 2019 good-air days lowered below its excellent days (119): rule
    excellent-le-good, across rows. The good row's quote is changed too, so its value stays
    in its quote (and only the quote is not in the source)."""
    path = package / "data" / "indicators.csv"
    _, row = find_row(path, year="2019", metric="good_air_days")
    good = row["indicator_id"]
    set_cell(path, "value", "100", indicator_id=good)
    good_line = set_cell(path, "evidence", "空气质量优良天数达到100天", indicator_id=good)
    excellent = good.replace("-good-air-days-", "-excellent-air-days-")
    excellent_line, _ = find_row(path, indicator_id=excellent)
    return excellent_line, good_line


@pytest.mark.parametrize("variant", ["plain", "unsorted"])
def test_slices_report_what_the_whole_table_reports(tmp_path, archive, small_slices, variant):
    package = tmp_path / variant
    planted = generate(package, ROWS, plant_errors=True, variant=variant)
    excellent_line, good_line = _excellent_above_good(package)
    assert abs(excellent_line - good_line) > 0
    out = _compare(package, archive, small_slices)
    reported = {line.split(": ")[0] for line in out.splitlines() if ": error:" not in line}
    lines = {int(x.split(":")[1]) for x in reported if x.startswith("data/indicators.csv:")}
    if variant == "plain":  # planted lines move when rows are shuffled
        assert set(planted) <= lines
    assert f"data/indicators.csv:{excellent_line}: value: excellent-le-good:" in out
    assert f"data/indicators.csv:{good_line}: evidence: quote-not-found:" in out


def test_slices_across_a_boundary_compare_rows_in_different_slices(tmp_path, archive, small_slices):
    """The excellent and the good row of one place and year in different slices."""
    package = tmp_path / "pkg"
    generate(package, ROWS)
    excellent_line, good_line = _excellent_above_good(package)
    small_slices()
    slices.SLICE_ROWS = min(excellent_line, good_line) - 2  # rows before the later one
    slices.BLOCK_BYTES = 4_096
    out, _, _ = _report(package, archive)
    assert f"data/indicators.csv:{excellent_line}: value: excellent-le-good:" in out


@pytest.mark.parametrize(
    "defect, rule",
    [
        (",one cell too many", "ragged-row"),  # pyarrow stops on it: before any slice
        ("\n", "blank-row"),  # pyarrow skips it: seen after the last slice, lines differ
    ],
)
def test_a_defect_only_the_reader_sees_drops_the_slices(
    tmp_path, archive, small_slices, defect, rule
):
    """A defect late in the file: whatever the slices found is dropped, the table is read
    whole, and the report is what the whole-table run gives (no problem twice)."""
    package = tmp_path / "pkg"
    generate(package, ROWS, plant_errors=True)
    path = package / "data" / "indicators.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[ROWS - 10] += defect
    path.write_text("\n".join(lines), encoding="utf-8")
    whole, _, _ = _report(package, archive)
    line = ROWS - 9 if rule == "ragged-row" else ROWS - 8
    assert f"data/indicators.csv:{line}: -: {rule}:" in whole
    small_slices()
    sliced, _, steps = _report(package, archive)
    assert "indicators whole" in steps
    assert sliced == whole
