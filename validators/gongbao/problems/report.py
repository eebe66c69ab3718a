"""Problems, and the report that collects them during one validation run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .catalogue import FAMILIES, RULES

Severity = Literal["error", "warning"]


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
