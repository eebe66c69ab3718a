"""Developer and CI sessions: thin wrappers over the ``gongbao`` command and pytest.

`pip install nox && nox -s validate` is all a fresh machine needs: every session installs
the package (from this checkout, not editable, so the wheel's data layout is what is tested)
and its dependencies into its own virtual environment.
"""

from __future__ import annotations

import os

import nox

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "validate", "tests"]
nox.options.error_on_external_run = True

PYTHON = ["3.11"] if os.environ.get("CI") else None

# Install compiled bytecode: uv skips it by default, and where PYTHONDONTWRITEBYTECODE is set
# (as on CI machines) every run would recompile pandas and pandera, several seconds each time.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")


def install(session: nox.Session, *extras: str) -> None:
    """Install this checkout with the given extras (dependencies come from pyproject.toml)."""
    target = f".[{','.join(extras)}]" if extras else "."
    session.install(target)


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


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest arguments may follow `--`)."""
    install(session, "test")
    session.run("pytest", *session.posargs, env={"GX_ANALYTICS_ENABLED": "false"})


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff on everything, mypy on the package."""
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
    """Regenerate the README data dictionary and the charts; `-- --check` fails when stale."""
    install(session, "publish")
    session.run("python", "-m", "gongbao.docs", ".", *session.posargs)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Write wheel, sdist and the release files (zip, SQLite, xlsx, Excel CSVs) to dist/."""
    install(session, "publish")
    session.install("build")
    session.run("python", "-m", "build", "--outdir", "dist")
    session.run("python", "-m", "gongbao.release", ".", "dist")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Time `gongbao validate` against `frictionless validate` at 10k, 100k and 1M rows.

    Writes docs/benchmarks.md; exits 1 when a target is missed.
    """
    install(session, "expectations")
    session.run("python", "bench/run.py", *session.posargs, env={"GX_ANALYTICS_ENABLED": "false"})
