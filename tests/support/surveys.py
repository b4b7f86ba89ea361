"""Test data for the survey collector, built through the services: a small plan, a roster, waves, links."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from ldcore.db import unit_of_work
from ldcore.schemas import PlanDocument
from ldcore.services import plans, roster, surveys

TEST_SURVEYS = Path(__file__).resolve().parents[1] / "fixtures" / "surveys"
BASE = "https://ld.example"
TODAY = dt.date.today()


def plan_document(key: str = "p1") -> PlanDocument:
    return PlanDocument.model_validate(
        {
            "plan": {"key": key, "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [{"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 5}],
            "capabilities": [
                {"key": "neg", "name": "Negotiation", "drives": {"rev": 4}},
                {"key": "coach", "name": "Coaching"},
                {"key": "excel", "name": "Spreadsheets"},
            ],
            "teams": [
                {"key": "alpha", "name": "Alpha Sales", "targets": {"neg": 4, "coach": 3}},
                {"key": "beta", "name": "Beta Service", "targets": {"neg": 3}},
                {"key": "tiny", "name": "Tiny Team", "targets": {"excel": 2}},
                {"key": "outside", "name": "Outside"},
            ],
            "initiatives": [
                {
                    "key": "academy",
                    "name": "Negotiation Academy",
                    "objectives": ["rev"],
                    "capabilities": ["neg"],
                    "audience": ["alpha"],
                    "control_teams": ["beta"],
                    "starts": "2027-02-01",
                    "ends": "2027-03-31",
                }
            ],
        }
    )


def roster_csv(counts: dict[str, int]) -> str:
    lines = ["email,name,team"]
    for team, n in counts.items():
        lines += [f"{team}{i}@example.org,{team.title()} Person {i},{team}" for i in range(n)]
    return "\n".join(lines) + "\n"


def build(engine, counts: dict[str, int] | None = None) -> None:
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
        session.flush()
        roster.import_roster(session, data=roster_csv(counts or {"alpha": 6, "beta": 5, "tiny": 2}))


def make_wave(engine, key: str = "base", survey: str = "capability_baseline", **fields) -> surveys.WaveOut:
    fields.setdefault("kind", "baseline")
    surveys_dir = fields.pop("surveys_dir", None)
    with unit_of_work(engine) as session:
        return surveys.create_wave(
            session, wave={"plan": "p1", "survey": survey, "key": key, **fields}, surveys_dir=surveys_dir
        )


def invite(engine, wave: str) -> list[surveys.Link]:
    with unit_of_work(engine) as session:
        return surveys.issue_invitations(session, wave_key=wave, base_url=BASE)


def token_of(link: surveys.Link | str) -> str:
    url = link.link if isinstance(link, surveys.Link) else link
    query = parse_qs(urlparse(url).query)
    return (query.get("t") or query.get("o"))[0]
