"""gongbao: China's inter-regional eco-environmental cooperation, as a validated data package.

>>> import gongbao
>>> agreements = gongbao.load("agreements")          # a typed pandas DataFrame
>>> figures = gongbao.load("indicators", "path/to/a/package")
>>> pkg = gongbao.package()                           # a frictionless Package (gongbao[validate])
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import frictionless
    import pandas

try:
    __version__ = metadata.version("gongbao")  # built from datapackage.json's version
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "load", "package", "tables"]


def load(table: str, path: str | Path | None = None) -> pandas.DataFrame:
    """One table as a typed pandas DataFrame: of the installed package, or of the package at
    path (a directory, its datapackage.json, or a release zip)."""
    from .data import load as _load

    return _load(table, path)


def tables(path: str | Path | None = None) -> list[str]:
    """Names of the tables (of the installed package, or of the package at path)."""
    from .data import tables as _tables

    return _tables(path)


def package() -> frictionless.Package:
    """The installed data package as a frictionless Package (needs gongbao[validate])."""
    from .data import package as _package

    return _package()
