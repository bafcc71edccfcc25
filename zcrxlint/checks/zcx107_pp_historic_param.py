from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class HistoricParam(PoolFieldCheck):
    rule = Rule(
        code="ZCX107",
        name="pp-historic-param",
        severity=Severity.INFO,
        summary="a pool parameter no merged provider needs is read (p.napi, p.nid, p.pool_size, slow.*)",
        why=("Only the first zcrx posting read pp->p.napi (for its napi_id); the check was "
             "dropped before merge. A provider that needs these is usually tying itself to the "
             "driver's NAPI or NUMA layout instead of its own binding state. The slow-path "
             "parameters (pp->slow.netdev, queue_idx, flags) are the driver's too: a later "
             "posting compared pp->slow.netdev in ->init, and the merged provider checks "
             "pp->p.dev, the device the pool maps for, instead."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the other callbacks */\n"
            "\n"
            "struct acme_zc_ifq {\n"
            "\tstruct device *dev;\n"
            "\tunsigned int napi_id;\n"
            "};\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\tstruct acme_zc_ifq *ifq = pp->mp_priv;\n"
            "\n"
            "\tif (WARN_ON_ONCE(!ifq || ifq->dev != pp->p.dev))\n"
            "\t\treturn -EINVAL;\n"
            "\tifq->napi_id = pp->p.napi->napi_id;\n"
            "\treturn 0;\n"
            "}\n"
            "\n"
            "static const struct memory_provider_ops acme_zc_ops = {\n"
            "\t.alloc_netmems = acme_zc_alloc_netmems,\n"
            "\t.release_netmem = acme_zc_release_netmem,\n"
            "\t.init = acme_zc_pp_init,\n"
            "\t.destroy = acme_zc_pp_destroy,\n"
            "\t.nl_fill = acme_zc_nl_fill,\n"
            "};\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the other callbacks */\n"
            "\n"
            "struct acme_zc_ifq {\n"
            "\tstruct device *dev;\n"
            "};\n"
            "\n"
            "static int acme_zc_pp_init(struct page_pool *pp)\n"
            "{\n"
            "\tstruct acme_zc_ifq *ifq = pp->mp_priv;\n"
            "\n"
            "\tif (WARN_ON_ONCE(!ifq || ifq->dev != pp->p.dev))\n"
            "\t\treturn -EINVAL;\n"
            "\treturn 0;\n"
            "}\n"
            "\n"
            "static const struct memory_provider_ops acme_zc_ops = {\n"
            "\t.alloc_netmems = acme_zc_alloc_netmems,\n"
            "\t.release_netmem = acme_zc_release_netmem,\n"
            "\t.init = acme_zc_pp_init,\n"
            "\t.destroy = acme_zc_pp_destroy,\n"
            "\t.nl_fill = acme_zc_nl_fill,\n"
            "};\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "pp->mp_priv (from the rx queue's struct pp_memory_provider_params): the provider's own binding state",
            "io_uring zcrx v1 read pp->p.napi for its napi_id in ->init; the version merged in 6.15 does not",
        ),
        by_release=True,
    )

    access_classes = frozenset({"historic-param"})

    def judge(self, ctx, access, fact):
        # The driver that creates a pool owns its parameters; these rules are about providers.
        if not ctx.model.provider.is_provider or access.mode != "read":
            return None
        return f"{ctx.model.text(access.node)} read: {fact.why}; use {ctx.advice(fact.instead)}", self.rule.severity
