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

from .errors import InputError, UsageError, load_user_toml

FIELD_ACCESS_CLASSES = frozenset(
    {"private", "alloc-cache", "public-param", "historic-param", "provider-context",
     "readable-flag", "registration", "init-only"}
)
HELPER_KINDS = frozenset({"net-core-private", "never-merged", "renamed"})
NETMEM_STATE_ACCESS = frozenset({"private", "owner-link"})


@dataclass(frozen=True)
class SanctionedFact:
    """A helper page_pool offers providers, what it does, and from which release."""
    name: str
    does: frozenset[str]
    span: "Span"


@dataclass(frozen=True)
class FixHelperFact:
    """A helper `--fix` writes in: the header a file must include for it, and its releases."""
    name: str
    header: str
    span: "Span"


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
    span: Span
    driver_instead: str = ""     # the advice for a driver (not a provider) that reads it
    read_why: str = ""           # a provider's read, when it is wrong for another reason than a write
    read_instead: str = ""       # ... and the clause that advises it (not "use X")


@dataclass(frozen=True)
class NetmemStateFact:
    """A field of the page_pool state a netmem carries (struct net_iov, struct netmem_desc)."""
    name: str
    access: str                # private | owner-link
    why: str
    instead: str               # the advice for a write (and for a read, unless read_instead)
    read_instead: str = ""


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
    iterator_naming: str           # a regex: the names the kernel gives its iterator macros
    loop_macros: tuple[str, ...]   # macros that open a loop-like block under other names
    type_passthrough: dict[str, int]
    type_from_type_argument: dict[str, int]
    condition_passthrough: dict[str, int]


@dataclass(frozen=True)
class OpsCallbackFact:
    name: str
    mandatory: bool
    why: str
    span: Span
    returns: str = ""
    params: str = ""

    def stub(self, function: str) -> str:
        return f"static {self.returns} {function}({self.params})"


@dataclass(frozen=True)
class CastFact:
    """A helper that casts a net_iov to one provider's type without checking."""
    name: str
    provider: str


@dataclass(frozen=True)
class KindFact:
    """What proves a net_iov belongs to one kind of provider."""
    provider: str
    calls: frozenset[str]
    type_values: frozenset[str]
    area_structs: frozenset[str]
    ops: str = ""                      # its memory_provider_ops table
    calls_span: Span = Span()          # releases in which the calls exist (for suggestions)
    type_values_span: Span = Span()
    exists: Span = Span()              # releases in which mainline has this provider


@dataclass(frozen=True, eq=False)
class ProviderFacts:
    """rules/provider.toml for one release: ops tables, DMA-sync duties, ownership proofs."""
    core_files: tuple[str, ...]
    ops_struct: str
    why_static_const: str
    callbacks: tuple[OpsCallbackFact, ...]     # those that exist in the target release
    sync_for_device: frozenset[str]
    pool_sync_for_device: frozenset[str]
    sync_needs_guard: frozenset[str]
    config_guard: tuple[str, ...]
    runtime_guard: str
    state_fields: frozenset[str]
    map_flag: str
    map_param_flag: str
    sync_flag: str
    sync_param_flag: str
    placement_calls: dict[str, int]
    dmabuf_pattern: re.Pattern
    owner_accessors: frozenset[str]
    area_struct: str
    netmem_kind_guards: frozenset[str]
    readable_guards: frozenset[str]            # false: every frag of the skb is a net_iov
    to_niov_calls: frozenset[str]
    instance_fields: frozenset[str]
    type_field: str
    casts: dict[str, CastFact]
    kinds: tuple[KindFact, ...]
    frag_types: frozenset[str]
    frag_calls: frozenset[str]
    frag_fields: frozenset[str]
    socket_queue_calls: frozenset[str]
    socket_queue_fields: frozenset[str]
    socket_actor_callers: frozenset[str]

    def is_core_file(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.core_files)

    def kind_of_area(self, struct: str) -> str | None:
        return next((k.provider for k in self.kinds if struct in k.area_structs), None)


def _provider_facts(raw: dict, kernel: KernelVersion) -> ProviderFacts:
    dma, own, ops = raw["dma"], raw["ownership"], raw["ops"]
    untrusted = own["untrusted"]
    return ProviderFacts(
        core_files=tuple(raw["scope"]["core_files"]),
        ops_struct=ops["struct"],
        why_static_const=ops["why_static_const"],
        callbacks=tuple(OpsCallbackFact(c["name"], bool(c["mandatory"]), c["why"], _span(c),
                                        c.get("returns", ""), c.get("params", ""))
                        for c in ops["callback"] if _span(c).holds_at(kernel)),
        sync_for_device=frozenset(dma["sync_for_device"]),
        pool_sync_for_device=frozenset(dma["pool_sync_for_device"]),
        sync_needs_guard=frozenset(dma["needs_guard"]),
        config_guard=tuple(dma["config_guard"]),
        runtime_guard=dma["runtime_guard"],
        state_fields=frozenset(dma["state_fields"]),
        map_flag=dma["map_flag"],
        map_param_flag=dma["map_param_flag"],
        sync_flag=dma["sync_flag"],
        sync_param_flag=dma["sync_param_flag"],
        placement_calls=dict(dma["placement_calls"]),
        dmabuf_pattern=re.compile(dma["dmabuf_pattern"]),
        owner_accessors=frozenset(own["owner_accessors"]),
        area_struct=own["area_struct"],
        netmem_kind_guards=frozenset(own["netmem_kind_guards"]),
        readable_guards=frozenset(g["name"] for g in own["readable_guard"] if _span(g).holds_at(kernel)),
        to_niov_calls=frozenset(own["to_niov_calls"]),
        instance_fields=frozenset(own["instance_fields"]),
        type_field=own["type_field"],
        # A cast helper's name means the same in any release: a series may add or rename
        # to it before the release that merged it.
        casts={c["name"]: CastFact(c["name"], c["provider"]) for c in own["cast"]},
        kinds=tuple(KindFact(k["provider"], frozenset(k["calls"]), frozenset(k["type_values"]),
                             frozenset(k["area_structs"]), k["ops"], _span({"since": k.get("calls_since")}),
                             _span({"since": k.get("type_values_since")}), _span(k))
                    for k in own["kind"]),
        frag_types=frozenset(untrusted["frag_types"]),
        frag_calls=frozenset(untrusted["frag_calls"]),
        frag_fields=frozenset(untrusted["frag_fields"]),
        socket_queue_calls=frozenset(untrusted["socket_queue_calls"]),
        socket_queue_fields=frozenset(untrusted["socket_queue_fields"]),
        socket_actor_callers=frozenset(untrusted["socket_actor_callers"]),
    )


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
    provider: ProviderFacts
    field_prefixes: frozenset[str] = field(default=frozenset())
    sanctioned: dict[str, SanctionedFact] = field(default_factory=dict)   # every release
    api_files: tuple[str, ...] = ()
    read_accessors: frozenset[str] = frozenset()
    # The page_pool state of a netmem: its fields, the structs holding them in this release,
    # and the files (the networking stack) that may touch it.
    netmem_state: dict[str, NetmemStateFact] = field(default_factory=dict)
    netmem_state_structs: frozenset[str] = frozenset()
    netmem_state_owner_files: tuple[str, ...] = ()
    public_headers: tuple[str, ...] = ()
    export_macros: re.Pattern | None = None
    # The target is older than `kernel`, the oldest release known: the rules whose
    # judgement depends on the release do not run.
    predates: bool = False
    write_accessors: re.Pattern = re.compile("(?!)")
    pool_embedded: dict[str, frozenset[str]] = field(default_factory=dict)
    fix_helpers: dict[str, FixHelperFact] = field(default_factory=dict)   # every release

    def field(self, chain: str) -> FieldFact | None:
        return self.fields.get(chain)

    def in_pool_layout(self, members: list[str]) -> bool:
        """Whether `pool->a.b.c` (members a, b, c) can be a chain of struct page_pool."""
        if not members or (self.field(members[0]) is None and members[0] not in self.field_prefixes):
            return False
        for depth in range(1, len(members)):
            known = self.pool_embedded.get(".".join(members[:depth]))
            if known is None:
                # A scalar or pointer member of page_pool itself has nothing after a '.';
                # deeper, the embedded struct's own layout is not described.
                return depth > 1
            if members[depth] not in known:
                return False
        return True

    def helper(self, name: str) -> HelperFact | None:
        for fact in self.helpers:
            if fact.matches(name):
                return fact
        return None

    def is_api_file(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.api_files)

    def is_owner_file(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.owner_files)

    def may_call_private_helpers(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.private_helper_paths)

    def owns_netmem_state(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.netmem_state_owner_files)

    def is_public_header(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pat) for pat in self.public_headers)


def _rules_dir() -> Path:
    packaged = resources.files("zcrxlint").joinpath("rules")
    if packaged.is_dir():
        return Path(str(packaged))
    # Running from a source checkout that was not installed: rules/ sits beside zcrxlint/.
    return Path(__file__).resolve().parent.parent / "rules"


FACT_FILES = ("kernels", "page_pool", "provider", "kernel_macros")


def _merge(into: dict, extra: dict, where: str) -> None:
    """Extra facts on top of the shipped ones: tables merge, lists (and arrays of tables)
    extend, other values replace."""
    for key, value in extra.items():
        here = into.get(key)
        if isinstance(here, dict) and isinstance(value, dict):
            _merge(here, value, f"{where}.{key}")
        elif isinstance(here, list) and isinstance(value, list):
            here.extend(value)
        elif here is not None and type(here) is not type(value):
            raise InputError(f"{where}.{key}", f"must be a {type(here).__name__}, like the shipped facts")
        else:
            into[key] = value


@functools.cache
def _load_raw(extra: tuple[Path, ...] = ()) -> dict[str, dict]:
    root = _rules_dir()
    raw = {}
    for name in FACT_FILES:
        path = root / f"{name}.toml"
        try:
            raw[name] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{path}: cannot load the kernel facts: {exc}") from exc
    for path in extra:
        added = load_user_toml(path, "extra facts")
        for name, table in added.items():
            if name not in FACT_FILES or not isinstance(table, dict):
                raise InputError(f"{path}: {name}",
                                 "unknown fact table (known: " + ", ".join(FACT_FILES) + ")")
            _merge(raw[name], table, f"{path}: {name}")
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


def kernel_for_date(day: _dt.date) -> KernelVersion | None:
    """The release net-next was building on `day`: the one after the next release made;
    None when that release is older than the oldest the facts know."""
    known = known_releases()
    earlier = tuple(Release(KernelVersion.parse(r["version"]), r["date"], False)
                    for r in _load_raw()["kernels"].get("earlier", ()))
    dated = (*earlier, *known)
    for i, rel in enumerate(dated):
        if rel.date > day:
            target = dated[min(i + 1, len(dated) - 1)]
            return target.version if target in known else None
    return known[-1].version


def check_kernel_known(kernel: KernelVersion) -> None:
    versions = [r.version for r in known_releases()]
    if kernel < versions[0] or versions[-1] < kernel:
        raise UsageError(
            f"--kernel {kernel}: no facts for that release (known: {versions[0]} to {versions[-1]})")


@functools.cache
def load(kernel: KernelVersion, extra: tuple[Path, ...] = ()) -> Facts:
    """The facts for one release; `extra` fact files (configuration) add to the shipped ones."""
    if not extra:
        return _build(kernel, _load_raw())
    try:
        return _build(kernel, _load_raw(extra))
    except (KeyError, TypeError, ValueError, re.error) as exc:
        names = ", ".join(map(str, extra))
        raise InputError(names, f"extra facts do not fit the shipped ones: {type(exc).__name__}: {exc}") from None


def _build(kernel: KernelVersion, raw: dict) -> Facts:
    pp = raw["page_pool"]
    fields: dict[str, FieldFact] = {}
    for entry in pp["field"]:
        if entry["access"] not in FIELD_ACCESS_CLASSES:
            raise UsageError(f"rules/page_pool.toml: field {entry['chain']}: unknown access {entry['access']!r}")
        fact = FieldFact(entry["chain"], entry["access"], entry.get("why", ""),
                         entry.get("instead", ""), _span(entry),
                         entry.get("driver_instead", ""), entry.get("read_why", ""),
                         entry.get("read_instead", ""))
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
    netmem = pp["netmem_state"]
    for entry in netmem["field"]:
        if entry["access"] not in NETMEM_STATE_ACCESS:
            raise UsageError(f"rules/page_pool.toml: netmem_state field {entry['name']}: "
                             f"unknown access {entry['access']!r}")
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
            macros["iterator_naming"], tuple(macros["loop_macros"]), dict(macros["type_passthrough"]),
            dict(macros["type_from_type_argument"]), dict(macros["condition_passthrough"])),
        provider=_provider_facts(raw["provider"], kernel),
        field_prefixes=frozenset(prefixes),
        sanctioned={e["name"]: SanctionedFact(e["name"], frozenset(e["does"]), _span(e))
                    for e in pp["sanctioned"]},
        api_files=tuple(pp["scope"]["api_files"]),
        read_accessors=frozenset(pp["inference"]["read_accessors"]),
        netmem_state={e["name"]: NetmemStateFact(e["name"], e["access"], e["why"], e["instead"],
                                                 e.get("read_instead", ""))
                      for e in netmem["field"]},
        netmem_state_structs=frozenset(s["name"] for s in netmem["struct"] if _span(s).holds_at(kernel)),
        netmem_state_owner_files=tuple(netmem["owner_files"]),
        public_headers=tuple(pp["scope"]["public_headers"]),
        export_macros=re.compile(pp["scope"]["export_macros"]),
        write_accessors=re.compile(pp["inference"]["write_accessors"]),
        pool_embedded={chain: frozenset(members)
                       for chain, members in pp["inference"]["embedded"].items()},
        fix_helpers={e["name"]: FixHelperFact(e["name"], e["header"], _span(e))
                     for e in pp.get("fix_helper", ())},
    )
