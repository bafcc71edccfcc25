"""Run the checks over a series (or plain files) and decide which patch each finding is new in.

A finding belongs to a patch when it sits in the post-image of a function the patch touches
(adds or removes lines in) and the same finding (code, function, anchor line text) is not in
that function's pre-image. `scope="all"` keeps every finding of every touched function.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from . import cparse, limits, suppress
from .budget import OverBudget, over_budget_reason, time_budget
from .basetree import BaseTree, GitRepo
from .checks import CHECKS, find_rule
from .config import Config
from .context import CheckContext
from .facts import Facts
from .finding import Finding, Severity
from .headers import LocalHeaders
from .images import FileImages, Image, ImageSource
from .learned import LearnedHelper, learn
from .limits import mib
from .model import FileModel
from .patch import C_SUFFIXES, Patch
from .prefilter import Prefilter, Triggers
from .provider import Predicate, returned_expression
from .registry import Check

# A partial note's kind says what was missing, for --strict-parse and for tools reading
# JSON: the file's text around the hunks (context), a tree for some of its lines (parse),
# the change itself (unread), or the time to finish (budget). All but context are
# incomplete: text that was shown but not parsed, read or finished. A run whose target
# predates the facts carries one more (kernel): rules were left out, no text.
INCOMPLETE_KINDS = frozenset(("parse", "unread", "budget"))


# Why a file is not analysed when its nesting is deeper than Python's stack holds.
TOO_DEEP = "nested deeper than the analysis can follow (Python's recursion limit)"


@dataclass
class PartialNote:
    path: str
    reason: str
    patch: int | None = None
    kind: str = "context"

    @property
    def headline(self) -> str:
        if self.kind == "kernel":
            return "judged in part"
        return "not analysed" if self.kind == "unread" else "analysed in part"

    def as_dict(self) -> dict:
        return {"path": self.path, "patch": self.patch, "kind": self.kind, "reason": self.reason}


@dataclass
class Coverage:
    """How much of one analysed file tree-sitter parsed."""
    path: str
    patch: int | None
    lines: int          # lines of the file the analysis saw (all of them, or the hunks)
    parsed: int         # of those, lines no ERROR or MISSING node covers
    functions: int = 0            # functions the analysis saw
    partial_functions: int = 0    # of those, functions tree-sitter parsed only in part (ZCX901)

    @property
    def percent(self) -> float:
        return 100.0 if not self.lines else round(100.0 * self.parsed / self.lines, 1)

    def as_dict(self) -> dict:
        return {"path": self.path, "patch": self.patch, "lines": self.lines,
                "parsed_lines": self.parsed, "percent": self.percent,
                "functions": self.functions, "partial_functions": self.partial_functions}

    @classmethod
    def of(cls, model: FileModel, patch: int | None) -> "Coverage":
        image, bad_rows = model.image, model.parsed.unparsed_rows
        functions = (len(model.functions), len(model.partly_parsed))
        if image.rows is None:
            lines = image.text.count("\n") + (not image.text.endswith("\n"))
            return cls(image.path, patch, lines, lines - len({r for r in bad_rows if r < lines}), *functions)
        shown = {line: row for row, line in enumerate(image.rows) if line is not None}
        bad = {line for line, row in shown.items() if row in bad_rows}
        return cls(image.path, patch, len(shown), len(shown) - len(bad), *functions)


@dataclass
class PatchResult:
    patch: Patch | None                # None in files mode
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    partial: list[PartialNote] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    files_lines: int = 0               # lines parsed in files mode
    unparsed: int = 0                  # files mode: files holding no token any check needs

    @property
    def lines_checked(self) -> int:
        return self.patch.line_count if self.patch is not None else self.files_lines

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def verdict(self) -> str:
        """One word per patch for CI: fail (errors), warn (warnings), pass."""
        if self.count(Severity.ERROR):
            return "fail"
        return "warn" if self.count(Severity.WARNING) else "pass"


@dataclass
class RunResult:
    kernel: str
    results: list[PatchResult]
    baselined: int = 0                 # findings a --baseline file knew, left out

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def partial(self) -> list[PartialNote]:
        return [p for r in self.results for p in r.partial]

    @property
    def incomplete(self) -> list[PartialNote]:
        """What --strict-parse fails on: text that was shown but not parsed, read or
        finished; a hunk without its file around it is not incomplete, only narrow."""
        return [p for p in self.partial if p.kind in INCOMPLETE_KINDS]

    @property
    def coverage(self) -> list[Coverage]:
        return [c for r in self.results for c in r.coverage]


def _code_of(written: str) -> str | None:
    rule = find_rule(written)
    return rule.code if rule is not None else None


class TreeIndex:
    """Answers 'does the base tree define this function or macro?', once per name."""

    SEARCH_DIRS = ("include/net", "include/linux", "net/core", "io_uring")

    def __init__(self, tree: BaseTree | None):
        self.tree = tree
        self._answers: dict[str, bool] = {}

    def defines(self, name: str) -> bool:
        if self.tree is None:
            return False
        if name not in self._answers:
            pattern = re.compile(
                rb"(?m)^(?:#\s*define\s+" + re.escape(name.encode()) + rb"\b|[A-Za-z_][^;{}\n]*\b"
                + re.escape(name.encode()) + rb"\s*\()")
            self._answers[name] = any(pattern.search(t)
                                      for t in self.tree.texts_mentioning(name, self.SEARCH_DIRS))
        return self._answers[name]


class SeriesDeclarations:
    """Name -> the types the run's files declare it with, for a name a hunk uses without
    showing its declaration. Live models are asked only when a lookup needs them (most
    runs never do); a model dropped to bound memory leaves its declarations here."""

    def __init__(self, live: dict):
        self.live = live
        self.dropped: dict[str, set] = {}
        self._answers: dict[str, set | None] = {}

    def keep(self, model: FileModel) -> None:
        for name, types in model.file_declarations.items():
            self.dropped.setdefault(name, set()).update(types)

    def changed(self) -> None:
        self._answers.clear()

    def get(self, name: str) -> set | None:
        if name not in self._answers:
            types = set(self.dropped.get(name, ()))
            for model in self.live.values():
                types |= model.file_declarations.get(name, set())
            self._answers[name] = types or None
        return self._answers[name]


class Analyzer:
    def __init__(self, facts: Facts, tree: BaseTree | None = None,
                 checks: tuple[Check, ...] = CHECKS, scope: str = "new",
                 objects: GitRepo | None = None, config: Config = Config(),
                 budget: float | None = None, headers: LocalHeaders | None = None):
        self.facts = facts
        self.headers = headers or LocalHeaders(facts)
        self.budget = budget        # seconds per file, None: no limit
        self.tree = tree
        self.objects = objects      # a repository to read pre-images from by object id
        self.config = config
        self.checks = tuple(c for c in checks
                            if c.rule.applies_to(facts.kernel) and config.enabled(c.rule.code)
                            and not (facts.predates and c.rule.by_release))
        self.left_out = tuple(c.rule.code for c in checks
                              if facts.predates and c.rule.by_release and config.enabled(c.rule.code))
        self.ran_codes = frozenset(c.rule.code for c in self.checks)
        self.default_severity = {c.rule.code: c.rule.severity for c in self.checks}
        self.scope = scope
        self.tree_index = TreeIndex(tree)
        # Models by (path, text), least recently used first; past LIVE_MODEL_BYTES of text
        # the oldest are dropped, and built again if asked for (limits.py).
        self._models: OrderedDict[tuple[str, str], FileModel] = OrderedDict()
        self._live_bytes = 0
        self._positions: dict[tuple[str, str], int] = {}
        # Images holding a function that could be an owner-test predicate (a lone return):
        # the only ones besides page_pool's API files that learning builds again if dropped.
        self._may_define_predicates: set[tuple[str, str]] = set()
        self.analysed_bytes = 0         # image text built into a model, the run's total
        self.series_structs: dict[str, dict] = {}
        self.series_defines: set[str] = set()
        self.series_calls: dict[str, set[str]] = {}
        self.series_learned: dict[str, LearnedHelper] = {}
        self.series_ops_structs: set[str] = set()
        self.series_predicates: dict[str, Predicate] = {}
        self.series_declarations = SeriesDeclarations(self._models)
        self._ops_structs_final = False   # every image is in: a model built now adopts them
        # Each C file the series changes, as its last patch leaves it (None: deleted, or
        # not known whole): what --fix rewrites.
        self.final_images: dict[str, Image | None] = {}

    @functools.cached_property
    def prefilter(self) -> Prefilter:
        """The tokens a file must hold for any of the checks that run to report in it."""
        triggers = Triggers()
        for check in self.checks:
            triggers |= check.triggers(self.facts)
        return Prefilter.of(triggers)

    def fresh(self) -> "Analyzer":
        """An analyzer with the same facts, checks and base tree and nothing any file added."""
        return Analyzer(self.facts, self.tree, self.checks, self.scope, self.objects, self.config,
                        self.budget, self.headers)

    # ---- one parse per distinct image -----------------------------------------------------

    def model(self, image: Image, position: int = 0, tree: BaseTree | None = None) -> FileModel:
        """`tree`: where the file's local headers are, when not the run's base tree."""
        key = (image.path, image.text)
        first_build = key not in self._positions      # positions are kept for every text built
        self._positions[key] = min(self._positions.get(key, position), position)
        model = self._models.get(key)
        if model is not None:
            self._models.move_to_end(key)
            model.position = self._positions[key]
            return model
        parsed = cparse.parse(image.text, self.facts.macros)
        tree = tree or self.tree
        # A file seen only in hunks shows too few of its #include lines to go by.
        headers = self.headers.types_for(tree, image.path, image.text) \
            if tree is not None and image.rows is None else None
        model = FileModel.build(image, parsed, self.facts, headers)
        model.series_structs = self.series_structs
        model.series_calls = self.series_calls
        model.series_learned = self.series_learned
        model.series_predicates = self.series_predicates
        model.series_declarations = self.series_declarations
        model.position = self._positions[key]
        if first_build:
            # What this text adds to the series (built again, it adds nothing).
            if any(returned_expression(f) is not None for f in model.functions):
                self._may_define_predicates.add(key)
            self.analysed_bytes += len(image.text)
            for name, members in model.structs.items():
                self.series_structs.setdefault(name, {}).update(members)
            self.series_defines |= model.defines
            self.series_ops_structs |= model.pool_callback_structs
            for call in model.calls:
                self.series_calls.setdefault(call.function.name, set()).add(call.name)
        if self._ops_structs_final and self.series_ops_structs:
            model.adopt_ops_structs(self.series_ops_structs)
        self._models[key] = model
        self._live_bytes += len(image.text)
        while self._live_bytes > limits.LIVE_MODEL_BYTES and len(self._models) > 2:
            (_, text), dropped = self._models.popitem(last=False)
            self._live_bytes -= len(text)
            self.series_declarations.keep(dropped)
        self.series_declarations.changed()
        return model

    def release_note(self, patch: int | None) -> PartialNote | None:
        """Said once when the target is older than any release the facts know."""
        if not self.facts.predates:
            return None
        left_out = f": {', '.join(self.left_out)} not run" if self.left_out else ""
        return PartialNote(
            "(all files)", f"the target kernel is older than {self.facts.kernel}, the oldest "
            f"zcrxlint has facts for; the rules that depend on the release were left out"
            f"{left_out}", patch, "kernel")

    def is_defined(self, name: str) -> bool:
        return name in self.series_defines or self.tree_index.defines(name)

    def findings(self, model: FileModel) -> list[Finding]:
        """Every finding in one image, after its inline suppressions and the configuration."""
        # Kept on the model, so that they are dropped with it (and found again if rebuilt).
        cached = model.findings
        if cached is None:
            ctx = CheckContext(model, self.is_defined, self.ran_codes)
            found = [f for check in self.checks if not check.after_suppressions for f in check.run(ctx)]
            found = suppress.apply(found, model.suppressions, _code_of, model.image.line_of)
            found += [f for check in self.checks if check.after_suppressions for f in check.run(ctx)]
            cached = [adjusted for f in found
                      if (adjusted := self.config.adjust(f, self.default_severity[f.code])) is not None]
            cached.sort(key=lambda f: (f.line, f.column, f.code))
            model.findings = cached
        return cached

    def partial_notes(self, model: FileModel, coverage: Coverage, patch: int | None) -> list[PartialNote]:
        notes = []
        if model.image.partial:
            notes.append(PartialNote(model.path, model.image.partial, patch, "context"))
        bad = sorted({ln for ln in (model.image.line_of(r) for r in model.parsed.error_rows) if ln})
        # A parse error only matters where some check could have fired: in a file holding a
        # token one of them needs (a uapi header's unparsed macro hides no finding).
        if bad and self.prefilter.matches(model.image.text.encode("utf-8", "replace")):
            shown = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            notes.append(PartialNote(
                model.path, f"parse errors at line{'s' if len(bad) > 1 else ''} {shown}: "
                            f"{coverage.parsed} of {coverage.lines} lines parsed ({coverage.percent:g}%)",
                patch, "parse"))
        return notes

    # ---- series ---------------------------------------------------------------------------

    def too_large(self, imgs: FileImages) -> str | None:
        """Why a file's images are not analysed, when they are past a size limit."""
        images = [image for image in (imgs.pre, imgs.post) if image is not None]
        size = max((len(image.text) for image in images), default=0)
        too_large = limits.file_too_large(size)
        if too_large:
            return too_large
        new = sum(len(image.text) for image in images if (image.path, image.text) not in self._positions)
        if self.analysed_bytes + new > limits.MAX_RUN_BYTES:
            return (f"the run has analysed {mib(self.analysed_bytes)} of C, its limit is "
                    f"{mib(limits.MAX_RUN_BYTES)}: lint the rest of the series on its own")
        return None

    def _models_of(self, imgs: FileImages, patch: Patch) -> tuple[FileModel | None, FileModel | None]:
        """The pre- and post-image models of one file change (built again if dropped)."""
        pre = self.model(imgs.pre, patch.index - 1, patch.base) if imgs.pre is not None else None
        post = self.model(imgs.post, patch.index, patch.base) if imgs.post is not None else None
        return pre, post

    def run_series(self, patches: list[Patch]) -> list[PatchResult]:
        source = ImageSource(self.tree, self.objects)
        staged = []
        # First every image of every patch, so struct members and definitions anywhere in
        # the series are known before any check runs. Only the images are kept: their
        # models are built again when they were dropped to stay within memory.
        for patch in patches:
            per_file, notes = [], []
            for change in patch.files:
                if change.unread:
                    source.lose(change)
                    self.final_images[change.path] = None
                    if change.path.endswith(C_SUFFIXES) or not change.path:
                        notes.append(PartialNote(change.path or "(a file the diff does not name)",
                                                 change.unread, patch.index, "unread"))
                    continue
                if not change.is_c:
                    continue
                try:
                    with time_budget(self.budget):
                        imgs = source.images(change, patch.base)
                        if change.old_path and change.old_path != change.path:
                            self.final_images[change.old_path] = None
                        self.final_images[change.path] = imgs.post
                        if not change.hunks:
                            continue        # a rename, copy or mode change: no text to check
                        too_large = self.too_large(imgs)
                        if too_large is not None:
                            source.lose(change)
                            self.final_images[change.path] = None
                            notes.append(PartialNote(change.path, too_large, patch.index, "unread"))
                            continue
                        self._models_of(imgs, patch)
                except (OverBudget, RecursionError) as stopped:
                    source.lose(change)
                    self.final_images[change.path] = None
                    notes.append(PartialNote(change.path, over_budget_reason(self.budget), patch.index, "budget")
                                 if isinstance(stopped, OverBudget) else
                                 PartialNote(change.path, TOO_DEEP, patch.index, "unread"))
                    continue
                per_file.append(imgs)
            staged.append((patch, per_file, notes))
        self._ops_structs_final = True
        if self.series_ops_structs:
            for model in self._models.values():
                model.adopt_ops_structs(self.series_ops_structs)
        self._learn(staged)
        results, reported, stopped_in = [], 0, None
        for patch, per_file, notes in staged:
            result = PatchResult(patch, partial=notes)
            results.append(result)
            if stopped_in is not None:
                result.partial.append(PartialNote(
                    "(all files)", f"not analysed: the run stopped at {limits.MAX_FINDINGS:,} findings "
                                   f"in patch {stopped_in}", patch.index, "budget"))
                continue
            for imgs in per_file:
                if imgs.post is None:
                    continue
                try:
                    with time_budget(self.budget):
                        pre, post = self._models_of(imgs, patch)
                        result.files.append(post.path)
                        coverage = Coverage.of(post, patch.index)
                        result.coverage.append(coverage)
                        result.partial.extend(self.partial_notes(post, coverage, patch.index))
                        new = self._new_in_patch(imgs, pre, post)
                        room = limits.MAX_FINDINGS - reported
                        result.findings.extend(new[:room])
                        reported += min(room, len(new))
                        if len(new) > room:
                            stopped_in = patch.index
                            result.partial.append(PartialNote(post.path, limits.too_many_findings(len(new) - room),
                                                              patch.index, "budget"))
                            break
                except OverBudget:
                    result.partial.append(PartialNote(imgs.post.path, over_budget_reason(self.budget),
                                                      patch.index, "budget"))
                except RecursionError:
                    result.partial.append(PartialNote(imgs.post.path, TOO_DEEP, patch.index, "unread"))
        note = self.release_note(patches[0].index) if results else None
        if note is not None:
            results[0].partial.insert(0, note)
        return results

    def _learn(self, staged) -> None:
        """Helpers the series adds to page_pool's API files, and the owner-test predicates
        any of its files define, each visible from its patch on."""
        for patch, per_file, _ in staged:
            for imgs in per_file:
                if not self.facts.is_api_file(imgs.change.path) and not any(
                        (image.path, image.text) in self._may_define_predicates
                        for image in (imgs.pre, imgs.post) if image is not None):
                    continue
                pre, post = self._models_of(imgs, patch)
                if post is not None:
                    self.series_learned.update(
                        (h.name, h) for h in learn(pre, post, patch.index, self.series_learned))
                for model in (pre, post):
                    if model is None:
                        continue
                    for name, predicate in model.provider.defined_predicates.items():
                        known = self.series_predicates.get(name)
                        if known is None or known.patch > predicate.patch:
                            self.series_predicates[name] = predicate

    def _touched(self, model: FileModel, changed: list[int]) -> set[str]:
        touched = set()
        for function in model.functions:
            span = model.function_lines(function)
            if span and _any_within(changed, *span):
                touched.add(function.name)
        return touched

    def _new_in_patch(self, imgs: FileImages, pre: FileModel | None, post: FileModel) -> list[Finding]:
        changed = imgs.changed
        touched = self._touched(post, changed)
        candidates, others = [], []
        for f in self.findings(post):
            if f.function_key in touched if f.function_key is not None \
                    else _any_within(changed, f.line, f.end_line):
                candidates.append(f)
            elif f.related & touched:
                candidates.append(f)
            else:
                others.append(f)
        if self.scope == "all" or pre is None:
            return candidates
        before = Counter(f.match_key for f in self.findings(pre))
        # A finding of the pre-image that only changed names (function or variables renamed
        # around it) is matched by what it is about; those that still stand unchanged
        # outside the touched functions are not available for that.
        renamed = Counter(f.rename_key for f in self.findings(pre) if f.rename_key)
        renamed.subtract(f.rename_key for f in others if f.rename_key)
        new = []
        for finding in candidates:
            if before[finding.match_key] > 0:
                before[finding.match_key] -= 1
                if finding.rename_key:
                    renamed[finding.rename_key] -= 1
            elif finding.rename_key and renamed[finding.rename_key] > 0 \
                    and (finding.code, finding.function_key, finding.anchor_text) not in before:
                renamed[finding.rename_key] -= 1
            else:
                new.append(finding)
        return new


def _any_within(ordered: list[int], first: int, last: int) -> bool:
    """Whether the sorted list holds a number in [first, last]; a patch creating a file of
    50,000 functions must not compare every function with every added line."""
    at = bisect.bisect_left(ordered, first)
    return at < len(ordered) and ordered[at] <= last
