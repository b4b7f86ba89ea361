"""Tables and charts of the evidence pages. A suppressed figure is drawn as "< 5" (the wave's minimum group) and
never carries its value: not in the chart's data or hover, not in a table, not in a download."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from ldcore.analytics.trends import BenchmarkRow
from ldcore.io import exports
from ldcore.services.evidence import ChangeRow, Distribution, Heatmap, PrePost
from ldcore.vocab import PROFICIENCY_LABELS

MEASURES = {
    "gap": "Gap (target − current, floored at 0)",
    "priority": "Priority (gap × importance)",
    "current": "Current proficiency (mean)",
    "target": "Target proficiency",
}
SCALES = {"gap": "RdYlGn_r", "priority": "OrRd", "current": "Blues", "target": "Blues"}
NO_VALUE = "—"


def hidden(min_group: int) -> str:
    return f"< {min_group}"


def _fmt(value: float | None, digits: int = 2) -> str:
    return NO_VALUE if value is None else f"{value:.{digits}f}"


def _grid(heat: Heatmap, measure: str) -> tuple[list[list[float | None]], list[list[str]], list[list[str]]]:
    """z values, cell labels and hover notes per team (rows) × capability (columns), in ranked order."""
    cells = {(c.team, c.capability): c for c in heat.cells}
    mark = hidden(heat.wave.min_group)
    z, text, hover = [], [], []
    for team in heat.teams:
        z_row, text_row, hover_row = [], [], []
        for cap in heat.capabilities:
            cell = cells.get((team.key, cap.key))
            value = None if cell is None else getattr(cell, measure)
            if cell is not None and cell.suppressed and measure != "target":
                z_row.append(None)
                text_row.append(mark)
                hover_row.append(f"suppressed: fewer than {heat.wave.min_group} answers")
            elif value is None:
                z_row.append(None)
                text_row.append(NO_VALUE)
                hover_row.append("no target" if cell is not None and cell.target is None else "no answers")
            else:
                z_row.append(float(value))
                text_row.append(_fmt(value, 0 if measure == "target" else 2 if measure != "priority" else 1))
                hover_row.append("" if cell is None or cell.n is None else f"n = {cell.n}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    return z, text, hover


def heatmap_figure(heat: Heatmap, measure: str) -> go.Figure:
    z, text, hover = _grid(heat, measure)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[c.name for c in heat.capabilities],
            y=[t.name for t in heat.teams],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>" + measure + ": %{text}<br>%{customdata}<extra></extra>",
            colorscale=SCALES[measure],
            zmin=1 if measure in ("current", "target") else 0,
            zmax=5 if measure in ("current", "target") else None,
            hoverongaps=True,
            colorbar={"title": measure},
        )
    )
    fig.update_layout(
        height=160 + 28 * len(heat.teams),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top"},
    )
    return fig


def grid_table(heat: Heatmap, measure: str) -> pd.DataFrame:
    """The grid as text, with the team totals (gap, priority) or the all-teams means (current) where they apply."""
    _, text, _ = _grid(heat, measure)
    table = pd.DataFrame(text, columns=[c.name for c in heat.capabilities], index=[t.name for t in heat.teams])
    mark = hidden(heat.wave.min_group)
    if measure in ("gap", "priority"):
        totals = {t.team: t for t in heat.team_totals}
        table["All capabilities (Σ)"] = [
            mark if totals[t.key].suppressed else _fmt(getattr(totals[t.key], measure)) for t in heat.teams
        ]
    if measure == "current":
        totals = {c.capability: c for c in heat.capability_totals}
        table.loc["All teams"] = [
            mark if totals[c.key].suppressed else _fmt(totals[c.key].current) for c in heat.capabilities
        ]
    table.index.name = "team"
    return table.reset_index()


def cells_csv(heat: Heatmap) -> bytes:
    """Every cell, long form; suppressed cells say "< 5" in n and leave every figure empty."""
    teams = {t.key: t.name for t in heat.teams}
    caps = {c.key: c.name for c in heat.capabilities}
    mark = hidden(heat.wave.min_group)
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
    mark = hidden(heat.wave.min_group)
    totals = sorted(heat.team_totals, key=lambda t: (t.suppressed, -(t.burden or 0.0)))
    return pd.DataFrame(
        [
            {
                "team": names[t.team],
                "headcount": t.headcount,
                "total gap (levels)": mark if t.suppressed else _fmt(t.gap),
                "burden (headcount × gap)": mark if t.suppressed else _fmt(t.burden, 0),
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
                "gap": _fmt(g.gap),
                "priority": _fmt(g.priority, 1),
                "covered by": ", ".join(i.name for i in g.initiatives) if g.covered else "⚠ uncovered",
            }
            for g in heat.top_gaps
        ]
    )


def benchmark_table(heat: Heatmap, rows: Sequence[BenchmarkRow]) -> pd.DataFrame:
    """A team against the company per capability; a team group below the minimum shows the mark, never a value."""
    caps = {c.key: c.name for c in heat.capabilities}
    mark = hidden(heat.wave.min_group)
    return pd.DataFrame(
        [
            {
                "capability": caps[r.capability],
                "team": mark if r.team_mean is None else _fmt(r.team_mean),
                "company": _fmt(r.company_mean),
                "team − company": NO_VALUE if r.difference is None else f"{r.difference:+.2f}",
                "answers (team / company)": f"{mark if r.team_n is None else r.team_n} / {r.company_n}",
            }
            for r in rows
        ]
    )


def distribution_figure(groups: Sequence[Distribution]) -> go.Figure:
    """Stacked bars of answers per proficiency level, one bar per group that may be shown."""
    shown = [g for g in groups if not g.suppressed]
    fig = go.Figure()
    for level, label in PROFICIENCY_LABELS.items():
        fig.add_bar(
            y=[g.name for g in shown],
            x=[(g.counts or {}).get(level, 0) for g in shown],
            name=f"{level} {label}",
            orientation="h",
        )
    fig.update_layout(
        barmode="stack",
        height=140 + 26 * max(len(shown), 1),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis_title="answers",
        legend={"orientation": "h"},
    )
    return fig


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
                "baseline": _fmt(r.paired_pre_mean if r.paired else r.pre_mean),
                "follow-up": _fmt(r.paired_post_mean if r.paired else r.post_mean),
                "change": f"{r.delta:+.2f}",
                "95% CI": NO_VALUE if r.ci_low is None else f"{r.ci_low:+.2f} to {r.ci_high:+.2f}",
                "gap closed": NO_VALUE if r.gap_closed is None else f"{r.gap_closed:.0f}%",
                "n baseline": r.n_pre,
                "n follow-up": r.n_post,
                "pairs": r.n_pairs,
                "test": r.test,
                "t": _fmt(r.t),
                "df": _fmt(r.df, 1),
                "p": NO_VALUE if r.p_value is None else f"{r.p_value:.3g}",
                "Cohen's d": _fmt(r.effect_size),
            }
            for r in rows
        ]
    )


def dumbbell_figure(result: PrePost) -> go.Figure:
    """Baseline → follow-up mean per capability (all teams)."""
    caps = {c.key: c.name for c in result.capabilities}
    rows = [r for r in result.rows if r.team is None]
    fig = go.Figure()
    for r in rows:
        fig.add_scatter(
            x=[r.pre_mean, r.post_mean],
            y=[caps[r.capability]] * 2,
            mode="lines",
            line={"color": "#9aa5b1", "width": 3},
            showlegend=False,
            hoverinfo="skip",
        )
    for name, attribute, colour in (("baseline", "pre_mean", "#9aa5b1"), ("follow-up", "post_mean", "#1f77b4")):
        fig.add_scatter(
            x=[getattr(r, attribute) for r in rows],
            y=[caps[r.capability] for r in rows],
            mode="markers",
            marker={"size": 11, "color": colour},
            name=name,
            hovertemplate="%{y}: %{x:.2f}<extra>" + name + "</extra>",
        )
    fig.update_layout(
        height=140 + 28 * max(len(rows), 1),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "mean proficiency (1–5)", "range": [1, 5]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )
    return fig


def application_figure(result: PrePost) -> go.Figure:
    caps = {c.key: c.name for c in result.capabilities}
    shown = [a for a in result.application if not a.suppressed]
    fig = go.Figure(
        go.Bar(
            x=[100 * (a.share or 0.0) for a in shown],
            y=[caps[a.capability] for a in shown],
            orientation="h",
            customdata=[a.n for a in shown],
            hovertemplate="%{y}: %{x:.0f}% applying<br>n = %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        height=140 + 26 * max(len(shown), 1),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "% applying it at least once or twice in 30 days", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
    )
    return fig
