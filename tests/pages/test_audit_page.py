"""The audit page in AppTest: admins only, events with their values, filters that narrow them."""

from __future__ import annotations

import datetime as dt

import pytest

from ldcore.db import unit_of_work
from ldcore.services import accounts
from tests.pages.helpers import make_account, page_test, texts

PAGE = "pages/audit.py"


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_an_admin_opens_the_audit_page(monkeypatch, sqlite_engine, role):
    person = make_account(sqlite_engine, role=role)
    make_account(sqlite_engine, role="admin")
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=person, engine=sqlite_engine).run()
    assert not at.exception
    assert "This page needs the admin role" in texts(at)
    assert len(at.dataframe) == 0 and "admin@pages.example" not in texts(at)


def test_an_admin_sees_failed_sign_ins_and_lockouts_and_narrows_them_by_who_and_what(monkeypatch, sqlite_engine):
    admin = make_account(sqlite_engine, role="admin")
    make_account(sqlite_engine, role="editor", email="ed@pages.example")
    at_time = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for failure in range(accounts.LOCK_AFTER_FAILURES):
        with unit_of_work(sqlite_engine, bump=False) as session:
            accounts.sign_in(session, email="ed@pages.example", password="guess", ip="10.9.9.9", now=at_time)
        at_time += dt.timedelta(seconds=2**failure)
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=admin, engine=sqlite_engine).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["when (UTC)", "who", "what", "about", "key", "details"]
    assert (
        table["what"].tolist() == ["Locked after failed sign-ins"] + ["Sign-in failed"] * 10 + ["Account created"] * 2
    )
    assert table.iloc[0][["who", "key", "details"]].tolist() == ["system", "ed@pages.example", "ip=10.9.9.9"]
    assert "13 newest events shown" in texts(at)

    at.text_input(key="audit_who").input("pages.example").run()
    assert at.dataframe[0].value["what"].tolist() == ["Sign-in failed"] * 10
    at.text_input(key="audit_who").input("").run()
    at.multiselect(key="audit_what").select("account").run()
    assert at.dataframe[0].value["key"].tolist() == ["ed@pages.example", "admin@pages.example"]
    at.text_input(key="audit_who").input("nobody-like-this").run()
    assert len(at.dataframe) == 0 and "No events match these filters." in texts(at)
