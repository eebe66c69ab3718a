"""Developer and CI sessions: thin wrappers over the ``gongbao`` command and pytest.

`nox -s validate` and `nox -s tests` are all a fresh machine needs: every session installs
the package (from this checkout, not editable, so the wheel's data layout is what is tested)
and its dependencies into its own virtual environment. `.ci/steps` lists what CI runs.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "validate", "tests"]
nox.options.error_on_external_run = True

ROOT = Path(__file__).parent
PYTHON = ["3.11"] if os.environ.get("CI") else None
LATEST_PYTHON = "3.13"

# Install compiled bytecode: uv skips it by default, and where PYTHONDONTWRITEBYTECODE is set
# (as on CI machines) every run would recompile pandas and pandera, several seconds each time.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")


def install(session: nox.Session, *extras: str) -> None:
    """Install this checkout with the given extras (dependencies come from pyproject.toml)."""
    target = f".[{','.join(extras)}]" if extras else "."
    session.install(target)


def floors() -> list[str]:
    """`name==floor` for the light install's dependencies, read from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        name, floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement).groups()
        pins.append(f"{name}=={floor}")
    return pins


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """Validate the data package: all rule families (GONGBAO_ARCHIVE sets the source archive).

    Extra arguments go to `gongbao validate`, e.g. `nox -s validate -- --data-docs`.
    """
    install(session, "expectations")
    if not os.environ.get("GONGBAO_ARCHIVE"):
        session.warn(
            "GONGBAO_ARCHIVE is not set: evidence quotes will NOT be checked against sources"
        )
    session.run(
        "gongbao",
        "validate",
        ".",
        "--expectations",
        *session.posargs,
        env={"GX_ANALYTICS_ENABLED": "false"},
    )
    # The reference engine on the same descriptor: Table Schema as frictionless reads it.
    session.run("frictionless", "validate", "datapackage.json")


def _pytest(session: nox.Session, *args: str) -> None:
    session.run("pytest", *args, *session.posargs, env={"GX_ANALYTICS_ENABLED": "false"})


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite, with coverage (pytest arguments may follow `--`).

    Slow tests (wheel builds, fresh environments, large packages) run in `nox -s slow`. The
    suite runs on every core (pytest-xdist): coverage's tracer doubles its time on one.
    """
    install(session, "test")
    _pytest(
        session, "-n", "auto", "--dist", "loadgroup", "-m", "not slow", "--cov", "--cov-report=term"
    )


@nox.session(python=PYTHON)
def slow(session: nox.Session) -> None:
    """The slow tests: the wheel in fresh environments, scale parity on large packages, the
    benchmark's ports against each other (polars and duckdb come with the bench extra)."""
    install(session, "test", "bench")
    _pytest(session, "-m", "slow")


@nox.session(python="3.11", name="tests-lowest")
def tests_lowest(session: nox.Session) -> None:
    """The tests on the lowest supported Python and the floors of pandas, pyarrow and numpy."""
    install(session, "test")
    session.install(*floors())
    session.run(
        "python",
        "-c",
        "import numpy, pandas, pyarrow; print(numpy.__version__, "
        "pandas.__version__, pyarrow.__version__)",
    )
    _pytest(session, "-n", "auto", "--dist", "loadgroup", "-m", "not slow")


@nox.session(python=LATEST_PYTHON, name="tests-latest")
def tests_latest(session: nox.Session) -> None:
    """The tests on the newest Python here and the newest releases of every dependency."""
    session.install("--upgrade", ".[test]")
    _pytest(session, "-n", "auto", "--dist", "loadgroup", "-m", "not slow")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff and strict mypy: the same checks pre-commit runs, over the same files."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session(python=PYTHON)
def fmt(session: nox.Session) -> None:
    """Rewrite the CSVs in canonical form; `nox -s fmt -- --check` only reports."""
    install(session)
    session.run("gongbao", "fmt", ".", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Regenerate the README data dictionary and rule table, CONTRIBUTING's rule families and
    the charts; `-- --check` fails when anything is stale."""
    install(session, "publish", "expectations")
    session.run("gongbao", "docs", ".", *session.posargs, env={"GX_ANALYTICS_ENABLED": "false"})


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Write wheel, sdist and the release files (zip, SQLite, xlsx, Excel CSVs) to dist/.

    GONGBAO_PREVIOUS_RELEASE=path/to/the/previous/gongbao-X.Y.Z.zip fills the database's
    table of what changed since; SOURCE_DATE_EPOCH stamps every file (reproducible bytes).
    """
    install(session, "publish")
    session.install("build")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("gongbao", "release", ".", "--out", "dist")


@nox.session(python=PYTHON)
def serve(session: nox.Session) -> None:
    """Build the release into build/serve/ and browse it in Datasette (http://127.0.0.1:8001).

    Arguments go to `datasette serve`, e.g. `nox -s serve -- --port 8080 --open`.
    """
    install(session, "publish", "serve")
    session.run("gongbao", "release", ".", "--out", "build/serve")
    session.run(
        "datasette",
        "serve",
        "build/serve/gongbao.sqlite",
        "--metadata",
        "build/serve/datasette.json",
        *session.posargs,
    )


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """The journalist's path in headless Chromium (tests/test_browser.py); screenshots go to
    build/screenshots/. Needs Debian's chromium (or GONGBAO_CHROMIUM); skips, saying why,
    without it."""
    install(session, "test", "browser")
    _pytest(session, "tests/test_browser.py", "-p", "no:cacheprovider")


@nox.session(name="release-check", venv_backend="none")
def release_check(session: nox.Session) -> None:
    """Check that the tag (`-- v0.2.0`, else $GITHUB_REF_NAME), datapackage.json's version,
    the CHANGELOG entry and CITATION.cff agree. Installs nothing."""
    session.run(sys.executable, "validators/gongbao/publish/release_check.py", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time `gongbao validate` side by side with the pyarrow read floor, pyarrow, polars and
    duckdb ports of the same rules, and frictionless: 100k, 1M and 10M rows, distinct quotes,
    unsorted rows, `gongbao.load`; the whole set twice (`-- --repeat N`).

    Writes docs/benchmarks.md; exits 1 when a target is missed. `nox -s bench -- --defects 1G`
    measures instead the peak memory of validate and fmt --check on a 1 GB table, clean and
    with one defect each (a CRLF on line 1, NULs appended), and rewrites that section.
    """
    install(session, "bench")
    session.run("python", "bench/run.py", *session.posargs, env={"GX_ANALYTICS_ENABLED": "false"})
