"""Serve LD Align with its session-cookie routes, so the session cookie is HttpOnly: `streamlit run serve.py`.

(`streamlit run app.py` still works; the page then writes the cookie itself.) See ldcore/ui/session_cookie.py."""

from streamlit.starlette import App

from ldcore.ui import session_cookie

app = App("app.py", routes=session_cookie.app_routes())
