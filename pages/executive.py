"""Executive view: is our L&D investment moving the numbers we care about? Live, and shareable read-only."""

import datetime as dt

import streamlit as st

from ldcore.db import read_session
from ldcore.errors import LDAlignError
from ldcore.reporting import delivery, pdf
from ldcore.services import accounts, reports, sharing
from ldcore.ui import cache, guard, widgets
from ldcore.ui import executive as ex
from ldcore.ui.state import engine

POLL_SECONDS = 2
VERSION_KEY = "executive_version"
BADGE = {"on_track": "green", "at_risk": "orange", "off_track": "red", None: "gray"}

access = guard.require_viewer_or_share()
if access.shared_plan is not None:
    plan_key: str | None = access.shared_plan
else:
    plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

version = ex.version()
st.session_state[VERSION_KEY] = version
view = ex.executive_view(plan_key, version)


@st.fragment(run_every=POLL_SECONDS)
def follow_the_data() -> None:
    """Reruns the whole page as soon as any write lands (new KPI values, survey answers, plan edits)."""
    if ex.version() != st.session_state.get(VERSION_KEY):
        st.rerun(scope="app")


st.title(widgets.plain(view.plan_name))
if access.shared_plan is not None:
    st.caption("A read-only view shared with you. It shows this plan only.")
follow_the_data()
st.caption(f"Live: updated at {dt.datetime.now():%H:%M:%S}")

st.subheader("In short")
st.markdown("\n".join(f"- {widgets.plain(line)}" for line in view.narrative))

st.header("Objectives")
for card in view.scorecards:
    with st.container(border=True):
        st.subheader(widgets.plain(card.title))
        st.badge(reports.STATUS_LABELS[card.status], color=BADGE[card.status])
        if not card.kpis:
            st.caption("No KPI measures this objective yet.")
        columns = st.columns(max(1, min(3, len(card.kpis))))
        for n, tile in enumerate(card.kpis):
            with columns[n % len(columns)]:
                st.metric(
                    widgets.plain(tile.name),
                    widgets.plain(reports.fmt_value(tile.current, tile.unit)),
                    delta=ex.tile_delta(tile),
                    delta_color="normal" if tile.direction == "up" else "inverse",
                    delta_description="since baseline",
                    help=widgets.plain(ex.tile_help(tile)),
                    chart_data=[v for _, v in tile.series] or None,
                    border=True,
                )
                st.caption(
                    widgets.plain(
                        f"{reports.fmt_value(tile.baseline, tile.unit)} → {reports.fmt_value(tile.current, tile.unit)} "
                        f"→ target {reports.fmt_value(tile.target, tile.unit)} · {reports.STATUS_LABELS[tile.status]}"
                    )
                )
if any(t.progress_pct is not None for card in view.scorecards for t in card.kpis):
    st.plotly_chart(reports.progress_figure(view), width="stretch", key="executive_progress")

st.header("Alignment and budget")
a = view.alignment
cols = st.columns(3)
cols[0].metric("Programs aligned", "—" if a.aligned_pct is None else f"{a.aligned_pct:.0f}%")
cols[1].metric("Aligned programs", f"{a.aligned} of {a.initiatives}")
cols[2].metric("L&D budget", reports.fmt_money(a.budget))
if a.unaligned:
    st.warning("Not linked to an objective and a KPI: " + ", ".join(widgets.plain(name) for name in a.unaligned))
if a.budget_by_objective:
    st.plotly_chart(reports.budget_figure(view), width="stretch", key="executive_budget")

st.header("Skills gap closed")
if view.gap_closure:
    st.caption("Mean skill level before and after, across the teams large enough to report.")
    st.plotly_chart(reports.gap_closure_figure(view), width="stretch", key="executive_gap_closure")
else:
    st.info("No follow-up survey with a baseline yet: this fills in once people answer the follow-up.")

skills = cache.trends_of(plan_key)
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
        reports.skills_trend_figure(skills, trend_team or None), width="stretch", key="executive_skills_trend"
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
    data=lambda: ex.report_html(plan_key),
    file_name=f"ld-align-{plan_key}.html",
    mime="text/html",
    on_click="ignore",
    key="executive_download",
)
downloads[1].download_button(
    "Download the slides (PowerPoint)",
    data=lambda: ex.report_pack(plan_key, "pptx"),
    file_name=f"ld-align-{plan_key}.pptx",
    mime=delivery.FORMATS["pptx"],
    on_click="ignore",
    key="executive_download_pptx",
)
downloads[2].download_button(
    "Download the report (PDF)",
    data=lambda: ex.report_pack(plan_key, "pdf"),
    file_name=f"ld-align-{plan_key}.pdf",
    mime=delivery.FORMATS["pdf"],
    on_click="ignore",
    disabled=not pdf.available(),
    help=None if pdf.available() else pdf.CHROMIUM_MISSING,
    key="executive_download_pdf",
)
st.caption("Each file is prepared when you click, from the figures on this page; the PDF takes a few seconds.")

if access.account is not None and accounts.has_role(access.account, "admin"):
    st.header("Share links")
    st.caption("A link opens this plan's executive view read-only, without an account, until it expires or is revoked.")
    with st.form("share_create", clear_on_submit=True):
        label = st.text_input("For whom", key="share_label", placeholder="e.g. Board meeting, March")
        days = st.number_input("Valid for (days)", min_value=1, max_value=sharing.MAX_DAYS, value=sharing.DEFAULT_DAYS)
        create = st.form_submit_button("Create a share link")
    if create:
        try:
            with guard.transaction("admin") as (session, _):
                created = sharing.create_share_link(
                    session, plan_key=plan_key, days=int(days), label=label, actor=access.account.email
                )
        except LDAlignError as error:
            st.error(str(error))
        else:
            st.success("Link created. Copy it now: it is shown only once.")
            st.code(sharing.share_url(created.token), language=None)
    with read_session(engine()) as session:
        links = sharing.list_share_links(session, plan_key=plan_key)
    if links:
        st.dataframe(ex.share_links_table(links), hide_index=True, width="stretch", key="share_links")
        active = {link.id: f"#{link.id} {link.label}" for link in links if link.status == "active"}
        if active:
            chosen = st.selectbox("Revoke", list(active), format_func=active.get, key="share_revoke_id")
            if st.button("Revoke this link", key="share_revoke"):
                try:
                    with guard.transaction("admin") as (session, _):
                        sharing.revoke_share_link(session, link_id=chosen, actor=access.account.email)
                except LDAlignError as error:
                    st.error(str(error))
                else:
                    st.rerun()
