"""``nox -s release-check [-- TAG]``: before a release is built, its four version marks agree.

The git tag (``v0.2.0``: an argument, else ``$GITHUB_REF_NAME``, as the release workflow sets
it), ``version`` in datapackage.json (the single source of the version), the CHANGELOG's entry
for that version (``## [0.2.0] - 2026-12-01``, dated, not in the future) and CITATION.cff's
``version`` (and its ``date-released``, when given, which must be the changelog's date).

Standard library only and no relative imports, so it runs as a file before anything is
installed (``python validators/gongbao/publish/release_check.py v0.2.0``); ``--notes``
prints the changelog entry instead (the GitHub release's notes). Exit 0 when all agree,
1 with one line per disagreement, 2 on a usage error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SEMVER = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


@dataclass(frozen=True)
class Marks:
    """The version as each file states it (None: not stated)."""

    tag: str | None
    version: str | None
    changelog_date: str | None  # the date of the entry for version
    citation_version: str | None
    citation_date: str | None


def changelog_entry(text: str, version: str) -> tuple[str, str] | None:
    """The date and the body of the changelog's entry for version, or None."""
    heading = re.compile(
        rf"^## \[{re.escape(version)}\] - ([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\s*$", re.M
    )
    found = heading.search(text)
    if not found:
        return None
    following = re.compile(r"^## ", re.M).search(text, found.end())
    body = text[found.end() : following.start() if following else len(text)]
    return found.group(1), body.strip() + "\n"


def _citation_field(text: str, key: str) -> str | None:
    found = re.search(rf"^{key}:\s*[\"']?([^\"'\s#]+)[\"']?\s*(#.*)?$", text, re.M)
    return found.group(1) if found else None


def read_marks(root: Path, tag: str | None) -> Marks:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor.get("version")
    version = str(version) if version is not None else None
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog_entry(changelog, version) if version else None
    citation = (root / "CITATION.cff").read_text(encoding="utf-8")
    return Marks(
        tag,
        version,
        entry[0] if entry else None,
        _citation_field(citation, "version"),
        _citation_field(citation, "date-released"),
    )


def problems(marks: Marks, today: dt.date) -> list[str]:
    """Every disagreement, in words; [] when the release may go ahead."""
    found = []
    version = marks.version
    if not version or not SEMVER.fullmatch(version):
        found.append(f"datapackage.json: version {version!r} is not X.Y.Z")
    if marks.tag is None:
        found.append("no tag: give it (nox -s release-check -- v0.2.0) or set GITHUB_REF_NAME")
    elif marks.tag != f"v{version}":
        found.append(
            f"tag {marks.tag} does not match datapackage.json version {version} (v{version})"
        )
    if marks.changelog_date is None:
        found.append(
            f"CHANGELOG.md: no entry '## [{version}] - YYYY-MM-DD' (date it when releasing)"
        )
    elif dt.date.fromisoformat(marks.changelog_date) > today:
        found.append(
            f"CHANGELOG.md: the entry for {version} is dated {marks.changelog_date}, in the future"
        )
    if marks.citation_version != version:
        found.append(
            f"CITATION.cff: version {marks.citation_version} differs from datapackage.json "
            f"{version}"
        )
    if marks.citation_date is not None and marks.citation_date != marks.changelog_date:
        found.append(
            f"CITATION.cff: date-released {marks.citation_date} differs from the changelog's "
            f"{marks.changelog_date}"
        )
    return found


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    notes = "--notes" in args
    args = [a for a in args if a != "--notes"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        sys.stderr.write(
            "usage: release_check.py [--notes] [TAG]   (TAG defaults to $GITHUB_REF_NAME)\n"
        )
        return 2
    root = root or Path.cwd()
    tag = args[0] if args else os.environ.get("GITHUB_REF_NAME") or None
    try:
        marks = read_marks(root, tag)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"release-check: error: {exc}\n")
        return 2
    if notes:
        changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
        entry = changelog_entry(changelog, marks.version or "")
        if entry is None:
            sys.stderr.write(
                f"release-check: error: CHANGELOG.md has no entry for {marks.version}\n"
            )
            return 1
        sys.stdout.write(entry[1])
        return 0
    found = problems(marks, dt.datetime.now(dt.UTC).date())
    for problem in found:
        print(f"release-check: {problem}")
    if found:
        return 1
    print(
        f"release-check: ok: tag {marks.tag} = datapackage.json {marks.version} = CHANGELOG "
        f"[{marks.version}] - {marks.changelog_date} = CITATION.cff {marks.citation_version}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
