from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class HistoricParam(PoolFieldCheck):
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

    access_classes = frozenset({"historic-param"})

    def judge(self, ctx, access, fact):
        # The driver that creates a pool owns its parameters; these rules are about providers.
        if not ctx.model.provider.is_provider or access.mode != "read":
            return None
        return f"{ctx.model.text(access.node)} read: {fact.why}; use {ctx.advice(fact.instead)}", self.rule.severity
