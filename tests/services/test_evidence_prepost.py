"""Baseline → follow-up change on both databases: paired when people answered both waves, Welch otherwise, the same
figures as scipy on the raw answers, and no group below the minimum."""

from __future__ import annotations

import pytest
from scipy import stats

from ldcore.db import read_session
from ldcore.reporting import contract
from ldcore.services import evidence
from tests.support.heatmap import Filed, build
from tests.support.prepost import ALPHA_POST, ALPHA_PRE, BETA_POST, BETA_PRE, WAVES, people

KEYS = [
    "question",
    "capability",
    "team",
    "baseline_wave",
    "followup_wave",
    "pre_mean",
    "post_mean",
    "delta",
    "n_pre",
    "n_post",
    "paired",
    "n_pairs",
    "p_value",
    "effect_size",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "paired_pre_mean",
    "paired_post_mean",
]


def section(engine) -> dict[tuple[str, str | None], dict]:
    with read_session(engine) as session:
        return {(r["capability"], r["team"]): r for r in contract.prepost_section(session, plan_key="p1")}


def test_people_who_answered_both_waves_get_a_paired_t_test_equal_to_scipy(engine):
    build(engine, people("alpha", ALPHA_PRE, ALPHA_POST, 1) + people("beta", BETA_PRE, BETA_POST, 100), waves=WAVES)
    rows = section(engine)

    alpha = rows[("neg", "alpha")]
    reference = stats.ttest_rel(ALPHA_POST, ALPHA_PRE)
    interval = reference.confidence_interval(0.95)
    differences = [b - a for a, b in zip(ALPHA_PRE, ALPHA_POST, strict=True)]
    assert list(alpha) == KEYS
    assert (alpha["baseline_wave"], alpha["followup_wave"]) == ("base", "follow")
    assert alpha["paired"] is True and alpha["n_pairs"] == 8 and (alpha["n_pre"], alpha["n_post"]) == (8, 8)
    assert alpha["pre_mean"] == pytest.approx(sum(ALPHA_PRE) / 8, abs=5e-4)
    assert alpha["post_mean"] == pytest.approx(sum(ALPHA_POST) / 8, abs=5e-4)
    assert alpha["delta"] == pytest.approx(sum(differences) / 8, abs=5e-4)
    assert alpha["p_value"] == pytest.approx(reference.pvalue, rel=1e-2)
    assert alpha["effect_size"] == pytest.approx(stats.tmean(differences) / stats.tstd(differences), abs=5e-4)
    assert (alpha["ci_low"], alpha["ci_high"]) == pytest.approx((interval.low, interval.high), abs=5e-4)
    assert (alpha["t"], alpha["df"]) == (pytest.approx(reference.statistic, abs=5e-4), reference.df)

    everyone = rows[("neg", None)]
    both = stats.ttest_rel(ALPHA_POST + BETA_POST, ALPHA_PRE + BETA_PRE)
    assert everyone["n_pre"] == 14 and everyone["n_pairs"] == 14 and everyone["paired"] is True
    assert everyone["p_value"] == pytest.approx(both.pvalue, rel=1e-2)
    assert list(rows).index(("neg", None)) < list(rows).index(("neg", "alpha"))


def test_without_pairs_the_change_uses_welch_and_the_pooled_sd(engine):
    pre = [Filed("base", "alpha", {"neg": v}) for v in ALPHA_PRE]
    post = [Filed("follow", "alpha", {"neg": v}) for v in ALPHA_POST[:6]]
    build(engine, pre + post, waves=WAVES)
    alpha = section(engine)[("neg", "alpha")]

    reference = stats.ttest_ind(ALPHA_POST[:6], ALPHA_PRE, equal_var=False)
    interval = reference.confidence_interval(0.95)
    pooled = ((7 * stats.tvar(ALPHA_PRE) + 5 * stats.tvar(ALPHA_POST[:6])) / 12) ** 0.5
    delta = sum(ALPHA_POST[:6]) / 6 - sum(ALPHA_PRE) / 8
    assert alpha["paired"] is False and alpha["n_pairs"] == 0
    assert alpha["delta"] == pytest.approx(delta, abs=5e-4)
    assert alpha["t"] == pytest.approx(reference.statistic, abs=5e-4)
    assert alpha["df"] == pytest.approx(reference.df, abs=5e-3)
    assert alpha["paired_pre_mean"] is None and alpha["paired_post_mean"] is None
    assert alpha["p_value"] == pytest.approx(reference.pvalue, rel=1e-2)
    assert alpha["effect_size"] == pytest.approx(delta / pooled, abs=5e-4)
    assert (alpha["ci_low"], alpha["ci_high"]) == pytest.approx((interval.low, interval.high), abs=5e-4)


def test_anonymous_answers_pair_up_through_the_self_generated_code(engine):
    build(engine, people("alpha", ALPHA_PRE, ALPHA_POST, 1, code=True), waves=WAVES)
    alpha = section(engine)[("neg", "alpha")]

    assert alpha["paired"] is True and alpha["n_pairs"] == 8
    assert alpha["p_value"] == pytest.approx(stats.ttest_rel(ALPHA_POST, ALPHA_PRE).pvalue, rel=1e-2)


def test_a_code_given_twice_in_a_wave_pairs_nobody_while_the_others_still_pair(engine):
    filed = people("alpha", ALPHA_PRE, ALPHA_POST, 1, code=True)
    filed += [Filed("base", "alpha", {"neg": 5}, code="code-1")]  # someone else chose code-1 too
    build(engine, filed, waves=WAVES)
    alpha = section(engine)[("neg", "alpha")]

    assert alpha["n_pairs"] == 7
    assert alpha["n_pre"] == 9 and alpha["n_post"] == 8


def test_groups_below_the_minimum_are_left_out_and_do_not_count_in_the_all_teams_row(engine):
    tiny = people("tiny", [1, 1, 1], [5, 5, 5], 200)
    build(engine, people("alpha", ALPHA_PRE, ALPHA_POST, 1) + tiny, waves=WAVES)
    rows = section(engine)

    assert ("neg", "tiny") not in rows
    assert rows[("neg", None)]["n_pre"] == 8
    assert rows[("neg", None)]["pre_mean"] == rows[("neg", "alpha")]["pre_mean"]


def test_gap_closed_and_the_share_applying_each_capability_come_with_the_change(engine):
    responses = people("alpha", ALPHA_PRE, ALPHA_POST, 1)
    for n, r in enumerate(r for r in responses if r.wave == "follow"):
        r.applied = {"neg": [1, 2, 3, 1, 5, 2, 4, 1][n], "coach": 3}
    responses[1].applied = {}  # the first person's follow-up skipped the question ("never" is not counted then)
    build(engine, responses, waves=WAVES)
    with read_session(engine) as session:
        result = evidence.prepost(session, plan_key="p1")
    alpha = next(r for r in result.rows if r.capability == "neg" and r.team == "alpha")
    applied = {a.capability: a for a in result.application}

    pre_mean = sum(ALPHA_PRE) / 8
    assert alpha.test == "paired t"
    assert alpha.gap_closed == pytest.approx(100 * alpha.delta / (4 - pre_mean))
    assert (applied["neg"].n, applied["neg"].applying) == (7, 5)
    assert applied["neg"].share == pytest.approx(5 / 7)
    assert applied["coach"].share == 1.0
    assert applied["excel"].suppressed and applied["excel"].share is None


def test_a_plan_without_a_follow_up_wave_has_no_change_rows(engine):
    build(engine, [Filed("base", "alpha", {"neg": 2.0}) for _ in range(6)])
    with read_session(engine) as session:
        assert contract.prepost_section(session, plan_key="p1") == []
        assert evidence.prepost(session, plan_key="p1") is None


def test_a_paired_row_gives_the_paired_means_so_its_delta_is_their_difference(engine):
    unpaired = [Filed("base", "alpha", {"neg": 1}) for _ in range(2)] + [Filed("follow", "alpha", {"neg": 5})]
    build(engine, people("alpha", ALPHA_PRE, ALPHA_POST, 1) + unpaired, waves=WAVES)
    alpha = section(engine)[("neg", "alpha")]

    assert alpha["paired"] is True and (alpha["n_pre"], alpha["n_post"], alpha["n_pairs"]) == (10, 9, 8)
    assert alpha["pre_mean"] == pytest.approx((sum(ALPHA_PRE) + 2) / 10, abs=5e-4)  # every answer
    assert alpha["paired_pre_mean"] == pytest.approx(sum(ALPHA_PRE) / 8, abs=5e-4)
    assert alpha["paired_post_mean"] == pytest.approx(sum(ALPHA_POST) / 8, abs=5e-4)
    assert alpha["delta"] == pytest.approx(alpha["paired_post_mean"] - alpha["paired_pre_mean"], abs=1e-3)


def test_a_per_capability_likert_question_asked_in_both_waves_gets_the_same_analysis(engine):
    applied_pre, applied_post = [1, 1, 2, 1, 2, 2, 1, 3], [2, 3, 2, 2, 4, 3, 2, 3]
    responses = people("alpha", ALPHA_PRE, ALPHA_POST, 1)
    for n, r in enumerate(responses):
        r.applied = {"neg": (applied_pre if r.wave == "base" else applied_post)[n // 2]}
    build(engine, responses, waves=WAVES)
    with read_session(engine) as session:
        rows = contract.prepost_section(session, plan_key="p1")
    applied = {(r["capability"], r["team"]): r for r in rows if r["question"] == "applied"}

    reference = stats.ttest_rel(applied_post, applied_pre)
    alpha = applied[("neg", "alpha")]
    assert list(applied) == [("neg", None), ("neg", "alpha")]
    assert alpha["paired"] is True and alpha["n_pairs"] == 8
    assert alpha["delta"] == pytest.approx((sum(applied_post) - sum(applied_pre)) / 8, abs=5e-4)
    assert (alpha["t"], alpha["df"]) == (pytest.approx(reference.statistic, abs=5e-4), reference.df)
    assert alpha["p_value"] == pytest.approx(reference.pvalue, rel=1e-2)
    assert [r["question"] for r in rows].count("proficiency") == 2
