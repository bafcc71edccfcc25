from __future__ import annotations

import re

from ..finding import Severity
from ..prefilter import helper_triggers
from ..registry import Check, Rule


def _nodes(root):
    """Every named node, in source order. Not top-level ones only: a header read from its
    hunks alone may sit inside the block zcrxlint wraps a hunk in."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.named_children))


def _declared_function(node):
    """The name node of the function a declaration or definition declares, if any."""
    if node.type not in ("declaration", "function_definition"):
        return None
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    if declarator is None:
        return None
    name = declarator.child_by_field_name("declarator")
    return name if name is not None and name.type == "identifier" else None


def _exported(node, model, macros):
    """The argument node of `EXPORT_SYMBOL*(name);`, if that is what node is."""
    call = node.named_children[0] if node.type == "expression_statement" and node.named_children else None
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "identifier" or not macros.fullmatch(model.text(callee)):
        return None
    args = call.child_by_field_name("arguments").named_children
    return args[0] if len(args) == 1 and args[0].type == "identifier" else None


def _exported_names(facts, text: str) -> set[str]:
    """The names `EXPORT_SYMBOL*(name)` exports anywhere in `text`, read from the text alone."""
    return set(re.findall(rf"\b(?:{facts.export_macros.pattern})\s*\(\s*(\w+)", text))


def _is_private(facts, name: str) -> bool:
    fact = facts.helper(name)
    return fact is not None and fact.kind == "net-core-private"


class PrivateHelperExposed(Check):
    rule = Rule(
        code="ZCX109",
        name="pp-private-helper-exposed",
        severity=Severity.ERROR,
        by_release=True,
        summary="a net/core-private page_pool or netmem helper is declared in a public header or exported",
        why=("The setters of a netmem's pool, magic and DMA address (page_pool_set_pp_info(), "
             "page_pool_clear_pp_info(), page_pool_set_dma_addr_netmem(), the netmem_set_*() "
             "family) stay in net/core/page_pool_priv.h and netmem_priv.h. A series that moves "
             "one into include/ or exports it offers it to every page_pool user, drivers "
             "included; reviewers refused it each time, as too low level for a header every "
             "page_pool user includes, and asked for a narrow provider wrapper in "
             "memory_provider.h instead."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#ifndef _NET_PAGE_POOL_ACME_H\n"
            "#define _NET_PAGE_POOL_ACME_H\n"
            "\n"
            "#include <net/page_pool/types.h>\n"
            "\n"
            "/* Providers outside net/ take netmems into their pool with these. */\n"
            "void page_pool_set_pp_info(struct page_pool *pool, netmem_ref netmem);\n"
            "void page_pool_clear_pp_info(netmem_ref netmem);\n"
            "\n"
            "#endif\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#ifndef _NET_PAGE_POOL_ACME_H\n"
            "#define _NET_PAGE_POOL_ACME_H\n"
            "\n"
            "#include <net/page_pool/types.h>\n"
            "\n"
            "/* Providers outside net/ take net_iovs into their pool with these. */\n"
            "void net_mp_niov_set_page_pool(struct page_pool *pool, struct net_iov *niov);\n"
            "void net_mp_niov_clear_page_pool(struct net_iov *niov);\n"
            "\n"
            "#endif\n"
        ),
        example_path="include/net/page_pool/acme.h",
        refs=(
            "net_mp_niov_{set,clear}_page_pool() and net_mp_niov_set_dma_addr(), "
            "include/net/page_pool/memory_provider.h (6.15+)",
            "netdev review of io_uring zcrx v9 (Jakub Kicinski): page_pool_{set,clear}_pp_info() "
            "stay out of helpers.h",
            "netdev review of io_uring zcrx v10 (Jakub Kicinski): helpers.h is for drivers; "
            "page_pool_set_dma_addr_netmem() stays in net/core",
        ),
    )

    def triggers(self, facts):
        return helper_triggers(facts, {"net-core-private"})

    def run(self, ctx):
        facts, model = ctx.facts, ctx.model
        public = facts.is_public_header(ctx.path)
        if not public and not any(_is_private(facts, n) for n in _exported_names(facts, model.image.text)):
            return      # nothing to look for: walking every node of a large file is not free
        reported = set()
        for node in _nodes(model.parsed.root):
            name_node = _declared_function(node) if public else None
            how = f"declared in {ctx.path}, which any code can include"
            if name_node is None:
                name_node = _exported(node, model, facts.export_macros)
                how = "exported to modules"
            if name_node is None:
                continue
            name = model.text(name_node)
            if not _is_private(facts, name) or (name, how) in reported:
                continue
            fact = facts.helper(name)
            reported.add((name, how))
            message = (f"{name}() is private to net/core and is {how}: {fact.why}; keep it in "
                       f"net/core and give providers a narrow wrapper such as {ctx.advice(fact.instead)}")
            function = model.function_at(node.start_point[0]) if node.type == "function_definition" else None
            finding = ctx.finding(self.rule, name_node, message, function)
            if finding:
                yield finding
