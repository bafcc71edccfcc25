"""Errors that stop a run: each becomes one line on stderr and exit status 2."""


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


def read_user_file(path, what: str) -> str:
    """A file the user named (configuration, facts, baseline) as text, or an InputError
    naming it; `what` says what it was meant to be."""
    try:
        return path.read_text(encoding="utf-8")
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
