"""The plan report: JSON for machines (the contract of the heatmap and executive issues) and one self-contained
HTML file for people (plotly.js inline, so it opens without a network), plus the charts the executive page shares.

Every free text (plan, objective, KPI and initiative names, narrative, audit steps) is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots
from sqlalchemy.orm import Session

from ldcore.analytics import roi
from ldcore.analytics import trends as analytics_trends
from ldcore.models import utcnow
from ldcore.services import evidence, impact, trends

SCHEMA_VERSION = 1
STATUS_COLOURS = {"on_track": "#2e7d32", "at_risk": "#f9a825", "off_track": "#c62828", None: "#9e9e9e"}
TREND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"]
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", None: "No data yet"}
ISOLATION_WORDS = {
    "control_group": "Control group: the change in the trained teams minus the change in comparable untrained teams "
    "over the same months (difference in differences).",
    "trend": "Trend line: the trained teams' results after the program compared with where their trend from "
    "before the program was heading.",
    "participant_estimate": "Participant estimates: the KPI change times the share participants attribute to the "
    "program, discounted by their confidence in that estimate.",
    None: "No isolation method chosen, so no benefit is claimed.",
}


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- JSON -------------------------------------------------------------------------------------------------------


def objectives_section(view: impact.Executive) -> list[dict[str, Any]]:
    return [
        {
            "key": card.key,
            "title": card.title,
            "priority": card.priority,
            "status": card.status,
            "kpis": [
                {
                    "key": t.key,
                    "baseline": t.baseline,
                    "target": t.target,
                    "current": _round(t.current, 3),
                    "progress_pct": _round(t.progress_pct, 1),
                }
                for t in card.kpis
            ],
        }
        for card in view.scorecards
    ]


def alignment_section(view: impact.Executive) -> dict[str, Any]:
    a = view.alignment
    return {"initiatives": a.initiatives, "aligned": a.aligned, "aligned_pct": _round(a.aligned_pct, 1)}


def roi_section(results: Sequence[roi.InitiativeRoi]) -> list[dict[str, Any]]:
    return [
        {
            "initiative": r.initiative,
            "isolation": r.isolation,
            "costs": round(r.costs, 2),
            "benefits": _round(r.benefits, 2),
            "bcr": _round(r.bcr, 2),
            "roi_pct": _round(r.roi_pct, 1),
            "payback_months": _round(r.payback_months, 1),
        }
        for r in results
    ]


def report_json(session: Session, *, plan_key: str) -> dict[str, Any]:
    """The JSON report: schema_version, plan, objectives, alignment, roi, heatmap, prepost, trends."""
    return json_of(session, impact.executive_view(session, plan_key=plan_key))


def json_of(session: Session, view: impact.Executive) -> dict[str, Any]:
    """The JSON report of an executive view already computed (the deck draws its numbers from the same dict)."""
    plan_key = view.plan_key
    return {
        "schema_version": SCHEMA_VERSION,
        "plan": {"key": view.plan_key, "name": view.plan_name},
        "objectives": objectives_section(view),
        "alignment": alignment_section(view),
        "roi": roi_section(view.roi),
        "heatmap": evidence.heatmap_section(session, plan_key=plan_key),
        "prepost": evidence.prepost_section(session, plan_key=plan_key),
        "trends": trends.trends_section(session, plan_key=plan_key),
    }


# --- charts (shared with the executive page) ------------------------------------------------------------------


def sparkline_figure(tile: impact.KpiTile, height: int = 110) -> go.Figure:
    months = [m for m, _ in tile.series]
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=[v for _, v in tile.series],
            mode="lines+markers",
            line={"color": STATUS_COLOURS[tile.status], "width": 2},
            marker={"size": 4},
            hovertemplate="%{x|%b %Y}: %{y:.2f}<extra></extra>",
            name=tile.name,
        )
    )
    if months:
        for value, dash in ((tile.baseline, "dot"), (tile.target, "dash")):
            fig.add_shape(
                type="line", x0=months[0], x1=months[-1], y0=value, y1=value, line={"dash": dash, "color": "#888"}
            )
    fig.update_layout(
        height=height,
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return fig


def kpi_trends_figure(view: impact.Executive) -> go.Figure:
    """Every KPI's monthly mean, baseline (dotted) and target (dashed), one small panel each."""
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
                        line={"dash": dash, "color": "#888", "width": 1},
                        showlegend=False,
                        hoverinfo="skip",
                    ),
                    row=row,
                    col=col,
                )
    fig.update_layout(height=230 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


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


def capability_trend_figure(series: Sequence[analytics_trends.Series], names: dict[str | None, str]) -> go.Figure:
    """One capability over the series: a line and a confidence band per team (`names`: team key or None → label)."""
    fig = go.Figure()
    for n, one in enumerate(series):
        colour = TREND_COLOURS[n % len(TREND_COLOURS)]
        fig.add_traces(_trend_traces(one, names[one.team], colour, legend=True))
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": "Mean skill level (1–5)", "range": [1, 5]},
        legend={"orientation": "h"},
    )
    return fig


def skills_trend_figure(result: trends.Trends, team: str | None = None) -> go.Figure:
    """One team (default: all teams), every capability with a point: the mean over the series with its confidence
    band, one small panel each."""
    overall = [s for s in result.series if s.team == team]
    names = {c.key: c.name for c in result.capabilities}
    cols = 4
    rows = max(1, -(-len(overall) // cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[names[s.capability] for s in overall] or [""],
        vertical_spacing=0.6 / rows,
    )
    for n, one in enumerate(overall):
        for trace in _trend_traces(one, names[one.capability], TREND_COLOURS[0], legend=False):
            fig.add_trace(trace, row=n // cols + 1, col=n % cols + 1)
    fig.update_yaxes(range=[1, 5], dtick=1)
    fig.update_xaxes(nticks=3, tickformat="%b %Y")
    fig.update_annotations(font_size=11)
    fig.update_layout(height=170 * rows, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False)
    return fig


def progress_figure(view: impact.Executive) -> go.Figure:
    """Progress toward target per KPI against the share of the horizon elapsed."""
    tiles = [t for card in view.scorecards for t in card.kpis if t.progress_pct is not None]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=[t.name for t in tiles],
            x=[t.progress_pct for t in tiles],
            orientation="h",
            marker={"color": [STATUS_COLOURS[t.status] for t in tiles]},
            name="Progress to target",
            hovertemplate="%{y}: %{x:.0f}% of the way<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=[t.name for t in tiles],
            x=[t.expected_pct for t in tiles],
            mode="markers",
            marker={"symbol": "line-ns-open", "size": 22, "color": "#333"},
            name="Time gone",
            hovertemplate="%{y}: %{x:.0f}% of the time gone<extra></extra>",
        )
    )
    fig.update_layout(
        height=120 + 40 * len(tiles),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={
            "title": "% of the way from baseline to target",
            "range": [min([0, *[t.progress_pct or 0 for t in tiles]]) - 5, 120],
        },
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )
    return fig


def budget_figure(view: impact.Executive) -> go.Figure:
    items = list(view.alignment.budget_by_objective.items())
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in items],
            y=[k for k, _ in items],
            orientation="h",
            marker={"color": "#1f77b4"},
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=120 + 36 * len(items),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "L&D budget"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def gap_closure_figure(view: impact.Executive) -> go.Figure:
    rows = view.gap_closure
    fig = go.Figure()
    for label, values, colour in (
        ("Before", [r.pre_mean for r in rows], "#9e9e9e"),
        ("After", [r.post_mean for r in rows], "#1f77b4"),
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
    fig.update_layout(
        height=120 + 28 * len(rows),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "Mean skill level (1–5)", "range": [1, 5]},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h"},
    )
    return fig


# --- formatting shared by the page and the HTML -----------------------------------------------------------------


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:,.1f}%"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "NPS":
        return f"{value:+.0f}"
    if unit == "/5":
        return f"{value:.2f} / 5"
    if unit == "months":
        return f"{value:.1f} months"
    if unit == "levels":
        return f"{value:+.2f} levels"
    return f"{value:,.2f} {unit}".rstrip()


def fmt_change(value: float | None, unit: str) -> str:
    """A change in a KPI: signed, and in points for a KPI measured in %."""
    if value is None:
        return "—"
    return f"{value:+,.1f} pts" if unit == "%" else f"{value:+,.2f} {unit}".rstrip()


def fmt_money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


LEVEL_NAMES = {1: "Reaction", 2: "Learning", 3: "Behaviour", 4: "Results", 5: "Return"}


def chain_rows(chain: impact.Chain) -> list[dict[str, str]]:
    return [
        {
            "level": f"{link.level} {LEVEL_NAMES[link.level]}",
            "measure": link.measure,
            "value": fmt_value(link.value, link.unit) if link.value is not None else "missing",
            "n": "" if link.n is None else str(link.n),
            "note": link.missing or "",
        }
        for link in chain.links
    ]


# --- HTML -------------------------------------------------------------------------------------------------------

CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0; } .muted { color: #666; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: .7rem; color: #fff; font-size: .85rem; }
.missing { color: #999; font-style: italic; }
details { margin: .5rem 0 1rem; } summary { cursor: pointer; font-weight: 600; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _status(status: str | None) -> str:
    return f'<span class="status" style="background:{STATUS_COLOURS[status]}">{_e(STATUS_LABELS[status])}</span>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Charts:
    """plotly.js goes inline once, with the first chart; later charts reuse it."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, fig: go.Figure) -> str:
        out = fig.to_html(include_plotlyjs=self.first, full_html=False, config={"displaylogo": False})
        self.first = False
        return out


def _roi_audit(result: roi.InitiativeRoi) -> str:
    parts = [f"<details><summary>{_e(result.name)}: how the figures were worked out</summary>"]
    parts.append("<ol>" + "".join(f"<li>{_e(step)}</li>" for step in result.steps) + "</ol>")
    for effect in result.effects:
        parts.append(f"<h4>{_e(effect.name)} ({_e(effect.method or 'no method')})</h4>")
        parts.append("<ol>" + "".join(f"<li>{_e(step)}</li>" for step in effect.steps) + "</ol>")
        if effect.observations:
            parts.append(
                _table(
                    ["group", "window", "team", "date", "value"],
                    [[_e(o.group), _e(o.window), _e(o.team), _e(o.date), _e(o.value)] for o in effect.observations],
                )
            )
    parts.append("</details>")
    return "".join(parts)


def report_html(session: Session, *, plan_key: str, generated_at: dt.datetime | None = None) -> str:
    """One self-contained HTML page: narrative, scorecards, chain, alignment, gap closure and the ROI audit."""
    view = impact.executive_view(session, plan_key=plan_key)
    chart = _Charts()
    at = (generated_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(view.plan_name)} — LD Align report</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(view.plan_name)}</h1>",
        f"<p class='muted'>Plan {_e(view.plan_key)}, {_e(view.starts)} – {_e(view.ends)}. Report generated {at}.</p>",
        "<h2>Summary</h2><ul>" + "".join(f"<li>{_e(line)}</li>" for line in view.narrative) + "</ul>",
        "<h2>Objectives</h2>",
    ]
    if not view.scorecards:
        out.append("<p class='missing'>No objectives yet: add them on the Strategy intake page.</p>")
    for card in view.scorecards:
        out.append(f"<h3>{_e(card.title)} {_status(card.status)}</h3>")
        out.append(
            _table(
                ["KPI", "Baseline", "Current", "Target", "Change", "Progress", "Time gone", "Status"],
                [
                    [
                        _e(t.name),
                        _e(fmt_value(t.baseline, t.unit)),
                        _e(fmt_value(t.current, t.unit)),
                        _e(fmt_value(t.target, t.unit)),
                        _e(fmt_change(t.change, t.unit)),
                        _e("—" if t.progress_pct is None else f"{t.progress_pct:.0f}%"),
                        _e("—" if t.expected_pct is None else f"{t.expected_pct:.0f}%"),
                        _status(t.status),
                    ]
                    for t in card.kpis
                ],
            )
        )
    if any(t.progress_pct is not None for card in view.scorecards for t in card.kpis):
        out.append(chart(progress_figure(view)))
        out.append("<h3>KPI trends</h3>" + chart(kpi_trends_figure(view)))
    elif any(card.kpis for card in view.scorecards):
        out.append("<p class='missing'>KPIs: no data yet. Progress shows once a first value is recorded.</p>")

    a = view.alignment
    aligned = "—" if a.aligned_pct is None else f"{a.aligned_pct:.0f}%"
    out.append(
        f"<h2>Alignment and budget</h2><p>{a.aligned} of {a.initiatives} programs are linked to an objective and a "
        f"KPI ({_e(aligned)}); total budget {_e(fmt_money(a.budget))}.</p>"
    )
    out.append(chart(budget_figure(view)))

    out.append("<h2>From learning to results, per program</h2>")
    for c in view.chains:
        rows = chain_rows(c)
        out.append(f"<h3>{_e(c.name)}</h3>")
        out.append(
            _table(
                ["Level", "Measure", "Value", "n", "Note"],
                [
                    [
                        _e(r["level"]),
                        _e(r["measure"]),
                        f"<span class='missing'>{_e(r['value'])}</span>" if r["value"] == "missing" else _e(r["value"]),
                        _e(r["n"]),
                        _e(r["note"]),
                    ]
                    for r in rows
                ],
            )
        )

    out.append("<h2>Skills gap closed</h2>")
    if view.gap_closure:
        out.append(chart(gap_closure_figure(view)))
    else:
        out.append("<p class='missing'>No follow-up survey with a baseline yet.</p>")
    series = trends.capability_trends(session, plan_key=plan_key)
    if series is not None and any(len(s.points) > 1 for s in series.series if s.team is None):
        out.append(
            "<div class='together'><h3>Skills over time</h3><p class='muted'>Mean skill level of all teams large "
            "enough to report, per survey of the series, with its 95% confidence band.</p>"
            + chart(skills_trend_figure(series))
            + "</div>"
        )

    out.append("<h2>Return on investment</h2>")
    out.append(
        _table(
            ["Program", "Method", "Costs", "First-year benefits", "Benefit-cost ratio", "ROI", "Payback"],
            [
                [
                    _e(r.name),
                    _e(r.isolation or "—"),
                    _e(fmt_money(r.costs)),
                    _e(fmt_money(r.benefits)),
                    _e(fmt_value(r.bcr, "ratio")),
                    _e(fmt_value(r.roi_pct, "%")),
                    _e(fmt_value(r.payback_months, "months")),
                ]
                for r in view.roi
            ],
        )
    )
    out.extend(_roi_audit(r) for r in view.roi)
    out.append("</body></html>")
    return "\n".join(out)
