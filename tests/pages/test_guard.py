"""Every page checks the role itself: Streamlit may run a page file directly, without app.py."""

from pathlib import Path

import pytest

from tests.pages.helpers import ROOT, make_account, page_test, texts

PUBLIC = {"respond.py"}  # the survey page needs no account by design
GUARDED = sorted(p.name for p in (ROOT / "pages").glob("*.py") if p.name not in PUBLIC)


@pytest.mark.parametrize("page", GUARDED)
def test_a_page_run_on_its_own_without_an_account_shows_sign_in_and_no_data(monkeypatch, sqlite_engine, page):
    from ldcore.db import unit_of_work
    from ldcore.services import plans

    with unit_of_work(sqlite_engine) as session:
        plans.import_plan(
            session,
            document=plans.parse_plan_yaml((Path(__file__).parents[1] / "fixtures" / "plan_fy27.yaml").read_text()),
        )
    at = page_test(monkeypatch, str(sqlite_engine.url), f"pages/{page}").run()
    assert not at.exception
    shown = texts(at)
    assert "Please sign in" in shown
    assert "FY27 growth plan" not in shown and "Win rate" not in shown and "Sales Academy" not in shown
    assert len(at.dataframe) == 0


def test_a_viewer_cannot_open_the_accounts_page(monkeypatch, sqlite_engine):
    viewer = make_account(sqlite_engine, role="viewer")
    make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), "pages/admin.py", account_id=viewer, engine=sqlite_engine).run()
    assert "needs the admin role" in texts(at)
    assert "admin@pages.example" not in texts(at) and len(at.dataframe) == 0


def test_the_overview_shows_the_plan_to_a_signed_in_viewer(monkeypatch, sqlite_engine):
    from ldcore.db import unit_of_work
    from ldcore.services import plans

    with unit_of_work(sqlite_engine) as session:
        plans.import_plan(
            session,
            document=plans.parse_plan_yaml((Path(__file__).parents[1] / "fixtures" / "plan_fy27.yaml").read_text()),
        )
    viewer = make_account(sqlite_engine, role="viewer")
    at = page_test(
        monkeypatch, str(sqlite_engine.url), "pages/overview.py", account_id=viewer, engine=sqlite_engine
    ).run()
    assert not at.exception
    assert [m.value for m in at.metric][:4] == ["1", "1", "1", "1"]
    assert at.metric[4].value == "70,000"
    assert "Win rate" in at.dataframe[0].value["KPI"].tolist()


def test_an_admin_creates_an_account_and_a_bad_email_is_named(monkeypatch, sqlite_engine):
    admin = make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), "pages/admin.py", account_id=admin, engine=sqlite_engine).run()
    at.text_input(key="new_email").input("not-an-email")
    at.text_input(key="new_password").input("long-enough-password")
    at.button[0].click().run()
    assert any("email" in e.value for e in at.error)
    at.text_input(key="new_email").input("new.person@example.org")
    at.text_input(key="new_password").input("long-enough-password")
    at.selectbox(key="new_role").select("editor")
    at.button[0].click().run()
    assert not at.exception
    assert "Created editor account new.person@example.org." in [s.value for s in at.success]
