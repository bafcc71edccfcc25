"""Errors that stop a run: each becomes one line on stderr and exit status 2."""

import re


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


def read_user_file(path, what: str) -> str:
    """A file the user named (configuration, facts, baseline) as text, or an InputError
    naming it; `what` says what it was meant to be."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(USER_FILE_LIMIT + 1)
        if len(data) > USER_FILE_LIMIT:
            raise InputError(str(path), f"larger than {USER_FILE_LIMIT >> 20} MB: not a {what}")
        return data.decode("utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), f"the {what} is not UTF-8 text") from None


def load_user_toml(path, what: str) -> dict:
    import tomllib
    try:
        return tomllib.loads(read_user_file(path, what))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML: {exc}") from None
