"""The token prefilter of `zcrxlint files`: it may only skip files where no check could
report anything, and grep and Python must agree on which those are."""

from __future__ import annotations

import json

import pytest

from helpers import FIXTURES, run_json
from zcrxlint import facts
from zcrxlint.engine import Analyzer
from zcrxlint.prefilter import Prefilter, gnu_grep

TREE = FIXTURES / "tree"
KERNELS = ("6.12", "6.15", "6.18", "7.1")


def _prefilter(kernel: str) -> Prefilter:
    return Analyzer(facts.load(facts.KernelVersion.parse(kernel))).prefilter


def _findings(doc) -> list[tuple]:
    return [(f["path"], f["line"], f["code"], f["severity"], f["message"]) for f in doc["findings"]]


@pytest.mark.parametrize("kernel", KERNELS)
def test_the_prefilter_loses_no_finding_on_the_fixture_tree(kernel):
    _, everything = run_json(["files", TREE, "--kernel", kernel, "--no-prefilter", "-j", "1"])
    _, filtered = run_json(["files", TREE, "--kernel", kernel, "-j", "1"])
    # Skipped files can only lose ZCX901 (a parse note on a file no check needs).
    assert _findings(filtered) == [f for f in _findings(everything)
                                   if f[2] != "ZCX901" or f[0] in {p[0] for p in _findings(filtered)}]
    assert everything["summary"]["unparsed"] == 0
    assert filtered["summary"]["unparsed"] > 0


def test_files_holding_no_trigger_token_are_counted_not_parsed():
    _, doc = run_json(["files", TREE / "fs", TREE / "net/core/xdp.c", "-j", "1"])
    assert doc["findings"] == []
    # acmefs_alloc.c names alloc_stats and ring but never page_pool: not parsed; xdp.c is
    # parsed (it names page_pool) and exempt.
    assert (doc["summary"]["files"], doc["summary"]["unparsed"]) == (2, 1)


SAMPLES = {
    b"struct page_pool *pp;": True,
    b"x = page->pp->ring.queue;": True,            # a member the facts type as a pool
    b"x = page->pp\n\t\t->alloc.count;": True,      # the access spans lines
    b"x = q->ring.queue; y = st->alloc_stats.n;": False,
    b"static const struct memory_provider_ops ops;": True,
    b"/* zcrxlint: ignore[ZCX101] reason */": True,
    b"\x00\xff\xfe binary \x00 page_pool": True,
    b"\x00\xff\xfe binary \x00 nothing": False,
    b"app->ring = NULL;": False,                      # pp inside a longer name
    b"": False,
}


@pytest.mark.parametrize("data,expected", SAMPLES.items(), ids=range(len(SAMPLES)))
def test_python_matching(data, expected):
    assert _prefilter("6.18").matches(data) is expected


@pytest.mark.skipif(gnu_grep() is None, reason="GNU grep is not installed")
@pytest.mark.parametrize("kernel", KERNELS)
def test_grep_and_python_agree(kernel, tmp_path):
    prefilter = _prefilter(kernel)
    paths = [str(p) for p in sorted(TREE.rglob("*")) if p.suffix in (".c", ".h")]
    for n, data in enumerate(SAMPLES):
        (tmp_path / f"sample{n}.c").write_bytes(data)
        paths.append(str(tmp_path / f"sample{n}.c"))
    by_python = [prefilter.matches(open(p, "rb").read()) for p in paths]
    assert prefilter.select(paths, 2) == by_python
    assert any(by_python) and not all(by_python)


def test_one_process_or_several_give_the_same_report():
    outputs = [run_json(["files", TREE, "-j", jobs])[1] for jobs in ("1", "2")]
    assert json.dumps(outputs[0]) == json.dumps(outputs[1])


def test_every_rule_example_passes_the_prefilter():
    # docs.run_example goes through the prefilter: a flagged example it skipped would
    # come back empty and fail tests/test_rule_docs.py; here the reason is named.
    from zcrxlint.checks import RULES
    from zcrxlint.docs import example_kernel
    for rule in RULES:
        if rule.code == "ZCX901":
            continue      # it never triggers on its own
        prefilter = Analyzer(facts.load(example_kernel(rule))).prefilter
        assert prefilter.matches(rule.example.encode()), rule.code


def test_without_grep_the_same_files_are_parsed(monkeypatch):
    from zcrxlint import prefilter
    _, with_grep = run_json(["files", TREE, "-j", "2"])
    monkeypatch.setenv("ZCRXLINT_NO_GREP", "1")
    prefilter.gnu_grep.cache_clear()
    try:
        _, without = run_json(["files", TREE, "-j", "2"])
    finally:
        prefilter.gnu_grep.cache_clear()
    assert json.dumps(with_grep) == json.dumps(without)
