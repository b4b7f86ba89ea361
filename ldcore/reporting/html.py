"""The plan report as one self-contained HTML file for people (plotly.js inline, so it opens without a network):
`render(report)` is a pure function of a computed `ldcore.reporting.contract.Report`, so a page that holds the view
downloads exactly what it shows without computing anything again.

Every free text (plan, objective, KPI and initiative names, narrative, audit steps) is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go
from sqlalchemy.orm import Session

from ldcore.analytics import roi
from ldcore.models import utcnow
from ldcore.reporting import charts, contract, fmt
from ldcore.vocab import ISOLATION_LABELS

if TYPE_CHECKING:
    from ldcore.services.impact import Executive

CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0; } .muted { color: #666; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: .7rem; font-size: .85rem; }
.missing { color: #999; font-style: italic; }
details { margin: .5rem 0 1rem; } summary { cursor: pointer; font-weight: 600; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _status(status: str | None) -> str:
    colour = charts.STATUS_COLOURS[status]
    return (
        f'<span class="status" style="background:{colour};color:{charts.text_on(colour)}">'
        f"{_e(fmt.STATUS_LABELS[status])}</span>"
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class _Charts:
    """plotly.js goes inline once, with the first chart; later charts reuse it. Charts are numbered in order, so the
    same view gives the same page."""

    def __init__(self) -> None:
        self.drawn = 0

    def __call__(self, fig: go.Figure) -> str:
        out = fig.to_html(
            include_plotlyjs=self.drawn == 0,
            full_html=False,
            config={"displaylogo": False},
            div_id=f"chart-{self.drawn + 1}",
        )
        self.drawn += 1
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


def _status_table(view: Executive) -> str:
    rows = contract.status_rows(view)
    if not rows:
        return "<p class='missing'>No objectives yet: add them on the Strategy intake page.</p>"
    return _table(
        contract.STATUS_COLUMNS,
        [[_status(r["status"]) if c == "Status" else _e(r[c]) for c in contract.STATUS_COLUMNS] for r in rows],
    )


def render(report: contract.Report, *, generated_at: dt.datetime | None = None) -> str:
    """One self-contained HTML page: the status table, narrative, scorecards, chain, alignment, gap closure and the
    ROI audit."""
    view = report.executive
    chart = _Charts()
    at = (generated_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(view.plan_name)} — LD Align report</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(view.plan_name)}</h1>",
        f"<p class='muted'>Plan {_e(view.plan_key)}, {_e(view.starts)} – {_e(view.ends)}. Report generated {at}.</p>",
        "<h2>Summary</h2>",
        _status_table(view),
        "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in view.narrative) + "</ul>",
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
                        _e(fmt.value(t.baseline, t.unit)),
                        _e(fmt.value(t.current, t.unit)),
                        _e(fmt.value(t.target, t.unit)),
                        _e(fmt.change(t.change, t.unit)),
                        _e(fmt.pct(t.progress_pct)),
                        _e(fmt.pct(t.expected_pct)),
                        _status(t.status),
                    ]
                    for t in card.kpis
                ],
            )
        )
    if any(t.progress_pct is not None for card in view.scorecards for t in card.kpis):
        out.append(chart(charts.progress_figure(view)))
        out.append("<h3>KPI trends</h3>" + chart(charts.kpi_trends_figure(view)))
    elif any(card.kpis for card in view.scorecards):
        out.append("<p class='missing'>KPIs: no data yet. Progress shows once a first value is recorded.</p>")

    a = view.alignment
    out.append(
        f"<h2>Alignment and budget</h2><p>{a.aligned} of {a.initiatives} programs are linked to an objective and a "
        f"KPI ({_e(fmt.pct(a.aligned_pct))}); total budget {_e(fmt.money(a.budget))}.</p>"
    )
    if a.budget_by_objective:
        out.append(chart(charts.budget_figure(view)))

    out.append("<h2>From learning to results, per program</h2>")
    for c in view.chains:
        rows = contract.chain_rows(c)
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
        out.append(chart(charts.gap_closure_figure(view)))
    else:
        out.append("<p class='missing'>No follow-up survey with a baseline yet.</p>")
    series = report.trends
    if series is not None and any(len(s.points) > 1 for s in series.series if s.team is None):
        out.append(
            "<div class='together'><h3>Skills over time</h3><p class='muted'>Mean skill level of all teams large "
            "enough to report, per survey of the series, with its 95% confidence band.</p>"
            + chart(charts.skills_trend_figure(series))
            + "</div>"
        )

    out.append("<h2>Return on investment</h2>")
    out.append(
        _table(
            ["Program", "Method", "Costs", "First-year benefits", "Benefit-cost ratio", "ROI", "Payback"],
            [
                [
                    _e(r.name),
                    _e(ISOLATION_LABELS.get(r.isolation or "", fmt.NO_VALUE)),
                    _e(fmt.money(r.costs)),
                    _e(fmt.money(r.benefits)),
                    _e(fmt.value(r.bcr, "ratio")),
                    _e(fmt.value(r.roi_pct, "%")),
                    _e(fmt.value(r.payback_months, "months")),
                ]
                for r in view.roi
            ],
        )
    )
    out.extend(_roi_audit(r) for r in view.roi)
    out.append("</body></html>")
    return "\n".join(out)


def report_html(session: Session, *, plan_key: str, generated_at: dt.datetime | None = None) -> str:
    """Compute the report view and render it."""
    return render(contract.build(session, plan_key=plan_key), generated_at=generated_at)
