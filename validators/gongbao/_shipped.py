"""Where the shipped data package lives inside the installed wheel.

The wheel carries datapackage.json, schemas/ and data/ under ``gongbao/package``. They are
read through importlib.resources, which also works from a zipped install; nothing here
assumes a file-system path.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def shipped_root() -> Traversable:
    return files("gongbao") / "package"


def shipped_descriptor() -> dict:
    return json.loads((shipped_root() / "datapackage.json").read_text(encoding="utf-8"))


def shipped_version() -> str:
    """The package version: datapackage.json's ``version`` is the single source."""
    try:
        return str(shipped_descriptor()["version"])
    except (FileNotFoundError, KeyError, NotADirectoryError):  # a source checkout, not installed
        return "0+unknown"
