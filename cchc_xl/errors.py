"""The one error hierarchy: every failure a user can be told about, mapped to an exit code in cli.py.

``CchcError`` and its kinds carry Vietnamese sentences only (``problems``); anything else that escapes a
command is an internal error (exit 3, "please report it"), never disguised as unusable input (exit 2).
"""

from __future__ import annotations


class CchcError(Exception):
    """A failure we can describe to the user; ``problems`` lists every Vietnamese sentence."""

    exit_code = 2

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))

    @property
    def message(self) -> str:
        return "\n".join(self.problems)

    def __reduce__(self):  # keep the fields when pickled across a process pool
        return (type(self), (self.problems,))


class UnusableInput(CchcError):
    """A file we cannot or must not read. ``kind`` is a stable kebab-case id; ``message`` is Vietnamese."""

    def __init__(self, kind: str, message: str, path: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (type(self), (self.kind, self.message, self.path))


class DataError(CchcError):
    """A data file, expected list, rating-class table or previous result has problems (all listed)."""


class CatalogError(CchcError):
    """A form catalog or scoring framework is wrong, or names something that does not exist."""


class UsageError(CchcError):
    """Options that cannot go together, or an output that cannot be what was asked for."""


class WriteRefused(CchcError):
    """The package has a shape the surgical writer does not edit safely; the message is the detail."""

    def __init__(self, message: str):
        super().__init__(message)

    def __reduce__(self):
        return (type(self), (self.message,))


class OutputRefused(CchcError):
    """An output cannot be written: it exists (no ``--force``) or it is one of the inputs."""
