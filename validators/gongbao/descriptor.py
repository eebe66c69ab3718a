"""Reading datapackage.json and its Table Schemas, refusing unsafe paths (rule family 6).

Nothing under a resource path or schema reference is opened until the reference has been
checked: a path that is absolute, climbs out with '..', or is a URL is refused first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .problems import Report


class UsageError(Exception):
    """The command was pointed at something that is not a data package (exit code 2)."""


@dataclass
class Resource:
    """One table of the package: its name, file, and Table Schema."""

    name: str
    path: str  # as written in the descriptor, relative to the package directory
    file: Path
    schema: dict
    schema_path: str

    @property
    def fields(self) -> list[dict]:
        return self.schema.get("fields", [])

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields if isinstance(f, dict) and "name" in f]

    @property
    def primary_key(self) -> list[str]:
        pk = self.schema.get("primaryKey", [])
        return [pk] if isinstance(pk, str) else list(pk)

    @property
    def foreign_keys(self) -> list[dict]:
        return self.schema.get("foreignKeys", [])


@dataclass
class Package:
    root: Path
    descriptor: dict
    resources: dict[str, Resource]

    @property
    def version(self) -> str:
        return self.descriptor.get("version", "")


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


def find_descriptor(path: Path) -> Path:
    """Accept a package directory or its datapackage.json."""
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.is_file():
        raise UsageError(
            f"{path}: no datapackage.json here (give a package directory or its descriptor)"
        )
    return path


def _line_of(text: str, value: str) -> int | None:
    """Line of the first JSON string equal to value, for messages that point into JSON."""
    index = text.find(json.dumps(value, ensure_ascii=False))
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def load_package(path: Path, report: Report) -> Package:
    """Read the descriptor and schemas; report descriptor problems into report."""
    descriptor_path = find_descriptor(path)
    root = descriptor_path.parent
    try:
        text = descriptor_path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{descriptor_path}: unreadable descriptor: {exc}") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UsageError(f"{descriptor_path}: not a data package (no 'resources' list)")

    resources: dict[str, Resource] = {}
    for index, entry in enumerate(descriptor["resources"]):
        where = f"resources[{index}]"
        if (
            not isinstance(entry, dict)
            or not entry.get("name")
            or not isinstance(entry.get("path"), str)
        ):
            report.error(
                "descriptor", f"{where} needs a name and a single path", path="datapackage.json"
            )
            continue
        name, ref, schema_ref = entry["name"], entry["path"], entry.get("schema")
        line = _line_of(text, ref)
        if (reason := unsafe_reason(ref)) is not None:
            report.error(
                "unsafe-path",
                f"resource '{name}' path {ref!r} {reason}; not read",
                path="datapackage.json",
                line=line,
                field="path",
            )
            continue
        if isinstance(schema_ref, dict):
            schema, schema_path = schema_ref, "datapackage.json"
        elif isinstance(schema_ref, str):
            if (reason := unsafe_reason(schema_ref)) is not None:
                report.error(
                    "unsafe-path",
                    f"resource '{name}' schema {schema_ref!r} {reason}; not read",
                    path="datapackage.json",
                    line=_line_of(text, schema_ref),
                    field="schema",
                )
                continue
            schema_path = schema_ref
            try:
                schema = json.loads((root / schema_ref).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                report.error(
                    "schema-file", f"schema of '{name}' cannot be read: {exc}", path=schema_ref
                )
                continue
        else:
            report.error(
                "descriptor", f"resource '{name}' has no schema", path="datapackage.json", line=line
            )
            continue
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            report.error(
                "schema-file", f"schema of '{name}' has no 'fields' list", path=schema_path
            )
            continue
        resources[name] = Resource(name, ref, root / ref, schema, schema_path)
    broken = {name: schema_problems(resource, resources) for name, resource in resources.items()}
    for name, problems in broken.items():
        for problem in problems:
            report.error("schema-file", problem, path=resources[name].schema_path)
    usable = {name: r for name, r in resources.items() if not broken[name]}
    return Package(root, descriptor, usable)  # nothing can be checked against a broken schema


def _names(value: object) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def schema_problems(resource: Resource, resources: dict[str, Resource]) -> list[str]:
    """What makes a Table Schema unusable: unnamed or repeated fields, keys to nowhere."""
    problems = []
    names = []
    for index, field in enumerate(resource.fields):
        if isinstance(field, dict) and isinstance(field.get("name"), str) and field["name"]:
            names.append(field["name"])
        else:
            problems.append(f"fields[{index}] of '{resource.name}' has no name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"field names repeat in '{resource.name}': {', '.join(repeated)}")
    for key in _names(resource.schema.get("primaryKey", [])):
        if key not in names:
            problems.append(f"primaryKey field '{key}' is not a field of '{resource.name}'")
    for fk in resource.schema.get("foreignKeys", []):
        own = _names(fk.get("fields")) if isinstance(fk, dict) else []
        reference = fk.get("reference", {}) if isinstance(fk, dict) else {}
        target_name = reference.get("resource") or resource.name
        target = resources.get(target_name)
        theirs = _names(reference.get("fields"))
        if not own or not theirs or len(own) != len(theirs):
            problems.append(
                f"a foreign key of '{resource.name}' needs fields and reference "
                "fields of equal length"
            )
        elif any(f not in names for f in own):
            problems.append(f"foreign key fields {own} are not all fields of '{resource.name}'")
        elif target is None:
            problems.append(
                f"foreign key of '{resource.name}' refers to resource "
                f"'{target_name}', which the package does not have"
            )
        elif any(f not in target.field_names for f in theirs):
            problems.append(
                f"foreign key of '{resource.name}' refers to {theirs}, "
                f"not all fields of '{target_name}'"
            )
    return problems
