"""The ``gongbao`` command: validate | fmt | new | docs | release.

A thin layer over the library. The PATH argument, the exit codes (:class:`gongbao.errors.Exit`:
0 valid, 1 invalid, 2 usage) and the handling of usage errors are defined here, once, for
every command.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .arguments import ArgumentParser, Commands, add_path
from .errors import Exit, UsageError
from .problems.report import printable


def _path_option(option: str, value: str) -> Path:
    """A directory given on the command line (a NUL byte cannot be part of a path)."""
    if "\x00" in value:
        raise UsageError(f"{option} {value!r}: a path cannot contain a NUL byte")
    return Path(value)


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
    data_docs = _path_option("--data-docs", args.data_docs) if args.data_docs else None
    report = validate(
        Path(args.path),
        archive=archive_path,
        expectations=args.expectations,
        data_docs=data_docs,
        require_archive=args.require_archive,
        gbt2260=Path(args.gbt2260) if args.gbt2260 else None,
    )
    sys.stdout.write(RENDERERS[args.format](report))
    if args.timings:
        for step, seconds in report.timings.items():
            sys.stderr.write(f"timing: {step}: {seconds:.3f} s\n")
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
        help="every quote must be checked against a capture: exit 2 when no archive is given, "
        "and a web-only source's quotes are errors, not warnings",
    )
    check.add_argument(
        "--gbt2260",
        metavar="FILE",
        help="GB/T 2260 reference to check jurisdictions against (a gbt2260.csv; default: "
        "the one shipped with gongbao, lists 1980-12 … 2026-09)",
    )
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument(
        "--expectations",
        action="store_true",
        help="also run the Great Expectations suites (slower)",
    )
    check.add_argument(
        "--timings",
        action="store_true",
        help="print the wall time of each step to stderr (where a slow run spends its time)",
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


# -- sources ------------------------------------------------------------------------------------


def _sources_check(args: argparse.Namespace) -> Exit:
    from .sources.check import sources_of

    path, rows = sources_of(Path(args.path))
    if args.source:
        unknown = sorted(set(args.source) - {r.source_id for r in rows})
        if unknown:
            raise UsageError(f"no source with id {', '.join(unknown)}")
        rows = [r for r in rows if r.source_id in set(args.source)]
    if not args.online:  # what is known offline: each source's tier and its quotes
        for row in rows:
            where = row.archive if row.archive is not None else (row.url or "no url")
            print(
                f"{path}:{row.line}: {row.source_id}: {row.tier}: {len(row.quotes)} quotes; {where}"
            )
        print("(add --online to fetch every source with a url and look for its quotes)")
        return Exit.OK
    from .errors import require

    require("httpx", "sources")
    require("trafilatura", "sources")
    from .sources.check import check_online, lines_of

    counts: dict[str, int] = {}
    failed = False
    for finding in check_online(rows):
        for line in lines_of(path, finding):
            print(line)
        counts[finding.status] = counts.get(finding.status, 0) + 1
        failed |= finding.failed
    tally = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"gongbao sources check: {len(rows)} sources: {tally or 'none'}")
    return Exit.INVALID if failed else Exit.OK


def _sources_capture(args: argparse.Namespace) -> Exit:
    from .errors import require

    require("httpx", "sources")
    require("trafilatura", "sources")
    from .sources.capture import capture

    archive = args.archive or os.environ.get("GONGBAO_ARCHIVE")
    if not archive:
        raise UsageError("give --archive DIR or set GONGBAO_ARCHIVE")
    made = capture(args.target, Path(archive))
    print(f"wrote {made.path}")
    print(f"archive: {made.path.name}")
    print(f"archive_sha256: {made.sha256}")
    return Exit.OK


def _add_sources(commands: Commands) -> None:
    sources = commands.add_parser(
        "sources", help="check sources on the web, or capture a page for the source archive"
    )
    actions = sources.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="list each source's provenance tier; with --online, fetch every source with a url "
        "and look for each of its quotes on the page",
    )
    add_path(check)
    check.add_argument(
        "--online",
        action="store_true",
        help="fetch the pages; without it, only list each source's tier and quote count",
    )
    check.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    check.set_defaults(run=_sources_check)
    grab = actions.add_parser(
        "capture", help="write a capture of a page (URL) or saved HTML file into the archive"
    )
    grab.add_argument("target", metavar="URL|FILE")
    grab.add_argument(
        "--archive", metavar="DIR", help="the source archive (default: $GONGBAO_ARCHIVE)"
    )
    grab.set_defaults(run=_sources_capture)


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

    return release(Path(args.path), _path_option("--out", args.out))


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


# -- new ------------------------------------------------------------------------------------


def _new(args: argparse.Namespace) -> Exit:
    from .authoring.new import run

    return run(args)


def _add_new(commands: Commands) -> None:
    """``gongbao new``, registered without importing the authoring tools (a validate run does
    not need them).

    The table's own options depend on the package's schemas, which are known only once
    TABLE and PATH are: everything after TABLE is parsed again by :func:`table_parser`.
    """
    new = commands.add_parser(
        "new",
        help="append a new row with a fresh id to a table, to fill in",
        description="Append a well-formed row to TABLE of the package at PATH (default: .), "
        "with a fresh readable id and the given cells; the other cells are left empty to fill. "
        "Run 'gongbao new TABLE --help' for the table's fields.",
        usage="gongbao new TABLE [PATH] [--FIELD VALUE ...] [--set FIELD=VALUE ...] "
        "[--id ID] [--dry-run]",
    )
    new.add_argument(
        "table",
        metavar="TABLE",
        help="table name, plural or singular: source, agreement, party, "
        "mechanism, target, indicator, organization, ...",
    )
    new.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        metavar="OPTIONS",
        help="PATH and the table's options ('gongbao new TABLE --help' lists them)",
    )
    new.set_defaults(run=_new)


# -- the tree ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = ArgumentParser(
        prog="gongbao",
        description="Validate, format, extend, document and release the gongbao data package.",
        epilog="Exit codes: 0 valid, 1 invalid, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"gongbao {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    adders: list[Callable[[Commands], None]] = [
        _add_validate,
        _add_fmt,
        _add_new,
        _add_sources,
        _add_docs,
        _add_release,
    ]
    for add in adders:
        add(commands)
    return parser


def usage_error(message: str, prog: str = "gongbao") -> Exit:
    sys.stderr.write(f"{prog}: error: {printable(message)}\n")
    return Exit.USAGE


def main(argv: list[str] | None = None) -> int:
    # The cyclic garbage collector runs every 700 new objects by default: importing pandas
    # and pandera and building frames set it off thousands of times for little garbage.
    # Collecting less often saves a tenth of a small run's time (the command is one process).
    gc.set_threshold(50_000, 20, 100)
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except UsageError as exc:
        return int(usage_error(str(exc)))


if __name__ == "__main__":
    sys.exit(main())
