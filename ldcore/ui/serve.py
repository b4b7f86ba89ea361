"""Serve LD Align with its session-cookie routes, so the session cookie is HttpOnly: `streamlit run ldcore/ui/serve.py`.

(`streamlit run app.py` still works; the page then writes the cookie itself.) See ldcore/ui/session_cookie.py."""

from pathlib import Path

from streamlit.starlette import App

from ldcore.ui import session_cookie

# Relative to this file when started by `streamlit run`: the repository's app.py.
app = App(str(Path(__file__).resolve().parents[2] / "app.py"), routes=session_cookie.app_routes())
