from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck

class ReadonlyFieldWrite(PoolFieldCheck):
    rule = Rule(
        code="ZCX106",
        name="pp-readonly-field-write",
        severity=Severity.ERROR,
        summary="a page_pool parameter or binding field is written outside page_pool",
        why=("A provider reads the pool parameters (p.dev, p.order, p.dma_dir, p.offset, "
             "p.max_len), mp_priv, mp_ops and dma_map to validate the pool in ->init and to "
             "sync; the driver chose them at page_pool_create() and page_pool_init() copied "
             "mp_priv/mp_ops from the queue. Writing them changes a pool the provider does "
             "not own. A driver that rewrites its own pool after page_pool_create() (p.napi "
             "on a queue restart) races with page_pool's lockless readers; that is a warning, "
             "with page_pool_disable_direct_recycling() as the sanctioned way to drop the NAPI."),
        example=(
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
            "\t/* the area is mapped in whole pages from offset 0 */\n"
            "\tpp->p.order = 0;\n"
            "\tpp->p.offset = 0;\n"
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
            "\t/* the area is mapped in whole pages from offset 0 */\n"
            "\tif (pp->p.order != 0 || pp->p.offset)\n"
            "\t\treturn -EOPNOTSUPP;\n"
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
            "struct page_pool_params_fast (pp->p), include/net/page_pool/types.h: the driver's parameters",
            "upstream ->init refuses, never rewrites: io_uring zcrx "
            "checks p.dev, p.order, p.dma_dir; devmem wants p.order == 0",
            "Pavel Begunkov, 'sanitise allocation order': providers must check the order on init",
        ),
    )

    access_classes = frozenset({"public-param", "historic-param", "provider-context", "readable-flag",
                                "registration"})

    def judge(self, ctx, access, fact):
        if access.mode not in ("write", "push", "escape"):
            return None
        written = f"{ctx.model.text(access.node)} written"
        if ctx.model.provider.is_provider:
            return f"{written}: {fact.why}; {ctx.advice(fact.instead)}", self.rule.severity
        # A driver rewriting the pool it created races with page_pool's lockless readers;
        # a smell more than a broken contract, so a warning.
        return (f"{written} after page_pool_create(): page_pool reads it without a lock; "
                f"{fact.driver_instead or 'set it in the page_pool_params the pool is created with instead'}",
                Severity.WARNING)
