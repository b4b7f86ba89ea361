"""bench: how fast every page, the live view and the survey collector are at a given company size."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from sqlalchemy import Engine

from ldcore.commands import Subcommands

LIVE_RATE = 5.0  # responses per second into one wave during the live scenario
SUBMISSIONS = 200


def register(sub: Subcommands) -> None:
    p = sub.add_parser("bench", help="time every page, the live view and submissions on a synthetic company")
    p.add_argument("--employees", type=int, default=50_000)
    p.add_argument("--teams", type=int, help="teams, a tiny one below the minimum group among them (default: 1/500)")
    p.add_argument("--capabilities", type=int, default=25)
    p.add_argument(
        "--database",
        dest="bench_server",
        metavar="URL",
        help="a Postgres server URL: a scratch database is created there and dropped afterwards "
        "(default: a temporary SQLite file)",
    )
    p.add_argument("--repeat", type=int, default=5, help="timed runs per figure (the median is printed)")
    p.add_argument("--live-seconds", type=float, default=20, help="how long the live scenario runs")
    p.add_argument(
        "--respondents", type=int, default=50, help="respondents pressing Send at the same instant, on a replica"
    )
    p.add_argument("--app-dir", help="the app's folder, with app.py and pages/ (default: the current folder)")
    p.set_defaults(func=cmd_bench, skip_schema_check=True)


def cmd_bench(args: argparse.Namespace, engine: Engine) -> int:
    from ldcore.devtools import bench, bench_load, bench_pages
    from ldcore.errors import Invalid

    if args.employees < 10 or min(args.capabilities, args.repeat, args.respondents) < 1 or args.live_seconds < 5:
        raise Invalid(
            "bench needs --employees of at least 10, --capabilities, --repeat and --respondents of at least 1, "
            "--live-seconds of at least 5."
        )
    if args.teams is not None and not 2 <= args.teams <= args.employees // 5:
        raise Invalid("bench needs --teams between 2 and a fifth of --employees.")
    folder = bench_pages.app_folder(args.app_dir)
    with bench.scratch_database(args.bench_server) as url:
        scratch = bench.open_scratch(url)
        print(f"building {args.employees:,} employees × {args.capabilities} capabilities …", file=sys.stderr)
        start = time.perf_counter()
        company = bench.build_company(
            scratch, employees=args.employees, capabilities=args.capabilities, teams=args.teams
        )
        result: dict[str, object] = {
            "database": bench.database_description(scratch),
            "employees": company.employees,
            "capabilities": company.capabilities,
            "teams": company.teams,
            "waves": 2,
            "responses": company.responses,
            "answers": company.answers,
            "build_s": round(time.perf_counter() - start, 1),
        }
        print("timing the service, the floor query and pandas …", file=sys.stderr)
        result.update(bench.timings(scratch, repeat=args.repeat))
        print("timing every page …", file=sys.stderr)
        result.update(bench_pages.page_timings(url, token=company.token, repeat=args.repeat, folder=folder))
        respondents = bench.Respondents(scratch)
        print(f"live: {LIVE_RATE:g} responses a second for {args.live_seconds:g} s …", file=sys.stderr)
        result.update(
            bench_pages.live_scenario(
                url,
                token=company.token,
                folder=folder,
                respondents=respondents,
                seconds=args.live_seconds,
                rate=LIVE_RATE,
            )
        )
        print("submissions and memory …", file=sys.stderr)
        result["submissions_per_s"] = bench.submissions_per_second(respondents, count=SUBMISSIONS)
        result["memory_per_session_mb"] = bench_pages.memory_per_session_mb(url, token=company.token, folder=folder)
        print(f"{args.respondents} respondents pressing Send at once, on a replica of the app …", file=sys.stderr)
        result.update(
            bench_load.respondents_at_once(scratch, url, wave_key=bench.BASELINE, count=args.respondents, folder=folder)
        )
    result["heatmap_over_floor"] = result["heatmap_s"] / result["floor_s"]  # type: ignore[operator]
    print(json.dumps(_rounded(result)))
    return 0


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value
