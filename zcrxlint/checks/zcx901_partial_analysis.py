from __future__ import annotations

from ..finding import Severity
from ..prefilter import Triggers
from ..registry import Check, Rule


class PartialAnalysis(Check):
    rule = Rule(
        code="ZCX901",
        name="partial-analysis",
        severity=Severity.INFO,
        summary="a function could only be parsed in part; findings in it may be missing",
        why=("tree-sitter could not build a complete tree for part of this function (an "
             "unusual macro, an #if that splits a statement, or a hunk cut mid-statement). "
             "zcrxlint still checks what it could parse, but its silence about that part is "
             "not a verdict. The file is also listed under summary.partial."),
        example=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "struct acme_rx_ring {\n"
            "\tstruct page_pool *page_pool;\n"
            "\tu32 flags;\n"
            "};\n"
            "\n"
            "static bool acme_rx_use_pool(const struct acme_rx_ring *ring)\n"
            "{\n"
            "\tif (ring->page_pool && !(ring->flags & ACME_RX_F_LEGACY)\n"
            "#ifdef CONFIG_ACME_XDP\n"
            "\t    && !(ring->flags & ACME_RX_F_XDP)\n"
            "#endif\n"
            "\t    )\n"
            "\t\treturn true;\n"
            "\treturn false;\n"
            "}\n"
        ),
        instead=(
            "// SPDX-License-Identifier: GPL-2.0\n"
            "#include <net/page_pool/helpers.h>\n"
            "\n"
            "struct acme_rx_ring {\n"
            "\tstruct page_pool *page_pool;\n"
            "\tu32 flags;\n"
            "};\n"
            "\n"
            "static bool acme_rx_use_pool(const struct acme_rx_ring *ring)\n"
            "{\n"
            "\tif (!ring->page_pool || (ring->flags & ACME_RX_F_LEGACY))\n"
            "\t\treturn false;\n"
            "\tif (IS_ENABLED(CONFIG_ACME_XDP) && (ring->flags & ACME_RX_F_XDP))\n"
            "\t\treturn false;\n"
            "\treturn true;\n"
            "}\n"
        ),
        refs=(
            "Documentation/process/coding-style.rst, 'Conditional "
            "Compilation': IS_ENABLED() rather than #ifdef in C code",
            "patches: --tree DIR or --base REV lets zcrxlint parse whole files instead of hunks",
        ),
    )

    def triggers(self, facts):
        return Triggers()   # it reports on files the other checks parse, never on its own

    def run(self, ctx):
        for function, row in ctx.model.partly_parsed:
            name = function.display_name
            message = (f"could not parse all of {name + '()' if name else 'this hunk'} "
                       "(first problem on this line); findings in it may be missing")
            finding = ctx.finding_at_row(self.rule, row, message, function)
            if finding:
                yield finding
