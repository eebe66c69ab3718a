"""The same errors are found at every size: the fast paths never change what is reported.

bench/generate.py plants the same bad rows (a type error, a foreign key, a percent out of
range, a number not in its quote, a full-width digit, a quote not in its source, a unit
outside the vocabulary, a duplicate id) at the same fractions of a small and a larger
generated package. Both reports must list the same rules, fields and messages, each on the
line where it was planted, and nothing else.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import PLANTS, generate  # noqa: E402

# LARGE is past the sizes where the engine switches strategy (sampled cardinality above 80k
# rows, two threads per column above 200k), so those paths are compared with the plain ones.
SMALL, LARGE = 1_000, 250_000


def _report(tmp_path: Path, rows: int, archive: Path) -> list[tuple[str, str, str, str]]:
    """(planted label, field, rule, message) for each problem, with lines made relative."""
    from conftest import run_validate

    package = tmp_path / f"n{rows}"
    planted = generate(package, rows, plant_errors=True)
    result = run_validate(package, "--archive", archive, "--format", "json")
    assert result.code == 1, result.out + result.err
    problems = json.loads(result.out)["problems"]
    found = []
    for problem in problems:
        if problem["rule"] == "quote-unchecked":  # the web-only sources, listed as warnings
            assert (problem["path"], problem["severity"]) == ("data/sources.csv", "warning")
            continue
        assert problem["path"] == "data/indicators.csv", problem
        assert problem["line"] in planted, f"unplanted problem at {rows} rows: {problem}"
        # "already appears on line N" names the line before the planted duplicate
        message = re.sub(
            r"on line (\d+)",
            lambda m: f"on line {planted[int(m[1]) + 1]}-1" if int(m[1]) + 1 in planted else m[0],
            problem["message"],
        )
        message = re.sub(r"^\(indicator_id\) = \([^)]*\)", "(indicator_id) = (ID)", message)
        found.append((planted[problem["line"]], problem["field"], problem["rule"], message))
    return sorted(found)


@pytest.mark.slow
def test_same_report_at_every_size(tmp_path, archive, monkeypatch):
    monkeypatch.delenv("GONGBAO_ARCHIVE", raising=False)
    small = _report(tmp_path, SMALL, archive)
    large = _report(tmp_path, LARGE, archive)
    assert small == large
    labels = [label for label, _, _, _ in small]
    assert sorted(labels) == sorted(label for label, *_ in PLANTS)  # each planted row, once
    for label, _field, rule, _message in small:
        assert rule == label  # each plant is reported by the rule it was planted for


def test_generated_package_is_valid(tmp_path, archive, monkeypatch):
    from conftest import run_validate

    monkeypatch.delenv("GONGBAO_ARCHIVE", raising=False)
    package = tmp_path / "clean"
    generate(package, 2_000)
    result = run_validate(package, "--archive", archive)
    assert result.code == 0, result.out
    lines = (package / "data" / "indicators.csv").read_bytes().split(b"\n")
    ids = [line.split(b",", 1)[0] for line in lines[1:-1]]
    assert len(ids) == 2_000 and ids == sorted(ids) and len(set(ids)) == len(ids)
