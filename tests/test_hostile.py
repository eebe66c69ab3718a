"""Hostile and broken input (issue 10): nothing outside the package is read or written, nothing
is lost, no traceback, and every problem is a precise report line.

Each case plants one hostile or broken input in a scratch copy of the package and runs one
command on it, in-process (a FIFO runs in a subprocess, with a timeout). Every case must:
exit as expected (never 0 for a bad input), print no traceback, print the exact problem
lines given, never print the canary (a file outside the package that the hostile inputs
point at), leave the canary and the directory around the package untouched, and, when fmt
refuses a file, leave every byte of the package as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gongbao.examples import synthetic_archive
from gongbao.problems.catalogue import RULES
from gongbao.problems.report import shown
from gongbao.tableschema.csvio import csv_line

from conftest import copy_package, run_cli
from csvedit import find_row, line_of, set_cell

CANARY = "CANARY-5f1e-never-print-me"
IND = "data/indicators.csv"
TARGETS = "data/targets.csv"
LEFT_UNCHANGED = "1 file(s) left unchanged: fix the problems above, then run gongbao fmt"
_RESOURCES = [
    entry["name"]
    for entry in json.loads((Path(__file__).parents[1] / "datapackage.json").read_text("utf-8"))[
        "resources"
    ]
]
T_AT = _RESOURCES.index("targets")  # the position of 'targets' in the shipped descriptor
TABLES = len(_RESOURCES)


def problem(where: str, field: str, rule: str, message: str) -> str:
    """A report line as gongbao prints it: the hint comes from the catalogue."""
    return f"{where}: {field}: {rule}: {message} ({RULES[rule].hint})"


@dataclass
class Scene:
    """The scratch copy of the package, the source archive beside it, and the outside world."""

    package: Path
    archive: Path
    outside: Path  # a directory next to the package, holding the canary
    canary: Path

    def file(self, ref: str) -> Path:
        return self.package / ref

    def descriptor(self) -> dict:
        return json.loads(self.file("datapackage.json").read_text(encoding="utf-8"))

    def write_descriptor(self, descriptor: dict) -> None:
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        self.file("datapackage.json").write_text(text, encoding="utf-8")

    def point(self, resource: str, key: str, value: object) -> int:
        """Set a resource entry's key; returns the descriptor line it is written on."""
        descriptor = self.descriptor()
        for entry in descriptor["resources"]:
            if entry["name"] == resource:
                entry[key] = value
        self.write_descriptor(descriptor)
        return line_of(self.file("datapackage.json"), f'"{key}": {json.dumps(value)}')


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    package = copy_package(tmp_path / "pkg")
    archive = tmp_path / "archive"
    synthetic_archive(package, archive)  # a capture per source, hashes in sources.csv
    outside = tmp_path / "outside"
    outside.mkdir()
    canary = outside / "secret.csv"
    canary.write_text(f"{CANARY}\n{CANARY},{CANARY}\n", encoding="utf-8")
    return Scene(package, archive, outside, canary)


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and mtime (links are not followed)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


@dataclass
class Case:
    """One hostile input: how to plant it, the command to run, what must come out."""

    id: str
    plant: Callable[[Scene], object]
    args: tuple[str, ...]  # "{pkg}", "{archive}", "{out}" are filled in
    code: int
    # the exact lines: of stdout for fmt, of the report's errors for validate (text or github);
    # a function of the scene and what plant returned
    lines: Callable[[Scene, object], list[str]] | None = None
    err: str | None = None  # exact stderr, when it matters
    unchanged: bool = False  # fmt refused: every byte of the package stays
    extra: Callable[[Scene, object], None] | None = field(default=None, repr=False)


def _run(case: Case, scene: Scene) -> tuple[int, str, str]:
    values = {"pkg": str(scene.package), "archive": str(scene.archive)}
    values["out"] = str(scene.package.parent / "dist")
    args = [a.format(**values) for a in case.args]
    result = run_cli(*args)
    return result.code, result.out, result.err


# -- the cases ----------------------------------------------------------------------------------


def _symlink(scene: Scene, ref: str, target: Path) -> None:
    path = scene.file(ref)
    path.unlink()
    path.symlink_to(target)


def _link_data_file(scene: Scene) -> None:
    _symlink(scene, TARGETS, scene.canary)


def _link_data_dir(scene: Scene) -> list[str]:
    for csv_file in scene.file("data").iterdir():
        (scene.outside / csv_file.name).write_bytes(csv_file.read_bytes())
    (scene.outside / "targets.csv").write_text(f"{CANARY}\n", encoding="utf-8")
    data = scene.file("data")
    for csv_file in data.iterdir():
        csv_file.unlink()
    data.rmdir()
    data.symlink_to(scene.outside)
    return [e["path"] for e in scene.descriptor()["resources"]]


def _symlinked_dir_lines(scene: Scene, paths: object) -> list[str]:
    assert isinstance(paths, list)
    return [
        problem(p, "-", "unsafe-path", f"{p} is inside 'data', which is a symbolic link; not read")
        for p in sorted(paths)
    ]


def _link_schema(scene: Scene) -> None:
    _symlink(scene, "schemas/targets.schema.json", scene.canary)


def _git_config(scene: Scene) -> int:
    (scene.package / ".git").mkdir()
    (scene.package / ".git" / "config").write_text(f"{CANARY}\n", encoding="utf-8")
    return scene.point("targets", "path", ".git/config")


def _fifo(scene: Scene) -> None:
    scene.file(TARGETS).unlink()
    os.mkfifo(scene.file(TARGETS))


def _dev_zero(scene: Scene) -> None:
    _symlink(scene, TARGETS, Path("/dev/zero"))


def _directory(scene: Scene) -> None:
    scene.file(TARGETS).unlink()
    scene.file(TARGETS).mkdir()


def _link_descriptor(scene: Scene) -> None:
    (scene.outside / "datapackage.json").write_bytes(scene.file("datapackage.json").read_bytes())
    _symlink(scene, "datapackage.json", scene.outside / "datapackage.json")


def _capture(scene: Scene, source_id: str = "szrb-2022-01-04") -> tuple[int, str]:
    line, row = find_row(scene.file("data/sources.csv"), source_id=source_id)
    return line, row["archive"]


def _absolute_capture(scene: Scene) -> int:
    line, _ = _capture(scene)
    set_cell(
        scene.file("data/sources.csv"), "archive", str(scene.canary), source_id="szrb-2022-01-04"
    )
    return line


def _climbing_capture(scene: Scene) -> int:
    line, _ = _capture(scene)
    set_cell(
        scene.file("data/sources.csv"),
        "archive",
        "../outside/secret.csv",
        source_id="szrb-2022-01-04",
    )
    return line


def _linked_capture(scene: Scene) -> tuple[int, str]:
    line, name = _capture(scene)
    (scene.archive / name).unlink()
    (scene.archive / name).symlink_to(scene.canary)
    return line, name


def _capture_is_a_directory(scene: Scene) -> tuple[int, str]:
    line, name = _capture(scene)
    (scene.archive / name).unlink()
    (scene.archive / name).mkdir()
    return line, name


def _replace_in(scene: Scene, ref: str, old: str, new: str) -> int:
    path = scene.file(ref)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return line_of(path, new.splitlines()[0]) if new.strip() else 0


def _stray_quote(scene: Scene) -> int:
    return _replace_in(scene, TARGETS, ",汉江干流,eq,", ',汉江"干流,eq,')


def _text_after_quote(scene: Scene) -> int:
    return _replace_in(scene, TARGETS, ",汉江干流,eq,", ',"Acoustic" (noise),eq,')


def _unterminated_quote(scene: Scene) -> int:
    path = scene.file(TARGETS)
    data = path.read_bytes()
    path.write_bytes(data + b'x,"unterminated\n')
    return data.count(b"\n") + 1


def _ragged(scene: Scene) -> int:
    return _replace_in(scene, TARGETS, ",汉江干流,eq,", ",汉江干流,extra,eq,")


def _gb18030(scene: Scene) -> tuple[int, int, int]:
    path = scene.file(TARGETS)
    data = path.read_text(encoding="utf-8").encode("gb18030")
    path.write_bytes(data)
    offset = next(i for i, byte in enumerate(data) if byte >= 0x80)
    return data.count(b"\n", 0, offset) + 1, offset, data[offset]


def _escape_in_duplicate_key(scene: Scene) -> tuple[int, int]:
    """An id holding terminal escapes, twice: the duplicate's line would print it."""
    path = scene.file(IND)
    key = "x\x1b[2J\x1b[HALL CHECKS PASSED"
    first = set_cell(path, "indicator_id", key, metric="good_air_days")
    with path.open("a", encoding="utf-8", newline="") as out:
        out.write(path.read_text(encoding="utf-8").split("\n")[first - 1] + "\n")
    return first, path.read_bytes().count(b"\n")


def _fake_annotation(scene: Scene) -> int:
    return set_cell(
        scene.file(IND),
        "note",
        "ok\n::error file=README.md::ALL CHECKS PASSED",
        metric="good_air_days",
    )


def _escape_in_name(scene: Scene) -> int:
    return scene.point("targets", "name", "targets\x1b[2J")


def _escape_in_path(scene: Scene) -> int:
    return scene.point("targets", "path", "data/\x1b]0;pwned\x07targets.csv")


def _append_targets_copy(scene: Scene, changed: dict[str, str], marker: str) -> int:
    """Append a copy of the targets entry to the descriptor, with changed keys; the last
    line holding marker (where the copy is reported)."""
    descriptor = scene.descriptor()
    entries = descriptor["resources"]
    targets = next(e for e in entries if e["name"] == "targets")
    entries.append({**targets, **changed})
    scene.write_descriptor(descriptor)
    text = scene.file("datapackage.json").read_text(encoding="utf-8").splitlines()
    return [n for n, line in enumerate(text, 1) if marker in line][-1]


def _duplicate_name(scene: Scene) -> int:
    return _append_targets_copy(scene, {"path": "data/indicators.csv"}, '"name": "targets"')


def _empty_resources(scene: Scene) -> int:
    descriptor = scene.descriptor()
    descriptor["resources"] = []
    scene.write_descriptor(descriptor)
    return line_of(scene.file("datapackage.json"), '"resources": []')


def _listed_twice(scene: Scene) -> int:
    return _append_targets_copy(scene, {"name": "targets2"}, '"path": "data/targets.csv"')


def _cell(field_name: str, value: str, table: str = IND, **match: str) -> Callable[[Scene], int]:
    def plant(scene: Scene) -> int:
        return set_cell(
            scene.file(table), field_name, value, **(match or {"metric": "good_air_days"})
        )

    return plant


def _nul_in_cell(scene: Scene) -> tuple[int, int]:
    line = set_cell(scene.file(IND), "note", "a\x00b", metric="good_air_days")
    return line, scene.file(IND).read_bytes().index(b"\x00")


def _nuls_appended(scene: Scene) -> tuple[int, int]:
    path = scene.file(IND)
    data = path.read_bytes()
    path.write_bytes(data + b"\x00" * (4 << 20))
    return data.count(b"\n") + 1, len(data)


def _lone_cr(scene: Scene) -> int:
    path = scene.file("data/mechanism_types.csv")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"\n", b"\r"))
    return data.count(b"\n")


def _huge_cell(scene: Scene) -> int:
    return set_cell(
        scene.file("data/parties.csv"),
        "evidence",
        "长" * 200_000,
        agreement_id="chengdu-chongqing-key-basin-water-eco-env-plan",
        org_id="chongqing-eco-env-bureau",
    )


def _huge_enum_value(scene: Scene) -> int:
    return set_cell(scene.file(IND), "unit", "d" * 200_000, metric="good_air_days")


def _deep_descriptor(scene: Scene) -> None:
    scene.file("datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def _deep_schema(scene: Scene) -> None:
    schema = scene.file("schemas/targets.schema.json")
    schema.write_text('{"fields": [], "x": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")


def _schema_property(name: str, key: str, value: object) -> Callable[[Scene], int]:
    def plant(scene: Scene) -> int:
        path = scene.file("schemas/targets.schema.json")
        schema = json.loads(path.read_text(encoding="utf-8"))
        for f in schema["fields"]:
            if f["name"] == name:
                if key == "constraints":
                    f["constraints"] = value
                else:
                    f.setdefault("constraints", {})[key] = value
        lines = [json.dumps({k: v for k, v in schema.items() if k != "fields"})[:-1] + ","]
        lines.append('"fields": [')
        lines.append(",\n".join(json.dumps(f, ensure_ascii=False) for f in schema["fields"]))
        lines.append("]}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return line_of(path, f'"name": "{name}"')

    return plant


def _read_only(scene: Scene) -> None:
    path = scene.file(IND)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    path.chmod(0o444)


def _nul_in_resource_path(scene: Scene) -> int:
    return scene.point("targets", "path", "data/targets.csv\x00.txt")


def _windows_path(scene: Scene) -> int:
    return scene.point("targets", "path", "C:\\x")


def _backslash_path(scene: Scene) -> int:
    return scene.point("targets", "path", "data\\targets.csv")


def _wide_header(columns: int) -> Callable[[Scene], None]:
    def plant(scene: Scene) -> None:
        path = scene.file("data/mechanism_types.csv")
        header = ",".join(f"c{i}" for i in range(columns))
        path.write_text(header + "\n", encoding="utf-8")

    return plant


def _cr_in_quoted_cell(scene: Scene) -> int:
    """A quoted cell holding a CR (set_cell's csv.writer may leave a bare CR unquoted)."""
    path = scene.file(IND)
    line, row = find_row(path, metric="good_air_days")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = csv_line([*row.values()][:-1] + ["one\rtwo"]).rstrip("\n")
    path.write_text("\n".join(lines), encoding="utf-8", newline="")
    return line


def _broken_descriptor(scene: Scene) -> None:
    scene.file("datapackage.json").write_text('{"name": "x",\n "resources": [}\n', encoding="utf-8")


def _invalid_for_release(scene: Scene) -> int:
    return set_cell(scene.file(IND), "year", "1969", metric="good_air_days")


# Lines, by case (functions of the scene and what plant returned).


def _header_line(
    rule: str, message: str, ref: str = TARGETS
) -> Callable[[Scene, object], list[str]]:
    return lambda scene, planted: [problem(ref, "-", rule, message)]


def _at(
    ref: str, rule: str, message: str, field_name: str = "-"
) -> Callable[[Scene, object], list[str]]:
    return lambda scene, line: [problem(f"{ref}:{line}", field_name, rule, message)]


UNSAFE_TARGETS_LINK = "data/targets.csv is a symbolic link; not read"
NO_ARCHIVE = ("validate", "{pkg}")
WITH_ARCHIVE = ("validate", "{pkg}", "--archive", "{archive}")
QUOTED = "'x\\x1b[2J\\x1b[HALL CHECKS PASSED'"

CASES = [
    # 1. links, FIFOs, devices, hidden paths
    Case(
        "link-data-file",
        _link_data_file,
        NO_ARCHIVE,
        1,
        _header_line("unsafe-path", UNSAFE_TARGETS_LINK),
    ),
    Case(
        "link-data-file-github",
        _link_data_file,
        (*NO_ARCHIVE, "--format", "github"),
        1,
        lambda scene, _: [
            "::error file=data/targets.csv,title=gongbao unsafe-path (data/targets.csv)::"
            f"{UNSAFE_TARGETS_LINK} ({RULES['unsafe-path'].hint})"
        ],
    ),
    Case(
        "link-data-file-fmt",
        _link_data_file,
        ("fmt", "{pkg}"),
        1,
        lambda scene, _: [
            problem(TARGETS, "-", "unsafe-path", UNSAFE_TARGETS_LINK),
            LEFT_UNCHANGED,
        ],
        unchanged=True,
    ),
    Case("link-data-dir", _link_data_dir, NO_ARCHIVE, 1, _symlinked_dir_lines),
    Case(
        "link-data-dir-fmt",
        _link_data_dir,
        ("fmt", "{pkg}"),
        1,
        lambda scene, paths: [
            *_symlinked_dir_lines(scene, paths),
            f"{TABLES} file(s) left unchanged: fix the problems above, then run gongbao fmt",
        ],
        unchanged=True,
    ),
    Case(
        "link-schema",
        _link_schema,
        NO_ARCHIVE,
        1,
        _header_line(
            "unsafe-path",
            "schemas/targets.schema.json is a symbolic link; not read",
            "schemas/targets.schema.json",
        ),
    ),
    Case(
        "git-config-as-resource",
        _git_config,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "unsafe-path",
            "resource 'targets' path '.git/config' has a hidden component '.git'; not read",
            "path",
        ),
    ),
    Case(
        "link-to-dev-zero",
        _dev_zero,
        ("fmt", "{pkg}", "--check"),
        1,
        lambda scene, _: [
            problem(TARGETS, "-", "unsafe-path", UNSAFE_TARGETS_LINK),
            LEFT_UNCHANGED,
        ],
    ),
    Case(
        "directory-as-data-file",
        _directory,
        NO_ARCHIVE,
        1,
        _header_line(
            "unsafe-path", "data/targets.csv is a directory, not a regular file; not read"
        ),
    ),
    Case(
        "linked-descriptor",
        _link_descriptor,
        NO_ARCHIVE,
        1,
        _header_line("unsafe-path", "datapackage.json is a symbolic link", "datapackage.json"),
    ),
    # 2. the source archive is confined too
    Case(
        "absolute-capture",
        _absolute_capture,
        WITH_ARCHIVE,
        1,
        lambda scene, line: [
            problem(
                f"data/sources.csv:{line}",
                "archive",
                "pattern",
                f"{shown(str(scene.canary))} does not match pattern "
                "[0-9]{3}_[0-9a-f]{16}\\.txt",
            ),
            problem(
                f"data/sources.csv:{line}",
                "archive",
                "unsafe-path",
                f"{shown(str(scene.canary))} is absolute; not read",
            ),
        ],
    ),
    Case(
        "climbing-capture",
        _climbing_capture,
        WITH_ARCHIVE,
        1,
        lambda scene, line: [
            problem(
                f"data/sources.csv:{line}",
                "archive",
                "pattern",
                "'../outside/secret.csv' does not match pattern [0-9]{3}_[0-9a-f]{16}\\.txt",
            ),
            problem(
                f"data/sources.csv:{line}",
                "archive",
                "unsafe-path",
                "'../outside/secret.csv' climbs out of the archive directory with '..'; not read",
            ),
        ],
    ),
    Case(
        "linked-capture",
        _linked_capture,
        WITH_ARCHIVE,
        1,
        lambda scene, planted: [
            problem(
                f"data/sources.csv:{planted[0]}",
                "archive",
                "unsafe-path",
                f"{planted[1]!r} is a symbolic link; not read",
            )
        ],
    ),
    Case(
        "capture-is-a-directory",
        _capture_is_a_directory,
        WITH_ARCHIVE,
        1,
        lambda scene, planted: [
            problem(
                f"data/sources.csv:{planted[0]}",
                "archive",
                "unsafe-path",
                f"{planted[1]!r} is a directory, not a regular file; not read",
            )
        ],
    ),
    # 3. fmt loses nothing: what it cannot rewrite faithfully, it refuses
    *(
        Case(
            f"{name}-{command[-1]}",
            plant,
            (*command, "{pkg}"),
            1,
            lambda scene, line, message=message: [
                problem(f"{TARGETS}:{line}", "-", "quoting", message(line)),
                LEFT_UNCHANGED,
            ],
            unchanged=True,
        )
        for name, plant, message in [
            (
                "stray-quote",
                _stray_quote,
                lambda line: "quote inside an unquoted cell, near 'ity_class,汉江\"干流,eq,,Ⅱ,wat'",
            ),
            (
                "text-after-quote",
                _text_after_quote,
                lambda line: (
                    "quote after the closing quote of a cell, near 'ss,\"Acoustic\" (noise),eq,'"
                ),
            ),
            (
                "unterminated-quote",
                _unterminated_quote,
                lambda line: f"quote opened on line {line} never closes",
            ),
        ]
        for command in [("fmt",), ("fmt", "--check")]
    ),
    Case(
        "ragged-fmt",
        _ragged,
        ("fmt", "{pkg}"),
        1,
        lambda scene, line: [
            problem(f"{TARGETS}:{line}", "-", "ragged-row", "row has 13 cells, the header has 12"),
            LEFT_UNCHANGED,
        ],
        unchanged=True,
    ),
    Case(
        "gb18030-fmt-check",
        _gb18030,
        ("fmt", "{pkg}", "--check"),
        1,
        lambda scene, p: [
            problem(
                f"{TARGETS}:{p[0]}",
                "-",
                "encoding",
                f"byte 0x{p[2]:02x} at offset {p[1]} is not UTF-8; it decodes as GB18030/GBK, "
                "so it was probably saved in a Chinese legacy encoding",
            ),
            LEFT_UNCHANGED,
        ],
        unchanged=True,
    ),
    # 4. no value reaches the output raw
    Case(
        "escape-in-duplicate-key",
        _escape_in_duplicate_key,
        NO_ARCHIVE,
        1,
        lambda scene, lines: [
            problem(
                f"{IND}:{line}",
                "indicator_id",
                "control-character",
                f"{QUOTED} contains U+001B ESCAPE at position 2, a control character",
            )
            for line in lines
        ],
    ),
    Case(
        "fake-annotation",
        _fake_annotation,
        (*NO_ARCHIVE, "--format", "github"),
        1,
        lambda scene, line: [
            f"::error file=data/indicators.csv,line={line},title=gongbao line-break (note)::"
            "'ok\\n::error file=README.md::ALL CHECKS PASSED' contains a line break (keep each "
            "cell on one line)"
        ],
    ),
    Case(
        "fake-line-in-text",
        _fake_annotation,
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "line-break",
            "'ok\\n::error file=README.md::ALL CHECKS PASSED' contains a line break",
            "note",
        ),
    ),
    Case(
        "escape-in-resource-name",
        _escape_in_name,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "descriptor",
            f"resources[{T_AT}] has the name 'targets\\x1b[2J': a name is lower-case letters, "
            "digits, "
            "'.', '-' and '_'",
            "name",
        ),
    ),
    Case(
        "escape-in-path",
        _escape_in_path,
        (*NO_ARCHIVE, "--format", "json"),
        1,
        None,
        extra=lambda scene, line: _assert_json_path_problem(scene, line),
    ),
    # 5. no silent pass
    Case(
        "duplicate-resource-name",
        _duplicate_name,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "descriptor",
            f"resources[{TABLES}] is named 'targets', like resources[{T_AT}]: each name may be "
            "used once; "
            "this one is not read",
            "name",
        ),
    ),
    Case(
        "empty-resource-list",
        _empty_resources,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "descriptor",
            "the 'resources' list is empty: the package has no table to check",
        ),
    ),
    Case(
        "table-listed-twice",
        _listed_twice,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "descriptor",
            "resource 'targets2' lists the file 'data/targets.csv', which resource 'targets' "
            "lists: each table may be listed once",
            "path",
        ),
    ),
    Case(
        "nul-in-cell",
        _nul_in_cell,
        NO_ARCHIVE,
        1,
        lambda scene, p: [
            problem(
                f"{IND}:{p[0]}",
                "-",
                "encoding",
                f"NUL byte at offset {p[1]}: a CSV file is text and holds no NUL bytes (was it "
                "saved as UTF-16, or is it not a CSV file?); not read further",
            )
        ],
    ),
    Case(
        "escape-in-cell",
        _cell("note", "\x1b[31mred"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "control-character",
            "'\\x1b[31mred' contains U+001B ESCAPE at position 1, a control character",
            "note",
        ),
    ),
    Case(
        "bidi-in-cell",
        _cell("scope_zh", "重庆\u202e市"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "bidi-control",
            "'重庆\\u202e市' contains U+202E RIGHT-TO-LEFT OVERRIDE at position 3, which reorders "
            "the text around it",
            "scope_zh",
        ),
    ),
    Case(
        "full-width-formula",
        _cell("note", "＝HYPERLINK(1)"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "formula",
            "'＝HYPERLINK(1)' starts with '＝' (read as '='), which a spreadsheet may run as a "
            "formula",
            "note",
        ),
    ),
    Case(
        "formula-after-zero-width-space",
        _cell("note", "\u200b=HYPERLINK(1)"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "formula",
            "'\\u200b=HYPERLINK(1)' starts with '=' after the invisible U+200B ZERO WIDTH SPACE, "
            "which a spreadsheet may run as a formula",
            "note",
        ),
    ),
    Case(
        "formula-minus-sign",
        _cell("note", "\u22121+1"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "formula",
            "'−1+1' starts with '−' (read as '-'), which a spreadsheet may run as a formula",
            "note",
        ),
    ),
    Case(
        "cyrillic-in-id",
        _cell("indicator_id", "cq-2019-good-\u0430ir-days"),
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "look-alike",
            "'cq-2019-good-аir-days' mixes alphabets: U+0430 CYRILLIC SMALL LETTER A at "
            "position 14 looks like a Latin letter",
            "indicator_id",
        ),
    ),
    # 6. bounded memory: a file of NULs is not read past its first NUL
    Case(
        "nuls-appended-fmt-check",
        _nuls_appended,
        ("fmt", "{pkg}", "--check"),
        1,
        lambda scene, p: [
            problem(
                f"{IND}:{p[0]}",
                "-",
                "encoding",
                f"NUL byte at offset {p[1]}: a CSV file is text and holds no NUL bytes (was it "
                "saved as UTF-16, or is it not a CSV file?); not read further",
            ),
            LEFT_UNCHANGED,
        ],
        unchanged=True,
    ),
    # 7. no traceback on a user's error
    Case(
        "lone-cr-line-ends",
        _lone_cr,
        NO_ARCHIVE,
        1,
        lambda scene, count: [
            problem(
                "data/mechanism_types.csv:1",
                "-",
                "line-ending",
                f"line ends with CR ({count} in the file)",
            ),
            problem(
                "data/mechanism_types.csv:1",
                "-",
                "trailing-newline",
                "the last line has no newline",
            ),
        ],
    ),
    Case(
        "cell-over-csv-field-limit",
        _huge_cell,
        NO_ARCHIVE,
        1,
        _at(
            "data/parties.csv",
            "length",
            "value of 200000 characters is longer than 100",
            "evidence",
        ),
    ),
    Case(
        "nul-in-command-line-path",
        lambda scene: None,
        ("validate", "{pkg}\x00x"),
        2,
        None,
        err="gongbao: error: '{pkg}\\x00x': a path cannot contain a NUL byte\n",
    ),
    Case(
        "escape-in-command-line-path",
        lambda scene: None,
        ("validate", "{pkg}/\x1b[2Jnope"),
        2,
        None,
        err="gongbao: error: {pkg}/\\x1b[2Jnope: no datapackage.json here (give a package "
        "directory, its datapackage.json, or a zip)\n",
    ),
    Case(
        "oversized-descriptor",
        lambda scene: scene.file("datapackage.json").write_bytes(b"{}" + b" " * 17_000_000),
        NO_ARCHIVE,
        1,
        lambda scene, _: [
            problem(
                "datapackage.json",
                "-",
                "descriptor",
                "cannot read datapackage.json: 17.0 MB is more than the 16.0 MB gongbao reads here",
            )
        ],
    ),
    Case(
        "deeply-nested-descriptor",
        _deep_descriptor,
        NO_ARCHIVE,
        1,
        lambda scene, _: [
            problem(
                "datapackage.json:1",
                "-",
                "descriptor",
                "JSON nested more than 64 levels deep; not read",
            )
        ],
    ),
    Case(
        "deeply-nested-schema",
        _deep_schema,
        NO_ARCHIVE,
        1,
        lambda scene, _: [
            problem(
                "schemas/targets.schema.json:1",
                "-",
                "schema-file",
                "schema of 'targets': JSON nested more than 64 levels deep; not read",
            )
        ],
    ),
    Case(
        "constraints-as-a-string",
        _schema_property("target_id", "constraints", "required"),
        NO_ARCHIVE,
        1,
        _at(
            "schemas/targets.schema.json",
            "schema-file",
            "field 'target_id': constraints must be an object, not a string",
        ),
    ),
    Case(
        "max-length-as-a-word",
        _schema_property("evidence", "maxLength", "ten"),
        NO_ARCHIVE,
        1,
        _at(
            "schemas/targets.schema.json",
            "schema-file",
            "field 'evidence': constraints.maxLength must be a non-negative integer, not 'ten'",
        ),
    ),
    Case(
        "enum-as-a-string",
        _schema_property("comparator", "enum", "eq"),
        NO_ARCHIVE,
        1,
        _at(
            "schemas/targets.schema.json",
            "schema-file",
            "field 'comparator': constraints.enum must be a non-empty list of values, not 'eq'",
        ),
    ),
    Case(
        "read-only-file-fmt",
        _read_only,
        ("fmt", "{pkg}"),
        1,
        lambda scene, _: [
            "data/indicators.csv: read-only (mode 0444); not rewritten",
            LEFT_UNCHANGED,
        ],
        unchanged=True,
    ),
    Case(
        "nul-in-resource-path",
        _nul_in_resource_path,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "unsafe-path",
            "resource 'targets' path 'data/targets.csv\\x00.txt' contains a control character; "
            "not read",
            "path",
        ),
    ),
    # 8. release validates first and writes nothing for an invalid package
    Case(
        "release-of-an-invalid-package",
        _invalid_for_release,
        ("release", "{pkg}", "--out", "{out}"),
        1,
        _at(IND, "range", "1969 is below the minimum 1970", "year"),
        extra=lambda scene, _: _assert_nothing_released(scene),
    ),
    # 11. precise messages
    Case(
        "windows-drive-path",
        _windows_path,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "unsafe-path",
            "resource 'targets' path 'C:\\\\x' is absolute (a Windows drive); not read",
            "path",
        ),
    ),
    Case(
        "backslash-path",
        _backslash_path,
        NO_ARCHIVE,
        1,
        _at(
            "datapackage.json",
            "unsafe-path",
            "resource 'targets' path 'data\\\\targets.csv' contains a backslash (write / between "
            "folders); not read",
            "path",
        ),
    ),
    Case(
        "unterminated-quote-validate",
        _unterminated_quote,
        NO_ARCHIVE,
        1,
        lambda scene, line: [
            problem(
                f"{TARGETS}:{line}", "-", "quoting", f"quote opened on line {line} never closes"
            )
        ],
    ),
    Case(
        "header-of-50000-columns",
        _wide_header(50_000),
        NO_ARCHIVE,
        1,
        lambda scene, _: [
            problem(
                "data/mechanism_types.csv:1",
                "-",
                "header",
                "missing mechanism, label_en, label_zh, description; unexpected 'c0', 'c1', "
                "'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9' and 49,990 more",
            )
        ],
    ),
    Case(
        "header-of-a-million-columns",
        _wide_header(1_000_000),
        NO_ARCHIVE,
        1,
        lambda scene, _: [
            problem(
                "data/mechanism_types.csv:1",
                "-",
                "header",
                "line 1 is longer than 1 MiB, too long for a header",
            )
        ],
    ),
    Case(
        "huge-value-is-shortened",
        _huge_enum_value,
        NO_ARCHIVE,
        1,
        _at(
            IND,
            "enum",
            f"'{'d' * 59}…' is not one of: percent, percentage_point, day, count, ug_m3, "
            "water_quality_class, grade",
            "unit",
        ),
    ),
    Case(
        "cr-inside-a-quoted-cell",
        _cr_in_quoted_cell,
        NO_ARCHIVE,
        1,
        _at(IND, "line-break", "'one\\rtwo' contains a line break", "note"),
    ),
    Case(
        "broken-descriptor-github",
        _broken_descriptor,
        (*NO_ARCHIVE, "--format", "github"),
        1,
        lambda scene, _: [
            "::error file=datapackage.json,line=2,title=gongbao descriptor (datapackage.json)::"
            "invalid JSON: Expecting value (column 16) (compare with an existing resource entry "
            "in datapackage.json)"
        ],
    ),
]


def _assert_json_path_problem(scene: Scene, line: object) -> None:
    result = run_cli("validate", scene.package, "--format", "json")
    payload = json.loads(result.out)
    [found] = [p for p in payload["problems"] if p["severity"] == "error"]
    assert found["message"] == (
        "resource 'targets' path 'data/\\x1b]0;pwned\\x07targets.csv' contains a control "
        "character; not read"
    )
    assert (found["path"], found["line"], found["field"]) == ("datapackage.json", line, "path")


def _assert_nothing_released(scene: Scene) -> None:
    out = scene.package.parent / "dist"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(scene: Scene, case: Case) -> None:
    planted = case.plant(scene)
    outside_before = _tree(scene.outside)
    canary_stat = scene.canary.stat()
    package_before = _tree(scene.package)

    code, out, err = _run(case, scene)

    assert "Traceback" not in out + err
    assert CANARY not in out + err
    assert "\x1b" not in out + err and "\x07" not in out + err and "\u202e" not in out + err
    assert code == case.code, out + err
    assert case.code != 0  # every case is a bad input: none may pass silently
    if case.lines is not None:
        expected = case.lines(scene, planted)
        if case.args[0] == "validate" and "github" in case.args:
            got = [line for line in out.splitlines() if line.startswith("::error")]
        elif case.args[0] in ("validate", "release"):
            got = [
                line
                for line in out.splitlines()
                if not line.startswith(
                    ("gongbao ", "  ", "datapackage.json: -: provenance-skipped")
                )
            ]
        else:
            got = out.splitlines()
        assert got == expected
    if case.err is not None:
        assert err == case.err.format(pkg=scene.package)
    if case.extra is not None:
        case.extra(scene, planted)
    # nothing outside the package was read into the output, or written
    assert _tree(scene.outside) == outside_before
    assert (scene.canary.stat().st_mtime_ns, scene.canary.stat().st_size) == (
        canary_stat.st_mtime_ns,
        canary_stat.st_size,
    )
    if case.unchanged:
        assert _tree(scene.package) == package_before


def test_enough_hostile_inputs() -> None:
    assert len(CASES) >= 40


# -- what needs more than one command ------------------------------------------------------------


def test_a_fifo_is_refused_without_hanging(scene: Scene) -> None:
    """A FIFO as a data file: refused before it is opened (a subprocess, in case it hangs)."""
    _fifo(scene)
    env = {k: v for k, v in os.environ.items() if k != "GONGBAO_ARCHIVE"}
    for command in (["validate"], ["fmt", "--check"]):
        proc = subprocess.run(
            [sys.executable, "-m", "gongbao", *command, str(scene.package)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, "GX_ANALYTICS_ENABLED": "false"},
        )
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr
        assert (
            problem(
                TARGETS,
                "-",
                "unsafe-path",
                "data/targets.csv is a FIFO (named pipe), not a regular file; not read",
            )
            in proc.stdout.splitlines()
        )


def test_a_failed_write_leaves_the_file_whole(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scene.file(IND)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = _tree(scene.package)

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    result = run_cli("fmt", scene.package)
    assert (result.code, result.err) == (
        2,
        "gongbao: error: cannot write data/indicators.csv: No space left on device\n",
    )
    assert _tree(scene.package) == before  # the old bytes, and no temporary file left


def test_release_never_packs_a_file_outside_the_package(scene: Scene) -> None:
    """A document linked to a file outside the package is left out of the release zip."""
    (scene.package / "LICENSE").symlink_to(scene.canary)
    out = scene.package.parent / "dist"
    result = run_cli("release", scene.package, "--out", out)
    assert "Traceback" not in result.out + result.err
    assert result.code == 0, result.out + result.err
    for built in out.rglob("*.zip"):
        with zipfile.ZipFile(built) as archive:
            assert not [n for n in archive.namelist() if n.endswith("LICENSE")]
            for name in archive.namelist():
                assert CANARY.encode() not in archive.read(name)
    for built in out.rglob("*"):
        if built.is_file():
            assert CANARY.encode() not in built.read_bytes()


def test_load_refuses_an_unsafe_file_with_its_line(scene: Scene) -> None:
    from gongbao.data import DataError, load

    _link_data_file(scene)
    with pytest.raises(DataError) as info:
        load("indicators", scene.package)
    assert str(info.value) == problem(TARGETS, "-", "unsafe-path", UNSAFE_TARGETS_LINK)


def test_a_corrupt_installed_descriptor_is_a_data_error(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """import gongbao still works; loading the shipped data says what is wrong, and where."""
    import gongbao.data
    from gongbao.data import DataError

    scene.file("datapackage.json").write_text('{"resources": [\n', encoding="utf-8")
    monkeypatch.setattr(gongbao.data, "shipped", lambda: scene.package)
    gongbao.data._shipped_package.cache_clear()
    try:
        with pytest.raises(DataError) as info:
            gongbao.data.load("agreements")
    finally:
        gongbao.data._shipped_package.cache_clear()
    assert str(info.value) == problem(
        "datapackage.json:2", "-", "descriptor", "invalid JSON: Expecting value (column 1)"
    )


def test_digests_of_the_canary_never_leak(scene: Scene) -> None:
    """The hash of an outside file is never computed, so no prefix of it can be printed."""
    _absolute_capture(scene)
    digest = hashlib.sha256(scene.canary.read_bytes()).hexdigest()
    result = run_cli("validate", scene.package, "--archive", scene.archive)
    assert digest[:12] not in result.out + result.err


# -- 9. the README generator ----------------------------------------------------------------------


def test_docs_escape_html_and_markers_from_descriptions(scene: Scene) -> None:
    """A description's HTML and region markers become text: README cannot grow on every run."""
    from gongbao.docgen import dictionary, markdown
    from gongbao.tableschema.package import read_package

    path = scene.file("schemas/targets.schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["description"] = "Targets <img src=x onerror=alert(1)> <!-- data-dictionary:end -->"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    section = dictionary.data_dictionary(read_package(scene.package))
    assert (
        "Targets &lt;img src=x onerror=alert(1)> &lt;!-- data-dictionary:end -->"
        in section.splitlines()
    )
    assert "<img" not in section and "<!-- data-dictionary:end -->" not in section
    document = "# R\n<!-- data-dictionary:start -->\nold\n<!-- data-dictionary:end -->\nrest\n"
    once = markdown.splice(document, "data-dictionary", section)
    assert markdown.splice(once, "data-dictionary", section) == once


def test_docs_refuse_a_marker_inside_a_code_span(scene: Scene) -> None:
    from gongbao.docgen import markdown
    from gongbao.errors import UsageError

    document = "<!-- rules:start -->\n<!-- rules:end -->\n"
    with pytest.raises(UsageError) as info:
        markdown.splice(document, "rules", markdown.code("<!-- rules:end -->") + "\n")
    assert str(info.value) == (
        "the generated rules section would contain '<!-- rules:end -->', which marks generated "
        "regions: remove it from the schema or catalogue text it comes from"
    )


def test_a_zipped_package_is_read_as_carefully(scene: Scene) -> None:
    """A blank row in a zipped package: the streamed careful reader, on a zip member."""
    path = scene.file(TARGETS)
    path.write_bytes(path.read_bytes() + b"\n")
    line = path.read_bytes().count(b"\n")
    zipped = scene.package.parent / "package.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for file in sorted(scene.package.rglob("*")):
            if file.is_file():
                archive.write(file, f"gongbao/{file.relative_to(scene.package)}")
    result = run_cli("validate", zipped)
    assert (result.code, result.errors) == (
        1,
        [problem(f"{TARGETS}:{line}", "-", "blank-row", "blank row")],
    )


def test_fmt_keeps_a_cell_over_the_csv_modules_field_limit(scene: Scene) -> None:
    """A 200,000-character cell in a file fmt must rewrite (CRLF): rewritten, the cell whole."""
    path = scene.file(IND)
    huge = "长" * 200_000
    set_cell(path, "note", huge, metric="good_air_days")
    canonical = path.read_bytes()
    path.write_bytes(canonical.replace(b"\n", b"\r\n"))
    result = run_cli("fmt", scene.package)
    assert (result.code, result.out, result.err) == (
        0,
        "reformatted data/indicators.csv\n1 file(s) reformatted\n",
        "",
    )
    assert path.read_bytes() == canonical
    assert find_row(path, metric="good_air_days")[1]["note"] == huge


def test_an_unreadable_capture_says_so(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "not in the archive": the capture is there, but the system refuses to read it."""
    line, name = _capture(scene)
    real_open = os.open

    def denied(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith(name):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    result = run_cli("validate", scene.package, "--archive", scene.archive)
    assert (result.code, result.errors) == (
        1,
        [
            problem(
                f"data/sources.csv:{line}",
                "archive",
                "archive-missing",
                f"{name!r} cannot be read: Permission denied",
            )
        ],
    )
