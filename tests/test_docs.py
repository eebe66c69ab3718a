"""The README data dictionary and the charts are generated, and CI notices when they are stale."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gongbao import docs
from gongbao.loaders import TableData

README = """# gongbao

Intro text that docs must leave alone.

## Data dictionary

{start}
(stale text)
{end}

![timeline](docs/img/agreements-timeline.svg)
![network](docs/img/cooperation-network.svg)
"""


def run_docs(*args: str | Path) -> subprocess.CompletedProcess:
    """The command as CI runs it, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "gongbao.docs", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


@dataclass
class Outcome:
    returncode: int
    stderr: str  # the messages, as the command prints them


def docs_in_process(package: Path, *flags: str) -> Outcome:
    """The same run without a new interpreter (matplotlib's import alone takes a second)."""
    code, messages = docs.run(package, check="--check" in flags)
    return Outcome(code, "\n".join(messages))


@pytest.fixture
def documented(package: Path) -> Path:
    """A scratch package with a README holding the markers, and its docs generated."""
    (package / "README.md").write_text(
        README.format(start=docs.START, end=docs.END), encoding="utf-8"
    )
    result = docs_in_process(package)
    assert result.returncode == 0, result.stderr
    return package


def test_check_passes_on_the_repo(repo: Path) -> None:
    result = run_docs(repo, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_repo_readme_references_the_charts(repo: Path) -> None:
    text = (repo / "README.md").read_text(encoding="utf-8")
    assert docs.TIMELINE in text and docs.NETWORK in text


def test_generate_then_check(documented: Path) -> None:
    text = (documented / "README.md").read_text(encoding="utf-8")
    assert "(stale text)" not in text
    assert text.startswith("# gongbao\n\nIntro text that docs must leave alone.")
    assert text.rstrip().endswith("![network](docs/img/cooperation-network.svg)")
    data = TableData(documented)
    for name in data.table_names():
        assert f"### `{name}`" in text
        for field in data.fields(name):
            assert f"| `{field['name']}` |" in text
    assert "`Ⅰ` < `Ⅱ` < `Ⅲ` < `Ⅳ` < `Ⅴ` < `劣Ⅴ`" in text  # ordered vocabulary
    assert "`agreement_id` → `agreements.agreement_id`" in text
    for chart in (docs.TIMELINE, docs.NETWORK):
        svg = (documented / chart).read_bytes()
        assert svg.startswith(b"<?xml") and b"<svg" in svg
        assert b"gongbao-chart data=sha256:" in svg
    result = run_docs(documented, "--check")  # the command itself, as CI runs it
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_changing_a_schema_description_makes_check_fail(documented: Path) -> None:
    path = documented / "schemas" / "jurisdictions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = "Official Chinese name, reworded."
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    result = docs_in_process(documented, "--check")
    assert result.returncode == 1
    assert "README.md: the data dictionary is out of date" in result.stderr
    assert docs_in_process(documented).returncode == 0
    assert "Official Chinese name, reworded." in (documented / "README.md").read_text(
        encoding="utf-8"
    )
    assert docs_in_process(documented, "--check").returncode == 0


def test_changing_the_data_makes_a_chart_stale(documented: Path) -> None:
    path = documented / "data" / "parties.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([lines[0], *lines[2:]]), encoding="utf-8", newline="")
    result = docs_in_process(documented, "--check")
    assert result.returncode == 1
    assert f"{docs.NETWORK}: out of date with the data" in result.stderr
    assert docs.TIMELINE not in result.stderr


def test_a_missing_chart_fails_check(documented: Path) -> None:
    (documented / docs.TIMELINE).unlink()
    result = docs_in_process(documented, "--check")
    assert result.returncode == 1
    assert f"{docs.TIMELINE}: missing" in result.stderr


def test_missing_markers_fail_check(documented: Path) -> None:
    (documented / "README.md").write_text("# gongbao\n\nno markers here\n", encoding="utf-8")
    result = docs_in_process(documented, "--check")
    assert result.returncode == 1
    assert "no <!-- data-dictionary:start -->" in result.stderr
    assert docs_in_process(documented).returncode == 1  # nowhere to write the dictionary either


def test_charts_are_deterministic(documented: Path) -> None:
    data = TableData(documented)
    for chart in docs.charts(data):
        assert docs.render(chart) == docs.render(chart)
        assert docs.render(chart) == (documented / chart.path).read_bytes()


def test_a_chart_from_another_matplotlib_counts_by_its_data(documented: Path) -> None:
    """Another matplotlib draws other bytes: then only the data fingerprint must match."""
    chart = docs.charts(TableData(documented))[0]
    fresh = docs.render(chart)
    import matplotlib

    other = fresh.replace(f"matplotlib={matplotlib.__version__}".encode(), b"matplotlib=0.0.1")
    assert docs.chart_is_current(other + b"<!-- other bytes -->", chart, fresh)
    same_version_other_bytes = fresh + b"<!-- other bytes -->"
    assert not docs.chart_is_current(same_version_other_bytes, chart, fresh)


def test_not_a_package_is_a_usage_error(tmp_path: Path) -> None:
    assert run_docs(tmp_path, "--check").returncode == 2


def test_docs_leave_the_checkout_alone(repo: Path, tmp_path: Path) -> None:
    """--check writes nothing."""
    before = {p: p.read_bytes() for p in (repo / "docs").rglob("*") if p.is_file()}
    readme = (repo / "README.md").read_bytes() if (repo / "README.md").is_file() else None
    run_docs(repo, "--check")
    assert {p: p.read_bytes() for p in (repo / "docs").rglob("*") if p.is_file()} == before
    assert ((repo / "README.md").read_bytes() if (repo / "README.md").is_file() else None) == readme
