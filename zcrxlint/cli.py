"""The command line: check, files, rules, explain (DESIGN.md fixes names and exit codes)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import click

from . import __version__
from . import facts as facts_mod
from .checks import RULES, find_rule
from .engine import Analyzer, RunResult, kernel_from_tree
from .errors import InputError, UsageError, ZcrxlintError
from .facts import KernelVersion
from .finding import Severity
from .images import Image
from .inputs import read_series
from .report import REPORTERS

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}


def _tree_option(f):
    return click.option(
        "--tree", "tree", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="A kernel checkout at the series' base: whole files are analysed, not just hunks.")(f)


def _common_options(f):
    f = click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text",
                     show_default=True, help="Output format.")(f)
    f = click.option("--kernel", "kernel", metavar="X.Y", default=None,
                     help="Target kernel release for the API facts (default: the tree's "
                          "Makefile, else the patch mail's date, else the newest known).")(f)
    f = click.option("--fail-on", "fail_on", type=click.Choice(list(FAIL_ON)), default="warning",
                     show_default=True, help="Exit 1 when a finding is at or above this severity.")(f)
    return f


def _pick_kernel(option: str | None, tree: Path | None, patches=()) -> KernelVersion:
    if option:
        try:
            kernel = KernelVersion.parse(option)
        except ValueError:
            raise UsageError(f"--kernel {option}: not a kernel release (expected X.Y, e.g. 6.15)") from None
        facts_mod.check_kernel_known(kernel)
        return kernel
    releases = [r.version for r in facts_mod.known_releases()]
    if tree is not None:
        found = kernel_from_tree(tree)
        if found:
            kernel = KernelVersion.parse(found)
            return min(max(kernel, releases[0]), releases[-1])
    for patch in patches:
        if patch.date is not None:
            return facts_mod.kernel_for_date(patch.date.date())
    return releases[-1]


def _check_tree(tree: Path | None) -> None:
    if tree is not None and not tree.is_dir():
        raise InputError(str(tree), "--tree: no such directory")


def _emit(run: RunResult, fmt: str, fail_on: str) -> int:
    REPORTERS[fmt](run, sys.stdout)
    threshold = FAIL_ON[fail_on]
    if threshold is not None and any(f.severity >= threshold for f in run.findings):
        return 1
    return 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zcrxlint")
def cli():
    """Lint Linux page_pool memory-provider patches (io_uring zcrx, devmem TCP, ...)."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@_tree_option
@click.option("--scope", type=click.Choice(["new", "all"]), default="new", show_default=True,
              help="new: findings a patch introduces; all: every finding in touched functions.")
@_common_options
def check(inputs, tree, scope, fmt, kernel, fail_on):
    """Lint a series: patch files, mails, mboxes, plain diffs, or - for stdin, in order."""
    _check_tree(tree)
    patches = read_series(list(inputs))
    target = _pick_kernel(kernel, tree, patches)
    analyzer = Analyzer(facts_mod.load(target), tree=tree, scope=scope)
    run = RunResult(str(target), analyzer.run_series(patches))
    sys.exit(_emit(run, fmt, fail_on))


def _kernel_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if kernel_from_tree(candidate):
            return candidate
    return None


def _collect_files(paths: list[str]) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".c", ".h") and p.is_file())
            if not found:
                raise InputError(name, "directory holds no .c or .h files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(name, "not a regular file")
        else:
            raise InputError(name, "no such file")
    return files


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_tree_option
@_common_options
def files(paths, tree, fmt, kernel, fail_on):
    """Lint whole C files (or directories of them), with no patch."""
    _check_tree(tree)
    images = []
    roots = set()
    for path in _collect_files(list(paths)):
        root = tree or _kernel_root(path.resolve().parent)
        rel = path.resolve().relative_to(root.resolve()).as_posix() if root is not None and \
            path.resolve().is_relative_to(root.resolve()) else path.as_posix()
        if root is not None:
            roots.add(root)
        try:
            text = path.read_bytes().decode("utf-8", "surrogateescape")
        except OSError as exc:
            raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
        images.append(Image(rel, text))
    base = tree or (next(iter(roots)) if len(roots) == 1 else None)
    target = _pick_kernel(kernel, base)
    analyzer = Analyzer(facts_mod.load(target), tree=base)
    result = analyzer.run_files(images)
    sys.exit(_emit(RunResult(str(target), [result]), fmt, fail_on))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
def rules(fmt):
    """List every code with its name, severity and summary."""
    if fmt == "json":
        json.dump([{"code": r.code, "name": r.name, "severity": r.severity.label,
                    "kernels": {"since": r.since, "until": r.until},
                    "summary": r.summary} for r in RULES], sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif fmt == "markdown":
        sys.stdout.write(render_rules_markdown())
    else:
        for r in RULES:
            click.echo(f"{r.code}  {r.name:<28} {r.severity.label:<8} {r.kernel_range:<6} {r.summary}")


def render_rules_markdown() -> str:
    out = ["| code | name | severity | kernels | what it flags |", "|---|---|---|---|---|"]
    out += [f"| {r.code} | `{r.name}` | {r.severity.label} | {r.kernel_range} | {r.summary} |"
            for r in RULES]
    return "\n".join(out) + "\n"


@cli.command()
@click.argument("code")
def explain(code):
    """Explain one code (ZCX101) or name (pp-private-field)."""
    rule = find_rule(code)
    if rule is None:
        raise UsageError(f"{code}: no such code or name (see 'zcrxlint rules')")
    wrap = lambda s: textwrap.fill(s, 88)  # noqa: E731
    code_block = lambda s: textwrap.indent(s, "    ")  # noqa: E731
    click.echo(f"{rule.code} {rule.name} ({rule.severity.label}; kernels {rule.kernel_range})\n\n"
               f"{wrap(rule.summary)}\n\n"
               f"Why:\n{textwrap.indent(wrap(rule.why), '  ')}\n\n"
               f"Flagged:\n{code_block(rule.example)}\n\nInstead:\n{code_block(rule.instead)}")


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="zcrxlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("zcrxlint: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"zcrxlint: {exc.format_message()}", err=True)
        sys.exit(2)
    except ZcrxlintError as exc:
        click.echo(f"zcrxlint: {exc}", err=True)
        sys.exit(2)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(2)
    except Exception as exc:  # a bug must still end in one line and status 2, never a traceback
        if os.environ.get("ZCRXLINT_DEBUG"):
            raise
        click.echo(f"zcrxlint: internal error: {type(exc).__name__}: {exc} "
                   "(set ZCRXLINT_DEBUG=1 for the traceback and please report it)", err=True)
        sys.exit(2)
