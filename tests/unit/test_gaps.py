"""The skills-gap grid's rules, without a database: gaps and priorities, the minimum group per cell, and the
complementary suppression of the team and capability totals that could give a hidden cell away."""

from __future__ import annotations

import pytest

from ldcore.analytics.gaps import Cell, Observed, build_grid, gap_of, make_cell, top_gaps


def grid(observed: dict, targets: dict | None = None, *, min_group: int = 5, importance: dict | None = None):
    teams = sorted({t for t, _ in observed} | {t for t, _ in targets or {}})
    capabilities = sorted({c for _, c in observed} | {c for _, c in targets or {}})
    return build_grid(
        teams=teams,
        capabilities=capabilities,
        observed={pair: Observed(mean, n) for pair, (mean, n) in observed.items()},
        targets=targets or {},
        importance=importance or {c: 1.0 for c in capabilities},
        headcount={t: 10 for t in teams},
        min_group=min_group,
    )


def test_the_gap_is_the_target_minus_the_mean_and_never_negative():
    assert gap_of(2.5, 4) == 1.5
    assert gap_of(4.5, 4) == 0.0
    assert gap_of(3.0, None) is None


def test_a_cell_holds_its_mean_gap_and_priority_of_gap_times_importance():
    cell = make_cell("sales", "neg", Observed(2.0, 6), 4, importance=3.0, min_group=5)
    assert cell == Cell("sales", "neg", 2.0, 4, 2.0, 6.0, 6, False)


def test_a_cell_answered_by_fewer_than_the_minimum_shows_nothing_but_its_target():
    cell = make_cell("sales", "neg", Observed(1.0, 4), 4, importance=3.0, min_group=5)
    assert cell == Cell("sales", "neg", None, 4, None, None, None, True)
    assert make_cell("sales", "neg", Observed(1.0, 5), 4, importance=3.0, min_group=5).suppressed is False


def test_a_team_total_is_hidden_when_its_row_holds_a_hidden_cell_with_answers():
    result = grid({("a", "neg"): (2.0, 6), ("a", "coach"): (1.0, 3), ("b", "neg"): (3.0, 6)}, {
        ("a", "neg"): 4, ("a", "coach"): 4, ("b", "neg"): 4,
    })  # fmt: skip
    totals = {t.team: t for t in result.team_totals}
    assert totals["a"].suppressed and (totals["a"].gap, totals["a"].priority, totals["a"].burden) == (None,) * 3
    assert (totals["b"].gap, totals["b"].priority, totals["b"].burden, totals["b"].suppressed) == (
        1.0,
        1.0,
        10.0,
        False,
    )


def test_a_target_nobody_answered_does_not_hide_the_teams_total():
    result = grid({("a", "neg"): (2.0, 6)}, {("a", "neg"): 4, ("a", "coach"): 3})
    (total,) = result.team_totals
    assert (total.gap, total.suppressed) == (2.0, False)
    assert {(c.capability, c.suppressed) for c in result.cells} == {("neg", False), ("coach", True)}


def test_a_capability_mean_pools_every_answer_when_nothing_is_hidden():
    result = grid({("a", "neg"): (2.0, 6), ("b", "neg"): (4.0, 10)})
    (total,) = result.capability_totals
    assert (total.current, total.n, total.suppressed) == (pytest.approx(3.25), 16, False)


def test_a_capability_mean_is_hidden_when_its_hidden_cells_hold_fewer_than_the_minimum():
    result = grid({("a", "neg"): (2.0, 6), ("b", "neg"): (4.0, 10), ("c", "neg"): (5.0, 2)})
    (total,) = result.capability_totals
    assert (total.current, total.n, total.suppressed) == (None, None, True)


def test_hidden_cells_that_together_reach_the_minimum_let_the_capability_mean_show():
    observed = {("a", "neg"): (2.0, 6), ("c", "neg"): (5.0, 3), ("d", "neg"): (1.0, 2)}
    (total,) = grid(observed).capability_totals
    assert (total.current, total.n, total.suppressed) == (pytest.approx((12 + 15 + 2) / 11), 11, False)


def test_a_capability_with_fewer_answers_than_the_minimum_in_all_is_hidden():
    (total,) = grid({("a", "neg"): (2.0, 2), ("b", "neg"): (3.0, 2)}).capability_totals
    assert total.suppressed is True


def test_teams_and_capabilities_rank_by_the_priority_of_published_cells_only():
    result = grid(
        {("a", "neg"): (3.0, 6), ("b", "neg"): (1.0, 6), ("c", "neg"): (1.0, 2), ("a", "coach"): (1.0, 9)},
        {("a", "neg"): 4, ("b", "neg"): 4, ("c", "neg"): 5, ("a", "coach"): 4},
        importance={"neg": 1.0, "coach": 2.0},
    )
    assert result.teams == ["a", "b", "c"]  # a: 1 + 6, b: 3, c: hidden (its gap of 4 counts for nothing)
    assert result.capabilities == ["coach", "neg"]


def test_top_gaps_leave_out_hidden_cells_and_cells_without_priority():
    cells = [
        Cell("a", "neg", 2.0, 4, 2.0, 4.0, 6, False),
        Cell("b", "neg", 3.0, 4, 1.0, 4.0, 6, False),
        Cell("c", "neg", None, 4, None, None, None, True),
        Cell("d", "neg", 4.0, 4, 0.0, 0.0, 6, False),
        Cell("e", "coach", 1.0, 4, 3.0, 9.0, 6, False),
    ]
    assert [(c.team, c.capability) for c in top_gaps(cells)] == [("e", "coach"), ("a", "neg"), ("b", "neg")]
    assert len(top_gaps(cells, limit=1)) == 1
