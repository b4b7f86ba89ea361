"""The pieces the executive page draws (its data is cached in `ldcore.ui.cache`), and its live check."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ldcore.analytics import roi
from ldcore.reporting import charts, contract, delivery, fmt, html
from ldcore.services import impact, sharing
from ldcore.ui import cache, widgets
from ldcore.vocab import ISOLATION_LABELS

REAL_CHANGE_HELP = (
    "Likely a real change: a change this large would rarely come from chance alone (p below 0.05 in a t-test — "
    "paired when the same people answered both surveys, Welch's otherwise). Could be chance: it may be noise."
)

SHOWN_KEY = "executive_version"
DRAWN_KEY = "executive_drawn"  # set by a whole-page run; the live check starts on the next tick
EVERY_KEY = "executive_poll_every"
SLOWEST_POLL_SECONDS = 30  # also how often the pace is reconsidered


def follow_the_data(plan_key: str, version: int) -> None:
    """Reruns the whole page as soon as this plan's data changes (new KPI values, survey answers, plan edits).

    A check is two index lookups and draws nothing. Right after the page was drawn it runs every
    `cache.LIVE_POLL_SECONDS`; each `SLOWEST_POLL_SECONDS` without a change the pause doubles, up to that, so an idle
    tab costs next to nothing, and the next change (a whole-page run) makes it quick again. Changing the pause
    reruns the small pace fragment only, never the whole app. No check while the page itself is being drawn: under
    a stream of responses that would redraw it forever, never showing it."""
    st.session_state[SHOWN_KEY] = version
    st.session_state[DRAWN_KEY] = True
    st.session_state[EVERY_KEY] = cache.LIVE_POLL_SECONDS

    @st.fragment(run_every=SLOWEST_POLL_SECONDS)
    def pace() -> None:
        drawn = st.session_state.pop(DRAWN_KEY, False)
        if not drawn:  # a pace tick: nothing changed since the last one
            st.session_state[EVERY_KEY] = min(SLOWEST_POLL_SECONDS, 2 * st.session_state[EVERY_KEY])

        @st.fragment(run_every=st.session_state[EVERY_KEY])
        def check() -> None:
            if st.session_state.pop(DRAWN_KEY, False):
                return
            if cache.version(plan_key) != st.session_state.get(SHOWN_KEY):
                st.rerun(scope="app")

        st.session_state[DRAWN_KEY] = drawn  # the page was just drawn from this version: no check inside its run
        check()

    pace()


def report_html(report: contract.Report) -> str:
    """The HTML report of the view the page shows, rendered when its download button is clicked."""
    return html.render(report)


def report_pack(report: contract.Report, format: str) -> bytes:
    """The PDF or PowerPoint pack of the view the page shows, rendered when a download button is clicked (not on
    every rerun)."""
    return delivery.pack_of(report, fmt=format).content


def tile_delta(tile: impact.KpiTile) -> str | None:
    return None if tile.change is None else fmt.change(tile.change, tile.unit)


def tile_help(tile: impact.KpiTile) -> str:
    progress = "no measurement yet" if tile.progress_pct is None else f"{fmt.pct(tile.progress_pct)} of the way"
    elapsed = "" if tile.expected_pct is None else f", {tile.expected_pct:.0f}% of the time gone"
    return (
        f"Baseline {fmt.value(tile.baseline, tile.unit)} ({tile.baseline_date:%b %Y}) → target "
        f"{fmt.value(tile.target, tile.unit)} ({tile.target_date:%b %Y}): {progress}{elapsed}."
    )


def status_table(view: impact.Executive) -> Styler:
    """The 30-second table, its status cells coloured (colour-blind safe, and the status written out)."""
    rows = contract.status_rows(view)
    statuses = [r["status"] for r in rows]
    table = as_typed(pd.DataFrame(rows, columns=contract.STATUS_COLUMNS))

    def colour(column: pd.Series) -> list[str]:
        if column.name != "Status":
            return [""] * len(column)
        fills = [charts.STATUS_COLOURS[s] for s in statuses]
        return [f"background-color: {c}; color: {charts.text_on(c)}" for c in fills]

    return table.style.apply(colour)


def as_typed(table: pd.DataFrame) -> pd.DataFrame:
    """st.table renders Markdown in its cells: every text cell is escaped so names show as typed, never as links
    or images."""
    return table.map(lambda cell: widgets.plain(cell) if isinstance(cell, str) else cell)


def gap_closure_table(view: impact.Executive) -> pd.DataFrame:
    return as_typed(
        pd.DataFrame(
            [
                {
                    "capability": g.name,
                    "before": fmt.number(g.pre_mean),
                    "after": fmt.number(g.post_mean),
                    "change": f"{g.delta:+.2f}",
                    "real change?": fmt.likely_real(g.p_value),
                    "gap closed": fmt.pct(g.gap_closed),
                }
                for g in view.gap_closure
            ]
        )
    )


def chain_table(chain: impact.Chain) -> pd.DataFrame:
    return pd.DataFrame(contract.chain_rows(chain), columns=["level", "measure", "value", "n", "note"])


def roi_table(view: impact.Executive) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "program": r.name,
                "method": ISOLATION_LABELS.get(r.isolation or "", fmt.NO_VALUE),
                "costs": fmt.money(r.costs),
                "first-year benefits": fmt.money(r.benefits),
                "benefit-cost ratio": fmt.value(r.bcr, "ratio"),
                "ROI": fmt.value(r.roi_pct, "%"),
                "payback": fmt.value(r.payback_months, "months"),
            }
            for r in view.roi
        ]
    )


def observations_table(effect: roi.KpiEffect) -> pd.DataFrame:
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
