"""Baseline → follow-up change: pure statistics on summary figures, so that the database does the counting.

- When responses pair up (the same person answered both waves), the change is the mean of the per-person
  differences, tested with a paired t-test; Cohen's d for paired data is mean difference / SD of the differences.
- Otherwise the change is the difference of the two means, tested with Welch's t-test (unequal variances);
  Cohen's d uses the pooled SD of the two groups.
- The 95% confidence interval of the change comes from the same t distribution as the test.
- Gap closed is the share of the baseline gap (target − baseline mean) that the change closed, in percent.

Every function takes counts, means and SDs (what SQL `count`, `avg` and a sum of squares give), never the answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import special

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    """n, mean and sample SD (ddof 1; None below two values) of a group of values."""

    n: int
    mean: float
    sd: float | None


@dataclass(frozen=True)
class Change:
    test: str  # "paired t" | "Welch t"
    delta: float
    t: float | None
    df: float | None
    p_value: float | None
    effect_size: float | None  # Cohen's d
    ci_low: float | None
    ci_high: float | None

    @property
    def paired(self) -> bool:
        return self.test == "paired t"


def summarise(values: Sequence[float]) -> Summary:
    n = len(values)
    if n == 0:
        raise ValueError("no values to summarise")
    mean = math.fsum(values) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return Summary(n=n, mean=mean, sd=sd)


def summary_from_sums(n: int, total: float, total_sq: float) -> Summary:
    """From count, Σx and Σx² (what a GROUP BY returns); the variance is clipped at 0 against rounding."""
    if n == 0:
        raise ValueError("no values to summarise")
    mean = total / n
    if n < 2:
        return Summary(n=n, mean=mean, sd=None)
    variance = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    return Summary(n=n, mean=mean, sd=math.sqrt(variance))


def _two_sided(t: float, df: float) -> float:
    """P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (scipy.special's function behind scipy.stats.t,
    called directly: the distribution object's checks cost a thousand times more, on every row of a report)."""
    return float(2 * special.stdtr(df, -abs(t)))


def _interval(centre: float, se: float, df: float) -> tuple[float, float]:
    half = float(special.stdtrit(df, 0.5 + CONFIDENCE / 2)) * se
    return centre - half, centre + half


def mean_interval(summary: Summary) -> tuple[float, float]:
    """The 95% confidence interval of a mean (t, n − 1 degrees of freedom); needs at least two values."""
    if summary.sd is None:
        raise ValueError("a confidence interval needs at least two values")
    return _interval(summary.mean, summary.sd / math.sqrt(summary.n), summary.n - 1)


def paired_change(differences: Summary) -> Change:
    """Paired t-test on the per-person differences (follow-up − baseline)."""
    d = differences
    if d.n < 2 or d.sd is None:
        return Change("paired t", d.mean, None, None, None, None, None, None)
    df = d.n - 1
    if d.sd == 0:
        return Change("paired t", d.mean, None, df, None, None, d.mean, d.mean)
    se = d.sd / math.sqrt(d.n)
    t = d.mean / se
    low, high = _interval(d.mean, se, df)
    return Change("paired t", d.mean, t, df, _two_sided(t, df), d.mean / d.sd, low, high)


def welch_change(pre: Summary, post: Summary) -> Change:
    """Welch's t-test of the follow-up mean against the baseline mean; Cohen's d with the pooled SD."""
    delta = post.mean - pre.mean
    if pre.sd is None or post.sd is None:
        return Change("Welch t", delta, None, None, None, None, None, None)
    v_pre, v_post = pre.sd**2 / pre.n, post.sd**2 / post.n
    se = math.sqrt(v_pre + v_post)
    pooled = math.sqrt(((pre.n - 1) * pre.sd**2 + (post.n - 1) * post.sd**2) / (pre.n + post.n - 2))
    effect = delta / pooled if pooled > 0 else None
    if se == 0:
        return Change("Welch t", delta, None, None, None, effect, delta, delta)
    df = (v_pre + v_post) ** 2 / (v_pre**2 / (pre.n - 1) + v_post**2 / (post.n - 1))
    t = delta / se
    low, high = _interval(delta, se, df)
    return Change("Welch t", delta, t, df, _two_sided(t, df), effect, low, high)


def gap_closed_pct(pre_mean: float, post_mean: float, target: float | None) -> float | None:
    """Percent of the baseline gap closed; None when there was no gap to close (or no target)."""
    if target is None or target <= pre_mean:
        return None
    return 100.0 * (post_mean - pre_mean) / (target - pre_mean)
