"""The default report, in the block format reviewers know from checkpatch.pl:

    ERROR:ZCX101: message
    #45: FILE: io_uring/zcrx.c:123:
    +	pp->pages_state_hold_cnt++;

then per patch `total: N errors, M warnings, K checks, L lines checked`.
"""

from __future__ import annotations

from ..engine import PatchResult, RunResult
from ..finding import Finding, Severity


def _patch_position(result: PatchResult, finding: Finding) -> tuple[int | None, str]:
    """checkpatch's #N (line in the patch as read) and the +/space the line carries there."""
    if result.patch is None:
        return None, "+"
    for change in result.patch.files:
        if change.path != finding.path:
            continue
        for hunk in change.hunks:
            for line in hunk.lines:
                if line.new_line == finding.line and line.kind != "-":
                    return line.patch_line, line.kind
    return None, " "


def _block(result: PatchResult, finding: Finding) -> str:
    number, prefix = _patch_position(result, finding)
    where = f"#{number}: " if number is not None else ""
    return (f"{finding.severity.checkpatch_level}:{finding.code}: {finding.message}\n"
            f"{where}FILE: {finding.path}:{finding.line}:\n"
            f"{prefix}{finding.line_text}\n")


def render_text(run: RunResult, stream) -> None:
    several = len(run.results) > 1
    total = len(run.results)
    for result in run.results:
        patch = result.patch
        name = patch.source if patch is not None else ", ".join(result.files) or "input"
        if several and patch is not None:
            stream.write(f"Patch {patch.index}/{total} (\"{patch.subject}\") from {patch.source}\n")
        for finding in result.findings:
            stream.write(_block(result, finding) + "\n")
        counts = {s: sum(1 for f in result.findings if f.severity == s) for s in Severity}
        lines = patch.line_count if patch is not None else 0
        stream.write(f"total: {counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
                     f"{counts[Severity.INFO]} checks, {lines} lines checked\n")
        for note in result.partial:
            stream.write(f"NOTE: {note.path} analysed in part: {note.reason}\n")
        verdict = ("has page_pool memory-provider problems, please review."
                   if result.findings else "has no obvious page_pool memory-provider problems.")
        stream.write(f"\n{name} {verdict}\n")
        if several:
            stream.write("\n")
    stream.write(f"kernel facts: {run.kernel}\n")
