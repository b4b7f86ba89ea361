"""Sign-in settings from `.streamlit/secrets.toml` `[ldalign]`, overridden by the environment."""

from ldcore.settings import load_settings


def test_sign_in_settings_come_from_secrets_and_the_environment_overrides_them(tmp_path, monkeypatch):
    for name in ("SESSION_IDLE_HOURS", "SESSION_MAX_DAYS", "PASSWORD_SIGN_IN", "SSO_ROLES", "SSO_DEFAULT_ROLE"):
        monkeypatch.delenv(f"LDALIGN_{name}", raising=False)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[ldalign]\nsession_idle_hours = 2\npassword_sign_in = false\nsso_default_role = 'viewer'\n"
        "[ldalign.sso_roles]\n'LD-Admins' = 'admin'\n"
    )
    auth = load_settings(tmp_path).auth
    assert (auth.session_idle_hours, auth.session_max_days, auth.password_sign_in) == (2, 30, False)
    assert (auth.sso_roles, auth.sso_claim, auth.sso_default_role) == ({"ld-admins": "admin"}, "groups", "viewer")
    monkeypatch.setenv("LDALIGN_PASSWORD_SIGN_IN", "true")
    monkeypatch.setenv("LDALIGN_SSO_ROLES", '{"@corp.example": "editor"}')
    auth = load_settings(tmp_path).auth
    assert auth.password_sign_in is True and auth.sso_roles == {"@corp.example": "editor"}
    monkeypatch.delenv("LDALIGN_PASSWORD_SIGN_IN")
    defaults = load_settings(tmp_path / "no-secrets-here").auth
    assert (defaults.session_idle_hours, defaults.session_max_days, defaults.password_sign_in) == (8, 30, True)
