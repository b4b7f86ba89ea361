"""Survey definitions: `surveys/*.yaml`, validated at load.

Format (one file per survey; the file name without `.yaml` is the survey key):

```yaml
title: Capability follow-up          # shown to respondents
description: ...                     # optional, shown under the title
no_answer: ["Unfamiliar (N/A)", -99]  # optional: labels or codes other tools use for "no answer"; an import stores
                                     # them as unanswered (besides "Not applicable", "N/A" and blank)
questions:
  - key: proficiency                 # stable: answers are stored under it; never rename in a running wave
    type: capability_rating          # capability_rating | likert | single_choice | multi_choice | number
                                     # | percent | nps | text
    text: Rate your current proficiency
    required: true                   # default false
    level: 2                         # Kirkpatrick level: 1 reaction, 2 learning, 3 behaviour, 4 results
    per_capability: false            # likert only: one row per capability of the wave (capability_rating always is)
    scale: {1: Never, 2: Once or twice, ...}   # likert: labelled points (ints)
    options: [No time, No opportunity]         # single_choice / multi_choice
    min: 0                           # number: bounds (optional)
    max: 100
```
A `capability_rating` row is 1 Awareness … 5 Expert, or "not applicable" (stored as no answer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ldcore.errors import Invalid
from ldcore.io.yaml_safe import load_yaml
from ldcore.vocab import PROFICIENCY_LABELS

SURVEYS_DIR = Path(__file__).resolve().parents[1] / "surveys"

QuestionType = Literal[
    "capability_rating", "likert", "single_choice", "multi_choice", "number", "percent", "nps", "text"
]
QKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NOT_APPLICABLE = "Not applicable"


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: QKey
    type: QuestionType
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    required: bool = False
    level: Literal[1, 2, 3, 4]
    help: str = ""
    per_capability: bool = False
    scale: dict[int, str] | None = None
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _fits_its_type(self) -> Question:
        if self.type == "likert" and not self.scale:
            raise ValueError("a likert question needs a scale")
        if self.type in ("single_choice", "multi_choice") and not self.options:
            raise ValueError(f"a {self.type} question needs options")
        if self.per_capability and self.type != "likert":
            raise ValueError("per_capability applies to likert questions only")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        return self

    @property
    def rows_per_capability(self) -> bool:
        return self.type == "capability_rating" or self.per_capability

    @property
    def labels(self) -> dict[int, str]:
        """Numeric points and their labels for scaled questions."""
        if self.type == "capability_rating":
            return dict(PROFICIENCY_LABELS)
        if self.type == "likert":
            return dict(self.scale or {})
        if self.type == "nps":
            return {i: str(i) for i in range(11)}
        return {}

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        if self.type == "percent":
            return 0.0, 100.0
        if self.type == "nps":
            return 0.0, 10.0
        if self.type in ("capability_rating", "likert"):
            points = sorted(self.labels)
            return float(points[0]), float(points[-1])
        return self.min, self.max


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: QKey
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: str = ""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = "en"  # ISO 639-1, for stop words
    no_answer: list[Annotated[str, BeforeValidator(str), StringConstraints(min_length=1, max_length=200)]] = []
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> SurveyDefinition:
        seen: set[str] = set()
        for q in self.questions:
            if q.key in seen:
                raise ValueError(f"question key {q.key!r} is used twice")
            seen.add(q.key)
        return self

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def snapshot(self) -> dict[str, Any]:
        """What a wave stores: the definition as it was when the wave was created."""
        return self.model_dump(mode="json", exclude_defaults=False)


def _where(loc: tuple, data: dict) -> str:
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = data.get("questions") or []
        q = questions[loc[1]] if loc[1] < len(questions) and isinstance(questions[loc[1]], dict) else {}
        field = ".".join(str(p) for p in loc[2:]) or "question"
        return f"question {q.get('key', '#' + str(loc[1] + 1))!r}, field {field}"
    return "field " + ".".join(str(p) for p in loc) if loc else "definition"


def parse_definition(text: str, *, key: str, source: str) -> SurveyDefinition:
    data = load_yaml(text, source=source)
    if not isinstance(data, dict):
        raise Invalid(f"{source}: a survey definition must be a mapping with title and questions")
    try:
        return SurveyDefinition.model_validate({"key": key, **data})
    except ValidationError as exc:
        problems = [(_where(tuple(e["loc"]), data), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
        raise Invalid(
            f"{source}: " + "; ".join(f"{where}: {msg}" for where, msg in problems),
            [(where, msg) for where, msg in problems],
        ) from exc


def load_definition(key: str, directory: Path | None = None) -> SurveyDefinition:
    path = (directory or SURVEYS_DIR) / f"{key}.yaml"
    if not path.exists():
        known = ", ".join(sorted(available(directory))) or "none"
        raise Invalid(f"No survey definition {key!r} (looked for {path}; available: {known}).")
    return parse_definition(path.read_text(encoding="utf-8"), key=key, source=str(path))


def available(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or SURVEYS_DIR).glob("*.yaml"))


def from_snapshot(snapshot: dict[str, Any]) -> SurveyDefinition:
    return SurveyDefinition.model_validate(snapshot)
