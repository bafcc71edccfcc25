"""Shared wording for checks that judge page_pool field accesses."""

from __future__ import annotations

from ..finding import Severity
from ..model import PoolAccess


def inferred_note(access: PoolAccess) -> str:
    return (f" (type of '{access.base}' inferred {access.inferred}: "
            "its declaration is not in what was analysed)") if access.inferred else ""


def severity_for(access: PoolAccess, severity: Severity) -> Severity:
    """A guessed type never makes an error: at most a warning that says it guessed."""
    return min(severity, Severity.WARNING) if access.inferred else severity


_WRITE_FIRST = {"write": 0, "push": 0, "pop": 1, "escape": 2, "read": 3, "size": 4}


def one_per_line(accesses):
    """`pp->x = pp->x + 1` is one objection, not two: keep the strongest use per line and field."""
    best = {}
    for access in accesses:
        key = (access.node.start_point[0], access.chain, id(access.function))
        if key not in best or _WRITE_FIRST[access.mode] < _WRITE_FIRST[best[key].mode]:
            best[key] = access
    return sorted(best.values(), key=lambda a: a.node.start_byte)
