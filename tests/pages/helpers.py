"""AppTest helpers: run a page file against a test database, signed in or not."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from ldcore.db import unit_of_work
from ldcore.services import accounts
from ldcore.ui.guard import TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]


def make_account(engine, *, role: str, email: str | None = None) -> int:
    with unit_of_work(engine) as session:
        return accounts.create_account(
            session, email=email or f"{role}@pages.example", role=role, password="page-test-password"
        ).id


def page_test(
    monkeypatch, db_url: str, page: str, *, account_id: int | None = None, engine=None, timeout: float = 30
) -> AppTest:
    """An AppTest of `page` (e.g. "pages/overview.py") on `db_url`, signed in as `account_id` when given."""
    monkeypatch.setenv("LDALIGN_DATABASE_URL", db_url)
    st.cache_data.clear()  # the Postgres test database is emptied between tests, so its versions start again
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    if account_id is not None:
        with unit_of_work(engine) as session:  # the first token creates the signing secret
            token = accounts.issue_session_token(session, account_id=account_id)
        at.session_state[TOKEN_KEY] = token
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote, as one string, to check what a person can read."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "metric",
    ):
        for el in getattr(at, kind):
            parts.append(str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "")))
    return "\n".join(parts)
