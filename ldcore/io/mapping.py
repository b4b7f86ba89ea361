"""Columns of an export matched to a wave's questions, and cells turned into answers.

A column maps by a question's key or text, case and spacing ignored (a text Qualtrics shortened with `...` matches
by its beginning). A per-capability question maps one column per capability: `Question [Row]` (Google Forms, native,
SurveyMonkey), `Question - Row` (Qualtrics, Microsoft Forms) or `Question.Row` (Microsoft Forms), the row being the
capability's key or name, or `key_capability`. A SurveyMonkey multi-select column `Question [Option]` maps to that
option. A column can also be mapped by hand (`overrides`: a header or export tag such as `Q3_1` → `key` or
`key[capability]`, empty for "do not import"), for tools that repeat the same question text.
Scales take numbers or labels; the words for "not applicable" and the labels or codes the survey or the import
declares as no answer (`-99`, `Unfamiliar (N/A)`) are stored as no answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ldcore.io.tables import Column, normalise
from ldcore.survey_defs import NOT_APPLICABLE, Question, SurveyDefinition

NOT_APPLICABLE_WORDS = {"not applicable", "n/a", "na", "n.a.", "not needed"}
TRUNCATED = "..."
MIN_PREFIX = 12


@dataclass(frozen=True)
class Target:
    question: Question
    capability: str | None = None  # capability key, for per-capability questions
    option: str | None = None  # one option of a multi-choice question spread over columns

    def describe(self) -> str:
        return (
            self.question.key
            + (f"[{self.capability}]" if self.capability else "")
            + (f" = {self.option}" if self.option else "")
        )


class UnknownValue(ValueError):
    """A cell that is not on the question's scale or among its options (the import may treat it as no answer)."""


class Matcher:
    def __init__(
        self, definition: SurveyDefinition, capabilities: list[tuple[str, str]], overrides: dict[str, str] | None = None
    ):
        self.questions = definition.questions
        self.capabilities = {normalise(k): k for k, _ in capabilities}
        self.capabilities.update({normalise(name): k for k, name in capabilities})
        self.overrides = {normalise(k): v for k, v in (overrides or {}).items()}
        self.override_names = {normalise(k): k for k in overrides or {}}

    def _question(self, label: str) -> Question | None:
        n = normalise(label)
        for q in self.questions:
            if n in (q.key, normalise(q.text)):
                return q
        if n.endswith(TRUNCATED) and len(n) - len(TRUNCATED) >= MIN_PREFIX:
            prefix = n[: -len(TRUNCATED)].rstrip()
            found = [q for q in self.questions if normalise(q.text).startswith(prefix)]
            if len(found) == 1:
                return found[0]
        return None

    def _row(self, base: str, row: str) -> Target | None:
        q = self._question(base)
        if q is None:
            return None
        if q.rows_per_capability:
            cap = self.capabilities.get(normalise(row))
            return Target(q, capability=cap) if cap else None
        if q.type == "multi_choice":
            option = next((o for o in q.options or [] if normalise(o) == normalise(row)), None)
            return Target(q, option=option) if option else None
        return None

    def target(self, label: str) -> Target | None:
        q = self._question(label)
        if q is not None and not q.rows_per_capability:
            return Target(q)
        grid = re.fullmatch(r"(.*)\[(.*)\]\s*", label, flags=re.S)
        if grid and (found := self._row(grid.group(1), grid.group(2))):
            return found
        for at in (m.start() for m in re.finditer(r"[-.]", label)):
            if found := self._row(label[:at], label[at + 1 :]):
                return found
        for q in self.questions:
            if q.rows_per_capability:
                for sep in ("_", ":"):
                    head, _, rest = normalise(label).partition(sep)
                    if head == q.key and rest in self.capabilities:
                        return Target(q, capability=self.capabilities[rest])
        return None

    def _override(self, column: Column) -> str | None:
        return next(
            (self.overrides[n] for n in map(normalise, [column.header, *column.labels]) if n in self.overrides), None
        )

    def map_columns(self, columns: list[Column]) -> tuple[dict[int, Target], list[Column]]:
        """(column index → target) and the question-like columns that map to nothing. ValueError names an
        override that is no question of the wave or a column it names that the file does not have."""
        mapped: dict[int, Target] = {}
        unmapped = []
        used: set[str] = set()
        for column in columns:
            chosen = self._override(column)
            if chosen is not None:
                used.update(n for n in map(normalise, [column.header, *column.labels]) if n in self.overrides)
                if not chosen.strip():
                    continue
                target = self.target(chosen)
                if target is None:
                    raise ValueError(
                        f"column {column.header!r} mapped to {chosen!r}, which is no question of this wave"
                    )
                mapped[column.index] = target
                continue
            if column.role != "data":
                continue
            target = next((t for t in (self.target(label) for label in column.labels if label) if t), None)
            if target is None:
                unmapped.append(column)
            else:
                mapped[column.index] = target
        missing = set(self.overrides) - used
        if missing:
            raise ValueError(f"no column {', '.join(sorted(self.override_names[n] for n in missing))} in the file")
        return mapped, unmapped


def _number(text: str) -> float:
    cleaned = text.strip().removesuffix("%").strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # a decimal comma
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a number")
    return value


def _point(text: str, q: Question) -> Any:
    n = normalise(text)
    labels = q.labels
    by_label = {normalise(label): point for point, label in labels.items()}
    if n in by_label:
        return by_label[n]
    lead = re.match(r"^(-?\d+(?:\.0+)?)\b\s*(?:[-–:.)]\s*)?(.*)$", n)
    if lead:
        point = int(float(lead.group(1)))
        rest = lead.group(2)
        if point in labels and (not rest or normalise(labels[point]) == rest or q.type == "nps"):
            return point
    allowed = ", ".join(f"{p} {label}".strip() if q.type != "nps" else str(p) for p, label in labels.items())
    raise UnknownValue(f"{text!r} is not on the scale ({allowed})")


def _choice(text: str, q: Question) -> str:
    options = q.options or []
    n = normalise(text)
    for option in options:
        if normalise(option) == n:
            return option
    if re.fullmatch(r"\d+", n) and 1 <= int(n) <= len(options):
        return options[int(n) - 1]
    raise UnknownValue(f"{text!r} is not one of the options ({'; '.join(options)})")


def _choices(text: str, q: Question) -> list[str]:
    """Several labels joined by ';' or ',' (labels may themselves contain commas)."""
    remaining = normalise(text)
    chosen = []
    for option in sorted(q.options or [], key=len, reverse=True):
        pattern = rf"(^|[;,]\s*){re.escape(normalise(option))}\s*(?=[;,]|$)"
        if re.search(pattern, remaining):
            chosen.append(option)
            remaining = re.sub(pattern, r"\1", remaining, count=1)
    leftover = [p.strip() for p in re.split(r"[;,]", remaining) if p.strip()]
    for part in leftover:
        if re.fullmatch(r"\d+", part) and 1 <= int(part) <= len(q.options or []):
            chosen.append((q.options or [])[int(part) - 1])
        else:
            raise UnknownValue(f"{part!r} is not one of the options ({'; '.join(q.options or [])})")
    return sorted(set(chosen), key=(q.options or []).index)


def convert(text: str, target: Target, no_answer: frozenset[str] = frozenset()) -> Any:
    """One non-blank cell as the value `validate_answers` expects (None: no answer); ValueError says why it cannot
    be (`UnknownValue` when it is not on the scale or among the options). `no_answer`: normalised labels or codes
    that mean "no answer"."""
    q = target.question
    if target.option is not None:
        return [target.option]
    try:
        return _convert(text, q)
    except UnknownValue:
        if normalise(text) in NOT_APPLICABLE_WORDS | no_answer:
            return NOT_APPLICABLE if q.type == "capability_rating" else None
        raise


def _convert(text: str, q: Question) -> Any:
    if q.type in ("capability_rating", "likert", "nps"):
        return _point(text, q)
    if q.type in ("number", "percent"):
        return _number(text)
    if q.type == "single_choice":
        return _choice(text, q)
    if q.type == "multi_choice":
        return _choices(text, q)
    return text
