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
    translations:                    # optional: this question's texts in other languages (see "Languages")
      de: {text: Wie gut beherrschen Sie das heute, help: ..., scale: {1: Nie}, options: {No time: Keine Zeit}}
```
A `capability_rating` row is 1 Awareness … 5 Expert, or "not applicable" (stored as no answer).

## Languages
The plain fields are the survey's default language, `language` (ISO 639-1, default `en`). Other languages sit
beside them, and any of their texts may be missing (the default-language text is shown instead):

```yaml
language: en
title: Capability follow-up
translations:                        # survey level: title and description
  de: {title: Fähigkeiten – Nachbefragung, description: ...}
questions:
  - key: barriers
    text: What got in the way?
    options: [No time, Nothing got in the way]
    translations:                    # question level: text, help, scale (by point), options (by default text)
      de: {text: "Was hat Sie gehindert?", options: {No time: Keine Zeit}}   # quote a ? inside { }
```
Answers never depend on the language: they are stored by question key, scale point and option, and an option is
identified by its default-language text (its key), whatever label the respondent saw.

The API (small on purpose):
- `definition.languages` — the default language first, then every language that has a translation.
- `definition.in_language(code)` — a copy whose plain fields are the texts in `code`, falling back to the default
  language text by text; same keys, scale points and option order as the default (option `i` of the copy is the
  label of option `i` of the default). For display only: validate and store answers against the definition itself.
- `definition.option_label(question_key, option, code)` — the label shown for a default-language option.
- `missing_translations(definition)` — per language other than the default, the texts still missing, as lines a
  person reads ("Question 2 (applied): scale point 3").
- `to_yaml(definition)` — the YAML text of a definition; `parse_definition` reads it back to an equal definition.
"""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ldcore.errors import Invalid
from ldcore.i18n import N_
from ldcore.io.yaml_safe import load_yaml
from ldcore.vocab import PROFICIENCY_LABELS


def _stock_surveys() -> Path:
    """`surveys/` of the source checkout, else the copy an installed package ships (pyproject's data-files, under
    the environment's prefix or next to the package for `pip install --target`)."""
    beside = Path(__file__).resolve().parents[1]
    candidates = [beside, Path(sysconfig.get_path("data")) / "share" / "ldalign", beside / "share" / "ldalign"]
    return next((c / "surveys" for c in candidates if (c / "surveys").is_dir()), beside / "surveys")


SURVEYS_DIR = _stock_surveys()

QuestionType = Literal[
    "capability_rating", "likert", "single_choice", "multi_choice", "number", "percent", "nps", "text"
]
QKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


def _language_code(code: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"{code!r} is not a language code: use two lower-case letters (ISO 639-1) such as de or fr")
    return code


LanguageCode = Annotated[str, AfterValidator(_language_code)]
NOT_APPLICABLE = N_("Not applicable")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OptionText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class QuestionTranslation(BaseModel):
    """One question's texts in one language; anything left out falls back to the default language."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: Text | None = None
    help: str | None = None
    scale: dict[int, Text] = {}
    options: dict[str, OptionText] = {}


class SurveyTranslation(BaseModel):
    """The survey's own texts in one language; anything left out falls back to the default language."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    description: str | None = None


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
    options: list[OptionText] | None = None
    min: float | None = None
    max: float | None = None
    translations: dict[LanguageCode, QuestionTranslation] = {}

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
        for code, tr in self.translations.items():
            if points := sorted(set(tr.scale) - set(self.scale or {})):
                raise ValueError(f"the {code} translation has scale points the question does not have: {points}")
            if options := [o for o in tr.options if o not in (self.options or [])]:
                raise ValueError(
                    f"the {code} translation names options the question does not have: {', '.join(options)} "
                    "(translate options by their default-language text)"
                )
        return self

    def in_language(self, code: str) -> Question:
        """This question with its texts in `code`, each missing text in the default language."""
        tr = self.translations.get(code)
        if tr is None:
            return self.model_copy(update={"translations": {}})
        return self.model_copy(
            update={
                "text": tr.text or self.text,
                "help": tr.help or self.help,
                "scale": None if self.scale is None else {p: tr.scale.get(p, t) for p, t in self.scale.items()},
                "options": None if self.options is None else [tr.options.get(o, o) for o in self.options],
                "translations": {},
            }
        )

    def missing_in(self, code: str) -> list[str]:
        """The names of this question's texts that have no `code` translation."""
        tr = self.translations.get(code) or QuestionTranslation()
        missing = [] if tr.text else ["text"]
        if self.help and not tr.help:
            missing.append("help")
        missing += [f"scale point {p}" for p in (self.scale or {}) if p not in tr.scale]
        missing += [f"option {o!r}" for o in (self.options or []) if o not in tr.options]
        return missing

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
    language: LanguageCode = "en"  # the default language of the plain fields (also picks the stop words)
    no_answer: list[Annotated[str, BeforeValidator(str), StringConstraints(min_length=1, max_length=200)]] = []
    questions: list[Question] = Field(min_length=1)
    translations: dict[LanguageCode, SurveyTranslation] = {}

    @model_validator(mode="after")
    def _unique_keys(self) -> SurveyDefinition:
        seen: set[str] = set()
        for q in self.questions:
            if q.key in seen:
                raise ValueError(f"question key {q.key!r} is used twice")
            seen.add(q.key)
            if self.language in q.translations:
                raise ValueError(
                    f"question {q.key!r} has a translation into {self.language}, the default language: "
                    "write those texts in the question itself"
                )
        if self.language in self.translations:
            raise ValueError(
                f"there is a translation into {self.language}, the default language: write the title and "
                "description in the plain fields"
            )
        return self

    @property
    def languages(self) -> list[str]:
        """The default language first, then every language with at least one translated text, in code order."""
        others = set(self.translations).union(*(q.translations for q in self.questions))
        return [self.language, *sorted(others - {self.language})]

    def in_language(self, code: str) -> SurveyDefinition:
        """This survey with its texts in `code`, text by text falling back to the default language; for display."""
        if code == self.language:
            return self
        tr = self.translations.get(code) or SurveyTranslation()
        return self.model_copy(
            update={
                "title": tr.title or self.title,
                "description": tr.description or self.description,
                "language": code,
                "questions": [q.in_language(code) for q in self.questions],
                "translations": {},
            }
        )

    def option_label(self, question_key: str, option: str, code: str) -> str:
        """The label shown in `code` for a question's option (given by its default-language text)."""
        q = self.question(question_key)
        tr = q.translations.get(code) if q else None
        return tr.options.get(option, option) if tr else option

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def snapshot(self) -> dict[str, Any]:
        """What a wave stores: the definition as it was when the wave was created."""
        return self.model_dump(mode="json", exclude_defaults=False)


def missing_translations(definition: SurveyDefinition) -> dict[str, list[str]]:
    """Per language other than the default, the texts that still show in the default language."""
    result: dict[str, list[str]] = {}
    for code in definition.languages[1:]:
        tr = definition.translations.get(code) or SurveyTranslation()
        missing = [] if tr.title else ["Title"]
        if definition.description and not tr.description:
            missing.append("Description")
        for number, q in enumerate(definition.questions, start=1):
            missing += [f"Question {number} ({q.key}): {what}" for what in q.missing_in(code)]
        result[code] = missing
    return result


class _Dumper(yaml.SafeDumper):
    """Writes text of several lines as a `|` block, so a description reads as it was typed."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(definition: SurveyDefinition) -> str:
    """The definition as a YAML file (the key is the file name, so it is left out); reads back equal."""
    data = definition.model_dump(exclude={"key"}, exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


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
