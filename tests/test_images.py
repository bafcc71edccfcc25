"""Rebuilding pre/post images: patch application with offsets, and hunks widened to the
function git names in their @@ header so that they parse."""

from __future__ import annotations

from zcrxlint import cparse
from zcrxlint.facts import KernelVersion, load
from zcrxlint.images import ApplyError, apply_hunks, hunks_only_image
from zcrxlint.patch import parse_diff

import pytest

MACROS = load(KernelVersion(6, 18)).macros

DIFF = """\
--- a/x.c
+++ b/x.c
@@ -4,5 +4,6 @@ static void f(struct page_pool *pp,
 		if (!n)
 			break;
 		sync(n);
+		pp->alloc.count++;
 	}
 	done();
"""


def test_apply_finds_a_hunk_that_moved():
    base = ["// a", "// b", "// moved", "void f(void)", "{", "\tfor (;;) {", "\t\tif (!n)",
            "\t\t\tbreak;", "\t\tsync(n);", "\t}", "\tdone();", "}"]
    change = parse_diff(DIFF)[0]
    post, added, removed_at = apply_hunks(base, change.hunks)
    assert post[9] == "\t\tpp->alloc.count++;" and added == {10} and removed_at == set()


def test_apply_refuses_a_hunk_that_does_not_match():
    change = parse_diff(DIFF)[0]
    with pytest.raises(ApplyError):
        apply_hunks(["int x;"] * 20, change.hunks)


def test_hunk_starting_in_a_nested_block_parses_with_its_function():
    change = parse_diff(DIFF)[0]
    image = hunks_only_image("x.c", change.hunks, old=False, reason="hunks only")
    parsed = cparse.parse(image.text, MACROS)
    assert parsed.error_rows == ()
    rows = image.text.split("\n")
    assert rows[0] == "static void f(struct page_pool *pp) {"
    assert image.line_of(0) is None and image.line_of(1) is None      # synthetic opening
    added_row = rows.index("\t\tpp->alloc.count++;")
    assert image.line_of(added_row) == 7


def test_neutralising_keeps_every_position():
    source = (b"static int __must_check f(struct page_pool __rcu *pp) __acquires(&l)\n"
              b"{\n\tlist_for_each_entry(x, &h, node) {\n\t\tg(x);\n\t}\n}\n")
    out = cparse.neutralise(source, MACROS)
    assert len(out) == len(source) and out.count(b"\n") == source.count(b"\n")
    assert cparse.parse(source.decode(), MACROS).error_rows == ()
