"""Rule docs come from the rule objects, and every documented example behaves as documented."""

from __future__ import annotations

import pytest
from helpers import REPO, run

from zcrxlint.checks import RULES
from zcrxlint.docs import rules_markdown, run_example


def _codes(findings):
    return sorted({f.code for f in findings})


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_the_flagged_example_raises_exactly_its_code(rule):
    findings = run_example(rule, rule.example)
    assert _codes(findings) == [rule.code], [(f.line, f.code, f.message) for f in findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_the_fixed_example_is_silent(rule):
    findings = run_example(rule, rule.instead)
    assert findings == [], [(f.line, f.code, f.message) for f in findings]
