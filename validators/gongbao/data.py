"""The data as typed pandas DataFrames (``gongbao.load``): the shipped copy or any package.

Tables are read by the validator's strict CSV reader and typed by the type registry
(:mod:`gongbao.tableschema.types`), so ``load`` accepts exactly the values ``gongbao
validate`` accepts, and refuses a damaged file with the file and line rather than loading
half of it. dtypes, by Table Schema type:

================================  ==============================================================
Table Schema                      pandas
================================  ==============================================================
``string``                        ``string[pyarrow]`` (``<NA>`` for a missing cell). Ids and
                                  codes stay text: ``500000`` and ``050000`` keep every digit.
``string`` with ``categories``    ``category`` over the schema's categories, in schema order;
                                  ordered when ``categoriesOrdered`` is true, so water-quality
                                  classes compare Ⅰ < Ⅱ < … < Ⅴ < 劣Ⅴ.
``string`` key of a vocabulary    ``category`` over the vocabulary table's codes (a table with
                                  a one-field key and a ``label_en``, such as ``levels`` or
                                  ``instrument_types``), in its ``rank`` order where it has
                                  one, else in file order; unordered. A new row of the
                                  vocabulary is a new category.
``integer``, ``year``             ``Int64`` (nullable)
``number``                        ``Float64`` (nullable)
``date``                          ``datetime64[ms]`` (midnight, no time zone; ``NaT`` if missing)
``boolean``                       ``boolean`` (nullable)
================================  ==============================================================

``agreements.date`` is deliberately a Table Schema *string*, and stays a string here: an ISO
8601 date at the precision the source states it (``2020``, ``2020-04``, ``2020-04-01``, or
``XXXX-10-27`` when the year is unknown). A datetime would invent a month or day the source
does not give; ``date_earliest`` and ``date_latest`` are the dates to plot.

A missing cell is an empty cell, or one of the schema's ``missingValues``; rows are in file
order and columns in schema order.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from .background import start_import
from .errors import require
from .problems.report import Report
from .rules.render import text_line
from .tableschema.csvio import read_table
from .tableschema.package import Package, Resource, read_package, shipped
from .tableschema.types import to_pandas

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import frictionless
    import pandas as pd

__all__ = ["DataError", "UnknownTableError", "load", "open_package", "package", "tables"]


class UnknownTableError(KeyError, ValueError):
    """No table of that name; the message lists the names there are.

    A KeyError (like a missing dict key) and a ValueError (a bad argument) alike, so either
    ``except`` catches it.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"no table named {self.name!r}; the tables are: {', '.join(self.known)}"


class DataError(ValueError):
    """A table cannot be loaded as its Table Schema says (the package would not validate):
    the message gives the file, the line and what is wrong."""


@functools.cache
def _shipped_package() -> Package:
    return _read(shipped())


def _read(location: Path | Traversable) -> Package:
    report = Report()
    package = read_package(location, report)
    if report.errors:
        raise DataError("\n".join(text_line(p) for p in report.errors))
    return package


def open_package(path: str | Path | None = None) -> Package:
    """The package at path (a directory, its datapackage.json or a zip), or the shipped one."""
    return _shipped_package() if path is None else _read(Path(path))


def tables(path: str | Path | None = None) -> list[str]:
    """Names of the tables, in descriptor order."""
    return list(open_package(path).resources)


def load(table: str, path: str | Path | None = None) -> pd.DataFrame:
    """One table as a DataFrame typed from its Table Schema.

    path is a package directory, its datapackage.json or a release zip; by default the copy
    installed with gongbao is read.

    >>> import gongbao
    >>> gongbao.load("jurisdictions")["code"].dtype
    string[pyarrow]

    Raises UnknownTableError (a KeyError and ValueError) naming the tables for an unknown
    name, DataError naming the file and line for a damaged file.
    """
    package = open_package(path)
    if table not in package.resources:
        raise UnknownTableError(str(table), package.resources)
    resource = package.resources[table]
    importing = start_import("pandas")  # loads while pyarrow reads and types the file
    try:
        columns = _typed_columns(resource)
    finally:
        importing.join()
    try:
        vocabularies = _vocabulary_fields(package, resource)
        frame: pd.DataFrame = to_pandas(columns, resource.fields, True, vocabularies)
        return frame
    except ValueError as exc:
        raise DataError(f"{resource.path}: {exc}") from None


def _typed_columns(resource: Resource) -> pa.Table:
    """The resource's cells, typed by the type registry; DataError at the first defect."""
    report = Report()
    read = read_table(resource, report)
    if read is None or report.errors:
        raise DataError("\n".join(text_line(p) for p in report.errors))
    typed = []
    for field in resource.fields:
        parsed = read.parse(field)  # as the schema family types it
        if parsed.bad is not None and pc.any(parsed.bad).as_py():
            row = pc.index(parsed.bad, True).as_py()
            value = read.column(field.name)[row].as_py()
            raise DataError(
                f"{resource.path}:{read.lines[row]}: {field.name}: type: "
                f"{value!r} is not {field.kind.describe(field)}"
            )
        typed.append(parsed.typed)
    return pa.table(typed, names=resource.field_names)


def _is_vocabulary(resource: Resource) -> bool:
    """A table that only classifies: a one-field key and an English label (levels, regions,
    instrument_types, mechanism_types, metrics…)."""
    return len(resource.primary_key) == 1 and "label_en" in resource.field_names


def _vocabulary_fields(package: Package, resource: Resource) -> dict[str, list[str]]:
    """Field -> the codes of the vocabulary table its foreign key points into."""
    out: dict[str, list[str]] = {}
    for fk in resource.foreign_keys:
        target = package.resources.get(fk.resource)
        if len(fk.fields) != 1 or target is None or not _is_vocabulary(target):
            continue
        if fk.reference_fields != target.primary_key:
            continue
        table = read_table(target, Report())
        if table is None:
            continue
        codes = table.column(target.primary_key[0]).to_pylist()
        if "rank" in target.field_names:  # levels: national, province, … by rank, then the rest
            ranks = table.column("rank").to_pylist()
            order = sorted(range(len(codes)), key=lambda i: (ranks[i] is None, int(ranks[i] or 0)))
            codes = [codes[i] for i in order]
        out[fk.fields[0]] = [str(c) for c in codes if c is not None]
    return out


def _copy_tree(source: Traversable, target: Path) -> None:
    for child in source.iterdir():
        if child.is_dir():
            (target / child.name).mkdir()
            _copy_tree(child, target / child.name)
        elif child.is_file():
            (target / child.name).write_bytes(child.read_bytes())


@functools.cache
def _package_directory() -> Path:
    """A real directory holding the shipped package, for libraries that need paths.

    A normal install already has one. A zipped install (zipimport, a zipapp) has none, so
    the package is copied, as bytes, into a temporary directory removed at exit.
    """
    root = shipped()
    if isinstance(root, Path) and root.is_dir():
        return root
    directory = Path(tempfile.mkdtemp(prefix="gongbao-package-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _copy_tree(root, directory)
    return directory


def package() -> frictionless.Package:
    """The shipped package as a ``frictionless.Package`` (needs ``gongbao[validate]``).

    Its basepath is the installed package directory, or a temporary copy of it when the
    install is zipped: frictionless reads files by path, and refuses absolute ones.
    """
    require("frictionless", "validate")
    import frictionless

    directory = _package_directory()
    descriptor: dict[str, Any] = json.loads((directory / "datapackage.json").read_bytes())
    return frictionless.Package(descriptor, basepath=str(directory))
