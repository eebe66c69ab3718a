"""Problems, the rule catalogue, and the report that collects them.

Every check in every engine reports through :class:`Report`, naming a rule from
:data:`RULES`. The catalogue is the one place a rule's family, wording and fix hint live,
so the README's rule table and the CLI messages cannot drift apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    summary: str
    hint: str


FAMILIES = {
    "descriptor": "6. Descriptor safety",
    "structure": "1. Bytes and structure",
    "hygiene": "5. Hygiene",
    "schema": "2. Schema and keys",
    "tables": "3. Table rules",
    "provenance": "4. Provenance",
    "expectations": "7. Great Expectations",
}

_RULES = [
    # 6. descriptor safety
    Rule(
        "unsafe-path",
        "descriptor",
        "resource and schema paths are relative, inside the package",
        "use a relative path such as data/x.csv: no absolute path, no '..', no URL, no ~ or $",
    ),
    Rule(
        "descriptor",
        "descriptor",
        "the descriptor lists resources, each with a path and a schema",
        "compare with an existing resource entry in datapackage.json",
    ),
    Rule(
        "schema-file",
        "descriptor",
        "every schema file exists and is a usable JSON Table Schema",
        "check the schema: valid JSON, named fields, keys that name existing fields and tables",
    ),
    # 1. bytes and structure
    Rule("missing-file", "structure", "every resource file exists", "check the resource path"),
    Rule(
        "encoding",
        "structure",
        "files are UTF-8",
        "re-save the file as UTF-8 (in Excel: 'CSV UTF-8'); do not use GB18030/GBK",
    ),
    Rule(
        "bom",
        "structure",
        "no byte-order mark at the start of a file",
        "save as UTF-8 without BOM ('gongbao fmt' removes it)",
    ),
    Rule(
        "line-ending",
        "structure",
        "lines end with LF, not CRLF or CR",
        "convert line endings to LF ('gongbao fmt' does it)",
    ),
    Rule(
        "trailing-newline",
        "structure",
        "the file ends with a newline",
        "add a newline after the last row ('gongbao fmt' does it)",
    ),
    Rule(
        "header",
        "structure",
        "the header row lists the schema's fields, in order",
        "make line 1 exactly the field names of the table's schema",
    ),
    Rule("blank-row", "structure", "no blank rows", "delete the empty line"),
    Rule(
        "ragged-row",
        "structure",
        "every row has as many cells as the header",
        "check for a missing or extra comma; quote cells that contain commas",
    ),
    # 5. hygiene
    Rule(
        "whitespace",
        "hygiene",
        "no leading or trailing whitespace in a cell",
        "delete the spaces (including full-width spaces) around the value",
    ),
    Rule("line-break", "hygiene", "no line break inside a cell", "keep each cell on one line"),
    Rule(
        "formula",
        "hygiene",
        "no cell starts with = + - @, tab or CR (spreadsheet formula injection)",
        "reword the cell so it does not start with that character; a '-' is fine before a number",
    ),
    Rule(
        "full-width",
        "hygiene",
        "codes, ids, numbers and dates use ASCII digits and letters",
        "replace full-width characters such as ３ or Ａ with ASCII 3 or A",
    ),
    Rule(
        "nfc",
        "hygiene",
        "text is Unicode NFC-normalised",
        "normalise the text to NFC (unicodedata.normalize('NFC', s))",
    ),
    # 2. schema and keys
    Rule(
        "type",
        "schema",
        "each value has the field's type and format",
        "numbers like 97.6 or -5, years like 2019, dates like 2020-04-02, URLs with https://",
    ),
    Rule("required", "schema", "required fields are not empty", "fill the cell"),
    Rule(
        "enum",
        "schema",
        "vocabulary fields use one of the allowed codes",
        "use one of the listed codes; a new code is a schema change, see CONTRIBUTING.md",
    ),
    Rule(
        "pattern",
        "schema",
        "values match the field's pattern",
        "see the field's pattern in the schema (ids are lower-case slugs: a-z, 0-9, hyphens)",
    ),
    Rule(
        "length",
        "schema",
        "values respect minLength and maxLength",
        "shorten the value (evidence quotes: about 80 characters)",
    ),
    Rule(
        "range",
        "schema",
        "values respect the field's minimum and maximum",
        "check the value against the field's bounds in the schema",
    ),
    Rule("unique", "schema", "unique fields have no duplicates", "use a new, unused id"),
    Rule(
        "primary-key",
        "schema",
        "primary keys are unique",
        "each key may appear once: merge the rows or change the key",
    ),
    Rule(
        "foreign-key",
        "schema",
        "references point to existing rows",
        "add the referenced row first, or correct the reference",
    ),
    # 3. table rules
    Rule(
        "metric-unit",
        "tables",
        "a row's unit equals its metric's unit",
        "use the unit listed for the metric in data/metrics.csv",
    ),
    Rule(
        "metric-range",
        "tables",
        "a value lies within its metric's minimum and maximum",
        "check the number against the source; percent is 0-100, never 0-1",
    ),
    Rule("percent-range", "tables", "a percent value lies within 0-100", "write 97.6, not 0.976"),
    Rule(
        "day-range",
        "tables",
        "a count of days in a year is at most 366",
        "check the number against the source",
    ),
    Rule(
        "excellent-le-good",
        "tables",
        "excellent-air days do not exceed good-air days for the same place and year",
        "excellent (优) days are a subset of good (优良) days: check both rows",
    ),
    Rule(
        "change-unit",
        "tables",
        "change_unit is set exactly when change is set",
        "fill change_unit (e.g. percentage_point for 提高7.1个百分点), or clear it",
    ),
    Rule(
        "indicator-empty",
        "tables",
        "an indicator reports a value, a value_label or a change",
        "fill the figure the source reports",
    ),
    Rule(
        "water-class",
        "tables",
        "water-quality classes are Ⅰ, Ⅱ, Ⅲ, Ⅳ, Ⅴ or 劣Ⅴ",
        "use the Roman-numeral characters Ⅰ-Ⅴ (U+2160...)",
    ),
    Rule(
        "deadline-after-agreement",
        "tables",
        "a target's deadline is not before its agreement's date",
        "check the deadline and the agreement's date",
    ),
    Rule(
        "date-after-published",
        "tables",
        "an agreement's date is not after its source's publication date",
        "the article's date is the source's 'published', not the instrument's date",
    ),
    Rule(
        "date-precision",
        "tables",
        "date and date_precision agree (YYYY-MM-DD is day, YYYY-MM month, "
        "YYYY year, empty unknown) and the date exists",
        "fix date_precision or the date",
    ),
    Rule(
        "future-date",
        "tables",
        "no date or year after next year",
        "check the year; deadlines far in the future are not plausible here",
    ),
    Rule(
        "gbt2260-parent",
        "tables",
        "a code's parent is the code its digits imply",
        "XXYYZZ belongs to XXYY00, XXYY00 to XX0000, XX0000 to 100000; XX90ZZ to XX0000",
    ),
    Rule(
        "gbt2260-level",
        "tables",
        "a code's level matches its digits",
        "XX0000 is a province, XXYY00 a prefecture, other codes counties; 100000 is national",
    ),
    # 4. provenance
    Rule(
        "archive-missing",
        "provenance",
        "the archived capture of every source exists",
        "put the capture in the archive directory under the name in sources.archive",
    ),
    Rule(
        "archive-hash",
        "provenance",
        "the capture's SHA-256 equals sources.archive_sha256",
        "recompute with 'sha256sum FILE', or restore the original capture",
    ),
    Rule(
        "quote-not-found",
        "provenance",
        "the evidence quote occurs verbatim in the archived article",
        "copy the quote exactly from the article body (punctuation included)",
    ),
    Rule(
        "number-not-in-quote",
        "provenance",
        "each numeric value and change appears in the row's quote",
        "quote the sentence that contains the number, or correct the number",
    ),
    Rule(
        "provenance-skipped",
        "provenance",
        "quote checks need the archive",
        "pass --archive DIR or set GONGBAO_ARCHIVE",
    ),
    # 7. great expectations
    Rule(
        "expectation",
        "expectations",
        "the table meets its expectation suite",
        "see the Data Docs (--data-docs) for the failing expectation",
    ),
]
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as the rule allows."""

    rule: str
    message: str
    path: str = "datapackage.json"
    line: int | None = None
    field: str | None = None
    severity: Severity = "error"

    @property
    def family(self) -> str:
        return RULES[self.rule].family

    @property
    def hint(self) -> str:
        return RULES[self.rule].hint

    def to_dict(self) -> dict:
        return {**asdict(self), "family": self.family, "hint": self.hint}


@dataclass
class Report:
    """What one validation run found, and which rule families ran."""

    problems: list[Problem] = field(default_factory=list)
    families: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    _seen: set = field(default_factory=set, repr=False)

    def add(self, problem: Problem) -> None:
        """Record a problem once, however many engines could see it."""
        key = (problem.path, problem.line, problem.field, problem.rule, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def error(self, rule: str, message: str, **where) -> None:
        self.add(Problem(rule, message, **where))

    def warning(self, rule: str, message: str, **where) -> None:
        self.add(Problem(rule, message, severity="warning", **where))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.path, p.line or 0, p.field or "", p.rule))
