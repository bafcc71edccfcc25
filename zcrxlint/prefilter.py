"""Which whole files can hold a finding at all, decided on their raw bytes before any parse.

Every check says which tokens a file must contain for it to report anything there (its
`triggers`, derived from the facts): a private field access needs `page_pool` in the file
(the type, a cast, a helper returning one) or a member the facts type as a page_pool
(`page->pp->ring`); a provider check needs an ops table, a provider callback or a
net_mp_ helper; and so on. A file holding none of the enabled checks' tokens is not parsed:
no check could report anything in it. That is what makes a whole-tree scan cost about one
read of the tree (Coccinelle skips files lacking its semantic patch's tokens the same way).

The search is one pass of GNU grep over the candidate files when it is installed (a single
automaton for all tokens), else Python's substring search; both give the same answer, the
tests hold them to it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from .facts import Facts
from .provider import CALLBACK_SUFFIXES, PROVIDER_HELPER_PREFIX

_REGEX_META = re.compile(r"[\\^$.|?*+()\[\]{}]")


@dataclass(frozen=True)
class FieldAccess:
    """`base->field` or `base.field`, `base` one of `bases` and `field` one of `fields`
    (the first members of the known field chains)."""
    fields: frozenset[str]
    bases: frozenset[str]

    def python(self) -> str:
        return (rf"\b(?:{'|'.join(sorted(self.bases))})\s*(?:->|\.)\s*"
                rf"(?:{'|'.join(sorted(self.fields))})\b")

    def ere(self) -> str:
        return (rf"\b({'|'.join(sorted(self.bases))})[[:space:]]*(->|\.)[[:space:]]*"
                rf"({'|'.join(sorted(self.fields))})\b")


@dataclass(frozen=True)
class Triggers:
    """What a file must contain for a check to report anything in it: any of `literals`
    (identifiers or parts of them), or a match of one of `accesses`. `everything` when a
    check cannot say (a fact without a literal part): then every file is parsed."""
    literals: frozenset[str] = frozenset()
    accesses: tuple[FieldAccess, ...] = ()
    everything: bool = False

    def __or__(self, other: "Triggers") -> "Triggers":
        return Triggers(self.literals | other.literals, self.accesses + other.accesses,
                        self.everything or other.everything)


def literal_prefix(pattern: str) -> str:
    """The literal text a regex fact starts with (`netmem_set_` for `netmem_set_\\w+`)."""
    m = _REGEX_META.search(pattern)
    return pattern if m is None else pattern[:m.start()]


def helper_triggers(facts: Facts, kinds: set[str]) -> Triggers:
    literals = set()
    for helper in facts.helpers:
        if helper.kind not in kinds:
            continue
        name = helper.name if helper.pattern is None else literal_prefix(helper.pattern.pattern)
        if len(name) < 4:
            return Triggers(everything=True)
        literals.add(name)
    return Triggers(frozenset(literals))


def pool_access_triggers(facts: Facts) -> Triggers:
    """A page_pool field is judged when its base is typed struct page_pool: the file names
    the type (a declaration, a cast, a struct member), calls a function the facts say
    returns one, or reaches one through a member the facts type (`page->pp`). A guess from
    names alone is made only in files that name page_pool (model.FileModel._pool_base)."""
    pool = "page_pool"
    returning = {name for name, ctype in facts.returns.items() if ctype.name == pool}
    members = {member for (_, member), ctype in facts.members.items() if ctype.name == pool}
    firsts = {chain.split(".")[0] for chain in facts.fields} | \
        {prefix.split(".")[0] for prefix in facts.field_prefixes}
    return Triggers(frozenset({pool} | returning),
                    (FieldAccess(frozenset(firsts), frozenset(members)),))


def provider_code_triggers(facts: Facts) -> Triggers:
    """What makes a file provider code (provider.ProviderModel.is_provider): an ops table,
    a callback by its usual name, or a call of a net_mp_ helper."""
    return Triggers(frozenset({facts.provider.ops_struct, *CALLBACK_SUFFIXES, PROVIDER_HELPER_PREFIX}))


def ownership_triggers(facts: Facts) -> Triggers:
    """The casts the ownership checks judge (provider.cast_sites)."""
    provider = facts.provider
    return Triggers(frozenset(provider.owner_accessors | provider.to_niov_calls |
                              set(provider.casts)))


def ops_table_triggers(facts: Facts) -> Triggers:
    return Triggers(frozenset({facts.provider.ops_struct}))


def _minimal(literals: frozenset[str]) -> tuple[str, ...]:
    """Drop every literal that contains a shorter one: finding the shorter suffices."""
    kept = []
    for literal in sorted(literals, key=len):
        if not any(k in literal for k in kept):
            kept.append(literal)
    return tuple(sorted(kept))


@dataclass
class Prefilter:
    literals: tuple[str, ...]
    accesses: tuple[FieldAccess, ...]
    everything: bool = False
    _regex: re.Pattern | None = field(default=None, repr=False)

    @classmethod
    def of(cls, triggers: Triggers) -> "Prefilter":
        return cls(_minimal(triggers.literals), tuple(dict.fromkeys(triggers.accesses)),
                   triggers.everything)

    def __post_init__(self):
        self._byte_literals = tuple(lit.encode() for lit in self.literals)
        if self.accesses:
            self._regex = re.compile("|".join(a.python() for a in self.accesses).encode())

    def matches(self, data: bytes) -> bool:
        if self.everything:
            return True
        if any(lit in data for lit in self._byte_literals):
            return True
        return self._regex is not None and self._regex.search(data) is not None

    def ere(self) -> str:
        """The same test as one POSIX extended regex, for grep -z (a whole file per record)."""
        parts = [_REGEX_META.sub(lambda m: "\\" + m.group(), lit) for lit in self.literals]
        return "|".join(parts + [a.ere() for a in self.accesses])

    def select(self, paths: list[str], jobs: int) -> list[bool] | None:
        """Which of `paths` match, by GNU grep; None when grep is not there or failed (the
        caller then reads and tests each file itself)."""
        if self.everything or not paths:
            return [True] * len(paths) if self.everything else []
        grep = gnu_grep()
        if grep is None:
            return None
        command = [grep, "-a", "-z", "-Z", "-l", "-E", "-e", self.ere(), "--"]
        env = {**os.environ, "LC_ALL": "C"}
        hits: set[str] = set()
        running: list[subprocess.Popen] = []

        def finish(proc) -> bool:
            out, _ = proc.communicate()
            hits.update(os.fsdecode(name) for name in out.split(b"\0") if name)
            return proc.returncode in (0, 1)

        ok = True
        try:
            for batch in _batches(paths):
                if len(running) >= max(jobs, 1):
                    ok &= finish(running.pop(0))
                running.append(subprocess.Popen(command + batch, stdout=subprocess.PIPE,
                                                stderr=subprocess.DEVNULL, env=env))
        except OSError:  # the system refused the command line after all: read each file
            ok = False
        for proc in running:
            ok &= finish(proc)
        if not ok:       # an unreadable file: let the reader name it
            return None
        return [p in hits for p in paths]


# A grep command line stays far under the kernel's limit on arguments (ARG_MAX, 2 MB on
# Linux, shared with the environment), however long the paths are.
BATCH_FILES = 2000
BATCH_BYTES = 256 << 10


def _batches(paths: list[str]):
    batch, size = [], 0
    for path in paths:
        length = len(os.fsencode(path)) + 1
        if batch and (len(batch) == BATCH_FILES or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch


@functools.cache
def gnu_grep() -> str | None:
    path = shutil.which("grep")
    if path is None or os.environ.get("ZCRXLINT_NO_GREP"):
        return None
    try:
        version = subprocess.run([path, "--version"], capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return path if version.startswith(b"grep (GNU grep)") else None
