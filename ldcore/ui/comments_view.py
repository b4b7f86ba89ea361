"""Charts of the comments page: recurring terms and barriers, as ranked horizontal bars (drawn by
`ldcore.reporting.charts`)."""

from __future__ import annotations

from ldcore.reporting import charts
from ldcore.services.comments import ProgramBarriers, Terms


def terms_figure(terms: Terms) -> charts.go.Figure:
    return charts.ranked_bars_figure(
        [t.term for t in terms.terms],
        [t.comments for t in terms.terms],
        title="Words that recur in the comments",
        axis="comments using it",
        colour=charts.TREND_COLOURS[0],
    )


def barriers_figure(program: ProgramBarriers) -> charts.go.Figure:
    return charts.ranked_bars_figure(
        [b.barrier for b in program.barriers],
        [b.count for b in program.barriers],
        title="What stops people applying what they learned",
        axis=f"times named (of {program.respondents} respondents)",
        colour=charts.TREND_COLOURS[1],
    )
