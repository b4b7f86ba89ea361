"""Every Plotly figure of LD Align, drawn by the pages and the reports alike, and every colour they use.

Colours are colour-blind safe: statuses run blue (on track) → orange (at risk) → dark orange (off track), never
red against green; heatmaps use Cividis; proficiency levels run from orange (1) through grey to blue (5), in level
order; lines use the Okabe–Ito palette. Every figure has a title and a legend (or colour bar) naming each colour.
A suppressed figure is drawn as "< 5" (the wave's minimum group) and never carries its value: not in the chart's
data, hover or text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ldcore.analytics import trends as analytics_trends
from ldcore.reporting import fmt
from ldcore.vocab import PROFICIENCY_LABELS

Figure = go.Figure  # what pages and caches hold, without importing Plotly themselves

if TYPE_CHECKING:  # the services import nothing from here; only their result types are named
    from ldcore.analytics.alignment import Sankey
    from ldcore.services.evidence import Distribution, Heatmap, PrePost
    from ldcore.services.impact import Executive
    from ldcore.services.kpis import KpiSeries
    from ldcore.services.trends import Trends

STATUS_COLOURS = {"on_track": "#1f5fa8", "at_risk": "#e69f00", "off_track": "#9c3d06", None: "#8a8a8a"}
STATUS_LABELS = fmt.STATUS_LABELS
STATUS_BADGES = {"on_track": "blue", "at_risk": "orange", "off_track": "red", None: "gray"}  # st.badge colours
TREND_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442"]
PROFICIENCY_COLOURS = {1: "#b35806", 2: "#f1a340", 3: "#bdbdbd", 4: "#6baed6", 5: "#08519c"}
NO_DATA = "no data"  # a team nobody in has answered: never drawn as a gap of 0
BEFORE, AFTER, NEUTRAL, REFERENCE = "#8a8a8a", "#0072b2", "#0072b2", "#555555"
HEATMAP_SCALES = {"gap": "Cividis", "priority": "Cividis", "current": "Viridis", "target": "Viridis"}
HEATMAP_MEASURES = {
    "gap": "Gap (target − current, floored at 0)",
    "priority": "Priority (gap × importance)",
    "current": "Current proficiency (mean)",
    "target": "Target proficiency",
}
HEATMAP_LEGENDS = {"gap": "Gap (levels)", "priority": "Priority", "current": "Level (1–5)", "target": "Target (1–5)"}
SANKEY_COLOURS = {"objective": "#0072b2", "capability": "#009e73", "initiative": "#e69f00", "kpi": "#cc79a7"}
SANKEY_LABELS = {"objective": "Objective", "capability": "Capability", "initiative": "Initiative", "kpi": "KPI"}
SANKEY_X = {"objective": 0.001, "capability": 0.34, "initiative": 0.67, "kpi": 0.999}


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#rrggbb)."""
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


def _layout(fig: go.Figure, title: str, height: int, **more: Any) -> go.Figure:
    more.setdefault("margin", {"l": 10, "r": 10, "t": 50, "b": 10})
    fig.update_layout(title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}}, height=height, **more)
    return fig


def _legend_only(fig: go.Figure, name: str, colour: str, *, dash: str | None = None, **where: Any) -> None:
    """A legend entry for a colour or line drawn without a trace of its own."""
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="lines" if dash else "markers",
            line={"color": colour, "dash": dash} if dash else None,
            marker=None if dash else {"color": colour, "size": 10, "symbol": "square"},
            name=name,
            showlegend=True,
            hoverinfo="skip",
        ),
        **where,
    )


# --- the executive view ---------------------------------------------------------------------------------------


def progress_figure(view: Executive) -> go.Figure:
    """Progress toward target per KPI (coloured by status) against the share of the horizon elapsed."""
    tiles = [t for card in view.scorecards for t in card.kpis if t.progress_pct is not None]
    fig = go.Figure()
    for status, label in STATUS_LABELS.items():
        mine = [t for t in tiles if t.status == status]
        if not mine:
            continue
        fig.add_trace(
            go.Bar(
                y=[t.name for t in mine],
                x=[t.progress_pct for t in mine],
                orientation="h",
                marker={"color": STATUS_COLOURS[status]},
                name=f"Progress to target: {label.lower()}",
                hovertemplate="%{y}: %{x:.0f}% of the way<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            y=[t.name for t in tiles],
            x=[t.expected_pct for t in tiles],
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 22, "color": REFERENCE},
            name="Time gone",
            hovertemplate="%{y}: %{x:.0f}% of the time gone<extra></extra>",
        )
    )
    lowest = min([0.0, *[t.progress_pct or 0.0 for t in tiles]])
    return _layout(
        fig,
        "How far each KPI has come, against the time gone",
        120 + 40 * len(tiles),
        barmode="overlay",
        showlegend=True,
        xaxis={"title": "% of the way from baseline to target", "range": [lowest - 5, 120]},
        yaxis={"autorange": "reversed", "categoryorder": "array", "categoryarray": [t.name for t in tiles]},
        legend={"orientation": "h"},
    )


def kpi_trends_figure(view: Executive) -> go.Figure:
    """Every KPI's monthly mean (coloured by status), baseline (dotted) and target (dashed), one panel each."""
    tiles = [t for card in view.scorecards for t in card.kpis]
    cols = 3
    rows = max(1, -(-len(tiles) // cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t.name for t in tiles] or [""])
    for n, tile in enumerate(tiles):
        row, col = n // cols + 1, n % cols + 1
        months = [m for m, _ in tile.series]
        fig.add_trace(
            go.Scatter(
                x=months,
                y=[v for _, v in tile.series],
                mode="lines+markers",
                line={"color": STATUS_COLOURS[tile.status]},
                name=tile.name,
                showlegend=False,
            ),
            row=row,
            col=col,
        )
        if months:
            for value, dash in ((tile.baseline, "dot"), (tile.target, "dash")):
                fig.add_trace(
                    go.Scatter(
                        x=[months[0], months[-1]],
                        y=[value, value],
                        mode="lines",
                        line={"dash": dash, "color": REFERENCE, "width": 1},
                        showlegend=False,
                        hoverinfo="skip",
                    ),
                    row=row,
                    col=col,
                )
    for status in sorted({t.status for t in tiles}, key=list(STATUS_LABELS).index):
        _legend_only(fig, STATUS_LABELS[status], STATUS_COLOURS[status], row=1, col=1)
    _legend_only(fig, "Baseline", REFERENCE, dash="dot", row=1, col=1)
    _legend_only(fig, "Target", REFERENCE, dash="dash", row=1, col=1)
    return _layout(fig, "KPIs month by month", 20 + 200 * rows, showlegend=True, legend={"orientation": "h"})


def budget_figure(view: Executive) -> go.Figure:
    items = list(view.alignment.budget_by_objective.items())
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in items],
            y=[k for k, _ in items],
            orientation="h",
            marker={"color": NEUTRAL},
            name="L&D budget",
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    return _layout(
        fig,
        "L&D budget per objective",
        120 + 36 * len(items),
        showlegend=True,
        xaxis={"title": "L&D budget"},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )


def gap_closure_figure(view: Executive) -> go.Figure:
    rows = view.gap_closure
    fig = go.Figure()
    for label, values, colour in (
        ("Before (baseline)", [r.pre_mean for r in rows], BEFORE),
        ("After (follow-up)", [r.post_mean for r in rows], AFTER),
    ):
        fig.add_trace(
            go.Scatter(
                x=values,
                y=[r.name for r in rows],
                mode="markers",
                marker={"size": 11, "color": colour},
                name=label,
                hovertemplate="%{y}: %{x:.2f}<extra>" + label + "</extra>",
            )
        )
    return _layout(
        fig,
        "Skill level before and after, per capability",
        120 + 28 * len(rows),
        xaxis={"title": "Mean skill level (1–5)", "range": [1, 5]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )


# --- skills over time -------------------------------------------------------------------------------------------


def _trend_traces(series: analytics_trends.Series, name: str, colour: str, legend: bool) -> list[go.Scatter]:
    """A series' mean per wave (line) and its 95% confidence band (shaded), in one colour."""
    dates = [p.date for p in series.points]
    banded = [p for p in series.points if p.ci_low is not None]
    band = go.Scatter(
        x=[p.date for p in banded] + [p.date for p in reversed(banded)],
        y=[p.ci_high for p in banded] + [p.ci_low for p in reversed(banded)],
        fill="toself",
        fillcolor=colour,
        opacity=0.18,
        line={"width": 0},
        hoverinfo="skip",
        showlegend=False,
        legendgroup=name,
    )
    line = go.Scatter(
        x=dates,
        y=[p.mean for p in series.points],
        mode="lines+markers",
        line={"color": colour, "width": 2},
        name=name,
        legendgroup=name,
        showlegend=legend,
        customdata=[[p.wave, p.n, p.ci_low, p.ci_high] for p in series.points],
        hovertemplate=name + "<br>%{customdata[0]}: %{y:.2f} (n=%{customdata[1]})<extra></extra>",
    )
    return [band, line]


def capability_trend_figure(
    series: Sequence[analytics_trends.Series], names: dict[str | None, str], title: str = "Skill level over time"
) -> go.Figure:
    """One capability over the series: a line and a confidence band per team (`names`: team key or None → label)."""
    fig = go.Figure()
    for n, one in enumerate(series):
        colour = TREND_COLOURS[n % len(TREND_COLOURS)]
        fig.add_traces(_trend_traces(one, names[one.team], colour, legend=True))
    return _layout(
        fig,
        f"{title} (shaded: 95% confidence band)",
        400,
        showlegend=True,
        yaxis={"title": "Mean skill level (1–5)", "range": [1, 5]},
        legend={"orientation": "h"},
    )


def _panels(titles: Sequence[str], cols: int, **axes: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A grid of small panels, `cols` wide, as a layout (axes at their places, each panel's title above it) and each
    panel's axis references for its traces. What `make_subplots` gives, without its cost: Plotly builds such a figure
    from a layout dict in one go instead of an update per axis."""
    rows = max(1, -(-len(titles) // cols))
    h_gap, v_gap = 0.2 / cols, 0.6 / rows
    width, height = (1 - h_gap * (cols - 1)) / cols, (1 - v_gap * (rows - 1)) / rows
    layout: dict[str, Any] = {"annotations": []}
    refs = []
    for n, title in enumerate(titles):
        left, top = (n % cols) * (width + h_gap), 1 - (n // cols) * (height + v_gap)
        suffix = str(n + 1) if n else ""
        x_domain, y_domain = [max(0, left), min(1, left + width)], [max(0, top - height), min(1, top)]  # rounding
        layout[f"xaxis{suffix}"] = {"domain": x_domain, "anchor": f"y{suffix}", **axes.get("xaxis", {})}
        layout[f"yaxis{suffix}"] = {"domain": y_domain, "anchor": f"x{suffix}", **axes.get("yaxis", {})}
        layout["annotations"].append(
            {"text": title, "x": left + width / 2, "y": top, "xref": "paper", "yref": "paper", "xanchor": "center",
             "yanchor": "bottom", "showarrow": False, "font": {"size": 11}}
        )  # fmt: skip
        refs.append({"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})
    return layout, refs


def skills_trend_figure(result: Trends, team: str | None = None) -> go.Figure:
    """One team (default: all teams), every capability with a point: the mean over the series with its confidence
    band, one small panel each."""
    overall = [s for s in result.series if s.team == team]
    names = {c.key: c.name for c in result.capabilities}
    cols = 4
    grid, refs = _panels(
        [names[s.capability] for s in overall],
        cols,
        xaxis={"nticks": 3, "tickformat": "%b %Y"},
        yaxis={"range": [1, 5], "dtick": 1},
    )
    traces = [
        trace.update(ref)
        for one, ref in zip(overall, refs, strict=True)
        for trace in _trend_traces(one, names[one.capability], TREND_COLOURS[0], legend=False)
    ]
    legend = [
        go.Scatter(
            x=[None], y=[None], mode="markers", name=label, showlegend=True, hoverinfo="skip",
            marker={"color": TREND_COLOURS[0], "size": size, "symbol": "square", "opacity": opacity},
        )
        for label, size, opacity in (("Mean skill level", 10, 1), ("95% confidence band", 14, 0.25))
    ]  # fmt: skip
    fig = go.Figure(data=[*traces, *legend], layout=grid)
    rows = max(1, -(-len(overall) // cols))
    return _layout(
        fig, "Skill level per capability over time", 40 + 170 * rows, showlegend=True, legend={"orientation": "h"}
    )


# --- capability gaps ---------------------------------------------------------------------------------------------

Grid = tuple[list[list[float | None]], list[list[str]], list[list[str]]]


def heatmap_grid(heat: Heatmap, measure: str) -> Grid:
    """z values, cell labels and hover notes per team (rows) × capability (columns), in ranked order. A team with
    no answers shows "no data", never a gap of 0."""
    cells = {(c.team, c.capability): c for c in heat.cells}
    mark = fmt.hidden(heat.wave.min_group)
    unanswered = set(heat.unanswered)
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for team in heat.teams:
        z_row: list[float | None] = []
        text_row: list[str] = []
        hover_row: list[str] = []
        for cap in heat.capabilities:
            cell = cells.get((team.key, cap.key))
            value = None if cell is None else getattr(cell, measure)
            if measure != "target" and team.key in unanswered:
                z_row.append(None)
                text_row.append(NO_DATA)
                hover_row.append("nobody in this team has answered")
            elif cell is not None and cell.suppressed and measure != "target":
                z_row.append(None)
                text_row.append(mark)
                hover_row.append(f"suppressed: fewer than {heat.wave.min_group} answers")
            elif value is None:
                z_row.append(None)
                text_row.append(fmt.NO_VALUE)
                hover_row.append("no target" if cell is not None and cell.target is None else "no answers")
            else:
                z_row.append(float(value))
                text_row.append(fmt.number(value, 0 if measure == "target" else 2 if measure != "priority" else 1))
                hover_row.append("" if cell is None or cell.n is None else f"n = {cell.n}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    return z, text, hover


def heatmap_figure(heat: Heatmap, measure: str) -> go.Figure:
    z, text, hover = heatmap_grid(heat, measure)
    label = HEATMAP_MEASURES[measure]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[c.name for c in heat.capabilities],
            y=[t.name for t in heat.teams],
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}<br>" + HEATMAP_LEGENDS[measure] + ": %{text}<br>%{customdata}<extra></extra>",
            colorscale=HEATMAP_SCALES[measure],
            zmin=1 if measure in ("current", "target") else 0,
            zmax=5 if measure in ("current", "target") else None,
            hoverongaps=True,
            colorbar={"title": {"text": HEATMAP_LEGENDS[measure]}},
        )
    )
    return _layout(
        fig,
        f"{label} by team and capability (white: hidden or no data)",
        190 + 28 * len(heat.teams),
        yaxis={"autorange": "reversed"},
        xaxis={"side": "top"},
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
    )


def distribution_figure(groups: Sequence[Distribution], title: str = "Answers per proficiency level") -> go.Figure:
    """Stacked bars of answers per proficiency level (coloured in level order), one bar per group that may be
    shown."""
    shown = [g for g in groups if not g.suppressed]
    fig = go.Figure()
    for level, label in PROFICIENCY_LABELS.items():
        fig.add_bar(
            y=[g.name for g in shown],
            x=[(g.counts or {}).get(level, 0) for g in shown],
            name=f"{level} {label}",
            orientation="h",
            marker={"color": PROFICIENCY_COLOURS[level]},
        )
    return _layout(
        fig,
        title,
        170 + 26 * max(len(shown), 1),
        barmode="stack",
        yaxis={"autorange": "reversed"},
        xaxis_title="answers",
        legend={"orientation": "h", "traceorder": "normal"},
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
            line={"color": BEFORE, "width": 3},
            showlegend=False,
            hoverinfo="skip",
        )
    for name, attribute, colour in (("baseline", "pre_mean", BEFORE), ("follow-up", "post_mean", AFTER)):
        fig.add_scatter(
            x=[getattr(r, attribute) for r in rows],
            y=[caps[r.capability] for r in rows],
            mode="markers",
            marker={"size": 11, "color": colour},
            name=name,
            hovertemplate="%{y}: %{x:.2f}<extra>" + name + "</extra>",
        )
    return _layout(
        fig,
        "Mean proficiency, baseline → follow-up (all teams)",
        170 + 28 * max(len(rows), 1),
        xaxis={"title": "mean proficiency (1–5)", "range": [1, 5]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )


def application_figure(result: PrePost) -> go.Figure:
    caps = {c.key: c.name for c in result.capabilities}
    shown = [a for a in result.application if not a.suppressed]
    fig = go.Figure(
        go.Bar(
            x=[100 * (a.share or 0.0) for a in shown],
            y=[caps[a.capability] for a in shown],
            orientation="h",
            marker={"color": NEUTRAL},
            name="% applying",
            customdata=[a.n for a in shown],
            hovertemplate="%{y}: %{x:.0f}% applying<br>n = %{customdata}<extra></extra>",
        )
    )
    return _layout(
        fig,
        "Share applying each capability on the job",
        170 + 26 * max(len(shown), 1),
        showlegend=True,
        xaxis={"title": "% applying it at least once or twice in 30 days", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )


# --- the plan -----------------------------------------------------------------------------------------------------


def sankey_layout(kinds: Sequence[str]) -> tuple[list[float], list[float]]:
    """x and y of each node: one column per layer (so a capability no initiative builds stays with the
    capabilities), nodes spread evenly down their column."""
    size = {kind: kinds.count(kind) for kind in SANKEY_X}
    seen = dict.fromkeys(SANKEY_X, 0)
    ys = []
    for kind in kinds:
        seen[kind] += 1
        ys.append((seen[kind] - 0.5) / size[kind])
    return [SANKEY_X[k] for k in kinds], ys


def sankey_figure(sankey: Sankey) -> go.Figure:
    xs, ys = sankey_layout(sankey.kinds)
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": sankey.labels,
                "color": [SANKEY_COLOURS[k] for k in sankey.kinds],
                "x": xs,
                "y": ys,
                "pad": 18,
                "customdata": sankey.kinds,
                "hovertemplate": "%{label} (%{customdata})<extra></extra>",
            },
            link={"source": sankey.sources, "target": sankey.targets, "value": sankey.values},
        )
    )
    for kind, label in SANKEY_LABELS.items():
        _legend_only(fig, label, SANKEY_COLOURS[kind])
    return _layout(
        fig,
        "From objectives to KPIs",
        max(400, 28 * len(sankey.labels)),
        showlegend=True,
        legend={"orientation": "h"},
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="rgba(0,0,0,0)",
    )


def _bars(names: Sequence[str], values: Sequence[float], *, name: str, hover: str) -> go.Figure:
    """One neutral horizontal bar per name, in the order given (top to bottom)."""
    return go.Figure(
        go.Bar(
            x=list(values), y=list(names), orientation="h", marker={"color": NEUTRAL}, name=name, hovertemplate=hover
        )
    )


def cost_figure(names: Sequence[str], costs: Sequence[float]) -> go.Figure:
    fig = _bars(names, costs, name="Fully loaded cost", hover="%{y}: %{x:,.0f}<extra></extra>")
    return _layout(
        fig,
        "Fully loaded cost per initiative",
        140 + 40 * len(names),
        showlegend=True,
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )


# --- KPI data, response rates and comments ------------------------------------------------------------------------


def kpi_series_figure(series: KpiSeries) -> go.Figure:
    """A KPI's observations, one line per team, against its baseline (dotted) and target (dashed)."""
    fig = go.Figure()
    teams = list(dict.fromkeys(o.team_name for o in series.observations))
    for n, team in enumerate(teams):
        mine = [o for o in series.observations if o.team_name == team]
        fig.add_trace(
            go.Scatter(
                x=[o.date for o in mine],
                y=[o.value for o in mine],
                mode="lines+markers",
                line={"color": TREND_COLOURS[n % len(TREND_COLOURS)]},
                name=team,
                customdata=[o.note for o in mine],
                hovertemplate=team + "<br>%{x|%d %b %Y}: %{y}<br>%{customdata}<extra></extra>",
            )
        )
    baseline = f"Baseline {series.baseline_value:g} ({series.baseline_date:%b %Y})"
    target = f"Target {series.target_value:g} by {series.target_date:%b %Y}"
    for label, value, dash in ((baseline, series.baseline_value, "dot"), (target, series.target_value, "dash")):
        fig.add_hline(y=value, line_dash=dash, line_color=REFERENCE)
        _legend_only(fig, label, REFERENCE, dash=dash)
    return _layout(
        fig,
        f"{series.name} over time",
        440,
        showlegend=True,
        legend={"orientation": "h"},
        yaxis={"title": f"{series.name} ({series.unit})" if series.unit else series.name},
    )


def response_rates_figure(teams: Sequence[str], rates_pct: Sequence[float]) -> go.Figure:
    fig = _bars(teams, rates_pct, name="Answered (%)", hover="%{y}: %{x:.0f}%<extra></extra>")
    return _layout(
        fig,
        "Share of the invited people who answered, per team",
        110 + 30 * len(teams),
        showlegend=True,
        legend={"orientation": "h"},
        xaxis={"title": "answered (%)", "range": [0, 100]},
        yaxis={"autorange": "reversed"},
    )


def ranked_bars_figure(
    labels: Sequence[str], values: Sequence[int], *, title: str, axis: str, colour: str
) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker={"color": colour},
            name=axis,
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    return _layout(
        fig,
        title,
        130 + 26 * len(labels),
        showlegend=True,
        legend={"orientation": "h"},
        xaxis={"title": axis},
        yaxis={"autorange": "reversed", "type": "category"},
    )
