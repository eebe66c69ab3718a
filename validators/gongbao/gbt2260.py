"""The GB/T 2260 reference: every county-level-and-above division code with its names over time.

One loader for the table ``reference/gbt2260.csv`` (built by ``reference/build_gbt2260.py``;
source, licence and limits in ``reference/README.md``). It is third-party reference data, so
it is not a resource of the data package: the wheel carries a copy as
``gongbao/reference/gbt2260.csv`` (read with :mod:`importlib.resources`), a source checkout
reads the repository's ``reference/`` directly, and ``gongbao validate --gbt2260 FILE`` reads
another vintage.

Each row is one (code, name) pair with the window of months in which the lists give the code
that name (``valid_from`` .. ``valid_to``, both inclusive, empty = open). 100000 (the whole
country) is gongbao's convention, not a GB/T 2260 code, and is not in the table; township
codes (nine digits) are checked through their county's six.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

FILE = "gbt2260.csv"
NATIONAL = "100000"


@dataclass(frozen=True)
class Division:
    """One (code, name) pair of the reference and the months it was valid."""

    code: str
    name_zh: str
    level: str  # province, prefecture or county
    parent_code: str  # '' for a province (gongbao's parent for it is 100000)
    valid_from: str  # YYYY-MM or '' (open)
    valid_to: str  # YYYY-MM or '' (open)
    current: bool

    def overlaps(self, first: str, last: str) -> bool:
        """The months first..last (YYYY-MM, '' = open) overlap the pair's window."""
        return (not self.valid_from or not last or last >= self.valid_from) and (
            not self.valid_to or not first or first <= self.valid_to
        )

    @property
    def window(self) -> str:
        """'1982-12 … 1984-12', 'since 2001-12', 'until 2010-12' or 'in every list' (the
        months at both ends count as valid)."""
        if self.valid_from and self.valid_to:
            return f"{self.valid_from} … {self.valid_to}"
        if self.valid_from:
            return f"since {self.valid_from}"
        return f"until {self.valid_to}" if self.valid_to else "in every list"

    def short(self) -> str:
        """'610929 白河县', with '(historical)' for a pair no longer in use."""
        return f"{self.code} {self.name_zh}" + ("" if self.current else " (historical)")


@dataclass(frozen=True)
class Reference:
    divisions: tuple[Division, ...]
    lists: int  # how many official lists the table was built from
    first: str  # YYYY-MM of the oldest list
    last: str  # YYYY-MM of the newest list (the vintage)
    source: str  # where it was read from, for messages

    @functools.cached_property
    def by_code(self) -> dict[str, list[Division]]:
        out: dict[str, list[Division]] = {}
        for division in self.divisions:
            out.setdefault(division.code, []).append(division)
        return out

    @property
    def vintage(self) -> str:
        """'63 lists, 1980-12 … 2026-09': what a report names as the reference it used."""
        return f"{self.lists} lists, {self.first} … {self.last}"

    def pairs(self, code: str) -> list[Division]:
        return self.by_code.get(code, [])

    def matching(self, code: str, name: str) -> list[Division]:
        return [d for d in self.pairs(code) if d.name_zh == name]

    def current(self, code: str) -> Division | None:
        return next((d for d in self.pairs(code) if d.current), None)

    def name_at(self, code: str, month: str | None = None) -> Division | None:
        """The pair of code valid in month (YYYY-MM), else the current one, else the latest."""
        pairs = self.pairs(code)
        if month:
            valid = [d for d in pairs if d.overlaps(month, month)]
            if valid:
                return valid[-1]
        return self.current(code) or (pairs[-1] if pairs else None)

    def nearest(self, code: str, name: str | None = None, count: int = 3) -> list[Division]:
        """Up to count pairs close to an unknown code: pairs whose name is name, else codes of
        the same prefecture (first four digits), else of the same province, numerically
        closest first, current pairs before historical ones."""
        pool = sorted(self.divisions, key=lambda d: not d.current)
        if name:
            same = [d for d in pool if d.name_zh == name]
            if same:
                return same[:count]
        if not code.isdigit():
            return []
        for width in (4, 2):
            near = [d for d in pool if d.code[:width] == code[:width]]
            if near:
                near.sort(key=lambda d: abs(int(d.code) - int(code)))
                seen: dict[str, Division] = {}
                for d in near:
                    seen.setdefault(f"{d.code} {d.name_zh}", d)
                return list(seen.values())[:count]
        return []

    def unknown_message(self, code: str, name: str | None = None) -> str:
        """'610999 is not a GB/T 2260 code (lists 1980-12 … 2026-09); nearest: …'."""
        near = ", ".join(d.short() for d in self.nearest(code, name))
        tail = f"; nearest: {near}" if near else ""
        return f"{code} is not a GB/T 2260 code (lists {self.first} … {self.last}){tail}"


PROVINCE = "province"  # levels.level of a provincial-level division


def provinces(places: Iterable[tuple[str, str | None, str]]) -> dict[str, str]:
    """code -> the provincial-level division it lies in (a province: itself), for the
    (code, parent_code, level) rows of a jurisdictions table, walking parent codes up. A
    code above or outside every province (the country, a loop, a missing parent) is left
    out."""
    parent = {code: (up, level) for code, up, level in places}
    found: dict[str, str] = {}
    for code in parent:
        at, seen = code, set()
        while at in parent and parent[at][1] != PROVINCE and at not in seen:
            seen.add(at)
            at = parent[at][0] or ""
        if at in parent and parent[at][1] == PROVINCE:
            found[code] = at
    return found


def county_part(code: str) -> str:
    """The six-digit code a code is checked by: itself, or a township's county."""
    return code[:6]


def implied_level(code: str) -> str:
    """The level a code's form gives before the reference is asked: national for 100000,
    township for nine digits, else the reference's level (see :func:`reference_level`)."""
    if code == NATIONAL:
        return "national"
    if len(code) == 9:
        return "township"
    return ""


def reference_level(reference: Reference, code: str, name: str | None = None) -> str | None:
    """The level of code (and name) in the reference, with gongbao's conventions."""
    if implied_level(code):
        return implied_level(code)
    pairs = reference.matching(code, name) if name else reference.pairs(code)
    pairs = pairs or reference.pairs(code)
    return pairs[0].level if pairs else None


def reference_parent(reference: Reference, code: str, name: str | None = None) -> str | None:
    """The parent of code in the reference: 100000 for a province, the county for a township,
    None for the whole country or an unknown code."""
    if code == NATIONAL:
        return None
    if len(code) == 9:
        return county_part(code)
    pairs = (reference.matching(code, name) if name else []) or reference.pairs(code)
    if not pairs:
        return None
    return pairs[0].parent_code or NATIONAL


def reference_file() -> Traversable | Path:
    """The reference shipped with gongbao: in the wheel, or in a source checkout."""
    inside = files("gongbao") / "reference" / FILE
    if inside.is_file():
        return inside
    return Path(__file__).resolve().parents[2] / "reference" / FILE


def parse(text: str, source: str) -> Reference:
    """A reference from the text of a gbt2260.csv; ValueError naming what is wrong."""
    reader = csv.reader(io.StringIO(text))  # plain rows: DictReader costs 3x on 7,000 rows
    header = next(reader, [])
    rows = list(reader)
    needed = {"code", "name_zh", "level", "parent_code", "valid_from", "valid_to", "status"}
    if not rows or not needed <= set(header):
        raise ValueError(f"{source}: not a GB/T 2260 reference (needs columns {sorted(needed)})")
    at = {name: header.index(name) for name in needed}
    code, name, level, parent = at["code"], at["name_zh"], at["level"], at["parent_code"]
    start, end, status = at["valid_from"], at["valid_to"], at["status"]
    divisions = tuple(
        Division(r[code], r[name], r[level], r[parent], r[start], r[end], r[status] == "current")
        for r in rows
    )

    def column(name: str) -> list[str]:
        where = header.index(name) if name in header else None
        return [(r[where] if where is not None and where < len(r) else "") for r in rows]

    first = min(value or "9999" for value in column("first_listed"))
    last = max(column("last_listed"))
    lists = max(int(value or 0) for value in column("lists"))
    return Reference(divisions, lists, first, last, source)


@functools.cache
def load(path: str | None = None) -> Reference:
    """The reference at path (a gbt2260.csv), or the one shipped with gongbao."""
    file = Path(path) if path is not None else reference_file()
    try:
        text = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file}: cannot read the GB/T 2260 reference: {exc}") from None
    return parse(text, str(file))
