"""Who is signed in, and the check every page makes before it reads anything.

Streamlit runs a file of `pages/` directly when its URL is opened after a restart, without `app.py`; so the check
lives here and every page calls `require` first. The session is a signed, expiring token kept in a cookie (so a
reload or a new tab stays signed in) and checked against the database on every run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session

from ldcore.db import read_session, unit_of_work
from ldcore.errors import AccessDenied
from ldcore.schemas import AccountOut
from ldcore.services import accounts, sharing
from ldcore.ui.state import engine

COOKIE = "ldalign_session"
TOKEN_KEY = "ldalign_token"
PENDING_COOKIE_KEY = "ldalign_cookie_pending"
REFUSED_KEY = "ldalign_write_refused"


def _token() -> str | None:
    if TOKEN_KEY in st.session_state:
        return st.session_state[TOKEN_KEY]
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no browser context (bare script run)
        return None


def current_account() -> AccountOut | None:
    token = _token()
    if not token:
        return None
    with read_session(engine()) as session:
        account = accounts.account_for_token(session, token=token)
    if account is None:
        st.session_state.pop(TOKEN_KEY, None)
    return account


def sign_in(email: str, password: str) -> AccountOut | None:
    with unit_of_work(engine()) as session:
        account = accounts.authenticate(session, email=email, password=password)
        token = accounts.issue_session_token(session, account_id=account.id) if account else None
    if account is None:
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[PENDING_COOKIE_KEY] = token
    return account


def sign_out(account: AccountOut) -> None:
    with unit_of_work(engine()) as session:
        accounts.sign_out_everywhere(session, account_id=account.id)
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state[PENDING_COOKIE_KEY] = ""


def write_pending_cookie() -> None:
    """Set (or, with an empty value, clear) the session cookie in the browser; runs once after sign-in/out."""
    if PENDING_COOKIE_KEY not in st.session_state:
        return
    value = st.session_state.pop(PENDING_COOKIE_KEY)
    max_age = accounts.SESSION_SECONDS if value else 0
    script = (
        f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)} + "
        f"'; path=/; max-age={max_age}; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
    )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def require(minimum: str = "viewer") -> AccountOut:
    """The signed-in account if it has at least `minimum` role; otherwise a message and nothing else."""
    account = current_account()
    show_refused_write()
    if account is None:
        st.warning("Please sign in to see this page.")
        st.markdown("[Go to sign-in](/)")
        st.stop()
    if not accounts.has_role(account, minimum):
        st.error(f"This page needs the {minimum} role; you are signed in as {account.role}.")
        st.stop()
    return account


def show_refused_write() -> None:
    """Why the last write of a stale tab was refused, once, on whatever page the tab shows next (the sign-in, or a
    page the account's role still opens)."""
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.error(refused, icon=":material/block:")


@contextmanager
def transaction(minimum: str) -> Iterator[tuple[Session, AccountOut]]:
    """The one way a page writes: one transaction that first re-checks the signed-in account (still signed in,
    still active, role at least `minimum`) and yields (session, that account). Callbacks run before the page's own
    `require`, so a stale tab reaches its writes without it; refused, nothing is written, and the page's
    `require` shows why."""
    with unit_of_work(engine()) as session:
        try:
            actor = accounts.require_actor(session, token=_token(), minimum=minimum)
        except AccessDenied as refused:
            st.session_state[REFUSED_KEY] = str(refused)
            raise
        yield session, actor


@dataclass(frozen=True)
class ExecutiveAccess:
    """Who opened the executive view: a signed-in account, or (account None) a share link fixed to one plan."""

    account: AccountOut | None
    shared_plan: str | None


def share_token() -> str | None:
    try:
        return st.query_params.get(sharing.SHARE_PARAM) or None
    except Exception:  # no browser context (bare script run)
        return None


def require_viewer_or_share() -> ExecutiveAccess:
    """The executive page's check: a signed-in viewer (or higher), or else a valid `?share=TOKEN` link, which opens
    only its plan; an expired, revoked or unknown link opens nothing."""
    account = current_account()
    if account is not None and accounts.has_role(account, "viewer"):
        return ExecutiveAccess(account=account, shared_plan=None)
    token = share_token()
    if token:
        with read_session(engine()) as session:
            plan_key = sharing.plan_for_share_token(session, token=token)
        if plan_key is None:
            st.error("This share link has expired, been revoked or is not valid. Ask whoever sent it for a new one.")
            st.stop()
        return ExecutiveAccess(account=None, shared_plan=plan_key)
    return ExecutiveAccess(account=require("viewer"), shared_plan=None)
