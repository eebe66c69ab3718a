"""`nox -s release-check`: a release goes ahead only when the tag, datapackage.json, the
CHANGELOG and CITATION.cff name the same version; each disagreement is one exact line."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gongbao.publish import release_check
from gongbao.publish.release_check import Marks, changelog_entry, problems, read_marks

from conftest import REPO

TODAY = dt.date(2026, 12, 1)
CHANGELOG = """# Changelog

## [Unreleased]

## [0.2.0] - 2026-11-30

### Added
- `sources.retrieved`.

## [0.1.0] - 2026-11-22

First release.
"""


def _project(tmp_path: Path, version: str = "0.2.0", citation: str = "0.2.0", extra: str = ""):
    (tmp_path / "datapackage.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    (tmp_path / "CITATION.cff").write_text(
        f'cff-version: 1.2.0\ntitle: "gongbao"\nversion: {citation}\n{extra}', encoding="utf-8"
    )
    return tmp_path


def test_all_four_agree(tmp_path: Path) -> None:
    marks = read_marks(_project(tmp_path), "v0.2.0")
    assert marks == Marks("v0.2.0", "0.2.0", "2026-11-30", "0.2.0", None)
    assert problems(marks, TODAY) == []


def test_the_repository_is_consistent_for_its_own_version(repo: Path) -> None:
    version = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))["version"]
    marks = read_marks(repo, f"v{version}")
    assert problems(marks, dt.date.fromisoformat(marks.changelog_date or "1970-01-01")) == []


@pytest.mark.parametrize(
    ("tag", "version", "citation", "extra", "expected"),
    [
        (
            "v0.2.1",
            "0.2.0",
            "0.2.0",
            "",
            ["tag v0.2.1 does not match datapackage.json version 0.2.0 (v0.2.0)"],
        ),
        (
            "0.2.0",  # a tag without the v
            "0.2.0",
            "0.2.0",
            "",
            ["tag 0.2.0 does not match datapackage.json version 0.2.0 (v0.2.0)"],
        ),
        (
            "v0.3.0",
            "0.3.0",
            "0.3.0",
            "",
            ["CHANGELOG.md: no entry '## [0.3.0] - YYYY-MM-DD' (date it when releasing)"],
        ),
        (
            "v0.2.0",
            "0.2.0",
            "0.1.0",
            "",
            ["CITATION.cff: version 0.1.0 differs from datapackage.json 0.2.0"],
        ),
        (
            "v0.2.0",
            "0.2.0",
            '"0.2.0"',
            "date-released: 2026-11-29\n",
            ["CITATION.cff: date-released 2026-11-29 differs from the changelog's 2026-11-30"],
        ),
        (
            None,
            "0.2",
            "0.2",
            "",
            [
                "datapackage.json: version '0.2' is not X.Y.Z",
                "no tag: give it (nox -s release-check -- v0.2.0) or set GITHUB_REF_NAME",
                "CHANGELOG.md: no entry '## [0.2] - YYYY-MM-DD' (date it when releasing)",
            ],
        ),
    ],
)
def test_each_disagreement_is_named(
    tmp_path: Path, tag, version, citation, extra, expected
) -> None:
    marks = read_marks(_project(tmp_path, version, citation, extra), tag)
    assert problems(marks, TODAY) == expected


def test_a_changelog_date_in_the_future_is_refused(tmp_path: Path) -> None:
    marks = read_marks(_project(tmp_path), "v0.2.0")
    assert problems(marks, dt.date(2026, 11, 29)) == [
        "CHANGELOG.md: the entry for 0.2.0 is dated 2026-11-30, in the future"
    ]


def test_the_entry_is_what_the_release_notes_say() -> None:
    assert changelog_entry(CHANGELOG, "0.2.0") == (
        "2026-11-30",
        "### Added\n- `sources.retrieved`.\n",
    )
    assert changelog_entry(CHANGELOG, "0.1.0") == ("2026-11-22", "First release.\n")
    assert changelog_entry(CHANGELOG, "0.2") is None


def test_main_reads_github_ref_name_and_prints_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REF_NAME", "v0.2.0")
    assert release_check.main([], _project(tmp_path)) == 0
    assert capsys.readouterr().out == (
        "release-check: ok: tag v0.2.0 = datapackage.json 0.2.0 = CHANGELOG [0.2.0] - "
        "2026-11-30 = CITATION.cff 0.2.0\n"
    )
    assert release_check.main(["v0.1.0"], tmp_path) == 1  # the argument wins
    assert capsys.readouterr().out == (
        "release-check: tag v0.1.0 does not match datapackage.json version 0.2.0 (v0.2.0)\n"
    )
    assert release_check.main(["--notes"], tmp_path) == 0
    assert capsys.readouterr().out == "### Added\n- `sources.retrieved`.\n"
    assert release_check.main(["-x"], tmp_path) == 2


def test_it_runs_as_a_file_before_anything_is_installed(tmp_path: Path) -> None:
    """The release workflow runs it with the system Python, before any install."""
    script = REPO / "validators" / "gongbao" / "publish" / "release_check.py"
    proc = subprocess.run(
        [sys.executable, "-S", str(script), "v0.2.1"],  # -S: no site-packages, no gongbao
        cwd=_project(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert (proc.returncode, proc.stderr) == (1, "")
    assert proc.stdout == (
        "release-check: tag v0.2.1 does not match datapackage.json version 0.2.0 (v0.2.0)\n"
    )


def test_the_release_workflow_checks_validates_builds_attaches_and_publishes(repo: Path) -> None:
    import yaml

    workflow = yaml.safe_load((repo / ".github" / "workflows" / "release.yml").read_text("utf-8"))
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # YAML reads the key `on` as True
    build, release, pypi = (workflow["jobs"][j] for j in ("build", "github-release", "pypi"))
    runs = [step.get("run", "") for step in build["steps"]]
    order = [
        next(i for i, run in enumerate(runs) if needle in run)
        for needle in (
            'release_check.py "$GITHUB_REF_NAME"',
            "bash .ci/run",
            "gh release download",
            "python3 -m nox -s build",
        )
    ]
    assert order == sorted(order)  # check, validate, then build
    assert release["permissions"] == {"contents": "write"}
    assert 'gh release create "$GITHUB_REF_NAME" assets/*' in release["steps"][-1]["run"]
    assert pypi["permissions"] == {"id-token": "write"}
    assert pypi["environment"]["name"] == "pypi"
    assert pypi["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert workflow["permissions"] == {"contents": "read"}  # nothing else may write
