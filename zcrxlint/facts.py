"""The kernel API facts from rules/*.toml, filtered for one target kernel release."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import UsageError

FIELD_ACCESS_CLASSES = frozenset(
    {"private", "alloc-cache", "public-param", "historic-param", "provider-context",
     "readable-flag", "init-only"}
)
HELPER_KINDS = frozenset({"net-core-private", "never-merged", "renamed"})


@functools.total_ordering
@dataclass(frozen=True)
class KernelVersion:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> "KernelVersion":
        m = re.fullmatch(r"v?(\d+)\.(\d+)(?:[.-].*)?", str(text).strip())
        if not m:
            raise ValueError(f"not a kernel release: {text!r} (expected X.Y)")
        return cls(int(m.group(1)), int(m.group(2)))

    def __lt__(self, other: "KernelVersion") -> bool:
        return (self.major, self.minor) < (other.major, other.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True)
class Span:
    """Releases [since, until) in which a fact holds; None means unbounded."""
    since: KernelVersion | None = None
    until: KernelVersion | None = None

    def holds_at(self, kernel: KernelVersion) -> bool:
        if self.since and kernel < self.since:
            return False
        if self.until and not kernel < self.until:
            return False
        return True


@dataclass(frozen=True)
class FieldFact:
    chain: str
    access: str
    why: str
    instead: str
    distinctive: bool
    span: Span


@dataclass(frozen=True)
class HelperFact:
    name: str | None
    pattern: re.Pattern | None
    kind: str
    why: str
    instead: str
    span: Span

    def matches(self, name: str) -> bool:
        return name == self.name if self.pattern is None else bool(self.pattern.fullmatch(name))


@dataclass(frozen=True)
class CType:
    """A C type as far as the checks care: the tag or typedef name and pointer depth."""
    name: str
    pointers: int = 0

    @classmethod
    def parse(cls, text: str) -> "CType":
        pointers = text.count("*")
        words = [w for w in re.findall(r"\w+", text)
                 if w not in ("struct", "union", "enum", "const", "volatile")]
        return cls(words[-1] if words else "", pointers)

    def deref(self) -> "CType":
        return CType(self.name, max(self.pointers - 1, 0))

    def addr(self) -> "CType":
        return CType(self.name, self.pointers + 1)


@dataclass(frozen=True)
class Release:
    version: KernelVersion
    date: _dt.date
    estimated: bool


@dataclass(frozen=True, eq=False)   # hashed by identity: loaded once per run
class MacroFacts:
    attributes: tuple[str, ...]
    attributes_with_args: tuple[str, ...]
    loop_macro_pattern: str
    type_passthrough: dict[str, int]
    type_from_type_argument: dict[str, int]


@dataclass(frozen=True)
class Facts:
    """Everything zcrxlint knows about the kernel, for one target release."""
    kernel: KernelVersion
    releases: tuple[Release, ...]
    fields: dict[str, FieldFact]
    members: dict[tuple[str, str], CType]
    returns: dict[str, CType]
    helpers: tuple[HelperFact, ...]
    owner_files: tuple[str, ...]
    private_helper_paths: tuple[str, ...]
    pool_names: frozenset[str]
    macros: MacroFacts
    field_prefixes: frozenset[str] = field(default=frozenset())

    def field(self, chain: str) -> FieldFact | None:
        return self.fields.get(chain)

    def helper(self, name: str) -> HelperFact | None:
        for fact in self.helpers:
            if fact.matches(name):
                return fact
        return None

    def is_owner_file(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.owner_files)

    def may_call_private_helpers(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.private_helper_paths)


def _rules_dir() -> Path:
    packaged = resources.files("zcrxlint").joinpath("rules")
    if packaged.is_dir():
        return Path(str(packaged))
    # Running from a source checkout that was not installed: rules/ sits beside zcrxlint/.
    return Path(__file__).resolve().parent.parent / "rules"


@functools.cache
def _load_raw() -> dict[str, dict]:
    root = _rules_dir()
    raw = {}
    for name in ("kernels", "page_pool", "kernel_macros"):
        path = root / f"{name}.toml"
        try:
            raw[name] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: cannot load the kernel facts: {exc}") from exc
    return raw


def _span(entry: dict) -> Span:
    since = entry.get("since")
    until = entry.get("until")
    return Span(KernelVersion.parse(since) if since else None,
                KernelVersion.parse(until) if until else None)


def known_releases() -> tuple[Release, ...]:
    return tuple(
        Release(KernelVersion.parse(r["version"]), r["date"], bool(r.get("estimated")))
        for r in _load_raw()["kernels"]["release"]
    )


def newest_kernel() -> KernelVersion:
    return known_releases()[-1].version


def kernel_for_date(day: _dt.date) -> KernelVersion:
    """The release net-next was building on `day`: the one after the next release made."""
    releases = known_releases()
    for i, rel in enumerate(releases):
        if rel.date > day:
            return releases[min(i + 1, len(releases) - 1)].version
    return releases[-1].version


def check_kernel_known(kernel: KernelVersion) -> None:
    versions = [r.version for r in known_releases()]
    if kernel < versions[0] or versions[-1] < kernel:
        raise UsageError(
            f"--kernel {kernel}: no facts for that release (known: {versions[0]} to {versions[-1]})")


@functools.cache
def load(kernel: KernelVersion) -> Facts:
    raw = _load_raw()
    pp = raw["page_pool"]
    fields: dict[str, FieldFact] = {}
    for entry in pp["field"]:
        if entry["access"] not in FIELD_ACCESS_CLASSES:
            raise UsageError(f"rules/page_pool.toml: field {entry['chain']}: unknown access {entry['access']!r}")
        fact = FieldFact(entry["chain"], entry["access"], entry.get("why", ""),
                         entry.get("instead", ""), bool(entry.get("distinctive")), _span(entry))
        if fact.span.holds_at(kernel):
            fields[fact.chain] = fact
    prefixes = {c.rsplit(".", 1)[0] for c in fields if "." in c}
    members = {(m["struct"], m["field"]): CType.parse(m["type"])
               for m in pp["member"] if _span(m).holds_at(kernel)}
    returns = {name: CType.parse(t) for name, t in pp["returns"].items()}
    helpers = []
    for entry in pp["helper"]:
        if entry["kind"] not in HELPER_KINDS:
            raise UsageError(f"rules/page_pool.toml: helper {entry}: unknown kind {entry['kind']!r}")
        helpers.append(HelperFact(
            entry.get("name"), re.compile(entry["match"]) if "match" in entry else None,
            entry["kind"], entry.get("why", ""), entry["instead"], _span(entry)))
    macros = raw["kernel_macros"]
    return Facts(
        kernel=kernel,
        releases=known_releases(),
        fields=fields,
        members=members,
        returns=returns,
        helpers=tuple(helpers),
        owner_files=tuple(pp["scope"]["owner_files"]),
        private_helper_paths=tuple(pp["scope"]["private_helper_paths"]),
        pool_names=frozenset(pp["inference"]["pool_names"]),
        macros=MacroFacts(
            tuple(macros["attributes"]), tuple(macros["attributes_with_args"]),
            macros["loop_macro_pattern"], dict(macros["type_passthrough"]),
            dict(macros["type_from_type_argument"])),
        field_prefixes=frozenset(prefixes),
    )
