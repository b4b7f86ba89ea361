"""Widgets shared by pages. Each takes its session-state key from the caller where it keeps state."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import AccessDenied, Invalid
from ldcore.reporting import fmt
from ldcore.schemas import KpiIn
from ldcore.services import accounts, plans, surveys
from ldcore.settings import get_settings
from ldcore.ui import guard, state
from ldcore.ui.state import PLAN_KEY, engine

# Inline markdown (emphasis, code, links and images, HTML, tables, strikethrough, LaTeX) and Streamlit's
# directives (:red[...], :material/icon:); a list marker at the start of the text.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$]|:(?=[A-Za-z]))")
BLOCK_START = re.compile(r"^(\s*\d{0,9})([-+.)])(?=\s|$)")
# Bare addresses (http://…, www.…) become links even when escaped: an invisible word joiner breaks them up.
BARE_ADDRESS = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """User-supplied text (a plan, wave or team name, a message quoting one) made safe for any element that renders
    markdown (titles, captions, messages, widget labels, metrics): every markdown character shows as itself, so no
    link, image, colour or emphasis; one line."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).splitlines()))
    escaped = BARE_ADDRESS.sub(WORD_JOINER, escaped)
    return BLOCK_START.sub(r"\1\\\2", escaped)


def _remember_plan() -> None:
    try:
        with guard.transaction("viewer", bump=False) as (session, actor):
            accounts.remember_plan(session, account_id=actor.id, plan_key=st.session_state[PLAN_KEY])
    except AccessDenied:  # a stale tab: the page's own check says why
        pass


def plan_picker(label: str = "Plan") -> str | None:
    """A plan selector kept across pages (and in `?plan=`), starting from the plan the person used last, else the
    most recent; None (with a hint) when there is no plan yet."""
    with read_session(engine()) as session:
        available = plans.list_plans(session)
    if not available:
        st.info(
            "There is no plan yet. An editor creates one on the Strategy intake page, "
            "or with `ldalign plan import FILE.yaml`."
        )
        return None
    keys = [p.key for p in available]
    names = {p.key: f"{p.name} ({p.starts:%b %Y} – {p.ends:%b %Y})" for p in available}
    account = guard.current_account()
    state.preselect_plan(keys, last_used=account.last_plan if account else None)
    chosen = st.selectbox(label, keys, format_func=lambda k: str(names.get(k)), key=PLAN_KEY, on_change=_remember_plan)
    state.show_plan_in_address(chosen)
    return chosen


def show_problems(error: Invalid) -> None:
    """An error, then one line per refused field, so the person sees exactly what to fix."""
    st.error(plain(error) if not error.problems else "Please fix the fields below; nothing was saved.")
    for path, message in error.problems:
        st.error(f"**{plain(path)}**: {plain(message)}" if path else plain(message))


def kpi_table(kpis: Iterable[KpiIn]) -> pd.DataFrame:
    """KPIs of an objective (schemas.KpiIn) as the table both the overview and intake show."""
    return pd.DataFrame(
        [
            {
                "KPI": k.name,
                "unit": k.unit,
                "direction": k.direction,
                "baseline": k.baseline.value,
                "baseline date": k.baseline.date,
                "target": k.target.value,
                "target date": k.target.date,
                "value of one unit": fmt.money(k.unit_value),  # "—" when not set, never "None"
                "kind": k.kind,
            }
            for k in kpis
        ]
    )


def link_base(page: str) -> tuple[str, str]:
    """The address links start with, and where it comes from: the configured base URL, else the address this
    person's browser uses on `page`."""
    configured = get_settings().base_url
    if configured:
        return configured, "the configured base URL"
    seen = surveys.base_from_request(st.context.url, page)
    if seen:
        return seen, "the address you are using (no base URL is configured)"
    return "http://localhost:8501", "a local address (no base URL is configured; set LDALIGN_BASE_URL)"
