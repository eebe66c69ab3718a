"""Command-line arguments that every ``gongbao`` command shares, defined once."""

from __future__ import annotations

import argparse
from typing import TypeAlias

# argparse's registry of subcommands, to which each command adds its parser.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

PATH_HELP = "package directory, its datapackage.json, or a release zip (default: .)"


def add_path(parser: argparse.ArgumentParser) -> None:
    """The PATH argument every command takes."""
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
