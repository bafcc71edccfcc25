from __future__ import annotations

from ..finding import Severity
from ..prefilter import ownership_triggers
from ..registry import Check, Rule
from ._provider import proving_guard, provider_file, through, unread_caveat


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
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/netmem.h>\n"
            "#include \"../core/devmem.h\"\n"
            "\n"
            "/* The dma-buf binding a received frag's buffer belongs to, for the user's token. */\n"
            "static int tcp_frag_binding_id(const skb_frag_t *frag, u32 *id)\n"
            "{\n"
            "\tstruct net_iov *niov = skb_frag_net_iov(frag);\n"
            "\n"
            "\tif (!niov || net_is_devmem_iov(niov))\n"
            "\t\treturn -ENODEV;\n"
            "\t*id = net_devmem_iov_binding_id(niov);\n"
            "\treturn 0;\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/skbuff.h>\n"
            "#include <net/netmem.h>\n"
            "#include \"../core/devmem.h\"\n"
            "\n"
            "/* The dma-buf binding a received frag's buffer belongs to, for the user's token. */\n"
            "static int tcp_frag_binding_id(const skb_frag_t *frag, u32 *id)\n"
            "{\n"
            "\tstruct net_iov *niov = skb_frag_net_iov(frag);\n"
            "\n"
            "\tif (!niov || !net_is_devmem_iov(niov))\n"
            "\t\treturn -ENODEV;\n"
            "\t*id = net_devmem_iov_binding_id(niov);\n"
            "\treturn 0;\n"
            "}\n"
        ),
        example_path="net/ipv4/tcp.c",
        refs=(
            "net_is_devmem_iov() (6.15+; static inline in include/net/netmem.h by 6.18): true for devmem's niovs",
            "devmem's tcp_recvmsg_dmabuf(): -ENODEV unless net_is_devmem_iov(), before any net_devmem_*() call",
            "Pavel Begunkov: the net_devmem_*() helpers return garbage for other providers' niovs, hence the prefix",
        ),
    )

    def triggers(self, facts):
        return ownership_triggers(facts)

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
            severity, caveat = unread_caveat(verdict)
            finding = ctx.finding(
                self.rule, verdict.anchor,
                f"guard '{model.text(verdict.anchor)}' lets through exactly the net_iovs that are "
                f"not what the {site.target} at {where}{through(list(verdict.trail))} needs: "
                f"invert it; the cast needs {proving_guard(ctx, site.need)}{caveat}",
                verdict.function, severity, related=frozenset(verdict.trail), subject=site.target)
            if finding:
                yield finding
