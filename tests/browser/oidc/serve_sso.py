"""LD Align as `ldcore/ui/serve.py` serves it, with Streamlit's `[auth]` pointing at the local test OpenID provider.

Run by tests/browser/test_oidc.py: `streamlit run tests/browser/oidc/serve_sso.py` with LDALIGN_BASE_URL (the app's
own address) and LDALIGN_TEST_OIDC_URL (the provider's issuer) in the environment."""

import os
from pathlib import Path

from streamlit.starlette import App

from ldcore.ui import session_cookie

app = App(
    str(Path(__file__).resolve().parents[3] / "app.py"),
    routes=session_cookie.app_routes(),
    secrets={
        "auth": {
            "redirect_uri": os.environ["LDALIGN_BASE_URL"] + "/oauth2callback",
            "cookie_secret": "test-only-cookie-secret",
            "client_id": "ldalign",
            "client_secret": "ldalign-test-secret",
            "server_metadata_url": os.environ["LDALIGN_TEST_OIDC_URL"] + "/.well-known/openid-configuration",
            "client_kwargs": {"scope": "openid email profile groups", "prompt": "consent"},
        }
    },
)
