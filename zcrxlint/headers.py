"""The struct definitions of the local headers a file includes, read from its tree.

A driver declares its rings and queues in a header beside its .c (`#include "acme.h"`);
with that header read, `ring->page_pool->x` is typed, not guessed from the member's name.
Only `#include "..."` is followed (resolved next to the including file, then under
`include/`), and the headers those include in turn, up to MAX_HEADERS per file; system
headers (`<...>`) are the facts' business. Each header is parsed once per run.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from . import cparse
from .basetree import BaseTree, leaves_tree
from .facts import CType, Facts
from .images import Image
from .model import FileModel

LOCAL_INCLUDE = re.compile(r'(?m)^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"')
MAX_HEADERS = 64


@dataclass
class HeaderTypes:
    structs: dict[str, dict[str, CType]] = field(default_factory=dict)
    typedefs: dict[str, CType] = field(default_factory=dict)


@dataclass
class _Header:
    path: str
    types: HeaderTypes
    includes: list[str]


def _candidates(includer: str, name: str) -> list[str]:
    paths = [posixpath.normpath(posixpath.join(posixpath.dirname(includer), name)),
             posixpath.normpath(posixpath.join("include", name))]
    return [p for p in dict.fromkeys(paths) if not leaves_tree(p)]


class LocalHeaders:
    """Reads and remembers headers, per tree, for the whole run."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self._headers: dict[tuple[BaseTree, str], _Header | None] = {}
        chains = [*facts.fields, *facts.netmem_state]
        # A file that reaches no field the facts know through `->` or `.` has no access
        # whose base the headers would type: reading them would cost a parse each for nothing.
        self._judged_access = re.compile(
            r"(?:->|\.)\s*(?:" + "|".join(sorted(c.replace(".", r"\s*\.\s*") for c in chains)) + r")\b") \
            if chains else None

    def types_for(self, tree: BaseTree, path: str, text: str) -> HeaderTypes:
        """What the local headers `text` (the file at `path`) includes define, nearest
        first: a struct a closer header defines is not replaced by a farther one."""
        merged = HeaderTypes()
        if self._judged_access is None or not self._judged_access.search(text):
            return merged
        todo = [(path, name) for name in LOCAL_INCLUDE.findall(text)]
        seen: set[str] = set()
        while todo and len(seen) < MAX_HEADERS:
            includer, name = todo.pop(0)
            header = next((h for p in _candidates(includer, name)
                           if (h := self._read(tree, p)) is not None), None)
            if header is None or header.path in seen:
                continue
            seen.add(header.path)
            for struct, members in header.types.structs.items():
                merged.structs.setdefault(struct, members)
            for name_, ctype in header.types.typedefs.items():
                merged.typedefs.setdefault(name_, ctype)
            todo.extend((header.path, n) for n in header.includes)
        return merged

    def _read(self, tree: BaseTree, path: str) -> _Header | None:
        key = (tree, path)
        if key not in self._headers:
            text = tree.read(path)
            header = None
            if text is not None:
                model = FileModel.build(Image(path, text), cparse.parse(text, self.facts.macros), self.facts,
                                        bodies=False)
                header = _Header(path, HeaderTypes(model.structs, model.typedefs),
                                 LOCAL_INCLUDE.findall(text))
            self._headers[key] = header
        return self._headers[key]
