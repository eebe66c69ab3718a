"""Scaffolding rows (``gongbao new``): append a well-formed row with a fresh id, then fill it.

    gongbao new TABLE [PATH] [--FIELD VALUE ...] [--set FIELD=VALUE ...] [--id ID] [--dry-run]

Everything about a table comes from its Table Schema: the options (one ``--field-name`` per
field, so ``gongbao new agreement --help`` lists the fields with their descriptions and
allowed codes), the column order, which cells are required and which codes an enum allows.
TABLE is a resource name (``agreements``) or its singular (``agreement``).

The row's id is a readable slug built from the row's own cells by the table's convention
(see :data:`ID_RECIPES`): ``cqrb-2020-04-02`` for a source, the English title plus the year
for an agreement, place-year-metric for an indicator. An id that exists gets ``-2``, ``-3``...
so an id is never reused; ``--id`` sets it by hand. Tables keyed by references (parties,
mechanisms) need the key cells given and refuse a key that exists.

The row is appended and the file rewritten in canonical form (:func:`gongbao.csvfmt.canonical_text`:
UTF-8 without BOM, LF, minimal quoting, sorted by primary key), then the command prints the
new id, its ``file:line`` and the required cells still to fill. ``gongbao validate`` says
whether the filled row is right.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .csvfmt import canonical_text
from .descriptor import Package, Resource, UsageError, load_package
from .problems import Report
from .structure import BOM

# English words left out of slugs made from titles.
STOPWORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the"]
    + ["to", "with"]
)
DEFAULT_ID_LENGTH = 80  # for an id field without maxLength
FLAGS = frozenset({"-h", "--help", "--dry-run"})  # the only options that take no value

# Fields the `new source` archive helper fills (present only in tables that have them).
ARCHIVE, ARCHIVE_SHA256 = "archive", "archive_sha256"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``gongbao new`` on the CLI's subcommands.

    The table's own options depend on the package's schemas, which are known only once
    TABLE and PATH are: everything after TABLE is parsed again by :func:`table_parser`.
    """
    new = commands.add_parser(
        "new",
        help="append a new row with a fresh id to a table, to fill in",
        description="Append a well-formed row to TABLE of the package at PATH (default: .), "
        "with a fresh readable id and the given cells; the other cells are left empty to fill. "
        "Run 'gongbao new TABLE --help' for the table's fields.",
        usage="gongbao new TABLE [PATH] [--FIELD VALUE ...] [--set FIELD=VALUE ...] "
        "[--id ID] [--dry-run]",
        add_help=True,
    )
    new.add_argument(
        "table",
        metavar="TABLE",
        help="table name, plural or singular: source, agreement, party, "
        "mechanism, target, indicator, organization, ...",
    )
    new.add_argument(
        "rest",
        nargs=argparse.REMAINDER,
        metavar="OPTIONS",
        help="PATH and the table's options ('gongbao new TABLE --help' lists them)",
    )
    new.set_defaults(run=run)


# -- tables and their options ---------------------------------------------------------------


def singular(name: str) -> str:
    """parties -> party, sources -> source, mechanism_types -> mechanism_type."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


def find_resource(package: Package, table: str) -> Resource:
    wanted = table.strip().lower().replace("-", "_")
    for name, resource in package.resources.items():
        if wanted in (name, singular(name)):
            return resource
    known = ", ".join(f"{singular(n)} ({n})" for n in package.resources)
    raise UsageError(f"unknown table {table!r}; the package has: {known}")


def option_name(field: str) -> str:
    return "--" + field.replace("_", "-")


def _help(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help strings with %


def _field_help(field: dict) -> str:
    constraints = field.get("constraints", {})
    parts = [field.get("description", "")]
    if constraints.get("required"):
        parts.append("[required]")
    if "enum" in constraints:
        parts.append("One of: " + ", ".join(map(str, constraints["enum"])) + ".")
    if "pattern" in constraints:
        parts.append(f"Pattern: {constraints['pattern']}.")
    return _help(" ".join(p for p in parts if p))


def _metavar(field: dict) -> str:
    if "enum" in field.get("constraints", {}):
        return "CODE"
    return {"string": "TEXT"}.get(field.get("type", "string"), field.get("type", "TEXT").upper())


def table_parser(resource: Resource) -> argparse.ArgumentParser:
    """The options of ``gongbao new TABLE``: one per schema field, plus the helpers."""
    parser = argparse.ArgumentParser(
        prog=f"gongbao new {singular(resource.name)}",
        usage=f"gongbao new {singular(resource.name)} [PATH] [options]",
        description=_help(
            f"Append a row to {resource.path}: {resource.schema.get('description', '')}"
        ),
        epilog="Option names take '-' or '_' (--title-en or --title_en). A cell can also be "
        "given as --set FIELD=VALUE.",
        allow_abbrev=False,
    )
    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        metavar="PATH",
        help="package directory or its datapackage.json (default: .)",
    )
    helpers = parser.add_argument_group("scaffolding")
    helpers.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        dest="assignments",
        help="set a cell by field name (repeatable)",
    )
    pk = resource.primary_key
    single_id = len(pk) == 1
    if single_id:
        helpers.add_argument(
            "--id",
            metavar="ID",
            dest="row_id",
            help=f"use this {pk[0]} instead of the generated one",
        )
    if {ARCHIVE, ARCHIVE_SHA256} <= set(resource.field_names):
        helpers.add_argument(
            "--archive-dir",
            metavar="DIR",
            help=f"source archive holding the capture named by --{ARCHIVE}: "
            f"{ARCHIVE_SHA256} is computed from it (default: $GONGBAO_ARCHIVE). "
            f"--{ARCHIVE} may also be a path to the capture file",
        )
    helpers.add_argument(
        "--dry-run",
        action="store_true",
        help="print the row and what is left to fill, change nothing",
    )
    fields = parser.add_argument_group(f"fields (from {resource.schema_path}, in column order)")
    taken = {"--set", "--id", "--archive-dir", "--dry-run", "--help"}
    for field in resource.fields:
        name = field["name"]
        flags = [option_name(name)]
        # A reference such as source_id may also be given as --source (the brief form).
        is_key = single_id and name == pk[0]
        short = option_name(name[:-3]) if name.endswith("_id") and not is_key else None
        if short and short not in taken and name[:-3] not in resource.field_names:
            flags.append(short)
        taken.update(flags)
        fields.add_argument(
            *flags, dest=f"field:{name}", metavar=_metavar(field), help=_field_help(field)
        )
    return parser


def _normalise_option(token: str) -> str:
    """--title_en=X -> --title-en=X (values are left alone)."""
    if not token.startswith("--"):
        return token
    name, eq, value = token.partition("=")
    return name.replace("_", "-") + eq + value


def split_path(tokens: list[str]) -> str:
    """The PATH among the tokens after TABLE: the first one that is not an option or its value.

    Every option of :func:`table_parser` takes one value except the flags in FLAGS, so this
    is exact, and PATH may come anywhere (``new source pkg --title X`` or ``... --title X pkg``).
    """
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "--":
            return tokens[index + 1] if index + 1 < len(tokens) else "."
        if token.startswith("-") and len(token) > 1:
            index += 1 if ("=" in token or token in FLAGS) else 2
            continue
        return token
    return "."


# -- ids ------------------------------------------------------------------------------------


def slug(text: str, sep: str = "-", limit: int | None = None, drop_stopwords: bool = False) -> str:
    """ASCII, lower-case words joined by sep, cut at a word boundary after limit characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    if drop_stopwords:
        words = [w for w in words if w not in STOPWORDS] or words
    out: list[str] = []
    for word in words:
        if limit is not None and out and len(sep.join([*out, word])) > limit:
            break
        out.append(word)
    return sep.join(out)


@dataclass
class Context:
    """What an id recipe may look at: the new row, and the package's existing rows."""

    package: Package
    resource: Resource
    row: dict[str, str]
    sep: str
    room: int  # characters an id may have, keeping 3 for a -NN suffix

    def need(self, *names: str) -> list[str]:
        missing = [n for n in names if not self.row.get(n)]
        if missing:
            given = " ".join(f"{option_name(n)} ..." for n in missing)
            raise UsageError(
                f"{self.resource.primary_key[0]} is made from "
                f"{', '.join(names)}: give {given} (or --id ID)"
            )
        return [self.row[n] for n in names]

    def rows(self, table: str) -> list[dict[str, str]]:
        resource = self.package.resources.get(table)
        return read_rows(resource)[1] if resource is not None else []


def _from_title(field: str) -> Callable[[Context], str]:
    """A slug of an English name, plus the year of `date` when the table has one."""

    def recipe(ctx: Context) -> str:
        (title,) = ctx.need(field)
        year = (ctx.row.get("date") or "")[:4]
        suffix = f"{ctx.sep}{year}" if year.isdigit() else ""
        base = slug(title, ctx.sep, ctx.room - len(suffix), drop_stopwords=True)
        return base if base.endswith(suffix) else base + suffix

    return recipe


def _source_id(ctx: Context) -> str:
    """<publisher abbreviation>-<published>: cqrb-2020-04-02.

    The abbreviation of a publisher already in the table is reused (重庆日报 -> cqrb);
    a new publisher's is the slug of publisher_en (Hubei Daily -> hubei-daily), or --id.
    """
    publisher, published = ctx.need("publisher", "published")
    for row in ctx.rows(ctx.resource.name):
        known = re.match(r"^(.+?)-\d{4}-\d{2}-\d{2}(-\d+)?$", row.get("source_id", ""))
        if row.get("publisher") == publisher and known:
            return f"{known.group(1)}-{published}"
    english = ctx.row.get("publisher_en") or (publisher if publisher.isascii() else "")
    if not english:
        raise UsageError(
            f"source_id is <publisher abbreviation>-<published>, and {publisher!r} "
            "is a new publisher: give --publisher-en (e.g. 'Hubei Daily') "
            "or --id (e.g. hbrb-2025-12-07)"
        )
    return f"{slug(english, ctx.sep, ctx.room - len(published) - 1)}-{published}"


def _agreement_abbrev(agreement_id: str) -> str:
    """Leading short words of an agreement id: sc-cq-air-... -> sc-cq, xsss-green-... -> xsss."""
    words = agreement_id.split("-")
    short = list(itertools.takewhile(lambda w: len(w) <= 4, words))
    return "-".join(short or words[:1])


def _target_id(ctx: Context) -> str:
    """<agreement abbreviation>-<deadline year>-<metric>: xsss-2025-water-quality-class."""
    agreement_id, metric = ctx.need("agreement_id", "metric")
    year = (ctx.row.get("deadline") or "")[:4]
    parts = [_agreement_abbrev(agreement_id), year, slug(metric, ctx.sep)]
    return ctx.sep.join(p for p in parts if p)


def _indicator_id(ctx: Context) -> str:
    """<place>-<year>-<metric>: cq-2019-good-air-days.

    The place abbreviation already used for the jurisdiction is reused; otherwise the slug
    of the jurisdiction's English name (Wuhan -> wuhan).
    """
    code, year, metric = ctx.need("jurisdiction_code", "year", "metric")
    place = ""
    for row in ctx.rows(ctx.resource.name):
        known = re.match(r"^(.+?)-\d{4}-", row.get("indicator_id", ""))
        if row.get("jurisdiction_code") == code and known:
            place = known.group(1)
            break
    if not place:
        names = {r.get("code"): r.get("name_en", "") for r in ctx.rows("jurisdictions")}
        place = slug(names.get(code) or code, ctx.sep)
    return ctx.sep.join([place, year, slug(metric, ctx.sep)])


# Table -> how its id is made. A table not listed here, with a single string key, gets a
# slug of its English name field (name_en, title_en or label_en) if it has one.
ID_RECIPES: dict[str, Callable[[Context], str]] = {
    "sources": _source_id,
    "agreements": _from_title("title_en"),
    "targets": _target_id,
    "indicators": _indicator_id,
    "organizations": _from_title("name_en"),
}
_ENGLISH_NAMES = ("name_en", "title_en", "label_en")


def id_separator(field: dict) -> str:
    """'_' for snake_case codes (good_air_days), '-' for slugs, as the field's pattern allows."""
    pattern = field.get("constraints", {}).get("pattern")
    if pattern and not re.fullmatch(pattern, "a-b") and re.fullmatch(pattern, "a_b"):
        return "_"
    return "-"


def generate_id(package: Package, resource: Resource, row: dict[str, str]) -> str | None:
    """A fresh id for the row's single-field key, or None when the table has no recipe."""
    (key,) = resource.primary_key
    field = next(f for f in resource.fields if f["name"] == key)
    limit = field.get("constraints", {}).get("maxLength") or DEFAULT_ID_LENGTH
    ctx = Context(package, resource, row, id_separator(field), limit - 3)
    recipe = ID_RECIPES.get(resource.name)
    pattern = field.get("constraints", {}).get("pattern")
    if recipe is None:
        english = next((n for n in _ENGLISH_NAMES if n in resource.field_names), None)
        if english is None or (pattern and not re.fullmatch(pattern, f"a{ctx.sep}b")):
            return None  # no English name, or the key is not a slug (e.g. a GB/T 2260 code)
        recipe = _from_title(english)
    base = recipe(ctx)
    if len(base) > ctx.room:
        base = slug(base, ctx.sep, ctx.room)
    if not base:
        raise UsageError(f"cannot make a {key} from the given cells: give --id ID")
    return base


def fresh(base: str, taken: set[str], sep: str = "-") -> str:
    """base, or base-2, base-3... : the first not in taken."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}{sep}{number}"
    return candidate


# -- files ----------------------------------------------------------------------------------


def read_text(resource: Resource) -> str:
    if not resource.file.is_file():
        return ""
    raw = resource.file.read_bytes()
    try:
        return raw.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(
            f"{resource.path} is not UTF-8: run 'gongbao validate' and fix it first"
        ) from None


def read_rows(resource: Resource) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (as dicts) of a resource's file; an absent file has none."""
    records = list(csv.reader(io.StringIO(read_text(resource), newline="")))
    if not records:
        return [], []
    header = records[0]
    return header, [dict(zip(header, r, strict=False)) for r in records[1:] if any(r)]


def to_csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def line_of_row(text: str, names: list[str], key: dict[str, str]) -> int:
    """CSV line on which the row with this key starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    start = reader.line_num + 1
    for record in reader:
        if dict(zip(header, record, strict=False)).items() >= key.items():
            return start
        start = reader.line_num + 1
    raise AssertionError("the new row is not in the file")  # pragma: no cover


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# -- the command ----------------------------------------------------------------------------


def _cells(resource: Resource, args: argparse.Namespace) -> dict[str, str]:
    """Cells given on the command line, checked against the schema."""
    cells: dict[str, str] = {}
    for name in resource.field_names:
        value = getattr(args, f"field:{name}")
        if value is not None:
            cells[name] = value
    for assignment in args.assignments:
        name, eq, value = assignment.partition("=")
        name = name.strip()
        if not eq:
            raise UsageError(f"--set {assignment!r}: write FIELD=VALUE")
        if name not in resource.field_names:
            raise UsageError(
                f"--set: {resource.name} has no field {name!r}; its fields are: "
                + ", ".join(resource.field_names)
            )
        if name in cells and cells[name] != value:
            raise UsageError(f"{name} is given twice, as {cells[name]!r} and {value!r}")
        cells[name] = value
    if getattr(args, "row_id", None) is not None:
        (key,) = resource.primary_key
        if cells.get(key, args.row_id) != args.row_id:
            raise UsageError(f"{key} is given twice, as {cells[key]!r} and {args.row_id!r}")
        cells[key] = args.row_id
    for field in resource.fields:
        allowed = field.get("constraints", {}).get("enum")
        value = cells.get(field["name"])
        if allowed is not None and value and value not in map(str, allowed):
            raise UsageError(
                f"{field['name']} {value!r} is not one of: " + ", ".join(map(str, allowed))
            )
        if value and ("\n" in value or "\r" in value):
            raise UsageError(f"{field['name']}: a cell holds no line break (rule line-break)")
    return {name: value for name, value in cells.items() if value != ""}


def _archive(resource: Resource, cells: dict[str, str], args: argparse.Namespace) -> None:
    """Fill archive_sha256 from the capture file, when the archive can be found."""
    if not ({ARCHIVE, ARCHIVE_SHA256} <= set(resource.field_names) and cells.get(ARCHIVE)):
        return
    name = cells[ARCHIVE]
    directory = args.archive_dir or os.environ.get("GONGBAO_ARCHIVE") or None
    if "/" in name or os.sep in name:  # --archive given as the path of the capture
        directory, name = str(Path(name).parent), Path(name).name
        cells[ARCHIVE] = name
    if directory is None:
        return
    capture = Path(directory) / name
    if not capture.is_file():
        raise UsageError(f"capture {name!r} is not in the archive directory {directory}")
    digest = hashlib.sha256(capture.read_bytes()).hexdigest()
    if cells.get(ARCHIVE_SHA256, digest) != digest:
        raise UsageError(
            f"{ARCHIVE_SHA256} given as {cells[ARCHIVE_SHA256]} but {capture} has SHA-256 {digest}"
        )
    cells[ARCHIVE_SHA256] = digest


_PRECISION = {10: "day", 7: "month", 4: "year"}


def derive(package: Package, resource: Resource, cells: dict[str, str]) -> list[str]:
    """Fill cells that follow from given ones by a table rule; returns what was filled.

    unit from the metric's unit (rule metric-unit), date_precision from the date's length
    (rule date-precision). A cell given on the command line is never overwritten.
    """
    filled = []
    metrics = package.resources.get("metrics")
    names = set(resource.field_names)
    if (
        metrics is not None
        and resource is not metrics
        and {"metric", "unit"} <= names
        and cells.get("metric")
        and not cells.get("unit")
    ):
        unit = next(
            (r.get("unit") for r in read_rows(metrics)[1] if r.get("metric") == cells["metric"]),
            None,
        )
        if unit:
            cells["unit"] = unit
            filled.append(f"unit {unit} (the unit of metric {cells['metric']})")
    if (
        {"date", "date_precision"} <= names
        and cells.get("date")
        and not cells.get("date_precision")
        and len(cells["date"]) in _PRECISION
    ):
        cells["date_precision"] = _PRECISION[len(cells["date"])]
        filled.append(f"date_precision {cells['date_precision']} (from date {cells['date']})")
    return filled


def _check_unique(
    resource: Resource, cells: dict[str, str], existing: list[dict[str, str]]
) -> None:
    """A value of a unique field (such as sources.archive) may not be given twice."""
    for field in resource.fields:
        name = field["name"]
        if not field.get("constraints", {}).get("unique") or not cells.get(name):
            continue
        for row in existing:
            if row.get(name) == cells[name]:
                owner = ", ".join(row.get(k, "") for k in resource.primary_key)
                raise UsageError(
                    f"{name} {cells[name]!r} is already used by {resource.name} "
                    f"row {owner}: {name} values are unique"
                )


def _warn_references(package: Package, resource: Resource, cells: dict[str, str]) -> list[str]:
    """Warnings for references to rows that do not exist (yet)."""
    warnings = []
    for fk in resource.foreign_keys:
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
        target = package.resources.get(ref.get("resource") or resource.name)
        if target is None or not all(cells.get(f) for f in fields):
            continue
        wanted = tuple(cells[f] for f in fields)
        existing = {tuple(r.get(f, "") for f in ref_fields) for r in read_rows(target)[1]}
        if wanted not in existing:
            shown = ", ".join(wanted)
            warnings.append(
                f"{'+'.join(fields)} {shown!r} is not in {target.name}."
                f"{'+'.join(ref_fields)} yet: add it (gongbao new "
                f"{singular(target.name)}) or correct it"
            )
    return warnings


def _first_sentence(text: str, limit: int = 70) -> str:
    sentence = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.;])\s", text, maxsplit=1)[0].rstrip(";,:")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def _describe_empty(resource: Resource, row: dict[str, str]) -> list[str]:
    lines = []
    required = [
        f
        for f in resource.fields
        if f.get("constraints", {}).get("required") and not row.get(f["name"])
    ]
    optional = [
        f["name"]
        for f in resource.fields
        if not f.get("constraints", {}).get("required") and not row.get(f["name"])
    ]
    if required:
        lines.append("required cells still empty:")
        width = max(len(f["name"]) for f in required)
        for field in required:
            allowed = field.get("constraints", {}).get("enum")
            what = (
                ("one of: " + ", ".join(map(str, allowed)))
                if allowed
                else _first_sentence(field.get("description", ""))
            )
            lines.append(f"  {field['name']:<{width}}  {what}")
    else:
        lines.append("all required cells are filled")
    if optional:
        lines.append("optional cells left empty: " + ", ".join(optional))
    return lines


def _load(path: Path, wants_help: bool) -> Package:
    """The package at path; for --help outside a package, the one shipped in the wheel."""
    try:
        return load_package(path, Report())
    except UsageError:
        if not wants_help:
            raise
        from ._shipped import shipped_root

        shipped = Path(str(shipped_root()))
        if not (shipped / "datapackage.json").is_file():
            raise
        return load_package(shipped, Report())


def run(args: argparse.Namespace) -> int:
    tokens = [_normalise_option(t) for t in args.rest]
    wants_help = any(t in ("-h", "--help") for t in tokens)
    package = _load(Path(split_path(tokens)), wants_help)
    resource = find_resource(package, args.table)
    options = table_parser(resource).parse_args(tokens)
    cells = _cells(resource, options)
    _archive(resource, cells, options)

    names = resource.field_names
    header, existing = read_rows(resource)
    if header and header != names:
        raise UsageError(
            f"{resource.path}: the header is not the schema's field list; run "
            "'gongbao validate' and fix the header first"
        )
    derived = derive(package, resource, cells)
    pk = resource.primary_key
    if len(pk) == 1 and not cells.get(pk[0]):
        field = next(f for f in resource.fields if f["name"] == pk[0])
        base = generate_id(package, resource, cells)
        if base is None:
            raise UsageError(f"{resource.name} ids are not generated: give {option_name(pk[0])}")
        cells[pk[0]] = fresh(base, {r.get(pk[0], "") for r in existing}, id_separator(field))
    missing_key = [k for k in pk if not cells.get(k)]
    if missing_key:
        raise UsageError(
            f"{resource.name} rows are keyed by {', '.join(pk)}: give "
            + " ".join(f"{option_name(k)} ..." for k in missing_key)
        )
    key = {k: cells[k] for k in pk}
    if pk and any(all(r.get(k) == v for k, v in key.items()) for r in existing):
        shown = ", ".join(f"{k}={v}" for k, v in key.items())
        raise UsageError(f"{resource.path} already has the row {shown}: ids are never reused")
    _check_unique(resource, cells, existing)
    for field in resource.fields:
        pattern = field.get("constraints", {}).get("pattern")
        if field["name"] in pk and pattern and not re.fullmatch(pattern, cells[field["name"]]):
            raise UsageError(
                f"{field['name']} {cells[field['name']]!r} does not match the pattern {pattern}"
            )

    values = [cells.get(name, "") for name in names]
    text = read_text(resource)
    if not text:
        text = to_csv_line(names)
    elif not text.endswith(("\n", "\r")):
        text += "\n"
    new_text = canonical_text(text + to_csv_line(values), pk)
    line = line_of_row(new_text, names, key)
    shown_path = os.path.normpath(os.path.join(package.root, resource.path))
    ident = ", ".join(key.values())
    out = sys.stdout
    if options.dry_run:
        out.write(f"would add {resource.name} row {ident} at {shown_path}:{line}:\n")
        out.write("  " + to_csv_line(values))
    else:
        write_atomically(resource.file, new_text.encode("utf-8"))
        out.write(f"added {resource.name} row {ident} at {shown_path}:{line}\n")
    for what in derived:
        out.write(f"filled {what}\n")
    for line_text in _describe_empty(resource, cells):
        out.write(line_text + "\n")
    for warning in _warn_references(package, resource, cells):
        sys.stderr.write(f"warning: {warning}\n")
    if ARCHIVE_SHA256 in names and cells.get(ARCHIVE) and not cells.get(ARCHIVE_SHA256):
        sys.stderr.write(
            f"note: {ARCHIVE_SHA256} not computed: pass --archive-dir DIR "
            "(or set GONGBAO_ARCHIVE), or fill it with 'sha256sum FILE'\n"
        )
    return 0
