from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class PrivateField(PoolFieldCheck):
    rule = Rule(
        code="ZCX101",
        name="pp-private-field",
        severity=Severity.ERROR,
        summary="a struct page_pool field private to page_pool is read or written",
        why=("Fields such as pages_state_hold_cnt, pages_state_release_cnt, ring, the frag_* "
             "allocator state, the stats and user_cnt belong to page_pool's own fast path and "
             "teardown accounting. A provider that touches them breaks page_pool's invariants "
             "in ways that only show at pool destruction; reviewers have rejected every "
             "posting that did (zcrx v1 bumped pages_state_hold_cnt by hand)."),
        example="pp->pages_state_hold_cnt++;",
        instead="net_mp_niov_set_page_pool(pp, niov);",
    )

    access_classes = frozenset({"private"})

    def judge(self, ctx, access, fact):
        if access.mode == "size":
            return None
        verb = "written" if access.mode in ("write", "push", "pop", "escape") else "read"
        return (f"{ctx.model.text(access.node)} {verb} outside page_pool: "
                f"{fact.why}; use {ctx.advice(fact.instead)}", self.rule.severity)
