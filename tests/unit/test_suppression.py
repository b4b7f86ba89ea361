"""The minimum group across published figures (ldcore.analytics.suppression), without a database."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ldcore.analytics import gaps
from ldcore.analytics.suppression import OTHER, apart, merge_small_groups, people, publishable


def teams(*names: str, sizes: dict[str, int]) -> dict:
    return {(t, None): sizes[t] for t in names}


SIZES = {"big-a": 7, "big-b": 6, "small": 2, "other": 5}


def test_the_people_of_a_figure_count_each_block_once_at_its_largest_facet():
    figure = {("a", "neg"): 6, ("a", "coach"): 4, ("b", "neg"): 5}
    assert people(figure) == 11


def test_people_apart_are_those_in_cells_the_other_figure_lacks():
    a = {("a", "neg"): 6, ("a", "coach"): 4, ("b", "neg"): 5}
    b = {("a", "neg"): 6}
    assert (apart(a, b), apart(b, a)) == (9, 0)


def test_of_two_initiatives_two_people_apart_the_second_is_hidden():
    a = teams("big-a", "big-b", sizes=SIZES)
    b = teams("big-a", "big-b", "small", sizes=SIZES)
    assert publishable([a, b], 5) == [True, False]


def test_the_plans_own_figure_first_hides_the_initiative_that_leaves_out_a_small_team():
    plan = teams("big-a", "big-b", "small", sizes=SIZES)
    a = teams("big-a", "big-b", sizes=SIZES)
    b = teams("big-a", "big-b", "small", sizes=SIZES)
    assert publishable([plan, a, b], 5) == [True, False, True]


def test_figures_apart_by_a_whole_large_team_are_all_published():
    a = teams("big-a", "big-b", sizes=SIZES)
    b = teams("big-a", "big-b", "other", sizes=SIZES)
    c = teams("other", sizes=SIZES)
    assert publishable([a, b, c], 5) == [True, True, True]


def test_a_figure_under_the_minimum_is_hidden_and_does_not_hide_others():
    small = teams("small", sizes=SIZES)
    a = teams("big-a", sizes=SIZES)
    b = teams("big-a", "small", sizes=SIZES)
    assert publishable([small, a, b], 5) == [False, True, False]


def test_overlapping_figures_a_few_people_apart_either_way_are_not_both_published():
    a = teams("big-a", "small", sizes=SIZES)
    b = teams("big-a", "other", sizes=SIZES)
    assert publishable([b, a], 5) == [True, False]


def test_small_groups_merge_into_other():
    assert merge_small_groups({"a": 8, "b": 6, "c": 3, "d": 2}, 5) == {"a": "a", "b": "b", "c": OTHER, "d": OTHER}


def test_other_takes_the_smallest_large_group_while_it_is_itself_too_small():
    labels = merge_small_groups({"a": 8, "b": 6, "c": 2}, 5)
    assert labels == {"a": "a", "b": OTHER, "c": OTHER}


def test_groups_all_at_the_minimum_keep_their_labels():
    assert merge_small_groups({"a": 5, "b": 5}, 5) == {"a": "a", "b": "b"}


# --- properties ------------------------------------------------------------------------------------------------

CAPABILITIES = ("neg", "coach", "excel")


@st.composite
def scenario(draw):
    """Teams of people who each rated some capabilities, and figures over some teams × some capabilities."""
    min_group = draw(st.integers(2, 6))
    team_count = draw(st.integers(1, 6))
    rated: dict[tuple[int, int], frozenset[str]] = {}  # (team, person) → capabilities rated
    for team in range(team_count):
        for person in range(draw(st.integers(0, 9))):
            rated[(team, person)] = frozenset(draw(st.sets(st.sampled_from(CAPABILITIES), min_size=1)))
    audiences = draw(
        st.lists(
            st.tuples(
                st.frozensets(st.integers(0, team_count - 1), min_size=1),
                st.frozensets(st.sampled_from(CAPABILITIES), min_size=1),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return min_group, rated, audiences


def answers_of(rated, audience) -> set[tuple[tuple[int, int], str]]:
    teams_in, caps = audience
    return {(who, cap) for who, done in rated.items() if who[0] in teams_in for cap in done & caps}


def figure_of(rated, audience) -> dict:
    counts: dict = {}
    for (team, _), cap in answers_of(rated, audience):
        counts[(team, cap)] = counts.get((team, cap), 0) + 1
    return counts


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_no_two_published_figures_differ_by_one_to_min_group_minus_one_people(case):
    min_group, rated, audiences = case
    figures = [figure_of(rated, a) for a in audiences]
    shown = [a for a, ok in zip(audiences, publishable(figures, min_group), strict=True) if ok]
    for a in shown:
        assert len({who for who, _ in answers_of(rated, a)}) >= min_group
        for b in shown:
            only_in_a = answers_of(rated, a) - answers_of(rated, b)
            assert len({who for who, _ in only_in_a}) not in range(1, min_group)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdefg"), st.integers(1, 12), min_size=1), st.integers(2, 6))
def test_every_merged_label_holds_the_minimum_unless_the_whole_table_is_smaller(counts, min_group):
    labels = merge_small_groups(counts, min_group)
    rows: dict[str, int] = {}
    for group, label in labels.items():
        rows[label] = rows.get(label, 0) + counts[group]
    if sum(counts.values()) >= min_group:
        assert min(rows.values()) >= min_group


@st.composite
def heatmap(draw):
    teams = [f"t{i}" for i in range(draw(st.integers(1, 5)))]
    pairs = [(t, c) for t in teams for c in CAPABILITIES]
    observed = draw(st.dictionaries(st.sampled_from(pairs), st.integers(1, 9)))
    targets = draw(st.dictionaries(st.sampled_from(pairs), st.integers(1, 5)))
    return teams, observed, targets, draw(st.integers(2, 6))


@settings(max_examples=150, deadline=None)
@given(heatmap())
def test_no_two_published_figures_of_the_heatmap_differ_by_one_to_min_group_minus_one_answers(case):
    teams, observed, targets, min_group = case
    grid = gaps.build_grid(
        teams=teams,
        capabilities=list(CAPABILITIES),
        observed={pair: gaps.Observed(3.0, n) for pair, n in observed.items()},
        targets=targets,
        importance=dict.fromkeys(CAPABILITIES, 1.0),
        headcount=dict.fromkeys(teams, 10),
        min_group=min_group,
    )
    answered = {(t, c): n for (t, c), n in observed.items()}
    figures = [{(c.team, c.capability): c.n} for c in grid.cells if not c.suppressed]
    figures += [
        {(t.team, c): n for (team, c), n in answered.items() if team == t.team and (team, c) in targets}
        for t in grid.team_totals
        if not t.suppressed
    ]
    figures += [
        {(team, c.capability): n for (team, cap), n in answered.items() if cap == c.capability}
        for c in grid.capability_totals
        if not c.suppressed
    ]
    for a, b in itertools.combinations(figures, 2):
        assert apart(a, b) not in range(1, min_group) and apart(b, a) not in range(1, min_group)
