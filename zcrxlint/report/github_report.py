"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::group::zcrxlint: io_uring/zcrx.c
    ::error file=io_uring/zcrx.c,line=279,endLine=279,col=2,endColumn=50,title=ZCX101 pp-private-field::...
    ::endgroup::

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step; findings past
that are printed as plain log lines in their file's group, and the closing summary line says
how many were not annotated, so none is lost from view. Only findings are annotated: what
could not be read is said once, in that summary line. In a series, lines are those of the
last patch's tree (the commit the workflow checks out), carried through later patches.
"""

from __future__ import annotations

from ..engine import PatchResult, RunResult
from ..finding import Finding, Severity
from .coverage import shown, summary_segments
from .options import ReportOptions
from .positions import FinalPosition, final_positions

ANNOTATIONS_PER_LEVEL = 10
COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _patch_label(result: PatchResult) -> str:
    patch = result.patch
    if patch is None:
        return ""
    return f"commit {patch.commit[:12]}" if patch.commit else f"patch {patch.index}"


def _annotation(finding: Finding, where: FinalPosition, title: str, label: str) -> str:
    if where.line is None:
        # A later patch changed the line: annotate the file, and say where it was.
        return (f"::{COMMAND[finding.severity]} file={_property(where.path)},title={_property(title)}::"
                f"{_data(finding.message)} (line {finding.line} in {label}; "
                f"patch {where.moved_by} changed it since)")
    props = (f"file={_property(where.path)},line={where.line},endLine={where.end_line},"
             f"col={finding.column},endColumn={finding.end_column},title={_property(title)}")
    return f"::{COMMAND[finding.severity]} {props}::{_data(finding.message)}"


def _log_line(finding: Finding, where: FinalPosition, title: str) -> str:
    at = f"{where.line}:{finding.column}" if where.line is not None else f"(was line {finding.line})"
    return f"{where.path}:{at}: {finding.severity.label}: {finding.message} [{title}]"


def render_github(run: RunResult, stream, options: ReportOptions = ReportOptions()) -> None:
    coverage = summary_segments(run, options)
    run = shown(run, options)
    several = sum(1 for r in run.results if r.patch is not None) > 1
    positions = final_positions(run)
    by_path: dict[str, list[tuple[Finding, PatchResult, FinalPosition]]] = {}
    for result in run.results:
        for finding in result.findings:
            where = positions[id(finding)]
            by_path.setdefault(where.path, []).append((finding, result, where))
    annotated = {level: 0 for level in COMMAND}
    held_back = 0
    for path, entries in by_path.items():
        stream.write(f"::group::zcrxlint: {_data(path)}\n")
        for finding, result, where in entries:
            label = _patch_label(result)
            title = f"{finding.code} {finding.name}" + (f" ({label})" if several and label else "")
            if annotated[finding.severity] < ANNOTATIONS_PER_LEVEL:
                annotated[finding.severity] += 1
                stream.write(_annotation(finding, where, title, label) + "\n")
            else:
                held_back += 1
                stream.write(_log_line(finding, where, title) + "\n")
        stream.write("::endgroup::\n")
    findings = run.findings
    counts = {level: sum(1 for f in findings if f.severity == level) for level in COMMAND}
    summary = (f"zcrxlint: {len(findings)} finding{'' if len(findings) == 1 else 's'} "
               f"({counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
               f"{counts[Severity.INFO]} notices) in {len(by_path)} file{'' if len(by_path) == 1 else 's'}"
               f", kernel facts {run.kernel}")
    if held_back:
        summary += (f"; {held_back} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} of each "
                    "level per step): they are in the groups above")
    if coverage:
        summary += "; " + "; ".join(coverage)
    if run.baselined:
        summary += f"; {run.baselined} known from the baseline, not shown"
    stream.write(summary + "\n")
