"""Size limits that keep a run's memory bounded whatever it is handed.

A model (tree-sitter's tree and the views built on it) costs about 80 bytes per byte of C.
A file past MAX_FILE_BYTES is not analysed: semgrep's default limit is 1 MB, and the largest
page_pool user in 6.12 (a driver's main file) is 448 KB. A run builds models of at most
MAX_RUN_BYTES of C images in all, and holds at most LIVE_MODEL_BYTES of them at once; the
others are built again when asked for. A file's part of a diff past MAX_FILE_DIFF_BYTES is
not read: its images could not be within MAX_FILE_BYTES (a line costs its prefix and
newline, and a diff may remove every line and add them again).
"""

MAX_FILE_BYTES = 1 << 20
MAX_FILE_DIFF_BYTES = 4 * MAX_FILE_BYTES + (64 << 10)
MAX_RUN_BYTES = 16 << 20
LIVE_MODEL_BYTES = 1 << 20
# A run reports this many findings at most, then stops, as a compiler stops at its error
# limit: past it a reviewer reads none of them, and each costs memory until the report.
MAX_FINDINGS = 10_000


def mib(size: int) -> str:
    """`size` bytes for a reader: 64 bytes, 12 KiB, 1 MiB, 4.1 MiB."""
    if size < 1 << 10:
        return f"{size} bytes"
    if size < 1 << 20:
        return f"{size >> 10} KiB"
    return f"{size >> 20} MiB" if not size % (1 << 20) else f"{size / (1 << 20):.1f} MiB"


def file_too_large(size: int) -> str | None:
    """Why a file of `size` bytes is not analysed, or None when it is within the limit."""
    if size <= MAX_FILE_BYTES:
        return None
    return f"{mib(size)} of C, over the {mib(MAX_FILE_BYTES)} zcrxlint analyses per file"


def too_many_findings(left: int) -> str:
    return (f"the run stopped at {MAX_FINDINGS:,} findings (zcrxlint's limit): {left:,} more in "
            "this file and the files after it were not analysed; fix these and run again")
