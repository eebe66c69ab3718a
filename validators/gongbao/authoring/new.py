"""Scaffolding rows (``gongbao new``): append a well-formed row with a fresh id, then fill it.

    gongbao new TABLE [PATH] [--FIELD VALUE ...] [--set FIELD=VALUE ...] [--id ID] [--dry-run]

Everything about a table comes from the package model: the options (one ``--field-name``
per field, with the field's description, its allowed codes and the registry's words for its
type, so ``gongbao new agreement --help`` documents the table), the column order and the
key. TABLE is a resource name (``agreements``) or its singular (``agreement``).

The id is made by the table's convention (:mod:`gongbao.authoring.ids`), cells that follow
from others are filled (:mod:`gongbao.authoring.derive`: a jurisdiction's name, level, parent
and division type from the GB/T 2260 reference, an act's date bounds), a new organization
whose name another body already has is refused, and the row is checked by the
validator's own rules on the table as it would be written
(:mod:`gongbao.authoring.candidate`): a row ``gongbao validate`` would reject for its
values is refused (exit 2, nothing written), a reference to a row not added yet is a
warning, and empty required cells are listed to fill. The file is then rewritten in
canonical form, atomically, and the command prints the new id and its ``file:line``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from pathlib import Path

from ..arguments import ArgumentParser, add_path
from ..errors import Exit, UsageError
from ..model import normalise_name
from ..problems.report import Report
from ..rules.provenance import file_sha256
from ..rules.render import text_line
from ..tableschema.csvio import Table, csv_line, write_atomically
from ..tableschema.package import Field, Package, Resource, read_package, shipped
from .candidate import Candidate, PackageTables, candidate
from .derive import derive
from .fmt import read_as_written
from .ids import fresh, generate_id, id_separator, option_name

FLAGS = frozenset({"-h", "--help", "--dry-run"})  # the only options that take no value

# Fields the `new source` archive helper fills (present only in tables that have them).
ARCHIVE, ARCHIVE_SHA256 = "archive", "archive_sha256"
JURISDICTIONS, ORGANIZATIONS = "jurisdictions", "organizations"


# -- tables and their options ---------------------------------------------------------------


def singular(name: str) -> str:
    """parties -> party, sources -> source, organization_aliases -> organization_alias."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("ases"):
        return name[:-2]
    return name[:-1] if name.endswith("s") else name


def find_resource(package: Package, table: str) -> Resource:
    wanted = table.strip().lower().replace("-", "_")
    for name, resource in package.resources.items():
        if wanted in (name, singular(name)):
            return resource
    known = ", ".join(f"{singular(n)} ({n})" for n in package.resources)
    raise UsageError(f"unknown table {table!r}; the package has: {known}")


def _escape(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help strings with %


def field_help(field: Field) -> str:
    """The description, then what the schema and the type registry say a value must be."""
    parts = [field.description]
    if field.required:
        parts.append("[required]")
    if field.vocabulary:
        parts.append("One of: " + ", ".join(field.vocabulary) + ".")
    elif field.type != "string":
        parts.append(f"Value: {field.kind.help}.")
    elif field.kind.grammar(field) is not None:  # a string format such as uri
        parts.append(f"Value: {field.kind.describe(field)}.")
    if field.pattern is not None:
        parts.append(f"Pattern: {field.pattern}.")
    return _escape(" ".join(p for p in parts if p))


def metavar(field: Field) -> str:
    return "CODE" if field.vocabulary else field.kind.metavar


def table_parser(resource: Resource) -> argparse.ArgumentParser:
    """The options of ``gongbao new TABLE``: one per schema field, plus the helpers."""
    parser = ArgumentParser(
        prog=f"gongbao new {singular(resource.name)}",
        usage=f"gongbao new {singular(resource.name)} [PATH] [options]",
        description=_escape(f"Append a row to {resource.path}: {resource.description}"),
        epilog="Option names take '-' or '_' (--title-en or --title_en). A cell can also be "
        "given as --set FIELD=VALUE.",
        allow_abbrev=False,
    )
    add_path(parser)
    helpers = parser.add_argument_group("scaffolding")
    helpers.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        dest="assignments",
        help="set a cell by field name (repeatable)",
    )
    key = resource.primary_key
    single_id = len(key) == 1
    if single_id:
        helpers.add_argument(
            "--id",
            metavar="ID",
            dest="row_id",
            help=f"use this {key[0]} instead of the generated one",
        )
    if resource.name == JURISDICTIONS and "date" not in resource.field_names:
        helpers.add_argument(
            "--date",
            metavar="YYYY[-MM]",
            dest="reference_date",
            help="the date of the facts the jurisdiction is for: name_zh is the name the "
            "GB/T 2260 reference gives the code then (default: its current name)",
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
    taken = {"--set", "--id", "--archive-dir", "--dry-run", "--help", "--date"}
    for field in resource.fields:
        name = field.name
        flags = [option_name(name)]
        # A reference such as source_id may also be given as --source (the brief form).
        is_key = single_id and name == key[0]
        short = option_name(name[:-3]) if name.endswith("_id") and not is_key else None
        if short and short not in taken and name[:-3] not in resource.field_names:
            flags.append(short)
        taken.update(flags)
        fields.add_argument(
            *flags, dest=f"field:{name}", metavar=metavar(field), help=field_help(field)
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


# -- the row --------------------------------------------------------------------------------


def given_cells(resource: Resource, args: argparse.Namespace) -> dict[str, str]:
    """The cells given on the command line (field options, --set, --id), non-empty ones.

    Only the arguments are checked here (a field that exists, a cell given once); whether
    the values are right is for the validator's rules (:mod:`gongbao.authoring.candidate`).
    """
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
    row_id = getattr(args, "row_id", None)
    if row_id is not None:
        (key,) = resource.primary_key
        if cells.get(key, row_id) != row_id:
            raise UsageError(f"{key} is given twice, as {cells[key]!r} and {row_id!r}")
        cells[key] = row_id
    return {name: value for name, value in cells.items() if value != ""}


def fill_archive_hash(resource: Resource, cells: dict[str, str], args: argparse.Namespace) -> None:
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
    digest = file_sha256(capture)
    if cells.get(ARCHIVE_SHA256, digest) != digest:
        raise UsageError(
            f"{ARCHIVE_SHA256} given as {cells[ARCHIVE_SHA256]} but {capture} has SHA-256 {digest}"
        )
    cells[ARCHIVE_SHA256] = digest


def existing_rows(resource: Resource) -> Table | None:
    """The table's rows exactly as written (None when its file does not exist yet).

    A file that a rewrite could damage (not UTF-8, a wrong header, a ragged row...) is
    refused, as ``gongbao fmt`` refuses it: the row is not added.
    """
    if not resource.source.is_file():
        return None
    read = read_as_written(resource)
    if read.table is None:
        raise UsageError(f"cannot add a row to {resource.path}: {read.refusal()}")
    return read.table


def assign_key(
    resource: Resource, cells: dict[str, str], existing: Table | None, tables: PackageTables
) -> None:
    """Make the row's id when the table has a single key and none was given; then every key
    cell must be there (a row must be findable to be filled)."""
    key = resource.primary_key
    if len(key) == 1 and not cells.get(key[0]):
        base = generate_id(resource, cells, tables.rows)
        if base is None:
            raise UsageError(f"{resource.name} ids are not generated: give {option_name(key[0])}")
        taken = set() if existing is None else set(existing.column(key[0]).to_pylist())
        cells[key[0]] = fresh(base, taken, id_separator(resource.field(key[0])))
    missing = [k for k in key if not cells.get(k)]
    if missing:
        raise UsageError(
            f"{resource.name} rows are keyed by {', '.join(key)}: give "
            + " ".join(f"{option_name(k)} ..." for k in missing)
        )


def _first_sentence(text: str, limit: int = 70) -> str:
    sentence = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.;])\s", text, maxsplit=1)[0].rstrip(";,:")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def vocabulary_codes(resource: Resource, name: str, tables: PackageTables) -> str | None:
    """'a, b, c (instrument_types)': the codes of the vocabulary table a field's foreign key
    points into (a table with a one-field key and an English label), or None."""
    for fk in resource.foreign_keys:
        target = tables.package.resources.get(fk.resource)
        if fk.fields != [name] or target is None or target.primary_key != fk.reference_fields:
            continue
        if len(target.primary_key) != 1 or "label_en" not in target.field_names:
            continue
        codes = [r[target.primary_key[0]] for r in tables.rows(target.name)]
        return f"{', '.join(codes)} ({target.name}; a new one is a new row there)"
    return None


def still_to_fill(row: Candidate, tables: PackageTables | None = None) -> list[str]:
    """Lines listing the required cells the validator finds empty, then the optional ones."""
    lines = []
    unfilled = [row.resource.field(name) for name in row.unfilled]
    if unfilled:
        lines.append("required cells still empty:")
        width = max(len(f.name) for f in unfilled)
        for field in unfilled:
            codes = None if tables is None else vocabulary_codes(row.resource, field.name, tables)
            if field.vocabulary:
                what = "one of: " + ", ".join(field.vocabulary)
            elif codes:
                what = "one of: " + codes
            else:
                what = _first_sentence(field.description)
            lines.append(f"  {field.name:<{width}}  {what}")
    else:
        lines.append("all required cells are filled")
    fields = zip(row.resource.fields, row.values, strict=True)
    optional = [field.name for field, value in fields if not value and not field.required]
    if optional:
        lines.append("optional cells left empty: " + ", ".join(optional))
    return lines


def refuse_duplicate_name(resource: Resource, cells: dict[str, str], tables: PackageTables) -> None:
    """A new organization whose name another body has (as name or alias) is refused, in the
    words of rule duplicate-organization: add an alias to that body instead."""
    if resource.name != ORGANIZATIONS or not cells.get("name_zh"):
        return
    wanted = normalise_name(cells["name_zh"])
    names = [(r["org_id"], r["name_zh"]) for r in tables.rows(ORGANIZATIONS)]
    names += [(r["org_id"], r["alias_zh"]) for r in tables.rows("organization_aliases")]
    for org_id, name in names:
        if org_id != cells.get("org_id") and name and normalise_name(name) == wanted:
            raise UsageError(
                f"duplicate-organization: {cells['name_zh']} is also a name of {org_id} "
                f"({name}); use that organization, and record this wording as its alias "
                "(gongbao new organization_alias)"
            )


# -- the command ----------------------------------------------------------------------------


def _load(path: Path, wants_help: bool) -> Package:
    """The package at path; for --help outside a package, the one installed with gongbao.

    UsageError when its descriptor is unusable or names an unsafe file: new writes into the
    package, so it refuses one the validator would refuse to read.
    """
    report = Report()
    try:
        package = read_package(path, report)
    except UsageError:
        if not wants_help:
            raise
        return read_package(shipped())
    refused = [p for p in report.errors if p.rule in ("descriptor", "unsafe-path")]
    if refused:
        raise UsageError(f"{text_line(refused[0])}; run gongbao validate")
    return package


def _write(resource: Resource, data: bytes) -> None:
    file = resource.file
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(file, data)
    except OSError as exc:
        raise UsageError(f"cannot write {resource.path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> Exit:
    tokens = [_normalise_option(t) for t in args.rest]
    wants_help = any(t in ("-h", "--help") for t in tokens)
    package = _load(Path(split_path(tokens)), wants_help)
    resource = find_resource(package, args.table)
    options = table_parser(resource).parse_args(tokens)
    cells = given_cells(resource, options)
    fill_archive_hash(resource, cells, options)

    tables = PackageTables(package)
    existing = existing_rows(resource)
    derived = derive(resource, cells, tables.rows, getattr(options, "reference_date", None))
    assign_key(resource, cells, existing, tables)
    refuse_duplicate_name(resource, cells, tables)
    row = candidate(
        resource, existing, [cells.get(name, "") for name in resource.field_names], tables
    )
    if row.errors:
        raise UsageError(
            "; ".join(text_line(dataclasses.replace(p, line=None)) for p in row.errors)
        )

    shown_path = os.path.normpath(os.path.join(str(package.root), resource.path))
    ident = ", ".join(cells[k] for k in resource.primary_key)
    out = sys.stdout
    if options.dry_run:
        out.write(f"would add {resource.name} row {ident} at {shown_path}:{row.line}:\n")
        out.write("  " + csv_line(row.values))
    else:
        _write(resource, row.written.data)
        out.write(f"added {resource.name} row {ident} at {shown_path}:{row.line}\n")
    for what in derived:
        out.write(f"filled {what}\n")
    for line in still_to_fill(row, tables):
        out.write(line + "\n")
    for problem in row.dangling:
        sys.stderr.write(text_line(dataclasses.replace(problem, severity="warning")) + "\n")
    if (
        ARCHIVE_SHA256 in resource.field_names
        and cells.get(ARCHIVE)
        and not cells.get(ARCHIVE_SHA256)
    ):
        sys.stderr.write(
            f"note: {ARCHIVE_SHA256} not computed: pass --archive-dir DIR "
            "(or set GONGBAO_ARCHIVE), or fill it with 'sha256sum FILE'\n"
        )
    return Exit.OK
