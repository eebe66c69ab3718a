#!/usr/bin/env python3
"""Look a code up in reference/gbt2260.csv, the way the GB/T 2260 rules of data model 2 do.

    python reference/lookup_gbt2260.py 440900                 # what is 440900?
    python reference/lookup_gbt2260.py 440900 湛江市          # does the name match the code?
    python reference/lookup_gbt2260.py 420600 襄樊市 --date 2005-06   # valid at that date?

Prints one line per finding and exits 0 when the code (and the name and date, when given) are
accepted, 1 otherwise. An unknown code gets the nearest matches: codes that carry the given
name, then codes of the same prefecture (first four digits), then of the same province,
numerically closest first. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "gbt2260.csv"


def load(path: Path = REFERENCE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def window(row: dict[str, str]) -> str:
    return f"{row['valid_from'] or '…'} .. {row['valid_to'] or 'now'}"


def describe(row: dict[str, str]) -> str:
    parent = row["parent_code"] or "-"
    return (
        f"{row['code']} {row['name_zh']} ({row['level']}, parent {parent}, "
        f"{row['status']}, valid {window(row)})"
    )


def overlaps(row: dict[str, str], first: str, last: str) -> bool:
    """The months first..last (YYYY-MM) overlap the row's window, ends inclusive."""
    return (not row["valid_from"] or last >= row["valid_from"]) and (
        not row["valid_to"] or first <= row["valid_to"]
    )


def nearest(rows: list[dict[str, str]], code: str, name: str | None) -> list[dict[str, str]]:
    current = {r["code"]: r for r in rows if r["status"] == "current"}
    pool = list(current.values()) + [r for r in rows if r["code"] not in current]
    if name:
        same_name = [r for r in pool if r["name_zh"] == name]
        if same_name:
            return same_name[:3]
    for width in (4, 2):
        near = [r for r in pool if r["code"][:width] == code[:width]]
        if near:
            near.sort(key=lambda r: abs(int(r["code"]) - int(code)))
            return near[:3]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("code")
    parser.add_argument("name", nargs="?")
    parser.add_argument("--date", help="YYYY, YYYY-MM or YYYY-MM-DD of the fact")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[0-9]{6}", args.code):
        parser.error("a GB/T 2260 code has six digits")
    rows = load()
    by_code = [r for r in rows if r["code"] == args.code]
    if not by_code:
        print(f"unknown: {args.code} is in no list of 1980-12 .. the current vintage")
        for row in nearest(rows, args.code, args.name):
            print(f"  nearest: {describe(row)}")
        return 1
    for row in by_code:
        print(describe(row))
    ok = True
    matches = by_code
    if args.name:
        matches = [r for r in by_code if r["name_zh"] == args.name]
        if not matches:
            ok = False
            names = ", ".join(sorted({r["name_zh"] for r in by_code}))
            print(f"name: {args.code} is {names}, never {args.name}")
            for row in nearest(rows, args.code, args.name):
                if row["name_zh"] == args.name:
                    print(f"  {args.name} is {describe(row)}")
    if args.date and matches:
        if len(args.date) == 4:  # a year: any of its months
            first, last = args.date + "-01", args.date + "-12"
        else:
            first = last = args.date[:7]
        if not any(overlaps(r, first, last) for r in matches):
            ok = False
            print(f"period: no matching row is valid in {args.date}")
    print("accepted" if ok else "refused")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
