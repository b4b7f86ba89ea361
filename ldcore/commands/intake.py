"""kpi import: KPI observations from CSV (kpi,date,value[,team,note])."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine

from ldcore.commands import Subcommands, read_input
from ldcore.db import read_session, unit_of_work
from ldcore.services import kpis


def register(sub: Subcommands) -> None:
    kpi = sub.add_parser("kpi", help="KPI observations").add_subparsers(dest="kpi_command", required=True)
    p = kpi.add_parser("import", help="import observations from CSV: kpi,date,value[,team,note] (all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("--plan", required=True, help="key of the plan the KPIs belong to")
    p.add_argument("--dry-run", action="store_true", help="check the file and say what would change; write nothing")
    p.set_defaults(func=cmd_kpi_import)


def cmd_kpi_import(args: argparse.Namespace, engine: Engine) -> int:
    data = read_input(args.file)
    with read_session(engine) as session:
        preview = kpis.preview_kpi_csv(session, plan_key=args.plan, data=data)
    if preview.problems:
        for problem in preview.problems:
            print(f"{args.file}:{problem.line}: {problem.reason}", file=sys.stderr)
        print(f"error: nothing imported: {len(preview.problems)} bad row(s)", file=sys.stderr)
        return 2
    summary = f"{preview.new} new, {preview.replaced} replaced, {preview.unchanged} already recorded"
    print(preview.read_as)
    if args.dry_run:
        print(f"dry run: {len(preview.rows)} rows are valid ({summary}); nothing was written")
        return 0
    with unit_of_work(engine) as session:
        result = kpis.import_kpi_csv(session, plan_key=args.plan, data=data, actor="cli")
    print(
        f"imported {args.file}: {result.added} added, {result.replaced} replaced, {result.unchanged} already recorded"
    )
    return 0
