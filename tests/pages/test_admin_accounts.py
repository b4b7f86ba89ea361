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
