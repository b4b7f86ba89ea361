"""The intake page as an editor uses it: every step refuses bad input next to the field and saves nothing."""

import datetime as dt

import pytest

from ldcore.db import read_session, unit_of_work
from ldcore.services import intake, plans
from tests.pages.helpers import make_account, page_test, texts

D = dt.date


def leaves(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from leaves(child)


def error_after(at, key: str) -> str | None:
    """The error drawn right after the widget `key` (None when the next element is not an error)."""
    nodes = list(leaves(at.main))
    n = next(i for i, node in enumerate(nodes) if getattr(node, "key", None) == key)
    following = nodes[n + 1] if n + 1 < len(nodes) else None
    return following.value if getattr(following, "type", None) == "error" else None


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


@pytest.fixture
def editor_page(monkeypatch, sqlite_engine):
    editor = make_account(sqlite_engine, role="editor")

    def open_page():
        at = page_test(
            monkeypatch, str(sqlite_engine.url), "pages/intake.py", account_id=editor, engine=sqlite_engine
        ).run()
        assert not at.exception
        return at

    return open_page


@pytest.fixture
def with_plan(sqlite_engine):
    with unit_of_work(sqlite_engine) as s:
        intake.save_plan(
            s, data={"key": "p", "name": "Plan", "starts": D(2027, 1, 1), "ends": D(2028, 3, 31)}, actor="t"
        )
        intake.save_objective(
            s,
            plan_key="p",
            data={"key": "rev", "title": "Grow revenue", "category": "revenue_growth", "priority": 5},
            actor="t",
        )
        intake.save_capability(
            s, plan_key="p", data={"key": "neg", "name": "Negotiation", "drives": {"rev": 4}}, actor="t"
        )
        intake.save_team(
            s, plan_key="p", data={"key": "sales", "name": "Sales", "headcount": 9, "targets": {"neg": 4}}, actor="t"
        )
        intake.save_team(s, plan_key="p", data={"key": "ops", "name": "Ops", "headcount": 5}, actor="t")
    return sqlite_engine


def exported(engine, key="p"):
    with read_session(engine) as s:
        return plans.export_plan(s, key=key)


def test_step_1_names_the_empty_name_and_the_end_before_the_start_and_creates_nothing(editor_page, sqlite_engine):
    at = editor_page()
    assert "There is no plan yet" not in texts(at)
    at = click(at, "Create plan")
    assert error_after(at, "plan_new_name") == "Required: fill this in."
    assert error_after(at, "plan_new_key") is None  # derived from the name, so only the name is asked for
    at.text_input(key="plan_new_name").input("FY27")
    at.date_input(key="plan_new_ends").set_value(D(2020, 1, 1))
    at = click(at, "Create plan")
    assert error_after(at, "plan_new_name") is None
    assert error_after(at, "plan_new_ends") == "ends must be after starts"
    with read_session(sqlite_engine) as s:
        assert plans.list_plans(s) == []


def test_step_1_creates_a_plan_and_warns_about_a_short_horizon(editor_page, sqlite_engine):
    at = editor_page()
    at.text_input(key="plan_new_name").input("Quick fix")
    at.date_input(key="plan_new_starts").set_value(D(2027, 1, 1))
    at.date_input(key="plan_new_ends").set_value(D(2027, 3, 31))
    at = click(at, "Create plan")
    assert not at.exception
    assert any("shorter than 6 months" in s.value for s in at.success)
    assert any("shorter than 6 months" in w.value for w in at.warning)
    assert len(at.tabs) == 8
    assert exported(sqlite_engine, "quick-fix").plan.name == "Quick fix"


def test_step_2_refuses_an_empty_title_and_a_taken_key_and_flags_unmeasurable_objectives(editor_page, with_plan):
    at = editor_page()
    assert any("'Grow revenue' has no KPI yet: it is unmeasurable" in w.value for w in at.warning)
    at = click(at, "Save objective")
    assert error_after(at, "objective_new_title") == "Required: fill this in."
    at.text_input(key="objective_new_title").input("Another")
    at.text_input(key="objective_new_key").input("rev")
    at = click(at, "Save objective")
    assert "already has the key 'rev'" in error_after(at, "objective_new_key")
    assert len(exported(with_plan).objectives) == 1


def test_step_2_warns_above_five_objectives(editor_page, with_plan):
    with unit_of_work(with_plan) as s:
        for n in range(5):
            intake.save_objective(
                s, plan_key="p", data={"title": f"O{n}", "category": "other", "priority": 1}, actor="t"
            )
    at = editor_page()
    assert any("6 objectives: a plan works best with the top 3–5" in w.value for w in at.warning)


def test_step_3_refuses_a_target_on_the_wrong_side_and_a_missing_baseline(editor_page, with_plan):
    at = editor_page()
    p = "kpi_rev_new_"
    at.text_input(key=p + "name").input("Win rate")
    at.number_input(key=p + "target_value").set_value(30)
    at = click(at, "Save KPI")
    assert error_after(at, p + "baseline_value") == "Input should be a valid number"
    at.number_input(key=p + "baseline_value").set_value(40)
    at = click(at, "Save KPI")
    assert error_after(at, p + "target_value").startswith("target.value must be above baseline.value")
    at.number_input(key=p + "target_value").set_value(45)
    at = click(at, "Save KPI")
    assert "Saved KPI 'Win rate'." in [s.value for s in at.success]
    assert exported(with_plan).objectives[0].kpis[0].target.value == 45


def test_step_4_refuses_a_stakeholder_without_a_name(editor_page, with_plan):
    at = editor_page()
    at.text_input(key="stakeholder_new_role").input("CFO")
    at = click(at, "Save stakeholder")
    assert error_after(at, "stakeholder_new_name") == "Required: fill this in."
    assert exported(with_plan).stakeholders == []


def test_step_5_says_training_is_not_the_answer_and_asks_who_owns_the_fix(editor_page, with_plan):
    at = editor_page()
    at.selectbox(key="gap_new_root_cause").select("process").run()
    assert any(w.value.startswith("Training is not the answer: a process gap") for w in at.warning)
    at.text_area(key="gap_new_description").input("Quotes take two weeks to approve")
    at = click(at, "Save gap")
    assert error_after(at, "gap_new_fix_owner") == (
        "Training is not the answer for a process gap: record who owns the fix."
    )
    at.text_input(key="gap_new_fix_owner").input("Head of sales ops")
    at = click(at, "Save gap")
    assert not at.exception
    gap = exported(with_plan).gaps[0]
    assert (gap.root_cause, gap.fix_owner) == ("process", "Head of sales ops")
    assert any("Fix owned by: Head of sales ops" in w.value for w in at.warning)


def test_step_6_refuses_a_capability_without_a_name_and_saves_its_weights(editor_page, with_plan):
    at = editor_page()
    at = click(at, "Save capability")
    assert error_after(at, "capability_new_name") == "Required: fill this in."
    at.text_input(key="capability_new_name").input("Coaching")
    at.slider(key="capability_new_w_rev").set_value(3)
    at = click(at, "Save capability")
    assert exported(with_plan).capabilities[1].drives == {"rev": 3}


def test_step_7_refuses_a_bad_team_key_and_saves_targets_with_proficiency_labels(editor_page, with_plan):
    at = editor_page()
    at.text_input(key="team_new_name").input("Support")
    at.text_input(key="team_new_key").input("Support Team!")
    at = click(at, "Save team")
    assert error_after(at, "team_new_key").replace("\\", "").startswith("Use lower-case letters, digits, - and _ only")
    at.text_input(key="team_new_key").input("support")
    at.number_input(key="team_new_headcount").set_value(14)
    at.selectbox(key="team_new_t_neg").select(3)
    at = click(at, "Save team")
    assert not at.exception
    teams = {t.key: t for t in exported(with_plan).teams}
    assert (teams["support"].headcount, teams["support"].targets) == (14, {"neg": 3})
    assert at.selectbox(key="team_new2_t_neg").value is None  # a fresh, empty form for the next team
    assert "3 Intermediate" in at.selectbox(key="team_new2_t_neg").options


def test_step_8_refuses_an_initiative_without_a_name_and_with_a_team_on_both_sides(editor_page, with_plan):
    at = editor_page()
    p = "initiative_new_"
    at.multiselect(key=p + "audience").select("sales")
    at.multiselect(key=p + "control_teams").select("sales")
    at = click(at, "Save initiative")
    assert error_after(at, p + "name") == "Required: fill this in."
    at.text_input(key=p + "name").input("Sales Academy")
    at.date_input(key=p + "starts").set_value(D(2027, 5, 1))
    at.date_input(key=p + "ends").set_value(D(2027, 4, 1))
    at = click(at, "Save initiative")
    assert error_after(at, p + "ends") == "ends must not be before starts"
    at.date_input(key=p + "ends").set_value(D(2027, 6, 1))
    at = click(at, "Save initiative")
    assert error_after(at, p + "control_teams") == "a team cannot be both audience and control: sales"
    at.multiselect(key=p + "control_teams").unselect("sales").select("ops")
    at.multiselect(key=p + "objectives").select("rev")
    at.number_input(key=p + "cost_delivery").set_value(12_000)
    at.text_area(key=p + "needs").input("Managers join the kickoff")
    at = click(at, "Save initiative")
    assert not at.exception
    i = exported(with_plan).initiatives[0]
    assert (i.audience, i.control_teams, i.costs, i.commitment.needs) == (
        ["sales"],
        ["ops"],
        {"delivery": 12_000},
        "Managers join the kickoff",
    )


def test_deleting_an_objective_states_what_it_breaks_and_waits_for_confirmation(editor_page, with_plan):
    at = editor_page()
    at.selectbox(key="objective_pick").select("rev").run()
    at = click(at, "Delete this objective")
    assert "Deleting objective 'Grow revenue' drops its weight on 1 capability." in [w.value for w in at.warning]
    assert len(exported(with_plan).objectives) == 1
    at = click(at, "Yes, delete")
    assert not at.exception
    assert exported(with_plan).objectives == []
    assert any(s.value.startswith("Deleted objective 'Grow revenue'.") for s in at.success)


def test_the_plan_names_its_currency_in_words_and_the_initiatives_show_costs_and_methods_as_words(
    editor_page, with_plan, sqlite_engine
):
    at = editor_page()
    at.text_input(key="plan_p_currency").input("€")
    at = click(at, "Save plan")
    assert error_after(at, "plan_p_currency") == "Use a three-letter currency code such as EUR, USD or GBP."
    at.text_input(key="plan_p_currency").input("usd")
    at = click(at, "Save plan")
    assert exported(sqlite_engine).plan.currency == "USD"
    p = "initiative_new_"
    at.text_input(key=p + "name").input("Coaching circles")
    at.selectbox(key=p + "isolation").select("control_group")
    at.number_input(key=p + "cost_delivery").set_value(12500.0)
    at = click(at, "Save initiative")
    assert not at.exception
    row = next(t for t in at.dataframe if "initiative" in t.value.columns).value.iloc[0].to_dict()
    assert (row["initiative"], row["isolation"], row["cost"], row["stage"]) == (
        "Coaching circles",
        "Control group",
        "12,500 USD",
        "Discover",
    )
