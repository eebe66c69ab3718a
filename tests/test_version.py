"""One version: datapackage.json's ``version`` is the single source, everything else follows it."""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import yaml

import gongbao


def _descriptor_version(repo: Path) -> str:
    return json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))["version"]


def test_version_is_semver(repo: Path) -> None:
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", _descriptor_version(repo))


def test_module_version_follows_the_descriptor(repo: Path) -> None:
    assert gongbao.__version__ == _descriptor_version(repo)


def test_wheel_version_follows_the_descriptor(repo: Path) -> None:
    """The installed distribution's version comes from hatch's regex on datapackage.json."""
    assert metadata.version("gongbao") == _descriptor_version(repo)


def test_citation_follows_the_descriptor(repo: Path) -> None:
    citation = yaml.safe_load((repo / "CITATION.cff").read_text(encoding="utf-8"))
    assert str(citation["version"]) == _descriptor_version(repo)
    assert citation["cff-version"] == "1.2.0"
    assert citation["type"] == "dataset"
    assert citation["license"] == "CC-BY-4.0"
    assert {"name": "gongbao contributors"} in citation["authors"]
    assert citation["title"] and citation["message"]


def test_changelog_has_an_entry_for_the_version(repo: Path) -> None:
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    version = re.escape(_descriptor_version(repo))
    assert re.search(rf"^## \[{version}\] - [0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$", changelog, re.M)


def test_license_of_the_descriptor_matches_license_data(repo: Path) -> None:
    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    assert [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert descriptor["licenses"][0]["path"] in (repo / "LICENSE-DATA").read_text(encoding="utf-8")
