from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class AllocCacheOutsideAlloc(PoolFieldCheck):
    rule = Rule(
        code="ZCX103",
        name="pp-alloc-cache-outside-alloc",
        severity=Severity.WARNING,
        summary="page_pool's alloc cache is read outside the alloc_netmems path",
        why=("pp->alloc is protected by page_pool's NAPI context and is only stable inside "
             "the allocation path that page_pool calls the provider's alloc_netmems from. "
             "Reading alloc.count or alloc.cache anywhere else races with the consumer."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/netdevice.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "struct acme_zc_ifq {\n"
            "\tstruct page_pool *pp;\n"
            "\tstruct napi_struct *napi;\n"
            "\tu32 rq_entries;\n"
            "};\n"
            "\n"
            "/* io_uring side: the user has put buffers back on the refill ring. */\n"
            "static void acme_zc_rq_kick(struct acme_zc_ifq *ifq)\n"
            "{\n"
            "\tif (ifq->pp->alloc.count < PP_ALLOC_CACHE_REFILL)\n"
            "\t\tnapi_schedule(ifq->napi);\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <linux/netdevice.h>\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "struct acme_zc_ifq {\n"
            "\tstruct page_pool *pp;\n"
            "\tstruct napi_struct *napi;\n"
            "\tu32 rq_entries;\n"
            "};\n"
            "\n"
            "/*\n"
            " * io_uring side: the user has put buffers back on the refill ring. Kick NAPI\n"
            " * once there is a batch; ->alloc_netmems sees what page_pool's cache needs.\n"
            " */\n"
            "static void acme_zc_rq_kick(struct acme_zc_ifq *ifq)\n"
            "{\n"
            "\tif (READ_ONCE(ifq->rq_entries) >= PP_ALLOC_CACHE_REFILL)\n"
            "\t\tnapi_schedule(ifq->napi);\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        refs=(
            "struct pp_alloc_cache (pp->alloc), include/net/page_pool/types.h: protected by page_pool's NAPI context",
            "io_uring zcrx (6.15+) reads pp->alloc.count only on its alloc_netmems path",
        ),
    )

    access_classes = frozenset({"alloc-cache"})

    def judge(self, ctx, access, fact):
        if access.mode != "read" or access.function.name in ctx.model.alloc_path:
            return None
        return (f"{ctx.model.text(access.node)} read outside the provider's alloc_netmems path: "
                f"it is {fact.why}; read it only from the alloc_netmems callback", self.rule.severity)
