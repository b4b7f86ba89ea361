import csv
from pathlib import Path

import pytest
from scipy import stats

from ldcore.analytics.prepost import (
    Summary,
    gap_closed_pct,
    paired_change,
    summarise,
    summary_from_sums,
    welch_change,
)

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "external" / "reference" / "prepost_only.csv"


@pytest.fixture(scope="module")
def scores() -> tuple[list[float], list[float]]:
    with REFERENCE.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [float(r["PreTest"]) for r in rows], [float(r["PostTest"]) for r in rows]


def test_the_published_pre_post_figures_are_reproduced_with_a_paired_t_test(scores):
    pre, post = scores
    differences = summarise([b - a for a, b in zip(pre, post, strict=True)])
    change = paired_change(differences)

    assert round(summarise(pre).mean, 2) == 52.72
    assert round(summarise(post).mean, 2) == 72.36
    assert round(change.delta, 2) == 19.64
    assert round(differences.sd, 2) == 11.60
    assert change.paired and change.df == 24
    assert round(change.t, 2) == 8.47
    assert round(change.effect_size, 2) == 1.69
    assert change.p_value < 1e-7


def test_the_paired_figures_agree_with_scipy_on_the_raw_scores(scores):
    pre, post = scores
    change = paired_change(summarise([b - a for a, b in zip(pre, post, strict=True)]))
    reference = stats.ttest_rel(post, pre)
    interval = reference.confidence_interval(0.95)

    assert change.t == pytest.approx(reference.statistic)
    assert change.p_value == pytest.approx(reference.pvalue)
    assert (change.ci_low, change.ci_high) == pytest.approx((interval.low, interval.high))


def test_welch_agrees_with_scipy_and_uses_the_pooled_sd_for_cohens_d(scores):
    pre, post = scores
    post = post[:18]  # unequal groups: nobody pairs up
    change = welch_change(summarise(pre), summarise(post))
    reference = stats.ttest_ind(post, pre, equal_var=False)
    interval = reference.confidence_interval(0.95)
    a, b = summarise(pre), summarise(post)
    pooled = (((a.n - 1) * a.sd**2 + (b.n - 1) * b.sd**2) / (a.n + b.n - 2)) ** 0.5

    assert not change.paired
    assert change.t == pytest.approx(reference.statistic)
    assert change.df == pytest.approx(reference.df)
    assert change.p_value == pytest.approx(reference.pvalue)
    assert (change.ci_low, change.ci_high) == pytest.approx((interval.low, interval.high))
    assert change.effect_size == pytest.approx((b.mean - a.mean) / pooled)


def test_a_summary_from_sql_sums_equals_one_from_the_values(scores):
    pre, _ = scores
    direct = summarise(pre)
    from_sums = summary_from_sums(len(pre), sum(pre), sum(v * v for v in pre))

    assert from_sums.n == direct.n
    assert from_sums.mean == pytest.approx(direct.mean)
    assert from_sums.sd == pytest.approx(direct.sd)


def test_one_value_has_no_sd_and_no_test():
    change = paired_change(Summary(n=1, mean=0.5, sd=None))

    assert summary_from_sums(1, 3.0, 9.0).sd is None
    assert change.delta == 0.5 and change.p_value is None and change.ci_low is None


def test_identical_differences_give_a_certain_change_without_a_t_statistic():
    change = paired_change(Summary(n=6, mean=1.0, sd=0.0))

    assert change.t is None and (change.ci_low, change.ci_high) == (1.0, 1.0)


def test_gap_closed_is_the_share_of_the_baseline_gap():
    assert gap_closed_pct(2.0, 3.0, 4) == pytest.approx(50.0)
    assert gap_closed_pct(2.0, 1.5, 4) == pytest.approx(-25.0)
    assert gap_closed_pct(4.2, 4.5, 4) is None
    assert gap_closed_pct(2.0, 3.0, None) is None
