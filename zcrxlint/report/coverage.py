"""What the run could not read, said once: the reports a person reads (text, reply, github)
show the objections, and one line per run says how much of the series was analysed.
The per-file detail (and ZCX901's per-function findings) is there with -v, and always in
JSON and SARIF.
"""

from __future__ import annotations

import dataclasses

from ..engine import PatchResult, RunResult
from ..finding import Finding
from .options import ReportOptions

PARTIAL_FUNCTION = "ZCX901"

# kind of a partial note -> how the summary counts the files it names
_FILE_KINDS = (
    ("context", "read from {their} hunks only (run inside a kernel checkout at the series' base, "
                "or pass --tree DIR)"),
    ("parse", "not parsed in full"),
    ("unread", "not read"),
    ("budget", "stopped at the time budget"),
)


def shown_findings(findings: list[Finding], options: ReportOptions) -> list[Finding]:
    """The findings a person is shown: ZCX901 only when asked for."""
    if options.partial_functions:
        return findings
    return [f for f in findings if f.code != PARTIAL_FUNCTION]


def shown(run: RunResult, options: ReportOptions) -> RunResult:
    """The run as text, reply and github show it."""
    if options.partial_functions:
        return run
    return dataclasses.replace(run, results=[
        dataclasses.replace(r, findings=shown_findings(r.findings, options)) for r in run.results])


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _alone(run: RunResult) -> PatchResult | None:
    """The one patch of a run that checks a later patch of a series without the earlier
    ones (b4's per-patch check), when what it read shows that they were missed: a file
    read from its hunks only."""
    if len(run.results) != 1:
        return None
    result = run.results[0]
    patch = result.patch
    if patch is None or patch.counter is None or patch.counter[0] < 2:
        return None
    return result if any(n.kind == "context" for n in result.partial) else None


def summary_segments(run: RunResult, options: ReportOptions) -> list[str]:
    """The run's coverage in a few clauses; [] when everything was read and parsed."""
    segments = []
    alone = _alone(run)
    if alone is not None:
        n, m = alone.patch.counter
        msgid = (alone.patch.message_id or "").strip("<>")
        whole = f"b4 am -o - {msgid} | zcrxlint check -" if msgid else \
            f"zcrxlint check with patches 1-{m} in order"
        segments.append(
            f"patch {n}/{m} was checked without the {_plural(n - 1, 'patch', 'patches')} before it, "
            f"so it was read from its hunks and without the helpers the series adds: "
            f"for the whole series, run {whole}")
    file_notes = [n for n in run.partial if n.kind != "kernel"]
    paths = {n.path for n in file_notes}
    if paths and alone is None:
        counted = []
        for kind, words in _FILE_KINDS:
            count = len({n.path for n in file_notes if n.kind == kind})
            if count:
                counted.append(f"{count} {words.format(their='its' if count == 1 else 'their')}")
        segments.append(f"{_plural(len(paths), 'file')} analysed in part: {', '.join(counted)}")
    hidden = sum(1 for f in run.findings if f.code == PARTIAL_FUNCTION)
    if hidden and not options.partial_functions:
        segments.append(f"{_plural(hidden, 'function')} parsed in part ({PARTIAL_FUNCTION})")
    segments += [n.reason for n in run.partial if n.kind == "kernel"]
    return segments


def summary_line(run: RunResult, options: ReportOptions) -> str | None:
    """The text report's one NOTE line about the run's coverage."""
    segments = summary_segments(run, options)
    if not segments:
        return None
    if not options.verbose and _alone(run) is None and any(n.kind != "kernel" for n in run.partial) or \
            not options.partial_functions and any(f.code == PARTIAL_FUNCTION for f in run.findings):
        segments.append("-v lists each")
    return "NOTE: " + "; ".join(segments)
