"""The report pack (PDF or PowerPoint) rendered for download or mailed to leaders, now or on the plan's schedule.

A plan's schedule is monthly or quarterly: a pack is due when none was sent in the current month (quarter).
Sending a due pack and recording that it was sent happen in one transaction, so running `ldalign deliver --due`
twice in a period mails once, and a failed send records nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from ldcore.errors import Invalid
from ldcore.models import Plan
from ldcore.reporting import contract, deck, pdf
from ldcore.services import plans, surveys
from ldcore.settings import SmtpSettings

FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
CADENCES = ("monthly", "quarterly")


@dataclass(frozen=True)
class Pack:
    content: bytes
    filename: str
    mime: str


@dataclass(frozen=True)
class Schedule:
    plan: str
    every: str | None
    to: list[str]
    format: str
    sent_on: dt.date | None


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Invalid(f"Unknown report format {fmt!r}: choose pdf or pptx.")
    return fmt


def render_pack(session: Session, *, plan_key: str, fmt: str, paper: str = "a4") -> Pack:
    _format(fmt)
    return pack_of(contract.build(session, plan_key=plan_key), fmt=fmt, paper=paper)


def pack_of(report: contract.Report, *, fmt: str, paper: str = "a4") -> Pack:
    """The pack of a report view already computed (the executive page's download)."""
    content = pdf.render(report, paper=paper) if _format(fmt) == "pdf" else deck.render(report)
    return Pack(content=content, filename=f"ld-align-{report.plan_key}.{fmt}", mime=FORMATS[fmt])


def recipients(text: str | list[str]) -> list[str]:
    """Comma-separated (or listed) email addresses, checked and normalised; at least one."""
    items = text.split(",") if isinstance(text, str) else text
    out = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            out.append(validate_email(item, check_deliverability=False).normalized)
        except EmailNotValidError:
            raise Invalid(f"{item!r} is not an email address.", [("to", f"{item!r} is not an email address")]) from None
    if not out:
        raise Invalid("Give at least one recipient's email address.", [("to", "no recipient")])
    return out


def pack_message(pack: Pack, *, plan_name: str, narrative: list[str], to: list[str], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = f"{plan_name}: the L&D report"
    summary = "\n".join(f"- {line}" for line in narrative)
    message.set_content(f"The latest LD Align report for {plan_name} is attached.\n\nIn short:\n{summary}\n")
    maintype, subtype = pack.mime.split("/", 1)
    message.add_attachment(pack.content, maintype=maintype, subtype=subtype, filename=pack.filename)
    return message


def deliver(session: Session, smtp: SmtpSettings, *, plan_key: str, to: list[str], fmt: str, paper: str = "a4") -> Pack:
    """Render the pack and mail it to every recipient in one message."""
    to = recipients(to)
    if not surveys.smtp_configured(smtp):
        raise Invalid(surveys.SMTP_MISSING)
    _format(fmt)
    report = contract.build(session, plan_key=plan_key)
    pack = pack_of(report, fmt=fmt, paper=paper)
    view = report.executive
    with surveys.smtp_connection(smtp) as (client, sender):
        message = pack_message(pack, plan_name=view.plan_name, narrative=view.narrative, to=to, sender=sender)
        client.send_message(message)
    return pack


def set_schedule(session: Session, *, plan_key: str, every: str | None, to: str = "", fmt: str = "pdf") -> Schedule:
    """Store (or with every=None, clear) the plan's delivery schedule."""
    plan = plans.get_plan(session, key=plan_key)
    if every is not None and every not in CADENCES:
        raise Invalid(f"Unknown schedule {every!r}: choose monthly or quarterly.")
    plan.report_every = every
    plan.report_to = ", ".join(recipients(to)) if every else ""
    plan.report_format = _format(fmt)
    return schedule_of(plan)


def schedule_of(plan: Plan) -> Schedule:
    return Schedule(
        plan=plan.key,
        every=plan.report_every,
        to=[t for t in (plan.report_to or "").split(", ") if t],
        format=plan.report_format,
        sent_on=plan.report_sent_on,
    )


def _period(day: dt.date, every: str) -> tuple[int, int]:
    return (day.year, day.month) if every == "monthly" else (day.year, (day.month - 1) // 3)


def is_due(schedule: Schedule, today: dt.date) -> bool:
    if schedule.every is None or not schedule.to:
        return False
    return schedule.sent_on is None or _period(schedule.sent_on, schedule.every) < _period(today, schedule.every)


def due_plans(session: Session, *, today: dt.date) -> list[str]:
    plans = session.scalars(select(Plan).where(Plan.report_every.is_not(None)).order_by(Plan.key))
    return [p.key for p in plans if is_due(schedule_of(p), today)]


def deliver_if_due(session: Session, smtp: SmtpSettings, *, plan_key: str, today: dt.date) -> bool:
    """Mail the plan's pack if its schedule says so, and record the day; False when nothing was due."""
    plan = plans.get_plan(session, key=plan_key)
    schedule = schedule_of(plan)
    if not is_due(schedule, today):
        return False
    deliver(session, smtp, plan_key=plan_key, to=schedule.to, fmt=schedule.format)
    plan.report_sent_on = today
    return True
