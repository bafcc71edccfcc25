"""Baselines: adopt zcrxlint on a tree that already has findings and see only new ones.

The file lists the findings of one run by fingerprint (finding.fingerprints), not by line,
so edits elsewhere in a file do not turn known findings into new ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
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
    # Written beside it and renamed over it: a failed write (full disk, size limit)
    # leaves the old baseline whole.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(document, indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise InputError(str(path), f"cannot write the baseline: {exc.strerror or exc}") from None
    return len(entries)


BASELINE_START = re.compile(rb'\A\s*\{\s*"tool": "zcrxlint"')


def check_baseline_target(path: Path) -> None:
    """Refuse, before the run, a --write-baseline path that names anything but a new file or
    an earlier baseline: a patch, a C source or a device given by mistake is never
    overwritten."""
    try:
        if not path.exists():
            if not path.parent.is_dir():
                raise InputError(str(path), "--write-baseline: no such directory")
            return
        if path.is_file():
            with open(path, "rb") as fh:
                head = fh.read(256)
            if not head or BASELINE_START.match(head):
                return
    except OSError as exc:
        raise InputError(str(path), f"--write-baseline: {exc.strerror or exc}") from None
    raise InputError(str(path), "--write-baseline: the file exists and is not a zcrxlint baseline; "
                                "it is not overwritten (remove it, or name a new file)")


def read_baseline(path: Path) -> frozenset[str]:
    text = read_user_file(path, "baseline")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"not a zcrxlint baseline (bad JSON: {exc})") from None
    except ValueError as exc:    # an integer of more digits than Python converts
        raise InputError(str(path), f"not a zcrxlint baseline ({exc})") from None
    except RecursionError:
        raise InputError(str(path), "not a zcrxlint baseline (arrays or objects nested deeper "
                                    "than the JSON parser follows)") from None
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
