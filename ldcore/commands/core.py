"""migrate, create-user, unlock-user, plan import/export, demo."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy import Engine

from ldcore.commands import Subcommands, read_input, write_output
from ldcore.db import migrate, read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.services import accounts, plans


def register(sub: Subcommands) -> None:
    p = sub.add_parser("migrate", help="create or upgrade the database schema (keeps all data)")
    p.set_defaults(func=cmd_migrate, skip_schema_check=True)

    p = sub.add_parser("create-user", help="create an account")
    p.add_argument("email")
    p.add_argument("--role", required=True, choices=["admin", "editor", "viewer"])
    p.add_argument("--name", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("unlock-user", help="lift a lockout after repeated failed sign-ins")
    p.add_argument("email")
    p.set_defaults(func=cmd_unlock_user)

    plan = sub.add_parser("plan", help="plans as code (YAML)").add_subparsers(dest="plan_command", required=True)
    p = plan.add_parser("import", help="import a whole plan from YAML")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_plan_import)
    p = plan.add_parser("export", help="export a whole plan to YAML")
    p.add_argument("key")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_plan_export)
    p = plan.add_parser("list", help="list plans")
    p.set_defaults(func=cmd_plan_list)

    p = sub.add_parser("demo", help="fill the database with a believable demo company")
    p.add_argument("--employees", type=int, default=800)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=cmd_demo)


def cmd_migrate(args: argparse.Namespace, engine: Engine) -> int:
    revision = migrate(engine)
    print(f"database schema is at revision {revision}")
    return 0


def cmd_create_user(args: argparse.Namespace, engine: Engine) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            raise Invalid("The two passwords differ; nothing was created.")
    with unit_of_work(engine) as session:
        account = accounts.create_account(session, email=args.email, role=args.role, password=password, name=args.name)
    print(f"created {account.role} account {account.email}")
    return 0


def cmd_unlock_user(args: argparse.Namespace, engine: Engine) -> int:
    with unit_of_work(engine, bump=False) as session:
        accounts.unlock(session, email=args.email, actor="cli")
    print(f"unlocked {args.email.strip().lower()}: they can sign in again now")
    return 0


def _read_text(path: Path) -> str:
    try:
        return read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def cmd_plan_import(args: argparse.Namespace, engine: Engine) -> int:
    document = plans.parse_plan_yaml(_read_text(args.file), source=str(args.file))
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=document)
    print(
        f"imported plan {document.plan.key}: {len(document.objectives)} objectives, "
        f"{sum(len(o.kpis) for o in document.objectives)} KPIs, {len(document.capabilities)} capabilities, "
        f"{len(document.teams)} teams, {len(document.initiatives)} initiatives"
    )
    return 0


def cmd_plan_export(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        text = plans.plan_yaml(plans.export_plan(session, key=args.key))
    write_output(text, args.out)
    return 0


def cmd_plan_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        for p in plans.list_plans(session):
            print(f"{p.key}\t{p.name}\t{p.starts} – {p.ends}")
    return 0


def cmd_demo(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.devtools import demo

    summary = demo.build_demo(engine, employees=args.employees, seed=args.seed, progress=print)
    print(summary)
    return 0
