"""Domain errors: what went wrong, in words a person can act on."""

from __future__ import annotations

from typing import Any

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


# What a pattern asks for, in words (a person never sees the regular expression).
PATTERN_WORDS = {
    r"^[a-z0-9][a-z0-9_\-]*$": "Use lower-case letters, digits, - and _ only, starting with a letter or digit "
    "(e.g. sales-emea).",
    r"^[a-z][a-z0-9_]*$": "Use lower-case letters, digits and _ only, starting with a letter (e.g. csat_survey).",
    r"^[A-Z]{3}$": "Use a three-letter currency code such as EUR, USD or GBP.",
}


def _in_words(e: Any) -> str:
    """pydantic's message for one problem, with the library's wording replaced where a person would stumble."""
    ctx, kind = e.get("ctx") or {}, e["type"]
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "Required: fill this in."
    if kind == "string_too_short":
        return f"Too short: at least {ctx['min_length']} characters."
    if kind == "string_too_long":
        return f"Too long: at most {ctx['max_length']} characters."
    if kind == "string_pattern_mismatch":
        return PATTERN_WORDS.get(ctx.get("pattern", ""), "Contains characters that are not allowed here.")
    if kind == "literal_error":
        return f"Use one of: {ctx.get('expected', '').replace(chr(39), '')}."
    if kind == "extra_forbidden":
        return "Not a field LD Align knows; remove it."
    return e["msg"].removeprefix("Value error, ")


def problems_of(error: ValidationError) -> list[tuple[str, str]]:
    """(path, message) per problem, in words a person can act on; a model-level check names its path inside the
    message itself."""
    return [(field_path(e["loc"]), _in_words(e)) for e in error.errors()]


def describe(error: ValidationError) -> str:
    return "; ".join(f"{path}: {msg}" if path else msg for path, msg in problems_of(error))


def invalid_from(error: ValidationError, what: str = "input") -> Invalid:
    return Invalid(f"Invalid {what}: {describe(error)}", problems_of(error))
