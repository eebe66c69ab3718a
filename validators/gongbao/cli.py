"""The ``gongbao`` command: validate | fmt | new | docs | release.

A thin layer over the library. The PATH argument, the exit codes (:class:`gongbao.errors.Exit`:
0 valid, 1 invalid, 2 usage) and the handling of usage errors are defined here, once, for
every command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .arguments import Commands, add_path
from .errors import Exit, UsageError

# -- validate ---------------------------------------------------------------------------------


def _validate(args: argparse.Namespace) -> Exit:
    from .rules.render import RENDERERS
    from .validate import validate

    archive = args.archive or os.environ.get("GONGBAO_ARCHIVE") or None
    archive_path = Path(archive) if archive else None
    if archive_path is not None and not archive_path.is_dir():
        raise UsageError(f"archive directory not found: {archive_path}")
    if args.require_archive and archive_path is None:
        raise UsageError("--require-archive: give --archive DIR or set GONGBAO_ARCHIVE")
    data_docs = Path(args.data_docs) if args.data_docs else None
    report = validate(
        Path(args.path), archive=archive_path, expectations=args.expectations, data_docs=data_docs
    )
    sys.stdout.write(RENDERERS[args.format](report))
    if archive_path is None and args.format != "json":
        sys.stderr.write(
            "WARNING: provenance NOT checked: evidence quotes were not compared with "
            "the sources (pass --archive DIR or set GONGBAO_ARCHIVE)\n"
        )
    return Exit.OK if report.valid else Exit.INVALID


def _add_validate(commands: Commands) -> None:
    check = commands.add_parser("validate", help="check a data package and report every problem")
    add_path(check)
    check.add_argument(
        "--archive",
        metavar="DIR",
        help="source archive for quote checks (default: $GONGBAO_ARCHIVE)",
    )
    check.add_argument(
        "--require-archive",
        action="store_true",
        help="fail (exit 2) instead of skipping quote checks when no archive is given",
    )
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument(
        "--expectations",
        action="store_true",
        help="also run the Great Expectations suites (slower)",
    )
    check.add_argument(
        "--data-docs",
        nargs="?",
        const="build/data-docs",
        metavar="DIR",
        help="run the suites and write Data Docs HTML (default build/data-docs)",
    )
    check.set_defaults(run=_validate)


# -- fmt ----------------------------------------------------------------------------------------


def _fmt(args: argparse.Namespace) -> Exit:
    from .authoring.fmt import format_package

    return format_package(Path(args.path), check=args.check)


def _add_fmt(commands: Commands) -> None:
    fmt = commands.add_parser("fmt", help="rewrite the CSVs in canonical form (layout only)")
    add_path(fmt)
    fmt.add_argument("--check", action="store_true", help="only report files that would change")
    fmt.set_defaults(run=_fmt)


# -- docs and release ---------------------------------------------------------------------------


def _docs(args: argparse.Namespace) -> Exit:
    from .docgen import run

    return run(Path(args.path), check=args.check)


def _add_docs(commands: Commands) -> None:
    docs = commands.add_parser(
        "docs", help="regenerate the README's data dictionary and rule table, and the charts"
    )
    add_path(docs)
    docs.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when anything is stale"
    )
    docs.set_defaults(run=_docs)


def _release(args: argparse.Namespace) -> Exit:
    from .publish import release

    return release(Path(args.path), Path(args.out))


def _add_release(commands: Commands) -> None:
    release = commands.add_parser(
        "release",
        help="validate, then write the release files (zip, SQLite, xlsx, Excel CSVs)",
    )
    add_path(release)
    release.add_argument(
        "--out",
        default="dist",
        metavar="DIR",
        help="directory for the release files (default: dist)",
    )
    release.set_defaults(run=_release)


# -- the tree ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .authoring.new import add_parser as add_new

    parser = argparse.ArgumentParser(
        prog="gongbao",
        description="Validate, format, extend, document and release the gongbao data package.",
        epilog="Exit codes: 0 valid, 1 invalid, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"gongbao {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    adders: list[Callable[[Commands], None]] = [
        _add_validate,
        _add_fmt,
        add_new,
        _add_docs,
        _add_release,
    ]
    for add in adders:
        add(commands)
    return parser


def usage_error(message: str, prog: str = "gongbao") -> Exit:
    sys.stderr.write(f"{prog}: error: {message}\n")
    return Exit.USAGE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        return int(usage_error(str(exc)))


if __name__ == "__main__":
    sys.exit(main())
