"""gongbao: China's inter-regional eco-environmental cooperation, as a validated data package.

>>> import gongbao
>>> agreements = gongbao.load("agreements")      # a typed pandas DataFrame
>>> pkg = gongbao.package()                       # the frictionless Package
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._shipped import shipped_version

if TYPE_CHECKING:
    import frictionless
    import pandas

__version__ = shipped_version()
__all__ = ["__version__", "load", "package", "tables"]


def load(name: str) -> pandas.DataFrame:
    """One table of the shipped package as a typed pandas DataFrame."""
    from .loaders import load as _load

    return _load(name)


def tables() -> list[str]:
    """Names of the shipped tables."""
    from .loaders import table_names

    return table_names()


def package() -> frictionless.Package:
    """The shipped data package as a frictionless Package."""
    from .loaders import package as _package

    return _package()
