from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._pool import inferred_note, one_per_line


class HistoricParam(Check):
    rule = Rule(
        code="ZCX107",
        name="pp-historic-param",
        severity=Severity.INFO,
        summary="a pool parameter no merged provider needs is read (p.napi, p.nid, p.pool_size)",
        why=("Only the first zcrx posting read pp->p.napi (for its napi_id); the check was "
             "dropped before merge. A provider that needs these is usually tying itself to the "
             "driver's NAPI or NUMA layout instead of its own binding state."),
        example="ifq->napi_id = pp->p.napi->napi_id;",
        instead="struct my_ifq *ifq = pp->mp_priv;",
    )

    def run(self, ctx):
        if ctx.is_owner_file:
            return
        for access in one_per_line(ctx.model.pool_accesses):
            fact = ctx.facts.field(access.chain)
            if fact.access != "historic-param" or access.mode != "read":
                continue
            message = (f"{ctx.model.text(access.node)} read: {fact.why}; "
                       f"use {fact.instead}{inferred_note(access)}")
            finding = ctx.finding(self.rule, access.node, message, access.function)
            if finding:
                yield finding
