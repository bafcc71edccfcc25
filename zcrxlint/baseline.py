"""Baselines: adopt zcrxlint on a tree that already has findings and see only new ones.

The file lists the findings of one run by fingerprint (finding.fingerprints), not by line,
so edits elsewhere in a file do not turn known findings into new ones.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from . import __version__
from .engine import RunResult
from .errors import InputError, read_user_file
from .finding import fingerprints

FORMAT = 1


def write_baseline(path: Path, run: RunResult) -> int:
    findings = run.findings
    entries = [{"fingerprint": key, "code": f.code, "path": f.path, "function": f.function,
                "line": f.line, "message": f.message}
               for key, f in zip(fingerprints(findings), findings)]
    document = {"tool": "zcrxlint", "version": __version__, "format": FORMAT, "findings": entries}
    try:
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


def read_baseline(path: Path) -> frozenset[str]:
    text = read_user_file(path, "baseline")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not a zcrxlint baseline (bad JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("tool") != "zcrxlint" \
            or not isinstance(document.get("findings"), list):
        raise InputError(str(path), "not a zcrxlint baseline (write one with --write-baseline)")
    if document.get("format") != FORMAT:
        raise InputError(str(path), f"baseline format {document.get('format')!r}; this zcrxlint "
                                    f"reads format {FORMAT}: write it again with --write-baseline")
    keys = [entry.get("fingerprint") for entry in document["findings"] if isinstance(entry, dict)]
    if len(keys) != len(document["findings"]) or not all(isinstance(k, str) for k in keys):
        raise InputError(str(path), "not a zcrxlint baseline (an entry lacks its fingerprint)")
    return frozenset(keys)


def without_baselined(run: RunResult, known: frozenset[str]) -> RunResult:
    """The run with the findings the baseline knows taken out, and how many were."""
    keys = iter(fingerprints(run.findings))
    results, hidden = [], 0
    for result in run.results:
        kept = []
        for finding in result.findings:
            if next(keys) in known:
                hidden += 1
            else:
                kept.append(finding)
        results.append(dataclasses.replace(result, findings=kept))
    return dataclasses.replace(run, results=results, baselined=hidden)
