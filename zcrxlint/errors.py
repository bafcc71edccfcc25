"""Errors that stop a run: each becomes one line on stderr and exit status 2."""

import io
import os
import re
import stat


class ZcrxlintError(Exception):
    """A run that cannot be done as asked; str() is the one-line reason."""


class UsageError(ZcrxlintError):
    """A bad option, or facts that cannot be loaded."""


class InputError(ZcrxlintError):
    """An input that cannot be read or is not what it claims; the message names it."""

    def __init__(self, source: str, problem: str):
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


# Characters a report must not pass on raw from an input: C0 and C1 controls (a newline
# in a path would start a line of its own, an ESC would drive the terminal) but the tab.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Input-derived text (a path, a subject, a source line) as a report may print it:
    control characters become escapes such as `\\n` and `\\x1b`."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


# The most a configuration, facts or baseline file may hold: a bound on the memory and
# time of reading one, whatever the user names (/dev/zero included).
USER_FILE_LIMIT = 64 << 20


def read_bounded(fh, limit: int) -> bytes:
    """At most `limit` + 1 bytes of an open binary file: a regular file in one read of its
    size, anything else (a pipe, /dev/zero) a MiB at a time; read(limit + 1) would take the
    whole limit's memory at once, whatever the file holds."""
    try:
        info = os.fstat(fh.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        info = None
    chunks, total = [], 0
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_size <= limit:
        chunks.append(fh.read(info.st_size + 1))
        total = len(chunks[0])
        if total <= info.st_size:
            return chunks[0]
    while total <= limit:           # not a regular file, or one that grew since
        chunk = fh.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_user_file(path, what: str) -> str:
    """A file the user named (configuration, facts, baseline) as text, or an InputError
    naming it; `what` says what it was meant to be."""
    try:
        with open(path, "rb") as fh:
            data = read_bounded(fh, USER_FILE_LIMIT)
        if len(data) > USER_FILE_LIMIT:
            raise InputError(str(path), f"larger than {USER_FILE_LIMIT >> 20} MB: not a {what}")
        return data.decode("utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), f"the {what} is not UTF-8 text") from None


# tomllib's time is quadratic in the parts of a dotted key, and its stack in nesting:
# deeper or longer than any configuration or facts file needs is refused before parsing.
TOML_MAX_DEPTH = 64
TOML_MAX_KEY_PARTS = 64
_TOML_BRACKETS = re.compile(r"[\[\]{}]")


def _toml_shape_problem(text: str) -> str | None:
    depth = deepest = 0
    for m in _TOML_BRACKETS.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest > TOML_MAX_DEPTH:
        return f"arrays or tables nested {deepest} deep (zcrxlint reads up to {TOML_MAX_DEPTH})"
    for number, line in enumerate(text.split("\n"), 1):
        if line.split("=", 1)[0].count(".") >= TOML_MAX_KEY_PARTS:
            return f"line {number}: a key of more than {TOML_MAX_KEY_PARTS} dotted parts"
    return None


def load_user_toml(path, what: str) -> dict:
    import tomllib
    text = read_user_file(path, what)
    problem = _toml_shape_problem(text)
    if problem:
        raise InputError(str(path), f"not a {what}: {problem}")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(str(path), f"not a {what}: nested deeper than the TOML parser follows") from None
