"""Shared fixtures: a scratch copy of the real package, the source archive, and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "schemas", "data")


def _archive_dir() -> Path | None:
    configured = os.environ.get("GONGBAO_ARCHIVE")
    candidate = Path(configured) if configured else REPO.parent / "shared" / "seeds"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def archive() -> Path:
    """The source archive; tests that need it are skipped, loudly, without it."""
    found = _archive_dir()
    if found is None:
        pytest.skip("source archive not found: set GONGBAO_ARCHIVE (CI sets ../shared/seeds)")
    return found


def copy_package(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        else:
            shutil.copy2(source, destination / part)
    return destination


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A scratch copy of the real data package, for a test to break."""
    return copy_package(tmp_path / "pkg")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_gongbao(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
    """Run the installed `gongbao` command as a user would, in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k != "GONGBAO_ARCHIVE"}
    full_env["GX_ANALYTICS_ENABLED"] = "false"
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "gongbao.cli", *map(str, args)], cwd=cwd,
                          env=full_env, capture_output=True, text=True, encoding="utf-8")
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def gongbao():
    return run_gongbao


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a CSV exactly once (the test fails if the text is not there)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8", newline="")


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
