"""Series from a git repository: a revision range (`series`) or the index (`staged`).

Every non-merge commit of a range is one patch, applied to the tree of its parent, so
whole files are always at hand. Only the commits of the range are walked, and only the
files they touch are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .basetree import GitRepo, GitTree
from .errors import InputError
from .inputs import MBOX_FROM, number, patches_from_bytes, refuse_when_nothing_readable
from .patch import C_SUFFIXES, FileChange, Patch, parse_diff

# The diff as format-patch writes it, whatever the user's diff and log configuration.
_NEUTRAL_CONFIG = ("-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
                   "-c", "diff.external=", "-c", "core.quotePath=false", "-c", "log.showSignature=false")
_DIFF_OPTIONS = ("-M", "--no-color", "--no-ext-diff", "--no-textconv")


@dataclass
class GitSeries:
    patches: list[Patch]
    base: GitTree          # the tree the first patch applies to: the series' base
    label: str             # the range or "git diff --cached", for messages


def _check_range(repo: GitRepo, spec: str) -> list[str]:
    """rev-list arguments for a range as checkpatch -g and git take it: A..B, A...B, or one
    commit alone."""
    if spec.startswith("-"):
        raise InputError(spec, "not a revision range")
    if "..." in spec or ".." in spec:
        sides = spec.split("...", 1) if "..." in spec else spec.split("..", 1)
        for side in sides:
            if side and repo.resolve(side) is None:
                raise InputError(spec, f"unknown revision '{side}'")
        return [spec]
    commit = repo.resolve(spec)
    if commit is None:
        raise InputError(spec, f"unknown revision '{spec}'")
    return [f"{commit}^!"]


def range_series(repo: GitRepo, spec: str) -> GitSeries:
    revs = _check_range(repo, spec)
    listing = repo.git("rev-list", "--no-merges", "--reverse", "--parents", *revs, "--")
    parents: dict[str, str | None] = {}
    for line in listing.decode().splitlines():
        commit, *rest = line.split()
        parents[commit] = rest[0] if rest else None
    if not parents:
        return GitSeries([], GitTree(repo, repo.resolve("HEAD")), spec)
    boundary = [commit for commit, parent in parents.items()
                if parent is None and commit in _shallow_boundary(repo)]
    if boundary:
        # git shows such a commit as creating every file it has: the whole tree would be
        # blamed on it.
        raise InputError(spec, f"commit {boundary[0][:12]} is the boundary of a shallow clone: its "
                               "parent was not fetched, so what it changed is unknown "
                               "(git fetch --deepen=N, or start the range after it)")
    order = list(parents)
    walk = ("log", "--no-walk=unsorted", "--stdin")
    log = repo.git(*_NEUTRAL_CONFIG, *walk, "--pretty=email", "--stat", "-p", *_DIFF_OPTIONS,
                   input="\n".join(order).encode() + b"\n")
    # Each commit's diff alone: the mail ends with it, and a diff quoted in the commit
    # message above it is no part of the change.
    diffs = repo.git(*_NEUTRAL_CONFIG, *walk, "--format=%x00%H", "-p", *_DIFF_OPTIONS,
                     input="\n".join(order).encode() + b"\n")
    diff_lines = {}
    for part in diffs.split(b"\0")[1:]:
        commit, _, diff = part.partition(b"\n")
        diff = diff.strip(b"\n")
        diff_lines[commit.decode()] = diff.count(b"\n") + 1 if diff else None
    patches = []
    # A "From <sha> <date>" line quoted inside a commit message does not start a commit.
    starts = [(m.start(), m.group(1).decode()) for m in MBOX_FROM.finditer(log)
              if m.group(1).decode() in parents]
    for (start, commit), (end, _) in zip(starts, starts[1:] + [(len(log), "")]):
        chunk = log[start:end]
        try:
            found = patches_from_bytes(chunk, commit[:12], diff_lines.get(commit)).patches
        except InputError:
            continue  # a commit that changes no file's text (empty, mode only)
        for patch in found:
            patch.commit = commit
            patch.base = GitTree(repo, parents[commit])
            patches.append(patch)
    return GitSeries(number(patches), GitTree(repo, parents[order[0]]), spec)


def staged_series(repo: GitRepo, paths: tuple[str, ...]) -> GitSeries:
    """`paths` narrow the diff; give them absolute (git runs at the top level)."""
    head = repo.resolve("HEAD")
    base = GitTree(repo, head)
    diff = repo.git(*_NEUTRAL_CONFIG, "diff", "--cached", *_DIFF_OPTIONS, "--", *paths)
    label = "git diff --cached"
    # Mid-merge or mid-rebase, a conflicted file is in the index only as its stages and
    # the diff skips it: it is listed as unread, never passed over as "nothing staged".
    unmerged = [FileChange(path, path, (), unreadable="unmerged in the index (a merge or rebase "
                                                      "stopped on it): resolve it and git add it")
                for path in _unmerged_c_files(repo, paths)]
    if not diff.strip() and not unmerged:
        return GitSeries([], base, label)
    text = diff.decode("utf-8", "replace")
    files = parse_diff(text) + unmerged if diff.strip() else unmerged
    refuse_when_nothing_readable([Patch(1, "staged changes", label, files, 0)])
    patch = Patch(1, "staged changes", label, files, text.count("\n") + 1, base=base)
    return GitSeries([patch], base, label)


def _unmerged_c_files(repo: GitRepo, paths: tuple[str, ...]) -> list[str]:
    listing = repo.git("-c", "core.quotePath=false", "ls-files", "-z", "--unmerged", "--", *paths)
    names = {entry.split("\t", 1)[1] for entry in listing.decode("utf-8", "replace").split("\0") if "\t" in entry}
    return sorted(name for name in names if name.endswith(C_SUFFIXES))


def _shallow_boundary(repo: GitRepo) -> set[str]:
    """The commits a shallow clone cut the history at (their parents are not fetched)."""
    listing = Path(repo.git("rev-parse", "--path-format=absolute", "--git-path", "shallow").decode().strip())
    try:
        return set(listing.read_text().split())
    except OSError:
        return set()
