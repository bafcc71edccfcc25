"""The limits that bound a run's memory (zcrxlint/limits.py): dropping models changes no
answer, and what each limit leaves out is listed exactly, never passed over in silence.
The sizes at which the limits bite are measured by bench/memory.py, not here."""

from __future__ import annotations

import pytest

from helpers import FIXTURES, run_json, series_args, series_inputs
from zcrxlint import limits
from zcrxlint.images import ImageSource
from zcrxlint.inputs import _decode_pieces, read_series
from zcrxlint.patch import DiffLine, DiffLines, Hunk

SERIES = FIXTURES / "series"
DEMO = sorted((FIXTURES / "demo").glob("*.patch"))


def _report(args: list) -> tuple[list, list]:
    _, doc = run_json(args)
    findings = [(f["patch"]["index"], f["path"], f["line"], f["code"], f["message"]) for f in doc["findings"]]
    return findings, doc["summary"]["partial"]


@pytest.mark.parametrize("directory", ["provider-15", "every-family", "hunk-only-carried",
                                       "tree-edit", "driver-name-guesses", "demo"])
def test_models_dropped_and_built_again_give_the_same_report(directory, monkeypatch):
    where = FIXTURES / "demo" if directory == "demo" else SERIES / directory
    args = ["check", *(DEMO if directory == "demo" else series_inputs(where)), *series_args(where)]
    kept = _report(args)
    monkeypatch.setattr(limits, "LIVE_MODEL_BYTES", 0)     # every model but the last two dropped
    assert _report(args) == kept
    assert kept[0], "the series must have findings for the comparison to mean anything"


def _new_text_by_patch() -> list[int]:
    """How much image text each demo patch adds to what the run has analysed."""
    seen, added = set(), []
    source = ImageSource(None)
    for patch in read_series([str(p) for p in DEMO]).patches:
        size = 0
        for change in patch.files:
            imgs = source.images(change)
            for image in (imgs.pre, imgs.post):
                if image is not None and (image.path, image.text) not in seen:
                    seen.add((image.path, image.text))
                    size += len(image.text)
        added.append(size)
    return added


def test_the_run_limit_lists_the_files_past_it(monkeypatch):
    # Room for the images of patches 1 and 2: patch 2's findings are reported, and each
    # file of patches 3 to 5 is listed as not analysed.
    monkeypatch.setattr(limits, "MAX_RUN_BYTES", sum(_new_text_by_patch()[:2]))
    findings, partial = _report(["check", *DEMO])
    assert [(f[0], f[2], f[3]) for f in findings] == [(2, 25, "ZCX104"), (2, 26, "ZCX101"), (2, 27, "ZCX201")]
    assert [(p["patch"], p["path"], p["kind"]) for p in partial if p["kind"] != "context"] == [
        (3, "io_uring/zcopy_rx.c", "unread"), (4, "io_uring/zcopy_rx.c", "unread"),
        (4, "io_uring/zcopy_rx.h", "unread"), (5, "io_uring/zcopy_rx.c", "unread")]
    assert all(p["reason"].startswith("the run has analysed ") for p in partial if p["kind"] == "unread")


def test_a_file_past_the_file_limit_is_not_analysed(monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 64)
    findings, partial = _report(["check", *DEMO])
    assert findings == []
    assert [(p["patch"], p["path"]) for p in partial] == [
        (1, "io_uring/zcopy_rx.c"), (1, "io_uring/zcopy_rx.h"), (2, "io_uring/zcopy_rx.c"),
        (3, "io_uring/zcopy_rx.c"), (4, "io_uring/zcopy_rx.c"), (4, "io_uring/zcopy_rx.h"),
        (5, "io_uring/zcopy_rx.c")]
    assert {p["kind"] for p in partial} == {"unread"}
    assert all(p["reason"].endswith(" of C, over the 64 bytes zcrxlint analyses per file") for p in partial)


def test_the_findings_limit_stops_the_run_and_says_where(monkeypatch):
    full, _ = _report(["check", *DEMO])
    monkeypatch.setattr(limits, "MAX_FINDINGS", 1)
    findings, partial = _report(["check", *DEMO])
    assert findings == full[:1] and findings[0][:4] == (2, "io_uring/zcopy_rx.c", 25, "ZCX104")
    assert [(p["patch"], p["path"]) for p in partial if p["kind"] == "budget"] == [
        (2, "io_uring/zcopy_rx.c"), (3, "(all files)"), (4, "(all files)"), (5, "(all files)")]


def test_hunk_lines_held_compactly_read_back_as_written():
    written = (DiffLine(" ", "{", 9, 9, 20), DiffLine("-", "\tx = 0;", 10, None, 21),
               DiffLine("+", "\tx = 1;", None, 10, 22), DiffLine("+", "", None, 11, 24),
               DiffLine(" ", "}", 0, 0, 25))
    hunk = Hunk(9, 3, 9, 4, "", written)
    assert isinstance(hunk.lines, DiffLines)
    assert tuple(hunk.lines) == written and len(hunk.lines) == 5
    assert hunk.lines[-1] == written[-1] and hunk.lines[1:3] == list(written[1:3])
    assert hunk == Hunk(9, 3, 9, 4, "", written) and hunk != Hunk(9, 3, 9, 4, "", written[:4])
    with pytest.raises(IndexError):
        hunk.lines[5]


def test_a_wide_character_widens_only_its_own_piece_and_moves_no_line(tmp_path):
    plain = DEMO[1].read_text()
    wide = plain.replace("\n\n", "\n\nThe ring is full 🚀.\n", 1)
    (tmp_path / "wide.patch").write_text(wide)
    (tmp_path / "plain.patch").write_text(plain)
    with_emoji, _ = _report(["check", tmp_path / "wide.patch"])
    without, _ = _report(["check", tmp_path / "plain.patch"])
    assert [f[1:] for f in with_emoji] == [f[1:] for f in without] and without
    pieces = _decode_pieces(wide.encode() + b"diff --git a/x.c b/x.c\n")
    assert [max(map(ord, piece)) > 0xFF for piece in pieces] == [True, False, False]
