"""Problems, and the report that collects them during one validation run."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .catalogue import FAMILIES, RULES

Severity = Literal["error", "warning"]

VALUE_LIMIT = 60
"""Characters of a value a message shows at most (a cell may hold megabytes)."""
MESSAGE_LIMIT = 500
"""Characters of a message at most, whatever it quotes."""


def shown(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value as a message quotes it: Python's repr (quoted, control and invisible
    characters escaped), cut to about limit characters with an ellipsis.

    Every message that quotes a value from the package goes through here, so a 10 MB cell
    or a million-column header makes a short line.
    """
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal or a log viewer acts on instead of showing: C0 (ESC, CR, LF...),
DEL, C1, line and paragraph separators, bidirectional controls."""


def printable(text: str) -> str:
    """text with control and bidi characters written as escapes (\\x1b, \\u202e), so a
    line of output stays one line that shows what is stored: a value cannot clear the
    terminal, fake a result line or a CI annotation, or reorder what is displayed.
    Idempotent, so escaping twice is harmless."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def brief(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value as a message writes it unquoted (a number, a key), cut like :func:`shown`."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_list(values: list[str], limit: int = 10) -> str:
    """Values, comma-separated and each shown, at most limit of them, then how many more."""
    listed = ", ".join(shown(v) for v in values[:limit])
    rest = len(values) - limit
    return listed + (f" and {rest:,} more" if rest > 0 else "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as the rule allows."""

    rule: str
    message: str
    path: str = "datapackage.json"
    line: int | None = None
    field: str | None = None
    severity: Severity = "error"

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise KeyError(f"problem names a rule that is not in the catalogue: {self.rule!r}")
        if len(self.message) > MESSAGE_LIMIT:  # a value that missed shown(): still one short line
            object.__setattr__(self, "message", self.message[: MESSAGE_LIMIT - 1] + "…")

    @property
    def family(self) -> str:
        return RULES[self.rule].family

    @property
    def hint(self) -> str:
        return RULES[self.rule].hint

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "family": self.family, "hint": self.hint}


@dataclass
class Report:
    """What one validation run found, and how each rule family ended."""

    problems: list[Problem] = field(default_factory=list)
    families: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the run used, e.g. a reference's vintage
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step of the run
    _seen: set[tuple[Any, ...]] = field(default_factory=set, repr=False)

    def add(self, problem: Problem) -> None:
        """Record a problem once, however many engines could see it."""
        key = (problem.path, problem.line, problem.field, problem.rule, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def error(self, rule: str, message: str, **where: Any) -> None:
        self.add(Problem(rule, message, **where))

    def warning(self, rule: str, message: str, **where: Any) -> None:
        self.add(Problem(rule, message, severity="warning", **where))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.path, p.line or 0, p.field or "", p.rule))

    def close_family(self, family: str, status: str | None = None) -> None:
        """Record how a family ended: 'failed' when it found an error, else status or 'passed'."""
        failed = any(p.family == family and p.severity == "error" for p in self.problems)
        self.families[family] = "failed" if failed else (status or "passed")

    def family_lines(self) -> list[str]:
        return [f"{FAMILIES[f]}: {status}" for f, status in self.families.items()]
