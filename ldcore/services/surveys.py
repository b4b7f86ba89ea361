"""Survey waves and invitations: create a wave (a frozen snapshot of its definition), invite its audience with
personal single-use links, watch the response rate per team, remind who has not answered, and mail it all.

A wave's definition is `SurveyDefinition.snapshot()` plus `"capabilities"`: the capability keys of the wave at its
creation (the initiative's when it has one, else every capability of the plan). Editing a YAML file later never
changes a wave. The audience is the initiative's audience and control teams, or every team with a target in the
plan. A personal token is an HMAC of the wave and the person under the install's secret and only its SHA-256 is
stored: a reminder carries the same link, an editor can fetch it again for someone who lost it, and every link a
person was given keeps working until that person answers, after which it refuses.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ldcore import survey_defs
from ldcore.analytics import suppression
from ldcore.db import mark_changed
from ldcore.errors import Conflict, Invalid, NotFound, invalid_from
from ldcore.models import (
    Capability,
    Initiative,
    InitiativeTeam,
    Invitation,
    Person,
    Plan,
    Response,
    SurveyWave,
    Team,
    TeamTarget,
    hash_token,
    utcnow,
)
from ldcore.schemas import Key, Strict
from ldcore.services import accounts, audit, plans, survey_library
from ldcore.settings import SmtpSettings
from ldcore.vocab import MIN_GROUP_DEFAULT, MIN_GROUP_FLOOR, Anonymity, WaveKind

FOLLOWUP_DAYS = (30, 60, 90)
MAX_REMINDERS = 3
REMINDER_GAP_DAYS = 2


def new_token() -> str:
    return secrets.token_urlsafe(32)


def personal_token(session: Session, *, wave_id: int, person_id: int) -> str:
    """The one token of a person in a wave: the same every time it is asked for, unguessable without the secret."""
    digest = hmac.new(accounts.signing_secret(session), f"invitation:{wave_id}:{person_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def personal_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/respond?t={token}"


def base_from_request(url: str | None, page: str) -> str | None:
    """The app's address from the address a person's browser shows on `page` (e.g. "https://hr.example/ld/surveys"
    gives "https://hr.example/ld"); None without one."""
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1] == page:
        path = path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{path}"


def open_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/respond?o={token}"


# --- waves ------------------------------------------------------------------------------------------------------


class WaveIn(Strict):
    plan: Key
    survey: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    kind: WaveKind
    key: Key
    title: Annotated[str, Field(max_length=300)] = ""
    initiative: Key | None = None
    baseline_wave: Key | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    anonymity: Anonymity = "confidential"
    min_group: int = MIN_GROUP_DEFAULT

    @model_validator(mode="after")
    def _consistent(self) -> WaveIn:
        if self.min_group < MIN_GROUP_FLOOR:
            raise ValueError(f"min_group: the minimum group is never below {MIN_GROUP_FLOOR}")
        if self.opens and self.closes and self.closes < self.opens:
            raise ValueError("closes: the wave cannot close before it opens")
        if self.kind == "baseline" and self.baseline_wave:
            raise ValueError("baseline_wave: only a follow-up wave links to a baseline")
        return self


class WaveOut(BaseModel):
    key: str
    title: str
    survey_key: str
    kind: str
    plan: str
    initiative: str | None
    baseline_wave: str | None
    opens: dt.date | None
    closes: dt.date | None
    anonymity: str
    min_group: int
    capabilities: list[str]
    has_open_link: bool
    invited: int = 0
    responses: int = 0


class FollowupProposal(BaseModel):
    initiative: str
    initiative_name: str
    days: int
    opens: dt.date
    key: str
    exists: bool


def get_wave(session: Session, *, key: str) -> SurveyWave:
    wave = session.scalar(select(SurveyWave).where(SurveyWave.key == key))
    if wave is None:
        raise NotFound(f"No survey wave with key {key!r}.")
    return wave


def wave_definition(wave: SurveyWave) -> survey_defs.SurveyDefinition:
    return survey_defs.from_snapshot({k: v for k, v in wave.definition.items() if k != "capabilities"})


def wave_capabilities(session: Session, wave: SurveyWave) -> list[Capability]:
    """The wave's capabilities in the order captured at its creation (every capability of the plan, in plan order,
    for a wave that captured none)."""
    in_plan = session.scalars(
        select(Capability).where(Capability.plan_id == wave.plan_id).order_by(Capability.position)
    ).all()
    keys = wave.capability_keys
    if keys is None:
        return list(in_plan)
    caps = {c.key: c for c in in_plan}
    return [caps[k] for k in keys if k in caps]


def audience_teams(session: Session, wave: SurveyWave) -> list[Team]:
    if wave.initiative_id is not None:
        ids = select(InitiativeTeam.team_id).where(InitiativeTeam.initiative_id == wave.initiative_id)
    else:
        ids = select(TeamTarget.team_id).where(TeamTarget.plan_id == wave.plan_id)
    return list(session.scalars(select(Team).where(Team.id.in_(ids)).order_by(Team.name)).all())


def _out(session: Session, wave: SurveyWave) -> WaveOut:
    invited = session.scalar(select(func.count(Invitation.id)).where(Invitation.wave_id == wave.id)) or 0
    answered = session.scalar(select(func.count(Response.id)).where(Response.wave_id == wave.id)) or 0
    return WaveOut(
        key=wave.key,
        title=wave.title or wave.key,
        survey_key=wave.survey_key,
        kind=wave.kind,
        plan=wave.plan.key,
        initiative=wave.initiative.key if wave.initiative else None,
        baseline_wave=wave.baseline_wave.key if wave.baseline_wave else None,
        opens=wave.opens,
        closes=wave.closes,
        anonymity=wave.anonymity,
        min_group=wave.min_group,
        capabilities=list(wave.definition.get("capabilities") or []),
        has_open_link=wave.open_link_hash is not None,
        invited=invited,
        responses=answered,
    )


def describe_wave(session: Session, *, key: str) -> WaveOut:
    return _out(session, get_wave(session, key=key))


def list_waves(session: Session, *, plan_key: str) -> list[WaveOut]:
    plan = plans.get_plan(session, key=plan_key)
    waves = session.scalars(
        select(SurveyWave).where(SurveyWave.plan_id == plan.id).order_by(SurveyWave.opens, SurveyWave.id)
    ).all()
    return [_out(session, w) for w in waves]


def create_wave(
    session: Session, *, wave: WaveIn | dict[str, Any], surveys_dir: Path | None = None, actor: str = "cli"
) -> WaveOut:
    """A new wave with a snapshot of its survey definition and capabilities, in the caller's transaction."""
    try:
        w = wave if isinstance(wave, WaveIn) else WaveIn.model_validate(wave)
    except ValidationError as exc:
        raise invalid_from(exc, "wave") from exc
    plan = session.scalar(select(Plan).where(Plan.key == w.plan))
    if plan is None:
        raise Invalid(f"plan: no plan with key {w.plan!r}.", [("plan", f"no plan with key {w.plan!r}")])
    if session.scalar(select(SurveyWave.id).where(SurveyWave.key == w.key)) is not None:
        raise Conflict(f"A survey wave with key {w.key!r} already exists; choose another key.")
    definition, version_id = survey_library.definition_for_wave(session, key=w.survey, surveys_dir=surveys_dir)
    initiative = None
    if w.initiative:
        initiative = session.scalar(
            select(Initiative).where(Initiative.plan_id == plan.id, Initiative.key == w.initiative)
        )
        if initiative is None:
            message = f"no initiative {w.initiative!r} in plan {plan.key!r}"
            raise Invalid(f"initiative: {message}.", [("initiative", message)])
    baseline = None
    if w.baseline_wave:
        baseline = session.scalar(select(SurveyWave).where(SurveyWave.key == w.baseline_wave))
        if baseline is None or baseline.plan_id != plan.id or baseline.kind != "baseline":
            message = f"{w.baseline_wave!r} is not a baseline wave of plan {plan.key!r}"
            raise Invalid(f"baseline_wave: {message}.", [("baseline_wave", message)])
    if initiative is not None:
        capabilities = [c.key for c in sorted(initiative.capabilities, key=lambda c: c.position)]
    else:
        capabilities = list(
            session.scalars(select(Capability.key).where(Capability.plan_id == plan.id).order_by(Capability.position))
        )
    row = SurveyWave(
        key=w.key,
        plan_id=plan.id,
        initiative_id=initiative.id if initiative else None,
        baseline_wave_id=baseline.id if baseline else None,
        survey_key=w.survey,
        title=w.title or definition.title,
        kind=w.kind,
        definition={**definition.snapshot(), "capabilities": capabilities},
        opens=w.opens,
        closes=w.closes,
        anonymity=w.anonymity,
        min_group=w.min_group,
    )
    session.add(row)
    session.flush()
    survey_library.record_wave_version(session, wave_id=row.id, version_id=version_id)
    mark_changed(session, wave=row)
    accounts.signing_secret(session)  # made now, so simultaneous first respondents never race to create it
    audit.record(session, actor=actor, action="wave.create", entity="survey_wave", key=w.key, survey=w.survey)
    return _out(session, row)


def followup_proposals(session: Session, *, plan_key: str) -> list[FollowupProposal]:
    """Follow-up waves at +30, +60 and +90 days after each initiative of the plan ends."""
    plan = plans.get_plan(session, key=plan_key)
    existing = set(session.scalars(select(SurveyWave.key)))
    out = []
    for initiative in sorted(plan.initiatives, key=lambda i: i.position):
        if initiative.ends is None:
            continue
        for days in FOLLOWUP_DAYS:
            key = f"{initiative.key}-followup-{days}"[:64]
            out.append(
                FollowupProposal(
                    initiative=initiative.key,
                    initiative_name=initiative.name,
                    days=days,
                    opens=initiative.ends + dt.timedelta(days=days),
                    key=key,
                    exists=key in existing,
                )
            )
    return out


def create_open_link(session: Session, *, wave_key: str, base_url: str, actor: str = "cli") -> str:
    """A link anyone can answer through (they pick their team). A new one replaces the previous one."""
    wave = get_wave(session, key=wave_key)
    token = new_token()
    wave.open_link_hash = hash_token(token)
    mark_changed(session, wave=wave)
    audit.record(session, actor=actor, action="wave.open_link", entity="survey_wave", key=wave.key)
    return open_link(base_url, token)


# --- invitations ----------------------------------------------------------------------------------------------


class Link(BaseModel):
    email: str
    name: str
    team: str
    link: str


def issue_invitations(
    session: Session, *, wave_key: str, base_url: str, expires_at: dt.datetime | None = None, actor: str = "cli"
) -> list[Link]:
    """One personal link for every active roster person of the audience who has none yet (running it again
    invites only people added since). The links exist only in the returned list."""
    wave = get_wave(session, key=wave_key)
    teams = {t.id: t for t in audience_teams(session, wave)}
    if not teams:
        raise Invalid(f"Wave {wave.key!r} has no audience teams: give the plan team targets or the initiative teams.")
    invited = select(Invitation.person_id).where(Invitation.wave_id == wave.id)
    people = session.scalars(
        select(Person)
        .where(Person.team_id.in_(teams), Person.active.is_(True), Person.id.not_in(invited))
        .order_by(Person.team_id, Person.name, Person.email)
    ).all()
    answered = dict(
        session.execute(
            select(Response.person_id, func.min(Response.submitted_at))
            .where(Response.wave_id == wave.id, Response.person_id.is_not(None))
            .group_by(Response.person_id)
        ).all()
    )
    links = []
    for person in people:
        token = personal_token(session, wave_id=wave.id, person_id=person.id)
        session.add(
            Invitation(
                wave_id=wave.id,
                person_id=person.id,
                team_id=person.team_id,
                token_hash=hash_token(token),
                expires_at=expires_at,
                used_at=answered.get(person.id),
            )
        )
        if person.id in answered:  # answered already (an imported response): counted, no link to send
            continue
        links.append(
            Link(
                email=person.email,
                name=person.name,
                team=teams[person.team_id].name,
                link=personal_link(base_url, token),
            )
        )
    session.flush()
    mark_changed(session, wave=wave)
    audit.record(session, actor=actor, action="wave.invite", entity="survey_wave", key=wave.key, count=len(links))
    return links


class TeamRate(BaseModel):
    """`responded` and `rate` are None when fewer than the minimum group answered."""

    team: str
    invited: int
    responded: int | None
    rate: float | None


class ResponseRates(BaseModel):
    min_group: int
    teams: list[TeamRate]
    invited: int
    responded: int | None
    rate: float | None


OTHER_TEAMS = "Other teams"


def response_rates(session: Session, *, wave_key: str) -> ResponseRates:
    """Invited and answered per team. Teams with fewer invitations than the minimum group are counted together as
    "Other teams" (with the smallest other teams while that group is still too small); an answered count is hidden
    below the minimum group, and the total when subtracting shown counts from it would give away a hidden one."""
    wave = get_wave(session, key=wave_key)
    rows = session.execute(
        select(Team.key, Team.name, func.count(Invitation.id), func.count(Invitation.used_at))
        .join(Team, Team.id == Invitation.team_id)
        .where(Invitation.wave_id == wave.id)
        .group_by(Team.key, Team.name)
        .order_by(Team.name)
    ).all()
    labels = suppression.merge_small_groups({key: invited for key, _, invited, _ in rows}, wave.min_group)
    names = {key: OTHER_TEAMS if labels[key] == suppression.OTHER else name for key, name, _, _ in rows}
    groups: dict[str, list[tuple[str, int, int]]] = {}
    for key, _, invited, used in sorted(rows, key=lambda r: names[r[0]] == OTHER_TEAMS):
        groups.setdefault(names[key], []).append((key, invited, used))
    figures: list[suppression.Figure] = [{(key, None): used for key, _, used in members} for members in groups.values()]
    every = [member for members in groups.values() for member in members]
    *shown, total_shown = suppression.publishable([*figures, {(k, None): u for k, _, u in every}], wave.min_group)
    teams = []
    for (name, members), ok in zip(groups.items(), shown, strict=True):
        invited, used = sum(m[1] for m in members), sum(m[2] for m in members)
        rate = round(used / invited, 3) if ok and invited else None
        teams.append(TeamRate(team=name, invited=invited, responded=used if ok else None, rate=rate))
    invited_total, answered_total = sum(m[1] for m in every), sum(m[2] for m in every)
    return ResponseRates(
        min_group=wave.min_group,
        teams=teams,
        invited=invited_total,
        responded=answered_total if total_shown else None,
        rate=round(answered_total / invited_total, 3) if total_shown and invited_total else None,
    )


class Pending(BaseModel):
    email: str
    name: str
    team: str
    invited_at: dt.datetime
    reminders_sent: int
    last_reminded_at: dt.datetime | None


def non_respondents(session: Session, *, wave_key: str) -> list[Pending] | None:
    """Who has not answered yet; None in an anonymous wave: nobody's answered status is shown there (its reminders
    go to everybody invited)."""
    wave = get_wave(session, key=wave_key)
    if wave.anonymity == "anonymous":
        return None
    rows = session.execute(
        select(
            Person.email,
            Person.name,
            Team.name,
            Invitation.created_at,
            Invitation.reminders_sent,
            Invitation.last_reminded_at,
        )
        .join(Person, Person.id == Invitation.person_id)
        .join(Team, Team.id == Invitation.team_id)
        .where(Invitation.wave_id == wave.id, Invitation.used_at.is_(None))
        .order_by(Team.name, Person.name)
    ).all()
    return [
        Pending(email=e, name=n, team=t, invited_at=c, reminders_sent=r, last_reminded_at=last)
        for e, n, t, c, r, last in rows
    ]


def _invitations(session: Session, wave: SurveyWave) -> list[Invitation]:
    """Who still gets links: everybody invited who has not answered, or everybody invited in an anonymous wave (so
    that the list does not tell who answered; a link already used stays refused)."""
    query = select(Invitation).where(Invitation.wave_id == wave.id)
    if wave.anonymity != "anonymous":
        query = query.where(Invitation.used_at.is_(None))
    return list(
        session.scalars(
            query.options(selectinload(Invitation.person).selectinload(Person.team)).order_by(Invitation.id)
        )
    )


def _link(session: Session, invitation: Invitation, base_url: str) -> Link:
    person = invitation.person
    token = personal_token(session, wave_id=invitation.wave_id, person_id=invitation.person_id)
    if invitation.token_hash != hash_token(token):  # invited before links were derived: from now on, this link
        invitation.token_hash = hash_token(token)
    return Link(email=person.email, name=person.name, team=person.team.name, link=personal_link(base_url, token))


def _last_sent(invitation: Invitation) -> dt.datetime:
    return invitation.last_reminded_at or invitation.created_at


class ReminderPlan(BaseModel):
    """Who a reminder would go to now: `due` people, `not_due` invited too recently or reminded 3 times already;
    `next_at` is when the next one becomes possible when nobody is due."""

    due: int
    not_due: int
    next_at: dt.datetime | None


def _due(invitations: list[Invitation], now: dt.datetime, gap_days: int) -> list[Invitation]:
    gap = dt.timedelta(days=gap_days)
    return [i for i in invitations if i.reminders_sent < MAX_REMINDERS and now - _last_sent(i) >= gap]


def reminder_plan(
    session: Session, *, wave_key: str, now: dt.datetime | None = None, gap_days: int = REMINDER_GAP_DAYS
) -> ReminderPlan:
    now = now or utcnow()
    invitations = _invitations(session, get_wave(session, key=wave_key))
    due = _due(invitations, now, gap_days)
    waiting = [_last_sent(i) for i in invitations if i.reminders_sent < MAX_REMINDERS and i not in due]
    next_at = min(waiting) + dt.timedelta(days=gap_days) if waiting and not due else None
    return ReminderPlan(due=len(due), not_due=len(invitations) - len(due), next_at=next_at)


def remind(
    session: Session,
    *,
    wave_key: str,
    base_url: str,
    now: dt.datetime | None = None,
    gap_days: int = REMINDER_GAP_DAYS,
    actor: str = "cli",
) -> tuple[list[Link], int]:
    """The same personal link again for everybody who has not answered, at most 3 times, and not within
    `gap_days` of their invitation or last reminder; links already sent keep working. In an anonymous wave everybody
    invited is reminded (a link already used stays refused), so the list of reminders does not tell who answered.
    Refused when nobody is due. Returns (links, skipped): skipped counts people not due."""
    now = now or utcnow()
    wave = get_wave(session, key=wave_key)
    if wave.closes is not None and wave.closes < now.date():
        raise Invalid(f"Wave {wave.key!r} closed on {wave.closes}; there is nobody to remind.")
    invitations = _invitations(session, wave)
    due = _due(invitations, now, gap_days)
    if not due:
        plan = reminder_plan(session, wave_key=wave_key, now=now, gap_days=gap_days)
        if plan.next_at is None:
            raise Invalid("Nobody is due a reminder: everybody has answered or had 3 reminders already.")
        raise Invalid(
            f"Too soon for a reminder: reminders go at least {gap_days} days after the invitation or the last "
            f"reminder. The next one can go from {plan.next_at:%Y-%m-%d %H:%M} UTC."
        )
    links = []
    for invitation in due:
        invitation.reminders_sent += 1
        invitation.last_reminded_at = now
        links.append(_link(session, invitation, base_url))
    session.flush()
    mark_changed(session, wave=wave)
    audit.record(session, actor=actor, action="wave.remind", entity="survey_wave", key=wave.key, count=len(links))
    return links, len(invitations) - len(due)


def invitation_links(session: Session, *, wave_key: str, base_url: str, actor: str = "cli") -> list[Link]:
    """The personal links again, for people who lost theirs: everybody invited who has not answered (everybody
    invited in an anonymous wave). The links are the ones sent before, so nothing sent stops working."""
    wave = get_wave(session, key=wave_key)
    links = [_link(session, invitation, base_url) for invitation in _invitations(session, wave)]
    session.flush()
    audit.record(session, actor=actor, action="wave.links", entity="survey_wave", key=wave.key, count=len(links))
    return links


def mark_sent(session: Session, *, wave_key: str, emails: Iterable[str], at: dt.datetime | None = None) -> int:
    wave = get_wave(session, key=wave_key)
    emails = [e.lower() for e in emails]
    if not emails:
        return 0
    invitations = session.scalars(
        select(Invitation).join(Person).where(Invitation.wave_id == wave.id, Person.email.in_(emails))
    ).all()
    for invitation in invitations:
        invitation.sent_at = at or utcnow()
    mark_changed(session, wave=wave)
    return len(invitations)


# --- mail -----------------------------------------------------------------------------------------------------


SMTP_MISSING = "SMTP is not configured: add an [smtp] section with at least host and sender to secrets.toml."


def smtp_configured(smtp: SmtpSettings) -> bool:
    return smtp.configured


def invitation_message(link: Link, *, title: str, sender: str, reminder: bool = False) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = link.email
    message["Subject"] = ("Reminder: " if reminder else "") + title
    opening = (
        "A friendly reminder: we would still value your answers (if you have already answered, thank you: there "
        "is nothing more to do)."
        if reminder
        else "We would value your answers."
    )
    message.set_content(
        f'Hello {link.name},\n\n{opening} The survey "{title}" takes a few minutes:\n\n{link.link}\n\n'
        "The link is personal and works once; please do not forward it.\n"
    )
    return message


@contextmanager
def smtp_connection(smtp: SmtpSettings) -> Iterator[tuple[smtplib.SMTP, str]]:
    """An open, signed-in connection to the configured SMTP server ([smtp] host, port, username, password, sender,
    starttls, ssl) and the sender address."""
    if not smtp.configured:
        raise Invalid(SMTP_MISSING)
    host, port = smtp.host, smtp.port_or_default
    client = smtplib.SMTP_SSL(host, port, timeout=30) if smtp.ssl else smtplib.SMTP(host, port, timeout=30)
    with client:
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            client.login(smtp.username, smtp.password)
        yield client, smtp.from_address


def send_links(
    smtp: SmtpSettings,
    links: list[Link],
    *,
    title: str,
    reminder: bool = False,
    compose: Callable[[Link, str], EmailMessage] | None = None,
) -> tuple[list[str], list[str]]:
    """Mail each link through the configured SMTP server, written by `compose(link, sender)` (a wave's templates,
    see `mailing.send_links`) or else the plain default. Returns (sent, failed) email addresses; a refused recipient
    does not stop the others."""
    sent, failed = [], []
    with smtp_connection(smtp) as (client, sender):
        for link in links:
            try:
                message = (
                    compose(link, sender)
                    if compose
                    else invitation_message(link, title=title, sender=sender, reminder=reminder)
                )
                client.send_message(message)
                sent.append(link.email)
            except smtplib.SMTPRecipientsRefused:
                failed.append(link.email)
    return sent, failed
