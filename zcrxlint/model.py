"""What one parsed file holds: functions, declarations with their types, struct members,
memory_provider_ops tables, the call graph, and every access to a struct page_pool field.

Everything here is computed once per parsed image; the checks only read it.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .cparse import ParsedSource
from .facts import CType, Facts
from .images import FRAGMENT_PREFIX, Image
from .suppress import parse as parse_suppressions

if TYPE_CHECKING:
    from .headers import HeaderTypes

POOL = "page_pool"
# Deeper expressions than kernel code writes are not typed: Python's stack would not hold them.
MAX_EXPRESSION_DEPTH = 200
OPS_STRUCT = "memory_provider_ops"
POOL_TYPE = "struct page_pool *"
_SCOPE_NODES = ("compound_statement", "for_statement", "function_definition")
_NAMING_NODES = ("type_identifier", "identifier", "field_identifier", "system_lib_string",
                 "string_content")
_TYPE_NODES = ("struct_specifier", "union_specifier", "enum_specifier", "type_identifier",
               "primitive_type", "sized_type_specifier", "macro_type_specifier")


def _walk(node, skip: str | None = None):
    """Pre-order walk with a tree cursor (no recursion: kernel functions nest deep; no
    child lists: a cursor is several times faster). Below `node`, nodes of type `skip`
    are yielded but not entered."""
    cursor = node.walk()
    while True:
        current = cursor.node
        yield current
        if (skip is None or current.type != skip or current == node) and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node == node:
                return


def _type_name(type_node, text) -> str:
    if type_node is None:
        return ""
    if type_node.type in ("struct_specifier", "union_specifier", "enum_specifier"):
        name = type_node.child_by_field_name("name")
        return text(name) if name is not None else ""
    return text(type_node)


def _declared(declarator, text) -> tuple[str | None, int, bool]:
    """Name, pointer depth and whether it declares a function, for one declarator."""
    pointers = 0
    is_function = False
    node = declarator
    while node is not None:
        kind = node.type
        if kind in ("identifier", "field_identifier", "type_identifier"):
            return text(node), pointers, is_function
        if kind in ("pointer_declarator", "abstract_pointer_declarator"):
            pointers += 1
        elif kind in ("array_declarator",):
            pointers += 1
        elif kind == "function_declarator":
            is_function = True
        elif kind not in ("init_declarator", "parenthesized_declarator", "attributed_declarator"):
            return None, pointers, is_function
        node = node.child_by_field_name("declarator") or (
            node.named_children[0] if kind == "parenthesized_declarator" and node.named_children else None)
    return None, pointers, is_function


@dataclass
class Function:
    name: str
    node: object                       # function_definition, or the ERROR node it was recovered from
    params: dict[str, CType]
    fragment_of: str | None = None     # git's @@ header when the name is synthetic
    end_row: int | None = None         # where a recovered function ends, if not at its node's end

    @property
    def start_row(self) -> int:
        return self.node.start_point[0]

    @property
    def last_row(self) -> int:
        return self.end_row if self.end_row is not None else self.node.end_point[0]

    @property
    def display_name(self) -> str | None:
        return None if self.fragment_of is not None else self.name


@dataclass
class OpsTable:
    name: str
    node: object
    is_static: bool
    is_const: bool
    callbacks: dict[str, str]          # callback -> function name


@dataclass(frozen=True)
class PoolAccess:
    """One use of a struct page_pool field chain, e.g. `pp->alloc.cache` or `pool->p.dev`."""
    node: object                       # the outermost field_expression of the chain
    chain: str
    mode: str                          # read | write | push | pop | escape | size
    function: Function
    inferred: str | None               # None when the type is known; else how it was guessed
    base: str = ""                     # the expression that holds the pool, as written


@dataclass
class Call:
    name: str
    node: object
    function: Function


@dataclass
class FileModel:
    image: Image
    parsed: ParsedSource
    facts: Facts
    functions: list[Function] = field(default_factory=list)
    globals: dict[str, CType | None] = field(default_factory=dict)
    structs: dict[str, dict[str, CType]] = field(default_factory=dict)
    typedefs: dict[str, CType] = field(default_factory=dict)
    returns: dict[str, CType] = field(default_factory=dict)
    defines: set[str] = field(default_factory=set)      # functions, prototypes and macros named here
    ops_tables: list[OpsTable] = field(default_factory=list)
    # Structs page_pool's API files define here whose members are callbacks on a pool: a
    # series that defines its own provider ops (an RFC of the API) names them so.
    pool_callback_structs: set[str] = field(default_factory=set)
    # Initialised globals of any other struct type, (type, name, node, declarator, specifiers):
    # ops tables once the series shows their struct is one (adopt_ops_structs).
    _struct_tables: list[tuple] = field(default_factory=list)
    # Struct members of the whole series, filled in by the engine before checks run.
    series_structs: dict[str, dict[str, CType]] = field(default_factory=dict)
    # Function -> names it calls, for every function body the series shows (engine-filled).
    series_calls: dict[str, set[str]] = field(default_factory=dict)
    # Helpers the series adds to page_pool's API files, by name (engine-filled; learned.py),
    # and the patch after which this text exists (0: the base).
    series_learned: dict = field(default_factory=dict)
    # Owner-test predicates the series defines, by name (engine-filled; provider.Predicate).
    series_predicates: dict = field(default_factory=dict)
    position: int = 0
    # Name -> types every file of the run declares it with, for declarations a hunk does
    # not show (engine-filled).
    series_declarations: object = field(default_factory=dict)   # engine.SeriesDeclarations
    # Every finding in this text, once the engine has run the checks on it.
    findings: list | None = None
    # Struct members from the local headers the file includes (headers.py).
    header_structs: dict[str, dict[str, CType]] = field(default_factory=dict)

    def text(self, node) -> str:
        return self.parsed.text(node)

    def use_of(self, node, chain: str) -> str:
        """How the field chain ending at `node` is used: read, write, push, pop, escape, size."""
        return self._mode(node, chain)

    @functools.cached_property
    def learned(self) -> dict:
        """The series' page_pool helpers that exist by this text's patch."""
        return {name: h for name, h in self.series_learned.items() if h.patch <= self.position}

    @property
    def path(self) -> str:
        return self.image.path

    @functools.cached_property
    def suppressions(self) -> list:
        return parse_suppressions(self.parsed)

    def function_at(self, row: int) -> "Function | None":
        for function in self.functions:
            if function.start_row <= row <= function.last_row:
                return function
        return None

    # ---- building -------------------------------------------------------------------------

    @classmethod
    def build(cls, image: Image, parsed: ParsedSource, facts: Facts,
              headers: HeaderTypes | None = None, bodies: bool = True) -> "FileModel":
        """`headers`: the types of the local headers the file includes, when its tree is known.
        `bodies`: False to read only what lies outside blocks (a header read for its types)."""
        model = cls(image, parsed, facts)
        if headers is not None:
            model.header_structs = headers.structs
            model.typedefs.update(headers.typedefs)
        text = model.text
        for node in _walk(parsed.root, skip=None if bodies else "compound_statement"):
            kind = node.type
            if kind == "function_definition":
                model._add_function(node)
            elif kind == "ERROR":
                model._recover_function(node)
            elif kind in ("struct_specifier", "union_specifier") and node.child_by_field_name("body"):
                model._add_struct(node)
            elif kind == "type_definition":
                target = _type_name(node.child_by_field_name("type"), text)
                for decl in node.children_by_field_name("declarator"):
                    name, pointers, _ = _declared(decl, text)
                    if name:
                        model.typedefs[name] = CType(target, pointers)
            elif kind == "declaration" and node.parent is not None and node.parent.type in (
                    "translation_unit", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif"):
                model._add_global(node)
            elif kind in ("preproc_def", "preproc_function_def"):
                name = node.child_by_field_name("name")
                if name is not None:
                    model.defines.add(text(name))
        return model

    def _ctype(self, type_node, pointers: int) -> CType | None:
        name = _type_name(type_node, self.text)
        if not name:
            return None
        alias = self.typedefs.get(name)
        if alias is not None:
            return CType(alias.name, alias.pointers + pointers)
        return CType(name, pointers)

    def _add_function(self, node) -> None:
        declarator = node.child_by_field_name("declarator")
        fdecl = declarator
        while fdecl is not None and fdecl.type != "function_declarator":
            fdecl = fdecl.child_by_field_name("declarator")
        if fdecl is not None:
            self._function_from(node, node.child_by_field_name("type"), declarator, fdecl)

    def _recover_function(self, node) -> None:
        """tree-sitter wraps a function it cannot parse (and often what follows) in ERROR."""
        children = node.children
        for i, child in enumerate(children[:-1]):
            if child.type == "function_declarator" and children[i + 1].type in ("{", "compound_statement"):
                type_node = next((c for c in reversed(children[:i]) if c.type in _TYPE_NODES), None)
                end = next((c.start_point[0] - 1 for c in children[i + 1:]
                            if c.type == "function_definition"), None)
                self._function_from(node, type_node, child, child, end)
                return

    def _function_from(self, node, type_node, declarator, fdecl, end_row=None) -> None:
        name, _, _ = _declared(fdecl.child_by_field_name("declarator"), self.text)
        if not name:
            return
        _, ret_pointers, _ = _declared(declarator, self.text)
        ret = self._ctype(type_node, ret_pointers)
        if ret is not None:
            self.returns[name] = ret
        params: dict[str, CType] = {}
        plist = fdecl.child_by_field_name("parameters")
        for param in plist.named_children if plist is not None else ():
            if param.type != "parameter_declaration":
                continue
            pname, pointers, _ = _declared(param.child_by_field_name("declarator"), self.text)
            ctype = self._ctype(param.child_by_field_name("type"), pointers)
            if pname and ctype is not None:
                params[pname] = ctype
        fragment = self.image.fragment_names.get(name) if name.startswith(FRAGMENT_PREFIX) else None
        self.functions.append(Function(name, node, params, fragment, end_row))
        self.defines.add(name)

    def _add_struct(self, node) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        members: dict[str, CType] = {}
        for fdecl in node.child_by_field_name("body").named_children:
            if fdecl.type != "field_declaration":
                continue
            ftype = fdecl.child_by_field_name("type")
            for decl in fdecl.children_by_field_name("declarator"):
                fname, pointers, _ = _declared(decl, self.text)
                ctype = self._ctype(ftype, pointers)
                if fname and ctype is not None:
                    members[fname] = ctype
                if _declared(decl, self.text)[2] and POOL_TYPE in self.text(decl) \
                        and self.facts.is_api_file(self.path):
                    self.pool_callback_structs.add(self.text(name_node))
        self.structs.setdefault(self.text(name_node), {}).update(members)

    def _add_global(self, node) -> None:
        type_node = node.child_by_field_name("type")
        specifiers = {self.text(c) for c in node.children
                      if c.type in ("storage_class_specifier", "type_qualifier")}
        for decl in node.children_by_field_name("declarator"):
            name, pointers, is_function = _declared(decl, self.text)
            if not name:
                continue
            if is_function:
                self.defines.add(name)
                ret = self._ctype(type_node, pointers)
                if ret is not None:
                    self.returns.setdefault(name, ret)
                continue
            self.globals[name] = self._ctype(type_node, pointers)
            if decl.type == "init_declarator" and type_node.type == "struct_specifier":
                struct = _type_name(type_node, self.text)
                if struct == OPS_STRUCT:
                    self._add_ops_table(name, node, decl, specifiers)
                else:
                    self._struct_tables.append((struct, name, node, decl, specifiers))

    def adopt_ops_structs(self, structs: set[str]) -> None:
        """Take the initialised globals of `structs` (a series' own provider ops) as ops tables."""
        for struct, name, node, decl, specifiers in self._struct_tables:
            if struct in structs and all(t.node is not node for t in self.ops_tables):
                self._add_ops_table(name, node, decl, specifiers)

    def _add_ops_table(self, name, node, decl, specifiers) -> None:
        callbacks = {}
        value = decl.child_by_field_name("value")
        for pair in value.named_children if value is not None else ():
            if pair.type != "initializer_pair":
                continue
            designator = pair.child_by_field_name("designator")
            target = pair.child_by_field_name("value")
            if designator is None or target is None:
                continue
            fname = next((c for c in designator.named_children if c.type == "field_identifier"), None)
            if target.type == "pointer_expression":
                target = target.child_by_field_name("argument")
            if fname is not None and target is not None and target.type == "identifier":
                callbacks[self.text(fname)] = self.text(target)
        self.ops_tables.append(OpsTable(name, node, "static" in specifiers, "const" in specifiers, callbacks))

    # ---- functions, lines, calls ----------------------------------------------------------

    _INDEXED = ("call_expression", "identifier", "declaration", "field_expression",
                "assignment_expression", "return_statement", "if_statement", "while_statement")

    @functools.cached_property
    def _function_nodes(self) -> dict[int, dict[str, list]]:
        """One walk per function, its nodes of interest bucketed by type, in source order.
        Nested definitions (in a recovered ERROR node) belong to their own Function."""
        index = {}
        for function in self.functions:
            buckets = {kind: [] for kind in self._INDEXED}
            for n in _walk(function.node, skip="function_definition"):
                if n.type in buckets:
                    buckets[n.type].append(n)
            index[id(function)] = buckets
        return index

    @functools.cached_property
    def partly_parsed(self) -> list[tuple[Function, int]]:
        """Each function tree-sitter could parse only in part, with the first row of it
        that did not parse (rows of the file only, not the synthetic ones)."""
        rows = self.parsed.error_rows
        out = []
        for function in self.functions:
            first = next((r for r in rows if function.start_row <= r <= function.last_row
                          and self.image.line_of(r)), None)
            if first is not None:
                out.append((function, first))
        return out

    def nodes_of(self, function: Function, kind: str) -> list:
        return self._function_nodes[id(function)][kind]

    def line_of(self, node) -> int | None:
        return self.image.line_of(node.start_point[0])

    def function_lines(self, function: Function) -> tuple[int, int] | None:
        """First and last real file line of a function (synthetic rows skipped)."""
        rows = range(function.start_row, function.last_row + 1)
        lines = [ln for ln in (self.image.line_of(r) for r in rows) if ln]
        return (min(lines), max(lines)) if lines else None

    @functools.cached_property
    def function_by_name(self) -> dict[str, Function]:
        return {f.name: f for f in self.functions}

    @functools.cached_property
    def calls(self) -> list[Call]:
        out = []
        for function in self.functions:
            for node in self.nodes_of(function, "call_expression"):
                callee = node.child_by_field_name("function")
                if callee is not None and callee.type == "identifier":
                    out.append(Call(self.text(callee), node, function))
        return out

    @functools.cached_property
    def call_graph(self) -> dict[str, set[str]]:
        """Function -> functions of this file it calls or takes the address of."""
        local = self.function_by_name
        graph: dict[str, set[str]] = {f.name: set() for f in self.functions}
        for function in self.functions:
            for node in self.nodes_of(function, "identifier"):
                name = self.text(node)
                if name in local and name != function.name:
                    graph[function.name].add(name)
        return graph

    def reachable_from(self, roots: set[str]) -> set[str]:
        seen, todo = set(), [r for r in roots if r in self.call_graph]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(self.call_graph.get(name, ()))
        return seen

    @functools.cached_property
    def callers(self) -> dict[str, set[str]]:
        inverse: dict[str, set[str]] = {f.name: set() for f in self.functions}
        for caller, callees in self.call_graph.items():
            for callee in callees:
                inverse[callee].add(caller)
        return inverse

    @functools.cached_property
    def provider(self):
        from .provider import ProviderModel   # the provider view needs the whole file model
        return ProviderModel(self)

    def registered(self, callback: str) -> set[str]:
        return {t.callbacks[callback] for t in self.ops_tables if callback in t.callbacks}

    @functools.cached_property
    def alloc_path(self) -> set[str]:
        """Functions on the alloc_netmems call chain of a provider in this file."""
        roots = self.registered("alloc_netmems")
        # A hunk or a helper file may not show the ops table: go by the callback's name.
        roots |= {f.name for f in self.functions if f.name.endswith("alloc_netmems")}
        roots |= {f.name for f in self.functions
                  if f.fragment_of and "alloc_netmems" in f.fragment_of}
        return self.reachable_from(roots)

    # ---- types ----------------------------------------------------------------------------

    @functools.cached_property
    def _locals(self) -> dict[int, dict[str, list[tuple[int, int, int, CType | None]]]]:
        """Per function: name -> [(decl start, scope start, scope end, type)]."""
        table = {}
        for function in self.functions:
            names: dict[str, list] = {}
            for node in self.nodes_of(function, "declaration"):
                scope = node.parent
                while scope is not None and scope.type not in _SCOPE_NODES and scope != function.node:
                    scope = scope.parent
                if scope is None:
                    continue
                type_node = node.child_by_field_name("type")
                for decl in node.children_by_field_name("declarator"):
                    name, pointers, is_function = _declared(decl, self.text)
                    if name and not is_function:
                        names.setdefault(name, []).append(
                            (node.start_byte, scope.start_byte, scope.end_byte,
                             self._ctype(type_node, pointers)))
            table[id(function)] = names
        return table

    def _lookup(self, ident, function: Function) -> tuple[bool, CType | None]:
        """Whether the name is declared where used, and its type if known; else whether
        the analysed text declares it elsewhere (see `_declared_elsewhere`)."""
        name = self.text(ident)
        at = ident.start_byte
        best = None
        for start, scope_start, scope_end, ctype in self._locals[id(function)].get(name, ()):
            if start < at and scope_start <= at < scope_end and (best is None or start > best[0]):
                best = (start, ctype)
        if best is not None:
            return True, best[1]
        if name in function.params:
            return True, function.params[name]
        if name in self.globals:
            return True, self.globals[name]
        return self._declared_elsewhere(name, function)

    @functools.cached_property
    def declarations(self) -> dict[str, dict[str, set[CType | None]]]:
        """Per function (a hunk's fragment under the function it is part of), every name
        it declares or takes as a parameter, with the types declared for it."""
        out: dict[str, dict[str, set[CType | None]]] = {}
        for function in self.functions:
            names = out.setdefault(function.fragment_of or function.name, {})
            for name, ctype in function.params.items():
                names.setdefault(name, set()).add(ctype)
            for name, entries in self._locals[id(function)].items():
                names.setdefault(name, set()).update(entry[3] for entry in entries)
        return out

    @functools.cached_property
    def file_declarations(self) -> dict[str, set[CType | None]]:
        """Every name the file declares anywhere (globals, parameters, locals), with its types."""
        out: dict[str, set[CType | None]] = {name: {ctype} for name, ctype in self.globals.items()}
        for names in self.declarations.values():
            for name, types in names.items():
                out.setdefault(name, set()).update(types)
        return out

    def _declared_elsewhere(self, name: str, function: Function) -> tuple[bool, CType | None]:
        """A name a hunk uses without showing its declaration: the nearest declaration in
        the analysed text, first another hunk of the same function, then the file, then
        the series. Its type counts only when every declaration there agrees."""
        types = self.declarations.get(function.fragment_of or function.name, {}).get(name) \
            or self.file_declarations.get(name) \
            or self.series_declarations.get(name)
        if not types:
            return False, None
        return True, next(iter(types)) if len(types) == 1 else None

    def member_type(self, struct: str, member: str) -> CType | None:
        for table in (self.structs, self.series_structs, self.header_structs):
            found = table.get(struct, {}).get(member)
            if found is not None:
                return found
        return self.facts.members.get((struct, member))

    def type_of(self, node, function: Function, depth: int = 0) -> CType | None:
        if depth > MAX_EXPRESSION_DEPTH:
            return None     # hostile nesting (a 1,000-deep `->` chain, 3,000 parentheses): unknown
        kind = node.type
        if kind == "identifier":
            return self._lookup(node, function)[1]
        if kind == "parenthesized_expression":
            inner = node.named_children
            return self.type_of(inner[-1], function, depth + 1) if inner else None
        if kind == "field_expression":
            base = self.type_of(node.child_by_field_name("argument"), function, depth + 1)
            if base is None:
                return None
            return self.member_type(base.name, self.text(node.child_by_field_name("field")))
        if kind == "cast_expression":
            return CType.parse(self.text(node.child_by_field_name("type")))
        if kind == "pointer_expression":
            inner = self.type_of(node.child_by_field_name("argument"), function, depth + 1)
            if inner is None:
                return None
            op = node.child_by_field_name("operator")
            return inner.addr() if op is not None and self.text(op) == "&" else inner.deref()
        if kind == "subscript_expression":
            inner = self.type_of(node.child_by_field_name("argument"), function, depth + 1)
            return inner.deref() if inner is not None else None
        if kind == "conditional_expression":
            branch = node.child_by_field_name("consequence") or node.child_by_field_name("alternative")
            return self.type_of(branch, function, depth + 1) if branch is not None else None
        if kind == "assignment_expression":
            return self.type_of(node.child_by_field_name("left"), function, depth + 1)
        if kind == "call_expression":
            return self._call_type(node, function)
        return None

    def _call_type(self, node, function: Function) -> CType | None:
        callee = node.child_by_field_name("function")
        if callee is None or callee.type != "identifier":
            return None
        name = self.text(callee)
        args = [a for a in node.child_by_field_name("arguments").named_children
                if a.type != "comment"]
        macros = self.facts.macros
        if name in macros.type_passthrough:
            index = macros.type_passthrough[name]
            return self.type_of(args[index], function) if index < len(args) else None
        if name in macros.type_from_type_argument:
            index = macros.type_from_type_argument[name]
            return CType.parse(self.text(args[index])).addr() if index < len(args) else None
        if name in self.returns:
            return self.returns[name]
        return self.facts.returns.get(name)

    # ---- page_pool accesses ---------------------------------------------------------------

    @functools.cached_property
    def names_page_pool(self) -> bool:
        """Whether the code, not just a comment, names page_pool: a type, a call, a header."""
        if POOL not in self.image.text:
            return False
        return any(node.type in _NAMING_NODES and POOL in self.text(node)
                   for node in _walk(self.parsed.root))

    def _pool_base(self, base, function: Function, access) -> tuple[bool, str | None]:
        """Whether `base` holds a page_pool, and None or why it was inferred. Without a
        declaration, only a base named like a pool whose whole chain of members exists
        in struct page_pool is taken for one."""
        ctype = self.type_of(base, function)
        if ctype is not None:
            return ctype.name == POOL, None
        if base.type == "identifier" and self._lookup(base, function)[0]:
            return False, None   # declared with a type that says nothing: do not guess
        if self.image.rows is None and not self.names_page_pool:
            return False, None   # a whole file that never names page_pool: nothing to guess from
        names = self.facts.pool_names
        if base.type == "identifier" and self.text(base) in names:
            how = "from its name"
        elif base.type == "field_expression" and self.text(base.child_by_field_name("field")) in names:
            how = "from its member name"
        else:
            return False, None
        return (True, how) if self.facts.in_pool_layout(self._dotted_members(access)) else (False, None)

    def _dotted_members(self, node) -> list[str]:
        """`x->a.b.c` at the field_expression of `a`: [a, b, c], up to the next `->`."""
        members = [self.text(node.child_by_field_name("field"))]
        while node.parent is not None and node.parent.type == "field_expression" \
                and node.parent.child_by_field_name("argument") == node \
                and self.text(node.parent.child_by_field_name("operator")) == ".":
            node = node.parent
            members.append(self.text(node.child_by_field_name("field")))
        return members

    @functools.cached_property
    def pool_accesses(self) -> list[PoolAccess]:
        out = []
        facts = self.facts
        for function in self.functions:
            for node in self.nodes_of(function, "field_expression"):
                first = self.text(node.child_by_field_name("field"))
                if facts.field(first) is None and first not in facts.field_prefixes:
                    continue
                is_pool, inferred = self._pool_base(node.child_by_field_name("argument"), function, node)
                if not is_pool:
                    continue
                top, chain = node, first
                while top.parent is not None and top.parent.type == "field_expression" \
                        and top.parent.child_by_field_name("argument") == top:
                    longer = chain + "." + self.text(top.parent.child_by_field_name("field"))
                    if facts.field(longer) is None and longer not in facts.field_prefixes:
                        break
                    top, chain = top.parent, longer
                if facts.field(chain) is None:
                    continue
                out.append(PoolAccess(top, chain, self._mode(top, chain), function, inferred,
                                      self.text(node.child_by_field_name("argument"))))
        return self._mark_pops(out)

    def _mode(self, node, chain: str) -> str:
        # `pp->ring.queue = x` writes pp->ring; `pp->p.dev->x = y` writes the device, not pp.
        while node.parent is not None and node.parent.type == "field_expression" \
                and node.parent.child_by_field_name("argument") == node \
                and self.text(node.parent.child_by_field_name("operator")) == ".":
            node = node.parent
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            node, parent = parent, parent.parent
        if parent is None:
            return "read"
        kind = parent.type
        indexed = kind == "subscript_expression" and parent.child_by_field_name("argument") == node
        if indexed:
            node, parent = parent, parent.parent
            while parent is not None and parent.type == "parenthesized_expression":
                node, parent = parent, parent.parent
            kind = parent.type if parent is not None else ""
        if kind == "assignment_expression" and parent.child_by_field_name("left") == node:
            return "push" if indexed else "write"
        if kind == "update_expression":
            return "write"
        if kind == "pointer_expression" and self.text(parent.child_by_field_name("operator")) == "&":
            call = parent.parent.parent if parent.parent is not None and \
                parent.parent.type == "argument_list" else None
            callee = self.text(call.child_by_field_name("function")) \
                if call is not None and call.type == "call_expression" else None
            if callee in self.facts.read_accessors:
                return "read"
            return "write" if callee and self.facts.write_accessors.fullmatch(callee) else "escape"
        if kind in ("sizeof_expression", "alignof_expression"):
            return "size"
        if kind == "call_expression" and not indexed:
            return "read"
        if not indexed and self.facts.field(chain) is not None and chain.endswith("cache") \
                and kind in ("init_declarator", "assignment_expression", "argument_list", "return_statement"):
            return "escape"   # the array itself leaves: whoever holds it can fill the cache
        return "read"

    def _mark_pops(self, accesses: list[PoolAccess]) -> list[PoolAccess]:
        """`cache[--count]` and `cache[count++] = x`: the count update belongs to the cache use."""
        result = []
        cache_index_nodes = []
        for acc in accesses:
            if acc.chain == "alloc.cache" and acc.node.parent is not None \
                    and acc.node.parent.type == "subscript_expression":
                index = acc.node.parent.child_by_field_name("index")
                if index is None:
                    index = acc.node.parent.named_children[-1]
                cache_index_nodes.append((acc, index))
        # Count writes by position, so each cache subscript looks only inside its index.
        count_writes = sorted(((acc.node.start_byte, id(acc)) for acc in accesses
                               if acc.chain == "alloc.count" and acc.mode == "write"))
        starts = [start for start, _ in count_writes]
        folded = set()
        for cache_acc, index in cache_index_nodes:
            first = bisect.bisect_left(starts, index.start_byte)
            last = bisect.bisect_left(starts, index.end_byte)
            for _, acc_id in count_writes[first:last]:
                folded.add(acc_id)
                if cache_acc.mode == "read":
                    folded.add(("pop", id(cache_acc)))
        for acc in accesses:
            if id(acc) in folded:
                continue
            if ("pop", id(acc)) in folded:
                acc = dataclasses.replace(acc, mode="pop")
            result.append(acc)
        return result
