"""The data package, read once: ``datapackage.json`` and its Table Schemas as a typed model.

:func:`read_package` works the same over a package directory, a zip file and the copy
installed in the wheel (any importlib ``Traversable``). Keys are always lists, references
always name their resource, every field's type is in the registry
(:mod:`gongbao.tableschema.types`). What makes a descriptor unusable is reported as rule
family 6 (descriptor safety) and the resource is left out: a path that leaves the package
or names a link, FIFO or device (:mod:`gongbao.tableschema.files`, which opens every file),
two resources with one name or one file, a wrongly typed schema property (a constraint
written as a string, a length that is not an integer), JSON nested too deep to parse
safely. Nothing under a path is opened until the path has been checked, and a property is
used only once its type has been checked.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..problems.catalogue import implements
from ..problems.report import Report, shown
from .files import PackageFile, Refused, reference_problem
from .types import TYPES, FieldType

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema."""

    name: str
    type: str
    raw: dict[str, Any]  # the field as written, for properties gongbao does not model

    @property
    def kind(self) -> FieldType:
        return TYPES[self.type]

    @property
    def format(self) -> str:
        return str(self.raw.get("format") or "default")

    @property
    def description(self) -> str:
        return str(self.raw.get("description", ""))

    @property
    def constraints(self) -> dict[str, Any]:
        return dict(self.raw.get("constraints") or {})

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def unique(self) -> bool:
        return bool(self.constraints.get("unique"))

    @property
    def enum(self) -> list[str] | None:
        values = self.constraints.get("enum")
        return None if values is None else [str(v) for v in values]

    @property
    def pattern(self) -> str | None:
        return self.constraints.get("pattern")

    @property
    def categories(self) -> list[str] | None:
        """The field's categories as plain values (v2 also allows {"value", "label"})."""
        values = self.raw.get("categories")
        if not values:
            return None
        return [str(c["value"] if isinstance(c, dict) else c) for c in values]

    @property
    def categories_ordered(self) -> bool:
        return bool(self.raw.get("categoriesOrdered", False))

    @property
    def vocabulary(self) -> list[str]:
        """The values the field may take (its categories, else its enum); [] for free text."""
        return self.categories or self.enum or []

    @property
    def is_code(self) -> bool:
        """Cells that are codes or numbers: typed fields, and strings bound by a pattern."""
        return self.type != "string" or self.pattern is not None


@dataclass(frozen=True)
class ForeignKey:
    fields: list[str]
    resource: str  # the referenced resource (the table itself for a self-reference)
    reference_fields: list[str]


@dataclass
class Resource:
    """One table of the package: its name, file, and Table Schema."""

    name: str
    path: str  # as written in the descriptor, relative to the package root
    source: PackageFile  # its file, opened only through the checks of PackageFile
    schema: dict[str, Any]
    schema_path: str  # file the schema came from ("datapackage.json" when inline)
    fields: list[Field]
    entry: dict[str, Any] = field(default_factory=dict)  # the descriptor's resource entry
    schema_text: str | None = field(default=None, repr=False)  # its schema file, for lines

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def primary_key(self) -> list[str]:
        return _names(self.schema.get("primaryKey", []))

    @property
    def foreign_keys(self) -> list[ForeignKey]:
        keys = []
        for fk in self.schema.get("foreignKeys", []):
            reference = fk.get("reference", {})
            keys.append(
                ForeignKey(
                    _names(fk.get("fields")),
                    reference.get("resource") or self.name,
                    _names(reference.get("fields")),
                )
            )
        return keys

    @property
    def missing_values(self) -> list[str]:
        values = self.schema.get("missingValues", [""])
        return [str(v["value"] if isinstance(v, dict) else v) for v in values]

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or self.entry.get("description", ""))

    @property
    def file(self) -> Path:
        """The resource's file in a package directory, for writers: UsageError when it may
        not be rewritten (a zip, a symbolic link on the way, not a regular file)."""
        try:
            return self.source.writable()
        except Refused as refused:
            raise UsageError(f"{refused.about(self.path)}; not written") from None


@dataclass
class Package:
    root: Traversable  # the package's top folder (a Path for a directory)
    descriptor: dict[str, Any]
    resources: dict[str, Resource]

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    @property
    def name(self) -> str:
        return str(self.descriptor.get("name", "gongbao"))

    @property
    def title(self) -> str:
        return str(self.descriptor.get("title", self.name))

    @property
    def directory(self) -> Path | None:
        return self.root if isinstance(self.root, Path) else None

    def resource(self, name: str) -> Resource:
        try:
            return self.resources[name]
        except KeyError:
            known = ", ".join(self.resources)
            raise UsageError(f"no table named {name!r}; the tables are: {known}") from None


def child(root: Traversable, ref: str) -> PackageFile:
    """The file a relative reference names under root, opened only once it has been checked
    (:class:`~gongbao.tableschema.files.PackageFile`)."""
    return PackageFile(root, ref)


def locate(location: Path | Traversable) -> Traversable:
    """The package root for a directory, its datapackage.json, or a zip file holding one."""
    if not isinstance(location, Path):
        return location  # an installed package (importlib.resources)
    if "\x00" in str(location):
        raise UsageError(f"{str(location)!r}: a path cannot contain a NUL byte")
    if location.name == DESCRIPTOR and location.is_file():
        return location.parent
    if location.is_file() and zipfile.is_zipfile(location):
        try:
            archive = zipfile.Path(location)
            if (archive / DESCRIPTOR).is_file():
                return archive
            tops = [p for p in archive.iterdir() if p.is_dir() and (p / DESCRIPTOR).is_file()]
        except (OSError, zipfile.BadZipFile, ValueError) as exc:
            raise UsageError(f"{location}: unreadable zip: {exc}") from None
        if len(tops) == 1:  # a release zip with one top-level folder
            return tops[0]
        raise UsageError(f"{location}: the zip holds no datapackage.json")
    if location.is_dir() and (location / DESCRIPTOR).is_file():
        return location
    raise UsageError(
        f"{location}: no {DESCRIPTOR} here (give a package directory, its {DESCRIPTOR}, or a zip)"
    )


def shipped() -> Traversable:
    """The package installed with gongbao: in the wheel, or, in a source checkout (editable
    install), the repository the package directory belongs to."""
    inside = files("gongbao") / "package"
    if (inside / DESCRIPTOR).is_file():
        return inside
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / DESCRIPTOR).is_file() and (checkout / "validators" / "gongbao").is_dir():
        return checkout
    raise UsageError("the gongbao data package is not installed with this copy of gongbao")


# -- JSON -------------------------------------------------------------------------------------

JSON_LIMIT = 16 * 10**6
"""Largest descriptor or schema read, in bytes (the real ones are a few kB)."""
JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted (the real files nest 5 deep); checked
before parsing, so no hostile file reaches the parser's recursion limit."""

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads' object hook: a key written twice hides a value, so it is refused."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _too_deep(text: str) -> int | None:
    """Line where the nesting first goes deeper than JSON_DEPTH, or None."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > JSON_DEPTH:
                return text.count("\n", 0, token.start()) + 1
        elif bracket in "]}":
            depth -= 1
    return None


@dataclass(frozen=True)
class _JsonProblem:
    message: str
    line: int | None = None


def _parse_json(data: bytes) -> tuple[Any, str] | _JsonProblem:
    """(value, text) of a JSON file's bytes, or what makes it unusable (with its line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _JsonProblem(
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not UTF-8",
            data.count(b"\n", 0, exc.start) + 1,
        )
    if (line := _too_deep(text)) is not None:
        return _JsonProblem(f"JSON nested more than {JSON_DEPTH} levels deep; not read", line)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys), text
    except json.JSONDecodeError as exc:
        return _JsonProblem(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno)
    except _DuplicateKey as exc:
        return _JsonProblem(f"key {shown(str(exc))} appears twice in one object")
    except RecursionError:  # the depth check above keeps this from happening
        return _JsonProblem(f"JSON nested more than {JSON_DEPTH} levels deep; not read")


def _key_lines(text: str, key: str, value: object) -> list[int]:
    """Lines on which "key": value is written, in order (for messages that point into JSON)."""
    pattern = re.escape(json.dumps(key)) + r"\s*:\s*" + re.escape(json.dumps(value))
    found = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(pattern, text)]
    if not found and not isinstance(value, str | int | float | bool):
        return []
    if not found:  # written with escapes ensure_ascii would not use
        pattern = (
            re.escape(json.dumps(key))
            + r"\s*:\s*"
            + re.escape(json.dumps(value, ensure_ascii=False))
        )
        found = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(pattern, text)]
    return found


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


# -- the descriptor ---------------------------------------------------------------------------

_RESOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@implements("unsafe-path", "descriptor", "schema-file")
def read_package(location: Path | Traversable, report: Report | None = None) -> Package:
    """Read the descriptor and schemas; problems go to report (family 6).

    A resource with an unsafe path or file, a missing or unusable schema is left out of the
    package (it cannot be checked). A descriptor that cannot be used at all is a problem too
    (an empty package is returned); without a report, it raises UsageError instead, as does
    a location that is not a data package at all.
    """
    problems = report if report is not None else Report()
    root = locate(location)
    descriptor = _read_descriptor(root, problems)
    if descriptor is None:
        if report is None:
            first = problems.errors[0]
            where = DESCRIPTOR if first.line is None else f"{DESCRIPTOR}:{first.line}"
            raise UsageError(f"{where}: {first.message}")
        return Package(root, {}, {})
    value, text = descriptor
    entries: list[Any] = value["resources"]
    resources: dict[str, Resource] = {}
    files: dict[str, str] = {}  # normalised path -> the resource that lists it
    first_of: dict[str, int] = {}  # name -> index of the first entry with that name
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name in first_of:
            problems.error(
                "descriptor",
                f"resources[{index}] is named {shown(name)}, like resources[{first_of[name]}]: "
                "each name may be used once; this one is not read",
                line=_nth(_key_lines(text, "name", name), -1),
                field="name",
            )
            continue
        if isinstance(name, str):
            first_of[name] = index
        resource = _read_resource(root, text, index, entry, problems)
        if resource is None:
            continue
        where = "/".join(resource.source.parts)
        if where in files:
            problems.error(
                "descriptor",
                f"resource {shown(resource.name)} lists the file {shown(resource.path)}, "
                f"which resource {shown(files[where])} lists: each table may be listed once",
                line=_nth(_key_lines(text, "path", resource.path), -1),
                field="path",
            )
            continue
        files[where] = resource.name
        resources[resource.name] = resource
    declared = {str(e.get("name")) for e in entries if isinstance(e, dict)}
    broken = {name: schema_problems(r, resources, declared) for name, r in resources.items()}
    for name, found in broken.items():
        for message, line in found:
            problems.error("schema-file", message, path=resources[name].schema_path, line=line)
    usable = {name: r for name, r in resources.items() if not broken[name]}
    return Package(root, value, usable)  # nothing can be checked against a broken schema


def _nth(lines: list[int], index: int) -> int | None:
    try:
        return lines[index]
    except IndexError:
        return lines[-1] if lines else None


def _read_descriptor(root: Traversable, report: Report) -> tuple[dict[str, Any], str] | None:
    """The descriptor and its text; None (reported) when it cannot be used at all."""
    try:
        data = PackageFile(root, DESCRIPTOR, JSON_LIMIT).read_bytes()
    except Refused as refused:
        rule = "unsafe-path" if refused.kind == "unsafe" else "descriptor"
        report.error(rule, refused.about(DESCRIPTOR))
        return None
    parsed = _parse_json(data)
    if isinstance(parsed, _JsonProblem):
        report.error("descriptor", parsed.message, line=parsed.line)
        return None
    descriptor, text = parsed
    if not isinstance(descriptor, dict):
        report.error("descriptor", "not a data package: the descriptor is not a JSON object")
        return None
    entries = descriptor.get("resources")
    if not isinstance(entries, list):
        report.error(
            "descriptor",
            "not a data package: no 'resources' list",
            line=_nth(_key_lines(text, "resources", entries), 0)
            if "resources" in descriptor
            else None,
        )
        return None
    if not entries:
        report.error(
            "descriptor",
            "the 'resources' list is empty: the package has no table to check",
            line=_nth(_key_lines(text, "resources", []), 0),
        )
        return None
    return descriptor, text


def _read_resource(
    root: Traversable,
    text: str,
    index: int,
    entry: object,
    report: Report,
) -> Resource | None:
    if (
        not isinstance(entry, dict)
        or not entry.get("name")
        or not isinstance(entry.get("path"), str)
    ):
        report.error("descriptor", f"resources[{index}] needs a name and a single path")
        return None
    name, ref, schema_ref = entry["name"], entry["path"], entry.get("schema")
    if not isinstance(name, str) or not _RESOURCE_NAME.fullmatch(name):
        report.error(
            "descriptor",
            f"resources[{index}] has the name {shown(name)}: a name is lower-case letters, "
            "digits, '.', '-' and '_'",
            line=_nth(_key_lines(text, "name", name), 0),
            field="name",
        )
        return None
    line = _nth(_key_lines(text, "path", ref), 0)
    source = PackageFile(root, ref)
    if (reason := reference_problem(ref)) is not None:
        report.error(
            "unsafe-path",
            f"resource {shown(name)} path {shown(ref)} {reason}; not read",
            line=line,
            field="path",
        )
        return None
    if not _file_is_safe(source, ref, report):
        return None
    if isinstance(schema_ref, dict):
        schema, schema_path, schema_text = schema_ref, DESCRIPTOR, None
    elif isinstance(schema_ref, str):
        if (reason := reference_problem(schema_ref)) is not None:
            report.error(
                "unsafe-path",
                f"resource {shown(name)} schema {shown(schema_ref)} {reason}; not read",
                line=_nth(_key_lines(text, "schema", schema_ref), 0),
                field="schema",
            )
            return None
        schema_path = schema_ref
        try:
            data = PackageFile(root, schema_ref, JSON_LIMIT).read_bytes()
        except Refused as refused:
            rule = "unsafe-path" if refused.kind == "unsafe" else "schema-file"
            if refused.kind == "unsafe":
                report.error(rule, f"{refused.about(schema_ref)}; not read", path=schema_ref)
            else:
                report.error(
                    rule,
                    f"schema of {shown(name)} cannot be read: {refused.reason}",
                    path=schema_ref,
                )
            return None
        parsed = _parse_json(data)
        if isinstance(parsed, _JsonProblem):
            report.error(
                "schema-file",
                f"schema of {shown(name)}: {parsed.message}",
                path=schema_ref,
                line=parsed.line,
            )
            return None
        schema, schema_text = parsed
    else:
        report.error("descriptor", f"resource {shown(name)} has no schema", line=line)
        return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        report.error(
            "schema-file", f"schema of {shown(name)} has no 'fields' list", path=schema_path
        )
        return None
    fields = [
        Field(f["name"], str(f.get("type", "string")), f)
        for f in schema["fields"]
        if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"]
    ]
    return Resource(name, ref, source, schema, schema_path, fields, entry, schema_text)


def _file_is_safe(source: PackageFile, ref: str, report: Report) -> bool:
    """False (reported) when a resource's file is there but may not be opened: a symbolic
    link, a FIFO, a device. A missing file is the CSV reader's to report."""
    try:
        source.size()
    except Refused as refused:
        if refused.kind == "unsafe":
            report.error("unsafe-path", f"{refused.about(ref)}; not read", path=ref)
            return False
    return True


# -- Table Schema -----------------------------------------------------------------------------

_FIELD_TEXT = ("type", "format", "description", "title")
_FIELD_LISTS = ("trueValues", "falseValues")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _constraint_problem(key: str, value: object, field_type: str) -> str | None:
    """Why constraints.key cannot be used as written, or None."""
    if key in ("required", "unique"):
        ok, wanted = isinstance(value, bool), "true or false"
    elif key in ("minLength", "maxLength"):
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        wanted = "a non-negative integer"
    elif key == "pattern":
        ok, wanted = isinstance(value, str), "a string"
    elif key == "enum":
        ok = isinstance(value, list) and bool(value) and all(_is_scalar(v) for v in value)
        wanted = "a non-empty list of values"
    elif key in ("minimum", "maximum"):
        if field_type in ("integer", "year"):
            ok, wanted = _is_int(value), "an integer"
        elif field_type == "number":
            ok, wanted = _is_number(value), "a number"
        elif field_type == "date":
            ok = isinstance(value, str) and _DATE.fullmatch(value) is not None
            wanted = "a date written YYYY-MM-DD"
        elif field_type in TYPES:
            return f"constraints.{key} is not supported for type {shown(field_type)}"
        else:
            return None  # the type itself is reported
    else:
        return f"constraints.{key} is not a constraint gongbao checks"
    return None if ok else f"constraints.{key} must be {wanted}, not {shown(value)}"


def _field_problems(raw: dict[str, Any]) -> list[str]:
    """What is wrongly typed in one field's properties (a constraint written as a string,
    a length that is not a number, an enum that is not a list...): used as written, each
    would be misread (an enum string taken letter by letter) or crash a later step."""
    problems = []
    for key in _FIELD_TEXT:
        if key in raw and not isinstance(raw[key], str):
            problems.append(f"{key} must be a string, not {_json_kind(raw[key])}")
    for key in _FIELD_LISTS:
        value = raw.get(key)
        if key in raw and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            problems.append(f"{key} must be a list of strings")
    if "categories" in raw and not _is_values(raw["categories"], _is_scalar):
        problems.append('categories must be a list of values (or of {"value": ...} objects)')
    if "categoriesOrdered" in raw and not isinstance(raw["categoriesOrdered"], bool):
        problems.append("categoriesOrdered must be true or false")
    if "constraints" in raw:
        constraints = raw["constraints"]
        if not isinstance(constraints, dict):
            return [*problems, f"constraints must be an object, not {_json_kind(constraints)}"]
        field_type = str(raw.get("type", "string"))
        for key, value in constraints.items():
            if (problem := _constraint_problem(key, value, field_type)) is not None:
                problems.append(problem)
    return problems


def _is_values(values: object, test: Callable[[object], bool]) -> bool:
    """A list of values passing test, each possibly written {"value": ...} (Table Schema v2)."""
    if not isinstance(values, list):
        return False
    plain = [v["value"] if isinstance(v, dict) and "value" in v else v for v in values]
    return all(test(v) for v in plain)


def _json_kind(value: object) -> str:
    for kind, words in (
        (str, "a string"),
        (bool, "a boolean"),
        (int | float, "a number"),
        (list, "a list"),
        (dict, "an object"),
    ):
        if isinstance(value, kind):
            return words
    return "null"


def _schema_shape_problems(schema: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Wrongly typed schema-level properties, as (message, key to point at)."""
    problems: list[tuple[str, str | None]] = []
    if "primaryKey" in schema:
        key = schema["primaryKey"]
        if not (
            isinstance(key, str) or (isinstance(key, list) and all(isinstance(k, str) for k in key))
        ):
            problems.append(("primaryKey must be a field name or a list of them", "primaryKey"))
    if "missingValues" in schema and not _is_values(
        schema["missingValues"], lambda v: isinstance(v, str)
    ):
        problems.append(("missingValues must be a list of strings", "missingValues"))
    if "foreignKeys" in schema:
        keys = schema["foreignKeys"]
        if not isinstance(keys, list):
            problems.append(("foreignKeys must be a list", "foreignKeys"))
        else:
            for index, fk in enumerate(keys):
                reference = fk.get("reference") if isinstance(fk, dict) else None
                if not (
                    isinstance(fk, dict)
                    and _is_names(fk.get("fields"))
                    and isinstance(reference, dict)
                    and isinstance(reference.get("resource", ""), str)
                    and _is_names(reference.get("fields"))
                ):
                    problems.append(
                        (
                            f"foreignKeys[{index}] needs fields and a reference with a resource "
                            "and fields (names or lists of names)",
                            "foreignKeys",
                        )
                    )
    return problems


def _is_names(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    )


def schema_problems(
    resource: Resource, resources: dict[str, Resource], declared: set[str]
) -> list[tuple[str, int | None]]:
    """What makes a Table Schema unusable, as (message, line in its file when known):
    wrongly typed properties, unnamed or repeated fields, keys to nowhere, a type the
    registry does not support, a pattern the regex engine cannot compile.

    A foreign key to a resource the descriptor declares but that could not be read is not a
    problem of this schema (that resource's own problem is reported; the key is not checked).
    """
    text = resource.schema_text

    def line_of_field(name: str) -> int | None:
        return _nth(_key_lines(text, "name", name), 0) if text is not None else None

    def line_of_key(key: str | None) -> int | None:
        if text is None or key is None:
            return None
        found = re.search(re.escape(json.dumps(key)) + r"\s*:", text)
        return text.count("\n", 0, found.start()) + 1 if found else None

    problems: list[tuple[str, int | None]] = [
        (message, line_of_key(key)) for message, key in _schema_shape_problems(resource.schema)
    ]
    if problems:
        return problems  # the keys below cannot be read
    for index, raw in enumerate(resource.schema["fields"]):
        if not (isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"]):
            problems.append((f"fields[{index}] of {shown(resource.name)} has no name", None))
            continue
        for problem in _field_problems(raw):
            problems.append((f"field {shown(raw['name'])}: {problem}", line_of_field(raw["name"])))
    if problems:
        return problems
    names = resource.field_names
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(
            (
                f"field names repeat in {shown(resource.name)}: {', '.join(repeated[:10])}",
                line_of_field(repeated[0]),
            )
        )
    for f in resource.fields:
        if f.type not in TYPES:
            problems.append(
                (
                    f"field {shown(f.name)} has type {shown(f.type)}, which gongbao does not "
                    f"support (supported: {', '.join(TYPES)})",
                    line_of_field(f.name),
                )
            )
        elif f.pattern is not None and (error := _pattern_error(f.pattern)) is not None:
            problems.append(
                (
                    f"field {shown(f.name)} has an invalid pattern {shown(f.pattern)}: {error}",
                    line_of_field(f.name),
                )
            )
    for key in resource.primary_key:
        if key not in names:
            problems.append(
                (
                    f"primaryKey field {shown(key)} is not a field of {shown(resource.name)}",
                    line_of_key("primaryKey"),
                )
            )
    for fk in resource.foreign_keys:
        target = resources.get(fk.resource)
        message = None
        if not fk.fields or not fk.reference_fields or len(fk.fields) != len(fk.reference_fields):
            message = (
                f"a foreign key of {shown(resource.name)} needs fields and reference "
                "fields of equal length"
            )
        elif any(f not in names for f in fk.fields):
            message = f"foreign key fields {fk.fields} are not all fields of {shown(resource.name)}"
        elif target is None and fk.resource not in declared:
            message = (
                f"foreign key of {shown(resource.name)} refers to resource "
                f"{shown(fk.resource)}, which the package does not have"
            )
        elif target is not None and any(f not in target.field_names for f in fk.reference_fields):
            message = (
                f"foreign key of {shown(resource.name)} refers to {fk.reference_fields}, "
                f"not all fields of {shown(fk.resource)}"
            )
        if message is not None:
            problems.append((message, line_of_key("foreignKeys")))
    return problems


# One empty string, built from raw buffers: pa.array() would import pandas (a second or more).
_ONE_EMPTY_STRING = pa.Array.from_buffers(
    pa.string(), 1, [None, pa.py_buffer(bytes(8)), pa.py_buffer(b"")]
)


def _pattern_error(pattern: str) -> str | None:
    """Why pyarrow's regex engine (RE2) cannot use a pattern, or None."""
    try:
        pc.match_substring_regex(_ONE_EMPTY_STRING, f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return str(exc)
    return None
