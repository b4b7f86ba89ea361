"""roster import, wave create/list/open-link, invite, remind, responses import, export responses."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from ldcore.commands import Subcommands, read_input
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.settings import get_settings

if TYPE_CHECKING:
    from ldcore.services.surveys import Link


def register(sub: Subcommands) -> None:
    roster = sub.add_parser("roster", help="the people who answer surveys").add_subparsers(
        dest="roster_command", required=True
    )
    p = roster.add_parser("import", help="import email,name,team[,employee_id,role,manager_email] (all or nothing)")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_roster_import)

    wave = sub.add_parser("wave", help="survey waves").add_subparsers(dest="wave_command", required=True)
    p = wave.add_parser("create", help="create a wave from a survey definition (its snapshot is kept)")
    p.add_argument("--plan", required=True)
    p.add_argument("--survey", required=True, help="survey definition key, e.g. capability_baseline")
    p.add_argument("--kind", required=True, choices=["baseline", "followup"])
    p.add_argument("--key", required=True)
    p.add_argument("--title", default="")
    p.add_argument("--initiative")
    p.add_argument("--baseline-wave")
    p.add_argument("--opens", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--closes", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--anonymity", choices=["anonymous", "confidential", "identified"], default="confidential")
    p.add_argument("--min-group", type=int, default=5)
    p.add_argument("--surveys-dir", type=Path, help="directory of survey YAML files (default: surveys/)")
    p.set_defaults(func=cmd_wave_create)
    p = wave.add_parser("list", help="list a plan's waves")
    p.add_argument("--plan", required=True)
    p.set_defaults(func=cmd_wave_list)
    p = wave.add_parser("open-link", help="create an open link (anyone can answer; replaces the previous one)")
    p.add_argument("--wave", required=True)
    p.add_argument("--base-url")
    p.set_defaults(func=cmd_wave_open_link)

    p = sub.add_parser("invite", help="personal single-use links for the wave's audience (mailed if SMTP is set)")
    p.add_argument("--wave", required=True)
    p.add_argument("--out", required=True, type=Path, help="CSV of email,team,link to write")
    p.add_argument("--base-url")
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser(
        "remind", help="the personal links again for who has not answered (max 3, reminder_gap_days apart)"
    )
    p.add_argument("--wave", required=True)
    p.add_argument("--out", type=Path, help="CSV of email,team,link to write")
    p.add_argument("--base-url")
    p.set_defaults(func=cmd_remind)

    resp = sub.add_parser("responses", help="survey responses").add_subparsers(dest="responses_command", required=True)
    p = resp.add_parser("import", help="import another tool's export into a wave (all or nothing; idempotent)")
    p.add_argument("file", type=Path)
    p.add_argument("--wave", required=True)
    p.add_argument(
        "--format", default="auto", choices=["auto", "native", "google", "msforms", "qualtrics", "surveymonkey"]
    )
    p.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    order = p.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="date_order",
        action="store_const",
        const="dayfirst",
        help="dates like 03/04/2025 mean 3 April (asked for when the file does not tell)",
    )
    order.add_argument(
        "--monthfirst",
        dest="date_order",
        action="store_const",
        const="monthfirst",
        help="dates like 03/04/2025 mean 4 March",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="COLUMN=QUESTION",
        help="map a column (header or export tag, e.g. Q3_1) to a question key or key[capability]; "
        "empty QUESTION skips the column; repeatable",
    )
    p.add_argument(
        "--no-answer",
        action="append",
        default=[],
        metavar="VALUE",
        help="a label or code meaning no answer (e.g. -99, 'Unfamiliar (N/A)'); repeatable",
    )
    p.add_argument(
        "--unknown",
        choices=["refuse", "no-answer"],
        default="refuse",
        help="values on no scale and among no options: refuse the file (default) or store no answer",
    )
    p.add_argument(
        "--include-unfinished",
        action="store_true",
        help="also import Qualtrics responses with Finished = 0 (skipped and counted by default)",
    )
    p.set_defaults(func=cmd_responses_import)  # fmt: skip

    export = sub.add_parser("export", help="export data").add_subparsers(dest="export_command", required=True)
    p = export.add_parser("responses", help="a wave's responses as CSV or XLSX (by the file's extension)")
    p.add_argument("--wave", required=True)
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=cmd_export_responses)


NO_BASE_URL = (
    "No address for the links: pass --base-url https://your-ldalign-host, or set LDALIGN_BASE_URL "
    "(or base_url under [ldalign] in .streamlit/secrets.toml)."
)


def _base_url(args: argparse.Namespace) -> str:
    base = (args.base_url or get_settings().base_url).rstrip("/")
    if not base:
        raise Invalid(NO_BASE_URL)
    return base


def cmd_roster_import(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import roster

    with unit_of_work(engine) as session:
        result = roster.import_roster(session, data=read_input(args.file))
    print(
        f"roster imported: {result.created} new, {result.updated} updated ({result.moved} changed team), "
        f"{result.unchanged} unchanged\n{result.read_as}"
    )
    return 0


def cmd_wave_create(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import surveys

    fields = {
        "plan": args.plan,
        "survey": args.survey,
        "kind": args.kind,
        "key": args.key,
        "title": args.title,
        "initiative": args.initiative,
        "baseline_wave": args.baseline_wave,
        "opens": args.opens,
        "closes": args.closes,
        "anonymity": args.anonymity,
        "min_group": args.min_group,
    }
    with unit_of_work(engine) as session:
        wave = surveys.create_wave(session, wave=fields, surveys_dir=args.surveys_dir)
    print(
        f"created {wave.kind} wave {wave.key} ({wave.survey_key}, {wave.anonymity}, minimum group {wave.min_group}, "
        f"{len(wave.capabilities)} capabilities)"
    )
    return 0


def cmd_wave_list(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import surveys

    with read_session(engine) as session:
        for w in surveys.list_waves(session, plan_key=args.plan):
            print(f"{w.key}\t{w.kind}\t{w.survey_key}\t{w.opens or ''} – {w.closes or ''}\t{w.invited} invited")
    return 0


def cmd_wave_open_link(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import surveys

    with unit_of_work(engine) as session:
        link = surveys.create_open_link(session, wave_key=args.wave, base_url=_base_url(args))
    print(link)
    return 0


def _write_links(path: Path, links: list[Link]) -> None:
    from ldcore.io.exports import links_csv

    path.write_bytes(links_csv(links))


def _mail(engine: Engine, wave_key: str, links: list[Link], *, reminder: bool) -> None:
    from ldcore.services import mailing, surveys

    smtp = get_settings().smtp
    if not links or not surveys.smtp_configured(smtp):
        return
    with read_session(engine) as session:
        sent, failed = mailing.send_links(session, smtp, wave_key=wave_key, links=links, reminder=reminder)
    with unit_of_work(engine) as session:
        surveys.mark_sent(session, wave_key=wave_key, emails=sent)
    print(f"mailed {len(sent)}" + (f"; refused by the mail server: {', '.join(failed)}" if failed else ""))


def cmd_invite(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import surveys

    with unit_of_work(engine) as session:
        links = surveys.issue_invitations(session, wave_key=args.wave, base_url=_base_url(args))
    _write_links(args.out, links)
    print(f"{len(links)} new personal links written to {args.out} (people invited before keep their link)")
    _mail(engine, args.wave, links, reminder=False)
    return 0


def cmd_remind(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import surveys

    with unit_of_work(engine) as session:
        links, skipped = surveys.remind(
            session, wave_key=args.wave, base_url=_base_url(args), gap_days=get_settings().reminder_gap_days
        )
    if args.out:
        _write_links(args.out, links)
    print(f"{len(links)} reminders (the links sent before, still valid); {skipped} not due")
    _mail(engine, args.wave, links, reminder=True)
    return 0


def _column_mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, question = pair.partition("=")
        if not sep or not column.strip():
            raise Invalid(f"--column {pair!r}: write COLUMN=QUESTION, e.g. Q3_1=proficiency[negotiation].")
        mapping[column.strip()] = question.strip()
    return mapping


def cmd_responses_import(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import imports

    data = read_input(args.file)
    options = imports.ImportOptions(
        date_order=args.date_order,
        columns=_column_mapping(args.column),
        no_answer=args.no_answer,
        unknown=args.unknown.replace("-", "_"),
        unfinished=args.include_unfinished,
    )
    fields = {"wave_key": args.wave, "data": data, "filename": args.file.name, "format": args.format}
    if args.dry_run:
        with read_session(engine) as session:
            report = imports.preview_import(session, **fields, options=options)
    else:
        with unit_of_work(engine) as session:
            report = imports.import_responses(session, **fields, options=options)
    print(report.summary(dry_run=args.dry_run))
    return 0


def cmd_export_responses(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.services import imports

    with unit_of_work(engine, bump=False) as session:
        content = imports.export_responses(
            session, wave_key=args.wave, kind=args.out.suffix.lstrip(".").lower(), actor="command line"
        )
    args.out.write_bytes(content)
    print(f"wrote {args.out}")
    return 0
