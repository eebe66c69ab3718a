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

    @property
    def problems(self) -> list[str]:
        """The report's problem lines (text format), without the summary."""
        lines = self.out.splitlines()
        end = next(
            (i for i, line in enumerate(lines) if line.startswith("gongbao validate:")), None
        )
        return lines[:end]

    @property
    def errors(self) -> list[str]:
        """The problem lines that are errors (warnings say 'rule: warning:')."""
        return [line for line in self.problems if ": warning: " not in line]


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
    """`gongbao ARGS` in-process, as a user would run it (fast: engines are imported once).

    GONGBAO_ARCHIVE is unset unless env sets it; cwd is the working directory for the call.
    """
    import contextlib
    import io

    from gongbao.cli import main

    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    os.environ.pop("GONGBAO_ARCHIVE", None)
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: --help, usage errors
                code = int(exc.code or 0)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Result:
    """`gongbao ARGS` in a subprocess: for the one smoke test per command."""
    full_env = {k: v for k, v in os.environ.items() if k != "GONGBAO_ARCHIVE"}
    full_env["GX_ANALYTICS_ENABLED"] = "false"
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "gongbao", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def gongbao():
    """Run the `gongbao` command in-process: gongbao("validate", path) -> Result."""
    return run_cli


def run_validate(*args: str | Path) -> Result:
    return run_cli("validate", *args)


@pytest.fixture
def validate():
    """`gongbao validate ARGS` in-process."""
    return run_validate


def assert_reported(result: Result, path: str, line: int | None, field: str, rule: str) -> str:
    """The run failed (exit 1) and its only error is rule at path:line: field.

    Returns that output line. Warnings (such as provenance-skipped without an archive) are
    not errors; a test that expects several errors compares result.errors itself.
    """
    where = f"{path}:{line}" if line is not None else path
    prefix = f"{where}: {field}: {rule}: "
    assert result.code == 1, f"expected exit 1, got {result.code}\n{result.out}{result.err}"
    assert len(result.errors) == 1 and result.errors[0].startswith(prefix), (
        f"expected exactly one error starting {prefix!r}, got:\n" + "\n".join(result.errors)
    )
    return result.errors[0]


_EXAMPLES: dict[str, object] = {}


def example_outcome(rule_id: str, repo: Path):
    """The outcome of a rule's catalogue example on the repository, run once per test process
    (test_catalogue and test_docs share it; both are in the xdist group "examples", so one
    worker runs them)."""
    from gongbao.examples import baseline_warnings, run_example
    from gongbao.problems.catalogue import RULES

    if "" not in _EXAMPLES:  # the package's own warnings, once
        _EXAMPLES[""] = baseline_warnings(repo)
    if rule_id not in _EXAMPLES:
        _EXAMPLES[rule_id] = run_example(RULES[rule_id], repo, _EXAMPLES[""])  # type: ignore[arg-type]
    return _EXAMPLES[rule_id]
