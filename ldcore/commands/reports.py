"""report (JSON, self-contained HTML, PDF or PowerPoint), deliver it by mail, and share links to the executive view."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine

from ldcore.commands import Subcommands, write_output
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.reporting import contract, delivery, html, pdf
from ldcore.services import sharing
from ldcore.settings import get_settings


def register(sub: Subcommands) -> None:
    p = sub.add_parser(
        "report", help="the plan report: JSON for tools, or a self-contained HTML, PDF or PowerPoint file for people"
    )
    p.add_argument("--plan", required=True, help="plan key")
    p.add_argument("--format", choices=["json", "html", "pdf", "pptx"], default="json")
    p.add_argument("--paper", choices=list(pdf.PAPERS), default="a4", help="PDF page size")
    p.add_argument("--out", type=Path, help="file to write (default: standard output; required for pdf and pptx)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "deliver",
        help="mail the report pack now (--to), send every scheduled pack that is due (--due), or set a plan's "
        "schedule (--every)",
    )
    p.add_argument("--plan", help="plan key")
    p.add_argument("--to", default="", help="comma-separated email addresses")
    p.add_argument("--format", choices=list(delivery.FORMATS), default="pdf")
    p.add_argument("--paper", choices=list(pdf.PAPERS), default="a4", help="PDF page size")
    p.add_argument("--every", choices=[*delivery.CADENCES, "never"], help="store the plan's delivery schedule")
    p.add_argument("--due", action="store_true", help="send the packs whose schedule is due (run it daily)")
    p.set_defaults(func=cmd_deliver)

    share = sub.add_parser("share", help="read-only links to a plan's executive view").add_subparsers(
        dest="share_command", required=True
    )
    p = share.add_parser("create", help="create a link; prints its URL once (only its hash is kept)")
    p.add_argument("--plan", required=True)
    p.add_argument("--days", type=int, default=sharing.DEFAULT_DAYS, help="days until it expires")
    p.add_argument("--label", default="", help="who it is for")
    p.add_argument("--base-url", default="", help="the app's address (default: LDALIGN_BASE_URL)")
    p.set_defaults(func=cmd_share_create)
    p = share.add_parser("list", help="list a plan's links")
    p.add_argument("--plan", required=True)
    p.set_defaults(func=cmd_share_list)
    p = share.add_parser("revoke", help="revoke a link by its id")
    p.add_argument("id", type=int)
    p.set_defaults(func=cmd_share_revoke)


def cmd_report(args: argparse.Namespace, engine: Engine) -> int:
    if args.format in delivery.FORMATS and args.out is None:
        raise Invalid(f"--format {args.format} writes a file: add --out FILE.")
    with read_session(engine) as session:
        if args.format == "json":
            content: str | bytes = (
                json.dumps(contract.report_json(session, plan_key=args.plan), indent=2, ensure_ascii=False) + "\n"
            )
        elif args.format == "html":
            content = html.report_html(session, plan_key=args.plan)
        else:
            content = delivery.render_pack(session, plan_key=args.plan, fmt=args.format, paper=args.paper).content
    write_output(content, args.out)
    return 0


def cmd_deliver(args: argparse.Namespace, engine: Engine) -> int:
    if args.due:
        return _deliver_due(engine)
    if args.plan is None:
        raise Invalid("Name the plan: --plan KEY (or use --due to send what is scheduled).")
    if args.every is not None:
        every = None if args.every == "never" else args.every
        with unit_of_work(engine) as session:
            schedule = delivery.set_schedule(session, plan_key=args.plan, every=every, to=args.to, fmt=args.format)
        if schedule.every is None:
            print(f"plan {schedule.plan}: no scheduled report")
        else:
            print(f"plan {schedule.plan}: {schedule.format} report {schedule.every} to {', '.join(schedule.to)}")
        return 0
    to = delivery.recipients(args.to)
    with read_session(engine) as session:
        pack = delivery.deliver(
            session, get_settings().smtp, plan_key=args.plan, to=to, fmt=args.format, paper=args.paper
        )
    print(f"sent {pack.filename} to {', '.join(to)}")
    return 0


def _deliver_due(engine: Engine) -> int:
    today = dt.date.today()
    smtp = get_settings().smtp
    with read_session(engine) as session:
        due = delivery.due_plans(session, today=today)
    for plan_key in due:
        with unit_of_work(engine) as session:
            delivery.deliver_if_due(session, smtp, plan_key=plan_key, today=today)
        print(f"sent the report of plan {plan_key}")
    if not due:
        print("no report is due")
    return 0


def cmd_share_create(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine) as session:
        created = sharing.create_share_link(session, plan_key=args.plan, days=args.days, label=args.label, actor="cli")
    print(sharing.share_url(created.token, base_url=args.base_url or get_settings().base_url))
    print(f"link #{created.link.id} for plan {created.link.plan}, expires {created.link.expires_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_share_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        for link in sharing.list_share_links(session, plan_key=args.plan):
            print(f"{link.id}\t{link.status}\t{link.expires_at:%Y-%m-%d %H:%M}\t{link.label}")
    return 0


def cmd_share_revoke(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine) as session:
        sharing.revoke_share_link(session, link_id=args.id, actor="cli")
    print(f"revoked link #{args.id}")
    return 0
