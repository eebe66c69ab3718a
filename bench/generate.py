"""Scale the real data package to N indicator rows, for benchmarks and scale tests.

    python bench/generate.py OUT --rows 1000000 [--plant]

OUT receives datapackage.json, schemas/ and data/ copied from this checkout, with
data/indicators.csv replaced by N valid rows built from the real ones: the real
jurisdiction codes, metrics, units, sources, evidence quotes and notes, and values that
appear in their quotes, so every rule family (provenance included: the quotes are in the
archived articles) does real work. Rows differ by jurisdiction, year and a replica number in
their id; ids are unique and rows sorted by primary key, written as canonical CSV (UTF-8, LF,
minimal quoting). The output is deterministic: the same N gives the same bytes.

``--plant`` replaces a fixed set of rows, at the same fractions of N, with rows that each
break one rule (see :data:`PLANTS`); :func:`generate` returns their lines.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE_PARTS = ("datapackage.json", "schemas", "data")
# The GX suite expects years from 2000; GB/T 2260 gives 420600 its name 襄阳市 from 2001-12
# (rule gbt2260-period), so the generated figures start in 2001.
YEARS = range(2001, 2026)
TEMPLATE = ("500000", "2019")  # the figures every generated place and year repeats

# (label, template indicator_id suffix, fraction of N where it goes, cells to change).
# Each breaks exactly one rule; the row keeps the id it replaces, so the file stays sorted.
PLANTS: list[tuple[str, str, float, dict[str, str]]] = [
    ("type", "good-air-days", 0.05, {"value": "316天"}),
    ("foreign-key", "good-air-days", 0.15, {"jurisdiction_code": "990000"}),
    ("percent-range", "good-water-sections-ratio", 0.30, {"value": "197.6"}),
    ("number-not-in-quote", "good-air-days", 0.45, {"value": "317"}),
    ("full-width", "good-air-days", 0.60, {"year": "２０19"}),
    ("quote-not-found", "good-air-days", 0.75, {"evidence": "空气质量优良天数达到316天以上"}),
    ("enum", "excellent-air-days", 0.85, {"unit": "days"}),
    ("unique", "", 0.95, {}),  # the id of the row before it (a duplicate primary key)
]


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _templates() -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """The real indicator rows of one place and year (Chongqing's ten figures for 2019, one
    per metric), keyed by their id without the place-and-year prefix."""
    header, rows = _read(REPO / "data" / "indicators.csv")
    templates = []
    for row in rows:
        if (row["jurisdiction_code"], row["year"]) != TEMPLATE:
            continue
        prefix = f"{row['indicator_id'].split('-')[0]}-{row['year']}-"
        templates.append((row["indicator_id"].removeprefix(prefix), row))
    return header, templates


def _codes() -> list[str]:
    _, rows = _read(REPO / "data" / "jurisdictions.csv")
    return [row["code"] for row in rows]


def indicator_rows(n: int) -> tuple[list[str], list[list[str]]]:
    """Header and n valid indicator rows, sorted by indicator_id."""
    header, templates = _templates()
    codes = _codes()
    per_replica = len(codes) * len(YEARS) * len(templates)
    replicas = -(-n // per_replica)
    width = len(str(replicas))
    rows: list[list[str]] = []
    for replica in range(replicas):
        for code in codes:
            for year in YEARS:
                for slug, template in templates:
                    if len(rows) == n:
                        break
                    row = dict(
                        template,
                        indicator_id=f"j{code}-{year}-{slug}-r{replica:0{width}d}",
                        jurisdiction_code=code,
                        year=str(year),
                    )
                    rows.append([row[name] for name in header])
    rows.sort(key=lambda r: r[0])
    return header, rows


def plant(header: list[str], rows: list[list[str]]) -> dict[int, str]:
    """Replace the PLANTS rows in place; returns {CSV line: label}."""
    templates = dict(_templates()[1])
    index = {name: i for i, name in enumerate(header)}
    planted: dict[int, str] = {}
    for label, slug, fraction, cells in PLANTS:
        position = max(1, min(len(rows) - 1, int(len(rows) * fraction)))
        row = rows[position]
        if slug:
            template = templates[slug]
            replacement = [template[name] for name in header]
            for name in ("indicator_id", "jurisdiction_code", "year"):
                replacement[index[name]] = row[index[name]]
            for name, value in cells.items():
                replacement[index[name]] = value
        else:
            replacement = [rows[position - 1][0], *row[1:]]
        rows[position] = replacement
        planted[position + 2] = label
    return planted


def generate(out: Path, rows: int, plant_errors: bool = False) -> dict[int, str]:
    """Write a package with `rows` indicator rows to out; returns the planted lines (if any)."""
    out.mkdir(parents=True, exist_ok=True)
    for part in PACKAGE_PARTS:
        source, target = REPO / part, out / part
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    header, body = indicator_rows(rows)
    planted = plant(header, body) if plant_errors else {}
    with open(out / "data" / "indicators.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(body)
    return planted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the package to")
    parser.add_argument("--rows", type=int, default=100_000, help="indicator rows (default 100000)")
    parser.add_argument("--plant", action="store_true", help="plant the fixed set of bad rows")
    args = parser.parse_args(argv)
    planted = generate(args.out, args.rows, args.plant)
    for line, label in sorted(planted.items()):
        print(f"data/indicators.csv:{line}: {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
