"""What the provider checks share: which files they judge and how a finding names its chain."""

from __future__ import annotations

from ..finding import Severity


def provider_file(ctx) -> bool:
    """page_pool's own files are not a provider; everything else may hold a provider's
    receive path (the ownership checks apply there)."""
    return not ctx.facts.provider.is_core_file(ctx.path)


def provider_code(ctx) -> bool:
    """A file that implements a provider (the DMA checks judge only those)."""
    return provider_file(ctx) and ctx.model.provider.is_provider


def through(trail: list[str]) -> str:
    """', through a() -> b()' for a finding reached through helpers, else ''."""
    return f", through {' -> '.join(f'{name}()' for name in trail)}" if trail else ""


def proving_guard(ctx, need: str) -> str:
    """The guard a reviewer would ask for before a cast that needs `need` proven."""
    if need == "net_iov":
        whole_skb = "".join(f" / !{name}(skb)" for name in sorted(ctx.facts.provider.readable_guards))
        return f"netmem_is_net_iov(netmem) / skb_frag_is_net_iov(frag){whole_skb}"
    if need == "own":
        tables = [t.name for t in ctx.model.ops_tables]
        ops = tables[0] if tables else "my_ops"
        return f"'pp && pp->mp_ops == &{ops} && pp->mp_priv == ctx' (pp from the niov)"
    if need == ctx.model.provider.sole_kind:
        return (f"netmem_is_net_iov(netmem) / skb_frag_is_net_iov(frag) (in {ctx.facts.kernel} "
                f"every net_iov is {need}'s)")
    for kind in ctx.facts.provider.kinds:
        if kind.provider == need:
            kernel = ctx.facts.kernel
            tests = [f"{c}(niov)" for c in sorted(kind.calls) if kind.calls_span.holds_at(kernel)] + \
                [f"niov->type == {v}" for v in sorted(kind.type_values)
                 if kind.type_values_span.holds_at(kernel)]
            if tests:
                return " or ".join(tests)
            return f"'pp && pp->mp_ops == &{kind.ops}' (pp from the niov)"
    return f"a test that the niov belongs to {need}"


def unread_caveat(verdict) -> tuple[Severity | None, str]:
    """A verdict whose proof passes through code tree-sitter could not read is at most a
    warning, and says which lines it could not read."""
    if not verdict.unread:
        return None, ""
    where = "; ".join(f"in {name}(), {what}" for name, what in verdict.unread)
    return Severity.WARNING, f" (not read in full: {where}; a guard or branch there would change this)"
