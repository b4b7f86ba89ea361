"""Executive view: is our L&D investment moving the numbers we care about? Live, and shareable read-only."""

import datetime as dt

import streamlit as st

from ldcore.reporting import charts, delivery, fmt, pdf
from ldcore.ui import cache, guard, widgets
from ldcore.ui import executive as ex

access = guard.require_viewer_or_share()
if access.shared_plan is not None:
    plan_key: str | None = access.shared_plan
else:
    plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

version = cache.version(plan_key)
report = cache.report_view(plan_key, version)
view = report.executive

st.title(widgets.plain(view.plan_name))
if access.shared_plan is not None:
    st.caption("A read-only view shared with you. It shows this plan only.")
ex.follow_the_data(plan_key, version)
st.caption(f"Live: updated at {dt.datetime.now():%H:%M:%S}")

st.subheader("Where we stand")
if view.scorecards:
    st.table(ex.status_table(view), border="horizontal", hide_index=True)
    st.caption(
        "Status compares each KPI's progress with the time gone: on track, at risk (behind) or off track (well "
        "behind). A KPI measured in % moves in points."
    )
else:
    st.info("No objectives yet: an editor adds them on the Strategy intake page.")

st.subheader("In short")
st.markdown("\n".join(f"- {widgets.plain(line)}" for line in view.narrative))

st.header("Objectives")
for card in view.scorecards:
    with st.container(border=True):
        st.subheader(widgets.plain(card.title))
        st.badge(fmt.STATUS_LABELS[card.status], color=charts.STATUS_BADGES[card.status])
        if not card.kpis:
            st.caption("No KPI measures this objective yet.")
        columns = st.columns(max(1, min(3, len(card.kpis))))
        for n, tile in enumerate(card.kpis):
            with columns[n % len(columns)]:
                st.metric(
                    widgets.plain(tile.name),
                    widgets.plain(fmt.value(tile.current, tile.unit)),
                    delta=ex.tile_delta(tile),
                    delta_color="normal" if tile.direction == "up" else "inverse",
                    delta_description="since baseline",
                    help=widgets.plain(ex.tile_help(tile)),
                    # No sparkline (chart_data): Streamlit 1.67 draws it with an unlabelled SVG group that screen
                    # readers announce as an image without a name (axe: svg-img-alt, serious).
                    border=True,
                )
                st.caption(
                    widgets.plain(
                        f"{fmt.value(tile.baseline, tile.unit)} → {fmt.value(tile.current, tile.unit)} "
                        f"→ target {fmt.value(tile.target, tile.unit)} · {fmt.STATUS_LABELS[tile.status]}"
                    )
                )
if any(t.progress_pct is not None for card in view.scorecards for t in card.kpis):
    st.plotly_chart(cache.report_figure(report, "progress"), width="stretch", key="executive_progress")

st.header("Alignment and budget")
a = view.alignment
cols = st.columns(3)
cols[0].metric("Programs aligned", fmt.pct(a.aligned_pct))
cols[1].metric("Aligned programs", f"{a.aligned} of {a.initiatives}")
cols[2].metric("L&D budget", fmt.money(a.budget))
if a.unaligned:
    st.warning("Not linked to an objective and a KPI: " + ", ".join(widgets.plain(name) for name in a.unaligned))
if a.budget_by_objective:
    st.plotly_chart(cache.report_figure(report, "budget"), width="stretch", key="executive_budget")

st.header("Skills gap closed")
if view.gap_closure:
    st.caption("Mean skill level before and after, across the teams large enough to report.")
    st.plotly_chart(cache.report_figure(report, "gap_closure"), width="stretch", key="executive_gap_closure")
    st.table(ex.gap_closure_table(view), border="horizontal", hide_index=True)
    st.caption(
        "“Likely a real change”: a change this large rarely comes from chance alone; “could be chance”: it may be "
        "noise.",
        help=ex.REAL_CHANGE_HELP,
    )
else:
    st.info("No follow-up survey with a baseline yet: this fills in once people answer the follow-up.")

skills = report.trends
if skills is not None and any(len(s.points) > 1 for s in skills.series if s.team is None):
    st.subheader("Skills over time")
    st.caption(
        "Mean skill level in the baseline and each follow-up survey, with a 95% confidence band. A team shows only "
        "the surveys at least the minimum group of its people answered; all teams pools the teams shown."
    )
    with_series = {s.team for s in skills.series}
    trend_teams = {"": "All teams"} | {t.key: t.name for t in skills.teams if t.key in with_series}
    trend_team = st.selectbox("Team", list(trend_teams), format_func=trend_teams.get, key="executive_trend_team")
    st.plotly_chart(
        cache.report_figure(report, "skills_trend", trend_team or None),
        width="stretch",
        key="executive_skills_trend",
    )

st.header("From learning to results")
st.caption(
    "For each program: reaction, learning, behaviour on the job, business results, return. "
    "Missing means no evidence yet."
)
for chain in view.chains:
    st.subheader(widgets.plain(chain.name))
    st.dataframe(ex.chain_table(chain), hide_index=True, width="stretch", key=f"executive_chain_{chain.initiative}")

st.header("Return on investment")
st.dataframe(ex.roi_table(view), hide_index=True, width="stretch", key="executive_roi")
with st.expander("How the return was worked out"):
    for result in view.roi:
        st.markdown(f"**{widgets.plain(result.name)}**")
        st.markdown("\n".join(f"1. {widgets.plain(step)}" for step in result.steps))
        for effect in result.effects:
            st.markdown(f"*{widgets.plain(effect.name)}*")
            st.markdown("\n".join(f"1. {widgets.plain(step)}" for step in effect.steps))
            if effect.observations:
                st.dataframe(ex.observations_table(effect), hide_index=True, width="stretch")

st.header("Take it into the room")
downloads = st.columns(3)
downloads[0].download_button(
    "Download the report (HTML)",
    data=lambda: ex.report_html(report),
    file_name=f"ld-align-{plan_key}.html",
    mime="text/html",
    on_click="ignore",
    key="executive_download",
)
downloads[1].download_button(
    "Download the slides (PowerPoint)",
    data=lambda: ex.report_pack(report, "pptx"),
    file_name=f"ld-align-{plan_key}.pptx",
    mime=delivery.FORMATS["pptx"],
    on_click="ignore",
    key="executive_download_pptx",
)
downloads[2].download_button(
    "Download the report (PDF)",
    data=lambda: ex.report_pack(report, "pdf"),
    file_name=f"ld-align-{plan_key}.pdf",
    mime=delivery.FORMATS["pdf"],
    on_click="ignore",
    disabled=not pdf.available(),
    help=None if pdf.available() else pdf.CHROMIUM_MISSING,
    key="executive_download_pdf",
)
st.caption("Each file is prepared when you click, from the figures on this page; the PDF takes a few seconds.")
