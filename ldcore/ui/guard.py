"""Who is signed in, and the check every page makes before it reads anything.

Streamlit runs a file of `pages/` directly when its URL is opened after a restart, without `app.py`; so the check
lives here and every page calls `require` first. The session is a random token kept in a cookie (so a reload or a
new tab stays signed in) and checked against the database on every run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy.orm import Session

from ldcore.db import read_session, unit_of_work
from ldcore.errors import AccessDenied
from ldcore.schemas import AccountOut
from ldcore.services import accounts, audit, sharing
from ldcore.settings import get_settings
from ldcore.ui import session_cookie, state
from ldcore.ui.state import engine

COOKIE = session_cookie.COOKIE
TOKEN_KEY = "ldalign_token"
PENDING_COOKIE_KEY = "ldalign_cookie_pending"
TOUCHED_KEY = "ldalign_session_touched"
TOUCH_EVERY_SECONDS = 300
SHARE_SEEN_KEY = "ldalign_share_seen"
SSO_TRIED_KEY = "ldalign_sso_tried"
SIGNED_OUT = ""
REFUSED_KEY = "ldalign_write_refused"


def _token() -> str | None:
    if TOKEN_KEY in st.session_state:
        return st.session_state[TOKEN_KEY]
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no browser context (bare script run)
        return None


def _client_address() -> str:
    try:
        address = st.context.ip_address
    except Exception:  # no browser context (bare script run)
        return ""
    return address if isinstance(address, str) else ""  # None from localhost; a stand-in object under AppTest


def current_account() -> AccountOut | None:
    token = _token()
    if not token:
        return None
    with read_session(engine()) as session:
        account = accounts.account_for_token(session, token=token)
    if account is None:
        st.session_state.pop(TOKEN_KEY, None)
    elif time.monotonic() - st.session_state.get(TOUCHED_KEY, -TOUCH_EVERY_SECONDS) >= TOUCH_EVERY_SECONDS:
        # The idle timeout is kept in the database; noting use every few minutes is enough for it.
        with unit_of_work(engine(), bump=False) as session:
            accounts.touch_session(session, token=token)
        st.session_state[TOUCHED_KEY] = time.monotonic()
    return account


def sign_in(email: str, password: str) -> accounts.SignInResult:
    """Check the password (slowed and locked by the service); on success a new session token replaces any old one."""
    handoff = session_cookie.server_sets_cookie()
    with unit_of_work(engine(), bump=False) as session:
        result = accounts.sign_in(session, email=email, password=password, ip=_client_address(), handoff=handoff)
    if result.account is not None:
        if not handoff:
            st.session_state[TOKEN_KEY] = result.token
            st.session_state[TOUCHED_KEY] = time.monotonic()
        st.session_state[PENDING_COOKIE_KEY] = result.token
    return result


def sso_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an `[auth]` section for Streamlit's `st.login`."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in_sso() -> accounts.SignInResult | None:
    """After `st.login`: sign in the person the OpenID provider vouched for (once per browser tab), or None when
    nobody signed in with the provider."""
    if not sso_configured() or not st.user.is_logged_in or not st.user.get("email"):
        return None
    email = str(st.user.get("email"))
    if st.session_state.get(SSO_TRIED_KEY) == SIGNED_OUT:
        return None
    if st.session_state.get(SSO_TRIED_KEY) == email:  # refused already in this tab: no new audit event per rerun
        return accounts.SignInResult(None, message=accounts.WAITING_FOR_ROLE)
    handoff = session_cookie.server_sets_cookie()
    with unit_of_work(engine(), bump=False) as session:
        result = accounts.sign_in_sso(
            session, email=email, claims=st.user.to_dict(), ip=_client_address(), handoff=handoff
        )
    if result.account is None:
        st.session_state[SSO_TRIED_KEY] = email
    else:
        if not handoff:
            st.session_state[TOKEN_KEY] = result.token
            st.session_state[TOUCHED_KEY] = time.monotonic()
        st.session_state[PENDING_COOKIE_KEY] = result.token
    return result


def sign_out(account: AccountOut | None) -> None:
    """End every session of the account; after single sign-on also end the provider identity Streamlit keeps."""
    if account is not None:
        with unit_of_work(engine(), bump=False) as session:
            accounts.sign_out_everywhere(session, account_id=account.id)
    st.session_state.pop(TOKEN_KEY, None)
    if sso_configured() and st.user.is_logged_in:
        # The provider identity ends too; until the page has reloaded, this tab must not sign in with it again.
        # The session cookie left behind is revoked, so worthless.
        st.session_state[SSO_TRIED_KEY] = SIGNED_OUT
        st.logout()
        st.stop()  # end this run as it is, so the browser gets the redirect (a rerun could drop it)
    else:
        st.session_state[PENDING_COOKIE_KEY] = ""


def write_pending_cookie() -> bool:
    """Set (or, with an empty value, clear) the session cookie in the browser; runs once after sign-in/out.

    Served by `ldcore/ui/serve.py`, the browser goes to the server's cookie route, which sets an HttpOnly cookie for
    the one-time code (or clears it) and comes back. Served by `streamlit run app.py`, the page writes the cookie by
    script, so it cannot be HttpOnly. Either way it is SameSite=Strict (Secure on https), and the server ends the
    session when it is idle or old (settings), at sign-out, and when the account is deactivated. Whether it did:
    this run must then end normally (a page switch would drop the script before the browser runs it)."""
    if PENDING_COOKIE_KEY not in st.session_state:
        return False
    value = st.session_state.pop(PENDING_COOKIE_KEY)
    if session_cookie.server_sets_cookie():
        url = f"{session_cookie.SIGN_IN_PATH}?{urlencode({'code': value})}" if value else session_cookie.SIGN_OUT_PATH
        script = f"window.location.replace({json.dumps(url)});"
    else:
        max_age = int(get_settings().auth.session_max_days * 86400) if value else 0
        script = (
            f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)} + "
            f"'; path=/; max-age={max_age}; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
        )
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")
    return True


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
def transaction(minimum: str, *, bump: bool = True) -> Iterator[tuple[Session, AccountOut]]:
    """The one way a page writes: one transaction that first re-checks the signed-in account (still signed in,
    still active, role at least `minimum`) and yields (session, that account). Callbacks run before the page's own
    `require`, so a stale tab reaches its writes without it; refused, nothing is written, and the page's
    `require` shows why. `bump=False` for writes no page caches on (unlocks, audit records)."""
    with unit_of_work(engine(), bump=bump) as session:
        try:
            actor = accounts.require_actor(session, token=_token(), minimum=minimum)
        except AccessDenied as refused:
            st.session_state[REFUSED_KEY] = str(refused)
            raise
        yield session, actor


def later_transaction(minimum: str, *, bump: bool = True) -> Callable[[], AbstractContextManager]:
    """`transaction` for work Streamlit runs outside the script run (a deferred download's callable has no session
    state): the signed-in session is taken now, and re-checked inside the transaction when it runs."""
    token, current = _token(), engine()

    @contextmanager
    def run() -> Iterator[tuple[Session, AccountOut]]:
        with unit_of_work(current, bump=bump) as session:
            yield session, accounts.require_actor(session, token=token, minimum=minimum)

    return run


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
    token = share_token()
    if account is not None and accounts.has_role(account, "viewer"):
        if token and st.session_state.get(SHARE_SEEN_KEY) != token:  # the link's plan, then the picker is theirs
            with read_session(engine()) as session:
                shared = sharing.plan_for_share_token(session, token=token)
            if shared is not None:
                state.choose_plan(shared)
            st.session_state[SHARE_SEEN_KEY] = token
        return ExecutiveAccess(account=account, shared_plan=None)
    if token:
        with read_session(engine()) as session:
            plan_key = sharing.plan_for_share_token(session, token=token)
        if plan_key is None:
            st.error("This share link has expired, been revoked or is not valid. Ask whoever sent it for a new one.")
            st.stop()
        if st.session_state.get(SHARE_SEEN_KEY) != token:  # once per browser tab, not on every rerun
            with unit_of_work(engine(), bump=False) as session:
                audit.record(
                    session, actor="share link", action="share_link.use", entity="plan", key=plan_key,
                    ip=_client_address(),
                )  # fmt: skip
            st.session_state[SHARE_SEEN_KEY] = token
        return ExecutiveAccess(account=None, shared_plan=plan_key)
    return ExecutiveAccess(account=require("viewer"), shared_plan=None)
