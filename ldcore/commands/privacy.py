"""person export/erase (one person's data) and retention set/apply (how long respondents' identities are kept)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Engine

from ldcore.commands import Subcommands, write_output
from ldcore.db import unit_of_work
from ldcore.errors import Invalid
from ldcore.services import privacy
from ldcore.settings import get_settings


def register(sub: Subcommands) -> None:
    person = sub.add_parser("person", help="one person's data: export or erase").add_subparsers(
        dest="person_command", required=True
    )
    p = person.add_parser("export", help="roster record, invitations and identified answers of a person, as JSON")
    p.add_argument("email")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_person_export)
    p = person.add_parser("erase", help="remove a person's identity; their answers are deleted or kept anonymously")
    p.add_argument("email")
    p.add_argument(
        "--answers",
        choices=privacy.ERASE_MODES,
        help="what to do with their answers (default: the erase_answers setting, else delete)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_person_erase)

    retention = sub.add_parser("retention", help="how long respondents' identities are kept").add_subparsers(
        dest="retention_command", required=True
    )
    p = retention.add_parser("apply", help="remove identities from every wave past its retention (idempotent)")
    p.set_defaults(func=cmd_retention_apply)
    p = retention.add_parser("set", help="days a wave keeps respondents' identities after it closes")
    p.add_argument("--wave", required=True)
    p.add_argument("--days", required=True, type=int)
    p.set_defaults(func=cmd_retention_set)


def cmd_person_export(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine) as session:
        data = privacy.person_data(session, email=args.email, actor="cli")
    write_output(data.model_dump_json(indent=2) + "\n", args.out)
    return 0


def cmd_person_erase(args: argparse.Namespace, engine: Engine) -> int:
    answers = args.answers or get_settings().erase_answers
    if not args.yes and input(f"Erase {args.email} ({answers} their answers)? Type yes: ").strip() != "yes":
        raise Invalid("Nothing was erased.")
    with unit_of_work(engine) as session:
        done = privacy.erase_person(session, email=args.email, answers=answers, actor="cli")
    print(
        f"erased {args.email.strip().lower()}: {done.responses_deleted} responses deleted, {done.responses_kept} "
        f"kept anonymously, {done.invitations_removed} invitations removed"
    )
    return 0


def cmd_retention_apply(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine) as session:
        done = privacy.apply_retention(session, actor="cli")
    for wave in done:
        print(f"removed respondents' identities from wave {wave.wave} (kept {wave.days} days after it closed)")
    print(f"{len(done)} waves past their retention had identities removed")
    return 0


def cmd_retention_set(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine) as session:
        kept = privacy.set_retention(session, wave_key=args.wave, days=args.days, actor="cli")
    when = f"on {kept.removes_on}" if kept.removes_on else f"{kept.days} days after the wave closes"
    print(f"identities of wave {kept.wave}'s respondents are removed {when}")
    return 0
