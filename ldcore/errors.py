"""Domain errors: what went wrong, in words a person can act on."""

from __future__ import annotations

from pydantic import ValidationError


class LDAlignError(Exception):
    """Base of every error LD Align reports to a person instead of a traceback."""


class NotFound(LDAlignError):
    pass


class Invalid(LDAlignError):
    """Input refused; `problems` lists (field path, message) pairs so forms can show each next to its field."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class Conflict(LDAlignError):
    pass


class AccessDenied(LDAlignError):
    pass


class Busy(LDAlignError):
    """The database stayed locked (or out of reach) longer than the caller was willing to wait; try again."""


def field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def problems_of(error: ValidationError) -> list[tuple[str, str]]:
    """(path, message) per problem; a model-level check names its path inside the message itself."""
    out = []
    for e in error.errors():
        msg = e["msg"].removeprefix("Value error, ")
        out.append((field_path(e["loc"]), msg))
    return out


def describe(error: ValidationError) -> str:
    return "; ".join(f"{path}: {msg}" if path else msg for path, msg in problems_of(error))


def invalid_from(error: ValidationError, what: str = "input") -> Invalid:
    return Invalid(f"Invalid {what}: {describe(error)}", problems_of(error))
