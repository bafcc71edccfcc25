from __future__ import annotations

from ..finding import Severity
from ..registry import Check, Rule
from ._provider import proving_guard, provider_file, through


class NiovOwnerGuardInverted(Check):
    rule = Rule(
        code="ZCX302",
        name="niov-owner-guard-inverted",
        severity=Severity.ERROR,
        summary="the guard before a net_iov cast proves the opposite owner",
        why=("A guard that rejects the provider's own niovs and lets every other one through "
             "is worse than none: it reads as a proof in review. A real series shipped "
             "'if (is_devmem(niov)) return -ENODEV;' before a devmem cast through three "
             "revisions. The branch that reaches the cast must be the one where the owner "
             "test is true."),
        example=("if (net_is_devmem_iov(niov))\n\treturn -ENODEV;\n"
                 "binding = net_devmem_iov_binding(niov);"),
        instead=("if (!net_is_devmem_iov(niov))\n\treturn -ENODEV;\n"
                 "binding = net_devmem_iov_binding(niov);"),
    )

    def run(self, ctx):
        if not provider_file(ctx):
            return
        model = ctx.model
        for verdict in model.provider.ownership_verdicts:
            if verdict.opposite is None:
                continue
            site = verdict.site
            cast_line = model.line_of(site.node)
            where = f"line {cast_line}" if cast_line else "below"
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"guard '{model.text(verdict.anchor)}' lets through exactly the net_iovs that are "
                f"not what the {site.target} at {where}{through(list(verdict.trail))} needs: "
                f"invert it; the cast needs {proving_guard(ctx, site.need)}",
                verdict.function, related=frozenset(verdict.trail), subject=site.target)
            if finding:
                yield finding
