"""Adopting zcrxlint on a tree with findings: a baseline, then only what is new."""

from __future__ import annotations

import json
import shutil

from helpers import FIXTURES, run, run_json

DEMO = sorted((FIXTURES / "demo").glob("*.patch"))
ACME = "drivers/net/ethernet/acme/acme_rx.c"


def _tree(tmp_path):
    root = tmp_path / "linux"
    shutil.copytree(FIXTURES / "tree", root)
    return root


def test_write_a_baseline_add_one_bad_line_and_only_that_line_is_reported(tmp_path):
    tree = _tree(tmp_path)
    baseline = tmp_path / "zcrxlint-baseline.json"
    code, out, err = run(["files", tree, "--write-baseline", baseline])
    _, before = run_json(["files", tree])
    assert code == 0 and out == ""
    assert err == f"zcrxlint: {baseline}: baseline of {len(before['findings'])} findings written\n"
    assert len(before["findings"]) > 20

    code, doc = run_json(["files", tree, "--baseline", baseline])
    assert code == 0 and doc["findings"] == [] and doc["summary"]["baselined"] == len(before["findings"])

    # Shift every line of the file, then add one bad line: a copy of a line the baseline
    # already holds, in the same function, so only the count tells it is new.
    src = tree / ACME
    lines = src.read_text().split("\n")
    known = next(i for i, line in enumerate(lines) if "netmem_set_pp(" in line)
    lines.insert(known + 1, lines[known].replace(" // expect: ZCX104/error", ""))
    src.write_text("/* a new header comment */\n\n" + "\n".join(lines))
    code, doc = run_json(["files", tree, "--baseline", baseline])
    assert code == 1
    assert [(f["path"], f["line"], f["code"]) for f in doc["findings"]] == [(ACME, known + 4, "ZCX104")]

    code, out, _ = run(["files", tree, "--baseline", baseline])
    assert f"FILE: {ACME}:{known + 4}:" in out and f"{len(before['findings'])} known findings" in out


def test_a_baseline_works_for_a_series_too(tmp_path):
    from kernel_repo import make_kernel_repo
    repo = make_kernel_repo(tmp_path)
    baseline = tmp_path / "b.json"
    assert run(["series", f"{repo.base}..HEAD", "-C", repo.path, "--write-baseline", baseline])[0] == 0
    code, doc = run_json(["series", f"{repo.base}..HEAD", "-C", repo.path, "--baseline", baseline])
    assert code == 0 and doc["findings"] == []
    entries = json.loads(baseline.read_text())["findings"]
    assert {e["code"] for e in entries} == {"ZCX101", "ZCX201"}
    assert all(":" in e["fingerprint"] for e in entries)


def test_a_bad_baseline_file_is_an_error_naming_it(tmp_path):
    tree = _tree(tmp_path)
    bad = tmp_path / "b.json"
    for text, problem in [("{", "bad JSON"), ('{"tool": "other"}', "not a zcrxlint baseline"),
                          ('{"tool": "zcrxlint", "format": 7, "findings": []}', "baseline format 7"),
                          ('{"tool": "zcrxlint", "format": 1, "findings": [{}]}', "lacks its fingerprint")]:
        bad.write_text(text)
        code, out, err = run(["files", tree, "--baseline", bad])
        assert code == 2 and out == "" and err.startswith(f"zcrxlint: {bad}: ") and problem in err
    code, _, err = run(["files", tree, "--baseline", tmp_path / "missing.json"])
    assert code == 2 and "cannot read the baseline" in err


def test_a_baseline_of_a_huge_integer_or_of_dev_zero_is_refused_naming_it(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text('{"tool": "zcrxlint", "format": 1, "findings": [' + "9" * 5000 + "]}")
    for baseline, problem in [(bad, "not a zcrxlint baseline"), ("/dev/zero", "larger than 64 MB")]:
        code, out, err = run(["check", DEMO[0], "--baseline", baseline])
        assert (code, out) == (2, "") and err.startswith(f"zcrxlint: {baseline}: ") and problem in err
        assert err.count("\n") == 1


def test_write_baseline_never_overwrites_what_is_not_a_baseline(tmp_path):
    """The patch it reads or the C file it lints, named by mistake, is left as it was."""
    patch = tmp_path / "p.patch"
    patch.write_bytes(DEMO[0].read_bytes())
    source = tmp_path / "acme.c"
    source.write_text("static void acme_zc(struct page_pool *pp)\n{\n\tpp->pages_state_hold_cnt++;\n}\n")
    for args, victim in [(["check", patch], patch), (["files", source], source)]:
        before = victim.read_bytes()
        code, out, err = run([*args, "--write-baseline", victim])
        assert (code, out) == (2, "")
        assert err == (f"zcrxlint: {victim}: --write-baseline: the file exists and is not a zcrxlint "
                       "baseline; it is not overwritten (remove it, or name a new file)\n")
        assert victim.read_bytes() == before


def test_a_failed_baseline_write_leaves_the_old_baseline_whole(tmp_path):
    """A write cut short (here by a file size limit, as a full disk would) renames nothing
    over the old baseline and leaves no temporary file."""
    import resource
    import subprocess
    import sys
    baseline = tmp_path / "b.json"
    code, _, _ = run(["check", *DEMO, "--write-baseline", baseline])
    assert code == 0
    old = baseline.read_bytes()
    baseline.write_bytes(old.replace(b'"findings": [', b'"findings": [\n', 1))   # tell it apart
    kept = baseline.read_bytes()

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(old) // 2, len(old) // 2))

    done = subprocess.run([sys.executable, "-m", "zcrxlint", "check", *map(str, DEMO),
                           "--write-baseline", str(baseline)], capture_output=True, preexec_fn=small_files)
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().startswith(f"zcrxlint: {baseline}: cannot write the baseline: ")
    assert baseline.read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json"]
