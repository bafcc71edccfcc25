"""`--format sarif`: a SARIF 2.1.0 log, for code-scanning services (GitHub code scanning
reads it with github/codeql-action/upload-sarif) and SARIF viewers.

Paths are relative to %SRCROOT%, the kernel tree. Code scanning shows results on the commit
it analysed, the series' last, so in a series a finding's region is carried through the
later patches (report/positions.py); where the patch that introduced it put it is kept in
`properties.patchRegion`. A finding whose line a later patch rewrote keeps only its file.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import PurePosixPath

from .. import __version__, docs
from ..checks import RULES
from ..engine import PartialNote, RunResult
from ..finding import Finding, Severity, fingerprints
from ..registry import Rule
from .json_report import patch_dict
from .options import ReportOptions
from .positions import FinalPosition, final_positions

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "zcrxlint/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# The hundreds digit of a code; code-scanning services filter on these tags.
FAMILY = {"1": "page-pool-internals", "2": "dma-sync", "3": "net-iov-ownership",
          "4": "memory-provider-ops", "9": "run"}


def family(rule: Rule) -> str:
    return FAMILY[rule.code[3]]


def rule_descriptor(rule: Rule, docs_url: str | None) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": docs.rule_text(rule), "markdown": docs.rule_markdown(rule)},
        "helpUri": docs.help_uri(rule, docs_url),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": [family(rule)],
                       "kernels": {"since": rule.since, "until": rule.until}},
    }


def artifact_location(path: str) -> dict:
    if PurePosixPath(path).is_absolute():    # `files` on a file outside any kernel tree
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": urllib.parse.quote(path), "uriBaseId": SRCROOT}


def _region(finding: Finding, line: int, end_line: int) -> dict:
    region = {"startLine": line, "startColumn": finding.column,
              "endLine": end_line, "endColumn": finding.end_column}
    if finding.line_text and finding.line == finding.end_line:
        region["snippet"] = {"text": finding.line_text[finding.column - 1:finding.end_column - 1]}
    return region


def location(finding: Finding, where: FinalPosition) -> dict:
    physical = {"artifactLocation": artifact_location(where.path)}
    if where.line is not None:
        physical["region"] = _region(finding, where.line, where.end_line)
        whole_line = len(finding.line_text) + 1
        # A context region must be a proper superset of the region: the whole line, when
        # the finding is part of one line.
        if finding.line == finding.end_line and (finding.column, finding.end_column) != (1, whole_line):
            physical["contextRegion"] = {"startLine": where.line, "snippet": {"text": finding.line_text}}
    found = {"physicalLocation": physical}
    if finding.function:
        found["logicalLocations"] = [{"name": finding.function, "kind": "function"}]
    return found


def result(finding: Finding, where: FinalPosition, fingerprint: str, patch,
           rule_index: dict[str, int]) -> dict:
    message = finding.message
    if where.line is None:
        message += f" (line {finding.line} in patch {patch.index}; patch {where.moved_by} changed it since)"
    entry = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVEL[finding.severity],       # the configuration may have moved it
        "message": {"text": message},
        "locations": [location(finding, where)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if patch is not None:
        entry["properties"] = {"patch": patch_dict(patch),
                               "patchRegion": {"path": finding.path,
                                               **_region(finding, finding.line, finding.end_line)}}
    return entry


def notification(note: PartialNote) -> dict:
    entry = {
        "level": "warning",
        "message": {"text": f"{note.headline}: {note.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(note.path)}}],
    }
    entry["properties"] = {"kind": note.kind}
    if note.patch is not None:
        entry["properties"]["patch"] = note.patch
    return entry


def results(run: RunResult) -> list[dict]:
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    positions = final_positions(run)
    placed = [(f, r.patch) for r in run.results for f in r.findings]
    keys = fingerprints([f for f, _ in placed])
    return [result(f, positions[id(f)], key, patch, rule_index) for (f, patch), key in zip(placed, keys)]


def invocation(run: RunResult) -> dict:
    entry = {"executionSuccessful": True}
    if run.partial:
        entry["toolExecutionNotifications"] = [notification(n) for n in run.partial]
    return entry


def document(run: RunResult, docs_url: str | None) -> dict:
    driver = {
        "name": "zcrxlint",
        "version": __version__,
        "semanticVersion": __version__,
        # zcrxlint has no home page of its own: its documentation is the rules page.
        "informationUri": docs_url or docs.rules_page().as_uri(),
        "rules": [rule_descriptor(rule, docs_url) for rule in RULES],
    }
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {SRCROOT: {"description": {
                "text": "The root of the kernel tree the patches apply to."}}},
            "invocations": [invocation(run)],
            # Finding columns count characters, not SARIF's default UTF-16 code units.
            "columnKind": "unicodeCodePoints",
            "results": results(run),
            "properties": {"kernel": run.kernel, "baselined": run.baselined},
        }],
    }


def render_sarif(run: RunResult, stream, options: ReportOptions = ReportOptions()) -> None:
    json.dump(document(run, options.docs_url), stream, indent=2)
    stream.write("\n")
