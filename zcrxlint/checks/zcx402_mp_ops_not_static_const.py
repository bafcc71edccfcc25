from __future__ import annotations

from .. import fix
from ..finding import Severity
from ..prefilter import ops_table_triggers
from ..registry import Check, Rule


class MpOpsNotStaticConst(Check):
    rule = Rule(
        code="ZCX402",
        name="mp-ops-not-static-const",
        severity=Severity.ERROR,
        summary="a memory_provider_ops table that is not const",
        why=("page_pool_init() does WARN_ON(!is_kernel_rodata(pool->mp_ops)) and fails the "
             "pool with -EFAULT: an ops table in writable memory (or in a module) is refused, "
             "so that nobody can redirect a provider's callbacks at run time. The table must "
             "be const and built in; 'static' is the usual form, but a const table a header "
             "declares extern is in rodata just the same."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the callbacks */\n"
            "\n"
            "static struct memory_provider_ops acme_zc_ops = {\n"
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
            "#include \"acme_zc.h\" /* the callbacks */\n"
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
        fix=("A static table gets 'const' in front of its type. A table that is not static is "
             "not rewritten: other files may declare it extern, and their declaration has to "
             "become const with it."),
        refs=(
            "page_pool_init() (6.15+): WARN and -EFAULT unless pool->mp_ops is in kernel rodata",
            "the memory_provider.h helpers are not exported to modules: providers are built in",
        ),
        by_release=True,
    )

    def triggers(self, facts):
        return ops_table_triggers(facts)

    def run(self, ctx):
        for table in ctx.model.ops_tables:
            if table.is_const:
                continue
            finding = ctx.finding(
                self.rule, table.node,
                f"{table.name} is not const: {ctx.facts.provider.why_static_const}; "
                f"declare it '{'static ' if table.is_static else ''}const'",
                None, subject=table.name)
            if finding:
                yield finding

    def fix(self, ctx, finding, node):
        table = next((t for t in ctx.model.ops_tables if t.node.start_byte == node.start_byte), None)
        if table is None or table.is_const:
            return None
        if not table.is_static:
            return fix.NoFix(f"{table.name} is not static: any extern declaration of it must "
                             "become const too")
        ctype = node.child_by_field_name("type")
        return fix.Rewrite((fix.Edit(ctype.start_byte, ctype.start_byte, "const "),)) if ctype else None
