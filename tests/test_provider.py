"""What the provider findings say depends on the target kernel."""

from __future__ import annotations

from helpers import FIXTURES, run_json

INVERTED = sorted((FIXTURES / "provider" / "302-inverted-guard").glob("*.patch"))


def _message(kernel: str) -> str:
    _, doc = run_json(["check", *INVERTED, "--tree", FIXTURES / "tree", "--kernel", kernel])
    (finding,) = doc["findings"]
    assert doc["kernel"] == kernel and finding["code"] == "ZCX302"
    return finding["message"]


def test_the_suggested_proof_exists_in_the_target_kernel():
    assert "net_is_devmem_iov(niov)" in _message("6.15")
    assert "NET_IOV_DMABUF" not in _message("6.15")        # niov->type came in 6.16
    assert "niov->type == NET_IOV_DMABUF" in _message("6.18")


LEARNED = sorted((FIXTURES / "provider" / "learned-helper-6.14").glob("*.patch"))


def _by_code(args) -> dict[str, str]:
    _, doc = run_json(["check", *args, "--tree", FIXTURES / "tree"])
    return {f["code"]: f["message"] for f in doc["findings"]}


def test_a_helper_the_series_adds_to_page_pool_is_the_advice_where_the_kernel_lacks_one():
    on_614 = _by_code([*LEARNED, "--kernel", "6.14"])
    assert on_614["ZCX101"].endswith(
        "use page_pool_mp_account_niov(), which patch 1 adds to net/core/page_pool.c")
    assert "hand it over with page_pool_mp_place_synced(), which syncs" in on_614["ZCX201"]
    # 6.15 has the sanctioned helper itself.
    on_615 = _by_code([*LEARNED, "--kernel", "6.15"])
    assert on_615["ZCX101"].endswith("use net_mp_niov_set_page_pool()")
    # Without the patch that adds the helpers, 6.14 has nothing to point to but the future.
    alone = _by_code([LEARNED[2], "--kernel", "6.14"])
    assert alone["ZCX101"].endswith("use net_mp_niov_set_page_pool(), which arrived in 6.15: 6.14 lacks "
                                     "it, so add it to page_pool first")


RFC = sorted((FIXTURES / "provider" / "rfc-own-provider-api").glob("*.patch"))


def test_a_series_older_than_the_facts_is_told_once_which_rules_were_left_out():
    _, doc = run_json(["check", *RFC])
    notes = [n for n in doc["summary"]["partial"] if n["kind"] == "kernel"]
    assert doc["kernel"] == "6.12" and len(notes) == 1 and notes[0]["patch"] == 1
    assert "older than 6.12" in notes[0]["reason"] and "ZCX104" in notes[0]["reason"]
    _, doc = run_json(["check", *RFC, "--kernel", "6.12"])       # a release named is judged
    assert not [n for n in doc["summary"]["partial"] if n["kind"] == "kernel"]
    assert {f["code"] for f in doc["findings"]} == {"ZCX104", "ZCX109"}
