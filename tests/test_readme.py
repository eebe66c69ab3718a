"""The README stays true: every rule, every command and every nox session is documented."""

from __future__ import annotations

import ast
import re

from gongbao.problems import FAMILIES, RULES


def _readme(repo) -> str:
    return (repo / "README.md").read_text(encoding="utf-8")


def test_every_rule_has_a_row_with_an_example(repo):
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\|[^|]*\| `([a-z0-9-]+)` \| `(.+)` \|$", _readme(repo), re.M)
    }
    assert set(rows) == set(RULES), set(RULES) ^ set(rows)
    for rule, example in rows.items():
        assert f": {rule}: " in example, f"example for {rule} does not show the rule: {example}"


def test_every_family_is_named(repo):
    for title in FAMILIES.values():
        assert title in _readme(repo)


def test_quick_start_commands(repo):
    text = _readme(repo)
    assert "pip install nox && nox -s validate" in text
    assert "nox -s tests" in text


def test_ci_runs_the_readme_test_command(repo):
    assert "nox -s tests" in (repo / ".ci" / "run").read_text(encoding="utf-8")


def test_every_nox_session_has_a_docstring(repo):
    tree = ast.parse((repo / "noxfile.py").read_text(encoding="utf-8"))
    sessions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("session" in ast.unparse(d) for d in node.decorator_list)
    ]
    assert {s.name for s in sessions} >= {
        "validate",
        "tests",
        "lint",
        "fmt",
        "docs",
        "build",
        "bench",
    }
    for session in sessions:
        assert ast.get_docstring(session), f"nox session {session.name} has no docstring"


def test_every_command_is_documented(repo):
    from gongbao.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"`gongbao {name}" in _readme(repo), f"gongbao {name} is not in the README"
