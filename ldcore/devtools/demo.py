"""A believable demo company: `ldalign demo [--employees N] [--seed S]`.

One plan ("fy27") with four objectives and their KPIs (18 months of monthly observations per team), 14
capabilities, 12 teams with targets (one of them too small to report on), three initiatives (one with a control
group), a roster, baseline and follow-up capability surveys showing a real but uneven improvement, a reaction survey,
a manager-observation survey, and one account per role. Dates are relative to the current month, so the plan is
always under way. The same seed on the same month gives the same data. Rows are bulk-inserted, so N = 50,000 works.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from ldcore import survey_defs
from ldcore.db import is_sqlite, unit_of_work
from ldcore.io.yaml_safe import load_yaml
from ldcore.models import (
    Account,
    Answer,
    Base,
    Capability,
    Initiative,
    Invitation,
    Kpi,
    KpiObservation,
    Person,
    Plan,
    Response,
    SurveyWave,
    Team,
)
from ldcore.schemas import PlanDocument
from ldcore.services import accounts, audit, plans

PLAN_KEY = "fy27"
PLAN_FILE = Path(__file__).with_name("demo_plan.yaml")
MONTH = re.compile(r"(end of )?month (\d+)")
DEMO_PASSWORD = "ldalign-demo"
DEMO_ACCOUNTS = [
    ("admin@demo.example", "admin", "Ada Admin"),
    ("editor@demo.example", "editor", "Eli Editor (L&D partner)"),
    ("viewer@demo.example", "viewer", "Vera Viewer (VP Sales)"),
]

# key, share of the workforce, function (the plan's names and targets are in demo_plan.yaml)
TEAMS = [
    ("sales-emea", 0.12, "sales"),
    ("sales-amer", 0.12, "sales"),
    ("sales-apac", 0.08, "sales"),
    ("service-tier1", 0.14, "service"),
    ("service-tier2", 0.08, "service"),
    ("customer-success", 0.08, "service"),
    ("product", 0.06, "leaders"),
    ("engineering", 0.14, "leaders"),
    ("operations", 0.09, "leaders"),
    ("finance", 0.04, "other"),
    ("people-ops", 0.05, "other"),
]
TINY_TEAM = ("exec-office", 4, "other")  # too small to report on

FOCUS = {
    "sales": ["negotiation", "discovery", "value-selling", "pipeline", "active-listening", "data-literacy"],
    "service": ["active-listening", "de-escalation", "product-knowledge", "problem-solving", "collaboration"],
    "leaders": ["coaching", "feedback", "delegation", "change-leadership", "problem-solving", "data-literacy"],
    "other": ["data-literacy", "collaboration", "feedback", "problem-solving"],
}
FIRST = [
    "Alex",
    "Sam",
    "Maria",
    "Jonas",
    "Priya",
    "Chen",
    "Fatima",
    "Lucas",
    "Emma",
    "Noah",
    "Aisha",
    "Mateo",
    "Yuki",
    "Olga",
    "Kwame",
    "Sofia",
    "Liam",
    "Ines",
    "Ravi",
    "Hana",
]
LAST = [
    "Garcia",
    "Müller",
    "Okafor",
    "Nguyen",
    "Smith",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Silva",
    "Johansson",
    "Patel",
    "Dubois",
    "Kim",
    "Novak",
    "Ibrahim",
    "Costa",
    "Schmidt",
    "Lopez",
    "Ahmed",
]
COMMENTS = [
    "More practice with real customer cases would help.",
    "Time to apply it is the hard part; the content was good.",
    "My manager's follow-up made the difference.",
    "I would like a refresher in a few months.",
    "Role plays felt artificial but I use the checklist every week.",
    '=HYPERLINK("http://example.com") is how I would phrase a formula, not a comment',
]


@dataclass(frozen=True)
class Months:
    """The 18 observed months, ending with the current one; the plan starts 12 months before the end."""

    first: dt.date
    count: int = 18

    def month(self, i: int) -> dt.date:
        y, m = divmod(self.first.month - 1 + i, 12)
        return dt.date(self.first.year + y, m + 1, 1)


def _months_ending_now(today: dt.date) -> Months:
    y, m = divmod(today.month - 1 - 17, 12)
    return Months(first=dt.date(today.year + y, m + 1, 1))


def _plan_document(months: Months, headcounts: dict[str, int]) -> PlanDocument:
    """demo_plan.yaml with its month placeholders turned into dates and its headcounts replaced by `headcounts`."""
    data = load_yaml(PLAN_FILE.read_text(encoding="utf-8"), source=PLAN_FILE.name)
    for team in data["teams"]:
        team["headcount"] = headcounts[team["key"]]
    return PlanDocument.model_validate(_dates(data, months))


def _dates(node: Any, months: Months) -> Any:
    if isinstance(node, dict):
        return {key: _dates(value, months) for key, value in node.items()}
    if isinstance(node, list):
        return [_dates(value, months) for value in node]
    if isinstance(node, str) and (found := MONTH.fullmatch(node)):
        end, n = found.group(1), int(found.group(2))
        return months.month(n + 1) - dt.timedelta(days=1) if end else months.month(n)
    return node


def _headcounts(employees: int) -> dict[str, int]:
    rest = max(employees - TINY_TEAM[1], len(TEAMS) * 5)
    counts = {key: max(5, int(round(rest * share))) for key, share, _ in TEAMS}
    counts[TEAMS[0][0]] += rest - sum(counts.values())
    counts[TINY_TEAM[0]] = TINY_TEAM[1]
    return counts


def bulk_insert(session: Session, table: type[Base], rows: Sequence[dict[str, Any]], chunk: int = 50_000) -> None:
    """Insert many rows fast: executemany in large chunks (psycopg pipelines them on Postgres)."""
    for start in range(0, len(rows), chunk):
        session.execute(insert(table), list(rows[start : start + chunk]))


def _next_id(session: Session, model: type[Person | Response | Invitation]) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def reset_sequences(session: Session, tables: list[str]) -> None:
    """After rows were inserted with explicit ids, Postgres' sequences continue after them (SQLite needs nothing)."""
    if is_sqlite(session.get_bind()):
        return
    for table in tables:
        session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table, "id"), select(func.max(_MODELS[table].id)).scalar_subquery()
                )
            )
        )


_MODELS: dict[str, type[Person | Response | Answer | Invitation | KpiObservation]] = {
    "person": Person,
    "response": Response,
    "answer": Answer,
    "invitation": Invitation,
    "kpi_observation": KpiObservation,
}


def build_demo(
    engine: Engine,
    *,
    employees: int = 800,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda _m: None,
) -> str:
    if employees < 100:
        raise ValueError("The demo company needs at least 100 employees.")
    months = _months_ending_now(today or dt.date.today())
    rng = np.random.default_rng(seed)
    with unit_of_work(engine) as session:
        if session.scalar(select(Plan.id).where(Plan.key == PLAN_KEY)) is not None:
            return f"The demo plan {PLAN_KEY!r} is already in this database; nothing was changed.\n" + _sign_in_help()
        headcounts = _headcounts(employees)
        progress("Creating the plan, objectives, KPIs, capabilities, teams and initiatives…")
        plan = plans.import_plan(session, document=_plan_document(months, headcounts), actor="demo")
        session.flush()
        teams = {t.key: t for t in session.scalars(select(Team))}
        caps = {c.key: c for c in session.scalars(select(Capability).where(Capability.plan_id == plan.id))}
        progress("Recording 18 months of KPI observations per team…")
        n_obs = _kpi_observations(session, plan, teams, months, rng)
        progress(f"Adding a roster of {employees:,} people…")
        people = _roster(session, teams, headcounts, rng)
        progress("Running the baseline and follow-up surveys…")
        n_resp, n_ans = _surveys(session, plan, teams, caps, people, months, rng)
        reset_sequences(session, list(_MODELS))
        created = _accounts(session)
        audit.record(
            session, actor="demo", action="demo.build", entity="plan", key=PLAN_KEY, employees=employees, seed=seed
        )
    return (
        f"Demo company ready: plan {PLAN_KEY!r}, {len(teams)} teams, {employees:,} people, {n_obs:,} KPI "
        f"observations, {n_resp:,} survey responses ({n_ans:,} answers); {created} demo account(s) created.\n"
        + _sign_in_help()
    )


def _sign_in_help() -> str:
    lines = [f"Sign in at http://localhost:8501 with any of these (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {email:<22} {role}" for email, role, _ in DEMO_ACCOUNTS]
    return "\n".join(lines)


def _accounts(session: Session) -> int:
    created = 0
    for email, role, name in DEMO_ACCOUNTS:
        if session.scalar(select(Account.id).where(Account.email == email)) is None:
            accounts.create_account(session, email=email, role=role, password=DEMO_PASSWORD, name=name, actor="demo")
            created += 1
    return created


# --- KPI observations ----------------------------------------------------------------------------------------

KPI_TEAMS = {
    "win_rate": ["sales-emea", "sales-amer", "sales-apac"],
    "deal_size": ["sales-emea", "sales-amer", "sales-apac"],
    "csat": ["service-tier1", "service-tier2", "customer-success"],
    "handle_time": ["service-tier1", "service-tier2"],
    "attrition": ["engineering", "product", "operations", "finance", "people-ops", "sales-emea", "service-tier1"],
}
# KPI -> (monthly drift, noise sd, effect once the program ended, teams that get the effect, first month of effect)
KPI_MODEL = {
    "win_rate": (0.05, 0.6, 3.0, {"sales-emea", "sales-amer"}, 10),
    "deal_size": (0.15, 1.2, 0.0, set(), 0),
    "csat": (0.08, 0.8, 3.0, {"service-tier1", "service-tier2"}, 11),
    "handle_time": (-0.01, 0.15, -0.6, {"service-tier1", "service-tier2"}, 11),
    "attrition": (-0.02, 0.5, -1.2, {"engineering", "product", "operations"}, 10),
}


def _kpi_observations(
    session: Session, plan: Plan, teams: dict[str, Team], months: Months, rng: np.random.Generator
) -> int:
    kpis = {k.key: k for k in session.scalars(select(Kpi).where(Kpi.plan_id == plan.id))}
    rows = []
    for key, team_keys in KPI_TEAMS.items():
        kpi = kpis[key]
        drift, sd, effect, treated, from_month = KPI_MODEL[key]
        for team_key in team_keys:
            level = kpi.baseline_value - 6 * drift + rng.normal(0, sd)
            for i in range(months.count):
                ramp = min(1.0, max(0.0, (i - from_month + 1) / 2)) if team_key in treated else 0.0
                value = level + drift * i + effect * ramp + rng.normal(0, sd * 0.6)
                rows.append(
                    {
                        "kpi_id": kpi.id,
                        "team_id": teams[team_key].id,
                        "date": months.month(i),
                        "value": round(float(value), 2),
                        "note": "",
                        "source": "demo",
                    }
                )
    bulk_insert(session, KpiObservation, rows)
    return len(rows)


# --- roster ----------------------------------------------------------------------------------------------------


def _roster(
    session: Session, teams: dict[str, Team], headcounts: dict[str, int], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """People per team; one manager per eight people. Returns person ids per team key."""
    next_id = _next_id(session, Person)
    rows, by_team = [], {}
    for team_key, count in headcounts.items():
        ids = np.arange(next_id, next_id + count)
        by_team[team_key] = ids
        managers = {}
        for n, pid in enumerate(ids):
            first, last = FIRST[int(rng.integers(len(FIRST)))], LAST[int(rng.integers(len(LAST)))]
            email = f"{first}.{last}.{pid}@demo.example".lower().replace("ü", "ue")
            if n % 8 == 0:
                managers[n // 8] = email
            rows.append(
                {
                    "id": int(pid),
                    "email": email,
                    "name": f"{first} {last}",
                    "team_id": teams[team_key].id,
                    "employee_id": f"E{pid:06d}",
                    "role": "Manager" if n % 8 == 0 else "Employee",
                    "manager_email": "" if n % 8 == 0 else managers[n // 8],
                    "active": True,
                }
            )
        next_id += count
    bulk_insert(session, Person, rows)
    return by_team


# --- surveys ---------------------------------------------------------------------------------------------------


def _wave(
    session: Session,
    plan: Plan,
    *,
    key: str,
    survey: str,
    kind: str,
    caps: list[str],
    opens: dt.date,
    closes: dt.date,
    initiative: Initiative | None = None,
    baseline: SurveyWave | None = None,
) -> SurveyWave:
    definition = survey_defs.load_definition(survey)
    wave = SurveyWave(
        key=key,
        plan_id=plan.id,
        survey_key=survey,
        title=definition.title,
        kind=kind,
        definition={**definition.snapshot(), "capabilities": caps},
        opens=opens,
        closes=closes,
        anonymity="confidential",
        min_group=5,
        initiative_id=initiative.id if initiative else None,
        baseline_wave_id=baseline.id if baseline else None,
    )
    session.add(wave)
    session.flush()
    return wave


def _surveys(
    session: Session,
    plan: Plan,
    teams: dict[str, Team],
    caps: dict[str, Capability],
    people: dict[str, np.ndarray],
    months: Months,
    rng: np.random.Generator,
) -> tuple[int, int]:
    initiatives = {i.key: i for i in plan.initiatives}
    cap_keys = sorted(caps, key=lambda key: caps[key].position)
    baseline = _wave(
        session,
        plan,
        key="fy27-baseline",
        survey="capability_baseline",
        kind="baseline",
        caps=cap_keys,
        opens=months.month(6),
        closes=months.month(7) - dt.timedelta(days=1),
    )
    followup = _wave(
        session,
        plan,
        key="fy27-followup-90",
        survey="capability_followup",
        kind="followup",
        caps=cap_keys,
        opens=months.month(14),
        closes=months.month(15) - dt.timedelta(days=1),
        baseline=baseline,
    )
    academy = initiatives["sales-academy"]
    reaction = _wave(
        session,
        plan,
        key="sales-academy-reaction",
        survey="program_reaction",
        kind="followup",
        caps=[c.key for c in academy.capabilities],
        opens=months.month(10),
        closes=months.month(11) - dt.timedelta(days=1),
        initiative=academy,
    )
    leaders = initiatives["leadership-essentials"]
    observation = _wave(
        session,
        plan,
        key="leaders-manager-obs",
        survey="manager_observation",
        kind="followup",
        caps=[c.key for c in leaders.capabilities],
        opens=months.month(13),
        closes=months.month(14) - dt.timedelta(days=1),
        initiative=leaders,
    )

    trained: dict[str, set[str]] = {}
    for ini in plan.initiatives:
        for link in ini.team_links:
            if link.role == "audience":
                trained.setdefault(link.team.key, set()).update(c.key for c in ini.capabilities)

    barriers = survey_defs.load_definition("capability_followup").question("barriers")
    options = (barriers.options if barriers else None) or []
    writer = _Writer(session)
    team_func = {key: f for key, _, f in TEAMS} | {TINY_TEAM[0]: TINY_TEAM[2]}
    for team_key, ids in people.items():
        team_id = teams[team_key].id
        focus = set(FOCUS[team_func[team_key]])
        # Team-level starting point per capability, then a person-level offset.
        team_mean = np.array([rng.uniform(2.2, 3.1) if c in focus else rng.uniform(1.6, 2.6) for c in cap_keys])
        ability = team_mean[None, :] + rng.normal(0, 0.7, (len(ids), len(cap_keys)))
        gain = np.array(
            [rng.uniform(0.45, 1.0) if c in trained.get(team_key, ()) else rng.uniform(-0.05, 0.2) for c in cap_keys]
        )
        answered_base = rng.random(len(ids)) < 0.8
        answered_follow = rng.random(len(ids)) < 0.68
        for n, pid in enumerate(ids):
            pid = int(pid)
            if answered_base[n]:
                rid = writer.response(baseline, pid, team_id, months.month(6) + dt.timedelta(days=int(n % 20)))
                ratings = np.clip(np.rint(ability[n] + rng.normal(0, 0.35, len(cap_keys))), 1, 5)
                writer.capability_rows(rid, baseline, team_id, "proficiency", cap_keys, caps, ratings, rng)
                writer.number(rid, baseline, team_id, "confidence", int(rng.integers(2, 5)))
                if rng.random() < 0.05:
                    writer.text(rid, baseline, team_id, "comments", COMMENTS[int(rng.integers(len(COMMENTS)))])
            if answered_follow[n]:
                rid = writer.response(followup, pid, team_id, months.month(14) + dt.timedelta(days=int(n % 20)))
                after = ability[n] + gain * rng.uniform(0.4, 1.6)
                ratings = np.clip(np.rint(after + rng.normal(0, 0.35, len(cap_keys))), 1, 5)
                writer.capability_rows(rid, followup, team_id, "proficiency", cap_keys, caps, ratings, rng)
                applied = np.clip(np.rint(1.6 + gain * 3 + rng.normal(0, 0.9, len(cap_keys))), 1, 5)
                writer.capability_rows(rid, followup, team_id, "applied", cap_keys, caps, applied, rng)
                writer.number(rid, followup, team_id, "confidence", int(rng.integers(3, 6)))
                for choice in rng.choice(len(options), size=int(rng.integers(1, 3)), replace=False):
                    writer.choice(rid, followup, team_id, "barriers", options[int(choice)], int(choice) + 1)
                if team_key in trained:
                    writer.number(rid, followup, team_id, "attribution_pct", int(rng.integers(2, 9)) * 5)
                    writer.number(rid, followup, team_id, "attribution_confidence", int(rng.integers(10, 19)) * 5)
                if rng.random() < 0.05:
                    writer.text(rid, followup, team_id, "comments", COMMENTS[int(rng.integers(len(COMMENTS)))])
            if team_key in ("sales-emea", "sales-amer") and rng.random() < 0.7:
                rid = writer.response(reaction, pid, team_id, months.month(10) + dt.timedelta(days=int(n % 10)))
                writer.number(rid, reaction, team_id, "satisfaction", int(rng.choice([3, 4, 4, 5, 5])))
                writer.number(rid, reaction, team_id, "relevance", int(rng.choice([3, 4, 4, 5])))
                writer.number(rid, reaction, team_id, "nps", int(rng.choice([6, 7, 8, 9, 9, 10, 10])))
            if team_key in ("engineering", "product", "operations") and rng.random() < 0.5:
                rid = writer.response(observation, None, team_id, months.month(13) + dt.timedelta(days=int(n % 10)))
                lead = [c.key for c in leaders.capabilities]
                seen = np.clip(np.rint(rng.normal(2.8, 0.9, len(lead))), 1, 5)
                writer.capability_rows(rid, observation, team_id, "observed_change", lead, caps, seen, rng)
    writer.flush()
    return writer.responses, writer.answers


class _Writer:
    """Collects responses, invitations and answers with ids assigned here, then bulk-inserts them."""

    def __init__(self, session: Session):
        self.session = session
        self.next_response = _next_id(session, Response)
        self.next_invitation = _next_id(session, Invitation)
        self.response_rows: list[dict] = []
        self.invitation_rows: list[dict] = []
        self.answer_rows: list[dict] = []
        self.responses = self.answers = 0

    def response(self, wave: SurveyWave, person_id: int | None, team_id: int, day: dt.date) -> int:
        rid = self.next_response
        self.next_response += 1
        at = dt.datetime.combine(day, dt.time(9, 0))
        invitation_id = None
        if person_id is not None and wave.kind in ("baseline", "followup") and wave.initiative_id is None:
            invitation_id = self.next_invitation
            self.next_invitation += 1
            token_hash = hashlib.sha256(f"demo:{wave.key}:{person_id}".encode()).hexdigest()
            self.invitation_rows.append(
                {
                    "id": invitation_id,
                    "wave_id": wave.id,
                    "person_id": person_id,
                    "team_id": team_id,
                    "token_hash": token_hash,
                    "created_at": at,
                    "used_at": at,
                    "sent_at": at,
                    "reminders_sent": 0,
                }
            )
        self.response_rows.append(
            {
                "id": rid,
                "wave_id": wave.id,
                "invitation_id": invitation_id,
                "person_id": person_id,
                "team_id": team_id,
                "source": "demo",
                "submitted_at": at,
            }
        )
        self.responses += 1
        return rid

    def _answer(
        self,
        rid: int,
        wave: SurveyWave,
        team_id: int,
        key: str,
        *,
        capability_id: int | None = None,
        num: float | None = None,
        text: str | None = None,
    ) -> None:
        self.answer_rows.append(
            {
                "response_id": rid,
                "wave_id": wave.id,
                "team_id": team_id,
                "question_key": key,
                "capability_id": capability_id,
                "value_num": num,
                "value_text": text,
            }
        )
        self.answers += 1
        if len(self.answer_rows) >= 200_000:
            self.flush()

    def capability_rows(
        self,
        rid: int,
        wave: SurveyWave,
        team_id: int,
        key: str,
        cap_keys: list[str],
        caps: dict[str, Capability],
        values: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        skip = rng.random(len(cap_keys)) < 0.03  # "not applicable" now and then
        for cap_key, value, na in zip(cap_keys, values, skip, strict=True):
            if not na:
                self._answer(rid, wave, team_id, key, capability_id=caps[cap_key].id, num=float(value))

    def number(self, rid: int, wave: SurveyWave, team_id: int, key: str, value: float) -> None:
        self._answer(rid, wave, team_id, key, num=float(value))

    def choice(self, rid: int, wave: SurveyWave, team_id: int, key: str, label: str, index: int) -> None:
        self._answer(rid, wave, team_id, key, num=float(index), text=label)

    def text(self, rid: int, wave: SurveyWave, team_id: int, key: str, value: str) -> None:
        self._answer(rid, wave, team_id, key, text=value)

    def flush(self) -> None:
        # Parents first: answers reference responses, responses reference invitations.
        bulk_insert(self.session, Invitation, self.invitation_rows)
        bulk_insert(self.session, Response, self.response_rows)
        bulk_insert(self.session, Answer, self.answer_rows)
        self.invitation_rows, self.response_rows, self.answer_rows = [], [], []
