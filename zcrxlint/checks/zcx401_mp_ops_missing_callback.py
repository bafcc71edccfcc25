from __future__ import annotations

from ..finding import Severity
from ..prefilter import ops_table_triggers
from ..registry import Check, Rule


class MpOpsMissingCallback(Check):
    rule = Rule(
        code="ZCX401",
        name="mp-ops-missing-callback",
        severity=Severity.ERROR,
        summary="a memory_provider_ops table lacks a callback the target kernel calls unconditionally",
        why=("page_pool and the netdev netlink code call alloc_netmems, release_netmem, init "
             "and destroy (and from 6.15 nl_fill) without checking that they are set: a "
             "missing one is a NULL call the first time the path runs. Only uninstall is "
             "optional. nl_fill was made mandatory in the v12 posting of the provider API."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "#include \"acme_zc.h\" /* the callbacks */\n"
            "\n"
            "static const struct memory_provider_ops acme_zc_ops = {\n"
            "\t.alloc_netmems = acme_zc_alloc_netmems,\n"
            "\t.release_netmem = acme_zc_release_netmem,\n"
            "\t.init = acme_zc_pp_init,\n"
            "\t.destroy = acme_zc_pp_destroy,\n"
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
        fix=("No code rewrite: what the callback does is the provider's own. The finding "
             "names the stub to add: the table entry and the callback's signature."),
        fix_example=False,
        refs=(
            "struct memory_provider_ops, include/net/page_pool/memory_provider.h (6.15+): only uninstall is optional",
            "nl_fill reports the provider for a queue, or for a pool when rxq is NULL; mandatory since the API's v12",
        ),
        by_release=True,
    )

    def triggers(self, facts):
        return ops_table_triggers(facts)

    def run(self, ctx):
        facts = ctx.facts.provider
        # A series that defines the struct itself (an RFC of the API) is its own API: a
        # callback its struct lacks cannot be missing.
        defined = ctx.model.series_structs.get(facts.ops_struct)
        for table in ctx.model.ops_tables:
            missing = [c for c in facts.callbacks if c.mandatory and c.name not in table.callbacks
                       and (not defined or c.name in defined)]
            if not missing:
                continue
            names = ", ".join(f".{c.name}" for c in missing)
            reasons = "; ".join(f".{c.name}: {c.why}" for c in missing)
            prefix = table.name.removesuffix("_ops")
            stubs = "; ".join(f"'.{c.name} = {prefix}_{c.name},' with '{c.stub(f'{prefix}_{c.name}')}'"
                              for c in missing if c.returns)
            finding = ctx.finding(
                self.rule, table.node,
                f"{table.name} has no {names}, mandatory in {ctx.facts.kernel}: {reasons}"
                + (f"; add {stubs}" if stubs else ""),
                None, subject=f"{table.name}:{names}")
            if finding:
                yield finding
