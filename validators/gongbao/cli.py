"""The ``gongbao`` command: validate, fmt, new.

Exit codes mean something: 0 valid, 1 invalid (or, for ``fmt --check``, not canonical),
2 usage error (bad path, unreadable descriptor, unknown option).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from .engine import validate
    from .output import RENDERERS

    archive = args.archive or os.environ.get("GONGBAO_ARCHIVE") or None
    archive_path = Path(archive) if archive else None
    if archive_path is not None and not archive_path.is_dir():
        return _usage(f"archive directory not found: {archive_path}")
    if args.require_archive and archive_path is None:
        return _usage("--require-archive: give --archive DIR or set GONGBAO_ARCHIVE")
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
    return EXIT_OK if report.valid else EXIT_INVALID


def _fmt(args: argparse.Namespace) -> int:
    from .csvfmt import format_package

    changed = format_package(Path(args.path), check=args.check)
    verb = "would reformat" if args.check else "reformatted"
    for path in changed:
        print(f"{verb} {path}")
    if args.check and changed:
        print(f"{len(changed)} file(s) not in canonical form; run: gongbao fmt")
        return EXIT_INVALID
    print(f"{len(changed)} file(s) {verb}" if changed else "all files in canonical form")
    return EXIT_OK


def _usage(message: str) -> int:
    sys.stderr.write(f"gongbao: error: {message}\n")
    return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="gongbao",
        description="Validate, format and extend the gongbao data package.",
        epilog="Exit codes: 0 valid, 1 invalid, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"gongbao {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("validate", help="check a data package and report every problem")
    check.add_argument(
        "path", nargs="?", default=".", help="package directory or its datapackage.json"
    )
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

    fmt = commands.add_parser("fmt", help="rewrite CSVs in canonical form (layout only)")
    fmt.add_argument(
        "path", nargs="?", default=".", help="package directory or its datapackage.json"
    )
    fmt.add_argument("--check", action="store_true", help="only report files that would change")
    fmt.set_defaults(run=_fmt)

    from .scaffold import add_parser as add_scaffold_parser

    add_scaffold_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .descriptor import UsageError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        return _usage(str(exc))


if __name__ == "__main__":
    sys.exit(main())
