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
