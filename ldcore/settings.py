"""Where LD Align finds its database and secrets.

Order: environment (`LDALIGN_DATABASE_URL`), then `.streamlit/secrets.toml` (`[connections.ldcore] url`), then an
embedded SQLite file `ldalign.db` in the working directory. Sign-in options live in `[ldalign]` too (environment
`LDALIGN_SESSION_IDLE_HOURS`, `LDALIGN_SESSION_MAX_DAYS`, `LDALIGN_PASSWORD_SIGN_IN`, `LDALIGN_SSO_ROLES` (JSON),
`LDALIGN_SSO_CLAIM`, `LDALIGN_SSO_DEFAULT_ROLE` override them). Streamlit's own `[auth]` section configures the
OpenID provider for `st.login`.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SQLITE_DEFAULT = "sqlite:///ldalign.db"


def _secrets(cwd: Path) -> dict:
    path = cwd / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def normalise_url(url: str) -> str:
    """Postgres URLs always use psycopg 3; `postgres://` and `postgresql://` are accepted as written by hosts."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@dataclass(frozen=True)
class AuthSettings:
    """How long a signed-in browser stays signed in, and which ways of signing in are open."""

    session_idle_hours: float = 8
    session_max_days: float = 30
    password_sign_in: bool = True
    # Single sign-on: who gets which role. Keys are an email, "@domain", or a value of the ID-token claim `sso_claim`
    # (e.g. a group); the highest matching role wins, else `sso_default_role` ("" = wait for an admin).
    sso_roles: dict[str, str] = field(default_factory=dict)
    sso_claim: str = "groups"
    sso_default_role: str = ""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str | None
    base_url: str  # the app's address for links; "" when not configured (the app then uses the request's)
    smtp: dict
    auth: AuthSettings = AuthSettings()
    # What erasing a person does with their answers: "delete" them, or "anonymise" (kept in aggregates only).
    erase_answers: str = "delete"
    # Days a reminder waits after the invitation or the previous reminder.
    reminder_gap_days: int = 2

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(cwd: Path | None = None) -> Settings:
    cwd = cwd or Path.cwd()
    secrets = _secrets(cwd)
    url = (
        os.environ.get("LDALIGN_DATABASE_URL")
        or secrets.get("connections", {}).get("ldcore", {}).get("url")
        or SQLITE_DEFAULT
    )
    app = secrets.get("ldalign", {})
    return Settings(
        database_url=normalise_url(url),
        secret_key=os.environ.get("LDALIGN_SECRET_KEY") or app.get("secret_key"),
        base_url=(os.environ.get("LDALIGN_BASE_URL") or app.get("base_url") or "").rstrip("/"),
        smtp=dict(secrets.get("smtp", {})),
        auth=_auth_settings(app),
        erase_answers=os.environ.get("LDALIGN_ERASE_ANSWERS") or app.get("erase_answers") or "delete",
        reminder_gap_days=int(os.environ.get("LDALIGN_REMINDER_GAP_DAYS") or app.get("reminder_gap_days", 2)),
    )


def _auth_settings(app: dict) -> AuthSettings:
    def option(name: str, default):
        return os.environ.get(f"LDALIGN_{name.upper()}") or app.get(name, default)

    password = option("password_sign_in", True)
    roles = option("sso_roles", {})
    return AuthSettings(
        session_idle_hours=float(option("session_idle_hours", AuthSettings.session_idle_hours)),
        session_max_days=float(option("session_max_days", AuthSettings.session_max_days)),
        password_sign_in=password if isinstance(password, bool) else password.strip().lower() in ("1", "true", "yes"),
        sso_roles={str(k).lower(): v for k, v in (json.loads(roles) if isinstance(roles, str) else roles).items()},
        sso_claim=option("sso_claim", AuthSettings.sso_claim),
        sso_default_role=option("sso_default_role", ""),
    )
