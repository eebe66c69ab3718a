"""The type registry: one entry per Table Schema type gongbao supports, and nothing else.

Every consumer asks here: the validator (which cells are of the wrong type), ``gongbao.load``
(pandas dtypes), the release (SQLite column types, Excel cells), the docs and ``gongbao new``
(help text). A field whose type is not in :data:`TYPES` is refused when the package is read
(:mod:`gongbao.tableschema.package`), the same way for every command.

The value grammars follow the Table Schema specification, as frictionless reads it:

* ``number``: an optional sign, digits with an optional fraction and exponent (``97.6``,
  ``+5``, ``.5``, ``1e3``), or ``NaN``, ``INF``, ``-INF`` in any case;
* ``integer``: an optional sign and digits (``-5``, ``+5``, ``05``), at most 18 significant
  digits (what a 64-bit integer surely holds; pandas, SQLite and Excel keep no more);
* ``year``: four digits; ``date``: an existing ``YYYY-MM-DD``;
* ``boolean``: the field's ``trueValues``/``falseValues`` (default ``true``/``True``/``TRUE``/
  ``1`` and ``false``/``False``/``FALSE``/``0``);
* ``string``: any text; ``format: uri`` and ``format: email`` add a grammar.

A missing value is a cell equal to one of the schema's ``missingValues`` (default: the empty
string); the CSV reader turns it into a null before any type sees it.

The grammars are written for both RE2 (pyarrow's regex engine) and Python's ``re``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from .package import Field

Apply = Callable[[Callable[[Any], Any]], Any]
"""Runs an element-wise pyarrow function over a column (the validator passes a version that
works on distinct values); the default simply calls it."""

DEFAULT_TRUE = ("true", "True", "TRUE", "1")
DEFAULT_FALSE = ("false", "False", "FALSE", "0")

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:nan)|[+-]?(?i:inf)"
_FORMATS = {
    "uri": (r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+", "a URL"),
    "email": (r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address"),
}


def _escape(value: str) -> str:
    return "".join("\\" + c if not c.isalnum() else c for c in value)


@dataclass(frozen=True)
class FieldType:
    """What one Table Schema type means to every part of gongbao."""

    name: str
    help: str  # what a value looks like, for people (docs, `gongbao new --help`, hints)
    words: str  # "a number", as in "'316天' is not a number"
    arrow: pa.DataType  # the typed column the validator and the loader work on
    pandas: str  # pandas dtype of the typed column (nullable)
    sqlite: str  # SQLite column type
    excel_format: str  # Excel number format of a typed cell
    metavar: str  # command-line placeholder

    def grammar(self, field: Field) -> str | None:
        """The pattern a present value must match in full; None when any text will do."""
        if self.name == "number":
            return _NUMBER
        if self.name == "integer":
            return r"[+-]?0*[0-9]{1,18}"  # what a 64-bit integer surely holds
        if self.name == "year":
            return r"[0-9]{4}"
        if self.name == "date":
            return r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
        if self.name == "boolean":
            values = (*true_values(field), *false_values(field))
            return "|".join(_escape(v) for v in values)
        return _FORMATS[field.format][0] if field.format in _FORMATS else None

    def describe(self, field: Field) -> str:
        """'a number', 'a URL': what a value of this field should be."""
        if self.name == "string" and field.format in _FORMATS:
            return _FORMATS[field.format][1]
        if self.name == "boolean":
            return "one of " + ", ".join((*true_values(field), *false_values(field)))
        return self.words

    def parse(self, column: pa.ChunkedArray, field: Field, apply: Apply | None = None) -> Parsed:
        """Type a column of text cells (nulls are missing values).

        Returns the typed column, in which a cell that is not of this type is null, and a
        mask of those cells: nothing is coerced, a bad value is never silently changed.
        """
        apply = apply or (lambda func: func(column))
        pattern = self.grammar(field)
        ok = apply(lambda v: pc.match_substring_regex(v, f"^(?:{pattern})$")) if pattern else None
        if self.name == "date" and ok is not None:
            parsed = pc.strptime(
                pc.if_else(ok, column, None), format="%Y-%m-%d", unit="s", error_is_null=True
            )
            # strptime is lenient (2020-02-30 becomes 2020-03-01): a real date prints back the same.
            same = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), column), False)
            ok = pc.and_(ok, same)
        if ok is None:
            return Parsed(column, None)
        bad = pc.and_(pc.is_valid(column), pc.invert(ok))
        good = pc.if_else(ok, column, pa.scalar(None, pa.string()))
        return Parsed(_cast(self.name, good, field), bad)

    def python(self, text: str, field: Field) -> Any:
        """One valid cell as a Python value (an int for whole numbers, so 42 is not 42.0;
        NaN and infinities as written, since SQLite and Excel cannot store them)."""
        if self.name in ("integer", "year"):
            return int(text)
        if self.name == "number":
            if text.lstrip("+-").isdigit():
                return int(text)
            value = float(text)
            return value if math.isfinite(value) else text
        if self.name == "boolean":
            return text in true_values(field)
        if self.name == "date":
            return dt.date.fromisoformat(text)
        return text


@dataclass(frozen=True)
class Parsed:
    typed: pa.ChunkedArray  # the column in its type; cells that failed are null
    bad: pa.ChunkedArray | None  # True where a present cell is not of the type (None: all fine)


def true_values(field: Field) -> tuple[str, ...]:
    return tuple(field.raw.get("trueValues", DEFAULT_TRUE))


def false_values(field: Field) -> tuple[str, ...]:
    return tuple(field.raw.get("falseValues", DEFAULT_FALSE))


def _cast(kind: str, column: Any, field: Field) -> pa.ChunkedArray:
    if kind == "number":
        typed = pc.cast(column, pa.float64())
    elif kind in ("integer", "year"):
        if kind == "integer" and pc.any(pc.starts_with(column, "+")).as_py():
            column = pc.replace_substring_regex(column, r"^\+", "")  # Arrow's cast refuses +5
        typed = pc.cast(column, pa.int64())
    elif kind == "date":
        typed = pc.cast(
            pc.strptime(column, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32()
        )
    elif kind == "boolean":
        typed = pc.is_in(column, value_set=pa.array(true_values(field), pa.string()))
        typed = pc.if_else(pc.is_valid(column), typed, pa.scalar(None, pa.bool_()))
    else:
        typed = column
    return typed if isinstance(typed, pa.ChunkedArray) else pa.chunked_array([typed])


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(
            "string",
            "text",
            "text",
            pa.string(),
            "string[pyarrow]",
            "TEXT",
            "@",
            "TEXT",
        ),
        FieldType(
            "number",
            "a number such as 97.6, -5 or 1e3 (a point, never a comma)",
            "a number",
            pa.float64(),
            "Float64",
            "NUMERIC",  # SQLite keeps 42 an integer and 97.6 a real
            "General",
            "NUMBER",
        ),
        FieldType(
            "integer",
            "a whole number such as 42 or -5",
            "an integer",
            pa.int64(),
            "Int64",
            "INTEGER",
            "0",
            "INTEGER",
        ),
        FieldType(
            "year",
            "a four-digit year such as 2019",
            "a four-digit year",
            pa.int64(),
            "Int64",
            "INTEGER",
            "0",
            "YEAR",
        ),
        FieldType(
            "date",
            "a date YYYY-MM-DD such as 2020-04-02",
            "an existing date YYYY-MM-DD",
            pa.date32(),
            "datetime64[ms]",
            "TEXT",  # ISO 8601 text, which sorts and compares as dates do
            "yyyy-mm-dd",
            "YYYY-MM-DD",
        ),
        FieldType(
            "boolean",
            "true or false",
            "a boolean",
            pa.bool_(),
            "boolean",
            "INTEGER",  # 1 and 0
            "General",
            "BOOLEAN",
        ),
    )
}


def categorical(column: pa.ChunkedArray, categories: list[str], ordered: bool = False) -> Any:
    """A text column as a pandas Categorical over categories, coded by Arrow (pandas' own
    astype looks every value up in Python objects: 1 s per million). ValueError naming up to
    five values outside them."""
    import pandas as pd

    codes = pc.index_in(column, value_set=pa.array(categories, pa.string()))
    stray = pc.and_(pc.is_valid(column), pc.is_null(codes))
    if pc.any(stray).as_py():
        shown = ", ".join(repr(v) for v in pc.unique(column.filter(stray)).to_pylist()[:5])
        raise ValueError(shown)
    dtype = pd.CategoricalDtype(pd.Index(categories, dtype="string"), ordered=ordered)
    numbers = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(numbers, dtype=dtype)


def to_pandas(
    table: pa.Table,
    fields: list[Field],
    categorical_fields: bool = False,
    vocabularies: dict[str, list[str]] | None = None,
) -> Any:
    """Typed columns as a pandas DataFrame, with the registry's dtypes.

    With categorical_fields, a field with ``categories`` becomes a pandas Categorical over
    them (in schema order, ordered when ``categoriesOrdered`` is true), and a field named in
    vocabularies one over the codes given there (unordered); a value outside them raises
    ValueError rather than turning into NaN.
    """
    import pandas as pd

    arrow_to_dtype = {
        pa.string(): pd.StringDtype("pyarrow"),
        pa.float64(): pd.Float64Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    coded: dict[str, Any] = {}
    if categorical_fields:
        for field in fields:
            codes, ordered = (vocabularies or {}).get(field.name), False
            if field.categories:
                codes, ordered = field.categories, field.categories_ordered
            if codes is None:
                continue
            try:
                coded[field.name] = categorical(table.column(field.name), codes, ordered)
            except ValueError as exc:
                outside = "its categories" if field.categories else "its vocabulary table"
                raise ValueError(f"{field.name}: value(s) outside {outside}: {exc}") from None
    plain = table.drop_columns(list(coded)) if coded else table
    frame = plain.to_pandas(types_mapper=arrow_to_dtype.get, date_as_object=False)
    for field in fields:
        if field.type == "date":  # pyarrow before 13 gives nanoseconds
            frame[field.name] = frame[field.name].astype("datetime64[ms]")
    if not coded:
        return frame
    columns = {f.name: coded[f.name] if f.name in coded else frame[f.name] for f in fields}
    return pd.DataFrame(columns, index=frame.index)
