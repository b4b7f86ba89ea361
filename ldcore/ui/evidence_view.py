"""Tables of the evidence pages (their charts are in `ldcore.reporting.charts`). A suppressed figure shows as
"< 5" (the wave's minimum group) and never carries its value: not in a table, not in a download."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from ldcore.analytics.trends import BenchmarkRow
from ldcore.io import exports
from ldcore.reporting import charts, fmt
from ldcore.services.evidence import ChangeRow, Heatmap, PrePost

MEASURES = charts.HEATMAP_MEASURES
NO_VALUE = fmt.NO_VALUE
# What each statistics column means, for the tables' help text.
STATISTICS_HELP = {
    "real change?": "Whether the change is larger than chance alone would often give: likely a real change when "
    "p is below 0.05.",
    "test": "Paired t: the same people in both surveys, compared person by person. Welch t: the two groups of "
    "answers compared as a whole (used when too few people answered both).",
    "t": "The test statistic: the change divided by its uncertainty.",
    "df": "Degrees of freedom of the test.",
    "p": "The chance of a change at least this large if nothing had really changed.",
    "Cohen's d": "The size of the change in standard deviations: about 0.2 small, 0.5 medium, 0.8 large.",
    "95% CI": "The range the true change lies in, with 95% confidence.",
}


def statistics_columns() -> dict:
    """Help text on the statistics columns of a change table, so the terms explain themselves."""
    return {name: st.column_config.Column(help=text) for name, text in STATISTICS_HELP.items()}


def _total(heat: Heatmap, team: str, suppressed: bool, figure: float | None, digits: int = 2) -> str:
    """A team total: hidden, "no data" for a team nobody in answered (never a gap of 0), else the figure."""
    if suppressed:
        return fmt.hidden(heat.wave.min_group)
    return charts.NO_DATA if team in heat.unanswered else fmt.number(figure, digits)


def grid_table(heat: Heatmap, measure: str) -> pd.DataFrame:
    """The grid as text, with the team totals (gap, priority) or the all-teams means (current) where they apply."""
    _, text, _ = charts.heatmap_grid(heat, measure)
    table = pd.DataFrame(text, columns=[c.name for c in heat.capabilities], index=[t.name for t in heat.teams])
    mark = fmt.hidden(heat.wave.min_group)
    if measure in ("gap", "priority"):
        totals = {t.team: t for t in heat.team_totals}
        table["All capabilities (Σ)"] = [
            _total(heat, t.key, totals[t.key].suppressed, getattr(totals[t.key], measure)) for t in heat.teams
        ]
    if measure == "current":
        pooled = {c.capability: c for c in heat.capability_totals}
        table.loc["All teams"] = [
            mark if pooled[c.key].suppressed else fmt.number(pooled[c.key].current) for c in heat.capabilities
        ]
    table.index.name = "team"
    return table.reset_index()


def cells_csv(heat: Heatmap) -> bytes:
    """Every cell, long form; suppressed cells say "< 5" in n and leave every figure empty."""
    teams = {t.key: t.name for t in heat.teams}
    caps = {c.key: c.name for c in heat.capabilities}
    mark = fmt.hidden(heat.wave.min_group)
    rows = [
        [
            heat.wave.key,
            teams.get(c.team, c.team),
            caps.get(c.capability, c.capability),
            None if c.current is None else round(c.current, 3),
            c.target,
            None if c.gap is None else round(c.gap, 3),
            None if c.priority is None else round(c.priority, 3),
            mark if c.suppressed else c.n,
        ]
        for c in heat.cells
    ]
    return exports.to_csv(["wave", "team", "capability", "current", "target", "gap", "priority", "n"], rows)


def burden_table(heat: Heatmap) -> pd.DataFrame:
    names = {t.key: t.name for t in heat.teams}
    totals = sorted(heat.team_totals, key=lambda t: (t.suppressed, -(t.burden or 0.0)))
    return pd.DataFrame(
        [
            {
                "team": names[t.team],
                "headcount": t.headcount,
                "total gap (levels)": _total(heat, t.team, t.suppressed, t.gap),
                "burden (headcount × gap)": _total(heat, t.team, t.suppressed, t.burden, 0),
            }
            for t in totals
        ]
    )


def top_gaps_table(heat: Heatmap) -> pd.DataFrame:
    teams = {t.key: t.name for t in heat.teams}
    caps = {c.key: c.name for c in heat.capabilities}
    return pd.DataFrame(
        [
            {
                "team": teams[g.team],
                "capability": caps[g.capability],
                "gap": fmt.number(g.gap),
                "priority": fmt.number(g.priority, 1),
                "covered by": ", ".join(i.name for i in g.initiatives) if g.covered else "⚠ uncovered",
            }
            for g in heat.top_gaps
        ]
    )


def benchmark_table(heat: Heatmap, rows: Sequence[BenchmarkRow]) -> pd.DataFrame:
    """A team against the company per capability; a team group below the minimum shows the mark, never a value."""
    caps = {c.key: c.name for c in heat.capabilities}
    mark = fmt.hidden(heat.wave.min_group)
    return pd.DataFrame(
        [
            {
                "capability": caps[r.capability],
                "team": mark if r.team_mean is None else fmt.number(r.team_mean),
                "company": fmt.number(r.company_mean),
                "team − company": NO_VALUE if r.difference is None else f"{r.difference:+.2f}",
                "answers (team / company)": f"{mark if r.team_n is None else r.team_n} / {r.company_n}",
            }
            for r in rows
        ]
    )


def change_table(result: PrePost, rows: Sequence[ChangeRow]) -> pd.DataFrame:
    """One line per change row; a paired row shows the means of the paired answers, so change = follow-up −
    baseline of the figures beside it."""
    caps = {c.key: c.name for c in result.capabilities}
    teams = {t.key: t.name for t in result.teams}
    return pd.DataFrame(
        [
            {
                "capability": caps[r.capability],
                "team": "All teams" if r.team is None else teams[r.team],
                "baseline": fmt.number(r.paired_pre_mean if r.paired else r.pre_mean),
                "follow-up": fmt.number(r.paired_post_mean if r.paired else r.post_mean),
                "change": f"{r.delta:+.2f}",
                "real change?": fmt.likely_real(r.p_value),
                "95% CI": NO_VALUE if r.ci_low is None else f"{r.ci_low:+.2f} to {r.ci_high:+.2f}",
                "gap closed": fmt.pct(r.gap_closed),
                "n baseline": r.n_pre,
                "n follow-up": r.n_post,
                "pairs": r.n_pairs,
                "test": r.test,
                "t": fmt.number(r.t),
                "df": fmt.number(r.df, 1),
                "p": fmt.p_value(r.p_value),
                "Cohen's d": fmt.number(r.effect_size),
            }
            for r in rows
        ]
    )
