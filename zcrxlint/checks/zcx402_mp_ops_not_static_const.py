from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule


class MpOpsNotStaticConst(Check):
    rule = Rule(
        code="ZCX402",
        name="mp-ops-not-static-const",
        severity=Severity.ERROR,
        summary="a memory_provider_ops table that is not static const",
        why=("page_pool_init() does WARN_ON(!is_kernel_rodata(pool->mp_ops)) and fails the "
             "pool with -EFAULT: an ops table in writable memory (or in a module) is refused, "
             "so that nobody can redirect a provider's callbacks at run time. The table must "
             "be 'static const' and built in."),
        example="struct memory_provider_ops zc_ops = { ... };",
        instead="static const struct memory_provider_ops zc_ops = { ... };",
    )

    def run(self, ctx):
        for table in ctx.model.ops_tables:
            missing = [word for word, has in (("static", table.is_static), ("const", table.is_const))
                       if not has]
            if not missing:
                continue
            finding = ctx.finding(
                self.rule, table.node,
                f"{table.name} is not {' '.join(missing)}: "
                f"{ctx.facts.provider.why_static_const}; declare it 'static const'",
                None, subject=table.name)
            if finding:
                yield finding
