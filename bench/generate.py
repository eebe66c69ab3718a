"""Scale the real data package to N indicator rows, for benchmarks and scale tests.

    python bench/generate.py OUT --rows 1000000 [--plant] [--variant unsorted|distinct-quotes]

OUT receives datapackage.json, schemas/ and data/ copied from this checkout, with
data/indicators.csv replaced by N valid rows built from the real ones: the real
jurisdiction codes, metrics, units, sources, evidence quotes and notes, and values that
appear in their quotes, so every rule family (provenance included: the quotes are in the
archived articles) does real work. Rows differ by jurisdiction, year and a replica number in
their id; ids are unique and rows sorted by primary key, written as canonical CSV (UTF-8, LF,
minimal quoting). The output is deterministic: the same N gives the same bytes.

``--variant unsorted`` shuffles the rows (a fixed seed): the primary key cannot be checked
by one sorted pass. ``--variant distinct-quotes`` gives every row its own evidence quote,
cut from synthetic captures of a real article's size written to OUT/archive (the real
archive's files beside them, from ``--archive``) and cited by added sources: a million
distinct (source, quote) pairs that all pass, for timing provenance.

``--plant`` replaces a fixed set of rows, at the same fractions of N, with rows that each
break one rule (see :data:`PLANTS`); :func:`generate` returns their lines.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
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


VARIANTS = ("plain", "unsorted", "distinct-quotes")
BENCH_SOURCE = "gongbaobench{:04d}-2020-04-02"  # the synthetic sources of distinct-quotes
_LEAD = "本文由gongbao的bench/generate.py合成，只供基准测试，不是新闻报道。"
_END = "合成文章结束。"
_EXTENSIONS = 30  # quotes per sentence: each starts 0..29 characters before its sentence
_SENTENCES = 50  # per synthetic article: about 3 kB, the size of a real one


def _distinct_quotes(
    header: list[str], rows: list[list[str]], archive: Path, out: Path
) -> list[dict[str, str]]:
    """Give each row its own quote from synthetic captures of real articles' size (written,
    with the archive's own files, to out/archive); returns the added sources' rows."""
    index = {name: i for i, name in enumerate(header)}
    numbers = sorted(
        {
            row[index[name]].lstrip("-")
            for row in rows[: 10 * len(YEARS)]
            for name in ("value", "change")
            if row[index[name]]
        }
    )
    listed = "、".join(numbers)
    target = out / "archive"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(archive, target)
    per_article = _SENTENCES * _EXTENSIONS
    sources = []
    for article, first in enumerate(range(0, len(rows), per_article)):
        sentences = [f"第{article}篇第{i}条：{listed}。" for i in range(_SENTENCES)]
        text = _LEAD + "".join(sentences) + _END
        starts = [len(_LEAD)]
        for sentence in sentences[:-1]:
            starts.append(starts[-1] + len(sentence))
        source_id = BENCH_SOURCE.format(article)
        for r, row in enumerate(rows[first : first + per_article]):
            i, back = divmod(r, _EXTENSIONS)
            quote = text[starts[i] - back : starts[i] + len(sentences[i])]
            assert len(quote) <= 100, "evidence is at most 100 characters"
            row[index["evidence"]], row[index["source_id"]] = quote, source_id
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        name = f"{article % 1000:03d}_{digest[:16]}.txt"
        (target / name).write_bytes(data)
        sources.append(
            {
                "source_id": source_id,
                "title": "基准测试合成文章",
                "title_en": "A synthetic article for the benchmark",
                "publisher": "gongbao",
                "publisher_en": "gongbao",
                "published": "2020-04-02",
                "archive": name,
                "archive_sha256": digest,
                "body_start": _LEAD[:20],
                "body_end": _END,
                "note": "Written by bench/generate.py for the distinct-quotes benchmark.",
            }
        )
    return sources


def _add_sources(out: Path, sources: list[dict[str, str]]) -> None:
    path = out / "data" / "sources.csv"
    header, rows = _read(path)
    rows += [{name: source.get(name, "") for name in header} for source in sources]
    rows.sort(key=lambda row: row["source_id"])
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows([row[name] for name in header] for row in rows)


def default_archive() -> Path:
    return Path(os.environ.get("GONGBAO_ARCHIVE") or REPO.parent / "shared" / "seeds")


def generate(
    out: Path,
    rows: int,
    plant_errors: bool = False,
    variant: str = "plain",
    archive: Path | None = None,
) -> dict[int, str]:
    """Write a package with `rows` indicator rows to out; returns the planted lines (if any).

    variant is one of VARIANTS; distinct-quotes also writes out/archive, from archive
    (default: $GONGBAO_ARCHIVE or ../shared/seeds)."""
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
    if variant == "unsorted":
        random.Random(2026).shuffle(body)
    elif variant == "distinct-quotes":
        _add_sources(out, _distinct_quotes(header, body, archive or default_archive(), out))
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
    parser.add_argument("--variant", choices=VARIANTS, default="plain")
    parser.add_argument(
        "--archive", type=Path, help="the source archive (distinct-quotes copies it)"
    )
    args = parser.parse_args(argv)
    planted = generate(args.out, args.rows, args.plant, args.variant, args.archive)
    for line, label in sorted(planted.items()):
        print(f"data/indicators.csv:{line}: {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
