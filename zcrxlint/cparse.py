"""The only module that talks to tree-sitter: kernel C in, a syntax tree out.

Kernel annotations (`__user`, `__must_check`, `__acquires(x)`, ...) and block macros
(`list_for_each_entry(...) {`) are neutralised first by overwriting them with text of the
same length, so every row and column of the tree is a row and column of the source.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tree_sitter
import tree_sitter_c

from .facts import MacroFacts


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))


@functools.cache
def _neutraliser(macros: MacroFacts):
    plain = re.compile(rb"\b(?:" + b"|".join(re.escape(a.encode()) for a in macros.attributes) + rb")\b")
    with_args = re.compile(
        rb"\b(?:" + b"|".join(re.escape(a.encode()) for a in macros.attributes_with_args)
        + rb")\s*\((?:[^()\n]|\([^()\n]*\))*\)")
    # Only at the start of an indented statement: a definition or prototype of a function
    # whose name merely contains for_each starts in column 0 and is left alone.
    loop = re.compile(rb"(?m)^([ \t]+)(" + macros.loop_macro_pattern.encode() + rb")(?=\s*\()")
    # container_of(ptr, struct foo, member): a type is no expression; keep just its name.
    type_arg = re.compile(
        rb"\b(?:" + b"|".join(re.escape(m.encode()) for m in macros.type_from_type_argument)
        + rb")\s*\([^;{}]*?\b(struct|union)\s")
    return plain, with_args, loop, type_arg


def _blank(match: re.Match) -> bytes:
    return re.sub(rb"[^\n]", b" ", match.group(0))


def neutralise(source: bytes, macros: MacroFacts) -> bytes:
    plain, with_args, loop, type_arg = _neutraliser(macros)
    out = with_args.sub(_blank, source)
    out = type_arg.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)] + b" " * (m.end(0) - m.start(1)), out)
    out = plain.sub(_blank, out)
    # `while` needs 5 columns; shorter macro names keep their text and parse as calls.
    out = loop.sub(lambda m: m.group(1) + (b"while".ljust(len(m.group(2)))
                                           if len(m.group(2)) >= 5 else m.group(2)), out)
    assert len(out) == len(source)
    return out


@dataclass
class ParsedSource:
    source: bytes                 # the neutralised text the tree was built from
    tree: "tree_sitter.Tree"
    error_rows: tuple[int, ...]   # 0-based rows of ERROR and MISSING nodes, in order

    @functools.cached_property
    def unparsed_rows(self) -> frozenset[int]:
        """The 0-based rows tree-sitter could not build a tree for: the stray tokens inside
        ERROR nodes, skipped text, MISSING nodes, and the rows of `error_rows`. A well-formed subtree that error
        recovery wrapped in an ERROR node (a whole function after a bad line) is parsed:
        the checks see it."""
        root = self.tree.root_node
        if not root.has_error:
            return frozenset()
        rows: set[int] = set(self.error_rows)

        def span(node) -> range:
            (first, _), (last, column) = node.start_point, node.end_point
            if column == 0 and last > first:
                last -= 1          # it ends at a line break
            return range(first, last + 1)

        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_missing or (node.is_error and node.child_count == 0):
                rows.update(span(node))
                continue
            for child in node.children:
                if child.has_error or child.is_missing:
                    stack.append(child)
                elif node.is_error and not child.is_named:
                    rows.update(span(child))
        return frozenset(rows)

    @property
    def root(self):
        return self.tree.root_node

    @functools.cached_property
    def row_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer(rb"\n", self.source)]

    def row_text(self, row: int) -> str:
        starts = self.row_starts
        if row >= len(starts):
            return ""
        end = starts[row + 1] - 1 if row + 1 < len(starts) else len(self.source)
        return self.source[starts[row]:end].decode("utf-8", "replace")

    def text(self, node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")


def _error_rows(root) -> tuple[int, ...]:
    rows = []
    if not root.has_error:
        return ()
    stack = [root]
    while stack:
        node = stack.pop()
        inner = [c for c in node.children if c.has_error or c.is_missing]
        if node.is_missing or (node.is_error and not inner):
            rows.append(node.start_point[0])
        stack.extend(inner)
    return tuple(sorted(set(rows)))


def parse(text: str, macros: MacroFacts) -> ParsedSource:
    source = neutralise(text.encode("utf-8", "surrogateescape"), macros)
    tree = _parser().parse(source)
    return ParsedSource(source, tree, _error_rows(tree.root_node))
