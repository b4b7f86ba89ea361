"""Mail of a wave on a schedule: templates per wave, the record of every mail sent, and `tick`.

A wave's invitation and reminder each have a subject and a body with placeholders ({name}, {link}, {closes},
{anonymity}, {title}); an empty field means the default text. `tick` is what cron or a systemd timer runs every few
minutes: for each wave whose mail is scheduled it records the wave opening and closing on its dates, invites the
audience when the wave is open, and reminds who has not answered on the wave's days after the invitation (at most 3).

Nothing is mailed twice, even by two ticks at once: a tick first claims each mail by writing its `mail_send` row
(status "sending") in a transaction that holds the wave's mailing row locked (SELECT … FOR UPDATE on Postgres,
BEGIN IMMEDIATE on SQLite), so a second tick waits, then sees the claim and leaves it. Only then is the mail sent,
and its outcome recorded at once: "sent", or "failed" with the reason, which a later tick sends again (up to
MAX_ATTEMPTS times). A tick stopped between sending and recording leaves the row "sending": never sent again, so a
person may miss a mail but never gets one twice.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
import string
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage

from pydantic import BaseModel
from sqlalchemy import Engine, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ldcore.db import mark_changed, read_session, unit_of_work
from ldcore.errors import Invalid, LDAlignError
from ldcore.models import AppState, Invitation, MailSend, Person, SurveyWave, Team, WaveMailing, utcnow
from ldcore.reporting import delivery
from ldcore.services import audit, responses, surveys
from ldcore.settings import SmtpSettings

PLACEHOLDERS = {
    "name": "the person's name",
    "link": "their personal link",
    "closes": "the closing date",
    "anonymity": "what happens to their answers",
    "title": "the survey's title",
}
MAX_SUBJECT = 200
MAX_BODY = 10_000
MAX_ATTEMPTS = 5
# A claim older than this whose mail was never confirmed sent or failed belongs to a tick that died: claimed again.
LEASE = dt.timedelta(hours=1)
# Links handed out by hand (the Surveys page, `ldalign invite`) are being mailed by that hand for this long: a tick
# leaves them alone meanwhile, then mails those that were not marked sent (a mail that failed, or a CSV of links).
HANDED_OUT = dt.timedelta(minutes=30)
MAX_REMINDER_DAY = 90

DEFAULT_INVITE_SUBJECT = "{title}: we would value your answers"
DEFAULT_INVITE_BODY = """Hello {name},

We would value your answers to the survey "{title}". It takes a few minutes:

{link}

Closing date: {closes}.

{anonymity}

The link is personal and works once; please do not forward it.
"""
DEFAULT_REMIND_SUBJECT = "Reminder: {title}"
DEFAULT_REMIND_BODY = """Hello {name},

A friendly reminder: we would still value your answers to the survey "{title}". If you have already answered, \
thank you: there is nothing more to do.

{link}

Closing date: {closes}.

{anonymity}

The link is personal and works once; please do not forward it.
"""
DEFAULTS = {
    "invite_subject": DEFAULT_INVITE_SUBJECT,
    "invite_body": DEFAULT_INVITE_BODY,
    "remind_subject": DEFAULT_REMIND_SUBJECT,
    "remind_body": DEFAULT_REMIND_BODY,
}
LABELS = {
    "invite_subject": "invitation subject",
    "invite_body": "invitation text",
    "remind_subject": "reminder subject",
    "remind_body": "reminder text",
}
NO_CLOSING_DATE = "none set"


# --- templates ----------------------------------------------------------------------------------------------------


class Templates(BaseModel):
    """A wave's mail: the texts in use (defaults filled in), its reminder days and whether tick mails it."""

    wave: str
    invite_subject: str
    invite_body: str
    remind_subject: str
    remind_body: str
    reminder_days: list[int]
    scheduled: bool


class Rendered(BaseModel):
    kind: str  # invitation | reminder
    to: str
    subject: str
    body: str


def check_template(text: str, *, name: str) -> set[str]:
    """The placeholders `text` uses; refused when one is not in PLACEHOLDERS, or a brace stands alone, naming the
    problem."""
    label = LABELS.get(name, name)
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        message = (
            f"the {label} has a single {{ or }}: write {{{{ or }}}} for a brace, or use a placeholder like {{name}}"
        )
        raise Invalid(message[0].upper() + message[1:] + ".", [(name, message)]) from None
    unknown, used = [], set()
    for _, placeholder, spec, conversion in parts:
        if placeholder is None:
            continue
        if placeholder not in PLACEHOLDERS or spec or conversion:
            unknown.append(
                "{" + placeholder + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
        used.add(placeholder)
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        message = f"the {label} uses unknown placeholders {', '.join(unknown)}; the placeholders are {known}"
        raise Invalid(message[0].upper() + message[1:] + ".", [(name, message)])
    return used


def _check_all(texts: dict[str, str]) -> None:
    problems = []
    for name, text in texts.items():
        limit = MAX_SUBJECT if name.endswith("subject") else MAX_BODY
        if len(text) > limit:
            problems.append((name, f"the {LABELS[name]} is longer than {limit:,} characters"))
            continue
        if name.endswith("subject") and ("\n" in text or "\r" in text):
            problems.append((name, f"the {LABELS[name]} must be one line"))
            continue
        try:
            used = check_template(text, name=name)
        except Invalid as error:
            problems += error.problems
            continue
        if name.endswith("body") and "link" not in used:
            problems.append((name, f"the {LABELS[name]} must contain {{link}}, or nobody can answer"))
    if problems:
        raise Invalid("The mail templates were not saved: " + "; ".join(m for _, m in problems) + ".", problems)


def check_reminder_days(days: list[int] | tuple[int, ...]) -> list[int]:
    days = list(days)
    message = None
    if len(days) > surveys.MAX_REMINDERS:
        message = f"at most {surveys.MAX_REMINDERS} reminders"
    elif any(not 1 <= d <= MAX_REMINDER_DAY for d in days):
        message = f"reminder days are between 1 and {MAX_REMINDER_DAY} days after the invitation"
    elif any(b <= a for a, b in zip(days, days[1:], strict=False)):
        message = "reminder days go up, e.g. 3, 7"
    if message:
        raise Invalid(f"Reminders: {message}.", [("reminder_days", message)])
    return days


def parse_days(text: str) -> list[int]:
    """ "3, 7" as [3, 7]; an empty text is no reminder."""
    try:
        return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        message = f"write the days as numbers separated by commas, e.g. 3, 7 (not {text!r})"
        raise Invalid(f"Reminders: {message}.", [("reminder_days", message)]) from None


def _mailing(session: Session, wave: SurveyWave) -> WaveMailing | None:
    return session.get(WaveMailing, wave.id)


def templates(session: Session, *, wave_key: str, default_days: tuple[int, ...] = (3, 7)) -> Templates:
    wave = surveys.get_wave(session, key=wave_key)
    row = _mailing(session, wave)
    stored: dict[str, str | None] = {name: getattr(row, name) if row else None for name in DEFAULTS}
    return Templates.model_validate(
        {
            "wave": wave.key,
            **{name: stored[name] or default for name, default in DEFAULTS.items()},
            "reminder_days": list(row.reminder_days if row and row.reminder_days is not None else default_days),
            "scheduled": bool(row and row.scheduled),
        }
    )


def save_templates(
    session: Session,
    *,
    wave_key: str,
    texts: dict[str, str],
    reminder_days: list[int] | None = None,
    scheduled: bool | None = None,
    actor: str = "cli",
) -> Templates:
    """Store a wave's templates (a text equal to the default, or empty, is stored as "the default"), its reminder
    days and whether tick mails it; refused as a whole, naming each bad field."""
    wave = surveys.get_wave(session, key=wave_key)
    unknown = set(texts) - set(DEFAULTS)
    if unknown:
        raise Invalid(f"Unknown template fields: {', '.join(sorted(unknown))}.")
    texts = {name: text.replace("\r\n", "\n") for name, text in texts.items()}
    _check_all({name: text for name, text in texts.items() if text.strip()})
    days = check_reminder_days(reminder_days) if reminder_days is not None else None
    row = _mailing(session, wave)
    if row is None:
        row = WaveMailing(wave_id=wave.id, scheduled=False)
        session.add(row)
    for name, text in texts.items():
        setattr(row, name, None if not text.strip() or text == DEFAULTS[name] else text)
    if days is not None:
        row.reminder_days = days
    if scheduled is not None:
        row.scheduled = scheduled
    session.flush()
    mark_changed(session, wave=wave)
    audit.record(session, actor=actor, action="wave.mail_templates", entity="survey_wave", key=wave.key)
    return templates(session, wave_key=wave_key)


def closing_text(closes: dt.date | None) -> str:
    return f"{closes.day} {closes:%B %Y}" if closes else NO_CLOSING_DATE


def _values(wave: SurveyWave, *, name: str, link: str) -> dict[str, str]:
    return {
        "name": name,
        "link": link,
        "closes": closing_text(wave.closes),
        # the sentence the respondent page shows, so that the mail promises exactly what the survey says
        "anonymity": responses.ANONYMITY_NOTES.get(wave.anonymity, responses.ANONYMITY_NOTES["confidential"]).format(
            n=wave.min_group
        ),
        "title": wave.title or wave.key,
    }


def render(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


def preview(
    session: Session,
    *,
    wave_key: str,
    base_url: str,
    texts: dict[str, str] | None = None,
    default_days: tuple[int, ...] = (3, 7),
) -> list[Rendered]:
    """The invitation and the reminder as one person of the audience would get them (the first invited, else the
    first on the roster of the audience, else an example person), with the stored texts or `texts` as typed. The
    link is a stand-in: a preview never shows anybody's real link."""
    wave = surveys.get_wave(session, key=wave_key)
    current = templates(session, wave_key=wave_key, default_days=default_days).model_dump()
    chosen = {name: (texts or {}).get(name) or current[name] for name in DEFAULTS}
    _check_all(chosen)
    teams = [t.id for t in surveys.audience_teams(session, wave)]
    person = session.scalar(
        select(Person).join(Invitation, Invitation.person_id == Person.id).where(Invitation.wave_id == wave.id)
        .order_by(Invitation.id).limit(1)
    ) or session.scalar(
        select(Person).where(Person.team_id.in_(teams), Person.active.is_(True)).order_by(Person.name).limit(1)
    )  # fmt: skip
    name, email = (person.name, person.email) if person else ("Alex Example", "alex@example.org")
    values = _values(wave, name=name, link=surveys.personal_link(base_url, "PERSONAL-LINK"))
    return [
        Rendered(kind=kind, to=email, subject=render(chosen[f"{prefix}_subject"], values),
                 body=render(chosen[f"{prefix}_body"], values))
        for kind, prefix in (("invitation", "invite"), ("reminder", "remind"))
    ]  # fmt: skip


def send_links(
    session: Session, smtp: SmtpSettings, *, wave_key: str, links: list[surveys.Link], reminder: bool = False
) -> tuple[list[str], list[str]]:
    """Mail links handed out now (the Create personal links and Send reminders buttons, `ldalign invite` and
    `remind`) with the wave's templates; returns (sent, failed) email addresses like `surveys.send_links`."""
    wave = surveys.get_wave(session, key=wave_key)
    texts = templates(session, wave_key=wave_key)

    def compose(link: surveys.Link, sender: str) -> EmailMessage:
        return _message(wave, texts, name=link.name, to=link.email, link=link.link, reminder=reminder, sender=sender)

    return surveys.send_links(smtp, links, title=wave.title or wave.key, reminder=reminder, compose=compose)


# --- who got what -------------------------------------------------------------------------------------------------


class SendStatus(BaseModel):
    email: str
    name: str
    team: str
    invitation: str  # sent DATE | not yet | being sent | failed: REASON …
    reminders: int
    problem: str  # the last failed reminder's reason, or ""


def _when(at: dt.datetime) -> str:
    return f"{at.day} {at:%b %Y %H:%M} UTC"


def _failure(row: MailSend) -> str:
    again = "gave up" if row.attempts >= MAX_ATTEMPTS else "tried again on the next run"
    return f"failed: {row.error} ({row.attempts} {'try' if row.attempts == 1 else 'tries'}, {again})"


def send_status(session: Session, *, wave_key: str) -> list[SendStatus]:
    """Per invited person: the invitation mail (sent when, not yet, being sent, failed with the reason), the
    reminders sent, and the last reminder's problem."""
    wave = surveys.get_wave(session, key=wave_key)
    rows = session.execute(
        select(Invitation, Person.email, Person.name, Team.name)
        .join(Person, Person.id == Invitation.person_id)
        .join(Team, Team.id == Invitation.team_id)
        .where(Invitation.wave_id == wave.id)
        .order_by(Team.name, Person.name, Person.email)
    ).all()
    sends: dict[int, dict[int, MailSend]] = {}
    for send in session.scalars(select(MailSend).where(MailSend.wave_id == wave.id)):
        sends.setdefault(send.invitation_id, {})[send.step] = send
    out = []
    for invitation, email, name, team in rows:
        mine = sends.get(invitation.id, {})
        first = mine.get(0)
        if invitation.sent_at is not None:
            state = f"sent {_when(invitation.sent_at)}"
        elif first is None:
            state = "not yet"
        elif first.status == "failed":
            state = _failure(first)
        else:
            state = "being sent"
        failed = [s for step, s in sorted(mine.items()) if step > 0 and s.status == "failed"]
        out.append(
            SendStatus(
                email=email,
                name=name,
                team=team,
                invitation=state,
                reminders=invitation.reminders_sent,
                problem=f"reminder {failed[-1].step} {_failure(failed[-1])}" if failed else "",
            )
        )
    return out


# --- tick ---------------------------------------------------------------------------------------------------------


@dataclass
class Claimed:
    claimer: str
    send_id: int
    wave_key: str
    step: int
    message: EmailMessage


@dataclass
class TickReport:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    invitations: int = 0
    reminders: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unmailed: list[str] = field(default_factory=list)  # open scheduled waves, while SMTP is not configured

    def lines(self) -> list[str]:
        out = [f"wave {key} opened" for key in self.opened] + [f"wave {key} closed" for key in self.closed]
        if self.unmailed:
            out.append(
                f"SMTP is not configured, so nothing of wave {', '.join(self.unmailed)} was mailed: add [smtp] to "
                "secrets.toml, or send the links of `ldalign invite --wave KEY --out links.csv` yourself."
            )
        elif self.invitations or self.reminders:
            out.append(f"mailed {self.invitations} invitations and {self.reminders} reminders")
        out += [f"sent the report of plan {key}" for key in self.reports]
        out += self.problem_lines()
        return out or ["nothing was due"]

    def problem_lines(self) -> list[str]:
        failed = [f"not sent to {email}: {reason} (tried again on the next run)" for email, reason in self.failed]
        return failed + self.problems


def tick_id() -> str:
    """Who claims: unique per run, and readable (machine and process) for whoever looks at the table."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _lock(session: Session, wave_id: int) -> WaveMailing | None:
    """The wave's mailing row, locked until the transaction ends (on SQLite the write transaction already is)."""
    return session.scalar(select(WaveMailing).where(WaveMailing.wave_id == wave_id).with_for_update())


def _message(
    wave: SurveyWave, texts: Templates, *, name: str, to: str, link: str, reminder: bool, sender: str
) -> EmailMessage:
    """One person's invitation or reminder from the wave's templates."""
    prefix = "remind" if reminder else "invite"
    values = _values(wave, name=name, link=link)
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = render(getattr(texts, f"{prefix}_subject"), values)
    message.set_content(render(getattr(texts, f"{prefix}_body"), values))
    return message


def _due_step(invitation: Invitation, days: list[int], now: dt.datetime, gap: dt.timedelta) -> int | None:
    """The reminder this person is due now (1-based), or None: the next of the wave's days after the invitation has
    come, and the last mail is at least `gap` old (a reminder sent by hand counts too)."""
    done = invitation.reminders_sent
    if invitation.sent_at is None or done >= min(len(days), surveys.MAX_REMINDERS):
        return None
    last = invitation.last_reminded_at or invitation.sent_at
    if now < invitation.sent_at + dt.timedelta(days=days[done]) or now - last < gap:
        return None
    return done + 1


def _claim_wave(
    session: Session,
    wave: SurveyWave,
    *,
    base_url: str,
    now: dt.datetime,
    sender: str,
    default_days: tuple[int, ...],
    gap: dt.timedelta,
    claimer: str,
    report: TickReport,
) -> list[Claimed]:
    """In the caller's (locked) transaction: record the wave opening or closing, then claim every mail due."""
    mailing = _lock(session, wave.id)
    if mailing is None or not mailing.scheduled:
        return []
    today = now.date()
    started = wave.opens is None or wave.opens <= today
    ended = wave.closes is not None and wave.closes < today
    if started and not ended and mailing.opened_at is None:
        mailing.opened_at = now
        report.opened.append(wave.key)
        audit.record(session, actor="tick", action="wave.opened", entity="survey_wave", key=wave.key)
    if ended and mailing.closed_at is None:
        mailing.closed_at = now
        report.closed.append(wave.key)
        audit.record(session, actor="tick", action="wave.closed", entity="survey_wave", key=wave.key)
    if not started or ended:
        return []
    if not sender:
        report.unmailed.append(wave.key)
        return []
    mine: set[int] = set()  # invitations this tick creates (any others were handed out by hand)
    if _uninvited(session, wave):
        earlier_ids = select(Invitation.id).where(Invitation.wave_id == wave.id)
        before = set(session.scalars(earlier_ids))
        surveys.issue_invitations(session, wave_key=wave.key, base_url=base_url, actor="tick")
        mine = set(session.scalars(earlier_ids)) - before
    texts = templates(session, wave_key=wave.key, default_days=default_days)
    query = select(Invitation).where(Invitation.wave_id == wave.id)
    if wave.anonymity != "anonymous":  # in an anonymous wave everybody is reminded, so reminders tell nothing
        query = query.where(Invitation.used_at.is_(None))
    invitations = {
        i.id: i
        for i in session.scalars(
            query.options(selectinload(Invitation.person).selectinload(Person.team)).order_by(Invitation.id)
        )
    }
    earlier = select(MailSend).where(MailSend.wave_id == wave.id, MailSend.invitation_id.in_(invitations))
    sends = {(s.invitation_id, s.step): s for s in session.scalars(earlier)}
    claimed = []
    for invitation in invitations.values():
        step = 0 if invitation.sent_at is None else _due_step(invitation, texts.reminder_days, now, gap)
        if step is None or (step == 0 and invitation.id not in mine and now - invitation.created_at < HANDED_OUT):
            continue
        send = sends.get((invitation.id, step))
        if send is None:
            send = MailSend(invitation_id=invitation.id, wave_id=wave.id, step=step, status="sending", attempts=0)
            session.add(send)
        elif send.status == "failed" and send.attempts < MAX_ATTEMPTS:
            send.status = "sending"
        elif not (send.status == "sending" and send.claimed_at < now - LEASE):
            continue  # being sent by another tick, sent, or given up
        send.claimed_by, send.claimed_at = claimer, now
        session.flush()
        # the link every earlier mail carried (and an invitation from before links were derived is brought in line)
        link = surveys._link(session, invitation, base_url)
        message = _message(wave, texts, name=link.name, to=link.email, link=link.link, reminder=step > 0, sender=sender)
        claimed.append(Claimed(claimer=claimer, send_id=send.id, wave_key=wave.key, step=step, message=message))
    return claimed


def _uninvited(session: Session, wave: SurveyWave) -> bool:
    teams = [t.id for t in surveys.audience_teams(session, wave)]
    invited = exists().where(and_(Invitation.wave_id == wave.id, Invitation.person_id == Person.id))
    count = session.scalar(
        select(func.count(Person.id)).where(Person.team_id.in_(teams), Person.active.is_(True), ~invited)
    )
    return bool(count)


def _still_mine(session: Session, claimed: Claimed) -> MailSend | None:
    send = session.scalar(select(MailSend).where(MailSend.id == claimed.send_id).with_for_update())
    if send is None or send.status != "sending" or send.claimed_by != claimed.claimer:
        return None  # the person was erased, or (after this run stalled past the lease) another tick took it
    return send


def _renew(engine: Engine, claimed: Claimed, *, now: dt.datetime) -> bool:
    """Renew the claim just before sending, so that the lease runs from now; False when it is not ours any more."""
    with unit_of_work(engine, bump=False) as session:
        send = _still_mine(session, claimed)
        if send is not None:
            send.claimed_at = now
        return send is not None


def _record(engine: Engine, claimed: Claimed, *, now: dt.datetime, error: str | None) -> bool:
    """The outcome of one mail, in a transaction of its own, right after the mail server answered; False when the
    claim was not this run's any more."""
    with unit_of_work(engine) as session:
        send = _still_mine(session, claimed)
        if send is None:
            return False
        send.attempts += 1
        if error is not None:
            send.status, send.error = "failed", error[:300]
            return True
        send.status, send.error, send.sent_at = "sent", "", now
        invitation = session.get_one(Invitation, send.invitation_id)
        if claimed.step == 0:
            invitation.sent_at = now
        else:
            invitation.reminders_sent = max(invitation.reminders_sent, claimed.step)
            invitation.last_reminded_at = now
        mark_changed(session, wave=session.get(SurveyWave, send.wave_id))
        return True


def _reason(error: Exception) -> str:
    """What went wrong with one mail, in words for the send-status table (no library error text)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the mail server refused the address"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server refused the message (code {error.smtp_code})"
    return "the mail server could not be reached"


def _send(engine: Engine, smtp: SmtpSettings, claimed: list[Claimed], *, now: dt.datetime, report: TickReport) -> None:
    pending = list(claimed)
    started = time.monotonic()

    def clock() -> dt.datetime:  # `now` moved on by the time this run has taken
        return now + dt.timedelta(seconds=time.monotonic() - started)

    try:
        with surveys.smtp_connection(smtp) as (client, _):
            while pending:
                item = pending[0]
                if not _renew(engine, item, now=clock()):
                    pending.pop(0)
                    continue
                try:
                    client.send_message(item.message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                    _record(engine, item, now=now, error=_reason(error))
                    report.failed.append((item.message["To"], _reason(error)))
                else:
                    _record(engine, item, now=now, error=None)
                    if item.step == 0:
                        report.invitations += 1
                    else:
                        report.reminders += 1
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        for item in pending:
            if _record(engine, item, now=now, error=_reason(error)):
                report.failed.append((item.message["To"], _reason(error)))


def _deliver_reports(engine: Engine, smtp: SmtpSettings, *, today: dt.date, report: TickReport) -> None:
    from ldcore.models import Plan

    with read_session(engine) as session:
        due = delivery.due_plans(session, today=today)
    for plan_key in due:
        try:
            with unit_of_work(engine) as session:
                # Locked first, so that a second tick waits and then finds the pack sent (SQLite: BEGIN IMMEDIATE).
                session.scalar(select(Plan).where(Plan.key == plan_key).with_for_update())
                if delivery.deliver_if_due(session, smtp, plan_key=plan_key, today=today):
                    report.reports.append(plan_key)
        except LDAlignError as error:
            report.problems.append(f"the report of plan {plan_key} was not sent: {error}")
        except (OSError, smtplib.SMTPException):
            report.problems.append(
                f"the report of plan {plan_key} was not sent: the mail server could not be reached (tried again "
                "on the next run)"
            )


def tick(
    engine: Engine,
    *,
    smtp: SmtpSettings,
    base_url: str,
    now: dt.datetime | None = None,
    default_days: tuple[int, ...] = (3, 7),
    gap_days: int = 1,
    reports: bool = True,
) -> TickReport:
    """One run of the schedule (see the module's docstring): safe to run as often and as concurrently as wanted."""
    if not base_url:
        raise Invalid("tick needs the app's address for the links.")
    now = now or utcnow()
    report = TickReport()
    mailed = surveys.smtp_configured(smtp)
    sender = smtp.from_address if mailed else ""
    claimer = tick_id()
    with read_session(engine) as session:
        scheduled = session.execute(
            select(SurveyWave.id, SurveyWave.key).join(WaveMailing, WaveMailing.wave_id == SurveyWave.id)
            .where(WaveMailing.scheduled.is_(True)).order_by(SurveyWave.id)
        ).all()  # fmt: skip
    claimed: list[Claimed] = []
    for wave_id, wave_key in scheduled:
        try:
            with unit_of_work(engine) as session:
                wave = session.get(SurveyWave, wave_id)
                if wave is None:
                    continue
                claimed += _claim_wave(
                    session, wave, base_url=base_url.rstrip("/"), now=now, sender=sender, default_days=default_days,
                    gap=dt.timedelta(days=gap_days), claimer=claimer, report=report,
                )  # fmt: skip
        except LDAlignError as error:  # one wave's problem (nothing of it written) does not hold up the others
            report.problems.append(f"wave {wave_key} was left out of this run: {error}")
    if claimed:
        _send(engine, smtp, claimed, now=now, report=report)
    if reports and mailed:
        _deliver_reports(engine, smtp, today=now.date(), report=report)
    _mark_run(engine)
    return report


LAST_RUN = "tick_last_run"


def _mark_run(engine: Engine) -> None:
    """When the schedule last ran on this server (real time, whatever `now` was), for the Surveys page."""
    try:
        with unit_of_work(engine, bump=False) as session:
            row = session.get(AppState, LAST_RUN, with_for_update=True)
            if row is None:
                session.add(AppState(key=LAST_RUN, value=utcnow().isoformat(timespec="seconds")))
            else:
                row.value = utcnow().isoformat(timespec="seconds")
    except IntegrityError:
        pass  # a tick running at the same moment wrote it first


def last_run(session: Session) -> dt.datetime | None:
    row = session.get(AppState, LAST_RUN)
    return dt.datetime.fromisoformat(row.value) if row else None
