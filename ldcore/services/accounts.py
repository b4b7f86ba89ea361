"""Accounts, passwords (argon2id, memory-hard), password sign-in with back-off and lockout, and sessions.

A session token is random; the database keeps its keyed hash, when it was issued and when it was last used, and the
account's epoch at the time. It is checked on every run, so deactivating an account or signing out (which bumps the
epoch) ends every session at once, and a session idle or old beyond the settings ends by itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ldcore.errors import AccessDenied, Conflict, Invalid, NotFound, invalid_from
from ldcore.models import Account, AccountSession, AppState, SignInThrottle, utcnow
from ldcore.schemas import AccountIn, AccountOut
from ldcore.services import audit
from ldcore.settings import get_settings
from ldcore.vocab import ROLE_RANK

_hasher = PasswordHasher()
# Verifying an unknown email costs as much as a known one, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def create_account(
    session: Session, *, email: str, role: str, password: str, name: str = "", actor: str = "cli"
) -> AccountOut:
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
    was_role, was_active = account.role, account.active
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
        was_role=was_role,
        was_active=was_active,
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


# --- signing in: back-off and lockout --------------------------------------------------------------------------

LOCK_AFTER_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCKED_FOR = dt.timedelta(minutes=15)
# A client address is often shared (an office behind one proxy), so its back-off starts only after this many.
ADDRESS_GRACE = 10
WRONG = "Email or password is not right, or the account is deactivated."


@dataclass(frozen=True)
class SignInResult:
    """A signed-in account and its new session token, or (account None) the message to show."""

    account: AccountOut | None
    token: str = ""
    message: str = ""


def _backoff(failures: int) -> dt.timedelta:
    """The wait before the next try after `failures` recent failures: 1 s, 2 s, 4 s, … up to the lock time."""
    return min(dt.timedelta(seconds=2 ** (failures - 1)), LOCKED_FOR) if failures > 0 else dt.timedelta(0)


def _throttle(session: Session, key: str, now: dt.datetime) -> SignInThrottle:
    """The row counting failures for `key`, locked for this transaction (created first if missing, without racing a
    concurrent attempt), its count restarted when the window has passed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, window_started_at=now, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=[SignInThrottle.key])
    )
    row = session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None  # inserted just above when missing
    if now - row.window_started_at > FAILURE_WINDOW:
        row.failures, row.window_started_at = 0, now
    return row


def _wait_text(delta: dt.timedelta) -> str:
    seconds = max(1, math.ceil(delta.total_seconds()))
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    ip: str = "",
    now: dt.datetime | None = None,
    handoff: bool = False,
) -> SignInResult:
    """Check a password sign-in, slowed per typed email and per client address, and locked after repeated failures.

    Refusals never say whether the email has an account: an unknown email backs off and locks exactly like a known
    one. An attempt refused while waiting or locked is not checked (and costs no password hash). With `handoff` the
    token returned is a one-time code for `redeem_handoff`."""
    if not get_settings().auth.password_sign_in:
        return SignInResult(None, message="Password sign-in is switched off here; sign in with your company account.")
    if "\x00" in email:  # in no stored address, and Postgres refuses it in a query: a wrong sign-in, not an error
        return SignInResult(None, message=WRONG)
    now = now or utcnow()
    typed = email.strip().lower()[:320]
    where = {"ip": ip} if ip else {}
    session.execute(delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - FAILURE_WINDOW - LOCKED_FOR))
    by_email = _throttle(session, f"email:{typed}", now)
    by_address = _throttle(session, f"ip:{ip[:200]}", now) if ip else None
    if by_email.locked_until and by_email.locked_until > now:
        return SignInResult(
            None,
            message=f"Too many failed sign-ins for this email. Try again in {_wait_text(by_email.locked_until - now)}, "
            "or ask an admin to unlock the account.",
        )
    wait = by_email.last_failure_at + _backoff(by_email.failures) - now
    if by_address is not None:
        wait = max(wait, by_address.last_failure_at + _backoff(by_address.failures - ADDRESS_GRACE) - now)
    if wait > dt.timedelta(0):
        return SignInResult(None, message=f"Too many failed sign-ins. Wait {_wait_text(wait)} and try again.")

    account = session.scalar(select(Account).where(Account.email == typed))
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
        verified = account is not None and account.active
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        # Someone may type their password into the email field: only something shaped like an email is recorded.
        named = typed if "@" in typed else "(not an email)"
        audit.record(session, actor=named, action="sign_in.failed", entity="account", key=named, **where)
        for row in (by_email, by_address):
            if row:
                row.failures += 1
                row.last_failure_at = now
        if by_email.failures >= LOCK_AFTER_FAILURES:
            by_email.failures, by_email.locked_until = 0, now + LOCKED_FOR
            audit.record(session, actor="system", action="sign_in.lockout", entity="account", key=named, **where)
        return SignInResult(None, message=WRONG)
    assert account is not None  # verified

    session.delete(by_email)
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    account.last_sign_in_at = now
    audit.record(session, actor=account.email, action="sign_in", entity="account", key=account.email, **where)
    return SignInResult(
        AccountOut.model_validate(account),
        token=issue_session_token(session, account_id=account.id, now=now, handoff=handoff),
    )


def locked_emails(session: Session, *, now: dt.datetime | None = None) -> list[str]:
    """Emails of accounts locked now after repeated failed sign-ins."""
    rows = session.scalars(select(SignInThrottle.key).where(SignInThrottle.locked_until > (now or utcnow())))
    typed = {key.removeprefix("email:") for key in rows if key.startswith("email:")}
    return sorted(session.scalars(select(Account.email).where(Account.email.in_(typed))))


def unlock(session: Session, *, email: str, actor: str) -> None:
    """Lift a lockout (and the back-off) for an account now."""
    account = _get(session, email)
    row = session.get(SignInThrottle, f"email:{account.email}")
    if row is not None:
        session.delete(row)
    audit.record(session, actor=actor, action="account.unlock", entity="account", key=account.email)


# --- single sign-on ---------------------------------------------------------------------------------------------

WAITING_FOR_ROLE = "You are signed in with your company account, but LD Align has no role for you yet. Ask an admin."
_NO_PASSWORD = "!sso"  # not an argon2 hash: no password ever matches it


def sso_role(*, email: str, claims: dict[str, Any]) -> str | None:
    """The role the settings give a person signing in through single sign-on, or None."""
    auth = get_settings().auth
    values = claims.get(auth.sso_claim) or []
    values = values if isinstance(values, list) else [values]
    keys = {email, "@" + email.rsplit("@", 1)[-1], *(str(v).lower() for v in values)}
    roles = [auth.sso_roles[k] for k in keys if auth.sso_roles.get(k) in ROLE_RANK]
    if roles:
        return max(roles, key=ROLE_RANK.__getitem__)
    return auth.sso_default_role if auth.sso_default_role in ROLE_RANK else None


def sign_in_sso(
    session: Session, *, email: str, claims: dict[str, Any], ip: str = "", handoff: bool = False
) -> SignInResult:
    """Sign in a person the OpenID provider vouched for. The mapped role is applied (a change is audited); without
    one, a known active account keeps the role an admin gave it, and a new person is recorded inactive so an admin
    can grant a role."""
    email = email.strip().lower()
    where = {"ip": ip} if ip else {}
    role = sso_role(email=email, claims=claims)
    account = session.scalar(select(Account).where(Account.email == email))
    if account is None:
        account = Account(email=email, role=role or "viewer", name=str(claims.get("name") or "")[:200],
                          password_hash=_NO_PASSWORD, active=role is not None)  # fmt: skip
        session.add(account)
        session.flush()
        audit.record(session, actor="sso", action="account.create", entity="account", key=email, role=account.role,
                     active=account.active)  # fmt: skip
    elif role is not None and role != account.role:
        audit.record(session, actor="sso", action="account.update", entity="account", key=email, role=role,
                     was_role=account.role)  # fmt: skip
        account.role = role
        _keep_an_admin(session)
    if not account.active:
        audit.record(session, actor=email, action="sign_in.sso_refused", entity="account", key=email, **where)
        return SignInResult(None, message=WAITING_FOR_ROLE)
    account.last_sign_in_at = utcnow()
    audit.record(session, actor=email, action="sign_in.sso", entity="account", key=email, **where)
    return SignInResult(
        AccountOut.model_validate(account), token=issue_session_token(session, account_id=account.id, handoff=handoff)
    )


# --- session tokens ------------------------------------------------------------------------------------------


def signing_secret(session: Session) -> bytes:
    """From settings when configured; else generated once and kept in the database, so replicas agree."""
    configured = get_settings().secret_key
    if configured:
        return configured.encode()
    row = session.get(AppState, "session_secret")
    if row is None:
        row = AppState(key="session_secret", value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return row.value.encode()


def _token_hash(session: Session, token: str) -> str:
    return hmac.new(signing_secret(session), token.encode(), hashlib.sha256).hexdigest()


HANDOFF_SECONDS = 60


def issue_session_token(
    session: Session, *, account_id: int, now: dt.datetime | None = None, handoff: bool = False
) -> str:
    """A new random session token (a fresh one at every sign-in); only its keyed hash is stored.

    With `handoff`, the token is a one-time code, good for a minute, that `redeem_handoff` trades for the session
    token — so the server can set the cookie itself (HttpOnly) and the token never passes through the page."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        AccountSession(
            token_hash=_token_hash(session, token),
            account_id=account.id,
            epoch=account.session_epoch,
            created_at=now,
            last_seen_at=now,
            handoff_until=now + dt.timedelta(seconds=HANDOFF_SECONDS) if handoff else None,
        )
    )
    session.flush()
    return token


def redeem_handoff(session: Session, *, code: str, now: dt.datetime | None = None) -> str | None:
    """The session token for a one-time sign-in code, or None when the code is unknown, used or over a minute old."""
    now = now or utcnow()
    if not isinstance(code, str) or not code or len(code) > 100:
        return None
    row = session.scalar(
        select(AccountSession).where(AccountSession.token_hash == _token_hash(session, code)).with_for_update()
    )
    if row is None or row.handoff_until is None or row.handoff_until < now:
        return None
    token = secrets.token_urlsafe(32)
    row.token_hash, row.handoff_until, row.created_at, row.last_seen_at = _token_hash(session, token), None, now, now
    return token


def _live_session(session: Session, token: str | None, now: dt.datetime) -> AccountSession | None:
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    if not get_settings().secret_key and session.get(AppState, "session_secret") is None:
        return None  # no session was ever issued; a read must not create the secret
    row = session.scalar(select(AccountSession).where(AccountSession.token_hash == _token_hash(session, token)))
    if row is None or row.handoff_until is not None:
        return None
    limits = get_settings().auth
    idle = now - row.last_seen_at > dt.timedelta(hours=limits.session_idle_hours)
    old = now - row.created_at > dt.timedelta(days=limits.session_max_days)
    return None if idle or old else row


def account_for_token(session: Session, *, token: str | None, now: dt.datetime | None = None) -> AccountOut | None:
    """The account a session token belongs to, or None when it is unknown, idle too long, too old or signed out."""
    row = _live_session(session, token, now or utcnow())
    if row is None:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active or account.session_epoch != row.epoch:
        return None
    return AccountOut.model_validate(account)


def touch_session(session: Session, *, token: str, now: dt.datetime | None = None) -> None:
    """Note that a signed-in browser is still in use, which pushes back its idle timeout."""
    now = now or utcnow()
    row = _live_session(session, token, now)
    if row is not None:
        row.last_seen_at = now


def sign_out_everywhere(session: Session, *, account_id: int) -> None:
    account = session.get(Account, account_id)
    if account is not None:
        account.session_epoch += 1
        session.execute(delete(AccountSession).where(AccountSession.account_id == account.id))
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


def remember_plan(session: Session, *, account_id: int, plan_key: str) -> None:
    """The plan the person chose last, where their next sign-in starts (not audited: a preference, not an act)."""
    account = session.get(Account, account_id)
    if account is not None:
        account.last_plan = plan_key
