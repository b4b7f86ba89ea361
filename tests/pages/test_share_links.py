"""The Share links page: admins only; a link is created for the chosen plan with the address the browser uses,
shown once, listed in words, and revoked after a confirmation."""

from __future__ import annotations

import pytest

from ldcore.db import read_session
from ldcore.services import sharing
from tests.pages.helpers import make_account, page_test, texts
from tests.support.impact import build

PAGE = "pages/share_links.py"


@pytest.fixture
def company(sqlite_engine):
    build(sqlite_engine)
    return sqlite_engine


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_only_an_admin_opens_the_share_links_page(monkeypatch, company, role):
    person = make_account(company, role=role)
    at = page_test(monkeypatch, str(company.url), PAGE, account_id=person, engine=company).run()
    assert "This page needs the admin role" in texts(at)
    assert not at.get("form_submit_button")


def test_an_admin_creates_a_share_link_shown_once_and_revokes_it_after_confirming(monkeypatch, company):
    monkeypatch.setenv("LDALIGN_BASE_URL", "https://hr.example/ld")
    admin = make_account(company, role="admin")
    at = page_test(monkeypatch, str(company.url), PAGE, account_id=admin, engine=company).run()
    assert "This plan has no share link yet." in texts(at)
    at.text_input(key="share_label").input("Board, March")
    at.button(key="FormSubmitter:share_create-Create a share link").click().run()

    assert not at.exception
    assert [s.value for s in at.success] == ["Link created. Copy it now: it is shown only once."]
    url = at.code[0].value
    assert url.startswith("https://hr.example/ld/executive?share=")
    with read_session(company) as session:
        assert sharing.plan_for_share_token(session, token=url.split("share=")[1]) == "p1"
    table = at.dataframe[0].value
    assert table["for whom"].tolist() == ["Board, March"] and table["status"].tolist() == ["Active"]
    assert table["revoked (UTC)"].tolist() == ["—"]

    at.button(key="share_revoke").click().run()
    with read_session(company) as session:  # asked first, nothing revoked yet
        assert sharing.plan_for_share_token(session, token=url.split("share=")[1]) == "p1"
    assert any("can no longer open the plan" in w.value for w in at.warning)
    at.button(key="share_revoke_yes").click().run()
    assert not at.exception
    with read_session(company) as session:
        assert sharing.plan_for_share_token(session, token=url.split("share=")[1]) is None
    assert at.dataframe[0].value["status"].tolist() == ["Revoked"]
    assert any(s.value.startswith("Revoked the link Board, March") for s in at.success)
