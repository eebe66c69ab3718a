"""Hygiene (rule family 5): whitespace, line breaks, control and bidi characters, formula
injection (in any width or disguise), full-width characters, look-alike letters in ids, NFC.

Checks run on each column's distinct values, then map back to rows, so a million rows that
repeat a few thousand quotes cost a few thousand checks; a column of mostly distinct values
(ids) is checked cell by cell instead, which is cheaper than finding its distinct values.
Columns are checked in parallel (pyarrow kernels release the GIL); problems are reported in
field order. Flagged cells are marked on the table, so the schema family does not report
the same cell again in other words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..problems.catalogue import implements
from ..problems.report import Report, shown
from ..tableschema.csvio import Table
from ..tableschema.package import Field

_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
# A signed number may start with '-' or '+' (a spreadsheet reads it as the number). Written
# for RE2 to mean what Python's re.match(r"^[-+]\d+(\.\d+)?([eE][-+]?\d+)?$") means: \d is
# any Unicode digit, and $ also matches before a final newline.
_SIGNED_NUMBER = r"^[-+]\p{Nd}+(\.\p{Nd}+)?([eE][-+]?\p{Nd}+)?\n?$"
# Control characters other than tab, LF and CR (whitespace, line-break and formula cover
# those): C0, DEL and C1.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = r"[\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]"
# Characters that show nothing: a formula starter behind them is still the first thing a
# spreadsheet sees.
INVISIBLE = BIDI + "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_INVISIBLE = "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in INVISIBLE) + "]"  # for RE2
# A cell whose first visible character is not a letter, digit or space may start a formula
# (in any width or disguise): only those are looked at closely, in Python (_maybe_formula).
_LEADING_INVISIBLE = rf"^{_INVISIBLE}+"
FORMULA_STARTERS = "=+-@\t\r"
_CONTROL_NAMES = {0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0B: "LINE TABULATION"}
_CONTROL_NAMES |= {0x0C: "FORM FEED", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def character(char: str) -> str:
    """'U+0430 CYRILLIC SMALL LETTER A': a character named so it can be found and retyped."""
    code = ord(char)
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(code, "")
    return f"U+{code:04X} {name}".rstrip()


def formula_start(value: str) -> tuple[str, str, str] | None:
    """(the starting character, the character it reads as, the invisible characters before
    it) when a spreadsheet may take value for a formula; None otherwise.

    The start is judged after stripping invisible characters and NFKC normalisation, so
    '＝1+1' (full-width), '\u200b=1+1' and '\u22121+1' (a minus sign) count as '=' and '-';
    an ASCII sign before a number ('-5', '+5') is a number, not a formula.
    """
    visible = value.lstrip(INVISIBLE)
    if not visible:
        return None
    first = visible[0]
    reads = "-" if first == "\u2212" else unicodedata.normalize("NFKC", first)[:1]
    if reads not in FORMULA_STARTERS or reads == "":
        return None
    if visible == value and first in "+-" and re.match(r"^[-+]\d+(\.\d+)?([eE][-+]?\d+)?$", value):
        return None
    return first, reads, value[: len(value) - len(visible)]


def _python_mask(
    values: pa.Array | pa.ChunkedArray, candidates: pa.Array, test: Callable[[str], bool]
) -> pa.Array:
    """test(value) for the candidate values (a mask over values), False elsewhere: the
    vectorised filter narrows, Python decides."""
    mask = pc.fill_null(candidates, False).to_numpy(zero_copy_only=False).astype(bool)
    rows = np.flatnonzero(mask)
    flags = np.zeros(len(mask), dtype=bool)
    if len(rows):
        texts = values.take(pa.array(rows)).to_pylist()
        flags[rows] = [test(text) for text in texts]
    return pa.array(flags)


def look_alike(value: str) -> tuple[int, str] | None:
    """(position, character) of the first letter outside ASCII in a value that also has
    ASCII letters (an id or a code mixing alphabets: 'сq' with a Cyrillic с), or None.
    Full-width letters are the full-width rule's; CJK ideographs are not look-alikes."""
    if not any(c.isascii() and c.isalpha() for c in value):
        return None
    for position, char in enumerate(value, start=1):
        if char.isascii() or not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if not name.startswith(("FULLWIDTH", "HALFWIDTH", "CJK", "HIRAGANA", "KATAKANA")):
            return position, char
    return None


# A value no hygiene rule can flag is printable ASCII that neither starts with a space or a
# formula starter nor ends with a space: every rule needs a character outside that range
# (whitespace, line breaks, controls, full-width, bidi, look-alikes, non-NFC text) or one of
# those ends. One pass with this pattern clears most id, code, number and date columns.
_SUSPECT = r"[^\x20-\x7e]|^[ =+@-]| $"


def _bad_values(values: pa.Array | pa.ChunkedArray, field: Field) -> list[tuple[str, np.ndarray]]:
    """(rule, mask over values) for each hygiene rule these values break (null: no rule).

    Only the suspect values (see _SUSPECT) are checked rule by rule."""
    suspect = pc.fill_null(pc.match_substring_regex(values, _SUSPECT), False)
    where = np.flatnonzero(suspect.to_numpy(zero_copy_only=False))
    if len(where) == 0:
        return []
    if len(where) == len(values):
        return _rule_masks(values, field)
    found = []
    for rule, mask in _rule_masks(values.take(pa.array(where)), field):
        full = np.zeros(len(values), dtype=bool)
        full[where] = mask
        found.append((rule, full))
    return found


def _rule_masks(values: pa.Array | pa.ChunkedArray, field: Field) -> list[tuple[str, np.ndarray]]:
    """(rule, mask over values) for each hygiene rule, each checked on every value."""
    found = []
    trimmed = pc.utf8_trim_whitespace(values)
    found.append(("whitespace", pc.not_equal(trimmed, values)))
    found.append(("line-break", pc.match_substring_regex(values, r"[\r\n\x{2028}\x{2029}]")))
    found.append(("control-character", pc.match_substring_regex(values, _CONTROL)))
    found.append(("formula", _formula_mask(values)))
    # Full-width characters, bidi controls, look-alikes and non-NFC text need a non-ASCII
    # character: skip pure ASCII.
    non_ascii = pc.invert(pc.string_is_ascii(values))
    if pc.any(non_ascii).as_py():
        if field.is_code:  # codes, ids, numbers and dates: plain ASCII
            found.append(("full-width", pc.match_substring_regex(values, _FULL_WIDTH)))
        found.append(("bidi-control", pc.match_substring_regex(values, _BIDI)))
        if field.pattern is not None:
            found.append(("look-alike", _python_mask(values, non_ascii, _is_look_alike)))
        found.append(("nfc", _python_mask(values, _may_not_be_nfc(values, non_ascii), _not_nfc)))
    return [
        (rule, pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool))
        for rule, mask in found
    ]


def _is_look_alike(value: str) -> bool:
    return look_alike(value) is not None


def _not_nfc(value: str) -> bool:
    # Python's check: pyarrow's utf8_normalize leaves decomposed text unchanged in some
    # releases (seen up to 21).
    return not unicodedata.is_normalized("NFC", value)


FILTER_FROM = 10_000
"""Candidate values in a column from which the NFC and formula checks first narrow them
down in Arrow, with a table built once (smaller columns go to Python as they are)."""


def _may_not_be_nfc(values: pa.Array | pa.ChunkedArray, non_ascii: pa.Array) -> pa.Array:
    """The values Python must check for NFC: the non-ASCII ones, and in a long column only
    those holding a character that NFC could change (a million Chinese quotes hold none)."""
    if pc.sum(non_ascii, min_count=0).as_py() < FILTER_FROM:
        return non_ascii
    return pc.and_(non_ascii, pc.match_substring_regex(values, nfc_suspects()))


@functools.cache
def nfc_suspects() -> str:
    """An RE2 class of the characters that can make a text other than its NFC form.

    Text is its own NFC form when no character has a canonical decomposition (none is
    replaced), none has a combining class (nothing is reordered) and none can be the second
    part of a composition (nothing merges with the character before it). The class holds
    every character of the BMP that fails one of these, and every character beyond it
    (rare in this data, so they are simply left to Python). Canonical decompositions exist
    in planes 0-2 only: those are read once, from Python's own Unicode tables.
    """
    suspect = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul vowels, tails
    for code in range(0x30000):
        char = chr(code)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):  # canonical
            suspect.add(code)
            suspect.update(int(part, 16) for part in decomposition.split()[1:])
        elif unicodedata.combining(char):
            suspect.add(code)
    ranges: list[list[int]] = []
    for code in sorted(c for c in suspect if c < 0x10000):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = [f"\\x{{{a:04X}}}" + (f"-\\x{{{b:04X}}}" if b > a else "") for a, b in ranges]
    return "[" + "".join(parts) + "\\x{10000}-\\x{10FFFF}]"


def _maybe_formula(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """True where the first visible character is not a letter, digit or space (a tab or CR
    counts as no space: both are formula starters). Arrow's Unicode predicates, not an RE2
    class such as \\pL: compiling one costs half a millisecond on every call, more than a
    small column's whole check."""
    visible = pc.replace_substring_regex(values, _LEADING_INVISIBLE, "")
    first = pc.utf8_slice_codeunits(visible, 0, 1)
    space = pc.and_(pc.utf8_is_space(first), pc.invert(pc.is_in(first, pa.array(["\t", "\r"]))))
    maybe = pc.and_(pc.not_equal(first, ""), pc.invert(pc.or_(pc.utf8_is_alnum(first), space)))
    # Text opening with 《 or “ is all "maybe": in a long column, narrow to the exact starters.
    if pc.sum(maybe, min_count=0).as_py() >= FILTER_FROM:
        maybe = pc.and_(maybe, pc.is_in(first, value_set=formula_look_alikes()))
    return maybe


@functools.cache
def formula_look_alikes() -> pa.Array:
    """Every character formula_start reads as a formula starter: itself, the minus sign, or
    one whose NFKC form starts with one (a character NFKC changes has a decomposition, and
    decompositions exist in planes 0-2 only)."""
    chars = (chr(code) for code in range(0x30000))
    decomposed = (c for c in chars if unicodedata.decomposition(c))
    look_alikes = [c for c in decomposed if unicodedata.normalize("NFKC", c)[0] in FORMULA_STARTERS]
    return pa.array([*FORMULA_STARTERS, *look_alikes, "\u2212"])


def _formula_mask(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    starts = pc.match_substring_regex(values, r"^[=+@\t\r-]")
    if pc.any(starts).as_py():
        signed_number = pc.match_substring_regex(values, _SIGNED_NUMBER)
        starts = pc.and_(starts, pc.invert(signed_number))
    maybe = pc.and_(_maybe_formula(values), pc.invert(starts))
    if not pc.any(maybe).as_py():
        return starts
    disguised = _python_mask(values, maybe, lambda v: formula_start(v) is not None)
    return pc.or_(starts, disguised)


def _field_findings(table: Table, field: Field) -> list[tuple[str, np.ndarray]]:
    """(rule, rows) for each hygiene rule the field's cells break."""
    column = table.column(field.name)
    if table.mostly_distinct(field.name):  # check cell by cell, each half on a thread
        half = len(column) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(
                pool.map(
                    lambda part: dict(_bad_values(part, field)),
                    (column.slice(0, half), column.slice(half)),
                )
            )
        found = []
        for rule in _MESSAGES:  # both halves may not have run the same rules
            masks = [
                part.get(rule, np.zeros(len(piece), dtype=bool))
                for part, piece in zip(
                    parts, (column.slice(0, half), column.slice(half)), strict=True
                )
            ]
            bad = np.concatenate(masks)
            if bad.any():
                found.append((rule, np.flatnonzero(bad)))
        return found
    values = pc.unique(column).drop_null()
    if len(values) == 0:
        return []
    findings = []
    for rule, bad in _bad_values(values, field):
        if not bad.any():
            continue
        bad_values = values.filter(pa.array(bad))
        rows = np.flatnonzero(
            pc.fill_null(pc.is_in(column, value_set=bad_values), False).to_numpy(
                zero_copy_only=False
            )
        )
        findings.append((rule, rows))
    return findings


_MESSAGES = {
    "whitespace": "{v} has leading or trailing whitespace",
    "line-break": "{v} contains a line break",
    "control-character": "{v} contains {c} at position {p}, a control character",
    "bidi-control": "{v} contains {c} at position {p}, which reorders the text around it",
    "look-alike": "{v} mixes alphabets: {c} at position {p} looks like a Latin letter",
    "formula": "{v} starts with {c}, which a spreadsheet may run as a formula",
    "full-width": "{v} contains full-width characters",
    "nfc": "{v} is not NFC-normalised",
}


def message(rule: str, value: str) -> str:
    """The problem's message for a cell, naming the character at fault where there is one."""
    if rule in ("control-character", "bidi-control", "look-alike"):
        if rule == "look-alike":
            position, char = look_alike(value) or (0, "?")
        else:
            at_fault = _is_control if rule == "control-character" else BIDI.__contains__
            position, char = next(
                ((i, c) for i, c in enumerate(value, start=1) if at_fault(c)), (0, "?")
            )
        return _MESSAGES[rule].format(v=shown(value), c=character(char), p=position)
    if rule == "formula":
        starter = repr(value[:1])
        if (start := formula_start(value)) is not None:
            first, reads, hidden = start
            starter = repr(first) if first == reads else f"{first!r} (read as {reads!r})"
            if hidden:
                starter += f" after the invisible {character(hidden[0])}"
        return _MESSAGES[rule].format(v=shown(value), c=starter)
    return _MESSAGES[rule].format(v=shown(value))


def _is_control(char: str) -> bool:
    code = ord(char)
    return (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F


@implements(
    "whitespace",
    "line-break",
    "control-character",
    "formula",
    "full-width",
    "bidi-control",
    "look-alike",
    "nfc",
)
def check_hygiene(table: Table, report: Report) -> None:
    fields = table.resource.fields
    if len(table) * len(fields) > 1_000_000:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda f: _field_findings(table, f), fields))
    else:
        results = [_field_findings(table, f) for f in fields]
    for field, findings in zip(fields, results, strict=True):
        name = field.name
        column = table.column(name)
        for rule, rows in findings:
            cells = column.take(pa.array(rows)).to_pylist()
            for row, value in zip(rows, cells, strict=True):
                report.error(
                    rule,
                    message(rule, value),
                    path=table.path,
                    line=int(table.lines[row]),
                    field=name,
                )
            table.mark(name, rows)
