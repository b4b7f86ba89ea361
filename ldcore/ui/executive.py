"""The executive view's data for pages, cached per (plan, database, data version), and the pieces the page draws.

The data version changes with every write, so the cache is fresh the moment a KPI import or a response lands; the
page's live fragment polls the same version (one primary-key read) and reruns the page when it moves.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ldcore.db import data_version, read_session
from ldcore.reporting import delivery
from ldcore.services import impact, reports, sharing
from ldcore.ui.state import engine

TTL_SECONDS = 3600
MAX_ENTRIES = 16


def version() -> int:
    return data_version(engine())


def _db() -> str:
    return engine().url.render_as_string(hide_password=True)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _view(db: str, version: int, plan_key: str) -> impact.Executive:
    with read_session(engine()) as session:
        return impact.executive_view(session, plan_key=plan_key)


def executive_view(plan_key: str, at_version: int) -> impact.Executive:
    return _view(_db(), at_version, plan_key)


def report_html(plan_key: str) -> str:
    with read_session(engine()) as session:
        return reports.report_html(session, plan_key=plan_key)


def report_pack(plan_key: str, fmt: str) -> bytes:
    """The PDF or PowerPoint pack, rendered when a download button is clicked (not on every rerun)."""
    with read_session(engine()) as session:
        return delivery.render_pack(session, plan_key=plan_key, fmt=fmt).content


def tile_delta(tile: impact.KpiTile) -> str | None:
    return None if tile.change is None else reports.fmt_change(tile.change, tile.unit)


def tile_help(tile: impact.KpiTile) -> str:
    progress = "no measurement yet" if tile.progress_pct is None else f"{tile.progress_pct:.0f}% of the way"
    elapsed = "" if tile.expected_pct is None else f", {tile.expected_pct:.0f}% of the time gone"
    return (
        f"Baseline {reports.fmt_value(tile.baseline, tile.unit)} ({tile.baseline_date:%b %Y}) → target "
        f"{reports.fmt_value(tile.target, tile.unit)} ({tile.target_date:%b %Y}): {progress}{elapsed}."
    )


def chain_table(chain: impact.Chain) -> pd.DataFrame:
    return pd.DataFrame(reports.chain_rows(chain), columns=["level", "measure", "value", "n", "note"])


def roi_table(view: impact.Executive) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "program": r.name,
                "method": r.isolation or "—",
                "costs": reports.fmt_money(r.costs),
                "first-year benefits": reports.fmt_money(r.benefits),
                "benefit-cost ratio": reports.fmt_value(r.bcr, "ratio"),
                "ROI": reports.fmt_value(r.roi_pct, "%"),
                "payback": reports.fmt_value(r.payback_months, "months"),
            }
            for r in view.roi
        ]
    )


def observations_table(effect) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"group": o.group, "window": o.window, "team": o.team, "date": o.date, "value": o.value}
            for o in effect.observations
        ]
    )


def share_links_table(links: list[sharing.ShareLinkOut]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": link.id,
                "label": link.label,
                "status": link.status,
                "expires": f"{link.expires_at:%Y-%m-%d %H:%M}",
                "created by": link.created_by,
            }
            for link in links
        ]
    )
