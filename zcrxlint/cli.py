"""The command line: check, files, rules, explain (DESIGN.md fixes names and exit codes)."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import errno
import json
import math
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from . import __version__
from . import docs
from . import filescan
from . import facts as facts_mod
from . import fix as fix_mod
from .checks import RULES, find_rule
from .baseline import check_baseline_target, read_baseline, without_baselined, write_baseline
from .basetree import BaseTree, DirTree, GitError, GitRepo, GitTree
from .config import Config, find_config, load_config, parse_code_list
from .engine import Analyzer, RunResult
from .errors import InputError, UsageError, ZcrxlintError, visible
from .facts import KernelVersion
from .finding import Severity
from .images import Image
from .inputs import read_series, reading_within
from .gitseries import range_series, staged_series
from .report import REPORTERS, ReportOptions
from .report.coverage import PARTIAL_FUNCTION, shown_findings

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}


SERIES_TREE_HELP = "A kernel checkout at the series' base: whole files are analysed, not just hunks."
FILES_TREE_HELP = ("The kernel tree the files belong to, for their configuration, kernel release and "
                   "local headers (default: the nearest directory above them holding a kernel Makefile).")


def _tree_option(help_text: str):
    return click.option("--tree", "tree", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=help_text)


def _repo_option(f):
    return click.option(
        "-C", "repo_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
        show_default=True, help="The git repository (a kernel checkout) to read.")(f)


class _Seconds(click.ParamType):
    """A time budget: a finite number of seconds, 0 (or inf) for none; nan is no number."""
    name = "seconds"

    def convert(self, value, param, ctx):
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if math.isnan(seconds) or seconds < 0:
            self.fail(f"{value!r} is not a number of seconds (0 or more; 0: no limit)", param, ctx)
        return 0.0 if math.isinf(seconds) else seconds


_SECONDS = _Seconds()


def _common_options(f):
    f = click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text",
                     show_default=True, help="Output format.")(f)
    f = click.option("--kernel", "kernel", metavar="X.Y", default=None,
                     help="Target kernel release for the API facts (default: the configuration's "
                          "kernel, else the tree's Makefile, else the patch mail's date, else the "
                          "newest known).")(f)
    f = click.option("--fail-on", "fail_on", type=click.Choice(list(FAIL_ON)), default=None,
                     help="Exit 1 when a finding is at or above this severity "
                          "(default: the configuration's fail-on, else warning).")(f)
    f = click.option("--select", metavar="CODES", default=None,
                     help="Run only these codes, names or families (comma-separated, e.g. "
                          "ZCX1,ZCX203); replaces the configuration's select.")(f)
    f = click.option("--ignore", metavar="CODES", default=None,
                     help="Do not run these codes, names or families; added to the "
                          "configuration's ignore.")(f)
    f = click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Read this configuration file instead of the tree root's "
                                        ".zcrxlint.toml or pyproject.toml [tool.zcrxlint].")(f)
    f = click.option("--isolated", is_flag=True, help="Read no configuration file.")(f)
    f = click.option("--time-budget", "time_budget", type=_SECONDS, default=30.0,
                     show_default=True, metavar="SECONDS",
                     help="Stop analysing a file after this long and list it as analysed in "
                          "part; 0: no limit.")(f)
    f = click.option("--strict-parse", "strict_parse", is_flag=True,
                     help="Exit 2 when any file could not be parsed, read or finished in full "
                          "(summary.partial kinds parse, unread, budget).")(f)
    f = click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Leave out the findings this baseline file lists.")(f)
    f = click.option("--write-baseline", "write_baseline", metavar="FILE",
                     type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write this run's findings to FILE as a baseline, report nothing, exit 0.")(f)
    # checkpatch.pl's output flags, with its meanings (b4 and CI scripts pass them).
    f = click.option("--terse", is_flag=True, help="One line per finding.")(f)
    f = click.option("--showfile", is_flag=True,
                     help="Prefix each finding with path:line and drop the '#N: FILE:' line.")(f)
    f = click.option("--emacs", is_flag=True, help="Prefix each finding with input:#N.")(f)
    f = click.option("--no-summary", "no_summary", is_flag=True,
                     help="No per-patch 'total:' line, verdict or footer.")(f)
    f = click.option("--mailback", is_flag=True,
                     help="Print nothing when there is nothing to report.")(f)
    f = click.option("-q", "--quiet", is_flag=True,
                     help="No verdict sentences; 'total:' only for patches with findings "
                          "(with --fix: no report at all).")(f)
    f = click.option("--fix", "fix", is_flag=True,
                     help="Print a unified diff (git apply, patch -p1 at the tree root) that "
                          "rewrites the findings with a mechanical fix; the report goes to stderr.")(f)
    f = click.option("--fix-inplace", "fix_inplace", is_flag=True,
                     help="Write those rewrites into the files (not for mails); refused when a "
                          "file is not what was linted.")(f)
    f = click.option("-v", "--verbose", is_flag=True,
                     help="Say which files were analysed in part and why, one NOTE each, and show "
                          f"the functions parsed in part ({PARTIAL_FUNCTION}).")(f)
    return f


@dataclass
class Settings:
    """What the common options ask of a run, before the tree's configuration is known."""
    fmt: str
    kernel: str | None
    fail_on: str | None
    select: frozenset[str] | None
    ignore: frozenset[str]
    config_file: Path | None
    isolated: bool
    time_budget: float | None           # seconds per file; None: no limit
    strict_parse: bool
    baseline: frozenset[str] | None     # the fingerprints a --baseline file lists
    write_baseline: Path | None
    report: ReportOptions
    fix: bool = False                   # print the mechanical rewrites as a diff
    fix_inplace: bool = False           # write them into the files

    @classmethod
    def from_options(cls, fmt, kernel, fail_on, select, ignore, config_file, isolated,
                     time_budget, strict_parse, baseline_file, write_baseline, terse, showfile, emacs, no_summary,
                     mailback, quiet, verbose=False, fix=False, fix_inplace=False) -> "Settings":
        if config_file is not None and isolated:
            raise UsageError("--config and --isolated contradict each other; give one")
        if fix and fix_inplace:
            raise UsageError("--fix and --fix-inplace: give one")
        selected = parse_code_list(select, "--select") if select is not None else None
        if write_baseline is not None:
            check_baseline_target(write_baseline)
        return cls(fmt=fmt, kernel=kernel, fail_on=fail_on, select=selected,
                   ignore=parse_code_list(ignore, "--ignore") if ignore is not None else frozenset(),
                   config_file=config_file, isolated=isolated,
                   time_budget=time_budget or None, strict_parse=strict_parse,
                   # Read before the run, so a bad file fails fast.
                   baseline=read_baseline(baseline_file) if baseline_file is not None else None,
                   write_baseline=write_baseline,
                   report=ReportOptions(terse=terse, showfile=showfile, emacs=emacs,
                                        summary=not no_summary, mailback=mailback, quiet=quiet,
                                        verbose=verbose,
                                        partial_functions=verbose or PARTIAL_FUNCTION in (selected or ())),
                   fix=fix, fix_inplace=fix_inplace)

    @property
    def fixing(self) -> bool:
        return self.fix or self.fix_inplace

    def config(self, root: Path | None) -> Config:
        """The configuration of the tree at `root` (or the --config file), with the
        command line's --select and --ignore on top."""
        if self.isolated:
            found = Config()
        elif self.config_file is not None:
            if not self.config_file.is_file():
                raise InputError(str(self.config_file), "--config: no such file")
            found = load_config(self.config_file)
        else:
            found = find_config(root)
        where = ("--select" if self.select is not None
                 else f"{found.source}: select" if found.select is not None else "--ignore")
        return found.with_cli(self.select, self.ignore).require_a_check(where)


def _pick_kernel(option: str | None, tree: BaseTree | None, patches=()) -> tuple[KernelVersion, bool]:
    """The release whose facts judge the run, and whether the target is older than it (the
    oldest release known, standing in for an older target)."""
    if option:
        try:
            kernel = KernelVersion.parse(option)
        except ValueError:
            raise UsageError(f"--kernel {option}: not a kernel release (expected X.Y, e.g. 6.15)") from None
        facts_mod.check_kernel_known(kernel)
        return kernel, False
    releases = [r.version for r in facts_mod.known_releases()]
    found = tree.kernel() if tree is not None else None
    if found:
        kernel = KernelVersion.parse(found)
        return min(max(kernel, releases[0]), releases[-1]), kernel < releases[0]
    for patch in patches:
        if patch.date is not None:
            kernel = facts_mod.kernel_for_date(patch.date.date())
            return (kernel, False) if kernel is not None else (releases[0], True)
    return releases[-1], False


def _analyzer(settings: Settings, config: Config, tree: BaseTree | None, patches=(),
              scope: str = "new", objects: GitRepo | None = None) -> Analyzer:
    target, predates = _pick_kernel(settings.kernel or config.kernel, tree, patches)
    facts = facts_mod.load(target, config.extra_facts)
    if predates:
        facts = dataclasses.replace(facts, predates=True)
    if config.exempt_paths:
        facts = dataclasses.replace(facts, owner_files=facts.owner_files + config.exempt_paths,
                                    private_helper_paths=facts.private_helper_paths + config.exempt_paths)
    return Analyzer(facts, tree=tree, scope=scope, objects=objects, config=config,
                    budget=settings.time_budget)


def _dir_tree(tree: Path | None) -> DirTree | None:
    if tree is None:
        return None
    if not tree.is_dir():
        raise InputError(str(tree), "--tree: no such directory")
    return DirTree(tree)


def _emit(run: RunResult, settings: Settings, config: Config, fixer=None, locate=None) -> int:
    """`fixer`: the rewrites of the findings (--fix); `locate`: where a path is on disk
    (--fix-inplace)."""
    if settings.write_baseline is not None:
        written = write_baseline(settings.write_baseline, run)
        click.echo(f"zcrxlint: {settings.write_baseline}: baseline of {written} finding"
                   f"{'' if written == 1 else 's'} written", err=True)
        return 0
    if settings.baseline is not None:
        run = without_baselined(run, settings.baseline)
    fail_on = settings.fail_on or config.fail_on or "warning"
    options = dataclasses.replace(settings.report, docs_url=config.docs_url, fail_on=FAIL_ON[fail_on],
                                  fail_on_name=fail_on)
    findings = run.findings
    if settings.fixing:
        fixes = fixer(findings)
        if settings.fix_inplace:
            written = fix_mod.write_in_place(fixes, locate)
            if not settings.report.quiet:
                click.echo(f"zcrxlint: --fix-inplace: {written} file{'' if written == 1 else 's'} rewritten",
                           err=True)
        else:
            sys.stdout.write(fix_mod.unified_diff(fixes))
        findings = fix_mod.fixed_out(findings, fixes)
        if not settings.report.quiet:
            REPORTERS[settings.fmt](run, sys.stderr, options)
            for fix in fixes:
                for finding, why in fix.not_fixed:
                    click.echo(f"zcrxlint: {visible(finding.path)}:{finding.line}: {finding.code} not fixed: {visible(why)}",
                               err=True)
    else:
        REPORTERS[settings.fmt](run, sys.stdout, options)
    if settings.strict_parse and run.incomplete:
        first = run.incomplete[0]
        count = len({(n.patch, n.path) for n in run.incomplete})
        click.echo(f"zcrxlint: --strict-parse: {count} file{'' if count == 1 else 's'} not analysed "
                   f"in full (first: {first.path}: {first.reason})", err=True)
        return 2
    # ZCX901 says what could not be parsed, not what is wrong: it fails a run only when asked for.
    if options.fail_on is not None and any(f.severity >= options.fail_on
                                           for f in shown_findings(findings, options)):
        return 1
    return 0


def _run_series(patches, tree: BaseTree | None, scope: str, settings: Settings, root: Path | None,
                objects: GitRepo | None = None, checkout: Path | None = None) -> int:
    """`checkout`: where the files the series leaves are on disk, for --fix-inplace."""
    config = settings.config(root)
    analyzer = _analyzer(settings, config, tree, patches, scope, objects)
    run = RunResult(str(analyzer.facts.kernel), analyzer.run_series(patches))
    return _emit(run, settings, config, lambda found: fix_mod.fix_series(analyzer, found),
                 (lambda path: checkout / path) if checkout is not None else None)


def _scope_option(f):
    return click.option(
        "--scope", type=click.Choice(["new", "all"]), default="new", show_default=True,
        help="new: findings a patch introduces; all: every finding in touched functions.")(f)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zcrxlint")
def cli():
    """Lint Linux page_pool memory-provider patches (io_uring zcrx, devmem TCP, ...)."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@_tree_option(SERIES_TREE_HELP)
@click.option("--base", "base_rev", metavar="REV", default=None,
              help="The series' base as a revision of the git repository here (default: the "
                   "mails' base-commit: trailer, when this repository has that commit).")
@_scope_option
@_common_options
def check(inputs, tree, base_rev, scope, **options):
    """Lint a series: patch files, mails, mboxes, plain diffs, or - for stdin, in order."""
    if tree is not None and base_rev is not None:
        raise UsageError("--tree and --base both name the base tree; give one")
    settings = Settings.from_options(**options)
    if settings.fix_inplace:
        raise UsageError("--fix-inplace: the files of mails are not on disk; use --fix and git apply")
    base = _dir_tree(tree)
    series = read_series(list(inputs), settings.time_budget)
    # Inside a git repository (a kernel checkout, as b4 runs its check commands), the
    # pre-images the patches name by object id are read from it.
    try:
        here = GitRepo.find(Path.cwd())
    except GitError:
        if base_rev is not None:
            raise
        here = None
    if base_rev is not None:
        commit = here.resolve(base_rev)
        if commit is None:
            raise InputError(f"--base {base_rev}", "unknown revision")
        base = GitTree(here, commit)
    elif base is None and series.base_commit and here is not None:
        found = here.resolve(series.base_commit)
        base = GitTree(here, found) if found else None
    try:
        # The configuration sits at the root of the tree the patches apply to.
        root = tree if tree is not None else (here.path if here is not None else Path.cwd())
        status = _run_series(series.patches, base, scope, settings, root, objects=here)
    finally:
        if here is not None:
            here.close()
    sys.exit(status)


@cli.command()
@click.argument("revisions")
@_repo_option
@_scope_option
@_common_options
def series(revisions, repo_dir, scope, **options):
    """Lint the commits of a git range (A..B, A...B, REV~N..REV, or one REV), one patch each."""
    settings = Settings.from_options(**options)
    with GitRepo.find(repo_dir) as repo:
        with reading_within(settings.time_budget, revisions):
            found = range_series(repo, revisions)
        if not found.patches:
            click.echo(f"zcrxlint: {revisions}: no non-merge commits that change files", err=True)
        status = _run_series(found.patches, found.base, scope, settings, repo.path, checkout=repo.path)
    sys.exit(status)


@cli.command()
@click.argument("paths", nargs=-1)
@_repo_option
@_scope_option
@_common_options
def staged(paths, repo_dir, scope, **options):
    """Lint what `git diff --cached` would commit (PATHS narrow it), against HEAD."""
    # Paths are relative to -C, as git's are; pre-commit runs at the top level and passes
    # them relative to it.
    settings = Settings.from_options(**options)
    with GitRepo.find(repo_dir) as repo:
        with reading_within(settings.time_budget, "git diff --cached"):
            found = staged_series(repo, tuple(str((repo_dir / p).absolute()) for p in paths))
        if not found.patches:
            click.echo("zcrxlint: nothing staged" + (" in the named paths" if paths else ""), err=True)
        status = _run_series(found.patches, found.base, scope, settings, repo.path, checkout=repo.path)
    sys.exit(status)


def _kernel_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if DirTree(candidate).kernel():
            return candidate
    return None


def _c_files_under(directory: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The .c and .h files under a directory, sorted, and those it cannot read, each with
    why: a subdirectory it may not list, a symlinked file that loops, dangles or leads out
    of the directory (never followed there). Symlinked directories are not followed."""
    found, unread = [], []
    inside = directory.resolve()
    stack = [str(directory)]
    while stack:
        listed = stack.pop()
        try:
            with os.scandir(listed) as entries:
                entries = list(entries)
        except OSError as exc:
            if listed == str(directory):
                raise InputError(listed, f"cannot list: {exc.strerror or exc}") from None
            unread.append((os.path.join(listed, ""), f"cannot list: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif not entry.name.endswith((".c", ".h")):
                continue
            elif not entry.is_symlink():
                if entry.is_file():
                    found.append(entry.path)
            else:
                reason = _symlink_problem(Path(entry.path), inside)
                if reason is None:
                    found.append(entry.path)
                else:
                    unread.append((entry.path, reason))
    return sorted(found), sorted(unread)


def _symlink_problem(link: Path, inside: Path) -> str | None:
    """Why a symlinked file under a searched directory is not read, or None."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "a symlink loop: not followed"
    except OSError as exc:
        return "a symlink loop: not followed" if exc.errno == errno.ELOOP else "a dangling symlink"
    if not target.is_relative_to(inside):
        return "a symlink out of the searched directory: not followed"
    return None if target.is_file() else "a symlink to no regular file: not followed"


def _printable(path: str) -> str:
    """A file name as reports show it: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def _collect_files(paths: list[str], tree: Path | None) \
        -> tuple[list[tuple[Path, str]], list[tuple[str, str]], set[Path]]:
    """Each file to read with the path to report it by (relative to its kernel tree, when
    it is in one), the files of the named directories that cannot be read (reported path,
    why), and the kernel trees they are in."""
    files, unread, roots = [], [], set()
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found, cannot = _c_files_under(path)
            if not found and not cannot:
                raise InputError(name, "directory holds no .c or .h files")
            resolved_dir = path.resolve()
            prefix = len(os.path.join(name, ""))
        elif path.is_file():
            found = [name]
            resolved_dir = path.resolve().parent
        elif path.exists():
            raise InputError(name, "not a regular file")
        elif path.is_symlink():
            raise InputError(name, _symlink_problem(path, Path(path.absolute().anchor)))
        else:
            raise InputError(name, "no such file")
        root = tree.resolve() if tree is not None else _kernel_root(resolved_dir)
        if root is not None:
            roots.add(root)
        if path.is_dir():
            # Paths under a directory argument are that argument joined with the rest.
            base = path.resolve()
            label_dir = base.relative_to(root).as_posix() if root is not None and \
                base.is_relative_to(root) else None

            def label(file: str) -> str:
                rel = file[prefix:].replace(os.sep, "/")
                if label_dir is None:
                    return _printable(Path(file).as_posix() + ("/" if file.endswith(os.sep) else ""))
                return _printable(rel if label_dir == "." else f"{label_dir}/{rel}")
            files.extend((Path(file), label(file)) for file in found)
            unread.extend((label(file), reason) for file, reason in cannot)
        else:
            full = path.resolve()
            label = full.relative_to(root).as_posix() if root is not None and full.is_relative_to(root) \
                else path.as_posix()
            files.append((path, _printable(label)))
    return files, unread, roots


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_tree_option(FILES_TREE_HELP)
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes to analyse files in; 0: one per core.")
@click.option("--no-prefilter", "no_prefilter", is_flag=True,
              help="Parse every file, even those holding none of the tokens any check needs "
                   "(slower; for checking the prefilter).")
@_common_options
def files(paths, tree, jobs, no_prefilter, **options):
    """Lint whole C files (or directories of them), with no patch."""
    settings = Settings.from_options(**options)
    base = _dir_tree(tree)
    found, unread, roots = _collect_files(list(paths), tree)
    if base is None and len(roots) == 1:
        base = DirTree(next(iter(roots)))
    root = base.root if base is not None else Path.cwd()
    config = settings.config(root)
    analyzer = _analyzer(settings, config, base)
    result = filescan.scan(analyzer, found, jobs or filescan.default_jobs(), not no_prefilter, unread)
    note = analyzer.release_note(None)
    if note is not None:
        result.partial.insert(0, note)
    where = {label: path for path, label in found}
    sys.exit(_emit(RunResult(str(analyzer.facts.kernel), [result]), settings, config,
                   lambda findings: fix_mod.fix_files(analyzer, found, findings), where.__getitem__))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="markdown: the full rule docs (docs/rules.md is this output).")
def rules(fmt):
    """List every code with its name, severity, kernel range and summary."""
    if fmt == "json":
        json.dump([{"code": r.code, "name": r.name, "severity": r.severity.label,
                    "kernels": {"since": r.since, "until": r.until},
                    "summary": r.summary, "help": f"{docs.DOCS_PAGE}#{docs.anchor(r)}"} for r in RULES],
                  sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "markdown":
        sys.stdout.write(docs.rules_markdown(RULES))
    else:
        for r in RULES:
            click.echo(f"{r.code}  {r.name:<28} {r.severity.label:<8} {r.kernel_range:<6} {r.summary}")


@cli.command()
@click.argument("code")
def explain(code):
    """Explain one code (ZCX101) or name (pp-private-field): why, an example, the fix."""
    rule = find_rule(code)
    if rule is None:
        near = difflib.get_close_matches(code.lower(), [k for r in RULES for k in (r.code.lower(), r.name)],
                                         n=1, cutoff=0.6)
        hint = ""
        if near:
            found = find_rule(near[0])
            hint = f"; did you mean {found.code} ({found.name})?"
        raise UsageError(f"{code}: no such code or name{hint} (see 'zcrxlint rules')")
    sys.stdout.write(docs.rule_text(rule))


def _never_fail_to_print() -> None:
    """A terminal or pipe that cannot show a character (PYTHONIOENCODING=ascii, a file
    name that is not UTF-8) gets an escape, not an internal error."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


# An error line names its input, but a hostile path (a megabyte of `x/`) is shown cut.
ERROR_LINE_LIMIT = 2000


def _one_line(text: str) -> str:
    """An error is one line on stderr, whatever a library put in its message."""
    line = visible(" ".join(text.split()))
    if len(line) <= ERROR_LINE_LIMIT:
        return line
    cut = len(line) - ERROR_LINE_LIMIT
    return f"{line[:ERROR_LINE_LIMIT - 500]}[... {cut:,} characters ...]{line[-500:]}"


class Stopped(BaseException):
    """Ctrl-C or SIGTERM: the run ends with one line and the shell's status for the
    signal (not KeyboardInterrupt, which click turns into an Abort and a blank line)."""


def _stop(signum, frame):
    raise Stopped(signum)


STOPPED = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


@contextlib.contextmanager
def _stop_on_signals():
    """For the run (main may be called in a process that has its own handlers)."""
    previous = {signum: signal.getsignal(signum) for signum in STOPPED}
    for signum, handler in previous.items():
        # A background job's ignored Ctrl-C stays ignored.
        if handler in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


OUTPUT_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def main(argv=None):
    if sys.stdout is None:  # started with standard output closed (>&-)
        click.echo("zcrxlint: standard output is closed: nowhere to write the report", err=True)
        sys.exit(2)
    _never_fail_to_print()
    with _stop_on_signals():
        status = _run(argv)
    try:
        sys.stdout.flush()
    except OSError as exc:
        status = _report_unwritable(exc)
    sys.exit(status)


def _report_unwritable(exc: OSError) -> int:
    """stdout failed (a full disk, /dev/full, a closed pipe): one line, and the report's
    rest is dropped instead of failing again at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if not isinstance(exc, BrokenPipeError):
        click.echo(f"zcrxlint: cannot write the report to standard output: {exc.strerror or exc}", err=True)
    return 2


def _run(argv) -> int:
    try:
        os.getcwd()
    except OSError:
        click.echo("zcrxlint: the working directory no longer exists (cd to one that does)", err=True)
        return 2
    try:
        cli.main(args=argv, prog_name="zcrxlint", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("zcrxlint: aborted", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"zcrxlint: {_one_line(exc.format_message())}", err=True)
        return 2
    except ZcrxlintError as exc:
        click.echo(f"zcrxlint: {_one_line(str(exc))}", err=True)
        return 2
    except Stopped as exc:
        signum = exc.args[0]
        click.echo(f"zcrxlint: {STOPPED[signum]}", err=True)
        # Now, without the exit's cleanup: it would wait on workers the signal killed.
        os._exit(128 + signum)
    except OSError as exc:
        # A write that failed on no named file: the report's, to standard output (the
        # baseline's failures name it and are reported where they happen).
        if exc.filename is None and (exc.errno in OUTPUT_FULL or _stdout_broken()):
            return _report_unwritable(exc)
        return _internal_error(exc)
    except Exception as exc:  # a bug must still end in one line and status 2, never a traceback
        return _internal_error(exc)
    return 0


def _stdout_broken() -> bool:
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _internal_error(exc: Exception) -> int:
    if os.environ.get("ZCRXLINT_DEBUG"):
        raise exc
    click.echo(f"zcrxlint: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
               "(set ZCRXLINT_DEBUG=1 for the traceback and please report it)", err=True)
    return 2
