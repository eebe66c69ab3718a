"""What a command can end with: the exit codes, and the errors that are the user's to fix."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """Exit codes of every ``gongbao`` command."""

    OK = 0  # valid, canonical, up to date, done
    INVALID = 1  # the package has problems (or, for --check, is not canonical / fresh)
    USAGE = 2  # the command was pointed at something it cannot work on


class UsageError(Exception):
    """The command was pointed at something that is not a usable data package, or was given
    arguments that do not fit (exit code 2, one line on stderr, no traceback)."""

    def __str__(self) -> str:
        """The message with control and bidi characters escaped: it quotes paths and values
        the user or the package gave, and is printed to a terminal."""
        from .problems.report import printable

        return printable(super().__str__())


class EngineMissing(UsageError):
    """A command needs an optional dependency that is not installed."""

    def __init__(self, module: str, extra: str) -> None:
        self.module, self.extra = module, extra
        super().__init__(
            f"this needs {module}, which is not installed: pip install 'gongbao[{extra}]'"
        )


def require(module: str, extra: str) -> None:
    """Raise EngineMissing, naming the extra to install, when module (an optional engine) is
    not installed. Found, not imported: importing pandera alone takes half a second, which
    validate spends on another thread while it reads the files."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise EngineMissing(module, extra)
