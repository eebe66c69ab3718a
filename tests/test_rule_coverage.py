"""A guard against adding a rule without a test: every rule id is expected by some test.

This only checks that each id is named in a test file (as a string or in an expected
`path:line: field: rule:` prefix); the tests named test_*_rules.py are where each rule is
planted in a copy of the real package and expected at its exact file, line and field.
"""

from __future__ import annotations

import re

from gongbao.problems import RULES


def test_every_rule_is_named_by_some_test(repo):
    expected = set()
    for path in (repo / "tests").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        # assert_reported(result, path, line, field, "rule"), or a (…, "rule", …) case table
        expected |= set(re.findall(r'"([a-z0-9]+(?:-[a-z0-9]+)*)"', text)) & set(RULES)
        expected |= set(re.findall(r"(?<=: )([a-z0-9-]+)(?=: )", text)) & set(RULES)
    assert set(RULES) - expected == set()
