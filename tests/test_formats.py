"""--format github (workflow annotations) and --format reply (a review to paste)."""

from __future__ import annotations

import re
import subprocess

from helpers import FIXTURES, run, run_json

from zcrxlint.report.github_report import ANNOTATIONS_PER_LEVEL, _data, _property
from zcrxlint.report.reply_report import plain_words

DEMO = sorted((FIXTURES / "demo").glob("*.patch"))
ANNOTATION = re.compile(r"^::(error|warning|notice) (file=[^:]*?)::(.*)$")


def _props(text: str) -> dict:
    return dict(item.split("=", 1) for item in text.split(","))


def _images(tmp_path, patches) -> list[list[str]]:
    """io_uring/zcopy_rx.c after each patch of the demo (index 0: after patch 1)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    images = []
    for patch in patches:
        subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, check=True)
        images.append((tmp_path / "io_uring/zcopy_rx.c").read_text().split("\n"))
    return images


def test_github_annotations_point_at_the_lines_of_the_last_patch(tmp_path):
    _, doc = run_json(["check", *DEMO])
    code, out, _ = run(["check", *DEMO, "--format", "github"])
    assert code == 1
    images = _images(tmp_path, DEMO)
    lines = out.splitlines()
    assert lines[0] == "::group::zcrxlint: io_uring/zcopy_rx.c" and lines[-2] == "::endgroup::"
    annotations = [ANNOTATION.match(line) for line in lines[1:-2]]
    assert all(annotations) and len(annotations) == len(doc["findings"])
    moved = 0
    for match, finding in zip(annotations, doc["findings"]):
        level, props, message = match.group(1), _props(match.group(2)), match.group(3)
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[finding["severity"]]
        assert props["title"].startswith(f"{finding['code']} {finding['name']} (commit ")
        own_line = images[finding["patch"]["index"] - 1][finding["line"] - 1]
        if "line" in props:
            # The annotated line of the final file is the finding's line, wherever it moved.
            line = int(props["line"])
            assert finding["message"] == message
            assert images[-1][line - 1] == own_line
            moved += line != finding["line"]
        else:
            # Patch 5 rewrote the line ZCX201 of patch 2 was on: a file-level annotation.
            assert finding["code"] == "ZCX201" and finding["patch"]["index"] == 2
            assert own_line not in images[-1]
            assert message.endswith(f"(line {finding['line']} in commit {finding['patch']['commit'][:12]}; "
                                    "patch 5 changed it since)")
    assert moved == 2, "patch 3 moved patch 2's findings down"
    assert lines[-1] == "zcrxlint: 8 findings (5 errors, 2 warnings, 1 notices) in 1 file, kernel facts 7.1"


def test_github_caps_annotations_per_level_and_says_so():
    _, doc = run_json(["files", FIXTURES / "tree"])
    _, out, _ = run(["files", FIXTURES / "tree", "--format", "github"])
    lines = out.splitlines()
    counts = {level: sum(1 for line in lines if line.startswith(f"::{level} ")) for level in
              ("error", "warning", "notice")}
    # Only findings are annotated; ZCX901 (a function parsed in part) only when asked for.
    findings = [f for f in doc["findings"] if f["code"] != "ZCX901"]
    partly_parsed = len(doc["findings"]) - len(findings)
    assert partly_parsed > 0
    errors = sum(1 for f in findings if f["severity"] == "error")
    warnings = sum(1 for f in findings if f["severity"] == "warning")
    infos = sum(1 for f in findings if f["severity"] == "info")
    assert errors > ANNOTATIONS_PER_LEVEL and warnings > ANNOTATIONS_PER_LEVEL
    assert 0 < infos <= ANNOTATIONS_PER_LEVEL
    assert counts == {"error": ANNOTATIONS_PER_LEVEL, "warning": ANNOTATIONS_PER_LEVEL, "notice": infos}
    logged = [line for line in lines if re.match(r"^[\w/.-]+\.[ch]:(\d+:\d+|\(was line \d+\)): ", line)]
    assert not [line for line in lines if "analysed in part" in line and not line.startswith("zcrxlint: ")]
    held_back = len(findings) - 2 * ANNOTATIONS_PER_LEVEL - infos
    assert len(logged) == held_back
    partial_files = len({p["path"] for p in doc["summary"]["partial"]})
    assert partial_files > 1
    assert lines[-1].endswith(f"; {held_back} not annotated (GitHub shows {ANNOTATIONS_PER_LEVEL} of each "
                              f"level per step): they are in the groups above; {partial_files} files analysed "
                              f"in part: {partial_files} not parsed in full; {partly_parsed} functions parsed "
                              "in part (ZCX901)")
    groups = [line for line in lines if line.startswith("::group::")]
    assert len(groups) == len({f["path"] for f in doc["findings"]})


def test_github_escapes_what_workflow_commands_would_misread():
    assert _data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert _property("a:b,c") == "a%3Ab%2Cc"


def test_reply_quotes_the_lines_then_writes_the_comment(tmp_path):
    _, doc = run_json(["check", *DEMO])
    images = _images(tmp_path, DEMO)
    code, out, _ = run(["check", *DEMO, "--format", "reply"])
    assert code == 1
    sections = re.split(r"(?m)^(?=Re: \[PATCH )", out)
    assert sections[0] == ""
    subjects = {p["index"]: p["subject"] for p in doc["summary"]["per_patch"]}
    assert [s.split("\n", 1)[0] for s in sections[1:]] == \
        [f"Re: [PATCH {i}/5] {subjects[i]}" for i in (2, 4, 5)]
    for section, index in zip(sections[1:], (2, 4, 5)):
        lines = section.rstrip("\n").split("\n")
        assert lines[1] == "" and lines[2] == "> diff --git a/io_uring/zcopy_rx.c b/io_uring/zcopy_rx.c"
        assert lines[3].startswith("> @@ -")
        previous_tag = 0
        for finding in (f for f in doc["findings"] if f["patch"]["index"] == index):
            tag = lines.index(f"[zcrxlint {finding['code']} {finding['name']}]", previous_tag)
            own_line = images[index - 1][finding["line"] - 1]
            quoted = [i for i, line in enumerate(lines[:tag]) if line.startswith("> ")]
            assert any(lines[i][3:] == own_line for i in quoted), \
                f"{finding['code']}: its line is not quoted above the comment"
            start = max(quoted[-1], previous_tag) + 1
            comment = " ".join(line for line in lines[start:tag] if line)
            assert comment == plain_words(finding["message"])
            assert all(len(line) <= 72 for line in lines[start:tag])
            previous_tag = tag + 1
    assert "Please use net_mp_niov_set_page_pool()." in out


def test_plain_words_makes_sentences_and_asks_politely():
    assert plain_words("pp->x written outside page_pool: it is private; use foo()") == \
        "pp->x written outside page_pool. It is private. Please use foo()."
    assert plain_words("could not parse all of f() (first problem); findings may be missing") == \
        "Could not parse all of f() (first problem); findings may be missing."


def test_reply_for_a_clean_series_says_there_is_nothing_to_reply():
    code, out, _ = run(["check", DEMO[0], "--format", "reply"])
    assert code == 0
    assert out == "zcrxlint: nothing to reply: no page_pool memory-provider problems in 1 patch.\n"
