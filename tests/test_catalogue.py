"""The rule catalogue is the only declaration of a rule: each has exactly one implementation,
and its example, planted in a copy of the real package, produces exactly that rule at the
declared file:line: field (and nothing else)."""

from __future__ import annotations

import pytest

from gongbao.problems.catalogue import FAMILIES, IMPLEMENTATIONS, RULES

from conftest import example_outcome

# Importing every module that implements rules registers the implementations.
import gongbao.rules.expectations  # noqa: F401  isort: skip
import gongbao.rules.tables  # noqa: F401  isort: skip
import gongbao.validate  # noqa: F401  isort: skip

pytestmark = pytest.mark.xdist_group("examples")  # one worker runs the examples, once


def test_every_rule_has_exactly_one_implementation():
    assert {rule: len(where) for rule, where in IMPLEMENTATIONS.items()} == dict.fromkeys(RULES, 1)


def test_every_family_has_rules_and_every_rule_a_family():
    assert {rule.family for rule in RULES.values()} == set(FAMILIES)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_the_example_produces_exactly_its_rule(repo, rule_id):
    rule = RULES[rule_id]
    outcome = example_outcome(rule_id, repo)
    found = [(p.rule, p.path, p.line, p.field) for p in outcome.problems]
    assert found == [(rule_id, *outcome.expected)]
    assert [p.severity for p in outcome.problems] == [rule.example.severity]
