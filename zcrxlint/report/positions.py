"""Where a finding of patch i sits after the whole series: annotations and code-scanning
results are shown on the series' last commit, so a line that later patches moved must be
moved with them, and one they changed no longer has a place.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine import RunResult
from ..finding import Finding
from ..patch import Hunk


@dataclass(frozen=True)
class FinalPosition:
    path: str
    line: int | None          # None: a later patch changed or removed the line
    end_line: int | None
    moved_by: int | None = None   # the patch that moved or changed it last


def _through(hunks: tuple[Hunk, ...], line: int) -> int | None:
    """`line` of a file's pre-image in its post-image, or None if the hunks change it."""
    shift = 0
    for hunk in sorted(hunks, key=lambda h: h.old_start):
        if hunk.old_length == 0:          # pure insertion after old_start
            if line <= hunk.old_start:
                break
            shift += hunk.new_length
            continue
        if line < hunk.old_start:
            break
        if line >= hunk.old_start + hunk.old_length:
            shift += hunk.new_length - hunk.old_length
            continue
        for diff_line in hunk.lines:
            if diff_line.old_line == line:
                return diff_line.new_line if diff_line.kind == " " else None
        return None
    return line + shift


def final_positions(run: RunResult) -> dict[int, FinalPosition]:
    """id(finding) -> its position after the last patch of the run."""
    positions: dict[int, FinalPosition] = {}
    results = run.results
    for i, result in enumerate(results):
        for finding in result.findings:
            positions[id(finding)] = _carry(finding, results[i + 1:])
    return positions


def _carry(finding: Finding, later) -> FinalPosition:
    path, line, end_line, moved_by = finding.path, finding.line, finding.end_line, None
    for result in later:
        if result.patch is None:
            continue
        for change in result.patch.files:
            if (change.old_path or change.new_path) != path:
                continue
            if change.new_path is None:
                return FinalPosition(path, None, None, result.patch.index)
            new_line = _through(change.hunks, line)
            new_end = _through(change.hunks, end_line)
            if (new_line, change.new_path) != (line, path):
                moved_by = result.patch.index
            if new_line is None:
                return FinalPosition(change.new_path, None, None, result.patch.index)
            path, line = change.new_path, new_line
            end_line = new_end if new_end is not None and new_end >= new_line else new_line
            break
    return FinalPosition(path, line, end_line, moved_by)
