"""The Accounts page: a new account shows in the list at once, and the success message survives the rerun."""

from __future__ import annotations

from tests.pages.helpers import make_account, page_test

PAGE = "pages/admin.py"


def test_a_created_account_is_listed_at_once_with_the_success_message(monkeypatch, sqlite_engine):
    admin = make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=admin, engine=sqlite_engine).run()
    at.text_input(key="new_email").input("new.person@example.org")
    at.text_input(key="new_name").input("New Person")
    at.text_input(key="new_password").input("a-long-enough-password")
    at.button(key="FormSubmitter:new_account-Create account").click().run()

    assert not at.exception
    assert "new.person@example.org" in list(at.dataframe[0].value["email"])
    assert [s.value for s in at.success] == ["Created viewer account new.person@example.org."]
    at.run()
    assert not at.success  # shown once
    assert "new.person@example.org" in list(at.dataframe[0].value["email"])


def test_unlocking_and_changing_an_account_say_so_after_the_rerun(monkeypatch, sqlite_engine):
    import datetime as dt

    from ldcore.db import unit_of_work
    from ldcore.services import accounts

    admin = make_account(sqlite_engine, role="admin")
    make_account(sqlite_engine, role="editor", email="ed@pages.example")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for failure in range(accounts.LOCK_AFTER_FAILURES):
        with unit_of_work(sqlite_engine, bump=False) as session:
            accounts.sign_in(session, email="ed@pages.example", password="guess", ip="", now=now)
        now += dt.timedelta(seconds=2**failure)
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=admin, engine=sqlite_engine).run()
    at.button(key="unlock_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Unlocked ed@pages.example."]
    assert "Locked after repeated failed sign-ins" not in [s.value for s in at.subheader]

    at.selectbox(key="edit_account").set_value("ed@pages.example").run()
    at.selectbox(key="edit_role_ed@pages.example").set_value("viewer").run()
    at.button(key="edit_save").click().run()
    assert [s.value for s in at.success] == ["Saved ed@pages.example."]
    assert at.dataframe[0].value.set_index("email").loc["ed@pages.example", "role"] == "Viewer"
