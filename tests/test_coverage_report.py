"""What a person reads first are the objections: coverage is said once per run, ZCX901 only
when asked for, reply sections only for objections, verdicts agree with the exit status."""

from __future__ import annotations

import re

import pytest

from helpers import FIXTURES, run, run_json
from kernel_repo import git

DEMO = sorted((FIXTURES / "demo").glob("*.patch"))
HUNK_ONLY = sorted((FIXTURES / "series" / "hunk-only").glob("*.patch"))
BROKEN = FIXTURES / "tree" / "io_uring" / "zcrx_broken.c"
NAPI_READS = FIXTURES / "tree" / "io_uring" / "zcrx_napi_reads.c"
FINDING = re.compile(r"^(ERROR|WARNING|CHECK):ZCX\d{3}: ", re.M)


def _notes(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("NOTE: ")]


def test_text_says_coverage_in_one_closing_line_and_per_file_with_v():
    _, doc = run_json(["check", *HUNK_ONLY])
    assert {p["kind"] for p in doc["summary"]["partial"]} == {"context", "parse"}
    _, out, _ = run(["check", *HUNK_ONLY])
    assert _notes(out) == ["NOTE: 1 file analysed in part: 1 read from its hunks only (run inside a "
                           "kernel checkout at the series' base, or pass --tree DIR), 1 not parsed in "
                           "full; -v lists each"]
    lines = out.splitlines()
    assert lines.index(_notes(out)[0]) > max(i for i, ln in enumerate(lines) if FINDING.match(ln))
    _, verbose, _ = run(["check", *HUNK_ONLY, "-v"])
    per_file = [f"NOTE: {p['path']} analysed in part: {p['reason']}" for p in doc["summary"]["partial"]]
    assert _notes(verbose) == per_file + [_notes(out)[0].removesuffix("; -v lists each")]


def test_a_parse_note_only_where_a_check_could_fire(tmp_path):
    """A header holding none of the checks' tokens may fail to parse: no note about it; the
    same macro in a file that names page_pool is noted."""
    repo = tmp_path / "linux"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "commit", "-q", "--allow-empty", "-m", "base")
    unparsable = "ACME_UAPI_STRUCT(acme_ring) ]] {{ ;\n"
    (repo / "include/uapi/linux").mkdir(parents=True)
    (repo / "include/uapi/linux/acme_ring.h").write_text("#define ACME_RING_MAGIC 0x41\n" + unparsable)
    (repo / "drivers/net/acme").mkdir(parents=True)
    (repo / "drivers/net/acme/acme_pool.c").write_text(
        "#include <net/page_pool/helpers.h>\n\nstatic struct page_pool *acme_pool;\n" + unparsable)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "acme: add the ring")
    patch = git(repo, "format-patch", "-1", "-o", str(tmp_path / "out")).strip()
    _, doc = run_json(["check", patch])
    assert [(p["kind"], p["path"]) for p in doc["summary"]["partial"]] == [
        ("parse", "drivers/net/acme/acme_pool.c")]


def test_zcx901_only_when_asked_for_and_counted_in_the_note():
    code, out, _ = run(["files", BROKEN])
    assert code == 1 and not re.search(r"^CHECK:ZCX901:", out, re.M)
    assert _notes(out) == ["NOTE: 1 file analysed in part: 1 not parsed in full; 1 function parsed in "
                           "part (ZCX901); -v lists each"]
    for asked in (["-v"], ["--select", "ZCX901,ZCX101"]):
        _, shown, _ = run(["files", BROKEN, *asked])
        assert re.search(r"^CHECK:ZCX901: could not parse all of", shown, re.M), asked
    # Asked for, it counts for --fail-on like any other finding.
    assert run(["files", BROKEN, "--select", "ZCX901", "--fail-on", "info"])[0] == 1
    _, doc = run_json(["files", BROKEN])
    assert "ZCX901" in [f["code"] for f in doc["findings"]]


def test_zcx901_alone_does_not_fail_fail_on_info_unless_asked_for(tmp_path):
    only_901 = tmp_path / "io_uring" / "zcrx_parse.c"
    only_901.parent.mkdir()
    only_901.write_text(BROKEN.read_text().replace("\tpp->pages_state_hold_cnt++; // expect: ZCX101/error\n", "")
                        .replace("\tpp->user_cnt.refs.counter = 1; // expect: ZCX101/error\n", ""))
    _, doc = run_json(["files", only_901])
    assert [f["code"] for f in doc["findings"]] == ["ZCX901"]
    code, out, _ = run(["files", only_901, "--fail-on", "info"])
    assert code == 0 and "has no obvious page_pool memory-provider problems in what could be read." in out
    code, out, _ = run(["files", only_901, "--fail-on", "info", "-v"])
    assert code == 1 and "has page_pool memory-provider problems, please review." in out


def test_files_verdict_counts_the_files_at_or_above_fail_on():
    tree = FIXTURES / "tree"
    _, doc = run_json(["files", tree])
    for fail_on, level in (("warning", 2), ("error", 3)):
        rank = {"info": 1, "warning": 2, "error": 3}
        failing = {f["path"] for f in doc["findings"] if rank[f["severity"]] >= level and f["code"] != "ZCX901"}
        code, out, _ = run(["files", tree, "--fail-on", fail_on])
        assert code == 1
        assert f"\n{len(failing)} of {doc['summary']['files']} files have page_pool memory-provider " \
               "problems, please review.\n" in out
    code, out, _ = run(["files", tree, "--fail-on", "never"])
    assert code == 0
    assert re.search(r"\n\d+ files have no obvious page_pool memory-provider problems in what could be "
                     r"read \(\d+ findings, --fail-on never\)\.\n", out), out


def test_a_patch_with_only_checks_passes_and_says_so():
    code, out, _ = run(["check", *DEMO[:3], DEMO[4], "--select", "ZCX107"])
    assert code == 0
    assert "has no obvious page_pool memory-provider problems (1 finding, none at or above " \
           "--fail-on warning)." in out


def test_reply_sections_only_for_objections_and_coverage_on_stderr():
    code, out, err = run(["check", *HUNK_ONLY, "--format", "reply"])
    assert code == 1
    assert out.startswith("Re: [PATCH] ")
    assert "zcrxlint could" not in out and "in part" not in out
    assert err.splitlines() == ["zcrxlint: 1 file analysed in part: 1 read from its hunks only (run inside a "
                                "kernel checkout at the series' base, or pass --tree DIR), 1 not parsed in full"]
    # A clean patch has no section, whatever could not be read in it.
    code, out, _ = run(["check", DEMO[0], "--format", "reply"])
    assert not out.startswith("Re:")


def test_reply_keeps_the_subject_as_posted(tmp_path):
    posted = tmp_path / "v3-0002.patch"
    posted.write_text(DEMO[1].read_text().replace("Subject: [PATCH 2/5] ", "Subject: [PATCH net-next v3 02/15] "))
    _, out, _ = run(["check", posted, "--format", "reply"])
    assert out.splitlines()[0] == \
        "Re: [PATCH net-next v3 02/15] io_uring/zcopy_rx: fill the alloc cache from the freelist"


def test_reply_one_comment_per_objection_in_a_function_listing_its_lines():
    _, doc = run_json(["files", NAPI_READS])
    napi = [f["line"] for f in doc["findings"] if f["code"] == "ZCX107"]
    assert len(napi) == 3
    _, out, _ = run(["files", NAPI_READS, "--format", "reply"])
    assert out.count("[zcrxlint ZCX107 pp-historic-param]") == 1
    comment = " ".join(out.split("[zcrxlint ZCX101 pp-private-field]")[1].split())
    assert f"(Lines {napi[0]}, {napi[1]} and {napi[2]}.)" in comment
    assert all(f"> io_uring/zcrx_napi_reads.c:{line}:" in out for line in napi)


def test_zcx101_words_a_read_apart_from_a_write():
    _, doc = run_json(["files", NAPI_READS])
    read = next(f["message"] for f in doc["findings"] if f["code"] == "ZCX101")
    assert read.startswith("pp->pages_state_hold_cnt read outside page_pool: ")
    assert "say why the provider needs it: page_pool_get_stats()" in read
    assert "net_mp_niov_set_page_pool" not in read and "unbalances" not in read
    _, doc = run_json(["check", *DEMO])
    write = next(f["message"] for f in doc["findings"] if f["code"] == "ZCX101")
    assert write.startswith("pp->pages_state_hold_cnt written outside page_pool: ")
    assert write.endswith("; use net_mp_niov_set_page_pool()")


def test_github_annotates_findings_only(tmp_path):
    _, out, _ = run(["check", *HUNK_ONLY, "--format", "github"])
    annotations = [ln for ln in out.splitlines() if ln.startswith("::") and not ln.startswith("::group")
                   and ln != "::endgroup::"]
    _, doc = run_json(["check", *HUNK_ONLY])
    assert len(annotations) == len([f for f in doc["findings"] if f["code"] != "ZCX901"])
    assert out.splitlines()[-1].endswith("; 1 file analysed in part: 1 read from its hunks only (run inside a "
                                         "kernel checkout at the series' base, or pass --tree DIR), 1 not "
                                         "parsed in full")


def test_explain_suggests_the_nearest_code_or_name():
    code, _, err = run(["explain", "pp-private-feild"])
    assert code == 2
    assert err == ("zcrxlint: pp-private-feild: no such code or name; did you mean ZCX101 "
                   "(pp-private-field)? (see 'zcrxlint rules')\n")


def test_files_help_says_what_tree_is_there():
    _, out, _ = run(["files", "--help"])
    assert "series' base" not in out
    assert "The kernel tree the files belong to" in " ".join(out.split())


def test_the_demo_is_free_of_fixture_markers():
    for patch in DEMO:
        assert "expect:" not in patch.read_text(), patch.name


REAL_CORPUS = FIXTURES.parent.parent / "shared" / "corpus" / "io-uring"


def _real_series(holding: str) -> list:
    for line in (REAL_CORPUS / "series.tsv").read_text().splitlines()[1:]:
        _, files = line.split("\t")
        if holding in files:
            return [REAL_CORPUS / f for f in files.split()]
    raise AssertionError(holding)


@pytest.mark.skipif(not (REAL_CORPUS / "series.tsv").is_file(), reason="no ../shared/corpus/io-uring beside the clone")
def test_real_series_objections_first_and_no_reply_without_them():
    v1 = _real_series("patches/0076-ef9505f0088c.patch")
    _, out, _ = run(["check", *v1])
    lines = out.splitlines()
    before = lines[:next(i for i, ln in enumerate(lines) if FINDING.match(ln))]
    frame = re.compile(r"^(Patch \d+/\d+ \(.*\) from \S+|total: .*|\S+ has no obvious page_pool memory-provider "
                       r"problems( in what could be read)?\.|)$")
    assert [ln for ln in before if not frame.match(ln)] == []
    assert len(_notes(out)) == 1
    _, reply, _ = run(["check", *v1, "--format", "reply"])
    assert re.findall(r"(?m)^Re: .*", reply) == [
        "Re: [PATCH v1 11/15] io_uring/zcrx: implement zerocopy receive pp memory provider",
        "Re: [PATCH v1 12/15] io_uring/zcrx: add io_recvzc request"]
    _, reply, _ = run(["check", *_real_series("patches/0198-d2566050a819.patch"), "--format", "reply"])
    assert "Re:" not in reply
