"""Shared fixtures: a scratch copy of the real package, the source archive, and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from csvedit import edit_text as edit_csv  # noqa: F401  (re-exported for tests)
from csvedit import line_of  # noqa: F401

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
    proc = subprocess.run(
        [sys.executable, "-m", "gongbao.cli", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def gongbao():
    return run_gongbao


def run_validate(*args: str | Path) -> Result:
    """`gongbao validate ARGS` in-process (fast: the engines are imported once per session)."""
    import contextlib
    import io

    from gongbao.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["validate", *map(str, args)])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def validate(monkeypatch):
    monkeypatch.delenv("GONGBAO_ARCHIVE", raising=False)
    return run_validate


def assert_reported(result: Result, path: str, line: int | None, field: str, rule: str) -> str:
    """The run failed (exit 1) and reported rule at path:line: field. Returns that output line."""
    where = f"{path}:{line}" if line is not None else path
    prefix = f"{where}: {field}: {rule}: "
    matches = [row for row in result.out.splitlines() if row.startswith(prefix)]
    assert result.code == 1, f"expected exit 1, got {result.code}\n{result.out}{result.err}"
    assert matches, f"no line starting {prefix!r} in:\n{result.out}"
    return matches[0]
