"""The survey library: the stock surveys (`surveys/*.yaml`, read-only) and the surveys HR writes in the builder or
imports, kept in the database with their versions.

Saving a survey that changed adds a version; the newest version is the one new waves use, and each wave records
the version it was created from (besides the snapshot it keeps). A survey some wave was made from cannot be
deleted, only archived; an archived survey starts no new waves until it is restored. Stock keys are taken: a copy
of a stock survey gets a key of its own, so a wave's survey key always names one survey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore import survey_defs
from ldcore.errors import Conflict, Invalid, NotFound
from ldcore.models import Capability, Plan, Survey, SurveyVersion, SurveyWave, SurveyWaveVersion, utcnow
from ldcore.services import audit

if TYPE_CHECKING:
    pass

Source = Literal["stock", "saved"]
LEVELS = {1: "1 Reaction", 2: "2 Learning", 3: "3 Behaviour", 4: "4 Results"}
TYPES = {
    "capability_rating": "Capability rating (1–5 per capability)",
    "likert": "Rating scale",
    "single_choice": "One choice",
    "multi_choice": "Several choices",
    "number": "Number",
    "percent": "Percent",
    "nps": "Recommend score (0–10)",
    "text": "Free text",
}


class SurveyRow(BaseModel):
    key: str
    title: str
    source: Source
    status: str = "active"
    version: int | None = None
    questions: int
    waves: int = 0
    updated_at: dt.datetime | None = None
    updated_by: str = ""


class VersionRow(BaseModel):
    number: int
    created_at: dt.datetime
    created_by: str
    title: str
    questions: int


class BankQuestion(BaseModel):
    """A question of the bank, with where it comes from."""

    survey_key: str
    survey_title: str
    source: Source
    question: survey_defs.Question


class Problem(BaseModel):
    """What stops a definition from being saved: `question` is the 0-based position (None: the survey itself) and
    `field` the field to show the message under."""

    question: int | None
    field: str
    message: str

    def where(self, definition: dict[str, Any]) -> str:
        if self.question is None:
            return self.field
        questions = definition.get("questions") or []
        q = questions[self.question] if self.question < len(questions) else {}
        key = q.get("key") if isinstance(q, dict) else None
        return f"question {self.question + 1}" + (f" ({key})" if key else "") + f", {self.field}"


# --- reading ----------------------------------------------------------------------------------------------------


def stock_keys(surveys_dir: Path | None = None) -> list[str]:
    return survey_defs.available(surveys_dir)


def _survey(session: Session, key: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.key == key))


def _get_survey(session: Session, key: str) -> Survey:
    survey = _survey(session, key)
    if survey is None:
        raise NotFound(f"No saved survey with key {key!r}.")
    return survey


def _latest(session: Session, survey: Survey) -> SurveyVersion:
    return session.scalars(
        select(SurveyVersion).where(SurveyVersion.survey_id == survey.id).order_by(SurveyVersion.number.desc())
    ).first()  # type: ignore[return-value]  # a survey is saved with its first version


def _wave_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(SurveyWave.survey_key, func.count(SurveyWave.id)).group_by(SurveyWave.survey_key))
    return {key: count for key, count in rows}


def list_surveys(
    session: Session, *, include_archived: bool = False, surveys_dir: Path | None = None
) -> list[SurveyRow]:
    """The stock surveys (by key), then the saved ones (by title); archived ones only when asked for."""
    waves = _wave_counts(session)
    out = []
    for key in stock_keys(surveys_dir):
        d = survey_defs.load_definition(key, surveys_dir)
        out.append(
            SurveyRow(key=key, title=d.title, source="stock", questions=len(d.questions), waves=waves.get(key, 0))
        )
    query = select(Survey).order_by(Survey.title, Survey.key)
    if not include_archived:
        query = query.where(Survey.status == "active")
    for survey in session.scalars(query):
        latest = _latest(session, survey)
        out.append(
            SurveyRow(
                key=survey.key,
                title=survey.title,
                source="saved",
                status=survey.status,
                version=latest.number,
                questions=len(latest.definition.get("questions") or []),
                waves=waves.get(survey.key, 0),
                updated_at=latest.created_at,
                updated_by=latest.created_by,
            )
        )
    return out


def get_definition(
    session: Session, *, key: str, version: int | None = None, surveys_dir: Path | None = None
) -> survey_defs.SurveyDefinition:
    """A saved survey's newest (or given) version, else the stock survey of that key."""
    survey = _survey(session, key)
    if survey is None:
        if version is not None:
            raise NotFound(f"No saved survey with key {key!r}.")
        return survey_defs.load_definition(key, surveys_dir)
    row = (
        _latest(session, survey)
        if version is None
        else session.scalar(
            select(SurveyVersion).where(SurveyVersion.survey_id == survey.id, SurveyVersion.number == version)
        )
    )
    if row is None:
        raise NotFound(f"Survey {key!r} has no version {version}.")
    return survey_defs.from_snapshot(row.definition)


def list_versions(session: Session, *, key: str) -> list[VersionRow]:
    survey = _get_survey(session, key)
    return [
        VersionRow(
            number=v.number,
            created_at=v.created_at,
            created_by=v.created_by,
            title=v.definition.get("title", ""),
            questions=len(v.definition.get("questions") or []),
        )
        for v in sorted(survey.versions, key=lambda v: -v.number)
    ]


def question_bank(
    session: Session,
    *,
    search: str = "",
    levels: list[int] | None = None,
    types: list[str] | None = None,
    surveys_dir: Path | None = None,
) -> list[BankQuestion]:
    """Every question of the stock surveys and of the active saved surveys (each saved survey's newest version),
    filtered by words in its key, text, help or options, by Kirkpatrick level and by type. The same question in
    several surveys (same key, type and text) is listed once, where it appears first."""
    words = search.casefold().split()
    out: list[BankQuestion] = []
    seen: set[tuple[str, str, str]] = set()
    for row in list_surveys(session, surveys_dir=surveys_dir):
        definition = get_definition(session, key=row.key, surveys_dir=surveys_dir)
        for q in definition.questions:
            same = (q.key, q.type, q.text)
            if same in seen:
                continue
            seen.add(same)
            haystack = " ".join([q.key, q.text, q.help, *(q.options or []), *(q.scale or {}).values()]).casefold()
            if levels and q.level not in levels or types and q.type not in types:
                continue
            if all(w in haystack for w in words):
                out.append(BankQuestion(survey_key=row.key, survey_title=row.title, source=row.source, question=q))
    return out


def unique_question_key(definition: dict[str, Any], key: str) -> str:
    """`key`, or `key_2`, `key_3`, … when the definition has a question of that key already."""
    taken = {q.get("key") for q in definition.get("questions") or [] if isinstance(q, dict)}
    if key not in taken:
        return key
    n = 2
    while f"{key}_{n}"[:64] in taken:
        n += 1
    return f"{key}_{n}"[:64]


# --- checking ---------------------------------------------------------------------------------------------------

_FIELD_OF_MESSAGE = {"scale": "scale", "options": "options", "per_capability": "per_capability", "min must": "max"}


def _field_of(loc: tuple, message: str) -> str:
    if loc:
        return str(loc[0])
    return next((field for word, field in _FIELD_OF_MESSAGE.items() if word in message), "question")


def check(definition: dict[str, Any]) -> list[Problem]:
    """Everything that stops `definition` (a snapshot-shaped dict) from being saved, each placed at its field."""
    problems, seen = [], set()
    for index, q in enumerate(definition.get("questions") or []):
        key = q.get("key") if isinstance(q, dict) else None
        if key and key in seen:
            problems.append(
                Problem(question=index, field="key", message=f"the key {key!r} is used by another question")
            )
        seen.add(key)
    try:
        survey_defs.SurveyDefinition.model_validate(definition)
    except ValidationError as exc:
        for e in exc.errors():
            loc, message = tuple(e["loc"]), _message(e)
            if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
                problems.append(Problem(question=loc[1], field=_field_of(loc[2:], message), message=message))
            elif "question key" not in message:  # placed at the question above
                problems.append(Problem(question=None, field=".".join(map(str, loc)) or "survey", message=message))
    return problems


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's message in words an HR person reads."""
    kind, msg = error["type"], error["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits and _ only, starting with a letter"
    if kind in ("string_too_short", "missing") or kind == "too_short" and error["loc"][-1:] == ("questions",):
        return "cannot be empty" if kind != "too_short" else "add at least one question"
    if kind == "string_too_long":
        return f"at most {error['ctx']['max_length']} characters"
    if kind == "too_short":
        return "add at least one"
    return msg


def _validated(definition: survey_defs.SurveyDefinition | dict[str, Any]) -> survey_defs.SurveyDefinition:
    if isinstance(definition, survey_defs.SurveyDefinition):
        return definition
    problems = check(definition)
    if problems:
        listed = [(p.where(definition), p.message) for p in problems]
        raise Invalid("The survey cannot be saved: " + "; ".join(f"{w}: {m}" for w, m in listed) + ".", listed)
    return survey_defs.SurveyDefinition.model_validate(definition)


# --- writing ----------------------------------------------------------------------------------------------------


def save_survey(
    session: Session,
    *,
    definition: survey_defs.SurveyDefinition | dict[str, Any],
    new: bool = False,
    actor: str = "cli",
    surveys_dir: Path | None = None,
) -> SurveyRow:
    """Save a survey in the caller's transaction: a new survey (version 1), or a new version of a saved one when
    its definition changed. `new=True` refuses a key that is taken. Stock keys are refused: copy under a new key."""
    d = _validated(definition)
    if d.key in stock_keys(surveys_dir):
        raise Conflict(
            f"{d.key!r} is a stock survey, which stays as it is; save your copy under another key (e.g. {d.key}_copy)."
        )
    survey = _survey(session, d.key)
    if survey is not None and new:
        raise Conflict(f"A survey with key {d.key!r} already exists; choose another key.")
    if survey is not None and survey.status == "archived":
        raise Conflict(f"Survey {d.key!r} is archived; restore it before saving changes.")
    snapshot = d.snapshot()
    if survey is None:
        survey = Survey(key=d.key, title=d.title, created_by=actor)
        session.add(survey)
        session.flush()
        number = 1
    else:
        latest = _latest(session, survey)
        if survey_defs.from_snapshot(latest.definition) == d:
            return _row(session, survey)
        number = latest.number + 1
    session.add(SurveyVersion(survey_id=survey.id, number=number, definition=snapshot, created_by=actor))
    survey.title = d.title
    survey.updated_at = utcnow()
    session.flush()
    audit.record(session, actor=actor, action="survey.save", entity="survey", key=d.key, version=number)
    return _row(session, survey)


def _row(session: Session, survey: Survey) -> SurveyRow:
    return next(r for r in list_surveys(session, include_archived=True) if r.key == survey.key and r.source == "saved")


def set_archived(session: Session, *, key: str, archived: bool, actor: str = "cli") -> SurveyRow:
    """Archive a saved survey (it starts no new waves; its waves carry on) or restore it."""
    survey = _get_survey(session, key)
    survey.status = "archived" if archived else "active"
    audit.record(
        session, actor=actor, action="survey.archive" if archived else "survey.restore", entity="survey", key=key
    )
    return _row(session, survey)


def delete_survey(session: Session, *, key: str, actor: str = "cli") -> None:
    """Delete a saved survey and its versions; refused when a wave was made from it (archive it instead)."""
    survey = _get_survey(session, key)
    used = session.scalar(select(func.count(SurveyWave.id)).where(SurveyWave.survey_key == key)) or 0
    used += (
        session.scalar(
            select(func.count(SurveyWaveVersion.wave_id))
            .join(SurveyVersion, SurveyVersion.id == SurveyWaveVersion.survey_version_id)
            .where(SurveyVersion.survey_id == survey.id)
        )
        or 0
    )
    if used:
        raise Conflict(
            f"Survey {key!r} cannot be deleted: waves were created from it and keep pointing to it. "
            "Archive it instead, so no new wave uses it."
        )
    session.delete(survey)
    session.flush()
    audit.record(session, actor=actor, action="survey.delete", entity="survey", key=key)


# --- waves ------------------------------------------------------------------------------------------------------


def definition_for_wave(
    session: Session, *, key: str, surveys_dir: Path | None = None
) -> tuple[survey_defs.SurveyDefinition, int | None]:
    """The definition a new wave of survey `key` runs, and the id of the saved version it is (None for stock)."""
    survey = _survey(session, key)
    if survey is None:
        if key not in stock_keys(surveys_dir):
            saved = list(session.scalars(select(Survey.key).where(Survey.status == "active")))
            known = ", ".join(sorted([*stock_keys(surveys_dir), *saved])) or "none"
            raise Invalid(f"No survey definition {key!r} (available: {known}).", [("survey", f"no survey {key!r}")])
        return survey_defs.load_definition(key, surveys_dir), None
    if survey.status == "archived":
        message = f"survey {key!r} is archived; restore it in the Survey builder to use it again"
        raise Invalid(f"survey: {message}.", [("survey", message)])
    latest = _latest(session, survey)
    return survey_defs.from_snapshot(latest.definition), latest.id


def record_wave_version(session: Session, *, wave_id: int, version_id: int | None) -> None:
    if version_id is not None:
        session.add(SurveyWaveVersion(wave_id=wave_id, survey_version_id=version_id))


def wave_version(session: Session, *, wave_key: str) -> tuple[str, int] | None:
    """(survey key, version number) a wave was created from; None for a wave of a stock survey."""
    row = session.execute(
        select(Survey.key, SurveyVersion.number)
        .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
        .join(SurveyWaveVersion, SurveyWaveVersion.survey_version_id == SurveyVersion.id)
        .join(SurveyWave, SurveyWave.id == SurveyWaveVersion.wave_id)
        .where(SurveyWave.key == wave_key)
    ).first()
    return (row[0], row[1]) if row else None


# --- YAML -------------------------------------------------------------------------------------------------------


def import_yaml(
    session: Session, *, text: str, key: str, source: str, actor: str = "cli", surveys_dir: Path | None = None
) -> SurveyRow:
    """A survey from a YAML file: a new saved survey, or a new version of the saved survey of that key."""
    definition = survey_defs.parse_definition(text, key=key, source=source)
    return save_survey(session, definition=definition, actor=actor, surveys_dir=surveys_dir)


# --- preview ----------------------------------------------------------------------------------------------------


def plan_capability_names(session: Session, *, plan_key: str | None) -> list[str]:
    """The names of a plan's capabilities in plan order (the rows a preview asks per capability)."""
    if not plan_key:
        return []
    return list(
        session.scalars(
            select(Capability.name)
            .join(Plan, Plan.id == Capability.plan_id)
            .where(Plan.key == plan_key)
            .order_by(Capability.position)
        )
    )
