import pytest

from ldcore.analytics.alignment import (
    CapabilityRef,
    InitiativeRef,
    KpiRef,
    ObjectiveRef,
    align,
    capability_importance,
    priority_capabilities,
)

OBJECTIVES = [
    ObjectiveRef("revenue", "Grow revenue", 5),
    ObjectiveRef("retention", "Keep people", 3),
    ObjectiveRef("compliance", "Stay compliant", 1),
]
CAPABILITIES = [
    CapabilityRef("negotiation", "Negotiation", {"revenue": 4}),  # 20
    CapabilityRef("coaching", "Coaching", {"revenue": 1, "retention": 5}),  # 5 + 15 = 20
    CapabilityRef("gdpr", "GDPR", {"compliance": 2}),  # 2
    CapabilityRef("excel", "Excel", {}),  # 0
]
KPIS = [
    KpiRef("win_rate", "Win rate", "revenue"),
    KpiRef("attrition", "Attrition", "retention"),
]


def test_importance_is_the_sum_of_priority_times_weight():
    assert capability_importance(OBJECTIVES, CAPABILITIES) == {
        "negotiation": 20.0,
        "coaching": 20.0,
        "gdpr": 2.0,
        "excel": 0.0,
    }


def test_priority_capabilities_are_the_top_third_with_ties_and_never_the_unweighted():
    assert priority_capabilities({"a": 20, "b": 20, "c": 2, "d": 0}) == ["a", "b"]
    assert priority_capabilities({"a": 9, "b": 5, "c": 4, "d": 1}) == ["a", "b"]
    assert priority_capabilities({"a": 0}) == []
    assert priority_capabilities({"z": 3}) == ["z"]


def test_an_initiative_is_aligned_only_with_an_objective_and_a_kpi_and_the_missing_link_is_named():
    initiatives = [
        InitiativeRef("academy", "Sales Academy", ["revenue"], ["negotiation"], ["win_rate"], 60_000),
        InitiativeRef("mentoring", "Mentoring", ["retention"], ["coaching"], [], 30_000),
        InitiativeRef("lunch", "Lunch and learn", [], ["excel"], [], 10_000),
    ]
    result = align(OBJECTIVES, CAPABILITIES, KPIS, initiatives)
    assert (result.initiatives, result.aligned) == (3, 1)
    assert result.aligned_pct == pytest.approx(100 / 3)
    assert [(u.key, u.missing) for u in result.unaligned] == [
        ("mentoring", ("a KPI",)),
        ("lunch", ("an objective", "a KPI")),
    ]


def test_budget_share_splits_each_initiative_over_its_capabilities():
    initiatives = [
        InitiativeRef("academy", "Sales Academy", ["revenue"], ["negotiation", "gdpr"], ["win_rate"], 60_000),
        InitiativeRef("lunch", "Lunch and learn", [], ["excel"], [], 10_000),
        InitiativeRef("offsite", "Offsite", ["revenue"], [], ["win_rate"], 30_000),
    ]
    result = align(OBJECTIVES, CAPABILITIES, KPIS, initiatives)
    assert result.priority_capabilities == ["coaching", "negotiation"]
    assert result.budget == 100_000
    assert result.priority_budget == 30_000  # half of the academy; nothing of lunch or the offsite
    assert result.priority_budget_pct == pytest.approx(30.0)


def test_open_gaps_are_objectives_without_initiative_and_capabilities_nobody_builds():
    initiatives = [InitiativeRef("academy", "Sales Academy", ["revenue"], ["negotiation"], ["win_rate"], 1)]
    result = align(OBJECTIVES, CAPABILITIES, KPIS, initiatives)
    assert result.objectives_without_initiative == ["retention", "compliance"]
    assert result.capabilities_without_initiative == ["coaching", "gdpr", "excel"]


def test_the_sankey_flows_priority_times_weight_from_objectives_through_to_kpis():
    initiatives = [
        InitiativeRef("academy", "Sales Academy", ["revenue"], ["negotiation", "coaching"], ["win_rate"], 1),
        InitiativeRef("mentoring", "Mentoring", ["retention"], ["coaching"], ["win_rate", "attrition"], 1),
    ]
    s = align(OBJECTIVES, CAPABILITIES, KPIS, initiatives).sankey
    assert s.labels == [
        "Grow revenue",
        "Keep people",
        "Stay compliant",
        "Negotiation",
        "Coaching",
        "GDPR",
        "Excel",
        "Sales Academy",
        "Mentoring",
        "Win rate",
        "Attrition",
    ]
    links = {(s.labels[a], s.labels[b]): v for a, b, v in zip(s.sources, s.targets, s.values, strict=True)}
    assert links == {
        ("Grow revenue", "Negotiation"): 20.0,
        ("Grow revenue", "Coaching"): 5.0,
        ("Keep people", "Coaching"): 15.0,
        ("Stay compliant", "GDPR"): 2.0,
        ("Negotiation", "Sales Academy"): 20.0,
        ("Coaching", "Sales Academy"): 10.0,  # coaching's 20 split over two initiatives
        ("Coaching", "Mentoring"): 10.0,
        ("Sales Academy", "Win rate"): 30.0,
        ("Mentoring", "Win rate"): 5.0,
        ("Mentoring", "Attrition"): 5.0,
    }


def test_an_empty_plan_has_no_score_rather_than_zero():
    result = align([], [], [], [])
    assert result.aligned_pct is None and result.priority_budget_pct is None
    assert result.sankey.values == []
