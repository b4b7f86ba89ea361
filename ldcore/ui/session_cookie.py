"""The session cookie set by the server, so that it is HttpOnly (page scripts cannot read it).

A running Streamlit script cannot answer with a Set-Cookie header, but Streamlit 1.67's `st.App` serves extra
routes next to the app (`streamlit run ldcore/ui/serve.py`). After a password sign-in the page sends the browser to
`/_ldalign/session?code=…` with a one-time code good for a minute; the route trades it for the session token, sets
the cookie (HttpOnly, SameSite=Strict, Secure on https) and sends the browser back to `/`. Signing out goes through
`/_ldalign/signout`, which clears it. Run as `streamlit run app.py` (no routes), the page writes the cookie itself.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ldcore.db import get_engine, unit_of_work
from ldcore.services import accounts
from ldcore.settings import get_settings

COOKIE = "ldalign_session"
SIGN_IN_PATH = "/_ldalign/session"
SIGN_OUT_PATH = "/_ldalign/signout"
_ENABLED = "LDALIGN_SERVER_SETS_COOKIE"


def server_sets_cookie() -> bool:
    return os.environ.get(_ENABLED) == "1"


def app_routes() -> list[Route]:
    """The routes `ldcore/ui/serve.py` mounts; from then on sign-in and sign-out go through them."""
    os.environ[_ENABLED] = "1"
    return [Route(SIGN_IN_PATH, _sign_in), Route(SIGN_OUT_PATH, _sign_out)]


def _back_home(request: Request) -> tuple[RedirectResponse, bool]:
    secure = request.headers.get("x-forwarded-proto", request.url.scheme) == "https"
    return RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"}), secure


def _sign_in(request: Request) -> RedirectResponse:
    with unit_of_work(get_engine(), bump=False) as session:
        token = accounts.redeem_handoff(session, code=request.query_params.get("code", ""))
    response, secure = _back_home(request)
    if token:
        max_age = int(get_settings().auth.session_max_days * 86400)
        response.set_cookie(COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict", secure=secure)
    return response


def _sign_out(request: Request) -> RedirectResponse:
    response, secure = _back_home(request)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=secure)
    return response
