"""The default report, in the block format reviewers know from checkpatch.pl:

    ERROR:ZCX101: message
    #45: FILE: io_uring/zcrx.c:123:
    +	pp->pages_state_hold_cnt++;

then per patch `total: N errors, M warnings, K checks, L lines checked`. The flags
--terse, --showfile, --emacs, --no-summary, --mailback and -q mean what they mean to
checkpatch.pl, so b4 and the netdev patch CI read this output as they read its.
"""

from __future__ import annotations

import re

from ..engine import INCOMPLETE_KINDS, PatchResult, RunResult
from ..errors import visible
from ..finding import Finding, Severity
from .coverage import shown, summary_line
from .options import ReportOptions


def _patch_position(result: PatchResult, finding: Finding) -> tuple[int | None, str]:
    """checkpatch's #N (line in the patch as read) and the +/space the line carries there."""
    if result.patch is None:
        return None, "+"
    shown = result.patch.diff_line(finding.path, finding.line)
    if shown is None:
        return None, " "
    _, hunk, at = shown
    return hunk.lines[at].patch_line, hunk.lines[at].kind


def _input_name(result: PatchResult) -> str:
    source = result.patch.source if result.patch is not None else ""
    return "-" if source == "<stdin>" else source


def _block(result: PatchResult, finding: Finding, options: ReportOptions) -> str:
    number, prefix = _patch_position(result, finding)
    path = visible(finding.path)
    lead = ""
    if options.showfile or (options.emacs and number is None):
        lead = f"{path}:{finding.line}: "
    elif options.emacs:
        lead = f"{visible(_input_name(result))}:{number}: "
    first = f"{lead}{finding.severity.checkpatch_level}:{finding.code}: {visible(finding.message)}\n"
    if options.terse:
        return first
    where = "" if options.showfile else \
        f"{f'#{number}: ' if number is not None else ''}FILE: {path}:{finding.line}:\n"
    return f"{first}{where}{prefix}{visible(finding.line_text)}\n\n"


def banner(result: PatchResult, total: int) -> str:
    patch = result.patch
    if patch.commit:
        return f"Commit {patch.commit[:12]} (\"{visible(patch.subject)}\")"
    return f"Patch {patch.index}/{total} (\"{visible(patch.subject)}\") from {visible(patch.source)}"


def _failing(findings: list[Finding], options: ReportOptions) -> list[Finding]:
    """The findings that make the run exit 1."""
    if options.fail_on is None:
        return []
    return [f for f in findings if f.severity >= options.fail_on]


def _names(paths: list[str]) -> str:
    return ", ".join(paths) if len(paths) <= 3 else f"{len(paths)} files"


def _verdict(result: PatchResult, options: ReportOptions) -> str:
    """The sentence under a patch (or the files), agreeing with the exit status: problems
    are the findings at or above --fail-on."""
    patch = result.patch
    failing = _failing(result.findings, options)
    if patch is not None:
        name = f"Commit {patch.commit[:12]}" if patch.commit else patch.source
        has = "has"
    else:
        named = sorted({f.path for f in failing}) if failing else result.files
        name = _names(named)
        if failing and len(named) > 3:
            name = f"{len(named)} of {len(result.files)} files"
        has = "have" if len(named) > 1 else "has"
    if failing:
        verdict = f"{has} page_pool memory-provider problems, please review."
    else:
        verdict = f"{has} no obvious page_pool memory-provider problems."
        if result.findings:
            count = f"{len(result.findings)} finding{'' if len(result.findings) == 1 else 's'}"
            below = "--fail-on never" if options.fail_on is None else \
                f"none at or above --fail-on {options.fail_on_name}"
            verdict = f"{verdict[:-1]} ({count}, {below})."
    if not failing and any(n.kind in INCOMPLETE_KINDS for n in result.partial):
        # Silence about a file that was not read whole is no verdict on it; the NOTE line
        # closing the run says which and why.
        verdict = verdict.replace(" problems", " problems in what could be read", 1)
    return f"{visible(name)} {verdict}"


class _NoWorkflowCommands:
    """Writes whole lines, none of which starts with `::`: GitHub Actions runs such a line
    of a step's output as a workflow command, and a path or name from a patch can put it
    there."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> None:
        self.stream.write(WORKFLOW_COMMAND.sub(r" \1", text))


WORKFLOW_COMMAND = re.compile(r"(?m)^(::)")


def render_text(run: RunResult, stream, options: ReportOptions = ReportOptions()) -> None:
    stream = _NoWorkflowCommands(stream)
    coverage = summary_line(run, options)
    run = shown(run, options)
    if options.mailback and not run.findings and coverage is None:
        return
    several = len(run.results) > 1
    total = len(run.results)
    for result in run.results:
        patch = result.patch
        clean = not result.findings
        if patch is not None and several and not options.quiet:
            stream.write(f"{banner(result, total)}\n")
        for finding in result.findings:
            stream.write(_block(result, finding, options))
        if options.summary and not (clean and options.quiet):
            stream.write(f"total: {result.count(Severity.ERROR)} errors, "
                         f"{result.count(Severity.WARNING)} warnings, "
                         f"{result.count(Severity.INFO)} checks, {result.lines_checked} lines checked\n")
        if options.verbose:
            for note in result.partial:
                stream.write(f"NOTE: {visible(note.path)} {note.headline}: {visible(note.reason)}\n")
        if result.unparsed and options.summary and not options.quiet:
            stream.write(f"{result.unparsed} of {len(result.files)} files hold none of the tokens "
                         "the checks look for and were not parsed\n")
        if options.summary and not options.quiet:
            stream.write(f"\n{_verdict(result, options)}\n")
            if several:
                stream.write("\n")
    if options.summary and not options.quiet:
        if several:
            verdicts = [r.verdict for r in run.results]
            stream.write(f"{total} patches: {verdicts.count('fail')} with errors, "
                         f"{verdicts.count('warn')} with warnings, {verdicts.count('pass')} clean\n")
        if run.baselined:
            stream.write(f"baseline: {run.baselined} known finding{'s' if run.baselined > 1 else ''} not shown\n")
    if coverage is not None:
        stream.write(coverage + "\n")
    if options.summary and not options.quiet:
        stream.write(f"kernel facts: {run.kernel}\n")
