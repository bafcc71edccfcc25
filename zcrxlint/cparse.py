"""The only module that talks to tree-sitter: kernel C in, a syntax tree out.

Kernel C is C plus macros tree-sitter-c cannot know. Before the one parse of a file, its
idioms are recognised by their shape and overwritten with C of the same length, so every
byte offset, row and column of the tree is one of the source:

- annotations: the ones `rules/kernel_macros.toml` lists (`__user`, `__acquires(x)`) are
  blanked, and so is an all-caps or `__`-prefixed word that stands in a declaration's head
  beside its type (`INDIRECT_CALLABLE_SCOPE int f(`, `static int __net_init f(`);
- iterator macros used as loop headers (`for_each_netdev(net, dev) {`) become `while`,
  padded, so their body is a loop body; `ParsedSource.loop_macros` keeps their names;
- types given as macro arguments become one identifier (`max_t(unsigned_int, ..)`,
  `container_of(p,        foo, m)`), and `typeof(...)` as a cast's type one type name;
- GNU case ranges (`case 1 ... 7:`) and `static DEFINE_FOO(...)` in a body become C.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_c

from .facts import MacroFacts

# C words a declaration head may hold besides its one type and its name.
_STORAGE = frozenset({b"static", b"extern", b"inline", b"__inline", b"const", b"volatile",
                      b"register", b"typedef", b"restrict"})
_PRIMITIVE = frozenset({b"void", b"char", b"short", b"int", b"long", b"signed", b"unsigned",
                        b"float", b"double", b"bool", b"_Bool"})
_TAGS = frozenset({b"struct", b"union", b"enum"})
_NOT_MACROS = frozenset({b"sizeof", b"typeof", b"__typeof__", b"_Alignof", b"alignof",
                         b"__alignof__", b"if", b"while", b"for", b"switch", b"return"})
_ANNOTATION_SHAPE = re.compile(rb"__\w+|[A-Z][A-Z0-9_]+")
# A function's head at the start of a line, up to its parameter list: `static bool __ref\nf(`.
_DECLARATION_HEAD = re.compile(rb"(?m)^[A-Za-z_][\w\t *]*(?:\n[A-Za-z_][\w\t *]*){0,2}(?=\()")
_TYPE_SHAPE = re.compile(rb"(?:\d|_t)$")
_HEAD_TOKEN = re.compile(rb"\w+|\*")
# A type as a macro argument, up to the next comma or `)`; `_is_macro_argument` looks back
# for the comma or the `name(` before it (a regex that starts at every word is slow).
_TAG_ARGUMENT = re.compile(rb"\b(?:struct|union|enum)(?=\s+\w+\s*[,)])")
_WORDS_ARGUMENT = re.compile(
    rb"(?:unsigned|signed|short|long)(?:[ \t]+(?:unsigned|signed|short|long|char|int))+(?=\s*[,)])")
_CALLEE_BEFORE = re.compile(rb"(\w+)\s*$")
_TYPEOF_CAST = re.compile(rb"\(\s*(?:typeof|__typeof__|__typeof)(\s*\((?:[^()\n]|\([^()\n]*\))*\))(?=\s*\*?\s*\))")
_CASE_RANGE = re.compile(rb"(?m)^[ \t]*case\b[^:\n]*?\s(\.\.\.)\s")
_STATIC_DECLARATION_MACRO = re.compile(rb"static(?=[ \t]+[A-Z][A-Z0-9_]*\s*\()")
# `offsetof(struct s, frags[i])`: tree-sitter's offsetof takes a field name only.
_OFFSETOF_DESIGNATOR = re.compile(rb"\b(o)ffsetof(?=\s*\([^;{}()]*,\s*\w+\s*[\[.])")
# A label whose statement is behind an #if: `out:` then `#endif` or `}` (C23 allows it).
_LABEL_BEFORE_NOTHING = re.compile(rb"(:)[ \t]*\n(?=[ \t]*[#}])")
_LABEL_LINE = re.compile(rb"[ \t]*(?!default\b)[A-Za-z_]\w*[ \t]*")
# Blanks and comments between two tokens, matched without backtracking (possessive): a
# lazy `/\*.*?\*/` retried over a whole file is quadratic.
_GAP = rb"(?:\s++|/\*(?:[^*]++|\*(?!/))*+\*/|//[^\n]*+)*+"
# An empty last macro argument: `f(a, b,\n /* why */)`.
_TRAILING_COMMA = re.compile(rb",(?=" + _GAP + rb"\))")
# A macro invocation standing alone at top level, without `;`: `BTF_ID_FLAGS(func, f, 0)`
# lines; not a function definition's head (`SYSCALL_DEFINE2(..)` then `{`).
_TOP_LEVEL_INVOCATION = re.compile(rb"(?m)^[A-Z][A-Z0-9_]*\([^\n;{}]*\)[ \t]*$(?!\n\{)")
# Preprocessor lines inside a list (an initializer, an enum, a call's arguments): the line
# before them ends with `,`. tree-sitter-c takes `#if` only between statements and
# declarations, so the whole list fails; read without the directives (every branch's
# items together), the list parses and keeps its rows.
_DIRECTIVE_REST = rb"(?:[^\\\n]|\\[^\n]|\\\n)*+"      # the rest of a directive, continuations too
_DIRECTIVES_IN_LIST = re.compile(
    rb",[ \t]*(?:/\*[^\n]*?\*/[ \t]*)?\n"
    rb"((?:[ \t]*\n)*+[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|else|endif|define|undef)\b" + _DIRECTIVE_REST +
    rb"(?:\n(?:[ \t]*\n)*+[ \t]*#" + _DIRECTIVE_REST + rb")*+)")
_SPACE_OR_COMMENT = re.compile(_GAP)
_LITERAL_OR_COMMENT = re.compile(rb'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)
_STATEMENT_START = re.compile(rb"[{A-Za-z_*]|\+\+|--")   # a block or a statement, never `;`
_HEADER_SCAN_LIMIT = 4000     # bytes an iterator's argument list may span


@functools.cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c.language()))


@functools.cache
def _patterns(macros: MacroFacts):
    plain = re.compile(rb"\b(?:" + b"|".join(re.escape(a.encode()) for a in macros.attributes) + rb")\b")
    with_args = re.compile(
        rb"\b(?:" + b"|".join(re.escape(a.encode()) for a in macros.attributes_with_args)
        + rb")\s*\((?:[^()\n]|\([^()\n]*\))*\)")
    # In statement position: at the start of an indented line. A function whose name
    # follows the naming starts in column 0 and is left alone.
    names = b"|".join([macros.iterator_naming.encode(), *(re.escape(m.encode()) for m in macros.loop_macros)])
    loop = re.compile(rb"(?m)^[ \t]++(?=[A-Za-z_])(?P<name>(?:" + names + rb"))\b(?=\s*\()")
    return plain, with_args, loop


def _is_macro_argument(text: bytes, start: int) -> bool:
    """Whether `start` begins an argument of a call: after a comma, or after `name(` when
    `name` is no keyword (`sizeof(struct foo)` is C already)."""
    before = text[max(0, start - 200):start].rstrip()
    if before.endswith(b","):
        return True
    if not before.endswith(b"("):
        return False
    callee = _CALLEE_BEFORE.search(before[:-1])
    return callee is not None and callee.group(1) not in _NOT_MACROS


def _line_start(text: bytes, at: int) -> int:
    return text.rfind(b"\n", 0, at) + 1


def _blank(out: bytearray, start: int, end: int) -> None:
    out[start:end] = re.sub(rb"[^\n]", b" ", bytes(out[start:end]))


def _closing_paren(text: bytes, opening: int) -> int | None:
    """The index of the `)` that closes the `(` at `opening`, skipping literals and comments."""
    depth, at, limit = 0, opening, min(len(text), opening + _HEADER_SCAN_LIMIT)
    while at < limit:
        char = text[at]
        if char in b"\"'/":
            skipped = _LITERAL_OR_COMMENT.match(text, at)
            if skipped:
                at = skipped.end()
                continue
        elif char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return at
        elif char in b";{}" and depth == 1:
            return None          # a statement or block inside: not one argument list
        at += 1
    return None


def _loop_headers(text: bytes, loop: re.Pattern) -> dict[int, str]:
    """Iterator macros in statement position followed by a block or a statement, by the
    offset of their name."""
    found = {}
    for match in loop.finditer(text):
        opening = text.index(b"(", match.end("name"))
        closing = _closing_paren(text, opening)
        if closing is None:
            continue
        after = _SPACE_OR_COMMENT.match(text, closing + 1).end()
        if _STATEMENT_START.match(text, after):
            found[match.start("name")] = match.group("name").decode()
    return found


def _annotations_in_head(head: bytes) -> list[tuple[int, int]]:
    """The spans of the extra words in a function's head: all-caps or `__`-prefixed words
    beside a type that is there already (`void __meminit f`, `__bpf_kfunc int f`)."""
    tokens = list(_HEAD_TOKEN.finditer(head))
    words = [t for t in tokens if t.group() != b"*"][:-1]      # the last word is the name
    types, primitive, after_tag = [], False, False
    for word in words:
        text = word.group()
        if after_tag:
            after_tag = False
            types.append((word, False))
        elif text in _TAGS:
            after_tag = True
        elif text in _PRIMITIVE:
            primitive = True
        elif text not in _STORAGE:
            types.append((word, bool(_ANNOTATION_SHAPE.fullmatch(text))))
    extra = len(types) + primitive - 1
    annotations = [word for word, shaped in types if shaped]
    if extra <= 0 or not annotations:
        return []
    if len(annotations) == len(types) and not primitive:     # one of them is the type:
        kept = next((w for w in annotations if _TYPE_SHAPE.search(w.group())), annotations[-1])
        annotations.remove(kept)                               # `__u32`, `__poll_t`, else the last
    return [word.span() for word in annotations[:extra]]


def _rewrite(source: bytes, macros: MacroFacts) -> tuple[bytes, dict[int, str]]:
    plain, with_args, loop = _patterns(macros)
    out = bytearray(source)
    if b"#" in source:
        for match in _DIRECTIVES_IN_LIST.finditer(source):
            _blank(out, *match.span(1))
    for match in with_args.finditer(source):
        _blank(out, *match.span())
    for match in plain.finditer(out):
        _blank(out, *match.span())
    for match in _TAG_ARGUMENT.finditer(out):
        if _is_macro_argument(out, match.start()):
            _blank(out, *match.span())
    for match in _WORDS_ARGUMENT.finditer(out):
        if _is_macro_argument(out, match.start()):
            out[match.start():match.end()] = re.sub(rb"[ \t]", b"_", match.group())
    if b"offsetof" in out:
        for match in _OFFSETOF_DESIGNATOR.finditer(out):
            out[match.start(1)] = ord("_")      # a call to `_ffsetof`: a plain macro call
    for match in _TYPEOF_CAST.finditer(out):
        out[match.start(1):match.end(1)] = b"_" * (match.end(1) - match.start(1))
    if b"..." in out:
        for match in _CASE_RANGE.finditer(out):
            out[match.start(1):match.end(1)] = b"|  "
    for match in _LABEL_BEFORE_NOTHING.finditer(out):
        if _LABEL_LINE.fullmatch(out, _line_start(out, match.start()), match.start()):
            out[match.start(1)] = ord(";")      # the label's name as an empty statement
    for match in _STATIC_DECLARATION_MACRO.finditer(out):
        line_start = _line_start(out, match.start())
        if line_start < match.start() and not out[line_start:match.start()].strip():
            _blank(out, *match.span())          # in a body: `DEFINE_FOO(...);` is a statement
    for pattern in (_TRAILING_COMMA, _TOP_LEVEL_INVOCATION):
        for match in pattern.finditer(out):
            _blank(out, *match.span())
    for match in _DECLARATION_HEAD.finditer(out):
        for start, end in _annotations_in_head(match.group()):
            _blank(out, match.start() + start, match.start() + end)
    loops = _loop_headers(bytes(out), loop)
    for start, name in loops.items():
        out[start:start + len(name)] = b"while".ljust(len(name)) if len(name) >= 5 else name.encode()
    assert len(out) == len(source)
    return bytes(out), loops


def neutralise(source: bytes, macros: MacroFacts) -> bytes:
    return _rewrite(source, macros)[0]


@dataclass
class ParsedSource:
    source: bytes                 # the neutralised text the tree was built from
    tree: "tree_sitter.Tree"
    error_rows: tuple[int, ...]   # 0-based rows of ERROR and MISSING nodes, in order
    # Iterator macros written as `while`: the loop's start byte -> the macro's name.
    loop_macros: dict[int, str] = field(default_factory=dict)

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
    source, loops = _rewrite(text.encode("utf-8", "surrogateescape"), macros)
    tree = _parser().parse(source)
    return ParsedSource(source, tree, _error_rows(tree.root_node), loops)
