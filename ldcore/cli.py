"""The `ldalign` command. Each area registers its subcommands from `ldcore.commands.<area>`; this module parses,
opens the database, and turns domain errors into one clear line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import importlib
import sys

from ldcore.db import SchemaOutOfDate, ensure_schema, get_engine
from ldcore.errors import LDAlignError
from ldcore.settings import normalise_url

COMMAND_MODULES = [
    "ldcore.commands.core",
    "ldcore.commands.intake",
    "ldcore.commands.analytics",
    "ldcore.commands.surveys",
    "ldcore.commands.survey_library",
    "ldcore.commands.reports",
    "ldcore.commands.privacy",
    "ldcore.commands.mailing",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ldalign", description="LD Align: align L&D with business goals.")
    parser.add_argument("--database", metavar="URL", help="database URL (default: LDALIGN_DATABASE_URL or ldalign.db)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    engine = get_engine(normalise_url(args.database) if args.database else None)
    try:
        if not getattr(args, "skip_schema_check", False):
            ensure_schema(engine)
        return int(args.func(args, engine) or 0)
    except (LDAlignError, SchemaOutOfDate) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing of the unfinished step was saved", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
