"""`zcrxlint files`: whole files, each on its own, prefiltered by token and spread over cores.

Each file is analysed alone, as a translation unit is compiled: with the facts about
page_pool's API, but not with the structs or bodies of the other files in the run. That keeps
the answer for a file independent of what else was named on the command line and of the
order the workers finish in, and lets memory stay flat: a file's tree is dropped as soon as
its findings are out.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .basetree import decode_source
from .budget import OverBudget, over_budget_reason, time_budget
from .engine import TOO_DEEP, Analyzer, Coverage, PartialNote, PatchResult
from .errors import InputError
from .finding import Finding
from .images import Image


@dataclass
class Outcome:
    index: int
    path: str
    parsed: bool = False
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)
    partial: list[PartialNote] = field(default_factory=list)
    coverage: Coverage | None = None
    error: str | None = None


PR_SET_PDEATHSIG = 1

# The analyzer the workers use: set in the parent before they fork, so that each worker
# starts with the loaded facts instead of pickling them.
_analyzer: Analyzer | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def analyse(analyzer: Analyzer, outcome: Outcome, data: bytes, known_match: bool = False) -> Outcome:
    """One whole file on its own, unless the prefilter rules it out."""
    if not known_match and not analyzer.prefilter.matches(data):
        return outcome
    too_large = limits.file_too_large(len(data))
    if too_large:
        outcome.partial = [PartialNote(outcome.path, too_large, None, "unread")]
        return outcome
    image = Image(outcome.path, decode_source(data))
    alone = analyzer.fresh()
    outcome.parsed = True
    outcome.lines = image.text.count("\n")
    try:
        with time_budget(analyzer.budget):
            model = alone.model(image)
            outcome.coverage = Coverage.of(model, None)
            outcome.partial = alone.partial_notes(model, outcome.coverage, None)
            outcome.findings = alone.findings(model)
    except OverBudget:
        # Whatever part was done is dropped: the note says the file was not finished.
        outcome.findings, outcome.coverage = [], None
        outcome.partial = [PartialNote(outcome.path, over_budget_reason(analyzer.budget), None, "budget")]
    except RecursionError:
        # One file nested deeper than the analysis can follow spoils none of the others.
        outcome.findings, outcome.coverage = [], None
        outcome.partial = [PartialNote(outcome.path, TOO_DEEP, None, "unread")]
    return outcome


def _quiet_on_signals() -> None:
    """Workers leave Ctrl-C to the parent (it says so once), die on SIGTERM without a
    traceback of their own, and die with the parent (which leaves at once when stopped,
    while the pool may be starting a worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's kill() is all there is
        pass


def _analyse(job: tuple[int, str, str, bool]) -> Outcome:
    index, path, label, known_match = job
    outcome = Outcome(index, label)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        outcome.error = f"cannot read: {exc.strerror or exc}"
        return outcome
    return analyse(_analyzer, outcome, data, known_match)


def scan(analyzer: Analyzer, files: list[tuple[Path, str]], jobs: int,
         prefilter: bool = True, unread: list[tuple[str, str]] = ()) -> PatchResult:
    """`files` are (where to read, the path to report) pairs, in the order to report them;
    `unread`: (path to report, why) of the files found but not to be read."""
    if not files and unread:
        raise InputError(*unread[0])
    global _analyzer
    _analyzer = analyzer
    paths = [str(path) for path, _ in files]
    # Files grep rules out are never read here; the rest are read once, by one worker.
    selected = analyzer.prefilter.select(paths, jobs) if prefilter else [True] * len(paths)
    todo = [(i, paths[i], label, selected is not None and selected[i])
            for i, (_, label) in enumerate(files) if selected is None or selected[i]]
    if jobs > 1 and len(todo) > 1:
        # Biggest first, so that no worker is left with a large file at the end.
        todo.sort(key=lambda job: -_size(job[1]))
        chunk = 1 if selected is not None else 64
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(todo)), _quiet_on_signals)
        try:
            outcomes = list(pool.imap_unordered(_analyse, todo, chunksize=chunk))
        except BaseException:
            # Stopped by a signal: a worker the same signal killed may hold the task
            # queue's lock, and Pool.terminate() would wait for it forever.
            for worker in pool._pool:
                worker.kill()
            raise
        pool.close()
        pool.join()
    else:
        outcomes = [_analyse(job) for job in todo]
    outcomes.sort(key=lambda o: o.index)
    failed = [o for o in outcomes if o.error]
    if failed and len(failed) == len(files) and not unread:
        raise InputError(paths[failed[0].index], failed[0].error)
    result = PatchResult(None)
    result.partial = [PartialNote(path, reason, None, "unread") for path, reason in unread]
    result.files = [label for _, label in files]
    result.unparsed = len(files) - sum(o.parsed for o in outcomes)
    for outcome in outcomes:
        result.files_lines += outcome.lines
        if outcome.error:
            # Files are independent: one that cannot be read spoils none of the others.
            result.partial.append(PartialNote(outcome.path, outcome.error, None, "unread"))
        result.partial.extend(outcome.partial)
        if outcome.coverage is not None:
            result.coverage.append(outcome.coverage)
        result.findings.extend(outcome.findings)
    return result


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
