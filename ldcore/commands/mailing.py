"""tick (the schedule: waves opening and closing, invitations, reminders, due reports) and a wave's mail settings."""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import Engine

from ldcore.commands import Subcommands
from ldcore.commands.surveys import _base_url
from ldcore.db import unit_of_work
from ldcore.errors import Invalid
from ldcore.settings import get_settings


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time like 2027-03-01T09:00") from None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "tick",
        help="run the schedule once: open and close waves, mail due invitations and reminders, send due reports "
        "(safe to run every few minutes, even twice at once)",
    )
    p.add_argument("--base-url")
    p.add_argument("--now", type=_moment, metavar="YYYY-MM-DDTHH:MM", help="act as if it were this time (UTC)")
    p.add_argument("--no-reports", action="store_true", help="leave the scheduled report packs to `deliver --due`")
    p.add_argument("--quiet", action="store_true", help="print only what went wrong (for cron, which mails output)")
    p.set_defaults(func=cmd_tick)

    p = sub.add_parser("mail", help="a wave's mail: reminders schedule and whether `ldalign tick` mails it")
    p.add_argument("--wave", required=True)
    p.add_argument("--reminders", metavar="DAYS", help="days after the invitation, e.g. 3,7 (at most 3; empty: none)")
    switch = p.add_mutually_exclusive_group()
    switch.add_argument("--on", dest="scheduled", action="store_const", const=True, help="tick mails this wave")
    switch.add_argument("--off", dest="scheduled", action="store_const", const=False, help="tick leaves it alone")
    p.set_defaults(func=cmd_mail)


def cmd_tick(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import mailing

    settings = get_settings()
    report = mailing.tick(
        engine,
        smtp=settings.smtp,
        base_url=_base_url(args),
        now=args.now,
        default_days=settings.reminder_days,
        gap_days=1,
        reports=not args.no_reports,
    )
    for line in report.problem_lines() if args.quiet else report.lines():
        print(line)
    return 0


def cmd_mail(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import mailing

    days = mailing.parse_days(args.reminders) if args.reminders is not None else None
    if days is None and args.scheduled is None:
        raise Invalid("Say what to change: --on, --off or --reminders DAYS.")
    with unit_of_work(engine) as session:
        saved = mailing.save_templates(
            session, wave_key=args.wave, texts={}, reminder_days=days, scheduled=args.scheduled
        )
    reminders = ", ".join(str(d) for d in saved.reminder_days) or "none"
    state = "mailed by `ldalign tick`" if saved.scheduled else "not mailed by `ldalign tick`"
    print(f"wave {saved.wave}: {state}; reminders {reminders} days after the invitation")
    return 0
