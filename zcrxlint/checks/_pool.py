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
