"""Where LD Align finds its database, secrets and options: one typed settings object, read once per process.

Order, first found wins: the environment (`LDALIGN_` + the option's name in capitals, e.g. `LDALIGN_DATABASE_URL`,
`LDALIGN_SESSION_IDLE_HOURS`, `LDALIGN_SSO_ROLES` as JSON), then `.streamlit/secrets.toml` (`[connections.ldcore]
url`, the options in `[ldalign]`, mail in `[smtp]`), then the defaults below (an embedded SQLite file `ldalign.db` in
the working directory). Streamlit's own `[auth]` section configures the OpenID provider for `st.login`.

`get_settings()` is the process's settings; entry points (pages, commands) read it and pass what a service needs.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from ldcore.errors import Invalid

SQLITE_DEFAULT = "sqlite:///ldalign.db"
ENV_PREFIX = "LDALIGN_"
_SECRETS_FILE: ContextVar[Path | None] = ContextVar("secrets_file", default=None)


def normalise_url(url: str) -> str:
    """Postgres URLs always use psycopg 3; `postgres://` and `postgresql://` are accepted as written by hosts."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class SmtpSettings(BaseModel):
    """`[smtp]`: the mail server invitations, reminders and report packs go through; unset `host` = no mail."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    host: str = ""
    port: int | None = None  # 465 with `ssl`, else 25
    username: str = ""
    password: str = Field(default="", repr=False)
    sender: str = ""
    starttls: bool = False
    ssl: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def port_or_default(self) -> int:
        return self.port or (465 if self.ssl else 25)

    @property
    def from_address(self) -> str:
        return self.sender or self.username or "ldalign@localhost"


class AuthSettings(BaseModel):
    """How long a signed-in browser stays signed in, and which ways of signing in are open."""

    model_config = ConfigDict(frozen=True)

    session_idle_hours: float = 8
    session_max_days: float = 30
    password_sign_in: bool = True
    # Single sign-on: who gets which role. Keys are an email, "@domain", or a value of the ID-token claim `sso_claim`
    # (e.g. a group); the highest matching role wins, else `sso_default_role` ("" = wait for an admin).
    sso_roles: dict[str, str] = {}
    sso_claim: str = "groups"
    sso_default_role: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", env_ignore_empty=True, extra="ignore", frozen=True
    )

    database_url: str = SQLITE_DEFAULT
    secret_key: str | None = Field(default=None, repr=False)
    base_url: str = ""  # the app's address for links; "" when not configured (the app then uses the request's)
    smtp: SmtpSettings = SmtpSettings()
    # What erasing a person does with their answers: "delete" them, or "anonymise" (kept in aggregates only).
    erase_answers: str = "delete"
    # Days a reminder waits after the invitation or the previous reminder.
    reminder_gap_days: int = 2
    # Days after the invitation that `ldalign tick` sends reminders (a wave can set its own; at most 3).
    reminder_days: Annotated[tuple[int, ...], NoDecode] = (3, 7)
    # ISO 4217 code of money in a plan that names no currency of its own.
    currency: str = "EUR"
    session_idle_hours: float = AuthSettings().session_idle_hours
    session_max_days: float = AuthSettings().session_max_days
    password_sign_in: bool = True
    sso_roles: dict[str, str] = {}
    sso_claim: str = AuthSettings().sso_claim
    sso_default_role: str = ""

    @field_validator("database_url")
    @classmethod
    def _psycopg(cls, url: str) -> str:
        return normalise_url(url)

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, code: str) -> str:
        return code.strip().upper() or "EUR"

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        """ "3, 7" (environment) or [3, 7] (secrets.toml) as (3, 7)."""
        items = value.replace(";", ",").split(",") if isinstance(value, str) else value
        texts = [str(v).strip() for v in items if str(v).strip()]
        if not all(text.isdigit() for text in texts):
            raise ValueError("whole numbers of days expected, such as 3, 7")
        return tuple(int(text) for text in texts)

    @field_validator("sso_roles", mode="before")
    @classmethod
    def _lower_keys(cls, roles: Any) -> Any:
        if isinstance(roles, str):
            roles = json.loads(roles)
        return {str(key).lower(): role for key, role in roles.items()} if isinstance(roles, dict) else roles

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def auth(self) -> AuthSettings:
        return AuthSettings(
            session_idle_hours=self.session_idle_hours,
            session_max_days=self.session_max_days,
            password_sign_in=self.password_sign_in,
            sso_roles=self.sso_roles,
            sso_claim=self.sso_claim,
            sso_default_role=self.sso_default_role,
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _StreamlitSecrets(settings_cls, _SECRETS_FILE.get())


class _StreamlitSecrets(PydanticBaseSettingsSource):
    """`.streamlit/secrets.toml`, reshaped: `[ldalign]` options, `[connections.ldcore] url`, `[smtp]`."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        with self.path.open("rb") as fh:
            secrets = tomllib.load(fh)
        values = dict(secrets.get("ldalign", {}))
        if isinstance(values.get("sso_roles"), dict):  # as text, so that the environment's mapping replaces it whole
            values["sso_roles"] = json.dumps(values["sso_roles"])
        url = secrets.get("connections", {}).get("ldcore", {}).get("url")
        if url:
            values["database_url"] = url
        if "smtp" in secrets:
            values["smtp"] = secrets["smtp"]
        return values


def load_settings(cwd: Path | None = None) -> Settings:
    """Read the settings now, from the environment and `cwd`'s `.streamlit/secrets.toml` (default: the working
    directory). Most code wants `get_settings()`, which reads them once."""
    token = _SECRETS_FILE.set((cwd or Path.cwd()) / ".streamlit" / "secrets.toml")
    try:
        return Settings()
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in error["loc"]), error["msg"].lower()) for error in exc.errors()]
    except SettingsError as exc:  # a value the environment holds that is not JSON where JSON is expected
        found = re.search(r'field "(\w+)"', str(exc))
        problems = [(found.group(1) if found else "a setting", "not readable (JSON expected)")]
    finally:
        _SECRETS_FILE.reset(token)
    where = ", ".join(f"{field} ({ENV_PREFIX}{field.upper()}): {message}" for field, message in problems)
    raise Invalid(f"A setting is not valid: {where}. Check the environment and .streamlit/secrets.toml.", problems)


def get_settings() -> Settings:
    """The process's settings, read once (and again only when the `LDALIGN_` environment or the working directory
    changes, as it does between tests)."""
    environment = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX)))
    return _cached(Path.cwd(), environment)


@functools.lru_cache(maxsize=4)
def _cached(cwd: Path, environment: tuple[tuple[str, str], ...]) -> Settings:
    return load_settings(cwd)
