"""Phillips ROI: the published example, each isolation method on figures worked out by hand, and no assumed
benefit where data is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from ldcore.analytics import roi

D0 = dt.date(2027, 1, 1)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def obs(team: str, *points: tuple[int, float]) -> list[roi.Observation]:
    return [roi.Observation(team, day(n), v) for n, v in points]


def initiative(isolation: str, kpis: list[roi.KpiData], **kwargs) -> roi.InitiativeData:
    defaults = dict(
        key="prog",
        name="Program",
        isolation=isolation,
        starts=day(61),
        ends=day(90),
        cost_lines=[("development", 3000.0), ("delivery", 1000.0)],
        kpis=kpis,
    )
    return roi.InitiativeData(**{**defaults, **kwargs})


def test_the_published_phillips_example_gives_bcr_1_75_and_roi_75_percent():
    figures = roi.phillips(350_000, 200_000)

    assert figures.bcr == pytest.approx(1.75)
    assert figures.roi_pct == pytest.approx(75.0)
    assert figures.payback_months == pytest.approx(200_000 / (350_000 / 12))  # 6.86 months


def test_a_bcr_of_two_is_an_roi_of_one_hundred_percent():
    assert roi.phillips(200.0, 100.0).roi_pct == pytest.approx(100.0)


def test_control_group_is_the_difference_in_differences_of_the_means():
    kpi = roi.KpiData(
        key="win",
        name="Win rate",
        direction="up",
        unit="%",
        unit_value=1000.0,
        audience=obs("a", (0, 10), (30, 12), (120, 15), (150, 17)) + obs("b", (70, 99)),  # day 70 is in between
        control=obs("c", (0, 10), (30, 10), (120, 11), (150, 11)),
    )
    result = roi.initiative_roi(initiative("control_group", [kpi]))

    effect = result.effects[0]
    assert effect.means == {
        "audience_before": 11.0,
        "audience_after": 16.0,
        "control_before": 10.0,
        "control_after": 11.0,
    }
    assert effect.effect == pytest.approx((16 - 11) - (11 - 10))
    assert effect.benefit == pytest.approx(4000.0)
    assert len(effect.observations) == 8 and all(o.value != 99 for o in effect.observations)
    assert result.costs == 4000.0
    assert result.benefits == pytest.approx(4000.0)
    assert result.bcr == pytest.approx(1.0) and result.roi_pct == pytest.approx(0.0)
    assert result.payback_months == pytest.approx(12.0)
    assert any("Difference in differences" in s for s in effect.steps)


def test_a_fall_is_an_improvement_for_a_kpi_that_should_go_down():
    kpi = roi.KpiData(
        key="aht",
        name="Handle time",
        direction="down",
        unit="min",
        unit_value=1000.0,
        audience=obs("a", (0, 10), (120, 7)),
        control=obs("c", (0, 10), (120, 9)),
    )
    effect = roi.initiative_roi(initiative("control_group", [kpi])).effects[0]

    assert effect.effect == pytest.approx(2.0)  # fell 3 against the control's 1
    assert effect.benefit == pytest.approx(2000.0)


def test_trend_compares_the_mean_after_with_the_line_before_projected_to_the_same_dates():
    # Before the start the audience rises 0.1 a day: 10, 13, 16 on days 0, 30, 60. Projected to days 120 and 150:
    # 22 and 25 (mean 23.5). Observed after: 30 and 31 (mean 30.5). Effect 7.
    kpi = roi.KpiData(
        key="csat",
        name="CSAT",
        direction="up",
        unit="%",
        unit_value=100.0,
        audience=obs("a", (0, 10), (30, 13), (60, 16), (120, 30)) + obs("b", (150, 31)),
    )
    effect = roi.initiative_roi(initiative("trend", [kpi])).effects[0]

    assert effect.means["trend_projection"] == pytest.approx(23.5)
    assert effect.means["audience_after"] == pytest.approx(30.5)
    assert effect.effect == pytest.approx(7.0)
    assert effect.benefit == pytest.approx(700.0)
    assert any("per month" in s for s in effect.steps)


def test_trend_needs_two_dates_before_the_start():
    kpi = roi.KpiData(key="k", name="K", direction="up", unit_value=1.0, audience=obs("a", (0, 1), (120, 5)))
    result = roi.initiative_roi(initiative("trend", [kpi]))

    assert result.effects[0].effect is None
    assert result.benefits is None and result.bcr is None and result.roi_pct is None
    assert result.payback_months is None


def test_participant_estimate_scales_the_change_by_attribution_times_confidence():
    kpi = roi.KpiData(
        key="attr",
        name="Attrition",
        direction="down",
        unit="%",
        unit_value=1000.0,
        audience=obs("a", (0, 20), (30, 22), (120, 18), (150, 18)),
    )
    attribution = roi.Attribution(
        respondents=6, mean_product=0.3, mean_pct=50.0, mean_confidence=60.0, min_group=5, waves=["fu"]
    )
    effect = roi.initiative_roi(initiative("participant_estimate", [kpi], attribution=attribution)).effects[0]

    assert effect.effect == pytest.approx(0.9)  # change −3 × 0.3, improving a down KPI
    assert effect.benefit == pytest.approx(900.0)
    assert effect.means["attributed_share"] == 0.3


def test_participant_estimate_from_fewer_respondents_than_the_minimum_group_gives_no_benefit():
    kpi = roi.KpiData(key="k", name="K", direction="up", unit_value=1.0, audience=obs("a", (0, 1), (120, 5)))
    attribution = roi.Attribution(respondents=4, mean_product=0.5, mean_pct=50, mean_confidence=100, min_group=5)
    result = roi.initiative_roi(initiative("participant_estimate", [kpi], attribution=attribution))

    assert result.effects[0].effect is None and result.benefits is None
    assert "fewer than 5" in (result.effects[0].missing or "")


def test_participant_estimate_without_follow_up_answers_gives_no_benefit():
    kpi = roi.KpiData(key="k", name="K", direction="up", unit_value=1.0, audience=obs("a", (0, 1), (120, 5)))
    result = roi.initiative_roi(initiative("participant_estimate", [kpi]))

    assert result.benefits is None
    assert "no follow-up answers" in (result.effects[0].missing or "")


def test_no_observations_after_the_end_means_no_benefit_never_an_assumed_one():
    kpi = roi.KpiData(
        key="k",
        name="K",
        direction="up",
        unit_value=500.0,
        audience=obs("a", (0, 1), (30, 2)),
        control=obs("c", (0, 1), (130, 1)),
    )
    result = roi.initiative_roi(initiative("control_group", [kpi]))

    assert result.effects[0].benefit is None
    assert result.effects[0].missing == "no observations of the audience after the end"
    assert (result.benefits, result.bcr, result.roi_pct, result.payback_months) == (None, None, None, None)
    assert result.costs == 4000.0


def test_benefits_add_up_only_the_kpis_that_can_be_valued_and_the_audit_says_which_were_left_out():
    valued = roi.KpiData(
        key="a",
        name="Valued",
        direction="up",
        unit_value=1000.0,
        audience=obs("x", (0, 1), (120, 3)),
        control=obs("y", (0, 1), (120, 1)),
    )
    no_money = roi.KpiData(
        key="b",
        name="Deal size",
        direction="up",
        unit_value=None,
        audience=obs("x", (0, 1), (120, 3)),
        control=obs("y", (0, 1), (120, 1)),
    )
    result = roi.initiative_roi(initiative("control_group", [valued, no_money]))

    assert result.benefits == pytest.approx(2000.0)
    assert result.effects[1].effect == pytest.approx(2.0) and result.effects[1].benefit is None
    assert "Deal size: left out (the KPI has no money value per unit)." in result.steps


def test_an_initiative_without_an_isolation_method_or_dates_claims_nothing():
    kpi = roi.KpiData(key="k", name="K", direction="up", unit_value=1.0, audience=obs("a", (0, 1), (120, 5)))

    assert roi.initiative_roi(initiative(None, [kpi])).benefits is None  # type: ignore[arg-type]
    assert roi.initiative_roi(initiative("trend", [kpi], starts=None)).benefits is None


def test_a_program_that_made_things_worse_has_a_negative_roi_and_no_payback():
    kpi = roi.KpiData(
        key="k",
        name="K",
        direction="up",
        unit_value=1000.0,
        audience=obs("a", (0, 5), (120, 4)),
        control=obs("c", (0, 5), (120, 5)),
    )
    result = roi.initiative_roi(initiative("control_group", [kpi]))

    assert result.benefits == pytest.approx(-1000.0)
    assert result.roi_pct == pytest.approx(-125.0)
    assert result.payback_months is None


def test_costs_are_the_sum_of_every_cost_line_and_zero_costs_give_no_ratio():
    assert roi.initiative_roi(initiative("trend", [])).costs == 4000.0
    assert roi.phillips(100.0, 0.0) == roi.Figures(None, None, None)
