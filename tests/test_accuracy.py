"""bench/accuracy.py: the scoring rules on a labelled corpus of our own, agreement with the
shared scorer, and the line the README records for the real io-uring corpus."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import pytest

from helpers import FIXTURES, REPO

ACCURACY = REPO / "bench" / "accuracy.py"
OWN_CORPUS = FIXTURES / "corpus" / "demo"
SHARED_CORPORA = REPO.parent / "shared" / "corpus"
REAL_CORPUS = SHARED_CORPORA / "io-uring"
RECORDED_ROW = re.compile(r"^\| io-uring \| (\d+) \| (\d+)/(\d+) \| (\d+) \| (\d+) \|", re.M)


def accuracy(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ACCURACY), *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)


def scored(corpus) -> dict:
    done = accuracy(corpus, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_blocks_debatable_and_unlabelled_lines_are_scored_as_the_corpus_readme_says():
    score = scored(OWN_CORPUS)
    assert score["recall"]["by_rule"] == {"DMA_SYNC": {"found": 1, "blocks": 2},
                                          "NIOV_OWNER_CAST": {"found": 0, "blocks": 2},
                                          "PRIVATE_FIELD": {"found": 2, "blocks": 2}}
    # Lines 10 and 13 are one block, 17 another; a block is only found in its own mail.
    assert [(m["mail"].rsplit("/", 1)[1][:4], m["path"], m["first"], m["last"], m["rule"])
            for m in score["misses"]] == [
        ("0002", "io_uring/zcopy_rx.c", 51, 51, "DMA_SYNC"),
        ("0003", "io_uring/zcopy_rx.c", 10, 13, "NIOV_OWNER_CAST"),
        ("0003", "io_uring/zcopy_rx.c", 17, 17, "NIOV_OWNER_CAST")]
    # A finding on a should_not_flag or an unlabelled line is a false positive; the warning
    # on a debatable line and the info on an unlabelled one are not counted.
    assert [(f["mail"].rsplit("/", 1)[1][:4], f["path"], f["line"], f["code"])
            for f in score["false_positives"]["list"]] == [
        ("0004", "io_uring/zcopy_rx.c", 51, "ZCX102"),
        ("0004", "io_uring/zcopy_rx.c", 62, "ZCX201"),
        ("0005", "io_uring/zcopy_rx.c", 29, "ZCX105"),
        ("0001", "drivers/net/ethernet/acme/acme_mp.c", 24, "ZCX102"),
        ("0001", "drivers/net/ethernet/acme/acme_mp.c", 51, "ZCX101")]
    assert score["failed_runs"] == []


def test_the_text_report_lists_every_miss_and_false_positive_with_its_reason():
    done = accuracy(OWN_CORPUS)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("corpus demo: recall 3/6 should-flag blocks, 5 false positives, ")
    assert lines[1] == "recall by rule: DMA_SYNC 1/2, NIOV_OWNER_CAST 0/2, PRIVATE_FIELD 2/2"
    assert lines[2] == "false positives by code: ZCX101 1, ZCX102 2, ZCX105 1, ZCX201 1"
    assert [line for line in lines if "acme_mp.c:51" in line] == [
        "  false positive ../../series/hunk-only/0001-net-acme-fill-the-page_pool-cache-directly.patch "
        "drivers/net/ethernet/acme/acme_mp.c:51 ZCX101: no label"]
    assert sum(line.startswith("  missed ") for line in lines) == 3


def test_a_directory_that_is_no_corpus_is_refused_in_one_line(tmp_path):
    done = accuracy(tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(tmp_path) in done.stderr and "labels.tsv" in done.stderr


@pytest.mark.skipif(not (SHARED_CORPORA / "score.py").is_file(), reason="no ../shared/corpus/score.py beside the clone")
def test_the_shared_scorer_gives_the_same_numbers():
    ours = scored(OWN_CORPUS)
    done = subprocess.run([sys.executable, str(SHARED_CORPORA / "score.py"), str(OWN_CORPUS),
                           "--cmd", f"{sys.executable} -m zcrxlint"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    head = done.stdout.splitlines()[0]
    found, blocks, fps, by_code = re.match(
        r"corpus demo: recall (\d+)/(\d+) should-flag blocks, (\d+) false positives (\{.*?\})", head).groups()
    assert (int(found), int(blocks)) == (ours["recall"]["found"], ours["recall"]["blocks"])
    assert int(fps) == ours["false_positives"]["total"]
    assert ast.literal_eval(by_code) == ours["false_positives"]["by_code"]


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="no ../shared/corpus/io-uring beside the clone (a user's clone has none)")
def test_the_real_corpus_never_moves_the_wrong_way():
    recorded = RECORDED_ROW.search((REPO / "README.md").read_text())
    assert recorded, "README.md records no row for the io-uring corpus"
    series, found, blocks, false_positives, partly_parsed = map(int, recorded.groups())
    score = scored(REAL_CORPUS)
    misses = "\n".join(f"  missed {m['mail']} {m['path']}:{m['first']} {m['rule']}" for m in score["misses"])
    wrong = "\n".join(f"  false positive {f['mail']} {f['path']}:{f['line']} {f['code']}: {f['reason'][:100]}"
                      for f in score["false_positives"]["list"])
    assert score["failed_runs"] == []
    assert (score["series"], score["recall"]["blocks"]) == (series, blocks)
    assert score["recall"]["found"] >= found, f"recall fell below the recorded {found}/{blocks}:\n{misses}"
    assert score["false_positives"]["total"] <= false_positives, \
        f"false positives rose above the recorded {false_positives}:\n{wrong}"
    assert score["partly_parsed_functions"] <= partly_parsed
