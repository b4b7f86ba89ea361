"""The gap heatmap on both databases: figures equal a direct computation from the raw answers; small groups and
the totals that would reveal them are suppressed."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from sqlalchemy import select

from ldcore.db import read_session
from ldcore.errors import NotFound
from ldcore.models import Plan
from ldcore.reporting import contract
from ldcore.services import evidence
from tests.support.heatmap import SUPPRESSION, TARGETS, Filed, build

IMPORTANCE = {"neg": 20.0, "coach": 11.0, "excel": 0.0}  # 5×4; 5×1 + 2×3; drives nothing


def heat_cells(engine, **kwargs) -> dict[tuple[str, str], dict]:
    with read_session(engine) as session:
        section = contract.heatmap_section(session, plan_key="p1", **kwargs)
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
        assert contract.heatmap_section(session, plan_key="p1")["wave"] == "base"
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
        assert contract.heatmap_section(session, plan_key="p1") == {"wave": None, "cells": []}
        with pytest.raises(NotFound, match="no baseline wave"):
            evidence.gap_heatmap(session, plan_key="p1")
        with pytest.raises(NotFound, match="nope"):
            contract.heatmap_section(session, plan_key="nope")
        assert session.scalar(select(Plan.key)) == "p1"
