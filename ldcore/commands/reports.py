"""report (JSON or self-contained HTML) and share links to the executive view."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ldcore.commands import write_output
from ldcore.db import read_session, unit_of_work
from ldcore.services import reports, sharing


def register(sub) -> None:
    p = sub.add_parser("report", help="the plan report: JSON for tools, or one self-contained HTML file for people")
    p.add_argument("--plan", required=True, help="plan key")
    p.add_argument("--format", choices=["json", "html"], default="json")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_report)

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


def cmd_report(args: argparse.Namespace, engine) -> int:
    with read_session(engine) as session:
        if args.format == "json":
            text = json.dumps(reports.report_json(session, plan_key=args.plan), indent=2, ensure_ascii=False) + "\n"
        else:
            text = reports.report_html(session, plan_key=args.plan)
    write_output(text, args.out)
    return 0


def cmd_share_create(args: argparse.Namespace, engine) -> int:
    with unit_of_work(engine) as session:
        created = sharing.create_share_link(session, plan_key=args.plan, days=args.days, label=args.label, actor="cli")
    print(sharing.share_url(created.token, base_url=args.base_url or None))
    print(f"link #{created.link.id} for plan {created.link.plan}, expires {created.link.expires_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_share_list(args: argparse.Namespace, engine) -> int:
    with read_session(engine) as session:
        for link in sharing.list_share_links(session, plan_key=args.plan):
            print(f"{link.id}\t{link.status}\t{link.expires_at:%Y-%m-%d %H:%M}\t{link.label}")
    return 0


def cmd_share_revoke(args: argparse.Namespace, engine) -> int:
    with unit_of_work(engine) as session:
        sharing.revoke_share_link(session, link_id=args.id, actor="cli")
    print(f"revoked link #{args.id}")
    return 0
