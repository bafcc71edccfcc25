"""`--format json`: the document shape DESIGN.md fixes for other tools."""

from __future__ import annotations

import json

from .. import __version__
from ..engine import RunResult
from ..finding import Severity
from .options import ReportOptions


def finding_dict(finding, patch) -> dict:
    return {
        "code": finding.code, "name": finding.name, "severity": finding.severity.label,
        "path": finding.path, "line": finding.line, "column": finding.column,
        "end_line": finding.end_line, "end_column": finding.end_column,
        "function": finding.function, "message": finding.message,
        "patch": None if patch is None else patch_dict(patch),
    }


def patch_dict(patch) -> dict:
    return {"index": patch.index, "subject": patch.subject, "source": patch.source,
            "commit": patch.commit}


def document(run: RunResult) -> dict:
    findings = [finding_dict(f, r.patch) for r in run.results for f in r.findings]
    by_severity = {s: sum(1 for f in run.findings if f.severity == s) for s in Severity}
    files = {path for r in run.results for path in r.files}
    return {
        "tool": {"name": "zcrxlint", "version": __version__},
        "kernel": run.kernel,
        "findings": findings,
        "summary": {
            "errors": by_severity[Severity.ERROR],
            "warnings": by_severity[Severity.WARNING],
            "infos": by_severity[Severity.INFO],
            "patches": sum(1 for r in run.results if r.patch is not None),
            "files": len(files),
            # files mode: files holding none of the tokens any check needs, not parsed
            "unparsed": sum(r.unparsed for r in run.results),
            "partial": [p.as_dict() for p in run.partial],
            # How much of each analysed file tree-sitter parsed (lines outside ERROR nodes).
            "coverage": [c.as_dict() for c in run.coverage],
            "baselined": run.baselined,     # findings a --baseline file knew, left out
            # One verdict per patch, for CI that marks each patch (netdev's patchwork checks).
            "per_patch": [
                {**patch_dict(r.patch), "verdict": r.verdict,
                 "errors": r.count(Severity.ERROR), "warnings": r.count(Severity.WARNING),
                 "infos": r.count(Severity.INFO), "partial": len(r.partial)}
                for r in run.results if r.patch is not None],
        },
    }


def render_json(run: RunResult, stream, options: ReportOptions | None = None) -> None:
    json.dump(document(run), stream, indent=2)
    stream.write("\n")
