"""Rules (what users see: code, name, docs) and the Check base class that implements one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterator

from .facts import KernelVersion, Span
from .finding import Finding, Severity

if TYPE_CHECKING:
    from .context import CheckContext


@dataclass(frozen=True)
class Rule:
    code: str            # ZCX + three digits, never reused
    name: str            # kebab-case, accepted wherever a code is
    severity: Severity   # the usual severity; a check may lower it (inferred types)
    summary: str         # one line
    why: str             # the reviewer's objection, a paragraph
    example: str         # C that the check flags
    instead: str         # C that it accepts
    since: str = "6.12"  # first kernel release the rule applies to
    until: str | None = None   # first release it no longer applies to

    @property
    def kernel_range(self) -> str:
        return f"{self.since}+" if self.until is None else f"{self.since} to <{self.until}"

    def applies_to(self, kernel) -> bool:
        return Span(KernelVersion.parse(self.since),
                    KernelVersion.parse(self.until) if self.until else None).holds_at(kernel)

    def __post_init__(self):
        assert re.fullmatch(r"ZCX\d{3}", self.code), self.code
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.name), self.name


class Check:
    """One rule's implementation. Subclasses set `rule` and implement run()."""
    rule: ClassVar[Rule]

    def run(self, ctx: "CheckContext") -> Iterator[Finding]:
        raise NotImplementedError
