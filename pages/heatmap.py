"""Capability gaps: the team × capability heatmap of one survey wave, and the baseline → follow-up change."""

import streamlit as st

from ldcore.errors import NotFound
from ldcore.reporting import charts, fmt
from ldcore.ui import cache, guard, widgets
from ldcore.ui import evidence_view as view

guard.require("viewer")
st.title("Capability gaps")
st.caption(
    "Where the business needs people to be, minus where they say they are today. Groups smaller than the survey's "
    "minimum are never shown."
)
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()

waves = cache.heatmap_waves(plan_key)
if not waves:
    st.info("No survey wave of this plan rates proficiency yet: launch a capability baseline survey first.")
    st.stop()
wave_keys = [w.key for w in waves]
titles = {w.key: f"{w.title} ({w.key}, {w.kind})" for w in waves}
default = next((n for n, w in enumerate(waves) if w.kind == "baseline"), 0)
left, right = st.columns([2, 3])
wave_key = left.selectbox("Survey wave", wave_keys, index=default, format_func=titles.get, key="heatmap_wave")
measure = right.radio(
    "Measure", list(view.MEASURES), format_func=str.capitalize, horizontal=True, key="heatmap_measure"
)

try:
    heat = cache.heatmap(plan_key, wave_key)
except NotFound as error:
    st.warning(widgets.plain(error))
    st.stop()
mark = fmt.hidden(heat.wave.min_group)

st.subheader(view.MEASURES[measure])
st.caption(
    f"Teams and capabilities sorted by priority, highest first. {mark} means fewer than {heat.wave.min_group} "
    "people answered, so the figure is hidden (and so is any total it would reveal). 'no data' means nobody in the "
    "team has answered yet; — means no target."
)
st.plotly_chart(cache.heatmap_figure(plan_key, wave_key, measure), width="stretch", key="heatmap_chart")
grid = view.grid_table(heat, measure)
st.dataframe(grid, hide_index=True, width="stretch", height=min(40 + 35 * len(grid), 760), key="heatmap_table")
st.download_button(
    "Download the table (CSV)",
    data=lambda: view.cells_csv(heat),  # built when clicked
    file_name=f"capability-gaps-{heat.wave.key}.csv",
    mime="text/csv",
    key="heatmap_download",
)

left, right = st.columns(2)
with left:
    st.subheader("Top priority gaps")
    if heat.top_gaps:
        st.dataframe(view.top_gaps_table(heat), hide_index=True, width="stretch")
        uncovered = sum(not g.covered for g in heat.top_gaps)
        if uncovered:
            st.warning(f"{uncovered} of the top {len(heat.top_gaps)} gaps have no initiative for that team.")
    else:
        st.info("No gap against a target in this wave.")
with right:
    st.subheader("Burden per team")
    st.caption("Headcount × the team's total gap: proficiency levels the team is short, person by person.")
    st.dataframe(view.burden_table(heat), hide_index=True, width="stretch")

st.subheader("Drill down")
by = st.radio("Into", ["team", "capability"], horizontal=True, key="heatmap_drill_by")
groups_of = heat.teams if by == "team" else heat.capabilities
options = {g.key: g.name for g in groups_of}
chosen = st.selectbox(f"Which {by}", list(options), format_func=options.get, key=f"heatmap_drill_{by}")
if chosen is not None:
    groups = cache.distribution(plan_key, wave_key, **{f"{by}_key": chosen})
    hidden_groups = [g.name for g in groups if g.suppressed]
    if any(not g.suppressed for g in groups):
        st.plotly_chart(
            charts.distribution_figure(groups, f"Answers per proficiency level: {options[chosen]}"),
            width="stretch",
            key="heatmap_drill_chart",
        )
    if hidden_groups:
        st.caption(f"Not shown ({mark} answers): " + widgets.plain(", ".join(hidden_groups)))
    if by == "team":
        st.markdown("**Against the company**")
        st.caption(
            f"The team's mean next to the company's: every team with at least {heat.wave.min_group} answers to the "
            "capability, pooled."
        )
        st.dataframe(
            view.benchmark_table(heat, cache.benchmark(plan_key, wave_key, chosen)),
            hide_index=True,
            width="stretch",
            key="heatmap_benchmark",
        )

st.header("Over time")
series = cache.trends_of(plan_key)
if series is None or not series.series:
    st.info("No survey series with enough answers yet.")
else:
    st.caption(
        "Mean skill level in the baseline and every follow-up chained to it, with a 95% confidence band. A team "
        "appears in a survey only when at least the minimum group answered; all teams pools the teams shown. "
        + widgets.plain(" → ".join(f"{w.title} ({w.key})" for w in series.waves))
    )
    cap_names = {c.key: c.name for c in series.capabilities}
    team_names: dict[str | None, str] = {None: "All teams", **{t.key: t.name for t in series.teams}}
    left, right = st.columns([1, 2])
    capability = left.selectbox("Capability", list(cap_names), format_func=cap_names.get, key="trend_capability")
    with_team = [s.team for s in series.series if s.capability == capability and s.team is not None]
    picked = right.multiselect(
        "Teams", with_team, format_func=team_names.get, placeholder="Add teams to compare", key="trend_teams"
    )
    shown = [s for s in series.series if s.capability == capability and (s.team is None or s.team in picked)]
    st.plotly_chart(
        charts.capability_trend_figure(shown, team_names, f"{cap_names[capability]} over time"),
        width="stretch",
        key="trend_chart",
    )

st.header("Baseline → follow-up")
result = cache.prepost(plan_key)
if result is None:
    st.info("No follow-up wave with a baseline yet: the change shows once a follow-up survey has answers.")
    st.stop()
st.caption(
    widgets.plain(f"{result.baseline.title} ({result.baseline.key}) → {result.followup.title} ({result.followup.key})")
)
overall = [r for r in result.rows if r.team is None]
if not overall:
    st.info(f"No capability has at least {heat.wave.min_group} answers in both waves yet.")
    st.stop()
paired = sum(r.paired for r in overall)
real = sum(r.p_value is not None and r.p_value < 0.05 for r in overall)
st.markdown(
    f"**{real} of {len(overall)} capabilities** show a change that is likely real; for the others it could be chance."
)
st.caption(
    f"Test used: paired t-test (people who answered both waves) for {paired} of {len(overall)} capabilities, "
    f"Welch's t-test for {len(overall) - paired}. Change = mean per-person difference for paired rows, difference "
    "of the means otherwise; effect size is Cohen's d.",
    help=" ".join(f"**{name}**: {text}" for name, text in view.STATISTICS_HELP.items()),
)
st.plotly_chart(cache.change_figure(plan_key, "dumbbell"), width="stretch", key="prepost_dumbbell")
show_teams = st.toggle("Show every team", key="prepost_teams")
rows = result.rows if show_teams else overall
st.dataframe(
    view.change_table(result, rows),
    hide_index=True,
    width="stretch",
    key="prepost_table",
    column_config=view.statistics_columns(),
)

st.subheader("Applied on the job (level 3)")
st.caption("Share of follow-up answers applying each capability at least once or twice in the last 30 days.")
if any(not a.suppressed for a in result.application):
    st.plotly_chart(cache.change_figure(plan_key, "application"), width="stretch", key="prepost_applied")
else:
    st.info("Not enough follow-up answers about applying capabilities yet.")
likert = [r for r in result.likert if show_teams or r.team is None]
if likert:
    st.caption("Before → after for the per-capability questions both waves asked (same tests as proficiency):")
    for question in result.likert_questions:
        st.text(question.name)
        chosen = [r for r in likert if r.question == question.key]
        st.dataframe(
            view.change_table(result, chosen),
            hide_index=True,
            width="stretch",
            key=f"likert_{question.key}",
            column_config=view.statistics_columns(),
        )
