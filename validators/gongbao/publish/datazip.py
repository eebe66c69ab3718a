"""``gongbao-X.Y.Z.zip``: the data package as published.

datapackage.json gains ``bytes`` and ``hash`` (``sha256:<hex>``, the Data Package v2 form,
which frictionless checks) for every resource; the Table Schemas and CSVs go in as they are,
with README/LICENSE/LICENSE-DATA/CHANGELOG/CITATION and the README's charts where present.
``frictionless validate gongbao-X.Y.Z.zip`` reads it, and so does ``gongbao validate``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from ..tableschema.package import DESCRIPTOR, Package, child
from .common import reproducible_zip, sha256, write

EXTRA_FILES = (
    "README.md",
    "LICENSE",
    "LICENSE-DATA",
    "CHANGELOG.md",
    "CITATION.cff",
    "docs/img/agreements-timeline.svg",
    "docs/img/cooperation-network.svg",
)


def build(package: Package, directory: Path, when: dt.datetime) -> list[str]:
    name, data = package_zip(package, when)
    return [write(directory, name, data)]


def package_zip(package: Package, when: dt.datetime) -> tuple[str, bytes]:
    """The zip's name and bytes: descriptor first, then the documents, then schemas and data
    in path order (a fixed order, so the bytes are reproducible)."""
    descriptor = copy.deepcopy(package.descriptor)
    members: dict[str, bytes] = {}
    for entry in descriptor["resources"]:
        resource = package.resources[entry["name"]]
        raw = resource.source.read_bytes()
        entry["bytes"] = len(raw)
        entry["hash"] = f"sha256:{sha256(raw)}"
        members[resource.path] = raw
        if isinstance(entry.get("schema"), str):
            members[resource.schema_path] = child(package.root, resource.schema_path).read_bytes()
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    ordered = [(DESCRIPTOR, text.encode("utf-8"))]
    for extra in EXTRA_FILES:
        document = child(package.root, extra)
        if document.is_file():
            ordered.append((extra, document.read_bytes()))
    ordered += sorted(members.items())
    return f"{package.name}-{package.version}.zip", reproducible_zip(ordered, when)
