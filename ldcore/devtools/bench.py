"""`ldalign bench`: a synthetic company of a given size in a scratch database, the timings of the heatmap, and the
write side of the live scenario (responses streamed into a wave, submissions per second).

The company: one plan, `capabilities` capabilities driving four objectives, `teams` teams (default one per 500
employees, 4–100, plus the tiny one) including a tiny team below the minimum group, targets for a third of the
capabilities per team, every employee rated in a baseline and a follow-up wave (3% "not applicable"). Rows are
generated in chunks and bulk-inserted (SQLAlchemy core insert, executemany) with the running totals' triggers
off and the totals counted once at the end (`ldcore.tally`), then the planner statistics are refreshed as a
deployment would.

Timings (medians of `repeat` runs after one warm-up run; the heatmap and the floor take turns):
- heatmap_s: `evidence.gap_heatmap`, uncached;
- floor_s: the one plain GROUP BY the heatmap cannot beat, on the same table and index;
- naive_pandas_s: read every answer with pandas, then filter and pivot — what a typical dashboard does.
- submissions_per_s: responses stored through the open link by 4 writers at once, each its own transaction.
The page timings and the live scenario's reading side live in `ldcore.devtools.bench_pages` (they need Streamlit).
"""

from __future__ import annotations

import contextlib
import itertools
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from ldcore import survey_defs, tally
from ldcore.db import dispose_engine, get_engine, is_sqlite, migrate, read_session, unit_of_work
from ldcore.devtools import demo
from ldcore.models import Answer, Capability, Person, Response, SurveyWave, Team
from ldcore.schemas import PlanDocument
from ldcore.services import accounts, evidence, plans, responses, surveys
from ldcore.settings import normalise_url

PLAN_KEY = "bench"
BASELINE, FOLLOWUP = "bench-baseline", "bench-followup"
ADMIN = "admin@bench.example"
ADMIN_PASSWORD = "bench-admin-password"
WRITERS = 4
CHUNK = 50_000
TINY_TEAM = 4
FLOOR_SQL = text(
    "SELECT team_id, capability_id, avg(value_num), count(*) FROM answer "
    "WHERE wave_id = :wave AND question_key = 'proficiency' GROUP BY capability_id, team_id"
)


@dataclass(frozen=True)
class Company:
    employees: int
    capabilities: int
    teams: int
    responses: int
    answers: int
    token: str  # an admin's session: every page opens


def median_seconds(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median wall time of each run. The runs take turns, so a busy machine slows them alike."""
    for run in runs.values():
        run()  # warm-up: caches of the OS and the database, imports
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


@contextlib.contextmanager
def scratch_database(server_url: str | None) -> Iterator[str]:
    """A fresh database URL, removed afterwards: a temporary SQLite file, or a new database on a Postgres server."""
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="ldalign-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            try:
                yield url
            finally:
                dispose_engine(url)
        return
    server = sa.make_url(normalise_url(server_url))
    name = f"ldalign_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        dispose_engine(url)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _document(employees: int, n_caps: int, n_teams: int) -> PlanDocument:
    objectives = ["revenue", "customer", "efficiency", "retention"]
    caps = [f"cap-{i:03d}" for i in range(n_caps)]
    staff = employees - TINY_TEAM  # the tiny team counts among the employees
    sizes = [staff // n_teams] * n_teams
    sizes[0] += staff - sum(sizes)
    teams = [
        {
            "key": f"team-{t:03d}",
            "name": f"Team {t:03d}",
            "headcount": sizes[t],
            "targets": {caps[(t + j) % n_caps]: 3 + (j % 2) for j in range(max(1, n_caps // 3))},
        }
        for t in range(n_teams)
    ]
    teams.append({"key": "team-tiny", "name": "Tiny team", "headcount": TINY_TEAM, "targets": {caps[0]: 4}})
    return PlanDocument.model_validate(
        {
            "plan": {"key": PLAN_KEY, "name": "Benchmark company", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {"key": key, "title": key.title(), "category": "other", "priority": 5 - n % 3}
                for n, key in enumerate(objectives)
            ],
            "capabilities": [
                {"key": c, "name": f"Capability {i:03d}", "drives": {objectives[i % 4]: 1 + i % 5}}
                for i, c in enumerate(caps)
            ],
            "teams": teams,
            "initiatives": [
                {
                    "key": f"program-{k}",
                    "name": f"Program {k}",
                    "capabilities": caps[k::4][:3],
                    "audience": [t["key"] for t in teams[k::3]],
                }
                for k in range(3)
            ],
        }
    )


def build_company(
    engine: Engine, *, employees: int, capabilities: int, teams: int | None = None, seed: int = 1
) -> Company:
    """`teams` counts the tiny team too (default: one team per 500 employees, 4–100, plus the tiny one)."""
    rng = np.random.default_rng(seed)
    n_teams = teams - 1 if teams else min(max(employees // 500, 4), 100)
    with unit_of_work(engine) as session:
        # a bulk load: the running totals are counted once at the end instead of by a trigger per answer
        tally.drop_triggers(session.connection())
        plan = plans.import_plan(session, document=_document(employees, capabilities, n_teams), actor="bench")
        session.flush()
        cap_ids = np.array(
            session.scalars(
                select(Capability.id).where(Capability.plan_id == plan.id).order_by(Capability.position)
            ).all()
        )
        team_rows = session.execute(select(Team.id, Team.headcount).order_by(Team.key)).all()
        waves: dict[str, SurveyWave] = {}
        for key, survey, kind in (
            (BASELINE, "capability_baseline", "baseline"),
            (FOLLOWUP, "capability_followup", "followup"),
        ):
            waves[key] = SurveyWave(
                key=key,
                plan_id=plan.id,
                survey_key=survey,
                title=key,
                kind=kind,
                definition=survey_defs.load_definition(survey).snapshot(),  # no capability list: all of the plan
                min_group=5,
                baseline_wave_id=waves[BASELINE].id if kind == "followup" else None,
            )
            session.add(waves[key])
            session.flush()
        team_index = np.repeat(np.arange(len(team_rows)), [headcount for _, headcount in team_rows])
        team_of_person = np.array([team_id for team_id, _ in team_rows])[team_index]
        people = len(team_of_person)
        session.execute(
            insert(Person),
            [
                {"id": i + 1, "email": f"e{i + 1}@bench.example", "name": f"Employee {i + 1}", "team_id": int(t)}
                for i, t in enumerate(team_of_person.tolist())
            ],
        )
        team_level = rng.uniform(1.8, 3.2, (len(team_rows), len(cap_ids)))
        ability = team_level[team_index] + rng.normal(0, 0.8, (people, len(cap_ids)))
        responses = 0
        for n, wave in enumerate(waves.values()):
            level = ability + 0.3 * n  # the follow-up shows a modest improvement
            responses += _insert_wave(session, wave, team_of_person, cap_ids, level, rng, first_id=n * people + 1)
        demo.reset_sequences(session, ["person", "response", "answer"])  # the live scenario inserts more
        tally.rebuild(session.connection())
        tally.create_triggers(session.connection())
        admin = accounts.create_account(session, email=ADMIN, role="admin", password=ADMIN_PASSWORD, actor="bench")
        token = accounts.issue_session_token(session, account_id=admin.id)
        answers = session.scalar(select(sa.func.count()).select_from(Answer)) or 0
    _analyze(engine)
    return Company(employees, capabilities, n_teams + 1, responses, answers, token)


def _insert_wave(
    session: Session,
    wave: SurveyWave,
    team_of_person: np.ndarray,
    cap_ids: np.ndarray,
    level: np.ndarray,
    rng: np.random.Generator,
    *,
    first_id: int,
) -> int:
    people, n_caps = level.shape
    session.execute(
        insert(Response),
        [
            {"id": first_id + i, "wave_id": wave.id, "person_id": i + 1, "team_id": int(t), "source": "import"}
            for i, t in enumerate(team_of_person.tolist())
        ],
    )
    per_chunk = max(1, CHUNK // n_caps)
    for start in range(0, people, per_chunk):
        block = slice(start, min(start + per_chunk, people))
        values = np.clip(np.rint(level[block] + rng.normal(0, 0.35, level[block].shape)), 1, 5)
        answered = rng.random(values.shape) >= 0.03
        rows, cols = np.nonzero(answered)
        persons = (rows + start).tolist()
        session.execute(
            insert(Answer),
            [
                {
                    "response_id": first_id + p,
                    "wave_id": wave.id,
                    "team_id": team,
                    "question_key": "proficiency",
                    "capability_id": cap,
                    "value_num": value,
                }
                for p, team, cap, value in zip(
                    persons,
                    team_of_person[rows + start].tolist(),
                    cap_ids[cols].tolist(),
                    values[rows, cols].tolist(),
                    strict=True,
                )
            ],
        )
    return people


def _analyze(engine: Engine) -> None:
    """Refresh planner statistics (and Postgres's visibility map, for index-only scans) after the bulk load."""
    if is_sqlite(engine):
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def timings(engine: Engine, *, repeat: int) -> dict[str, float]:
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.key == BASELINE))

    def heatmap() -> None:
        with read_session(engine) as session:
            evidence.gap_heatmap(session, plan_key=PLAN_KEY, wave_key=BASELINE)

    def floor() -> None:
        with engine.connect() as conn:
            conn.execute(FLOOR_SQL, {"wave": wave_id}).all()

    def naive_pandas() -> None:
        with engine.connect() as conn:
            frame = pd.read_sql(text("SELECT * FROM answer"), conn)
        mine = frame[(frame.wave_id == wave_id) & (frame.question_key == "proficiency")]
        mine.pivot_table(index="team_id", columns="capability_id", values="value_num", aggfunc=["mean", "count"])

    return {
        **median_seconds({"heatmap_s": heatmap, "floor_s": floor}, repeat),
        **median_seconds({"naive_pandas_s": naive_pandas}, max(1, repeat // 2)),
    }


def database_description(engine: Engine) -> str:
    with engine.connect() as conn:
        if is_sqlite(engine):
            return "SQLite " + conn.exec_driver_sql("select sqlite_version()").scalar_one()
        return "PostgreSQL " + conn.exec_driver_sql("show server_version").scalar_one()


def open_scratch(url: str) -> Engine:
    engine = get_engine(url)
    migrate(engine)
    return engine


class Respondents:
    """Respondents answering the baseline wave through its open link, each submission its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with unit_of_work(engine) as session:
            link = surveys.create_open_link(session, wave_key=BASELINE, base_url="http://bench", actor="bench")
            wave = surveys.get_wave(session, key=BASELINE)
            caps = [c.key for c in surveys.wave_capabilities(session, wave)]
            self.teams = [t.key for t in surveys.audience_teams(session, wave)]
        self.token = parse_qs(urlparse(link).query)["o"][0]
        self.answers = {"proficiency": dict.fromkeys(caps, 3), "confidence": 4}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self) -> None:
        with self._lock:
            n = next(self._ids)
        with unit_of_work(self.engine) as session:
            responses.submit_response(
                session,
                open_token=self.token,
                answers=self.answers,
                team_key=self.teams[n % len(self.teams)],
                client_id=f"bench-{uuid.uuid4().hex}",
            )


def submissions_per_second(respondents: Respondents, *, count: int) -> float:
    """`count` responses stored by `WRITERS` threads at once; responses per second of wall time."""
    per_writer = max(1, count // WRITERS)

    def write() -> None:
        for _ in range(per_writer):
            respondents.submit()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_writer * WRITERS / (time.perf_counter() - start)
