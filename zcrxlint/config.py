"""Configuration: `.zcrxlint.toml` (top-level keys) or `[tool.zcrxlint]` in `pyproject.toml`,
at the root of the tree being linted. Every key, code and value is checked: a mistake is an
error that names the key, never a setting silently dropped.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError, load_user_toml
from .finding import Finding, Severity

CONFIG_FILES = (".zcrxlint.toml", "pyproject.toml")
FAIL_ON_CHOICES = ("error", "warning", "info", "never")
_FAMILY = re.compile(r"ZCX\d{1,2}(?:X{1,2})?", re.I)


@dataclass(frozen=True)
class Config:
    source: str | None = None                       # the file, as named in messages
    select: frozenset[str] | None = None            # codes to run; None: all
    ignore: frozenset[str] = frozenset()
    per_path_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    extra_facts: tuple[Path, ...] = ()
    kernel: str | None = None
    exempt_paths: tuple[str, ...] = ()              # added to page_pool's own files (ZCX1xx)
    fail_on: str | None = None
    docs_url: str | None = None                     # a published docs/rules.md: rule links point there

    def enabled(self, code: str) -> bool:
        return (self.select is None or code in self.select) and code not in self.ignore

    def with_cli(self, select: frozenset[str] | None, ignore: frozenset[str]) -> "Config":
        return dataclasses.replace(self, select=self.select if select is None else select,
                                   ignore=self.ignore | ignore)

    def require_a_check(self, where: str) -> "Config":
        """This configuration, or an error naming `where` when it runs no check at all
        (`--select ''`, `select = []`, or an ignore that covers the selection): a run
        that reads nothing for findings must not report the input clean."""
        from .checks import RULES
        if not any(self.enabled(rule.code) for rule in RULES):
            raise InputError(where, "selects no check, so nothing would be looked for "
                                    "(name codes, names or families, e.g. ZCX1,ZCX203)")
        return self

    def adjust(self, finding: Finding, default: Severity) -> Finding | None:
        """The finding as this configuration reports it, or None when a path ignores it."""
        for pattern, codes in self.per_path_ignores:
            if finding.code in codes and fnmatch.fnmatchcase(finding.path, pattern):
                return None
        level = self.severity.get(finding.code)
        if level is None:
            return finding
        # A check lowers its rule's severity when it had to infer a type; the override
        # moves the rule's level and keeps such a finding no higher than it was.
        if finding.severity < default:
            level = min(level, finding.severity)
        return dataclasses.replace(finding, severity=level)


def codes_for(written: str, key: str) -> frozenset[str]:
    """The codes a written code, name or family prefix (ZCX1, ZCX10, ZCX1xx) stands for."""
    from .checks import RULES, find_rule
    text = str(written).strip()
    rule = find_rule(text)
    if rule is not None:
        return frozenset({rule.code})
    if _FAMILY.fullmatch(text):
        prefix = text.upper().rstrip("X")
        codes = frozenset(r.code for r in RULES if r.code.startswith(prefix))
        if codes:
            return codes
    raise InputError(key, f"{text!r} is no zcrxlint code, name or family (see 'zcrxlint rules')")


def parse_code_list(text: str, key: str) -> frozenset[str]:
    """A comma-separated command-line list of codes, names or families."""
    return frozenset().union(*(codes_for(item, key) for item in text.split(",") if item.strip()))


class _Reader:
    """Takes the keys of one table, checking types, and names the key in every error."""

    def __init__(self, table: dict, prefix: str, source: str):
        self.table = dict(table)
        self.prefix = prefix
        self.source = source

    def key(self, name: str) -> str:
        return f"{self.source}: {self.prefix}{name}"

    def take(self, name: str, kind: type, what: str):
        if name not in self.table:
            return None
        value = self.table.pop(name)
        if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)):
            raise InputError(self.key(name), f"must be {what}")
        return value

    def codes(self, name: str) -> frozenset[str] | None:
        values = self.take(name, list, "a list of codes or names")
        if values is None:
            return None
        return frozenset().union(*(codes_for(v, self.key(name)) for v in values))

    def done(self) -> None:
        if self.table:
            name = sorted(self.table)[0]
            raise InputError(self.key(name), "unknown key (known: " + ", ".join(KNOWN_KEYS) + ")")


KNOWN_KEYS = ("select", "ignore", "per-path-ignores", "severity", "extra-facts", "kernel",
              "exempt-paths", "fail-on", "docs-url")


def parse_config(table: dict, source: str, prefix: str, base_dir: Path) -> Config:
    from .facts import KernelVersion, check_kernel_known
    read = _Reader(table, prefix, source)
    select = read.codes("select")
    ignore = read.codes("ignore") or frozenset()
    per_path = []
    for pattern, codes in (read.take("per-path-ignores", dict, "a table of path globs to code lists")
                           or {}).items():
        key = read.key(f'per-path-ignores."{pattern}"')
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise InputError(key, "must be a list of codes or names")
        per_path.append((pattern, frozenset().union(*(codes_for(c, key) for c in codes))))
    severity = {}
    for written, level in (read.take("severity", dict, "a table of codes to levels") or {}).items():
        key = read.key(f"severity.{written}")
        if level not in ("error", "warning", "info"):
            raise InputError(key, f"{level!r} is not a severity (error, warning or info)")
        for code in codes_for(written, key):
            severity[code] = Severity.parse(level)
    extra = []
    for name in read.take("extra-facts", list, "a list of fact file paths") or []:
        path = (base_dir / name)
        if not path.is_file():
            raise InputError(read.key("extra-facts"), f"{name}: no such file")
        extra.append(path)
    kernel = read.take("kernel", str, 'a release such as "6.15"')
    if kernel is not None:
        try:
            check_kernel_known(KernelVersion.parse(kernel))
        except (ValueError, UsageError) as exc:   # the message names --kernel; name the key
            raise InputError(read.key("kernel"), str(exc).replace("--kernel ", "")) from None
    exempt = read.take("exempt-paths", list, "a list of path globs") or []
    fail_on = read.take("fail-on", str, "one of " + ", ".join(FAIL_ON_CHOICES))
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        raise InputError(read.key("fail-on"), f"{fail_on!r} is not one of " + ", ".join(FAIL_ON_CHOICES))
    docs_url = read.take("docs-url", str, "an absolute http(s) URL")
    if docs_url is not None and not _is_page_url(docs_url):
        raise InputError(read.key("docs-url"), f"{docs_url!r} is not an absolute http(s) URL "
                                               "without a #fragment (the rule's anchor is added)")
    read.done()
    return Config(source=source, select=select, ignore=ignore, per_path_ignores=tuple(per_path),
                  severity=severity, extra_facts=tuple(extra), kernel=kernel,
                  exempt_paths=tuple(exempt), fail_on=fail_on, docs_url=docs_url)


def _is_page_url(text: str) -> bool:
    parts = urllib.parse.urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and "#" not in text \
        and not any(c.isspace() for c in text)


def load_config(path: Path) -> Config:
    """One configuration file; pyproject.toml without a [tool.zcrxlint] table is no config."""
    data = load_user_toml(path, "configuration")
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if "zcrxlint" not in tool:
            return Config()
        if not isinstance(tool["zcrxlint"], dict):
            raise InputError(f"{path}: tool.zcrxlint", "must be a table")
        return parse_config(tool["zcrxlint"], str(path), "tool.zcrxlint.", path.parent)
    return parse_config(data, str(path), "", path.parent)


def find_config(root: Path | None) -> Config:
    """The configuration at the root of the tree: .zcrxlint.toml, else pyproject.toml."""
    if root is None:
        return Config()
    for name in CONFIG_FILES:
        candidate = root / name
        if candidate.is_file():
            config = load_config(candidate)
            if config.source is not None:
                return config
    return Config()
