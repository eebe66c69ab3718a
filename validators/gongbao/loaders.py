"""The shipped data package as typed pandas DataFrames (``gongbao.load``).

The data travel inside the wheel (``gongbao/package/``) and are read with importlib.resources,
as bytes, so a zipped install works too; no file-system path is assumed.

Every cell is first read as the exact text in the CSV, then converted by its field's Table
Schema type, so no value is lost or silently re-typed. dtypes, by Table Schema type:

================================  ==============================================================
Table Schema                      pandas
================================  ==============================================================
``string``                        ``"string"`` (``StringDtype``; ``<NA>`` for an empty cell). Ids
                                  and codes stay text: ``500000`` and ``050000`` keep every digit.
``string`` with ``categories``    ``category`` (``Categorical`` over the schema's categories, in
                                  schema order; ordered when ``categoriesOrdered`` is true, so
                                  water-quality classes compare Ⅰ < Ⅱ < … < Ⅴ < 劣Ⅴ and levels
                                  national < province < prefecture < county).
``integer``, ``year``             ``Int64`` (nullable)
``number``                        ``Float64`` (nullable)
``date``                          ``datetime64[ms]`` (midnight, no time zone; ``NaT`` when empty),
                                  the unit the validation engine uses.
``boolean``                       ``boolean`` (nullable)
any other type                    ``"string"``, as written
================================  ==============================================================

``agreements.date`` is deliberately a Table Schema *string*, and stays a string here: it is an
ISO 8601 date at the precision the source states it (``2020``, ``2020-04`` or ``2020-04-01``,
see ``date_precision``). Turning it into a datetime would invent a month or day the source does
not give (``2020`` would become 2020-01-01). Compare it as text, or slice it
(``df["date"].str.slice(0, 4)`` is the year).

An empty cell (or one of the schema's ``missingValues``) is missing; the table's rows are in
file order and its columns in schema order.
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ._shipped import shipped_root
from .descriptor import unsafe_reason

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable  # Python 3.11+; typing only

    import frictionless

__all__ = [
    "DATE_DTYPE",
    "SchemaMismatchError",
    "TableData",
    "UnknownTableError",
    "load",
    "open_package",
    "package",
    "schema",
    "table_names",
]

DATE_DTYPE = "datetime64[ms]"

_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_NUMBER = re.compile(r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|INF|-INF)$")
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


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


class SchemaMismatchError(ValueError):
    """A cell or header does not fit the Table Schema (the package would not validate)."""


def _categories(field: dict) -> list[str] | None:
    """The field's categories as plain values (Data Package v2 allows {"value", "label"})."""
    categories = field.get("categories")
    if not categories:
        return None
    return [c["value"] if isinstance(c, dict) else c for c in categories]


def _missing_values(schema: dict) -> list[str]:
    values = schema.get("missingValues", [""])
    return [v["value"] if isinstance(v, dict) else v for v in values]


class TableData:
    """A data package on anything Traversable: an installed wheel, a zip, a directory.

    ``TableData(Path("."))`` reads a checkout; ``open_package()`` the shipped package.
    """

    def __init__(self, root: Traversable) -> None:
        self.root = root
        self.descriptor: dict = json.loads(self.read("datapackage.json").decode("utf-8"))
        self._resources = {r["name"]: r for r in self.descriptor.get("resources", [])}
        self._schemas: dict[str, dict] = {}

    # -- the descriptor ---------------------------------------------------------------------

    def _child(self, ref: str) -> Traversable:
        reason = unsafe_reason(ref)
        if reason is not None:
            raise SchemaMismatchError(f"path {ref!r} {reason}; not read")
        node = self.root
        for part in ref.replace("\\", "/").split("/"):
            if part not in ("", "."):
                node = node / part
        return node

    def read(self, ref: str) -> bytes:
        """Bytes of a file of the package, by its (safe, relative) reference."""
        return self._child(ref).read_bytes()

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", ""))

    def table_names(self) -> list[str]:
        return list(self._resources)

    def resource(self, name: str) -> dict:
        try:
            return self._resources[name]
        except (KeyError, TypeError):
            raise UnknownTableError(str(name), self._resources) from None

    def schema(self, name: str) -> dict:
        if name not in self._schemas:
            ref = self.resource(name).get("schema")
            if isinstance(ref, dict):
                self._schemas[name] = ref
            elif isinstance(ref, str):
                self._schemas[name] = json.loads(self.read(ref).decode("utf-8"))
            else:
                raise SchemaMismatchError(f"table {name!r} has no Table Schema")
        return self._schemas[name]

    def fields(self, name: str) -> list[dict]:
        return list(self.schema(name).get("fields", []))

    def primary_key(self, name: str) -> list[str]:
        key = self.schema(name).get("primaryKey", [])
        return [key] if isinstance(key, str) else list(key)

    def foreign_keys(self, name: str) -> list[dict]:
        """Foreign keys with list-form fields and the referenced resource filled in."""
        keys = []
        for fk in self.schema(name).get("foreignKeys", []):
            fields = fk["fields"]
            ref = fk.get("reference", {})
            ref_fields = ref.get("fields", [])
            keys.append(
                {
                    "fields": [fields] if isinstance(fields, str) else list(fields),
                    "resource": ref.get("resource") or name,  # "" or missing: the same table
                    "reference_fields": [ref_fields]
                    if isinstance(ref_fields, str)
                    else list(ref_fields),
                }
            )
        return keys

    # -- the data -----------------------------------------------------------------------------

    def raw_bytes(self, name: str) -> bytes:
        """The resource file's bytes, exactly as shipped."""
        return self.read(self.resource(name)["path"])

    def text_frame(self, name: str) -> pd.DataFrame:
        """Every cell as the exact text in the file (object dtype; missing cells are None)."""
        data = self.raw_bytes(name)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            encoding="utf-8",
            skip_blank_lines=True,
        )
        expected = [f["name"] for f in self.fields(name)]
        if list(frame.columns) != expected:
            raise SchemaMismatchError(
                f"{name}: header {list(frame.columns)} differs from the schema's fields {expected}"
            )
        missing = set(_missing_values(self.schema(name)))
        columns = {
            c: pd.Series([None if v in missing else v for v in frame[c]], dtype=object)
            for c in expected
        }
        return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), columns=expected)

    def frame(self, name: str) -> pd.DataFrame:
        """The table typed from its Table Schema (see the module docstring for the dtypes)."""
        text = self.text_frame(name)
        columns = {f["name"]: convert(text[f["name"]], f, name) for f in self.fields(name)}
        return pd.DataFrame(columns, index=pd.RangeIndex(len(text)))


def _bad(table: str, field: dict, values: pd.Series, what: str) -> SchemaMismatchError:
    sample = ", ".join(repr(v) for v in values.head(5))
    return SchemaMismatchError(
        f"{table}.{field['name']}: {len(values)} value(s) are not {what}: {sample}"
    )


def convert(cells: pd.Series, field: dict, table: str = "") -> pd.Series:
    """One column of text cells (None = missing) to the dtype of its Table Schema field."""
    kind = field.get("type", "string")
    present = cells.notna()
    values = cells[present]
    for unsupported in ("decimalChar", "groupChar", "bareNumber"):
        if unsupported in field:
            raise SchemaMismatchError(f"{table}.{field['name']}: {unsupported} is not supported")

    categories = _categories(field)
    if categories is not None:
        stray = values[~values.isin(categories)]
        if len(stray):  # a Categorical would turn them into NaN: refuse rather than lose them
            raise _bad(table, field, stray, "among the field's categories")
        dtype = pd.CategoricalDtype(
            pd.Index(categories, dtype="string"),
            ordered=bool(field.get("categoriesOrdered", False)),
        )
        strings = pd.Series(pd.array(cells.to_numpy(), dtype="string"), index=cells.index)
        categorical = strings.astype(dtype)
        categorical.name = cells.name
        return categorical

    if kind in ("integer", "year"):
        stray = values[~values.str.match(_INTEGER)]
        if len(stray):
            raise _bad(table, field, stray, "integers")
        out = pd.Series(pd.NA, index=cells.index, dtype="Int64", name=cells.name)
        out[present] = [int(v) for v in values]
        return out
    if kind == "number":
        stray = values[~values.str.match(_NUMBER)]
        if len(stray):
            raise _bad(table, field, stray, "numbers")
        out = pd.Series(pd.NA, index=cells.index, dtype="Float64", name=cells.name)
        out[present] = [float(v.replace("INF", "inf")) for v in values]
        return out
    if kind == "date":
        fmt = field.get("format", "default")
        if fmt in ("default", "any", None):
            fmt = "%Y-%m-%d" if fmt != "any" else None
        try:
            parsed = pd.to_datetime(cells, format=fmt, errors="raise")
        except (ValueError, TypeError) as exc:
            raise SchemaMismatchError(f"{table}.{field['name']}: not a date: {exc}") from None
        dates = parsed.astype("datetime64[ms]")  # DATE_DTYPE
        dates.name = cells.name
        return dates
    if kind == "boolean":
        true, false = field.get("trueValues", _TRUE), field.get("falseValues", _FALSE)
        stray = values[~values.isin([*true, *false])]
        if len(stray):
            raise _bad(table, field, stray, "booleans")
        out = pd.Series(pd.NA, index=cells.index, dtype="boolean", name=cells.name)
        out[present] = [v in true for v in values]
        return out
    return pd.Series(pd.array(cells.to_numpy(), dtype="string"), index=cells.index, name=cells.name)


# -- the shipped package --------------------------------------------------------------------


@functools.cache
def open_package() -> TableData:
    """The package shipped in the wheel."""
    return TableData(shipped_root())


def table_names() -> list[str]:
    """Names of the shipped tables, in descriptor order."""
    return open_package().table_names()


def schema(name: str) -> dict:
    """The Table Schema of a shipped table, as a dict."""
    return open_package().schema(name)


def load(name: str) -> pd.DataFrame:
    """One shipped table as a DataFrame typed from its Table Schema.

    >>> import gongbao
    >>> gongbao.load("jurisdictions")["code"].dtype
    <StringDtype(na_value=<NA>)>

    Raises UnknownTableError (a KeyError and ValueError) naming the tables for an unknown name.
    """
    return open_package().frame(name)


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
    root = shipped_root()
    if isinstance(root, Path) and root.is_dir():
        return root
    directory = Path(tempfile.mkdtemp(prefix="gongbao-package-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _copy_tree(root, directory)
    return directory


def package() -> frictionless.Package:
    """The shipped package as a ``frictionless.Package`` (resource paths stay relative).

    Its basepath is the installed package directory, or a temporary copy of it when the
    install is zipped: frictionless reads files by path, and refuses absolute ones.
    """
    import frictionless

    directory = _package_directory()
    descriptor: dict[str, Any] = json.loads((directory / "datapackage.json").read_bytes())
    return frictionless.Package(descriptor, basepath=str(directory))
