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
