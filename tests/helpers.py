"""Run zcrxlint in-process or as the installed command, and read fixture expectations."""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import json
import mailbox
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import unidiff

from zcrxlint.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

EXPECT = re.compile(r"expect:\s*(ZCX\d{3}(?:/[a-z]+)?(?:\s*,\s*ZCX\d{3}(?:/[a-z]+)?)*)")
TRAILER = re.compile(r"^Zcrxlint-Expect:\s*(\S+):(\d+)\s+(ZCX\d{3}(?:/[a-z]+)?)\s*$", re.M)
HEADER_ARGS = re.compile(r"^// zcrxlint-test:\s*(.*)$", re.M)


def run(args: list[str], cwd: Path = REPO) -> tuple[int, str, str]:
    """zcrxlint in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def run_json(args: list[str]) -> tuple[int, dict]:
    code, out, err = run([*args, "--format", "json"])
    assert code in (0, 1), f"zcrxlint {' '.join(map(str, args))} exited {code}: {err}"
    return code, json.loads(out)


def command(args: list[str], cwd: Path = REPO, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The installed console script, as users and hooks run it."""
    env = {k: v for k, v in os.environ.items() if k != "ZCRXLINT_DEBUG"}
    return subprocess.run(["zcrxlint", *map(str, args)], cwd=cwd, input=stdin,
                          capture_output=True, env=env, timeout=60)


def parse_codes(text: str) -> list[tuple[str, str | None]]:
    out = []
    for item in re.split(r"\s*,\s*", text.strip()):
        code, _, severity = item.partition("/")
        out.append((code, severity or None))
    return out


def file_expectations(text: str) -> list[tuple[int, str, str | None]]:
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        m = EXPECT.search(line)
        if m:
            found.extend((number, code, sev) for code, sev in parse_codes(m.group(1)))
    return found


def header_args(text: str) -> list[str]:
    m = HEADER_ARGS.search(text)
    return m.group(1).split() if m else []


# ---- series fixtures: decoded with the standard library, independently of zcrxlint --------

def _message_texts(path: Path) -> list[str]:
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        messages = list(mailbox.mbox(str(path)))
    elif re.match(rb"^[A-Za-z-]+: ", raw):
        messages = [email.message_from_bytes(raw, policy=email.policy.default)]
    else:
        return [raw.decode()]
    texts = []
    for msg in messages:
        body = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_type() in ("text/plain", "text/x-patch"):
                body.append(part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8"))
        text = "\n".join(body).replace("\r\n", "\n")
        if re.search(r"(?m)^diff --git ", text):
            texts.append(text)
    return texts


# Files of a series directory that are not its input: extra arguments, and the findings of a
# series whose lines carry no marker (`N path:line CODE/severity` per line, # comments).
SERIES_SIDE_FILES = ("args", "expect")


def series_inputs(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.is_file() and p.name not in SERIES_SIDE_FILES)


def _listed_expectations(directory: Path) -> Counter:
    listed = Counter()
    expect_file = directory / "expect"
    if expect_file.exists():
        for line in expect_file.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                index, where, codes = line.split()
                path, _, number = where.rpartition(":")
                for code, sev in parse_codes(codes):
                    listed[(int(index), path, int(number), code, sev)] += 1
    return listed


def series_args(directory: Path) -> list[str]:
    args_file = directory / "args"
    return args_file.read_text().split() if args_file.exists() else []


def series_expectations(directory: Path) -> Counter:
    expected = _listed_expectations(directory)
    index = 0
    for path in series_inputs(directory):
        for text in _message_texts(path):
            index += 1
            diff = text[re.search(r"(?m)^diff --git ", text).start():]
            for pfile in unidiff.PatchSet(diff):
                for hunk in pfile:
                    for line in hunk:
                        m = EXPECT.search(line.value) if line.is_added else None
                        if m:
                            for code, sev in parse_codes(m.group(1)):
                                expected[(index, pfile.path, line.target_line_no, code, sev)] += 1
            for m in TRAILER.finditer(text):
                for code, sev in parse_codes(m.group(3)):
                    expected[(index, m.group(1), int(m.group(2)), code, sev)] += 1
    return expected


def compare(expected: Counter, actual: Counter, label) -> list[str]:
    """Missing and unexpected findings; an expectation without severity matches any."""
    actual = actual.copy()
    problems = []
    for key, count in sorted(expected.items(), key=lambda kv: str(kv[0])):
        *where, code, sev = key
        for _ in range(count):
            match = next((a for a in actual if actual[a] > 0 and list(a[:-2]) == where and a[-2] == code
                          and (sev is None or a[-1] == sev)), None)
            if match is None:
                problems.append(f"missing: {label(where)} {code}{'/' + sev if sev else ''}")
            else:
                actual[match] -= 1
    for key, count in actual.items():
        *where, code, sev = key
        problems.extend([f"unexpected: {label(where)} {code}/{sev}"] * count)
    return problems
