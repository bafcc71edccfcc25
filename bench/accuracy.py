#!/usr/bin/env python3
"""zcrxlint scored on a labelled corpus of real patch mails.

usage: python bench/accuracy.py [CORPUS_DIR] [--cmd CMD] [-j N] [--show N] [--json]

A corpus is a directory in the format of ../shared/corpus/io-uring (its README):
`patches/*.patch` raw mails, `series.tsv` (`series, files`: the mails of one run, in
order) and `labels.tsv` (`file, rule, path_in_patch, verdict, reason, new_lineno`).
Each series is linted as one `check --format json` run, and scored as that README says:
- only errors and warnings count;
- should_flag lines of one rule in one file of one mail within 3 lines of each other are
  one block, found when any error or warning lands on any of its lines in that mail;
- an error or warning on a should_not_flag or unlabelled line is a false positive, on a
  debatable line it is neither.
Prints recall per rule, false positives per code, the partly parsed functions (ZCX901)
summed over the runs, then every miss and false positive as
`mail path:line CODE: reason`. Exit 0 whatever the numbers (it measures; the test that
holds the line is tests/test_accuracy.py), 2 when the corpus cannot be read.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import io
import json
import multiprocessing
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "io-uring"
BLOCK_GAP = 3
SCORED_SEVERITIES = ("error", "warning")
RUN_TIMEOUT = 120


@dataclass
class Block:
    mail: str
    path: str
    rule: str
    first: int
    last: int
    reason: str

    def where(self) -> str:
        lines = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.mail} {self.path}:{lines}"


@dataclass
class Score:
    corpus: str
    series: int
    blocks: list[Block]
    found: set[int] = field(default_factory=set)
    false_positives: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    partly_parsed_functions: int = 0
    failed_runs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def recall_by_rule(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = {}
        for index, block in enumerate(self.blocks):
            found_total = totals.setdefault(block.rule, [0, 0])
            found_total[0] += index in self.found
            found_total[1] += 1
        return {rule: (found, total) for rule, (found, total) in sorted(totals.items())}

    def false_positives_by_code(self) -> dict[str, int]:
        return dict(sorted(collections.Counter(fp[0] for fp in self.false_positives).items()))

    def misses(self) -> list[Block]:
        return [block for index, block in enumerate(self.blocks) if index not in self.found]

    def as_json(self) -> dict:
        return {
            "corpus": self.corpus,
            "series": self.series,
            "recall": {"found": len(self.found), "blocks": len(self.blocks),
                       "by_rule": {rule: {"found": f, "blocks": t}
                                   for rule, (f, t) in self.recall_by_rule().items()}},
            "false_positives": {"total": len(self.false_positives),
                                "by_code": self.false_positives_by_code(),
                                "list": [{"code": code, "mail": mail, "path": path, "line": line,
                                          "reason": reason}
                                         for code, mail, path, line, reason in self.false_positives]},
            "misses": [{"rule": b.rule, "mail": b.mail, "path": b.path, "first": b.first,
                        "last": b.last, "reason": b.reason} for b in self.misses()],
            "partly_parsed_functions": self.partly_parsed_functions,
            "failed_runs": self.failed_runs,
            "seconds": round(self.seconds, 1),
        }


class CorpusError(Exception):
    pass


def read_corpus(corpus: Path) -> tuple[dict, list[list[str]]]:
    """(labels by (mail, path, line), the series as lists of mails)."""
    try:
        with open(corpus / "labels.tsv", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        series_lines = (corpus / "series.tsv").read_text().splitlines()[1:]
    except OSError as exc:
        raise CorpusError(f"{corpus}: not a labelled corpus: {exc.strerror}: {exc.filename}") from None
    labels: dict[tuple[str, str, int], list[dict]] = collections.defaultdict(list)
    for number, row in enumerate(rows, start=2):
        try:
            labels[(row["file"], row["path_in_patch"], int(row["new_lineno"]))].append(row)
        except (KeyError, TypeError, ValueError):
            raise CorpusError(f"{corpus / 'labels.tsv'}:{number}: not a label row") from None
    series = []
    for number, line in enumerate(series_lines, start=2):
        columns = line.split("\t")
        if len(columns) != 2 or not columns[1].split():
            raise CorpusError(f"{corpus / 'series.tsv'}:{number}: not `series<TAB>files`")
        series.append(columns[1].split())
    return labels, series


def should_flag_blocks(labels: dict) -> tuple[list[Block], dict]:
    """The should_flag blocks, and the block of every should_flag line."""
    blocks: list[Block] = []
    block_of: dict[tuple[str, str, int], int] = {}
    for key in sorted(k for k, rows in labels.items() if any(r["verdict"] == "should_flag" for r in rows)):
        flagged = [r for r in labels[key] if r["verdict"] == "should_flag"]
        rule = min(r["rule"] for r in flagged)
        previous = blocks[-1] if blocks else None
        if (previous and (previous.mail, previous.path) == key[:2] and previous.rule == rule
                and key[2] - previous.last <= BLOCK_GAP):
            previous.last = key[2]
        else:
            reason = next(r["reason"] for r in flagged if r["rule"] == rule)
            blocks.append(Block(key[0], key[1], rule, key[2], key[2], reason))
        block_of[key] = len(blocks) - 1
    return blocks, block_of


def check_argv(corpus: Path, mails: list[str]) -> list[str]:
    return ["check", "--format", "json", *(str(corpus / mail) for mail in mails)]


def lint_with_command(command: list[str], argv: list[str]) -> dict | None:
    try:
        done = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd="/")
        return json.loads(done.stdout) if done.returncode in (0, 1) else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None


def lint_in_process(argv: list[str]) -> dict | None:
    """The same run as `python -m zcrxlint ARGV`, without starting Python and loading the
    facts once per series: most of a subprocess run's time on a corpus of short series."""
    from zcrxlint.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except Exception:       # an internal error is a failed run, as a subprocess's would be
            status = 2
    try:
        return json.loads(out.getvalue()) if status in (0, 1) else None
    except json.JSONDecodeError:
        return None


def lint_all(argvs: list[list[str]], command: list[str] | None, jobs: int) -> list[dict | None]:
    if command is not None:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(lambda argv: lint_with_command(command, argv), argvs))
    import zcrxlint.cli  # noqa: F401  (imported once, before the workers fork)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(lint_in_process, argvs, chunksize=1)


def score(corpus: Path, command: list[str] | None, jobs: int) -> Score:
    labels, series = read_corpus(corpus)
    blocks, block_of = should_flag_blocks(labels)
    result = Score(corpus.name, len(series), blocks)
    started = time.monotonic()
    docs = lint_all([check_argv(corpus, mails) for mails in series], command, max(1, jobs))
    result.seconds = time.monotonic() - started
    for mails, doc in zip(series, docs):
        if doc is None:
            result.failed_runs.append(mails[0])
            continue
        for finding in doc.get("findings", []):
            if finding.get("code") == "ZCX901":
                result.partly_parsed_functions += 1
            if finding.get("severity") not in SCORED_SEVERITIES:
                continue
            index = (finding.get("patch") or {}).get("index")
            if not index or index > len(mails):
                continue
            key = (mails[index - 1], finding.get("path"), finding.get("line"))
            if key in block_of:
                result.found.add(block_of[key])
                continue
            rows = labels.get(key, [])
            if any(r["verdict"] == "debatable" for r in rows):
                continue
            reason = "; ".join(f"{r['verdict']}: {r['reason']}" for r in rows) or "no label"
            result.false_positives.append((finding["code"], key[0], key[1], key[2], reason))
    return result


def print_text(result: Score, show: int) -> None:
    by_code = result.false_positives_by_code()
    print(f"corpus {result.corpus}: recall {len(result.found)}/{len(result.blocks)} should-flag blocks, "
          f"{len(result.false_positives)} false positives, {result.partly_parsed_functions} partly parsed "
          f"functions, {len(result.failed_runs)} runs failed, {result.series} series in {result.seconds:.0f} s")
    print("recall by rule: " + ", ".join(f"{rule} {found}/{total}"
                                         for rule, (found, total) in result.recall_by_rule().items()))
    print("false positives by code: " + (", ".join(f"{code} {n}" for code, n in by_code.items()) or "none"))
    misses = result.misses()
    for block in misses if show < 0 else misses[:show]:
        print(f"  missed {block.where()} {block.rule}: {block.reason}")
    fps = result.false_positives
    for code, mail, path, line, reason in fps if show < 0 else fps[:show]:
        print(f"  false positive {mail} {path}:{line} {code}: {reason}")
    for mail in result.failed_runs:
        print(f"  run failed: series starting {mail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS,
                        help=f"a labelled corpus directory (default: {DEFAULT_CORPUS})")
    parser.add_argument("--cmd", help="a command that runs zcrxlint, once per series (default: "
                                      "this Python's zcrxlint, in forked workers)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="series linted at once (default: the cores)")
    parser.add_argument("--show", type=int, default=-1,
                        help="misses and false positives listed (default: all; 0: none)")
    parser.add_argument("--json", action="store_true", help="print the score as JSON")
    args = parser.parse_args(argv)
    try:
        command = shlex.split(args.cmd) if args.cmd else None
        result = score(args.corpus.resolve(), command, args.jobs)
    except CorpusError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(result.as_json(), sys.stdout, indent=1)
        print()
    else:
        print_text(result, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
