from __future__ import annotations

from ..finding import Severity
from ..registry import Rule
from ._pool import PoolFieldCheck


class PrivateField(PoolFieldCheck):
    rule = Rule(
        code="ZCX101",
        name="pp-private-field",
        severity=Severity.ERROR,
        summary="a struct page_pool field private to page_pool is read or written",
        why=("Fields such as pages_state_hold_cnt, pages_state_release_cnt, ring, the frag_* "
             "allocator state, the stats and user_cnt belong to page_pool's own fast path and "
             "teardown accounting. A provider that touches them breaks page_pool's invariants "
             "in ways that only show at pool destruction; reviewers have rejected every "
             "posting that did (zcrx v1 bumped pages_state_hold_cnt by hand)."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "/* Take a free buffer for the pool; called on the ->alloc_netmems path. */\n"
            "static struct net_iov *acme_zc_get_niov(struct page_pool *pp, struct acme_zc_area *area)\n"
            "{\n"
            "\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\tpage_pool_fragment_netmem(net_iov_to_netmem(niov), 1);\n"
            "\tpp->pages_state_hold_cnt++;\n"
            "\treturn niov;\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "#include <net/page_pool/memory_provider.h>\n"
            "\n"
            "struct acme_zc_area {\n"
            "\tstruct net_iov_area nia;\n"
            "\tu32 free_count;\n"
            "\tu32 *freelist;\n"
            "};\n"
            "\n"
            "/* Take a free buffer for the pool; called on the ->alloc_netmems path. */\n"
            "static struct net_iov *acme_zc_get_niov(struct page_pool *pp, struct acme_zc_area *area)\n"
            "{\n"
            "\tstruct net_iov *niov = &area->nia.niovs[area->freelist[--area->free_count]];\n"
            "\n"
            "\tnet_mp_niov_set_page_pool(pp, niov);\n"
            "\treturn niov;\n"
            "}\n"
        ),
        example_path="drivers/net/ethernet/acme/acme_zc.c",
        fix=("Only with ZCX104's rewrite: a 'pool->pages_state_hold_cnt++;' (and its "
             "trace_page_pool_state_hold()) directly after "
             "'page_pool_set_pp_info(pool, net_iov_to_netmem(niov));' goes into "
             "'net_mp_niov_set_page_pool(pool, niov);'. Anything else, the example included "
             "(page_pool_fragment_netmem() is not page_pool_set_pp_info()), is left to the author."),
        fix_example=False,
        refs=(
            "net_mp_niov_set_page_pool() / net_mp_niov_clear_page_pool(), "
            "include/net/page_pool/memory_provider.h (6.15+)",
            "netdev review of io_uring zcrx v1 (Mina Almasry): providers must not touch page_pool's private fields",
            "netdev review of io_uring zcrx v9 (Jakub Kicinski): no open-coded pages_state_hold_cnt bump",
        ),
    )

    access_classes = frozenset({"private"})

    def judge(self, ctx, access, fact):
        if access.mode == "size":
            return None
        # An address handed to a call that is not known to read or write through it
        # (the accessors of rules/page_pool.toml) is neither, as far as can be told.
        verb = {"write": "written", "push": "written", "pop": "written",
                "escape": "passed by address"}.get(access.mode, "read")
        what = f"{ctx.model.text(access.node)} {verb} outside page_pool"
        if verb == "read" and ctx.model.provider.is_provider and fact.read_instead:
            # A provider reading the counter has no helper to call instead: ask what for.
            return f"{what}: {fact.read_why or fact.why}; {fact.read_instead}", self.rule.severity
        # A driver reading the counters wants statistics, not the provider helpers.
        instead = fact.driver_instead if verb != "written" and fact.driver_instead \
            and not ctx.model.provider.is_provider else ctx.advice(fact.instead)
        return f"{what}: {fact.why}; use {instead}", self.rule.severity
