"""The plan a person picks is kept: across pages (session state), in the address (`?plan=`), and across sign-ins
(stored per account); without any of those the picker starts on the most recent plan."""

from __future__ import annotations

import datetime as dt

from ldcore.db import read_session, unit_of_work
from ldcore.models import Account
from ldcore.services import intake
from ldcore.ui.state import CHOSEN_KEY, PLAN_PARAM
from tests.pages.helpers import make_account, page_test
from tests.pages.test_intake_views import build

PAGE = "pages/kpi_data.py"


def two_plans(engine) -> int:
    build(engine)  # plan "p", starting 2027
    with unit_of_work(engine) as s:
        intake.save_plan(
            s, data={"key": "q", "name": "Later plan", "starts": dt.date(2028, 1, 1), "ends": dt.date(2028, 12, 31)},
            actor="t",
        )  # fmt: skip
    return make_account(engine, role="editor")


def test_the_picker_starts_on_the_most_recent_plan_and_shows_it_in_the_address(monkeypatch, sqlite_engine):
    editor = two_plans(sqlite_engine)
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=editor, engine=sqlite_engine).run()
    assert not at.exception
    assert at.selectbox(key="ldalign_plan").value == "q"
    assert at.query_params[PLAN_PARAM] in ("q", ["q"])


def test_an_address_with_a_plan_opens_that_plan(monkeypatch, sqlite_engine):
    editor = two_plans(sqlite_engine)
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=editor, engine=sqlite_engine)
    at.query_params[PLAN_PARAM] = "p"
    at.run()
    assert at.selectbox(key="ldalign_plan").value == "p"
    assert at.selectbox(key="kpi_data_kpi").value == "win"  # plan p's KPI page


def test_the_choice_is_kept_on_the_next_page_and_at_the_next_sign_in(monkeypatch, sqlite_engine):
    editor = two_plans(sqlite_engine)
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=editor, engine=sqlite_engine).run()
    at.selectbox(key="ldalign_plan").set_value("p").run()
    assert at.query_params[PLAN_PARAM] in ("p", ["p"])
    with read_session(sqlite_engine) as s:
        assert s.get(Account, editor).last_plan == "p"

    # Another page of the same tab: Streamlit forgets the picker's widget state there, the choice stays.
    chosen = at.session_state[CHOSEN_KEY]
    for other, picker in (("pages/intake.py", "intake_plan"), ("pages/surveys.py", "ldalign_plan")):
        page = page_test(monkeypatch, str(sqlite_engine.url), other, account_id=editor, engine=sqlite_engine)
        page.session_state[CHOSEN_KEY] = chosen
        page.run()
        assert not page.exception
        assert page.selectbox(key=picker).value == "p"

    later = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=editor, engine=sqlite_engine).run()
    assert later.selectbox(key="ldalign_plan").value == "p"  # a new tab, the same person
