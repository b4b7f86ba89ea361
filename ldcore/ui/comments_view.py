"""Charts of the comments page: recurring terms and barriers, as ranked horizontal bars."""

from __future__ import annotations

import plotly.graph_objects as go

from ldcore.services.comments import ProgramBarriers, Terms


def _ranked_bars(labels: list[str], values: list[int], axis: str, colour: str) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colour},
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(
        height=100 + 26 * len(labels),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": axis},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return fig


def terms_figure(terms: Terms) -> go.Figure:
    return _ranked_bars(
        [t.term for t in terms.terms], [t.comments for t in terms.terms], "comments using it", "#1f77b4"
    )


def barriers_figure(program: ProgramBarriers) -> go.Figure:
    return _ranked_bars(
        [b.barrier for b in program.barriers],
        [b.count for b in program.barriers],
        f"times named (of {program.respondents} respondents)",
        "#ff7f0e",
    )
