"""Rules (what users see: code, name, docs) and the Check base class that implements one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterator

from .facts import KernelVersion, Span
from .finding import Finding, Severity
from .prefilter import Triggers

if TYPE_CHECKING:
    from .context import CheckContext
    from .fix import NoFix, Rewrite


@dataclass(frozen=True)
class Rule:
    code: str            # ZCX + three digits, never reused
    name: str            # kebab-case, accepted wherever a code is
    severity: Severity   # the usual severity; a check may lower it (inferred types)
    summary: str         # one line
    why: str             # the reviewer's objection, a paragraph
    example: str         # a small C file the check flags (rendered in docs, run by the tests)
    instead: str         # the same file fixed: nothing is flagged in it
    since: str = "6.12"  # first kernel release the rule applies to
    until: str | None = None   # first release it no longer applies to
    # Its judgement rests on facts that change between releases (which helpers are private,
    # which callbacks are mandatory): not run for a target older than the facts know.
    by_release: bool = False
    # Where the example file sits in the tree: what a check flags depends on the path
    # (page_pool's own files, in-tree providers, drivers).
    example_path: str = "drivers/net/ethernet/acme/acme_rx.c"
    example_kernel: str | None = None   # release the examples are checked at; None: newest it applies to
    refs: tuple[str, ...] = ()          # the helpers to use, their headers, the review history
    # What `--fix` rewrites for this rule, and when it does not ("": no mechanical fix), and
    # whether that turns `example` into `instead` (the tests hold it to it).
    fix: str = ""
    fix_example: bool = True

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
    # Runs once the other checks' findings have met the file's suppressions (it judges them).
    after_suppressions: ClassVar[bool] = False

    def run(self, ctx: "CheckContext") -> Iterator[Finding]:
        raise NotImplementedError

    def fix(self, ctx: "CheckContext", finding: Finding, node) -> "Rewrite | NoFix | None":
        """The mechanical rewrite that settles `finding` (whose node is `node`), or why there
        is none here (fix.py applies it only once the rewritten file proves clean)."""
        return None

    def triggers(self, facts) -> Triggers:
        """The tokens a file must hold for run() to report anything in it (prefilter.py).
        Unless a check says, every file is parsed for it."""
        return Triggers(everything=True)
