#!/usr/bin/env python3
"""Peak memory and time of `zcrxlint check` on inputs built to be as heavy as their size allows.

    python bench/memory.py               # 100 MB inputs: prints the table (bench/run.py records it)
    python bench/memory.py --size 2      # the same shapes at 2 MB (the test suite runs this)

Each input is made in a temporary directory from kernel-like C of our own, every function
holding tokens the checks look for, so nothing is skipped by the prefilter:
  - new files: one patch creating files of 100 KB;
  - small files: one patch creating files of 4 KB;
  - one file's diff: one patch whose single file is the whole input;
  - growing file: a series (one mbox) of patches each adding 100 KB to the same file, so
    that every image is larger than the last (the images sum to the square of the input);
  - archive: an mbox of reviewers' replies, then the patch.
The target (issue 18): a peak under 500 MB for any input of up to 100 MB.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import measure  # noqa: E402  (bench/ is not a package)

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 500

FUNCTION = ("static int acme_fill_{n}(struct page_pool *pp, struct net_iov *niov)\n{{\n"
            "\tint held = pp->alloc.count;\n\n\tif (held > {n})\n\t\tpp->alloc.cache[held] = 0;\n"
            "\treturn page_pool_dma_sync_for_device(pp, niov, {n});\n}}\n\n")
MAIL = ("From {sha} Mon Sep 17 00:00:00 2001\nFrom: Ada <ada@example.org>\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0000\nSubject: [PATCH {n}/{m}] net/acme: fill the ring\n\n"
        "Fill the ring.\n---\n")
REPLY = ("From rae@example.org Mon Mar  2 11:00:00 2026\nFrom: Rae <rae@example.org>\n"
         "Subject: Re: [PATCH] net/acme: fill the ring\nMessage-ID: <r{n}@example.org>\n\n"
         + "> the provider holds the buffer until the ring returns it\n" * 20 + "\nWhy?\n\n")


def c_text(size: int, first: int = 0) -> tuple[list[str], int]:
    """Lines of C functions adding up to about `size` bytes, and the next function number."""
    parts, total, n = [], 0, first
    while total < size:
        part = FUNCTION.format(n=n)
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts).splitlines(), n


def new_file(path: str, lines: list[str]) -> str:
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1234567\n"
            f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n"
            + "".join(f"+{line}\n" for line in lines))


def mail(n: int, m: int, diff: str) -> str:
    return MAIL.format(sha=f"{n:040x}", n=n, m=m) + diff + "-- \n2.43.0\n\n"


def new_files(size: int, each: int) -> str:
    count = max(1, size // each)
    return mail(1, 1, "".join(new_file(f"net/acme/fill_{k}.c", c_text(each)[0]) for k in range(count)))


def growing_file(size: int, each: int = 100_000) -> str:
    count, out, length, n = max(1, size // each), [], 0, 0
    for k in range(1, count + 1):
        lines, n = c_text(each, n)
        if k == 1:
            diff = new_file("net/acme/fill.c", lines)
        else:
            diff = ("diff --git a/net/acme/fill.c b/net/acme/fill.c\nindex 1234567..89abcde 100644\n"
                    "--- a/net/acme/fill.c\n+++ b/net/acme/fill.c\n"
                    f"@@ -{length},1 +{length},{len(lines) + 1} @@\n {''}\n"
                    + "".join(f"+{line}\n" for line in lines))
        out.append(mail(k, count, diff))
        length += len(lines)
    return "".join(out)


def archive(size: int) -> str:
    reply_size = len(REPLY.format(n=0))
    replies = "".join(REPLY.format(n=n) for n in range(max(1, size // reply_size)))
    return replies + mail(1, 1, new_file("net/acme/fill.c", c_text(4_000)[0]))


SHAPES = {
    "new files (100 KB each)": (lambda size: new_files(size, 100_000), "patch"),
    "small files (4 KB each)": (lambda size: new_files(size, 4_000), "patch"),
    "one file's diff": (lambda size: mail(1, 1, new_file("net/acme/fill.c", c_text(size)[0])), "patch"),
    "growing file (100 KB a patch)": (growing_file, "mbox"),
    "archive of replies, then the patch": (archive, "mbox"),
}


def rows(size_mb: float) -> list[dict]:
    """One row per shape: input size, time, peak memory, exit status and what was left out."""
    out = []
    with tempfile.TemporaryDirectory(prefix="zcrxlint-memory-") as work:
        for name, (make, suffix) in SHAPES.items():
            path = Path(work) / f"input.{suffix}"
            path.write_text(make(int(size_mb * 1_000_000)))
            seconds, peak_kb, output, status, stderr = measure(
                [sys.executable, "-m", "zcrxlint", "check", str(path), "--format", "json",
                 "--time-budget", "0"], REPO, ok=(0, 1, 2))
            if status == 2 and (output.strip() or len(stderr.splitlines()) != 1):
                sys.exit(f"bench: {name}: exit 2 must be one stderr line and no report: {stderr[-500:]}")
            doc = json.loads(output) if status != 2 else {"summary": {}}
            partial = doc["summary"].get("partial", [])
            out.append({"shape": name, "input_mb": path.stat().st_size / 1e6, "seconds": seconds,
                        "peak_mb": peak_kb / 1024, "status": status, "findings": len(doc.get("findings", [])),
                        "left_out": sum(1 for p in partial if p["kind"] in ("unread", "budget")),
                        "refusal": stderr.strip().split(": ", 2)[-1] if status == 2 else ""})
            path.unlink()
    return out


def table(measured: list[dict]) -> list[str]:
    lines = ["| input | size | time | peak memory | exit | findings | entries left out (unread, budget) | under 500 MB |",
             "|---|---|---|---|---|---|---|---|"]
    for row in measured:
        lines.append(f"| {row['shape']} | {row['input_mb']:.1f} MB | {row['seconds']:.1f} s | "
                     f"{row['peak_mb']:.0f} MB | {row['status']} | {row['findings']} | {row['left_out']} | "
                     f"{'yes' if row['peak_mb'] < TARGET_MB else 'NO'} |")
    refused = [f"- {row['shape']}: {row['refusal']}" for row in measured if row["refusal"]]
    return lines + ([""] + refused if refused else [])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=float, default=100.0, help="input size in MB (default 100)")
    args = parser.parse_args(argv)
    measured = rows(args.size)
    print("\n".join(table(measured)))
    return 0 if all(row["peak_mb"] < TARGET_MB for row in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
