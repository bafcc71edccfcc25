"""The provider view of one file: which functions the memory_provider_ops tables register,
what is reachable from them, where each netmem or net_iov comes from, which conditions
dominate a statement, and which functions sync for device.

It is built lazily from a FileModel (`model.provider`) and shared by the ZCX2xx, ZCX3xx and
ZCX4xx checks. Everything is syntactic and per file; the series contributes only the call
lists of function bodies it shows, so a sync helper added elsewhere in the series counts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .model import FileModel, Function

EXITS = ("return_statement", "goto_statement", "break_statement", "continue_statement")
_FALSE = ("false", "0")

# Where a netmem or net_iov came from. Trusted sources need no proof of ownership.
CALLBACK, OWN_AREA, SKB_FRAG, SOCKET_QUEUE, UNKNOWN = (
    "a callback argument", "the provider's own area", "an skb frag",
    "a socket receive queue", "an unknown source")
UNTRUSTED = (SKB_FRAG, SOCKET_QUEUE)

# What marks provider code besides an ops table (also the prefilter's tokens for it).
CALLBACK_SUFFIXES = ("alloc_netmems", "release_netmem")
PROVIDER_HELPER_PREFIX = "net_mp_"


@dataclass(frozen=True)
class Condition:
    """A predicate known to hold (`truth`) or not where a statement runs."""
    node: object
    truth: bool


@dataclass(frozen=True)
class Claim:
    """What a condition says about who owns the memory: `kind` is a provider ("devmem",
    "io_uring", "own" for this file's), a NET_IOV_* value, or "net_iov" (not a page)."""
    kind: str
    holds: bool
    condition: Condition


@dataclass(frozen=True)
class Predicate:
    """A function that returns an owner test of one argument: the (kind, holds) claims its
    result proves about that argument when true and when false."""
    name: str
    argument: int
    when_true: tuple[tuple[str, bool], ...]
    when_false: tuple[tuple[str, bool], ...]
    patch: int = 0                # the patch of the series after which it exists

    def proves(self, truth: bool) -> tuple[tuple[str, bool], ...]:
        return self.when_true if truth else self.when_false


def returned_expression(function: Function):
    """The expression of a function whose body (after its declarations) is one `return`:
    the shape every owner-test predicate has. None for any other function."""
    body = function.node.child_by_field_name("body")
    statements = [c for c in body.named_children if c.type not in ("comment", "declaration")] \
        if body is not None else []
    if len(statements) != 1 or statements[0].type != "return_statement" \
            or not statements[0].named_children:
        return None
    return statements[0].named_children[0]


@dataclass(frozen=True)
class Origin:
    """Where the value of an expression comes from, as far as one function shows."""
    source: str                  # one of the constants above, or "parameter"
    parameter: int | None = None


def exits(stmt) -> bool:
    """Whether a statement always leaves the enclosing block (return, goto, break, continue)."""
    if stmt is None:
        return False
    if stmt.type in EXITS:
        return True
    if stmt.type == "compound_statement":
        body = [c for c in stmt.named_children if c.type != "comment"]
        return bool(body) and exits(body[-1])
    if stmt.type == "if_statement":
        alternative = stmt.child_by_field_name("alternative")
        return alternative is not None and exits(stmt.child_by_field_name("consequence")) \
            and exits(alternative.named_children[-1] if alternative.named_children else None)
    return False


def subtree(node):
    """Every node under `node`, itself included (iterative: kernel expressions nest deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def _strip(node):
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[-1]
    return node


def _macro_arguments(condition) -> list:
    """The arguments of an iterator macro written as `while (a, b, c)`."""
    node = _strip(condition)
    out = []
    while node is not None and node.type == "comma_expression":
        out.append(_strip(node.child_by_field_name("left")))
        node = _strip(node.child_by_field_name("right"))
    return [a for a in (*out, node) if a is not None]


def callee_name(model: FileModel, call) -> str | None:
    callee = call.child_by_field_name("function")
    return model.text(callee) if callee is not None and callee.type == "identifier" else None


def call_args(call) -> list:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


class ProviderModel:
    def __init__(self, model: FileModel):
        self.model = model
        self.facts = model.facts.provider
        self.text = model.text

    # ---- roles ----------------------------------------------------------------------------

    @functools.cached_property
    def callbacks(self) -> dict[str, set[str]]:
        """Callback name -> functions registered for it in this file's ops tables."""
        out: dict[str, set[str]] = {}
        for table in self.model.ops_tables:
            for callback, function in table.callbacks.items():
                out.setdefault(callback, set()).add(function)
        return out

    @functools.cached_property
    def callback_functions(self) -> set[str]:
        return {f for names in self.callbacks.values() for f in names}

    @functools.cached_property
    def init_path(self) -> set[str]:
        roots = set(self.callbacks.get("init", ()))
        if not self.model.ops_tables:
            # No table in view (a hunk, a helper file): go by the usual callback names.
            roots |= {f.name for f in self.model.functions if f.name.endswith(("_mp_init", "pp_init"))}
        return self.model.reachable_from(roots)

    @functools.cached_property
    def only_from_callbacks(self) -> set[str]:
        """Functions that nothing but the provider's own callbacks reaches."""
        model = self.model
        from_callbacks = model.reachable_from(self.callback_functions)
        other_roots = {f.name for f in model.functions
                       if not model.callers[f.name] and f.name not in self.callback_functions}
        return from_callbacks - model.reachable_from(other_roots)

    @functools.cached_property
    def is_provider(self) -> bool:
        """Whether this file is (part of) a memory provider: it has an ops table, a callback
        by its usual name, or calls the helpers only providers call. Drivers that create
        pools and sync their own buffers are not judged by the provider rules."""
        if self.model.ops_tables:
            return True
        if any(f.name.endswith(CALLBACK_SUFFIXES) for f in self.model.functions):
            return True
        return any(c.name.startswith(PROVIDER_HELPER_PREFIX) for c in self.model.calls)

    def unread_in(self, function: Function) -> str | None:
        """The first place in a function whose text the analysis could not read: a line
        that did not parse, or lines between two shown parts of it that no patch showed."""
        image = self.model.image
        for row in range(function.start_row, function.last_row + 1):
            if row in image.gaps:
                first, last = image.gaps[row]
                return f"lines {first}-{last} are not in the series" if last > first \
                    else f"line {first} is not in the series"
            if row in self.model.parsed.unparsed_rows and image.line_of(row):
                return f"line {image.line_of(row)} did not parse"
        return None

    def is_trusted_function(self, name: str) -> bool:
        return name in self.callback_functions or name in self.only_from_callbacks

    @functools.cached_property
    def ownership_verdicts(self) -> list["Verdict"]:
        return verdicts(self)

    @functools.cached_property
    def own_kinds(self) -> set[str]:
        """Which known provider kinds this file is: by the area structs it defines, the
        cast helpers it defines, the area structs its own callbacks cast to, and the
        net_iov type values it assigns."""
        kinds = set()
        for kind in self.facts.kinds:
            if kind.area_structs & set(self.model.structs):
                kinds.add(kind.provider)
        for name, cast in self.facts.casts.items():
            if name in self.model.function_by_name:
                kinds.add(cast.provider)
        kinds |= self._kinds_cast_to_by_callbacks
        kinds |= self.assigned_type_values
        return kinds

    @functools.cached_property
    def _kinds_cast_to_by_callbacks(self) -> set[str]:
        """Known kinds whose area struct the provider's callbacks (or the functions they
        call) cast owners to: the callbacks only see the file's own net_iovs, so that area
        is the file's own, whether or not the release at hand knows the provider yet."""
        from_callbacks = self.model.reachable_from(self.callback_functions)
        return {kind for function, _, _, struct in owner_casts(self)
                if function.name in from_callbacks
                and (kind := self.facts.kind_of_area(struct)) is not None}

    @functools.cached_property
    def assigned_type_values(self) -> set[str]:
        """NET_IOV_* values this file stores into a net_iov's type (itself and kinds)."""
        values = set()
        for function in self.model.functions:
            for node in self.model.nodes_of(function, "assignment_expression"):
                left = node.child_by_field_name("left")
                right = _strip(node.child_by_field_name("right"))
                if left is not None and left.type == "field_expression" and right is not None \
                        and self.text(left.child_by_field_name("field")) == self.facts.type_field:
                    value = self.text(right)
                    values.add(value)
                    values |= {k.provider for k in self.facts.kinds if value in k.type_values}
        return values

    # ---- calls and syncing ----------------------------------------------------------------

    @functools.cached_property
    def _calls_by_function(self) -> dict[int, list[tuple[str, object]]]:
        grouped: dict[int, list] = {id(f): [] for f in self.model.functions}
        for call in self.model.calls:
            grouped[id(call.function)].append((call.name, call.node))
        return grouped

    def calls_in(self, function: Function) -> list[tuple[str, object]]:
        """(callee name, call node) of every direct call in the function, in source order."""
        return self._calls_by_function[id(function)]

    @functools.cached_property
    def syncers(self) -> set[str]:
        """Functions whose body syncs for device, however deep: this file's bodies first,
        then any body the series shows."""
        calls = {name: set(callees) for name, callees in self.model.series_calls.items()}
        for function in self.model.functions:
            calls[function.name] = {name for name, _ in self.calls_in(function)}
        apis = self.facts.sync_for_device | self.facts.pool_sync_for_device
        syncing = {name for name, callees in calls.items() if callees & apis}
        changed = True
        while changed:
            changed = False
            for name, callees in calls.items():
                if name not in syncing and callees & syncing:
                    syncing.add(name)
                    changed = True
        return syncing

    def is_sync_call(self, name: str) -> bool:
        return name in self.facts.sync_for_device or name in self.facts.pool_sync_for_device \
            or name in self.syncers

    # ---- derivations ----------------------------------------------------------------------

    @functools.cached_property
    def _assignments(self) -> dict[int, dict[str, list]]:
        """Per function: local or parameter name -> the expressions assigned to it."""
        table = {}
        for function in self.model.functions:
            values: dict[str, list] = {}
            for node in self.model.nodes_of(function, "declaration"):
                for decl in node.children_by_field_name("declarator"):
                    if decl.type == "init_declarator":
                        name = decl.child_by_field_name("declarator")
                        value = decl.child_by_field_name("value")
                        while name is not None and name.type == "pointer_declarator":
                            name = name.child_by_field_name("declarator")
                        if name is not None and name.type == "identifier" and value is not None:
                            values.setdefault(self.text(name), []).append(value)
            for node in self.model.nodes_of(function, "assignment_expression"):
                left = _strip(node.child_by_field_name("left"))
                right = node.child_by_field_name("right")
                if left is not None and left.type == "identifier" and right is not None:
                    values.setdefault(self.text(left), []).append(right)
            for cursor, iterated in self._iterator_cursors(function):
                values.setdefault(cursor, []).extend(iterated)
            table[id(function)] = values
        return table

    def _iterator_cursors(self, function: Function):
        """(cursor, what it walks) for each local an iterator macro's loop header names:
        `skb_frag_foreach_page(frag, off, len, page, ...)` makes `page` a value of `frag`,
        `off` and `len`, as `page = f(frag, off, len)` would."""
        loops = self.model.parsed.loop_macros
        if not loops:
            return
        local_names = self.model._locals[id(function)]
        for loop in self.model.nodes_of(function, "while_statement"):
            if loop.start_byte not in loops:
                continue
            args = _macro_arguments(loop.child_by_field_name("condition"))
            cursors = {self.text(a) for a in args if a.type == "identifier" and self.text(a) in local_names}
            iterated = [a for a in args if not (a.type == "identifier" and self.text(a) in cursors)]
            for cursor in cursors:
                yield cursor, iterated

    def derivation(self, expr, function: Function) -> list:
        """The expression and, transitively, every expression assigned to a local it names."""
        values = self._assignments[id(function)]
        out, seen, todo = [], set(), [expr]
        while todo:
            node = todo.pop()
            out.append(node)
            for ident in self._identifiers(node):
                name = self.text(ident)
                if name not in seen:
                    seen.add(name)
                    todo.extend(values.get(name, ()))
        return out

    @staticmethod
    def _identifiers(node):
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type == "identifier":
                yield n
            elif n.type == "field_expression":
                stack.append(n.child_by_field_name("argument"))   # the field name is no variable
            elif n.type == "call_expression":
                stack.extend(call_args(n))
            else:
                stack.extend(n.named_children)

    def roots(self, expr, function: Function) -> set[str]:
        """Names of the variables an expression is computed from, transitively."""
        return {self.text(i) for node in self.derivation(expr, function) for i in self._identifiers(node)}

    def memory_roots(self, expr, function: Function) -> set[str]:
        """Roots that hold memory (netmems, net_iovs, arrays of them) rather than the pool or
        a context, so two expressions that share only `pp` are not the same buffer."""
        out = set()
        for name in self.roots(expr, function):
            ctype = self._declared_type(name, function, expr)
            if ctype is None or ctype.name not in self._context_types:
                out.add(name)
        return out

    @functools.cached_property
    def _context_types(self) -> set[str]:
        return {"page_pool", "device", "net_device", "sk_buff", "sock"} | set(self.model.structs) \
            - {"net_iov", "netmem_desc"}

    def _declared_type(self, name: str, function: Function, near):
        """The type a name is declared with in the function (the nearest earlier local)."""
        entries = [e for e in self.model._locals[id(function)].get(name, ()) if e[0] < near.start_byte]
        if entries:
            return max(entries, key=lambda e: e[0])[3]
        return function.params.get(name) or self.model.globals.get(name)

    def parameter_of(self, expr, function: Function) -> int | None:
        """Index of the first parameter the expression is computed from, if any."""
        names = list(function.params)
        for node in self.derivation(expr, function):
            for ident in self._identifiers(node):
                if self.text(ident) in function.params:
                    return names.index(self.text(ident))
        return None

    def origin(self, expr, function: Function) -> Origin:
        """Where a netmem or net_iov expression comes from, as this function shows it."""
        own_area = frag = socket = False
        untrusted = self.facts
        for node in self.derivation(expr, function):
            for n in subtree(node):
                if n.type == "field_expression":
                    field_name = self.text(n.child_by_field_name("field"))
                    if field_name == "niovs":
                        own_area = True
                    elif field_name in untrusted.frag_fields:
                        frag = True
                    elif field_name in untrusted.socket_queue_fields:
                        socket = True
                elif n.type == "call_expression":
                    name = callee_name(self.model, n)
                    if name in untrusted.frag_calls:
                        frag = True
                    elif name in untrusted.socket_queue_calls:
                        socket = True
                elif n.type == "identifier":
                    name = self.text(n)
                    ctype = self._declared_type(name, function, n)
                    if ctype is not None and ctype.name in untrusted.frag_types:
                        frag = True
        if own_area:
            return Origin(OWN_AREA)
        if frag or socket:
            return Origin(SOCKET_QUEUE if socket or self.reads_socket_queue(function) else SKB_FRAG)
        parameter = self.parameter_of(expr, function)
        if parameter is not None:
            if self.is_trusted_function(function.name):
                return Origin(CALLBACK)
            return Origin("parameter", parameter)
        return Origin(UNKNOWN)

    def reads_socket_queue(self, function: Function) -> bool:
        """A receive-queue walker, or an actor handed to tcp_read_sock() in this file."""
        facts = self.facts
        for node in self.model.nodes_of(function, "field_expression"):
            if self.text(node.child_by_field_name("field")) in facts.socket_queue_fields:
                return True
        if any(name in facts.socket_queue_calls for name, _ in self.calls_in(function)):
            return True
        return function.name in self.socket_actors

    @functools.cached_property
    def socket_actors(self) -> set[str]:
        actors = set()
        for call in self.model.calls:
            if call.name in self.facts.socket_actor_callers:
                actors |= {self.text(a) for a in call_args(call.node) if a.type == "identifier"}
        return actors

    def call_sites(self, callee: str) -> list[tuple[Function, object]]:
        return [(c.function, c.node) for c in self.model.calls if c.name == callee]

    # ---- conditions -----------------------------------------------------------------------

    def atoms(self, cond, truth: bool) -> list[Condition]:
        """The predicates a condition being `truth` makes definite."""
        cond = _strip(cond)
        if cond is None:
            return []
        if cond.type == "unary_expression" and self.text(cond.child_by_field_name("operator")) == "!":
            return self.atoms(cond.child_by_field_name("argument"), not truth)
        if cond.type == "binary_expression":
            op = self.text(cond.child_by_field_name("operator"))
            if (op == "&&" and truth) or (op == "||" and not truth):
                return self.atoms(cond.child_by_field_name("left"), truth) + \
                    self.atoms(cond.child_by_field_name("right"), truth)
            if op in ("&&", "||"):
                return []
        if cond.type == "call_expression":
            name = callee_name(self.model, cond)
            passthrough = self.model.facts.macros.condition_passthrough
            args = call_args(cond)
            if name in passthrough and passthrough[name] < len(args):
                return self.atoms(args[passthrough[name]], truth)
        return [Condition(cond, truth)]

    def dominating(self, node, function: Function) -> list[Condition]:
        """Conditions that hold wherever `node` runs: enclosing if/loop/&& conditions, and
        earlier `if (...) return/goto/continue/break;` statements of every enclosing block."""
        out = []
        cur = node
        top = function.node
        while cur is not None and cur != top and cur.parent is not None:
            parent = cur.parent
            kind = parent.type
            if kind in ("if_statement", "conditional_expression"):
                cond = parent.child_by_field_name("condition")
                if cur == parent.child_by_field_name("consequence"):
                    out += self.atoms(cond, True)
                elif cur == parent.child_by_field_name("alternative"):
                    out += self.atoms(cond, False)
            elif kind in ("while_statement", "for_statement"):
                cond = parent.child_by_field_name("condition")
                if cond is not None and cur == parent.child_by_field_name("body"):
                    out += self.atoms(cond, True)
            elif kind == "binary_expression" and cur == parent.child_by_field_name("right"):
                op = self.text(parent.child_by_field_name("operator"))
                if op in ("&&", "||"):
                    out += self.atoms(parent.child_by_field_name("left"), op == "&&")
            if kind in ("compound_statement", "case_statement", "translation_unit") or kind.startswith("preproc_"):
                for sibling in parent.named_children:
                    if sibling.start_byte >= cur.start_byte:
                        break
                    if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None \
                            and exits(sibling.child_by_field_name("consequence")):
                        out += self.atoms(sibling.child_by_field_name("condition"), False)
            cur = parent
        return out

    def claims(self, conditions: list[Condition], about: set[str], function: Function) -> list[Claim]:
        """What each condition on a value derived from `about` says about its owner."""
        out = []
        for cond in conditions:
            predicate = self._predicate_called(cond.node)
            if predicate is not None:
                args = call_args(cond.node)
                if predicate.argument < len(args) and self.roots(args[predicate.argument], function) & about:
                    out += [Claim(self._learned_kind(kind), holds, cond)
                            for kind, holds in predicate.proves(cond.truth)]
                continue
            claim = self._claim(cond)
            if claim is not None and self.roots(cond.node, function) & about:
                out.append(Claim(self._normal_kind(claim.kind), claim.holds, cond))
        return out

    def _claim(self, cond: Condition, ops_vars: frozenset[str] = frozenset(),
               learning: bool = False) -> Claim | None:
        """What one predicate says about who owns the memory it tests. `ops_vars` name
        variables that hold a pool's mp_ops; `learning` keeps only what holds outside this
        file (a kind, or a table by name), for a predicate other files call."""
        node, facts = cond.node, self.facts
        if node.type == "call_expression":
            name = callee_name(self.model, node)
            if name in facts.netmem_kind_guards:
                return Claim("net_iov", cond.truth, cond)
            if name in facts.readable_guards:
                return Claim("net_iov", not cond.truth, cond)
            for kind in facts.kinds:
                if name in kind.calls:
                    return Claim(kind.provider, cond.truth, cond)
            return None
        if node.type != "binary_expression":
            return None
        op = self.text(node.child_by_field_name("operator"))
        if op not in ("==", "!="):
            return None
        equal = (op == "==") == cond.truth
        sides = [_strip(node.child_by_field_name("left")), _strip(node.child_by_field_name("right"))]
        for side, other in (sides, sides[::-1]):
            if side is None or other is None:
                continue
            member = self.text(side.child_by_field_name("field")) if side.type == "field_expression" \
                else None
            if member == "mp_ops" or (side.type == "identifier" and self.text(side) in ops_vars):
                target = other.child_by_field_name("argument") if other.type == "pointer_expression" else other
                if target is None:
                    return None
                return Claim(self._ops_kind(self.text(target), learning), equal, cond)
            if member == facts.type_field and self.text(other).startswith("NET_IOV_"):
                value = self.text(other)
                kind = next((k.provider for k in facts.kinds if value in k.type_values), value)
                return Claim(kind, equal, cond)
            if learning:
                continue
            if member == "mp_priv" and equal:
                return Claim("own", True, cond)
            if side.type == "call_expression" and callee_name(self.model, side) in facts.owner_accessors \
                    and equal:
                return Claim("own", True, cond)
        return None

    def _ops_kind(self, table: str, learning: bool = False) -> str:
        """Whose net_iovs a pool with `table` as its mp_ops holds: 'own' for this file's
        table, a known kind for its table, else 'ops <table>'."""
        if not learning and table in {t.name for t in self.model.ops_tables}:
            return "own"
        return next((k.provider for k in self.facts.kinds if k.ops == table), f"ops {table}")

    def _learned_kind(self, kind: str) -> str:
        """A kind a predicate learned elsewhere proves, as this file names it."""
        if kind.startswith("ops "):
            kind = self._ops_kind(kind[len("ops "):])
        return self._normal_kind(kind)

    # ---- predicates: functions that return an owner test ------------------------------------

    def _predicate_called(self, node) -> "Predicate | None":
        return self.predicates.get(callee_name(self.model, node)) if node.type == "call_expression" else None

    @functools.cached_property
    def predicates(self) -> dict[str, "Predicate"]:
        """Predicates this file defines, and those the series defined by this text's patch."""
        visible = {name: p for name, p in self.model.series_predicates.items()
                   if p.patch <= self.model.position}
        visible.update(self.defined_predicates)
        return visible

    @functools.cached_property
    def defined_predicates(self) -> dict[str, "Predicate"]:
        out = {}
        for function in self.model.functions:
            predicate = self._as_predicate(function)
            if predicate is not None:
                out[function.name] = predicate
        return out

    def _as_predicate(self, function: Function) -> "Predicate | None":
        """A function whose body is one `return <owner test of a parameter>;` (after its
        declarations), summarised as what it proves when true and when false."""
        returned = returned_expression(function)
        if returned is None:
            return None
        expr = returned
        params = list(function.params)
        ops_vars = frozenset(name for name, ctype in function.params.items()
                             if ctype is not None and ctype.name == self.facts.ops_struct)
        argument, proves = None, {}
        for truth in (True, False):
            found = []
            for cond in self.atoms(expr, truth):
                claim = self._claim(cond, ops_vars, learning=True)
                about = self.roots(cond.node, function) & set(params)
                if claim is None or len(about) != 1:
                    continue
                index = params.index(about.pop())
                if argument not in (None, index):
                    return None
                argument = index
                found.append((claim.kind, claim.holds))
            proves[truth] = tuple(found)
        if argument is None:
            return None
        return Predicate(function.name, argument, proves[True], proves[False], self.model.position)

    def _normal_kind(self, kind: str) -> str:
        return "own" if kind in self.own_kinds else kind

    def target_kind(self, kind: str | None) -> str:
        """The provider a cast needs proven: 'own' for this file's type."""
        return "own" if kind is None else self._normal_kind(kind)

    @functools.cached_property
    def sole_kind(self) -> str | None:
        """The one provider that makes net_iovs in the target release, if only one does."""
        kernel = self.model.facts.kernel
        existing = [k.provider for k in self.facts.kinds if k.exists.holds_at(kernel)]
        return existing[0] if len(existing) == 1 else None

    def judge_claims(self, claims: list[Claim], need: str) -> tuple[bool, Claim | None]:
        """(proven, the claim that proves the opposite). A claim about an unknown NET_IOV_*
        value proves an 'own' need when the file says nothing about its own type; where one
        provider alone makes net_iovs, being a net_iov proves being that provider's."""
        # A claim against the need wins over one for it: contradictory guards prove nothing.
        proven = any(c.holds and (c.kind == need or c.kind == "net_iov" and need == self.sole_kind)
                     for c in claims)
        for c in claims:
            if need == "net_iov":
                if c.kind == "net_iov" and not c.holds:
                    return False, c
                continue
            if c.kind == "net_iov":
                continue
            if c.kind == need and not c.holds:
                return False, c
            if c.holds and c.kind != need and not c.kind.startswith("ops "):
                if need == "own" and c.kind.startswith("NET_IOV_"):
                    proven = True
                    continue
                return False, c
        return proven, None

    # ---- DMA state set up in ->init -------------------------------------------------------

    @functools.cached_property
    def sync_disabled_in_init(self):
        """The `pp->dma_sync = false` in the provider's ->init, if there is one."""
        for access in self.model.pool_accesses:
            if access.chain == "dma_sync" and access.mode == "write" \
                    and access.function.name in self.init_path \
                    and is_false(self.model, assigned_value(self.model, access.node)):
                return access.node
        return None

    @functools.cached_property
    def refuses_dma_map(self):
        """The `if (pp->dma_map) return -EOPNOTSUPP;` of an ->init that takes no mapped pools."""
        for function in self.model.functions:
            if function.name not in self.init_path:
                continue
            for node in self.model.nodes_of(function, "if_statement"):
                if not exits(node.child_by_field_name("consequence")):
                    continue
                for cond in self.atoms(node.child_by_field_name("condition"), True):
                    if cond.truth and self.tests_pool_bit(cond.node, self.facts.map_flag,
                                                          self.facts.map_param_flag):
                        return node
        return None

    def tests_pool_bit(self, node, bit: str, param_flag: str) -> bool:
        """`pp->bit`, or `pp->p.flags & PARAM_FLAG`, the page_pool_params flag it is set from."""
        if node.type == "field_expression":
            return self.text(node.child_by_field_name("field")) == bit
        return node.type == "binary_expression" and \
            self.text(node.child_by_field_name("operator")) == "&" and \
            any(self.text(_strip(node.child_by_field_name(side))) == param_flag
                for side in ("left", "right"))

    # ---- preprocessor ---------------------------------------------------------------------

    def preproc_conditions(self, node) -> str:
        """The text of every #if/#ifdef whose true branch holds `node`."""
        texts = []
        cur = node
        while cur.parent is not None:
            parent = cur.parent
            if parent.type in ("preproc_if", "preproc_ifdef", "preproc_elif") \
                    and cur != parent.child_by_field_name("alternative"):
                cond = parent.child_by_field_name("condition") or parent.child_by_field_name("name")
                if cond is not None:
                    texts.append(self.text(cond))
            cur = parent
        return " ".join(texts)


def assigned_value(model: FileModel, node):
    """For a field (or an element of it) used as the left side of `=`, the right side."""
    cur = node
    while cur.parent is not None and (
            cur.parent.type in ("parenthesized_expression", "field_expression")
            or (cur.parent.type == "subscript_expression" and cur.parent.child_by_field_name("argument") == cur)):
        cur = cur.parent
    parent = cur.parent
    if parent is not None and parent.type == "assignment_expression" \
            and parent.child_by_field_name("left") == cur \
            and model.text(parent.child_by_field_name("operator")) == "=":
        return parent.child_by_field_name("right")
    return None


def is_false(model: FileModel, value) -> bool:
    value = _strip(value)
    return value is not None and model.text(value) in _FALSE


# ---- net_iov ownership ------------------------------------------------------------------

@dataclass(frozen=True)
class CastSite:
    """Where code assumes who owns a net_iov (or that a netmem is a net_iov)."""
    function: Function
    node: object          # the container_of, the cast helper call, or netmem_to_net_iov()
    value: object         # the net_iov or netmem expression it assumes about
    need: str             # what must be proven: "own", a provider kind, or "net_iov"
    target: str           # for messages: what the value is turned into


@dataclass(frozen=True)
class Verdict:
    """A cast site reached without proof: from an untrusted source, or against a guard
    that proves the opposite. `anchor` is where the untrusted value meets the cast."""
    site: CastSite
    function: Function
    anchor: object
    source: str | None
    opposite: Claim | None
    trail: tuple[str, ...]        # helpers between the anchor and the cast
    unread: tuple[tuple[str, str], ...] = ()   # (function, what of it could not be read)


def owner_casts(pm: ProviderModel):
    """(function, container_of call, net_iov expression, struct) of every cast of a
    net_iov's owner to a provider's own struct."""
    model, facts = pm.model, pm.facts
    for function in model.functions:
        for name, call in pm.calls_in(function):
            args = call_args(call)
            if name not in model.facts.macros.type_from_type_argument or len(args) < 2:
                continue
            struct = model.text(args[1]).replace("struct", "").strip()
            if struct == facts.area_struct:
                continue
            owner_call = next((n for node in pm.derivation(args[0], function)
                               for n in subtree(node) if n.type == "call_expression"
                               and callee_name(model, n) in facts.owner_accessors), None)
            if owner_call is not None and call_args(owner_call):
                yield function, call, call_args(owner_call)[0], struct


def cast_sites(pm: ProviderModel) -> list[CastSite]:
    model, facts = pm.model, pm.facts
    out = [CastSite(function, call, value, pm.target_kind(facts.kind_of_area(struct)), f"struct {struct}")
           for function, call, value, struct in owner_casts(pm)]
    for function in model.functions:
        for name, call in pm.calls_in(function):
            args = call_args(call)
            if not args or name in model.facts.macros.type_from_type_argument:
                continue
            if name in facts.casts:
                out.append(CastSite(function, call, args[0],
                                    pm.target_kind(facts.casts[name].provider), f"{name}()"))
            elif name in facts.to_niov_calls:
                out.append(CastSite(function, call, args[0], "net_iov", f"{name}()"))
    return sorted(out, key=lambda site: site.node.start_byte)


def verdicts(pm: ProviderModel) -> list[Verdict]:
    out, seen = [], set()
    for site in cast_sites(pm):
        for verdict in _judge(pm, site, site.function, site.node, site.value, (), frozenset()):
            key = (verdict.anchor.start_byte, verdict.site.need, verdict.opposite is None)
            if key not in seen:
                seen.add(key)
                out.append(verdict)
    return out


def _unread(pm, function: Function, trail: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """What could not be read of each function a verdict's proof passes through: a guard,
    a declaration or a branch may hide there."""
    model = pm.model
    chain = [function, *(model.function_by_name[name] for name in trail if name in model.function_by_name)]
    return tuple((link.display_name or "the function", where) for link in chain
                 if (where := pm.unread_in(link)) is not None)


def _judge(pm, site, function, anchor, value, trail, visiting) -> list[Verdict]:
    about = pm.roots(value, function)
    claims = pm.claims(pm.dominating(anchor, function), about, function)
    proven, opposite = pm.judge_claims(claims, site.need)
    if proven:
        return []
    if opposite is not None:
        return [Verdict(site, function, opposite.condition.node, None, opposite, trail,
                        _unread(pm, function, trail))]
    origin = pm.origin(value, function)
    if origin.source in UNTRUSTED:
        return [Verdict(site, function, anchor, origin.source, None, trail,
                        _unread(pm, function, trail))]
    if origin.source != "parameter" or function.name in visiting:
        return []
    out = []
    for caller, call in pm.call_sites(function.name):
        args = call_args(call)
        if origin.parameter < len(args):
            out += _judge(pm, site, caller, call, args[origin.parameter], (function.name, *trail),
                          visiting | {function.name})
    return out
