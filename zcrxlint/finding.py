"""The one result type every check produces."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def checkpatch_level(self) -> str:
        return {"INFO": "CHECK", "WARNING": "WARNING", "ERROR": "ERROR"}[self.name]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    function: str | None
    message: str
    # For the scope rule: which function of the image it sits in (synthetic names
    # included), and the anchor line's text with whitespace squeezed.
    function_key: str | None = None
    anchor_text: str = ""
    line_text: str = ""        # the anchor line as written, for display
    # Other functions whose change can cause this finding (a callee that casts, the ->init
    # that leaves dma_sync on): a patch touching one of them is blamed too.
    related: frozenset = frozenset()
    # What the finding is about, independent of the names around it (a renamed variable or
    # function does not make an old finding new).
    subject: str = ""

    @property
    def match_key(self) -> tuple:
        """What makes a finding in the post-image 'the same' as one in the pre-image."""
        return (self.code, self.function_key, self.anchor_text)

    @property
    def rename_key(self) -> tuple | None:
        return (self.code, self.subject) if self.subject else None


def fingerprints(findings: list[Finding]) -> list[str]:
    """A key per finding that survives line shifts: what it is (code), where (path and
    function) and the anchor line's text with whitespace squeezed, then `:N` for the Nth
    finding with that key in the run, so a second identical line is a new finding."""
    seen: dict[str, int] = {}
    keys = []
    for finding in findings:
        digest = hashlib.sha256("\0".join(
            (finding.code, finding.path, finding.function or "", finding.anchor_text)).encode()).hexdigest()[:20]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(f"{digest}:{seen[digest]}")
    return keys
