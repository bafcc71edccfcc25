"""The command line contract of DESIGN.md: JSON shape, exit codes, the text report,
stdin, series order, the target kernel and the scope rule."""

from __future__ import annotations

import json
import re

from helpers import FIXTURES, command, run, run_json

DEMO = sorted((FIXTURES / "demo").glob("*.patch"))
TREE = FIXTURES / "tree"


def test_json_shape_is_the_design_contract():
    code, doc = run_json(["check", *DEMO])
    assert code == 1
    assert set(doc) == {"tool", "kernel", "findings", "summary"}
    assert doc["tool"] == {"name": "zcrxlint", "version": "0.1.0"}
    assert set(doc["summary"]) == {"errors", "warnings", "infos", "patches", "files", "partial",
                                   "coverage", "per_patch", "baselined", "unparsed"}
    assert (doc["summary"]["patches"], doc["summary"]["files"]) == (5, 2)
    first = doc["findings"][0]
    assert set(first) == {"code", "name", "severity", "path", "line", "column", "end_line",
                          "end_column", "function", "message", "patch"}
    assert first["patch"] == {"index": 2, "subject": "io_uring/zcopy_rx: fill the alloc cache from the freelist",
                              "source": str(DEMO[1]), "commit": _envelope_commit(DEMO[1])}
    assert (first["code"], first["name"], first["function"], first["line"], first["column"]) == \
        ("ZCX104", "pp-private-helper", "zrx_refill", 25, 3)
    assert first["end_column"] == 36    # exclusive, as in SARIF


def _envelope_commit(patch) -> str:
    """The commit git format-patch wrote on the mbox `From ` line."""
    return patch.read_text().split()[1]


def test_per_patch_verdicts_for_ci():
    _, doc = run_json(["check", *DEMO])
    verdicts = [(p["index"], p["commit"], p["verdict"], p["errors"], p["warnings"], p["infos"])
                for p in doc["summary"]["per_patch"]]
    counted = [tuple(sum(f["severity"] == s for f in doc["findings"] if f["patch"]["index"] == index)
                     for s in ("error", "warning", "info")) for index in range(1, 6)]
    assert [v[0] for v in verdicts] == [1, 2, 3, 4, 5]
    assert [v[1] for v in verdicts] == [_envelope_commit(p) for p in DEMO]
    assert [v[3:] for v in verdicts] == counted
    assert [v[2] for v in verdicts] == ["pass", "fail", "pass", "fail", "warn"]


def test_a_file_created_earlier_in_the_series_is_analysed_whole():
    _, whole = run_json(["check", *DEMO])
    assert whole["summary"]["partial"] == []
    _, alone = run_json(["check", *DEMO[1:]])
    assert {p["path"] for p in alone["summary"]["partial"]} == {"io_uring/zcopy_rx.c", "io_uring/zcopy_rx.h"}
    assert all("hunks only" in p["reason"] for p in alone["summary"]["partial"])


def test_exit_status_follows_fail_on():
    last = DEMO[-1]            # one warning (ZCX105) and one info (ZCX107)
    assert run(["check", DEMO[0]])[0] == 0
    assert run(["check", last])[0] == 1
    assert run(["check", last, "--fail-on", "error"])[0] == 0
    assert run(["check", last, "--fail-on", "info"])[0] == 1
    assert run(["check", *DEMO, "--fail-on", "never"])[0] == 0


def test_text_report_points_into_the_patch_like_checkpatch():
    code, out, _ = run(["check", DEMO[3]])
    assert code == 1
    blocks = re.findall(r"^(ERROR|WARNING|CHECK):(ZCX\d{3}): .*\n#(\d+): FILE: (\S+):(\d+):\n(.*)$", out, re.M)
    assert [(b[0], b[1], b[3], b[4]) for b in blocks] == [
        ("WARNING", "ZCX103", "io_uring/zcopy_rx.c", "50"), ("ERROR", "ZCX102", "io_uring/zcopy_rx.c", "51")]
    patch_lines = DEMO[3].read_text().split("\n")
    for _, _, number, _, _, shown in blocks:
        assert patch_lines[int(number) - 1] == shown
    assert "total: 1 errors, 1 warnings, 0 checks, 60 lines checked" in out


def test_clean_patch_says_so():
    code, out, _ = run(["check", DEMO[2]])
    assert code == 0
    assert "total: 0 errors, 0 warnings, 0 checks" in out
    assert "has no obvious page_pool memory-provider problems." in out


def test_unchanged_line_blamed_shows_file_position_only():
    series = FIXTURES / "series" / "tree-edit"
    _, out, _ = run(["check", *sorted(series.glob("*.patch")), "--tree", TREE])
    assert "ERROR:ZCX102: c->alloc.cache written by hand" in out
    assert "\nFILE: io_uring/zcrx_edit_base.c:42:\n \tc->alloc.cache[c->alloc.count++] = netmem;" in out


def test_scope_all_reports_old_findings_in_touched_functions():
    patch = sorted((FIXTURES / "series" / "tree-edit").glob("*.patch"))
    _, new = run_json(["check", *patch, "--tree", TREE])
    _, every = run_json(["check", *patch, "--tree", TREE, "--scope", "all"])
    lines = lambda doc: sorted((f["line"], f["code"]) for f in doc["findings"])  # noqa: E731
    assert lines(new) == [(31, "ZCX101"), (42, "ZCX102")]
    assert lines(every) == [(29, "ZCX101"), (31, "ZCX101"), (42, "ZCX102")]


def test_stdin_is_the_same_as_the_file():
    data = DEMO[1].read_bytes()
    result = command(["check", "-", "--format", "json"], stdin=data)
    assert result.returncode == 1, result.stderr
    from_stdin = json.loads(result.stdout)
    _, from_file = run_json(["check", DEMO[1]])
    strip = lambda doc: [(f["path"], f["line"], f["code"]) for f in doc["findings"]]  # noqa: E731
    assert strip(from_stdin) == strip(from_file) == [("io_uring/zcopy_rx.c", 25, "ZCX104"),
                                                      ("io_uring/zcopy_rx.c", 26, "ZCX101")]
    assert from_stdin["findings"][0]["patch"]["source"] == "<stdin>"


def test_mbox_series_is_put_in_counter_order(tmp_path):
    mbox = tmp_path / "reversed.mbox"
    mbox.write_bytes(DEMO[1].read_bytes() + b"\n" + DEMO[0].read_bytes())
    _, doc = run_json(["check", mbox])
    assert {(f["patch"]["index"], f["patch"]["source"]) for f in doc["findings"]} == {(2, f"{mbox}#1")}
    assert doc["summary"]["partial"] == []


def test_crlf_patch_reads_like_lf(tmp_path):
    crlf = tmp_path / "crlf.patch"
    crlf.write_bytes(DEMO[1].read_bytes().replace(b"\n", b"\r\n"))
    _, doc = run_json(["check", crlf])
    assert [(f["line"], f["code"]) for f in doc["findings"]] == [(25, "ZCX104"), (26, "ZCX101")]


def test_target_kernel_choice():
    assert run_json(["check", *DEMO])[1]["kernel"] == "7.1"                       # mail date 2026-03
    assert run_json(["check", *DEMO, "--kernel", "6.16"])[1]["kernel"] == "6.16"  # explicit
    mail = FIXTURES / "series" / "mail-qp" / "0001-qpv.eml"
    assert run_json(["check", mail])[1]["kernel"] == "6.15"                       # 2025-02-14
    edit = sorted((FIXTURES / "series" / "tree-edit").glob("*.patch"))
    assert run_json(["check", *edit, "--tree", TREE])[1]["kernel"] == "6.18"      # Makefile
    plain = FIXTURES / "series" / "plain-diff" / "xmp.diff"
    assert run_json(["check", plain])[1]["kernel"] == "7.1"                       # newest known


def test_partial_parse_still_reports_and_is_listed():
    _, doc = run_json(["files", TREE / "io_uring" / "zcrx_broken.c"])
    assert doc["summary"]["partial"] == [
        {"path": "io_uring/zcrx_broken.c", "patch": None, "kind": "parse",
         "reason": "parse errors at line 10: 15 of 17 lines parsed (88.2%)"}]
    # The stray tokens of line 10 and the `{` before it that no block took; the healthy
    # function after them, which error recovery wraps in the same ERROR node, is parsed.
    assert doc["summary"]["coverage"] == [
        {"path": "io_uring/zcrx_broken.c", "patch": None, "lines": 17, "parsed_lines": 15,
         "percent": 88.2, "functions": 2, "partial_functions": 1}]
    assert [(f["line"], f["code"]) for f in doc["findings"]] == [
        (10, "ZCX901"), (11, "ZCX101"), (16, "ZCX101")]


def test_rules_and_explain():
    code, out, _ = run(["rules"])
    assert code == 0
    assert re.search(r"^ZCX101\s+pp-private-field\s+error\s", out, re.M)
    by_code, by_name = run(["explain", "ZCX102"]), run(["explain", "pp-alloc-cache-write"])
    assert by_code == by_name and by_code[0] == 0
    assert "net_mp_netmem_place_in_cache(" in by_code[1].split("\nInstead:\n")[1]


# ---- checkpatch.pl's output flags, which b4 and CI scripts pass ---------------------------

def _findings(args):
    _, doc = run_json(args)
    return doc["findings"]


def test_terse_is_one_line_per_finding_then_the_total():
    findings = _findings(["check", *DEMO])
    code, out, _ = run(["check", *DEMO, "--terse", "-q"])
    assert code == 1
    lines = out.splitlines()
    shown = [ln for ln in lines if re.match(r"^(ERROR|WARNING|CHECK):ZCX\d{3}: ", ln)]
    assert [ln.split(":")[1] for ln in shown] == [f["code"] for f in findings]
    # -q: totals only for patches with findings, no verdicts, no banners.
    assert [ln for ln in lines if ln not in shown] == [
        ln for ln in lines if ln.startswith("total: ")]
    assert len([ln for ln in lines if ln.startswith("total: ")]) == 3


def test_b4_line_protocol_showfile_terse_no_summary_mailback():
    """b4 prep's check command: exactly one `path:line: LEVEL:CODE: msg` line per finding,
    and nothing at all for a clean patch."""
    _, doc = run_json(["check", DEMO[3]])
    code, out, _ = run(["check", DEMO[3], "--terse", "--showfile", "--no-summary", "--mailback"])
    assert code == 1
    assert out.splitlines() == [
        f"{f['path']}:{f['line']}: {f['severity'].upper()}:{f['code']}: {f['message']}" for f in doc["findings"]
    ] + ["NOTE: patch 4/5 was checked without the 3 patches before it, so it was read from its hunks "
         "and without the helpers the series adds: for the whole series, run zcrxlint check with "
         "patches 1-5 in order"]
    code, out, _ = run(["check", DEMO[0], "--terse", "--showfile", "--no-summary", "--mailback"])
    assert (code, out) == (0, "")


def test_emacs_prefixes_the_input_and_its_line():
    code, out, _ = run(["check", DEMO[3], "--emacs", "--terse", "--no-summary"])
    numbers = re.findall(r"^(\S+):(\d+): (?:ERROR|WARNING):ZCX\d{3}: ", out, re.M)
    assert [n[0] for n in numbers] == [str(DEMO[3])] * 2
    _, blocks, _ = run(["check", DEMO[3]])
    assert [n[1] for n in numbers] == re.findall(r"^#(\d+): FILE:", blocks, re.M)
    # Standard input is named "-", as checkpatch names it (b4 strips a leading "-:").
    piped = command(["check", "-", "--emacs", "--terse", "--no-summary"], stdin=DEMO[3].read_bytes())
    assert re.findall(r"^-:(\d+): ", piped.stdout.decode(), re.M) == [n[1] for n in numbers]


def test_showfile_keeps_the_source_line_but_drops_the_patch_line():
    code, out, _ = run(["check", DEMO[3], "--showfile", "--no-summary"])
    blocks = re.findall(r"^(\S+):(\d+): (?:ERROR|WARNING):ZCX\d{3}: .*\n(.*)\n", out, re.M)
    assert [(b[0], b[1]) for b in blocks] == [("io_uring/zcopy_rx.c", "50"), ("io_uring/zcopy_rx.c", "51")]
    assert all(b[2].startswith("+") for b in blocks) and "FILE:" not in out and "total:" not in out
