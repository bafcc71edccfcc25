"""A throwaway kernel-like git repository: the fixture tree as the base commit, then a
series of commits, each a list of text edits. Tests of the git workflows build on it."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers import FIXTURES

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Fixture Author", "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_COMMITTER_NAME": "Fixture Author", "GIT_COMMITTER_EMAIL": "author@example.invalid",
    "GIT_AUTHOR_DATE": "2026-06-01T12:00:00+00:00", "GIT_COMMITTER_DATE": "2026-06-01T12:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}

PROVIDER = "io_uring/zcopy.c"
BAD_ACCOUNTING = "\t\tpp->pages_state_hold_cnt++;\n"

# (subject, [(path, old text, new text)]); the third commit is the bad one: it drops the
# sync before a placement (ZCX201) and bumps page_pool's in-flight counter (ZCX101).
FIVE_COMMITS = [
    ("io_uring/zcopy: count ring refills", [
        (PROVIDER, "\tu32\t\t\tif_rxq;\n};", "\tu32\t\t\tif_rxq;\n\tu64\t\t\trefills;\n};"),
        (PROVIDER, "\t\tzcopy_sync_niov(pp, niov);\n\t\tnet_mp_netmem_place_in_cache(pp, netmem);",
         "\t\tzcopy_sync_niov(pp, niov);\n\t\tnet_mp_netmem_place_in_cache(pp, netmem);\n\t\tifq->refills++;"),
    ]),
    ("io_uring/zcopy: document the slow refill", [
        (PROVIDER, "static void zcopy_refill_slow(",
         "/* Refill from the freelist when the ring had nothing to give back. */\n"
         "static void zcopy_refill_slow("),
    ]),
    ("io_uring/zcopy: refill without the sync helper", [
        (PROVIDER, "\t\tzcopy_sync_niov(pp, niov);\n\t\tnet_mp_netmem_place_in_cache(pp, netmem);",
         "\t\tnet_mp_netmem_place_in_cache(pp, netmem);"),
        (PROVIDER, "\t\tnet_mp_niov_set_page_pool(pp, niov);\n",
         "\t\tnet_mp_niov_set_page_pool(pp, niov);\n" + BAD_ACCOUNTING),
    ]),
    ("net/core: comment the accounting helper", [
        ("net/core/page_pool.c", "static void page_pool_account_netmem(",
         "/* Every netmem handed out is accounted here. */\nstatic void page_pool_account_netmem("),
    ]),
    ("io_uring/zcopy: name the area lookup", [
        (PROVIDER, "\tstruct net_iov_area *owner = net_iov_owner(niov);\n\n\treturn container_of(owner,",
         "\tstruct net_iov_area *nia = net_iov_owner(niov);\n\n\treturn container_of(nia,"),
    ]),
]


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True,
                          env={**os.environ, **GIT_ENV}, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr.decode()}"
    return done.stdout.decode()


def apply_edits(repo: Path, edits) -> None:
    for path, old, new in edits:
        target = repo / path
        text = target.read_text()
        assert text.count(old) == 1, f"{path}: edit anchor not unique: {old!r}"
        target.write_text(text.replace(old, new))


@dataclass
class KernelRepo:
    path: Path
    base: str
    commits: list[str]     # the series, oldest first

    def line_of(self, commit: str, path: str, text: str) -> int:
        """The 1-based line holding `text` in `path` as of `commit` (it must be unique)."""
        lines = git(self.path, "show", f"{commit}:{path}").split("\n")
        hits = [n for n, line in enumerate(lines, 1) if text in line]
        assert len(hits) == 1, f"{text!r} in {path}@{commit[:12]}: lines {hits}"
        return hits[0]


def make_kernel_repo(where: Path, series=FIVE_COMMITS) -> KernelRepo:
    repo = where / "linux"
    shutil.copytree(FIXTURES / "tree", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base: the fixture tree")
    base = git(repo, "rev-parse", "HEAD").strip()
    commits = []
    for subject, edits in series:
        apply_edits(repo, edits)
        git(repo, "commit", "-q", "-a", "-m", subject)
        commits.append(git(repo, "rev-parse", "HEAD").strip())
    return KernelRepo(repo, base, commits)
