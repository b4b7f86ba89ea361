"""Accounts, passwords (argon2id, memory-hard) and signed session tokens.

A session token is `account_id.epoch.expires.signature` (HMAC-SHA256). It is checked against the database on every
run, so deactivating an account or signing out (which bumps the account's epoch) ends every session at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ldcore.errors import AccessDenied, Conflict, Invalid, NotFound, invalid_from
from ldcore.models import Account, AppState, utcnow
from ldcore.schemas import AccountIn, AccountOut
from ldcore.services import audit
from ldcore.settings import load_settings
from ldcore.vocab import ROLE_RANK

SESSION_SECONDS = 12 * 3600
_hasher = PasswordHasher()
# Verifying an unknown email costs as much as a known one, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def create_account(session: Session, *, email: str, role: str, password: str, name: str = "", actor: str = "cli"):
    try:
        data = AccountIn(email=email, role=role, password=password, name=name)
    except ValidationError as exc:
        raise invalid_from(exc, "account") from exc
    if session.scalar(select(Account.id).where(Account.email == data.email)) is not None:
        raise Conflict(f"An account for {data.email} already exists.")
    account = Account(email=data.email, role=data.role, name=data.name, password_hash=_hasher.hash(data.password))
    session.add(account)
    session.flush()
    audit.record(session, actor=actor, action="account.create", entity="account", key=data.email, role=data.role)
    return AccountOut.model_validate(account)


def list_accounts(session: Session) -> list[AccountOut]:
    return [AccountOut.model_validate(a) for a in session.scalars(select(Account).order_by(Account.email))]


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0


def _get(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
    if account is None:
        raise NotFound(f"No account for {email}.")
    return account


def update_account(
    session: Session, *, email: str, role: str | None = None, active: bool | None = None, actor: str
) -> AccountOut:
    account = _get(session, email)
    if role is not None:
        if role not in ROLE_RANK:
            raise Invalid(f"role: must be one of {', '.join(ROLE_RANK)}", [("role", "unknown role")])
        account.role = role
    if active is not None:
        account.active = active
        if not active:
            account.session_epoch += 1
    _keep_an_admin(session)
    audit.record(
        session,
        actor=actor,
        action="account.update",
        entity="account",
        key=account.email,
        role=account.role,
        active=account.active,
    )
    return AccountOut.model_validate(account)


def set_password(session: Session, *, email: str, password: str, actor: str) -> None:
    account = _get(session, email)
    try:
        AccountIn(email=account.email, role=account.role, password=password)
    except ValidationError as exc:
        raise invalid_from(exc, "password") from exc
    account.password_hash = _hasher.hash(password)
    account.session_epoch += 1
    audit.record(session, actor=actor, action="account.password", entity="account", key=account.email)


def _keep_an_admin(session: Session) -> None:
    session.flush()
    admins = session.scalar(select(func.count(Account.id)).where(Account.role == "admin", Account.active.is_(True)))
    if not admins:
        raise Conflict("This change would leave no active admin; make someone else admin first.")


def authenticate(session: Session, *, email: str, password: str) -> AccountOut | None:
    account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_sign_in_at = utcnow()
    return AccountOut.model_validate(account)


# --- session tokens ------------------------------------------------------------------------------------------


def signing_secret(session: Session) -> bytes:
    """From settings when configured; else generated once and kept in the database, so replicas agree."""
    configured = load_settings().secret_key
    if configured:
        return configured.encode()
    row = session.get(AppState, "session_secret")
    if row is None:
        row = AppState(key="session_secret", value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return row.value.encode()


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def issue_session_token(session: Session, *, account_id: int, seconds: int = SESSION_SECONDS) -> str:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    payload = f"{account.id}.{account.session_epoch}.{int(time.time()) + seconds}"
    return f"{payload}.{_sign(signing_secret(session), payload)}"


def account_for_token(session: Session, *, token: str | None) -> AccountOut | None:
    """The account a session token belongs to, or None when it is malformed, forged, expired or signed out."""
    if not token or token.count(".") != 3:
        return None
    payload, signature = token.rsplit(".", 1)
    row = session.get(AppState, "session_secret")
    secret = load_settings().secret_key
    key = secret.encode() if secret else (row.value.encode() if row else None)
    if key is None or not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        account_id, epoch, expires = (int(p) for p in payload.split("."))
    except ValueError:
        return None
    if expires < time.time():
        return None
    account = session.get(Account, account_id)
    if account is None or not account.active or account.session_epoch != epoch:
        return None
    return AccountOut.model_validate(account)


def sign_out_everywhere(session: Session, *, account_id: int) -> None:
    account = session.get(Account, account_id)
    if account is not None:
        account.session_epoch += 1
        audit.record(session, actor=account.email, action="account.sign_out", entity="account", key=account.email)


def has_role(account: AccountOut | None, minimum: str) -> bool:
    return account is not None and ROLE_RANK[account.role] >= ROLE_RANK[minimum]


SIGNED_OUT = "You were signed out — sign in again. Nothing was saved."


def require_actor(session: Session, *, token: str | None, minimum: str) -> AccountOut:
    """The account of a session token, checked first thing inside a write transaction: still signed in, still
    active, role at least `minimum`; else AccessDenied and the transaction writes nothing.

    The account row stays share-locked until the transaction ends, so a sign-out, deactivation or demotion cannot
    land between this check and the write (on SQLite the write transaction already holds the database lock)."""
    account = account_for_token(session, token=token)
    if account is not None:
        session.execute(select(Account.id).where(Account.id == account.id).with_for_update(read=True))
        session.expire_all()
        account = account_for_token(session, token=token)
    if account is None:
        raise AccessDenied(SIGNED_OUT)
    if not has_role(account, minimum):
        raise AccessDenied(
            f"Your role no longer allows this (it needs {minimum}; you are {account.role}). Nothing was saved."
        )
    return account


def session_expiry(seconds: int = SESSION_SECONDS) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)
