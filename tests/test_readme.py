"""The README and CONTRIBUTING stay true: every rule, every command and every nox session is
documented. (That the generated regions are current is tests/test_docs.py's job.)"""

from __future__ import annotations

import ast
import re

from gongbao.problems.catalogue import FAMILIES, RULES

RULE_ROW = re.compile(r"^\|([^|]*)\| `([a-z0-9-]+)` \| `(.+)` \|$", re.M)


def _readme(repo) -> str:
    return (repo / "README.md").read_text(encoding="utf-8")


def _in_family_order() -> list[str]:
    return [rule.id for family in FAMILIES for rule in RULES.values() if rule.family == family]


def test_every_rule_has_one_row_in_family_order_with_its_own_example(repo):
    rows = RULE_ROW.findall(_readme(repo))
    assert [rule for _, rule, _ in rows] == _in_family_order()
    titles = [family.strip() for family, _, _ in rows if family.strip()]
    assert titles == list(FAMILIES.values())
    for _, rule, example in rows:
        assert f": {rule}: " in example, f"example for {rule} does not show the rule: {example}"
        assert example.endswith(f"({RULES[rule].hint})"), f"example for {rule} has no hint"


def test_contributing_explains_every_rule_under_its_family(repo):
    text = (repo / "CONTRIBUTING.md").read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, re.M)
    assert [h for h in headings if h in FAMILIES.values()] == list(FAMILIES.values())
    listed = re.findall(r"^- `([a-z0-9-]+)`: ", text, re.M)
    assert listed == _in_family_order()


def test_quick_start_commands(repo):
    text = _readme(repo)
    assert "pip install nox && nox -s validate" in text
    assert "nox -s tests" in text


def test_ci_runs_the_readme_test_command_and_checks_the_docs(repo):
    assert "done < .ci/steps" in (repo / ".ci" / "run").read_text(encoding="utf-8")
    lines = (repo / ".ci" / "steps").read_text(encoding="utf-8").splitlines()
    steps = [line for line in lines if line and not line.startswith("#")]
    assert steps[0] == "tests"  # the README's test command, first
    assert "docs -- --check" in steps  # a generated region or chart left stale fails CI


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
        row = f"\n| `gongbao {name}"  # a row of the Commands table
        assert row in _readme(repo), f"gongbao {name} is not in the README's command table"
