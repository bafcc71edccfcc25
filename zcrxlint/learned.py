"""Helpers a series adds to page_pool's own API files, learned for its later patches.

A series that adds `net_mp_niov_set_page_pool()` to net/core/page_pool.c in patch 2 and
calls it from its provider in patch 5 is using a sanctioned helper, even on a base
kernel that lacks it. What such a helper does is read from its body: whether it accounts
a netmem (bumps pages_state_hold_cnt or calls a helper that does), places one in the
alloc cache, or syncs for device; the checks that ask (DMA placements, advice that names
a helper) see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import FileModel, Function

NETMEM_TYPES = ("netmem_ref", "net_iov", "page")


@dataclass(frozen=True)
class LearnedHelper:
    name: str
    path: str
    patch: int                   # the patch of the series that adds it
    does: frozenset[str]         # as in rules/page_pool.toml [[sanctioned]]
    netmem_arg: int | None       # which argument is the netmem, if any


def _netmem_arg(function: Function) -> int | None:
    for index, ctype in enumerate(function.params.values()):
        if ctype is not None and ctype.name in NETMEM_TYPES:
            return index
    return None


def _does(model: FileModel, function: Function, known: dict[str, frozenset[str]]) -> frozenset[str]:
    does = set()
    for access in model.pool_accesses:
        if access.function is not function:
            continue
        if access.chain == "pages_state_hold_cnt" and access.mode == "write":
            does.add("accounts")
        elif access.chain == "alloc.cache" and access.mode == "push":
            does.add("places")
    for name, _ in model.provider.calls_in(function):
        does |= known.get(name, frozenset())
        if name in model.facts.provider.placement_calls:
            does.add("places")
    if function.name in model.provider.syncers:
        does.add("syncs")
    return frozenset(does)


def learn(pre: FileModel | None, post: FileModel, patch: int,
          learned: dict[str, LearnedHelper]) -> list[LearnedHelper]:
    """The functions `post` adds to a page_pool API file, with what each does."""
    if not post.facts.is_api_file(post.path):
        return []
    before = set(pre.function_by_name) if pre is not None else set()
    known = {name: fact.does for name, fact in post.facts.sanctioned.items()}
    known.update({name: helper.does for name, helper in learned.items()})
    added = [f for f in post.functions
             if f.name not in before and f.display_name is not None and f.name not in learned]
    # Helpers of one patch may call each other: settle what each does.
    changed = True
    while changed:
        changed = False
        for function in added:
            does = _does(post, function, known)
            if does != known.get(function.name):
                known[function.name] = does
                changed = True
    return [LearnedHelper(f.name, post.path, patch, known[f.name], _netmem_arg(f)) for f in added]
