"""Which statement an inline suppression covers: exactly one, never a block's body."""

from __future__ import annotations

import pytest

from zcrxlint import cparse, facts
from zcrxlint.suppress import parse

MACROS = facts.load(facts.newest_kernel()).macros
C = """\
static int f(struct page_pool *pp, int x)
{
	/* zcrxlint: ignore[ZCX101] before a two-line statement */
	g(pp->a,
	  pp->b);
	h(pp->c); /* zcrxlint: ignore[ZCX101] trailing */
	/* zcrxlint: ignore[ZCX101] an if: its condition only */
	if (pp->d &&
	    pp->e) {
		pp->f = 0;
	}
	if (x) { /* zcrxlint: ignore[ZCX101] trailing the if line */
		pp->g = 0;
	}
	switch (x) {
	/* zcrxlint: ignore[ZCX101] a case label, not its statements */
	case 1:
		pp->h = 0;
		break;
	}
	/* zcrxlint: ignore[ZCX101] a bare block: its brace only */
	{
		pp->i = 0;
	}
	k(pp->j,
	  /* zcrxlint: ignore[ZCX101] inside the arguments */
	  pp->k);
	return 0;
	/* zcrxlint: ignore[ZCX101] nothing follows */
}
"""


def _covers():
    parsed = cparse.parse(C, MACROS)
    rows = C.split("\n")
    return {s.reason: (None if s.covers is None else
                       (rows[s.covers[0]].strip(), s.covers[1] - s.covers[0] + 1))
            for s in parse(parsed)}


@pytest.mark.parametrize("reason, first_line, lines", [
    ("before a two-line statement", "g(pp->a,", 2),
    ("trailing", "h(pp->c); /* zcrxlint: ignore[ZCX101] trailing */", 1),
    ("an if: its condition only", "if (pp->d &&", 2),
    ("trailing the if line", "if (x) { /* zcrxlint: ignore[ZCX101] trailing the if line */", 1),
    ("a case label, not its statements", "case 1:", 1),
    ("a bare block: its brace only", "{", 1),
    ("inside the arguments", "k(pp->j,", 3),
])
def test_a_suppression_covers_one_statement(reason, first_line, lines):
    assert _covers()[reason] == (first_line, lines)


def test_a_suppression_with_nothing_after_it_covers_nothing():
    assert _covers()["nothing follows"] is None
