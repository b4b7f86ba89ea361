"""Single sign-on against a real OpenID provider (panva/oidc-provider, run by node): redirect, login and consent at
the provider, callback, the role from the settings' mapping applied, sign-out; an unmapped person waits for an admin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveApp, _free_port, _start, _stop
from tests.browser.helpers import open_page, wait_for_app
from tests.conftest import skip_or_fail

OIDC_DIR = Path(__file__).parent / "oidc"
ROLES = {"ld-admins": "admin", "@corp.example": "viewer"}


def _provider_dir(tmp: Path) -> Path:
    """The provider with its node modules: the checkout's when installed, else `npm ci` into a temporary copy."""
    if (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        return OIDC_DIR
    if not shutil.which("npm"):
        skip_or_fail("npm is not installed (apt-get install nodejs npm)")
    for name in ("package.json", "package-lock.json", "provider.mjs"):
        shutil.copy(OIDC_DIR / name, tmp / name)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=tmp, check=True, capture_output=True, timeout=300)
    return tmp


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the OpenID provider did not start:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory):
    if not shutil.which("node"):
        skip_or_fail("node is not installed (apt-get install nodejs npm)")
    tmp = tmp_path_factory.mktemp("sso-app")
    provider_port = _free_port()
    issuer = f"http://127.0.0.1:{provider_port}"
    saved = {k: os.environ.get(k) for k in ("LDALIGN_TEST_OIDC_URL", "LDALIGN_SSO_ROLES")}
    os.environ.update(LDALIGN_TEST_OIDC_URL=issuer, LDALIGN_SSO_ROLES=json.dumps(ROLES))
    db_url = f"sqlite:///{tmp / 'sso.db'}"
    result = LiveApp(url="", db_url=db_url, process=None).cli(  # type: ignore[arg-type]
        "create-user", "it@corp.example", "--role", "admin", "--password-stdin", input="it-admin-password\n"
    )
    assert result.returncode == 0, result.stderr
    app = _start(db_url, tmp / "streamlit.log", script="tests/browser/oidc/serve_sso.py")
    log = tmp / "provider.log"
    provider = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=_provider_dir(tmp),
        env={**os.environ, "PORT": str(provider_port), "REDIRECT_URI": f"{app.url}/oauth2callback"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{issuer}/.well-known/openid-configuration", provider, log)
        yield app
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        _stop(app)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _sign_in_at_the_provider(page: Page, app: LiveApp, email: str) -> None:
    page.goto(app.url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your company account").click()
    page.locator('input[name="login"]').fill(email)  # the provider's own page
    page.locator('input[name="password"]').fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent
    page.wait_for_url(f"{app.url}/**", timeout=30_000)
    wait_for_app(page)


def test_a_mapped_person_signs_in_through_the_provider_gets_the_mapped_role_and_signs_out(context, sso_app, tmp_path):
    page = context.new_page()
    _sign_in_at_the_provider(page, sso_app, "lead@corp.example")
    expect(page.get_by_text("Signed in as lead@corp.example (admin)")).to_be_visible(timeout=30_000)
    (cookie,) = [c for c in context.cookies() if c["name"] == "ldalign_session"]
    assert cookie["httpOnly"] is True
    page.screenshot(path=str(tmp_path / "signed-in.png"))
    open_page(page, sso_app.url, "audit")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    assert _identity_cookies(context)  # Streamlit's own (HttpOnly) identity cookie from st.login
    page.get_by_role("button", name="Sign out").click()
    # Streamlit clears its identity cookie and, when it reaches the provider's end-session endpoint in time, sends
    # the browser there to end the provider's session too (a confirmation page); else straight back.
    deadline = time.time() + 30
    while _identity_cookies(context) and time.time() < deadline:
        page.wait_for_timeout(200)
    assert not _identity_cookies(context)
    page.wait_for_load_state()
    provider_sign_out = page.get_by_role("button", name="Yes, sign me out")
    if "/session/end" in page.url:
        provider_sign_out.click()
    page.goto(sso_app.url)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with your company account")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def _identity_cookies(context) -> list[str]:
    return [c["name"] for c in context.cookies() if c["name"].startswith("_streamlit_user")]


def test_an_unmapped_person_gets_no_access_until_an_admin_grants_a_role(context, sso_app, tmp_path):
    page = context.new_page()
    _sign_in_at_the_provider(page, sso_app, "newcomer@elsewhere.example")
    expect(page.get_by_text("LD Align has no role for you yet")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "waiting.png"))
