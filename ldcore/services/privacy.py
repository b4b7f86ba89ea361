"""A person's data and how long identities are kept.

`person_data` gathers everything stored about one roster person: the roster record, their invitations, and the
identified and confidential responses with their answers (anonymous responses carry no identity, so nobody can find
them). `erase_person` removes the person: roster row, invitations (with their token hashes and the answers kept unsent
for them, see `ResponseDraft`), manager references, and the link from every response to them; their answers are
deleted or, by the `erase_answers` setting, kept as anonymous answers. Kept answers stay in their team only while the
team has at least the wave's minimum group of responses, so every published aggregate is exactly what it was before
the erasure and no aggregate of a group under the minimum can be worked out from the kept rows; free-text answers,
which may name the person, are deleted either way.

Retention: a wave keeps its respondents' identities `identity_retention_days` (default 365) after it closes; then
`apply_retention` removes them (who answered, their links, external ids, the time of day). Answers stay. Answers
kept unsent (drafts) go as soon as their wave has closed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from ldcore.db import mark_changed
from ldcore.errors import Conflict, Invalid, NotFound
from ldcore.models import (
    Account,
    Answer,
    Capability,
    Invitation,
    Person,
    Response,
    ResponseDraft,
    SurveyWave,
    Team,
    utcnow,
)
from ldcore.services import audit
from ldcore.services.surveys import get_wave

ERASE_MODES = ("delete", "anonymise")
INVITATIONS = cast(Table, Invitation.__table__)  # Core DELETEs: no ORM objects loaded to delete them
MAX_RETENTION_DAYS = 3650
ANONYMOUS_NOTE = "Answers given in anonymous waves are stored without any identity and cannot be found or exported."


# --- a person's data ------------------------------------------------------------------------------------------


class RosterRecord(BaseModel):
    email: str
    name: str
    team: str
    employee_id: str
    role: str
    manager_email: str
    active: bool


class InvitationRecord(BaseModel):
    wave: str
    wave_title: str
    invited_at: dt.datetime
    expires_at: dt.datetime | None
    sent_at: dt.datetime | None
    answered_at: dt.datetime | None
    reminders_sent: int
    unsent_answers: dict[str, Any] = {}  # kept while they answer (a draft), by question key; gone once sent


class AnswerRecord(BaseModel):
    question: str
    capability: str | None
    value: float | str | None


class ResponseRecord(BaseModel):
    wave: str
    wave_title: str
    anonymity: str
    submitted_at: dt.datetime
    team: str | None
    source: str
    answers: list[AnswerRecord]


class PersonData(BaseModel):
    email: str
    exported_at: dt.datetime
    roster: RosterRecord
    invitations: list[InvitationRecord]
    responses: list[ResponseRecord]
    note: str = ANONYMOUS_NOTE


class PersonSummary(BaseModel):
    email: str
    name: str
    team: str
    invitations: int
    responses: int


class Erasure(BaseModel):
    answers: str
    responses_deleted: int
    responses_kept: int
    invitations_removed: int


def _person(session: Session, email: str) -> Person:
    wanted = (email or "").strip().lower()
    person = session.scalar(select(Person).where(func.lower(Person.email) == wanted)) if wanted else None
    if person is None:
        raise NotFound(f"Nobody with the email {wanted or '(empty)'} is on the roster.")
    return person


def _responses_of(session: Session, person: Person) -> list[Response]:
    invitations = select(Invitation.id).where(Invitation.person_id == person.id)
    return list(
        session.scalars(
            select(Response)
            .where(or_(Response.person_id == person.id, Response.invitation_id.in_(invitations)))
            .order_by(Response.submitted_at, Response.id)
        )
    )


def _answer_records(session: Session, response_id: int) -> list[AnswerRecord]:
    rows = session.execute(
        select(Answer.question_key, Capability.key, Answer.value_num, Answer.value_text)
        .outerjoin(Capability, Capability.id == Answer.capability_id)
        .where(Answer.response_id == response_id)
        .order_by(Answer.id)
    )
    return [AnswerRecord(question=q, capability=c, value=text if text is not None else num) for q, c, num, text in rows]


def person_data(session: Session, *, email: str, actor: str, now: dt.datetime | None = None) -> PersonData:
    """Everything stored about the roster person with `email`; the export itself is audited (without the email,
    so that a later erasure leaves nothing behind)."""
    person = _person(session, email)
    teams = {t.id: t.name for t in session.scalars(select(Team))}
    waves = {w.id: w for w in session.scalars(select(SurveyWave))}
    invitations = session.scalars(
        select(Invitation).where(Invitation.person_id == person.id).order_by(Invitation.created_at, Invitation.id)
    ).all()
    drafts: dict[int | None, dict[str, Any]] = dict(
        session.execute(
            select(ResponseDraft.invitation_id, ResponseDraft.answers).where(
                ResponseDraft.invitation_id.in_([i.id for i in invitations])
            )
        ).all()
    )
    data = PersonData(
        email=person.email,
        exported_at=now or utcnow(),
        roster=RosterRecord(
            email=person.email,
            name=person.name,
            team=teams[person.team_id],
            employee_id=person.employee_id,
            role=person.role,
            manager_email=person.manager_email,
            active=person.active,
        ),
        invitations=[
            InvitationRecord(
                wave=waves[i.wave_id].key,
                wave_title=waves[i.wave_id].title,
                invited_at=i.created_at,
                expires_at=i.expires_at,
                sent_at=i.sent_at,
                answered_at=i.used_at,
                reminders_sent=i.reminders_sent,
                unsent_answers=drafts.get(i.id) or {},
            )
            for i in invitations
        ],
        responses=[
            ResponseRecord(
                wave=waves[r.wave_id].key,
                wave_title=waves[r.wave_id].title,
                anonymity=waves[r.wave_id].anonymity,
                submitted_at=r.submitted_at,
                team=teams.get(r.team_id) if r.team_id else None,
                source=r.source,
                answers=_answer_records(session, r.id),
            )
            for r in _responses_of(session, person)
        ],
    )
    audit.record(
        session,
        actor=actor,
        action="person.export",
        entity="person",
        key=str(person.id),
        invitations=len(data.invitations),
        responses=len(data.responses),
    )
    return data


def person_summary(session: Session, *, email: str) -> PersonSummary:
    """Who the email belongs to and how much is stored, to confirm before exporting or erasing."""
    person = _person(session, email)
    invitations = session.scalar(select(func.count(Invitation.id)).where(Invitation.person_id == person.id))
    return PersonSummary(
        email=person.email,
        name=person.name,
        team=person.team.name,
        invitations=invitations or 0,
        responses=len(_responses_of(session, person)),
    )


def _strip_identity(response: Response) -> None:
    """What links a response to a person: the person, the invitation, another tool's id, the browser, the time."""
    response.person_id = None
    response.invitation_id = None
    response.external_id = None
    response.client_id = None
    response.submitted_at = dt.datetime.combine(response.submitted_at.date(), dt.time())


def _keep_anonymously(session: Session, response: Response) -> None:
    _strip_identity(response)
    wave = session.get(SurveyWave, response.wave_id)
    assert wave is not None  # a response belongs to its wave
    team_size = session.scalar(
        select(func.count(Response.id)).where(
            Response.wave_id == response.wave_id, Response.team_id == response.team_id
        )
    )
    if response.team_id is not None and (team_size or 0) < wave.min_group:
        # The team's aggregate is hidden anyway; a kept row must not point at one of its few members.
        response.team_id = None
        for answer in response.answers:
            answer.team_id = None
    free_text = {q["key"] for q in wave.questions if q.get("type") == "text"}
    for answer in [a for a in response.answers if a.question_key in free_text]:
        response.answers.remove(answer)


def erase_person(session: Session, *, email: str, answers: str, actor: str) -> Erasure:
    """Remove the roster person with `email` and everything that identifies them; `answers` is "delete" or
    "anonymise" (see the module's docstring). One transaction: the caller's."""
    if answers not in ERASE_MODES:
        raise Invalid(f"What to do with the answers must be one of {', '.join(ERASE_MODES)}; got {answers!r}.")
    person = _person(session, email)
    if session.scalar(select(Account.id).where(func.lower(Account.email) == person.email.lower())) is not None:
        raise Conflict(
            f"{person.email} also signs in to LD Align. Accounts stay for the audit trail, so the survey data of an "
            "account holder cannot be erased here; deactivate the account and ask the operator to erase by hand."
        )
    responses = _responses_of(session, person)
    for response in responses:
        if answers == "delete":
            session.delete(response)
        else:
            _keep_anonymously(session, response)
    session.flush()
    their_invitations = select(Invitation.id).where(Invitation.person_id == person.id)
    session.execute(delete(ResponseDraft).where(ResponseDraft.invitation_id.in_(their_invitations)))
    removed = session.execute(INVITATIONS.delete().where(Invitation.person_id == person.id)).rowcount  # type: ignore[attr-defined]
    session.execute(
        update(Person).where(func.lower(Person.manager_email) == person.email.lower()).values(manager_email="")
    )
    person_id = person.id
    session.delete(person)
    session.flush()
    mark_changed(session)  # people and their answers show in every plan
    result = Erasure(
        answers=answers,
        responses_deleted=len(responses) if answers == "delete" else 0,
        responses_kept=len(responses) if answers == "anonymise" else 0,
        invitations_removed=removed,
    )
    audit.record(
        session, actor=actor, action="person.erase", entity="person", key=str(person_id), **result.model_dump()
    )
    return result


# --- retention -------------------------------------------------------------------------------------------------


class Retention(BaseModel):
    wave: str
    closes: dt.date | None
    days: int
    removes_on: dt.date | None
    removed_at: dt.datetime | None


def _retention(wave: SurveyWave) -> Retention:
    return Retention(
        wave=wave.key,
        closes=wave.closes,
        days=wave.identity_retention_days,
        removes_on=wave.closes + dt.timedelta(days=wave.identity_retention_days) if wave.closes else None,
        removed_at=wave.identities_removed_at,
    )


def retention(session: Session, *, wave_key: str) -> Retention:
    return _retention(get_wave(session, key=wave_key))


def retention_overview(session: Session) -> list[Retention]:
    """Every wave's retention, the waves of the newest plans first."""
    return [_retention(w) for w in session.scalars(select(SurveyWave).order_by(SurveyWave.id.desc()))]


def set_retention(session: Session, *, wave_key: str, days: Any, actor: str) -> Retention:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_RETENTION_DAYS:
        raise Invalid(
            f"Keep identities for a whole number of days between 0 and {MAX_RETENTION_DAYS} after the wave closes.",
            [("days", f"a whole number from 0 to {MAX_RETENTION_DAYS}")],
        )
    wave = get_wave(session, key=wave_key)
    wave.identity_retention_days = days
    mark_changed(session, wave=wave)
    audit.record(session, actor=actor, action="wave.retention", entity="survey_wave", key=wave.key, days=days)
    session.flush()
    return _retention(wave)


def apply_retention(session: Session, *, now: dt.datetime | None = None, actor: str = "system") -> list[Retention]:
    """Remove respondents' identities from every wave past its retention date; returns the waves it removed
    something from or reached for the first time. Running it again removes nothing more and records nothing (a
    response imported into such a wave later loses its identity on the next run)."""
    now = now or utcnow()
    done = []
    closed = select(SurveyWave.id).where(SurveyWave.closes < now.date())
    session.execute(delete(ResponseDraft).where(ResponseDraft.wave_id.in_(closed)))  # can never be sent now
    for wave in session.scalars(select(SurveyWave).where(SurveyWave.closes.is_not(None)).order_by(SurveyWave.key)):
        removes_on = _retention(wave).removes_on
        if removes_on is None or removes_on > now.date():
            continue
        identified = session.scalars(
            select(Response).where(
                Response.wave_id == wave.id,
                or_(
                    Response.person_id.is_not(None),
                    Response.invitation_id.is_not(None),
                    Response.external_id.is_not(None),
                    Response.client_id.is_not(None),
                ),
            )
        ).all()
        for response in identified:
            _strip_identity(response)
        session.flush()
        invitations = session.execute(INVITATIONS.delete().where(Invitation.wave_id == wave.id)).rowcount  # type: ignore[attr-defined]
        if not identified and not invitations and wave.identities_removed_at is not None:
            continue
        wave.identities_removed_at = wave.identities_removed_at or now
        mark_changed(session, wave=wave)
        audit.record(
            session,
            actor=actor,
            action="wave.identities_removed",
            entity="survey_wave",
            key=wave.key,
            responses=len(identified),
            invitations=invitations,
        )
        done.append(_retention(wave))
    session.flush()
    return done
