"""survey import/export/list: survey definitions as YAML files, kept in the database with versions."""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Engine

from ldcore import survey_defs
from ldcore.commands import Subcommands, read_input, write_output
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.services import survey_library


def register(sub: Subcommands) -> None:
    survey = sub.add_parser("survey", help="survey definitions (YAML) kept in the database").add_subparsers(
        dest="survey_command", required=True
    )
    p = survey.add_parser("import", help="save a survey from YAML (a new survey, or a new version of a saved one)")
    p.add_argument("file", type=Path)
    p.add_argument("--key", help="the survey's key (default: the file name without .yaml)")
    p.set_defaults(func=cmd_survey_import)
    p = survey.add_parser("export", help="write a survey (saved or stock) as YAML")
    p.add_argument("key")
    p.add_argument("--version", type=int, help="a saved survey's version (default: the newest)")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")
    p.set_defaults(func=cmd_survey_export)
    p = survey.add_parser("list", help="list the stock and saved surveys")
    p.add_argument("--archived", action="store_true", help="also list archived surveys")
    p.set_defaults(func=cmd_survey_list)


def _read_text(path: Path) -> str:
    try:
        return read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def cmd_survey_import(args: argparse.Namespace, engine: Engine) -> int:
    key = args.key or args.file.stem
    text = _read_text(args.file)
    with unit_of_work(engine) as session:
        row = survey_library.import_yaml(session, text=text, key=key, source=str(args.file))
    print(f"saved survey {row.key} version {row.version}: {row.title} ({row.questions} questions)")
    return 0


def cmd_survey_export(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        definition = survey_library.get_definition(session, key=args.key, version=args.version)
    write_output(survey_defs.to_yaml(definition), args.out)
    return 0


def cmd_survey_list(args: argparse.Namespace, engine: Engine) -> int:
    with read_session(engine) as session:
        rows = survey_library.list_surveys(session, include_archived=args.archived)
    for r in rows:
        version = "stock" if r.source == "stock" else f"v{r.version}" + (" archived" if r.status == "archived" else "")
        print(f"{r.key}\t{version}\t{r.questions} questions\t{r.waves} waves\t{r.title}")
    return 0
