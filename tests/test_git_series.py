"""`series` over a git range and `check` over the same commits exported with format-patch
agree: the same findings, on the same lines, blamed on the same commit."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile

import pytest

from helpers import run, run_json
from kernel_repo import BAD_ACCOUNTING, GIT_ENV, PROVIDER, git, make_kernel_repo


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def kernel(tmp_path):
    return make_kernel_repo(tmp_path)


def _expected(kernel):
    bad = kernel.commits[2]
    return {
        (bad, PROVIDER, kernel.line_of(bad, PROVIDER, BAD_ACCOUNTING.strip()), "ZCX101"),
        (bad, PROVIDER, kernel.line_of(bad, PROVIDER, "net_mp_netmem_place_in_cache(pp, netmem);"), "ZCX201"),
    }


def _found(doc) -> set:
    return {(f["patch"]["commit"], f["path"], f["line"], f["code"]) for f in doc["findings"]}


def _comparable(doc) -> list:
    return [(f["patch"]["index"], f["patch"]["commit"], f["patch"]["subject"], f["path"], f["line"],
             f["column"], f["end_line"], f["end_column"], f["code"], f["message"]) for f in doc["findings"]]


def test_series_blames_exactly_the_bad_commit(kernel):
    code, doc = run_json(["series", f"{kernel.base}..HEAD", "-C", kernel.path])
    assert code == 1
    assert _found(doc) == _expected(kernel)
    assert [p["commit"] for p in doc["summary"]["per_patch"]] == kernel.commits
    assert [p["verdict"] for p in doc["summary"]["per_patch"]] == ["pass", "pass", "fail", "pass", "pass"]
    assert doc["summary"]["partial"] == []      # every commit is read against whole files
    assert doc["kernel"] == "6.18"              # from the Makefile at the base


def test_format_patch_export_gives_the_same_findings(kernel, tmp_path):
    _, from_git = run_json(["series", f"{kernel.base}..HEAD", "-C", kernel.path])
    out = tmp_path / "out"
    git(kernel.path, "format-patch", "-q", f"--base={kernel.base}", "-o", str(out), f"{kernel.base}..HEAD")
    patches = sorted(out.glob("*.patch"))
    assert len(patches) == 5
    # The base from the mails' base-commit: trailer, inside the repository.
    code, out_text, err = run(["check", *patches, "--format", "json"], cwd=kernel.path)
    assert code == 1, err
    assert _comparable(json.loads(out_text)) == _comparable(from_git)
    # The base as a directory, as a reviewer with a checkout at the base would give it.
    base_dir = tmp_path / "base"
    archive = git_archive(kernel.path, kernel.base)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(base_dir, filter="data")
    _, with_tree = run_json(["check", *patches, "--tree", base_dir])
    assert _comparable(with_tree) == _comparable(from_git)


def git_archive(repo, rev) -> bytes:
    return subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", rev],
                          capture_output=True, check=True).stdout


@pytest.mark.parametrize("spec", ["{bad}", "{base}...HEAD", "HEAD~3..HEAD~2", "{bad}~1..{bad}"])
def test_range_forms(kernel, spec):
    bad = kernel.commits[2]
    code, doc = run_json(["series", spec.format(bad=bad, base=kernel.base), "-C", kernel.path])
    assert code == 1
    assert _found(doc) == _expected(kernel)


def test_a_clean_range_and_an_empty_one(kernel):
    assert run(["series", "HEAD~2..HEAD", "-C", kernel.path])[0] == 0
    code, out, err = run(["series", "HEAD..HEAD", "-C", kernel.path])
    assert code == 0 and "no non-merge commits" in err


def test_text_names_each_commit_like_checkpatch_git_mode(kernel):
    code, out, _ = run(["series", f"{kernel.base}..HEAD", "-C", kernel.path])
    assert code == 1
    banners = [line for line in out.splitlines() if line.startswith("Commit ") and '("' in line]
    subjects = git(kernel.path, "log", "--reverse", "--format=%h %s", "--abbrev=12", f"{kernel.base}..HEAD")
    assert banners == [f'Commit {h} ("{s}")' for h, s in (ln.split(" ", 1) for ln in subjects.splitlines())]
    assert "5 patches: 1 with errors, 0 with warnings, 4 clean" in out


def test_merges_are_skipped(kernel):
    git(kernel.path, "checkout", "-q", "-b", "side", kernel.commits[0])
    (kernel.path / "README").write_text("side branch\n")
    git(kernel.path, "add", "README")
    git(kernel.path, "commit", "-q", "-m", "side: a readme")
    git(kernel.path, "checkout", "-q", "main")
    git(kernel.path, "merge", "-q", "--no-edit", "side")
    _, doc = run_json(["series", f"{kernel.base}..HEAD", "-C", kernel.path])
    assert len(doc["summary"]["per_patch"]) == 6
    assert _found(doc) == _expected(kernel)


@pytest.mark.parametrize("args, problem", [
    (["series", "nosuchref..HEAD"], "unknown revision 'nosuchref'"),
    (["series", "HEAD", "-C", "/"], "not inside a git repository"),
    (["series", "-C", "REPO", "--", "-x"], "not a revision range"),
])
def test_bad_ranges_are_one_line_errors(kernel, args, problem):
    args = [{"/": str(kernel.path.parent), "REPO": str(kernel.path)}.get(a, a) for a in args]
    if "-C" not in args:
        args += ["-C", str(kernel.path)]
    code, out, err = run(args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and problem in err, err


def test_staged_lints_the_index_against_head(kernel):
    target = kernel.path / PROVIDER
    good = target.read_text()
    target.write_text(good.replace("\t\tnet_mp_niov_set_page_pool(pp, niov);\n",
                                   "\t\tnet_mp_niov_set_page_pool(pp, niov);\n\t\tpp->alloc.count = 0;\n"))
    # Not staged yet: nothing to lint.
    code, _, err = run(["staged", "-C", kernel.path])
    assert code == 0 and "nothing staged" in err
    git(kernel.path, "add", PROVIDER)
    code, doc = run_json(["staged", "-C", kernel.path])
    assert code == 1
    line = target.read_text().split("\n").index("\t\tpp->alloc.count = 0;") + 1
    assert {(f["path"], f["line"], f["code"]) for f in doc["findings"]} == {(PROVIDER, line, "ZCX102")}
    assert doc["summary"]["partial"] == []
    # Narrowed to other paths, the change is not looked at.
    assert run(["staged", "-C", kernel.path, "net/core/page_pool.c"])[0] == 0
    # The work tree fixed but not staged: the commit would still carry the bad line.
    target.write_text(good)
    assert run(["staged", "-C", kernel.path])[0] == 1
    git(kernel.path, "add", PROVIDER)
    assert run(["staged", "-C", kernel.path])[0] == 0
