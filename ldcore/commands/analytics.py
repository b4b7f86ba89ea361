"""bench: how fast the evidence is at a given company size."""

from __future__ import annotations

import argparse
import json
import sys
import time


def register(sub) -> None:
    p = sub.add_parser("bench", help="time the gap heatmap on a synthetic company in a scratch database")
    p.add_argument("--employees", type=int, default=50_000)
    p.add_argument("--capabilities", type=int, default=25)
    p.add_argument(
        "--database",
        dest="bench_server",
        metavar="URL",
        help="a Postgres server URL: a scratch database is created there and dropped afterwards "
        "(default: a temporary SQLite file)",
    )
    p.add_argument("--repeat", type=int, default=5, help="timed runs per figure (the median is printed)")
    p.set_defaults(func=cmd_bench, skip_schema_check=True)


def cmd_bench(args: argparse.Namespace, engine) -> int:
    from ldcore.errors import Invalid
    from ldcore.services import bench
    from ldcore.ui.bench_page import page_timings

    if args.employees < 10 or args.capabilities < 1 or args.repeat < 1:
        raise Invalid("bench needs --employees of at least 10, --capabilities and --repeat of at least 1.")
    with bench.scratch_database(args.bench_server) as url:
        scratch = bench.open_scratch(url)
        print(f"building {args.employees:,} employees × {args.capabilities} capabilities …", file=sys.stderr)
        start = time.perf_counter()
        company = bench.build_company(scratch, employees=args.employees, capabilities=args.capabilities)
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
        print("timing the page …", file=sys.stderr)
        result.update(page_timings(url, token=company.viewer_token, repeat=args.repeat))
    result["heatmap_over_floor"] = result["heatmap_s"] / result["floor_s"]  # type: ignore[operator]
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}))
    return 0
