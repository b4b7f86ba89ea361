"""Trends across a baseline and its chained follow-ups, on SQLite and Postgres: the JSON equals a direct computation
from the raw answers, a team below the minimum group has no point anywhere, and the internal benchmark pools only
the teams shown."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
from scipy import stats
from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import read_session, unit_of_work
from ldcore.models import Answer, Capability, Plan, SurveyWave, Team
from ldcore.reporting import contract
from ldcore.services import plans, trends
from tests.support.impact import plan_document, respond

D = dt.date
# wave → team → capability → answers (t-small has 2 answers per wave: below the minimum of 5)
ANSWERS = {
    "base": {"a1": {"neg": [1, 2, 2, 3, 2, 1]}, "s1": {"neg": [3, 3, 4, 2, 3]}, "l1": {"neg": [5, 4]}},
    "fu30": {"a1": {"neg": [2, 3, 3, 3, 2, 2]}, "s1": {"neg": [3, 4, 4, 3, 4]}, "l1": {"neg": [5, 5]}},
    "fu60": {"a1": {"neg": [3, 3, 4, 3, 3]}, "s1": {"neg": [4, 4, 4, 3]}, "l1": {"neg": [4, 5]}},
}
OPENS = {"base": D(2027, 1, 10), "fu30": D(2027, 2, 10), "fu60": D(2027, 3, 10), "other": D(2027, 4, 1)}


def build(engine) -> None:
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=plan_document())
        session.flush()
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        caps = {c.key: c.id for c in session.scalars(select(Capability))}
        waves = {}
        for key, survey, kind, baseline in (
            ("base", "capability_baseline", "baseline", None),
            ("fu30", "capability_followup", "followup", "base"),
            ("fu60", "capability_followup", "followup", "fu30"),  # chained through the +30 follow-up
            ("other", "capability_baseline", "baseline", None),  # an older series' baseline: not this one
        ):
            wave = SurveyWave(
                key=key,
                plan_id=plan.id,
                survey_key=survey,
                title=key,
                kind=kind,
                definition={**survey_defs.load_definition(survey).snapshot(), "capabilities": ["neg"]},
                opens=OPENS[key] if key != "other" else D(2026, 6, 1),
                min_group=5,
                baseline_wave_id=waves[baseline].id if baseline else None,
            )
            session.add(wave)
            session.flush()
            waves[key] = wave
        for wave_key, by_team in ANSWERS.items():
            for team, by_cap in by_team.items():
                for cap, values in by_cap.items():
                    for value in values:
                        respond(session, waves[wave_key], teams[team], {"proficiency": value}, caps[cap])
        for value in (1, 1, 1, 1, 1):
            respond(session, waves["other"], teams["a1"], {"proficiency": value}, caps["neg"])


def direct(engine) -> list[dict]:
    """The same figures straight from every raw answer, with pandas and scipy."""
    with read_session(engine) as session:
        rows = session.execute(
            select(SurveyWave.key, SurveyWave.opens, Team.key, Answer.value_num)
            .join(SurveyWave, SurveyWave.id == Answer.wave_id)
            .join(Team, Team.id == Answer.team_id)
            .where(SurveyWave.key.in_(["base", "fu30", "fu60"]), Answer.question_key == "proficiency")
        ).all()
    frame = pd.DataFrame(rows, columns=["wave", "opens", "team", "value"])

    def point(wave, opens, values) -> dict:
        n, mean = len(values), float(values.mean())
        half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n)
        return {
            "wave": wave,
            "date": opens.isoformat(),
            "mean": round(mean, 3),
            "n": n,
            "ci_low": round(mean - half, 3),
            "ci_high": round(mean + half, 3),
        }

    counts = frame.groupby(["wave", "team"]).size()
    shown = frame[[counts[(w, t)] >= 5 for w, t in zip(frame.wave, frame.team, strict=True)]]
    out = [
        {
            "capability": "neg",
            "team": None,
            "points": [point(w, g.opens.iloc[0], g.value) for w, g in shown.groupby("wave", sort=False)],
        }
    ]
    for team, group in shown.groupby("team"):
        out.append(
            {
                "capability": "neg",
                "team": team,
                "points": [point(w, g.opens.iloc[0], g.value) for w, g in group.groupby("wave", sort=False)],
            }
        )
    for series in out:
        series["points"].sort(key=lambda p: p["date"])
    return out


def test_the_trend_json_equals_a_direct_computation_from_the_raw_answers(engine):
    build(engine)
    with read_session(engine) as session:
        section = contract.trends_section(session, plan_key="p1")
        report = contract.report_json(session, plan_key="p1")

    assert section == direct(engine)
    assert report["trends"] == section
    assert [p["wave"] for p in section[0]["points"]] == ["base", "fu30", "fu60"]
    assert section[0]["points"][0] == {
        "wave": "base",
        "date": "2027-01-10",
        "mean": round(26 / 11, 3),
        "n": 11,
        "ci_low": section[0]["points"][0]["ci_low"],
        "ci_high": section[0]["points"][0]["ci_high"],
    }


def test_a_team_below_the_minimum_group_has_no_point_and_is_not_in_the_all_teams_mean(engine):
    build(engine)
    with read_session(engine) as session:
        section = contract.trends_section(session, plan_key="p1")

    assert [s["team"] for s in section] == [None, "a1", "s1"]  # l1 (2 answers a wave) has no series at all
    s1 = next(s for s in section if s["team"] == "s1")
    assert [p["wave"] for p in s1["points"]] == ["base", "fu30"]  # 4 answers at +60: that point does not exist
    overall = section[0]["points"]
    assert [p["n"] for p in overall] == [11, 11, 5]  # a1 + s1, a1 + s1, a1 alone at +60
    assert overall[2]["mean"] == 3.2
    assert '"l1"' not in json.dumps(section)


def test_the_series_follows_the_chain_from_the_latest_baseline_or_a_named_one(engine):
    build(engine)
    with read_session(engine) as session:
        latest = trends.series_waves(session, "p1")
        older = trends.series_waves(session, "p1", "other")

    assert [w.key for w in latest] == ["base", "fu30", "fu60"]
    assert [w.key for w in older] == ["other"]


def test_the_internal_benchmark_compares_a_team_with_the_teams_shown(engine):
    build(engine)
    with read_session(engine) as session:
        a1 = trends.internal_benchmark(session, plan_key="p1", team_key="a1", wave_key="base")[0]
        l1 = trends.internal_benchmark(session, plan_key="p1", team_key="l1", wave_key="base")[0]

    assert (a1.team_mean, a1.team_n, a1.company_n) == (11 / 6, 6, 11)
    assert a1.company_mean == 26 / 11
    assert a1.difference == 11 / 6 - 26 / 11
    assert (l1.team_mean, l1.team_n, l1.difference) == (None, None, None)  # below the minimum: nothing of its own
    assert l1.company_mean == 26 / 11  # and the company leaves its two answers out


def test_a_plan_without_a_baseline_has_no_trends(engine):
    with unit_of_work(engine) as session:
        plans.import_plan(session, document=plan_document())
    with read_session(engine) as session:
        assert contract.trends_section(session, plan_key="p1") == []
        assert session.scalar(select(Plan.key)) == "p1"
