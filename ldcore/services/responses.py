"""Answers coming in: through a personal link, an open link, or an import of another tool's export.

Answers are validated against the wave's snapshot (types, ranges, option labels, required questions) before
anything is written, then stored long, one row per answer (see the storage contract in `ldcore.models.Answer`):
per-capability rows carry `capability_id`; numeric types `value_num`; single choice the label in `value_text` and
its 1-based index in `value_num`; multi choice one row per chosen option; text `value_text`. "Not applicable" and
blanks are no row at all.

A personal link is claimed with a conditional `UPDATE … WHERE used_at IS NULL` in the same transaction as the
insert of the response, so a double click, a reload or two tabs store exactly one response on SQLite and Postgres.
A refused link gets one plain message that says nothing about why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Annotated, Any, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StrictInt, StrictStr, ValidationError
from pydantic import create_model as pydantic_model
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ldcore.analytics import suppression
from ldcore.db import mark_changed
from ldcore.errors import Invalid, LDAlignError
from ldcore.i18n import N_
from ldcore.models import Answer, Invitation, Person, Response, ResponseDraft, SurveyWave, Team, utcnow
from ldcore.schemas import NUL_REFUSED, Named, nul_path
from ldcore.services import accounts
from ldcore.services.surveys import audience_teams, hash_token, wave_capabilities, wave_definition
from ldcore.survey_defs import NOT_APPLICABLE, Question, SurveyDefinition
from ldcore.vocab import MIN_GROUP_DEFAULT

# The respondent reads these: they are marked for the message catalogs (ldcore.i18n) and translated where shown.
REFUSED = N_(
    "This survey link cannot be used. It may have been used already, or the survey is not open. "
    "If you think this is a mistake, ask the person who sent it to you."
)
ALREADY_ANSWERED = N_("You have already answered — thank you.")
ALREADY_FROM_BROWSER = N_("An answer to this survey has already been sent from this browser. Thank you!")
OPEN_LINK_NOTE = N_(
    "This is an open link: anybody with it can answer, so it cannot guarantee one answer per person. "
    "Please answer once."
)
ANSWER_REQUIRED = N_("an answer is required")
EVERY_ROW = N_("an answer is required for every row")
CHOOSE_TEAM = N_("Please choose your team.")
UNRECOGNISED_BROWSER = N_("This browser could not be recognised; reload the page.")
PAIRING_INCOMPLETE = N_("Your personal code is incomplete: answer all three prompts, or none.")
# What the wave's anonymity means for the person answering, in one sentence ({n}: the minimum group size).
ANONYMITY_NOTES = {
    "anonymous": N_(
        "This survey is anonymous: your answers are stored without your name, so nobody can see which answers "
        "are yours, and results are shown only for groups of at least {n} people."
    ),
    "confidential": N_(
        "This survey is confidential: your answers are stored with your name so they can be compared over time, "
        "but results are shown only for groups of at least {n} people and never for you alone."
    ),
    "identified": N_(
        "This survey is not anonymous: your answers are stored with your name, and the survey team can read them."
    ),
    "open": N_(
        "This link does not ask who you are: your answers are stored with your team only, and results are shown "
        "only for groups of at least {n} people."
    ),
}
MAX_TEXT = 10_000
IMPORT_CHUNK = 1_000
NO_VALUE = {"capability_id": None, "value_num": None, "value_text": None}  # one shape per INSERT


class LinkRefused(LDAlignError):
    """An unknown, expired or closed link (always the same message, which reveals nothing), or a link whose person
    has answered already (`ALREADY_ANSWERED`)."""

    def __init__(self, message: str = REFUSED):
        super().__init__(message)


# --- validation -----------------------------------------------------------------------------------------------


def _one_of(allowed: tuple[Any, ...], what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"{what} must be one of: {', '.join(str(a) for a in allowed)}")
        return value

    return check


def _no_duplicates(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError("an option is chosen twice")
    return values


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(ANSWER_REQUIRED)
    return value


def _every_row(keys: tuple[str, ...]) -> Callable:
    def check(rows: dict) -> dict:
        missing = [k for k in keys if rows.get(k) is None]
        if missing:
            raise ValueError(f"{EVERY_ROW} (missing: {', '.join(missing)})")
        return rows

    return check


def _value_type(q: Question) -> Any:
    """The pydantic type of one answer (one row of a per-capability question)."""
    if q.type in ("capability_rating", "likert", "nps"):
        points = tuple(sorted(q.labels))
        point = Annotated[StrictInt, AfterValidator(_one_of(points, "the answer"))]
        if q.type == "capability_rating":
            return point | Annotated[StrictStr, AfterValidator(_one_of((NOT_APPLICABLE,), "the answer"))]
        return point
    if q.type in ("number", "percent"):
        low, high = q.bounds
        return Annotated[float, Strict(), Field(ge=low, le=high, allow_inf_nan=False)]
    if q.type in ("single_choice", "multi_choice"):
        choice = Annotated[StrictStr, AfterValidator(_one_of(tuple(q.options or ()), "the choice"))]
        if q.type == "multi_choice":
            return Annotated[list[choice], AfterValidator(_no_duplicates)]
        return choice
    return Annotated[StrictStr, Field(max_length=MAX_TEXT)]


def _field(q: Question, capabilities: tuple[str, ...], enforce_required: bool) -> tuple[Any, Any]:
    value = _value_type(q)
    if q.rows_per_capability:
        row_key = Annotated[StrictStr, AfterValidator(_one_of(capabilities, "the capability"))]
        value = dict[row_key, value | None]  # type: ignore[valid-type]
        if q.required and enforce_required and capabilities:
            return Annotated[value, AfterValidator(_every_row(capabilities))], Field(alias=q.key)
        return value | None, Field(None, alias=q.key)
    if q.required and enforce_required:
        if q.type == "text":
            value = Annotated[value, AfterValidator(_not_blank)]
        if q.type == "multi_choice":
            value = Annotated[value, Field(min_length=1)]
        return value, Field(alias=q.key)
    return value | None, Field(None, alias=q.key)


@lru_cache(maxsize=64)
def _answers_model(snapshot_json: str, capabilities: tuple[str, ...], enforce_required: bool) -> type[BaseModel]:
    definition = SurveyDefinition.model_validate_json(snapshot_json)
    fields = {f"q_{q.key}": _field(q, capabilities, enforce_required) for q in definition.questions}
    return pydantic_model(  # type: ignore[call-overload]
        "Answers", __config__=ConfigDict(extra="forbid", populate_by_name=False), **fields
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _drop_blanks(answers: Any) -> Any:
    """Blank answers and blank rows mean "unanswered"; everything else goes to validation as it came."""
    if not isinstance(answers, dict):
        return answers
    out = {}
    for key, value in answers.items():
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if not _blank(v)}
        if not _blank(value):
            out[key] = value
    return out


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return ANSWER_REQUIRED
    if error["type"] == "extra_forbidden":
        return "not a question of this survey"
    return error["msg"].removeprefix("Value error, ")


def validate_answers(
    definition: SurveyDefinition,
    capabilities: list[str],
    answers: Any,
    *,
    enforce_required: bool = True,
) -> dict[str, Any]:
    """The answers, checked against the definition; `Invalid` with (question key, message) per problem."""
    if (path := nul_path(answers)) is not None:
        where = ".".join(str(p) for p in path[:2] if isinstance(p, str)) or "answers"
        raise Invalid(f"Some answers need attention: {where}: {NUL_REFUSED}", [(where, NUL_REFUSED)])
    model = _answers_model(definition.model_dump_json(), tuple(capabilities), enforce_required)
    try:
        validated = model.model_validate(_drop_blanks(answers))
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors():
            loc = [p for p in error["loc"] if not str(p).startswith(("function-", "int", "str", "list["))]
            key = str(loc[0]) if loc else "answers"
            where = f"{key}.{loc[1]}" if len(loc) > 1 and isinstance(loc[1], str) else key
            problems.setdefault(where, _message(error))
        raise Invalid(
            "Some answers need attention: " + "; ".join(f"{k}: {m}" for k, m in problems.items()),
            list(problems.items()),
        ) from exc
    return {q.key: v for q in definition.questions if (v := getattr(validated, f"q_{q.key}")) is not None}


def answer_rows(definition: SurveyDefinition, capability_ids: dict[str, int], answers: dict[str, Any]) -> list[dict]:
    """Validated answers as the columns of `Answer` rows (the storage contract)."""
    rows: list[dict] = []
    for q in definition.questions:
        value = answers.get(q.key)
        if value is None:
            continue
        if q.rows_per_capability:
            for cap, point in value.items():
                if point is not None and point != NOT_APPLICABLE:
                    rows.append({"question_key": q.key, "capability_id": capability_ids[cap], "value_num": point})
        elif q.type == "single_choice":
            options = q.options or []
            rows.append({"question_key": q.key, "value_text": value, "value_num": options.index(value) + 1})
        elif q.type == "multi_choice":
            options = q.options or []
            rows.extend(
                {"question_key": q.key, "value_text": v, "value_num": options.index(v) + 1}
                for v in sorted(value, key=options.index)
            )
        elif q.type == "text":
            rows.append({"question_key": q.key, "value_text": value})
        else:
            rows.append({"question_key": q.key, "value_num": float(value)})
    return rows


# --- anonymous pairing ----------------------------------------------------------------------------------------

PAIRING_PROMPTS = (
    ("mother", N_("First two letters of your mother's (or guardian's) first name")),
    ("birthday", N_("Day of the month you were born (1–31)")),
    ("street", N_("First two letters of the street where you grew up")),
)


def _letters(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    return "".join(c for c in text if c.isalnum()).casefold()


def keyed_hash(session: Session, text: str) -> str:
    """HMAC-SHA-256 of `text` under the install's secret (`accounts.signing_secret`): without the secret, nobody can
    recompute it from guesses of what went in (a few personal answers, a response id)."""
    return hmac.new(accounts.signing_secret(session), text.encode(), hashlib.sha256).hexdigest()


def pairing_code(session: Session, plan_id: int, parts: dict[str, Any] | None) -> str | None:
    """The keyed hash of a self-generated code (answers to stable personal prompts), so an anonymous baseline and
    follow-up can be paired without knowing who answered. All prompts blank → no code."""
    parts = parts or {}
    if not isinstance(parts, dict):
        raise Invalid("pairing: the personal code must be answers to its prompts", [("pairing", "not understood")])
    unknown = set(parts) - {key for key, _ in PAIRING_PROMPTS}
    if unknown:
        raise Invalid("pairing: unknown prompt", [("pairing", f"unknown prompt {sorted(unknown)[0]!r}")])
    values = {key: _letters(str(parts.get(key) or "")) for key, _ in PAIRING_PROMPTS}
    if not any(values.values()):
        return None
    problems = []
    if not re.fullmatch(r"[^\W\d_]{2,}", values["mother"]):
        problems.append(("pairing.mother", N_("two letters, please")))
    if not (values["birthday"].isdigit() and 1 <= int(values["birthday"]) <= 31):
        problems.append(("pairing.birthday", N_("a day between 1 and 31, please")))
    if len(values["street"]) < 2:
        problems.append(("pairing.street", N_("two letters or digits, please")))
    if problems:
        raise Invalid(PAIRING_INCOMPLETE, problems)
    code = f"ldalign-pairing|{plan_id}|{values['mother'][:2]}|{int(values['birthday'])}|{values['street'][:2]}"
    return keyed_hash(session, code)


# --- the respondent's form ------------------------------------------------------------------------------------


class RespondForm(BaseModel):
    """What the respondent page draws: nothing about the person, the roster or other answers. `definition` is in
    the survey's default language; `custom_title` is the wave's own title, if it has one (shown in every
    language)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    wave_key: str
    title: str
    description: str
    definition: SurveyDefinition
    capabilities: list[Named]
    anonymous: bool
    open_link: bool
    teams: list[Named] = []
    custom_title: str = ""
    anonymity: str = "confidential"
    min_group: int = MIN_GROUP_DEFAULT
    preview: bool = False

    @property
    def anonymity_note(self) -> str:
        """What the wave's anonymity means for the person answering (untranslated; `{n}` filled in)."""
        return ANONYMITY_NOTES["open" if self.open_link else self.anonymity]

    @property
    def question_count(self) -> int:
        """The questions the progress bar counts: the survey's, and the team question of an open link."""
        return len(self.definition.questions) + (1 if self.open_link else 0)


def estimated_minutes(definition: SurveyDefinition, *, capabilities: int, open_link: bool = False) -> int:
    """A fair guess of the minutes a person needs, from the questions (a rating row takes seconds, free text a
    minute); at least one."""
    seconds = 5 if open_link else 0
    for q in definition.questions:
        if q.rows_per_capability:
            seconds += 8 + 6 * max(capabilities, 1)
        elif q.type == "text":
            seconds += 45
        elif q.type in ("multi_choice", "number", "percent"):
            seconds += 15
        else:
            seconds += 10
    return max(1, round(seconds / 60))


def preview_form(
    definition: SurveyDefinition,
    *,
    capabilities: list[str] | None = None,
    teams: list[str] | None = None,
    anonymity: str = "confidential",
    open_link: bool = False,
    min_group: int = MIN_GROUP_DEFAULT,
) -> RespondForm:
    """A form for a preview of `definition` (the survey builder): no wave, no link, nothing stored. Capability
    and team names are examples unless given."""
    capabilities = capabilities or ["Negotiation", "Coaching", "Data analysis"]
    teams = teams or ["Sales", "Service"]
    return RespondForm(
        wave_key="",
        title=definition.title,
        description=definition.description,
        definition=definition,
        capabilities=[Named(key=f"example_{i}", name=name) for i, name in enumerate(capabilities, start=1)],
        anonymous=anonymity == "anonymous",
        open_link=open_link,
        teams=[Named(key=f"example_{i}", name=name) for i, name in enumerate(teams, start=1)],
        anonymity=anonymity,
        min_group=min_group,
        preview=True,
    )


def _open_today(wave: SurveyWave, now: dt.datetime) -> bool:
    today = now.date()
    return (wave.opens is None or wave.opens <= today) and (wave.closes is None or today <= wave.closes)


def _invitation(session: Session, token: str | None, now: dt.datetime) -> Invitation:
    if not token or not isinstance(token, str) or len(token) > 200:
        raise LinkRefused()
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is not None and invitation.used_at is not None:
        raise LinkRefused(ALREADY_ANSWERED)  # whoever holds the link may know this
    if (
        invitation is None
        or (invitation.expires_at is not None and invitation.expires_at < now)
        or not _open_today(invitation.wave, now)
    ):
        raise LinkRefused()
    return invitation


def _open_wave(session: Session, open_token: str | None, now: dt.datetime) -> SurveyWave:
    if not open_token or not isinstance(open_token, str) or len(open_token) > 200:
        raise LinkRefused()
    wave = session.scalar(select(SurveyWave).where(SurveyWave.open_link_hash == hash_token(open_token)))
    if wave is None or not _open_today(wave, now):
        raise LinkRefused()
    return wave


def _form(session: Session, wave: SurveyWave, *, open_link: bool) -> RespondForm:
    definition = wave_definition(wave)
    teams = [Named(key=t.key, name=t.name) for t in audience_teams(session, wave)] if open_link else []
    return RespondForm(
        wave_key=wave.key,
        title=wave.title or definition.title,
        description=definition.description,
        definition=definition,
        capabilities=[Named(key=c.key, name=c.name) for c in wave_capabilities(session, wave)],
        anonymous=wave.anonymity == "anonymous",
        open_link=open_link,
        teams=teams,
        custom_title=wave.title if wave.title and wave.title != definition.title else "",
        anonymity=wave.anonymity,
        min_group=wave.min_group,
    )


def respond_form(
    session: Session,
    *,
    token: str | None = None,
    open_token: str | None = None,
    client_id: str | None = None,
    now: dt.datetime | None = None,
) -> RespondForm:
    """The form behind a personal (`token`) or open (`open_token`) link; `LinkRefused` when it cannot be used."""
    now = now or utcnow()
    if token:
        return _form(session, _invitation(session, token, now).wave, open_link=False)
    wave = _open_wave(session, open_token, now)
    if client_id and _answered_from(session, wave, client_id):
        raise LinkRefused(ALREADY_FROM_BROWSER)
    return _form(session, wave, open_link=True)


def _answered_from(session: Session, wave: SurveyWave, client_id: str) -> bool:
    query = select(Response.id).where(Response.wave_id == wave.id, Response.client_id == client_id)
    return session.scalar(query) is not None


def _stamp(wave: SurveyWave, now: dt.datetime) -> dt.datetime:
    """In anonymous waves times are kept to the day, so that the order of answers cannot point at a person."""
    return dt.datetime.combine(now.date(), dt.time()) if wave.anonymity == "anonymous" else now


def _capability_ids(session: Session, wave: SurveyWave) -> tuple[list[str], dict[str, int]]:
    caps = wave_capabilities(session, wave)
    return [c.key for c in caps], {c.key: c.id for c in caps}


def _insert(session: Session, response: Response, rows: list[dict]) -> int:
    """The response, then its answers as one multi-row INSERT (no ORM object per answer: a submission is the
    hot path of a survey wave)."""
    session.add(response)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submission of the same invitation or browser won
        raise LinkRefused(ALREADY_FROM_BROWSER if response.client_id else REFUSED) from exc
    if rows:
        session.execute(
            insert(cast(Table, Answer.__table__)),
            [
                {
                    **NO_VALUE,
                    **row,
                    "response_id": response.id,
                    "wave_id": response.wave_id,
                    "team_id": response.team_id,
                }
                for row in rows
            ],
        )
    return response.id


def submit_response(
    session: Session,
    *,
    token: str | None = None,
    open_token: str | None = None,
    answers: Any,
    team_key: str | None = None,
    client_id: str | None = None,
    pairing: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Store one response through a personal link (`token`) or an open link (`open_token`, with the team the
    respondent picked and the browser's `client_id`), in the caller's transaction; returns the response id.

    Raises `Invalid` (nothing written) for answers that do not fit the wave, `LinkRefused` for a link that cannot
    be used, including the second of two simultaneous submissions."""
    now = now or utcnow()
    if token:
        invitation = _invitation(session, token, now)
        wave = invitation.wave
    else:
        invitation = None
        wave = _open_wave(session, open_token, now)
    cap_keys, cap_ids = _capability_ids(session, wave)
    definition = wave_definition(wave)
    validated = validate_answers(definition, cap_keys, answers)
    code = pairing_code(session, wave.plan_id, pairing) if wave.anonymity == "anonymous" else None
    stamp = _stamp(wave, now)
    anonymous = wave.anonymity == "anonymous"
    if invitation is not None:
        claimed = session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=stamp)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
            raise LinkRefused(ALREADY_ANSWERED)
        person = session.get(Person, invitation.person_id)
        response = Response(
            wave_id=wave.id,
            team_id=person.team_id if person else invitation.team_id,
            person_id=None if anonymous or person is None else person.id,
            invitation_id=None if anonymous else invitation.id,
            source="link",
            pairing_code=code,
            submitted_at=stamp,
        )
    else:
        team = _open_team(session, wave, team_key)
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 64 or "\x00" in client_id:
            raise Invalid(UNRECOGNISED_BROWSER, [("client_id", UNRECOGNISED_BROWSER)])
        if _answered_from(session, wave, client_id):
            raise LinkRefused(ALREADY_FROM_BROWSER)
        response = Response(
            wave_id=wave.id,
            team_id=team.id,
            source="open",
            client_id=client_id,
            pairing_code=code,
            submitted_at=stamp,
        )
    mark_changed(session, wave=wave)
    response_id = _insert(session, response, answer_rows(definition, cap_ids, validated))
    session.execute(delete(ResponseDraft).where(*_draft_filter(wave, invitation, client_id)))
    return response_id


def _open_team(session: Session, wave: SurveyWave, team_key: str | None) -> Team:
    teams = {t.key: t for t in audience_teams(session, wave)}
    if not isinstance(team_key, str) or team_key not in teams:
        raise Invalid(CHOOSE_TEAM, [("team", CHOOSE_TEAM)])
    return teams[team_key]


# --- drafts: save and resume ----------------------------------------------------------------------------------


class Draft(BaseModel):
    """The answers kept so far (by question key, as `submit_response` takes them) and an open link's team."""

    answers: dict[str, Any] = {}
    team_key: str | None = None


def _draft_filter(wave: SurveyWave, invitation: Invitation | None, client_id: str | None) -> list:
    """The one draft of a personal link's invitation, or of an open link's browser."""
    if invitation is not None:
        return [ResponseDraft.invitation_id == invitation.id]
    return [ResponseDraft.wave_id == wave.id, ResponseDraft.client_id == client_id]


def _link(
    session: Session, token: str | None, open_token: str | None, client_id: str | None, now: dt.datetime
) -> tuple[SurveyWave, Invitation | None]:
    if token:
        invitation = _invitation(session, token, now)
        return invitation.wave, invitation
    wave = _open_wave(session, open_token, now)
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 64 or "\x00" in client_id:
        raise Invalid(UNRECOGNISED_BROWSER, [("client_id", UNRECOGNISED_BROWSER)])
    if _answered_from(session, wave, client_id):
        raise LinkRefused(ALREADY_FROM_BROWSER)
    return wave, None


def _keepable(definition: SurveyDefinition, capabilities: list[str], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers that fit the wave (required or not); a half-typed or stale answer is left out, never refused."""
    kept = {k: v for k, v in answers.items() if definition.question(k) is not None}
    for _ in range(len(kept) + 1):
        try:
            return validate_answers(definition, capabilities, kept, enforce_required=False)
        except Invalid as problem:
            if not problem.problems:
                return {}
            for where, _ in problem.problems:
                key, _, row = where.partition(".")
                if row and isinstance(kept.get(key), dict):
                    kept[key] = {k: v for k, v in kept[key].items() if k != row}
                else:
                    kept.pop(key, None)
    return {}


def save_draft(
    session: Session,
    *,
    token: str | None = None,
    open_token: str | None = None,
    client_id: str | None = None,
    answers: Any,
    team_key: str | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """Keep the answers given so far through a personal link (for its invitation: any device with the link gets
    them back) or an open link (for the browser), in the caller's transaction; returns what was kept. Answers that
    do not fit the wave are left out; `LinkRefused` for a link that cannot be used."""
    now = now or utcnow()
    wave, invitation = _link(session, token, open_token, client_id, now)
    cap_keys, _ = _capability_ids(session, wave)
    kept = _keepable(wave_definition(wave), cap_keys, answers if isinstance(answers, dict) else {})
    team = None
    if invitation is None and isinstance(team_key, str):
        team = next((t for t in audience_teams(session, wave) if t.key == team_key), None)
    try:
        with session.begin_nested():
            draft = session.scalar(select(ResponseDraft).where(*_draft_filter(wave, invitation, client_id)))
            if draft is None:
                draft = ResponseDraft(wave_id=wave.id, invitation_id=invitation.id if invitation else None)
                draft.client_id = None if invitation else client_id
                session.add(draft)
            draft.answers = kept
            draft.team_id = team.id if team else None
            draft.saved_at = _stamp(wave, now)
    except IntegrityError:  # the same link saved at the same moment in another tab: that one is kept
        pass
    return Draft(answers=kept, team_key=team.key if team else None)


def load_draft(
    session: Session,
    *,
    token: str | None = None,
    open_token: str | None = None,
    client_id: str | None = None,
    now: dt.datetime | None = None,
) -> Draft:
    """The answers kept for this link (personal) or this browser (open link); empty when there are none."""
    wave, invitation = _link(session, token, open_token, client_id, now or utcnow())
    draft = session.scalar(select(ResponseDraft).where(*_draft_filter(wave, invitation, client_id)))
    if draft is None:
        return Draft()
    cap_keys, _ = _capability_ids(session, wave)
    team = session.get(Team, draft.team_id) if draft.team_id is not None else None
    return Draft(
        answers=_keepable(wave_definition(wave), cap_keys, dict(draft.answers or {})),
        team_key=team.key if team else None,
    )


# --- imported responses ---------------------------------------------------------------------------------------


class ImportedResponse(BaseModel):
    line: int
    external_id: str
    team_id: int | None
    person_id: int | None
    submitted_at: dt.datetime | None
    answers: dict[str, Any]


def existing_external_ids(session: Session, wave: SurveyWave) -> set[str]:
    query = select(Response.external_id).where(Response.wave_id == wave.id, Response.external_id.is_not(None))
    return set(session.scalars(query))


def store_imported(session: Session, *, wave: SurveyWave, responses: list[ImportedResponse]) -> tuple[int, int]:
    """Insert the responses not stored before (by external id); returns (added, already there). A response of a
    roster person marks their invitation answered (their links then refuse, the reminders leave them out); a second
    response of a person, in the file or after an earlier answer through any channel, refuses the whole import with
    its lines. In an anonymous wave the person is credited but not kept on the response."""
    definition = wave_definition(wave)
    _, cap_ids = _capability_ids(session, wave)
    seen = existing_external_ids(session, wave)
    fresh = [r for r in responses if r.external_id not in seen]
    invitations = {
        i.person_id: i
        for i in session.scalars(
            select(Invitation).where(
                Invitation.wave_id == wave.id, Invitation.person_id.in_({r.person_id for r in fresh} - {None})
            )
        )
    }
    answered = {p for p, i in invitations.items() if i.used_at is not None}
    answered |= set(
        session.scalars(select(Response.person_id).where(Response.wave_id == wave.id, Response.person_id.is_not(None)))
    )
    problems = []
    for r in fresh:
        if r.person_id is None:
            continue
        if r.person_id in answered:
            problems.append((f"line {r.line}", "this person has already answered this wave; one answer per person"))
        answered.add(r.person_id)
    if problems:
        raise Invalid("Nothing was imported: some people would answer twice.", problems)
    new = []
    for r in responses:
        if r.external_id not in seen:
            seen.add(r.external_id)
            new.append(r)
            if r.person_id in invitations:
                invitations[r.person_id].used_at = _stamp(wave, r.submitted_at or utcnow())
    for start in range(0, len(new), IMPORT_CHUNK):
        _insert_imported(session, wave, definition, cap_ids, new[start : start + IMPORT_CHUNK])
    credited = [invitations[r.person_id].id for r in new if r.person_id in invitations]
    if credited:  # their answers came in another way: what they had begun through the link is not needed
        session.execute(delete(ResponseDraft).where(ResponseDraft.invitation_id.in_(credited)))
    mark_changed(session, wave=wave)
    return len(new), len(responses) - len(new)


def _insert_imported(
    session: Session, wave: SurveyWave, definition: SurveyDefinition, cap_ids: dict[str, int], chunk: list
) -> None:
    """A chunk of responses as two multi-row INSERTs, without ORM objects: an import of any size holds one chunk
    of rows in memory, not an object per answer (Core INSERTs: the ORM would insert these row by row)."""
    into_responses, into_answers = insert(cast(Table, Response.__table__)), insert(cast(Table, Answer.__table__))
    ids = session.scalars(
        into_responses.returning(Response.__table__.c.id, sort_by_parameter_order=True),
        [
            {
                "wave_id": wave.id,
                "team_id": r.team_id,
                "person_id": None if wave.anonymity == "anonymous" else r.person_id,
                "source": "import",
                "external_id": r.external_id,
                "submitted_at": _stamp(wave, r.submitted_at or utcnow()),
            }
            for r in chunk
        ],
    ).all()
    rows = [
        {**NO_VALUE, **row, "response_id": response_id, "wave_id": wave.id, "team_id": r.team_id}
        for response_id, r in zip(ids, chunk, strict=True)
        for row in answer_rows(definition, cap_ids, r.answers)
    ]
    if rows:
        session.execute(into_answers, rows)


# --- reading answers back (exports) ---------------------------------------------------------------------------


def response_table(session: Session, *, wave: SurveyWave) -> tuple[list[str], list[list[Any]]]:
    """One row per response in the native CSV layout (see `ldcore.io.tables`): response_id, submitted_at, team,
    source, then email and name unless the wave is anonymous, then one column per question (per capability:
    `key[capability]`; multi choice: labels joined by '; ').

    In an anonymous wave nothing in a row points at a person: ids are keyed hashes of the response (`keyed_hash`),
    rows are ordered by them rather than by submission, times are kept to the day, and teams with fewer responses
    than the minimum group are merged into "Other" (see `ldcore.analytics.suppression.merge_small_groups`)."""
    definition = wave_definition(wave)
    caps = wave_capabilities(session, wave)
    cap_key = {c.id: c.key for c in caps}
    anonymous = wave.anonymity == "anonymous"
    columns = ["response_id", "submitted_at", "team", "source"] + ([] if anonymous else ["email", "name"])
    question_columns: list[tuple[str, str | None]] = []
    for q in definition.questions:
        if q.rows_per_capability:
            question_columns.extend((q.key, c.key) for c in caps)
        else:
            question_columns.append((q.key, None))
    columns += [f"{k}[{c}]" if c else k for k, c in question_columns]
    position = {qc: n for n, qc in enumerate(question_columns)}
    kinds = {q.key: q.type for q in definition.questions}

    responses = session.execute(
        select(Response.id, Response.submitted_at, Team.key, Response.source, Person.email, Person.name)
        .outerjoin(Team, Team.id == Response.team_id)
        .outerjoin(Person, Person.id == Response.person_id)
        .where(Response.wave_id == wave.id)
        .order_by(Response.id)
    ).all()
    cells: dict[int, list[Any]] = {r[0]: [None] * len(question_columns) for r in responses}
    answers = session.execute(
        select(Answer.response_id, Answer.question_key, Answer.capability_id, Answer.value_num, Answer.value_text)
        .where(Answer.wave_id == wave.id)
        .order_by(Answer.response_id, Answer.id)
    )
    for response_id, question, capability_id, num, text in answers:
        n = position.get((question, cap_key.get(capability_id) if capability_id else None))
        if n is None or response_id not in cells:
            continue
        kind = kinds[question]
        value: Any = text if kind in ("text", "single_choice", "multi_choice") else _number(num)
        row = cells[response_id]
        row[n] = f"{row[n]}; {value}" if kind == "multi_choice" and row[n] else value
    if anonymous:
        return columns, _anonymised(session, wave, responses, cells)
    rows = []
    for rid, submitted, team, source, email, name in responses:
        stamp = submitted.isoformat(sep=" ", timespec="seconds")
        rows.append([f"r{rid}", stamp, team or "", source, email or "", name or "", *cells[rid]])
    return columns, rows


def _anonymised(session: Session, wave: SurveyWave, responses: Sequence[Any], cells: dict[int, list[Any]]) -> list:
    sizes = Counter(team or "" for _, _, team, _, _, _ in responses)
    label = suppression.merge_small_groups(sizes, wave.min_group)
    rows = [
        [keyed_hash(session, f"ldalign-export|{wave.id}|{rid}")[:16], submitted.date().isoformat(),
         label[team or ""], source, *cells[rid]]
        for rid, submitted, team, source, _, _ in responses
    ]  # fmt: skip
    return sorted(rows, key=lambda row: row[0])


def _number(value: float | None) -> Any:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
