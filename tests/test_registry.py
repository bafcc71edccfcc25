"""The registry is explicit and complete, codes are stable, and the docs come from it."""

from __future__ import annotations

import json
import re

from helpers import FIXTURES, REPO, TRAILER, file_expectations, parse_codes, run

from zcrxlint.checks import CHECKS, RULES
from zcrxlint.docs import DOCS_PAGE, anchor, rules_markdown, rules_table


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert codes == sorted(codes)
    for rule in RULES:
        assert re.fullmatch(r"ZCX[1-9]\d\d", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.summary and rule.why and rule.example and rule.instead


def test_every_check_module_is_registered_once():
    modules = sorted(p.stem for p in (REPO / "zcrxlint" / "checks").glob("zcx*.py"))
    registered = sorted(type(c).__module__.rsplit(".", 1)[1] for c in CHECKS)
    assert modules == registered
    for check in CHECKS:
        assert type(check).__module__.rsplit(".", 1)[1].startswith(check.rule.code.lower() + "_")


def test_every_code_is_exercised_by_a_fixture():
    annotated = set()
    for path in FIXTURES.rglob("*"):
        if path.is_file() and path.suffix in (".c", ".h", ".patch", ".eml", ".mbox", ".diff"):
            text = path.read_text(errors="replace")
            annotated |= {code for _, code, _ in file_expectations(text)}
            annotated |= {code for m in TRAILER.finditer(text) for code, _ in parse_codes(m.group(3))}
    assert {r.code for r in RULES} <= annotated


def test_readme_codes_table_is_rendered_from_the_rules():
    readme = (REPO / "README.md").read_text()
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", readme, re.S)
    assert table, "README.md lost its generated codes table"
    assert table.group(1) == rules_table(RULES), \
        "README codes table is stale: paste the table from `zcrxlint rules --format markdown`"


def test_committed_rule_docs_are_not_stale():
    committed = (REPO / DOCS_PAGE).read_text()
    assert committed == rules_markdown(RULES), \
        f"{DOCS_PAGE} is stale: run `zcrxlint rules --format markdown > {DOCS_PAGE}`"
    for rule in RULES:
        assert f"\n## {rule.code} {rule.name}\n" in committed
        assert f"](#{anchor(rule)})" in committed


def test_rules_lists_each_code_with_its_kernel_range():
    code, out, _ = run(["rules", "--format", "json"])
    listed = {r["code"]: r for r in json.loads(out)}
    assert code == 0 and set(listed) == {r.code for r in RULES}
    for rule in RULES:
        assert listed[rule.code]["kernels"] == {"since": rule.since, "until": rule.until}
    assert listed["ZCX205"]["kernels"]["since"] == "6.14"
    _, text, _ = run(["rules"])
    assert re.search(r"(?m)^ZCX205\s+dma-sync-dmabuf\s+warning\s+6\.14\+\s", text)


def test_explain_gives_what_why_the_example_and_the_fix_for_every_code():
    for rule in RULES:
        for key in (rule.code, rule.name):
            code, out, _ = run(["explain", key])
            assert code == 0
            assert out.startswith(f"{rule.code} {rule.name} ({rule.severity.label}; kernels {rule.kernel_range})")
            assert "\nWhy:\n" in out and "\nFlagged (" in out and "\nInstead:\n" in out
            example = out[out.index("\nFlagged ("):out.index("\nInstead:\n")]
            fixed = out[out.index("\nInstead:\n"):]
            assert all(line in example for line in rule.example.rstrip().splitlines())
            assert all(line in fixed for line in rule.instead.rstrip().splitlines())
            assert (f"\nReferences:\n" in out) == bool(rule.refs)
    code, _, err = run(["explain", "ZCX999"])
    assert code == 2 and err.startswith("zcrxlint: ZCX999: no such code")


def test_rules_json_points_each_code_at_its_docs_section():
    _, out, _ = run(["rules", "--format", "json"])
    for entry in json.loads(out):
        assert entry["help"].startswith(f"{DOCS_PAGE}#zcx")
