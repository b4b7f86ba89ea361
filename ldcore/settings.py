"""Where LD Align finds its database and secrets.

Order: environment (`LDALIGN_DATABASE_URL`), then `.streamlit/secrets.toml` (`[connections.ldcore] url`), then an
embedded SQLite file `ldalign.db` in the working directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
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
class Settings:
    database_url: str
    secret_key: str | None
    base_url: str  # the app's address for links; "" when not configured (the app then uses the request's)
    smtp: dict
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
        erase_answers=os.environ.get("LDALIGN_ERASE_ANSWERS") or app.get("erase_answers") or "delete",
        reminder_gap_days=int(os.environ.get("LDALIGN_REMINDER_GAP_DAYS") or app.get("reminder_gap_days", 2)),
    )
