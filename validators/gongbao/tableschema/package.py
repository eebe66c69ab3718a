"""The data package, read once: ``datapackage.json`` and its Table Schemas as a typed model.

:func:`read_package` works the same over a package directory, a zip file and the copy
installed in the wheel (any importlib ``Traversable``). Keys are always lists, references
always name their resource, every field's type is in the registry
(:mod:`gongbao.tableschema.types`). What makes a descriptor unusable is reported as rule
family 6 (descriptor safety) and the resource is left out; nothing under a path is opened
until the path has been checked.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..problems.catalogue import implements
from ..problems.report import Report
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
    source: Traversable  # where its bytes are (a Path for a package directory)
    schema: dict[str, Any]
    schema_path: str  # file the schema came from ("datapackage.json" when inline)
    fields: list[Field]
    entry: dict[str, Any] = field(default_factory=dict)  # the descriptor's resource entry

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
        """The resource's file in a package directory (writers need a real path)."""
        if not isinstance(self.source, Path):
            raise UsageError(f"{self.path}: the package is not a directory; cannot write")
        return self.source


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


_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def unsafe_reason(ref: str) -> str | None:
    """Why a path reference may not be followed, or None when it is safe."""
    if not ref:
        return "is empty"
    if _URL.match(ref) or ref.startswith("//"):
        return "is a URL"
    if ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", ref):
        return "is absolute"
    if ref.startswith("~") or "$" in ref:
        return "refers to a home directory or variable"
    if ".." in PurePosixPath(ref.replace("\\", "/")).parts:
        return "climbs out of the package with '..'"
    return None


def child(root: Traversable, ref: str) -> Traversable:
    """The file a safe, relative reference names under root."""
    node = root
    for part in ref.replace("\\", "/").split("/"):
        if part not in ("", "."):
            node = node / part
    return node


def locate(location: Path | Traversable) -> Traversable:
    """The package root for a directory, its datapackage.json, or a zip file holding one."""
    if not isinstance(location, Path):
        return location  # an installed package (importlib.resources)
    if location.name == DESCRIPTOR and location.is_file():
        return location.parent
    if location.is_file() and zipfile.is_zipfile(location):
        archive = zipfile.Path(location)
        if (archive / DESCRIPTOR).is_file():
            return archive
        tops = [p for p in archive.iterdir() if p.is_dir() and (p / DESCRIPTOR).is_file()]
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


def _line_of(text: str, value: str) -> int | None:
    """Line of the first JSON string equal to value, for messages that point into JSON."""
    index = text.find(json.dumps(value, ensure_ascii=False))
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


@implements("unsafe-path", "descriptor", "schema-file")
def read_package(location: Path | Traversable, report: Report | None = None) -> Package:
    """Read the descriptor and schemas; problems go to report (family 6).

    A resource with an unsafe path, a missing or unusable schema is left out of the package
    (it cannot be checked); UsageError when location is not a data package at all.
    """
    report = report if report is not None else Report()
    root = locate(location)
    try:
        text = (root / DESCRIPTOR).read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{DESCRIPTOR}: unreadable descriptor: {exc}") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UsageError(f"{DESCRIPTOR}: not a data package (no 'resources' list)")

    declared = {str(e.get("name")) for e in descriptor["resources"] if isinstance(e, dict)}
    resources: dict[str, Resource] = {}
    for index, entry in enumerate(descriptor["resources"]):
        resource = _read_resource(root, text, index, entry, report)
        if resource is not None:
            resources[resource.name] = resource
    broken = {name: schema_problems(r, resources, declared) for name, r in resources.items()}
    for name, problems in broken.items():
        for problem in problems:
            report.error("schema-file", problem, path=resources[name].schema_path)
    usable = {name: r for name, r in resources.items() if not broken[name]}
    return Package(root, descriptor, usable)  # nothing can be checked against a broken schema


def _read_resource(
    root: Traversable, text: str, index: int, entry: object, report: Report
) -> Resource | None:
    if (
        not isinstance(entry, dict)
        or not entry.get("name")
        or not isinstance(entry.get("path"), str)
    ):
        report.error("descriptor", f"resources[{index}] needs a name and a single path")
        return None
    name, ref, schema_ref = str(entry["name"]), entry["path"], entry.get("schema")
    line = _line_of(text, ref)
    if (reason := unsafe_reason(ref)) is not None:
        report.error(
            "unsafe-path",
            f"resource '{name}' path {ref!r} {reason}; not read",
            line=line,
            field="path",
        )
        return None
    if isinstance(schema_ref, dict):
        schema, schema_path = schema_ref, DESCRIPTOR
    elif isinstance(schema_ref, str):
        if (reason := unsafe_reason(schema_ref)) is not None:
            report.error(
                "unsafe-path",
                f"resource '{name}' schema {schema_ref!r} {reason}; not read",
                line=_line_of(text, schema_ref),
                field="schema",
            )
            return None
        schema_path = schema_ref
        try:
            schema = json.loads(child(root, schema_ref).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            report.error(
                "schema-file", f"schema of '{name}' cannot be read: {exc}", path=schema_ref
            )
            return None
    else:
        report.error("descriptor", f"resource '{name}' has no schema", line=line)
        return None
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        report.error("schema-file", f"schema of '{name}' has no 'fields' list", path=schema_path)
        return None
    fields = [
        Field(f["name"], str(f.get("type", "string")), f)
        for f in schema["fields"]
        if isinstance(f, dict) and isinstance(f.get("name"), str) and f["name"]
    ]
    return Resource(name, ref, child(root, ref), schema, schema_path, fields, entry)


def schema_problems(
    resource: Resource, resources: dict[str, Resource], declared: set[str]
) -> list[str]:
    """What makes a Table Schema unusable: unnamed or repeated fields, keys to nowhere, a type
    the registry does not support, a pattern the regex engine cannot compile.

    A foreign key to a resource the descriptor declares but that could not be read is not a
    problem of this schema (that resource's own problem is reported; the key is not checked).
    """
    problems = []
    for index, raw in enumerate(resource.schema["fields"]):
        if not (isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"]):
            problems.append(f"fields[{index}] of '{resource.name}' has no name")
    names = resource.field_names
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"field names repeat in '{resource.name}': {', '.join(repeated)}")
    for f in resource.fields:
        if f.type not in TYPES:
            problems.append(
                f"field '{f.name}' has type '{f.type}', which gongbao does not support "
                f"(supported: {', '.join(TYPES)})"
            )
        elif f.pattern is not None and (error := _pattern_error(f.pattern)) is not None:
            problems.append(f"field '{f.name}' has an invalid pattern {f.pattern!r}: {error}")
    for key in resource.primary_key:
        if key not in names:
            problems.append(f"primaryKey field '{key}' is not a field of '{resource.name}'")
    for fk in resource.foreign_keys:
        target = resources.get(fk.resource)
        if not fk.fields or not fk.reference_fields or len(fk.fields) != len(fk.reference_fields):
            problems.append(
                f"a foreign key of '{resource.name}' needs fields and reference "
                "fields of equal length"
            )
        elif any(f not in names for f in fk.fields):
            problems.append(
                f"foreign key fields {fk.fields} are not all fields of '{resource.name}'"
            )
        elif target is None and fk.resource not in declared:
            problems.append(
                f"foreign key of '{resource.name}' refers to resource "
                f"'{fk.resource}', which the package does not have"
            )
        elif target is not None and any(f not in target.field_names for f in fk.reference_fields):
            problems.append(
                f"foreign key of '{resource.name}' refers to {fk.reference_fields}, "
                f"not all fields of '{fk.resource}'"
            )
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
