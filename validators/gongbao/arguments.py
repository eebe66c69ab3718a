"""Command-line arguments that every ``gongbao`` command shares, defined once."""

from __future__ import annotations

import argparse
from typing import NoReturn, TypeAlias

# argparse's registry of subcommands, to which each command adds its parser.
Commands: TypeAlias = "argparse._SubParsersAction[ArgumentParser]"

PATH_HELP = "package directory, its datapackage.json, or a release zip (default: .)"


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, with its error line escaped: it quotes what was typed
    ("unrecognized arguments: ..."), which may hold terminal escapes."""

    def error(self, message: str) -> NoReturn:
        from .problems.report import printable

        super().error(printable(message))


def add_path(parser: argparse.ArgumentParser) -> None:
    """The PATH argument every command takes."""
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help=PATH_HELP)
