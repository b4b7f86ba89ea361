"""The process's engine, built once per database URL and cached by Streamlit (never at import time); respondents'
writes, one at a time per process; and the plan a person works on, kept across pages (session state and `?plan=` in
the address) and across sign-ins (per account)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ldcore.db import ensure_schema, get_engine, unit_of_work
from ldcore.errors import Busy
from ldcore.settings import get_settings

PLAN_KEY = "ldalign_plan"  # the picker's widget key: Streamlit forgets it on a page without the picker
CHOSEN_KEY = "ldalign_plan_chosen"  # the choice itself, kept while the person visits such pages
PLAN_PARAM = "plan"
PLAN_PARAM_SEEN = "ldalign_plan_param_seen"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = get_engine(url)
    ensure_schema(engine)
    return engine


def engine() -> Engine:
    return _engine_for(get_settings().database_url)


_RESPONDENT_WRITES = threading.Lock()
QUEUE_SECONDS = 30  # the queue always moves (each write waits at most `wait_seconds` on the database): only a stuck
# database makes a respondent wait this long; a busy machine (fifty browsers on two cores) only makes it slow


@contextmanager
def respondent_write(wait_seconds: float, *, queue_seconds: float = QUEUE_SECONDS) -> Iterator[Session]:
    """A respondent's write (a submission, a kept draft) as one transaction, one at a time in this process; `Busy`
    after `queue_seconds` in the queue or `wait_seconds` on the database's lock.

    Such writes queue on the database anyway: SQLite has one writer, and on Postgres the answers of one team add to
    the same running-total rows. Waiting on the database is the slow way to queue when fifty people press Send at
    once: SQLite's waiters poll and sleep between tries, and a Postgres transaction holding those rows shares the
    interpreter with fifty sessions before it can commit. Queued here, each write starts the moment the one before
    it ends (measured: 50 at once, p95 from Send to the thank-you page 1.1 → 0.65 s on SQLite)."""
    if not _RESPONDENT_WRITES.acquire(timeout=queue_seconds):
        raise Busy("Too many answers arrived at once; nothing was saved. Please try again in a moment.")
    try:
        with unit_of_work(engine(), wait_seconds=wait_seconds) as session:
            yield session
    finally:
        _RESPONDENT_WRITES.release()


def address_plan() -> str | None:
    """The `?plan=` of the address when it is new to this tab (opened or changed by hand), else None: once
    taken, the address follows the picker, not the other way round."""
    try:
        asked = st.query_params.get(PLAN_PARAM)
    except Exception:  # no browser context (bare script run)
        return None
    if not asked or asked == st.session_state.get(PLAN_PARAM_SEEN):
        return None
    st.session_state[PLAN_PARAM_SEEN] = asked
    return asked


def preselect_plan(keys: list[str], *, last_used: str | None) -> None:
    """Before the plan picker is drawn: the plan in a new address, else the one chosen in this tab, else the one the
    account used last, else the first of `keys` (the most recent plan)."""
    candidates = (address_plan(), st.session_state.get(PLAN_KEY), st.session_state.get(CHOSEN_KEY), last_used)
    st.session_state[PLAN_KEY] = next((c for c in candidates if c in keys), keys[0])


def chosen_plan() -> str | None:
    """The plan this tab works on, whichever page chose it last."""
    return st.session_state.get(CHOSEN_KEY)


def show_plan_in_address(plan_key: str) -> None:
    """Keep the plan on show as the tab's choice; `?plan=` follows it, so the address can be bookmarked or sent."""
    st.session_state[CHOSEN_KEY] = st.session_state[PLAN_PARAM_SEEN] = plan_key
    if st.query_params.get(PLAN_PARAM) != plan_key:
        st.query_params[PLAN_PARAM] = plan_key


def choose_plan(plan_key: str) -> None:
    """Make `plan_key` the plan on show, before any picker is drawn (e.g. the plan of a share link a signed-in person
    opened, or a plan just created)."""
    st.session_state[PLAN_KEY] = st.session_state[CHOSEN_KEY] = plan_key
