"""The gap heatmap on both databases: figures equal a direct computation from the raw answers; small groups and
the totals that would reveal them are suppressed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pytest
from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import read_session, unit_of_work
from ldcore.errors import NotFound
from ldcore.models import Answer, Capability, Person, Plan, Response, SurveyWave, Team
from ldcore.schemas import PlanDocument
from ldcore.services import evidence, plans

IMPORTANCE = {"neg": 20.0, "coach": 11.0, "excel": 0.0}  # 5×4; 5×1 + 2×3; drives nothing
TARGETS = {
    ("alpha", "neg"): 4,
    ("alpha", "coach"): 3,
    ("beta", "neg"): 3,
    ("beta", "coach"): 4,
    ("tiny", "neg"): 4,
}
HEADCOUNT = {"alpha": 20, "beta": 10, "tiny": 3, "duo": 2}


def plan_document() -> PlanDocument:
    targets: dict[str, dict[str, int]] = defaultdict(dict)
    for (team, cap), level in TARGETS.items():
        targets[team][cap] = level
    return PlanDocument.model_validate(
        {
            "plan": {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {"key": "rev", "title": "Revenue", "category": "revenue_growth", "priority": 5},
                {"key": "ret", "title": "Retention", "category": "people", "priority": 2},
            ],
            "capabilities": [
                {"key": "neg", "name": "Negotiation", "drives": {"rev": 4}},
                {"key": "coach", "name": "Coaching", "drives": {"rev": 1, "ret": 3}},
                {"key": "excel", "name": "Spreadsheets"},
            ],
            "teams": [
                {"key": key, "name": key.title(), "headcount": HEADCOUNT[key], "targets": targets.get(key, {})}
                for key in HEADCOUNT
            ],
            "initiatives": [
                {
                    "key": "academy",
                    "name": "Negotiation Academy",
                    "objectives": ["rev"],
                    "capabilities": ["neg"],
                    "audience": ["alpha"],
                    "control_teams": ["beta"],
                }
            ],
        }
    )


@dataclass
class Filed:
    """One response to file: its team, who answered (roster person or anonymous code) and its ratings."""

    wave: str
    team: str | None
    ratings: dict[str, float]
    person: int | None = None
    code: str | None = None
    applied: dict[str, float] = field(default_factory=dict)


def build(engine, responses: list[Filed], *, waves=(("base", "baseline", None, 1),), min_group: int = 5) -> None:
    """The plan, its waves (key, kind, baseline key, opening month) and the responses, inserted directly."""
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=plan_document())
        session.flush()
        caps = {c.key: c.id for c in session.scalars(select(Capability).where(Capability.plan_id == plan.id))}
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        made: dict[str, SurveyWave] = {}
        for key, kind, baseline, month in waves:
            survey = "capability_baseline" if kind == "baseline" else "capability_followup"
            made[key] = SurveyWave(
                key=key,
                plan_id=plan.id,
                survey_key=survey,
                title=key,
                kind=kind,
                definition={**survey_defs.load_definition(survey).snapshot(), "capabilities": list(caps)},
                opens=dt.date(2027, month, 1),
                min_group=min_group,
                baseline_wave_id=made[baseline].id if baseline else None,
            )
            session.add(made[key])
            session.flush()
        for pid in sorted({r.person for r in responses if r.person is not None}):
            session.add(Person(id=pid, email=f"p{pid}@example.org", name=f"P {pid}", team_id=teams["alpha"]))
        session.flush()
        for r in responses:
            wave, team_id = made[r.wave], teams[r.team] if r.team else None
            answers = [
                Answer(wave_id=wave.id, team_id=team_id, question_key=question, capability_id=caps[cap], value_num=v)
                for question, values in (("proficiency", r.ratings), ("applied", r.applied))
                for cap, v in values.items()
            ]
            session.add(
                Response(
                    wave_id=wave.id,
                    team_id=team_id,
                    person_id=r.person,
                    pairing_code=r.code,
                    source="import",
                    answers=answers,
                )
            )


def heat_cells(engine, **kwargs) -> dict[tuple[str, str], dict]:
    with read_session(engine) as session:
        section = evidence.heatmap_section(session, plan_key="p1", **kwargs)
    return {(c["team"], c["capability"]): c for c in section["cells"]}


def random_company(seed: int) -> list[Filed]:
    rng = np.random.default_rng(seed)
    out = []
    for team, size in (("alpha", 14), ("beta", 7), ("tiny", 3), ("duo", 2)):
        for _ in range(size):
            ratings = {cap: float(rng.integers(1, 6)) for cap in IMPORTANCE if rng.random() > 0.2}  # some N/A
            out.append(Filed("base", team, ratings))
    return out


def test_the_report_cells_equal_a_direct_computation_from_the_raw_answers(engine):
    responses = random_company(seed=11)
    build(engine, responses)
    raw: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in responses:
        for cap, value in r.ratings.items():
            raw[(r.team, cap)].append(value)

    cells = heat_cells(engine)

    with read_session(engine) as session:
        assert evidence.heatmap_section(session, plan_key="p1")["wave"] == "base"
    assert set(cells) == set(raw) | set(TARGETS)
    for key, values in raw.items():
        cell, target = cells[key], TARGETS.get(key)
        assert cell["target"] == target
        if len(values) < 5:
            assert cell == {
                "team": key[0],
                "capability": key[1],
                "current": None,
                "target": target,
                "gap": None,
                "priority": None,
                "n": None,
                "suppressed": True,
            }
            continue
        mean = sum(values) / len(values)
        assert cell["suppressed"] is False and cell["n"] == len(values)
        assert cell["current"] == pytest.approx(mean, abs=5e-4)
        if target is None:
            assert cell["gap"] is None and cell["priority"] is None
        else:
            assert cell["gap"] == pytest.approx(max(target - mean, 0), abs=5e-4)
            assert cell["priority"] == pytest.approx(max(target - mean, 0) * IMPORTANCE[key[1]], abs=5e-3)
    assert list(cells[("alpha", "neg")]) == ["team", "capability", "current", "target", "gap", "priority", "n"] + [
        "suppressed"
    ]


def ratings(team: str, values: list[float], cap: str) -> list[Filed]:
    return [Filed("base", team, {cap: v}) for v in values]


SUPPRESSION = [
    *ratings("alpha", [2, 3, 3, 4, 2, 2], "neg"),
    *ratings("beta", [3, 3, 2, 1, 2, 3], "neg"),
    *ratings("tiny", [5, 5, 4], "neg"),  # hidden: 3 answers, so the all-teams Negotiation mean is hidden too
    *ratings("alpha", [1, 2, 2, 3, 2, 2], "coach"),
    *ratings("beta", [4, 4, 4, 3], "coach"),  # hidden: 4 answers; beta's totals add this gap, so they are hidden
    *ratings("alpha", [3, 3, 3, 3, 3, 3], "excel"),
    *ratings("beta", [2, 2, 2, 2, 2, 2], "excel"),
    *ratings("tiny", [5, 5, 5], "excel"),  # hidden, but with duo's two answers 5 hide together: the total shows
    *ratings("duo", [1, 1], "excel"),
]


def test_cells_below_the_minimum_group_show_no_value(engine):
    build(engine, SUPPRESSION)
    cells = heat_cells(engine)

    hidden = {key for key, c in cells.items() if c["suppressed"]}
    assert hidden == {("tiny", "neg"), ("beta", "coach"), ("tiny", "excel"), ("duo", "excel")}
    for key in hidden:
        assert (cells[key]["current"], cells[key]["gap"], cells[key]["priority"], cells[key]["n"]) == (None,) * 4
    assert cells[("alpha", "coach")]["current"] == pytest.approx(2.0)
    assert cells[("alpha", "coach")]["gap"] == pytest.approx(1.0)
    assert cells[("alpha", "coach")]["priority"] == pytest.approx(11.0)


def test_totals_that_would_let_someone_subtract_their_way_to_a_hidden_cell_are_suppressed(engine):
    build(engine, SUPPRESSION)
    with read_session(engine) as session:
        heat = evidence.gap_heatmap(session, plan_key="p1")
    teams = {t.team: t for t in heat.team_totals}
    caps = {c.capability: c for c in heat.capability_totals}

    assert caps["neg"].suppressed and caps["neg"].current is None and caps["neg"].n is None
    assert caps["coach"].suppressed and caps["coach"].current is None
    assert not caps["excel"].suppressed  # the two hidden cells hold 5 answers together: no small group revealed
    assert caps["excel"].n == 17
    assert caps["excel"].current == pytest.approx((18 + 12 + 15 + 2) / 17)

    assert teams["tiny"].suppressed and teams["tiny"].burden is None
    assert teams["beta"].suppressed and teams["beta"].gap is None and teams["beta"].priority is None
    alpha_gap = (4 - 16 / 6) + (3 - 2.0)
    assert not teams["alpha"].suppressed
    assert teams["alpha"].gap == pytest.approx(alpha_gap)
    assert teams["alpha"].burden == pytest.approx(20 * alpha_gap)
    assert teams["alpha"].priority == pytest.approx((4 - 16 / 6) * 20 + 1.0 * 11)


def test_teams_and_capabilities_are_ranked_by_priority_and_top_gaps_name_the_covering_initiative(engine):
    build(engine, SUPPRESSION)
    with read_session(engine) as session:
        heat = evidence.gap_heatmap(session, plan_key="p1")

    assert [t.key for t in heat.teams][:2] == ["alpha", "beta"]  # 26.7 + 11 against 13.3 published
    assert [c.key for c in heat.capabilities] == ["neg", "coach", "excel"]
    top = [(g.team, g.capability, g.covered, [i.key for i in g.initiatives]) for g in heat.top_gaps]
    assert top == [
        ("alpha", "neg", True, ["academy"]),
        ("beta", "neg", False, []),  # beta is the academy's control group, not its audience
        ("alpha", "coach", False, []),
    ]
    assert heat.importance == IMPORTANCE


def test_the_drill_down_counts_answers_per_level_and_hides_small_groups(engine):
    build(engine, SUPPRESSION)
    with read_session(engine) as session:
        by_team = {d.key: d for d in evidence.distribution(session, plan_key="p1", team_key="beta")}
        by_cap = {d.key: d for d in evidence.distribution(session, plan_key="p1", capability_key="neg")}

    assert by_team["neg"].counts == {1: 1, 2: 2, 3: 3, 4: 0, 5: 0} and by_team["neg"].n == 6
    assert by_team["coach"].suppressed and by_team["coach"].counts is None and by_team["coach"].n is None
    assert by_cap["alpha"].counts == {1: 0, 2: 3, 3: 2, 4: 1, 5: 0}
    assert by_cap["tiny"].suppressed and by_cap["tiny"].counts is None
    assert set(by_cap) == {"alpha", "beta", "tiny"}


def test_the_default_wave_is_the_latest_baseline_and_another_wave_can_be_chosen(engine):
    waves = (("old", "baseline", None, 1), ("new", "baseline", None, 6), ("after", "followup", "new", 9))
    responses = [Filed("old", "alpha", {"neg": 1.0}) for _ in range(5)]
    responses += [Filed("new", "alpha", {"neg": 3.0}) for _ in range(5)]
    responses += [Filed("after", "alpha", {"neg": 4.0}) for _ in range(5)]
    build(engine, responses, waves=waves)

    assert heat_cells(engine)[("alpha", "neg")]["current"] == 3.0
    with read_session(engine) as session:
        picked = evidence.gap_heatmap(session, plan_key="p1", wave_key="old")
        listed = [w.key for w in evidence.heatmap_waves(session, plan_key="p1")]
    assert next(c for c in picked.cells if c.team == "alpha" and c.capability == "neg").current == 1.0
    assert listed == ["after", "new", "old"]


def test_a_plan_without_a_baseline_has_an_empty_heatmap_section_and_an_unknown_plan_is_an_error(engine):
    build(engine, [], waves=())
    with read_session(engine) as session:
        assert evidence.heatmap_section(session, plan_key="p1") == {"wave": None, "cells": []}
        with pytest.raises(NotFound, match="no baseline wave"):
            evidence.gap_heatmap(session, plan_key="p1")
        with pytest.raises(NotFound, match="nope"):
            evidence.heatmap_section(session, plan_key="nope")
        assert session.scalar(select(Plan.key)) == "p1"
