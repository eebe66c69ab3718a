"""What every release file shares: the build time, reproducible zips, hashes, the project's
URL and license, constraints in words, and a table's cells as typed Python values.

Type knowledge is not here: a cell becomes a Python value through the type registry
(:mod:`gongbao.tableschema.types`), the one place that says what ``+5`` or ``NaN`` means.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..problems.report import Report
from ..tableschema.csvio import Table, read_table
from ..tableschema.package import Field, Package, Resource

BOM = b"\xef\xbb\xbf"
DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
LAST_EPOCH = 4354819199  # 2107-12-31T23:59:59Z, the latest
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LABEL_FIELDS = ("name_en", "title_en", "label_en", "title")  # what names a row, in order
CHANGELOG = "CHANGELOG.md"


class ReleaseError(Exception):
    """The package is valid, but a release format cannot hold it as it is (exit code 1):
    a control character Excel refuses, a value SQLite's keys refuse."""


def build_time() -> dt.datetime:
    """The one timestamp every release file carries (UTC, naive): SOURCE_DATE_EPOCH when set,
    so that rebuilding a release gives the same bytes, else 1980-01-01 (an earlier time is
    taken as 1980-01-01)."""
    configured = os.environ.get("SOURCE_DATE_EPOCH") or str(DEFAULT_EPOCH)
    if not (configured.isdecimal() and int(configured) <= LAST_EPOCH):
        raise UsageError(
            f"SOURCE_DATE_EPOCH={configured!r}: give seconds since 1970, at most {LAST_EPOCH} "
            "(the last time a zip entry can hold)"
        )
    epoch = max(int(configured), DEFAULT_EPOCH)
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).replace(tzinfo=None)


def reproducible_zip(members: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip with fixed timestamps, permissions and order: same members, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(directory: Path, name: str, data: bytes) -> str:
    """Write one release file under directory; returns its name (a POSIX relative path)."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


def project_url(package: Package) -> str | None:
    """Where the project lives: the descriptor's homepage, else gongbao's own source URL."""
    homepage = package.descriptor.get("homepage")
    if homepage:
        return str(homepage)
    try:
        urls = metadata.metadata("gongbao").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in map(str, urls):
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("source", "homepage", "repository"):
            return url.strip()
    return None


def first_license(package: Package) -> tuple[str, str, str]:
    """(name, title, URL) of the package's first license; the URL defaults to CC BY 4.0."""
    licenses = package.descriptor.get("licenses")
    first = licenses[0] if isinstance(licenses, list) and licenses else {}
    first = first if isinstance(first, dict) else {}
    name = str(first.get("name", ""))
    return name, str(first.get("title") or name), str(first.get("path") or LICENSE_URL)


def contributors(package: Package) -> str:
    """The contributors' names, comma-separated ('' when the descriptor names none)."""
    people = package.descriptor.get("contributors")
    people = people if isinstance(people, list) else []
    return ", ".join(str(c.get("title", "")) for c in people if isinstance(c, dict))


def package_description(package: Package) -> str:
    return str(package.descriptor.get("description", ""))


def label_field(resource: Resource) -> str | None:
    """The field that names a row for people (an English name or title), or None: what
    Datasette shows for a foreign key and the xlsx puts beside a code."""
    names = resource.field_names
    return next((label for label in LABEL_FIELDS if label in names), None)


def release_date(package: Package) -> str | None:
    """The date of this version's entry in CHANGELOG.md beside the package (the date the
    project says it released it), or None (no changelog, or the version is unreleased)."""
    try:
        text = (package.root / CHANGELOG).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(
        rf"^## \[{re.escape(package.version)}\] - ([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\s*$",
        text,
        re.M,
    )
    return found.group(1) if found else None


def release_url(package: Package) -> str | None:
    """Where this version is published: its GitHub release page, else the project's URL."""
    url = project_url(package)
    if url and re.fullmatch(r"https://github\.com/[^/]+/[^/]+", url.rstrip("/")):
        return f"{url.rstrip('/')}/releases/tag/v{package.version}"
    return url


def citation(package: Package) -> str:
    """How to cite this version: authors, year, title, version, release date and URL."""
    authors = contributors(package) or "gongbao contributors"
    date = release_date(package)
    year = f" ({date[:4]})" if date else ""
    released = f", released {date}" if date else " (unreleased)"
    url = release_url(package)
    return f"{authors}{year}. {package.title}. Version {package.version}{released}." + (
        f" {url}" if url else ""
    )


def _plain(text: str) -> str:
    return text


def constraint_text(
    field: Field, code: Callable[[str], str] = _plain, resource: Resource | None = None
) -> str:
    """A field's constraints and vocabulary in words (the xlsx, SQLite and docs use it).

    code formats literal values (patterns, vocabulary), e.g. as Markdown code spans. With
    the field's resource, a single-field foreign key is named too ("a key of
    levels.level"): a vocabulary that is a table lists its values there, not here.
    """
    constraints = field.constraints
    parts = []
    if field.unique:
        parts.append("unique")
    if field.pattern is not None:
        parts.append(f"pattern {code(field.pattern)}")
    for key, word in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ):
        if key in constraints:
            parts.append(f"{word} {constraints[key]}")
    if field.format != "default":
        parts.append(f"format {field.format}")
    if field.vocabulary:
        joiner = " < " if field.categories_ordered else ", "
        label = "ordered values" if field.categories_ordered else "values"
        parts.append(f"{label}: {joiner.join(code(v) for v in field.vocabulary)}")
    for fk in resource.foreign_keys if resource is not None else []:
        if fk.fields == [field.name]:
            parts.append(f"a key of {code(f'{fk.resource}.{fk.reference_fields[0]}')}")
    return "; ".join(parts)


def read_cells(resource: Resource, missing_values: bool = True) -> Table:
    """A resource's cells as text, read by the validator's reader (so a release holds what
    was validated); with missing_values, the schema's missingValues are null."""
    table = read_table(resource, Report(), missing_values)
    if table is None:
        raise ReleaseError(f"{resource.path}: cannot be read (did it change while releasing?)")
    return table


def typed_rows(table: Table) -> list[tuple[Any, ...]]:
    """The table's rows as Python values, through the type registry (an int for 42, a float
    for 97.6, a bool, a date; text for strings and for NaN/INF); None for a missing cell."""
    columns = []
    for field in table.resource.fields:
        python = field.kind.python
        texts = table.column(field.name).to_pylist()
        columns.append([None if text is None else python(text, field) for text in texts])
    return list(zip(*columns, strict=True))
