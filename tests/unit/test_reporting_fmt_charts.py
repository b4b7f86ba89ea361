"""The reporting layer without a database: one formatter per kind of number, and charts whose colours a colour-blind
reader can tell apart, each named in a legend."""

from __future__ import annotations

import colorsys
import datetime as dt

import pytest

from ldcore.analytics import gaps
from ldcore.reporting import charts, fmt
from ldcore.schemas import Named
from ldcore.services import evidence, impact


def hue_and_lightness(colour: str) -> tuple[float, float]:
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lightness, _ = colorsys.rgb_to_hls(r, g, b)
    return h * 360, lightness


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "—"), (0.0, "0"), (4500.0, "4,500"), (1234567.89, "1,234,568"), (-250.4, "-250")]
)
def test_money_has_one_format_with_a_dash_for_nothing(value, expected):
    assert fmt.money(value) == expected


def test_a_percent_kpi_changes_in_points_and_other_units_in_their_unit():
    assert fmt.change(4.0, "%") == "+4.0 pts"
    assert fmt.amount(-3.5, "%") == "3.5 points"
    assert fmt.change(-2.3, "min") == "-2.30 min"
    assert fmt.change(None, "%") == "—"
    assert fmt.value(24.0, "%") == "24.0%" and fmt.value(1.17, "ratio") == "1.17" and fmt.value(None, "%") == "—"
    assert fmt.level(24.0, "%") == "24.0%" and fmt.level(7.7, "min") == "7.7 min"


def test_significance_is_said_in_words():
    assert fmt.likely_real(0.001) == "likely a real change"
    assert fmt.likely_real(0.2) == "could be chance"
    assert fmt.likely_real(None) == "not enough answers to tell"


def test_status_colours_never_rely_on_red_against_green():
    hues = {s: hue_and_lightness(c)[0] for s, c in charts.STATUS_COLOURS.items() if s is not None}
    assert not any(75 <= h <= 165 for h in hues.values())  # no green at all
    on_track, off_track = (
        hue_and_lightness(charts.STATUS_COLOURS["on_track"]),
        hue_and_lightness(charts.STATUS_COLOURS["off_track"]),
    )
    assert 180 <= on_track[0] <= 260 and off_track[0] <= 45  # blue against orange
    assert "green" not in charts.STATUS_BADGES.values()


def test_proficiency_colours_run_in_level_order_from_orange_to_blue():
    hues = [hue_and_lightness(charts.PROFICIENCY_COLOURS[level]) for level in (1, 2, 3, 4, 5)]
    assert hues[0][0] <= 45 and hues[1][0] <= 45  # 1 and 2: orange
    assert 180 <= hues[3][0] <= 260 and 180 <= hues[4][0] <= 260  # 4 and 5: blue
    assert hues[0][1] < hues[1][1] and hues[4][1] < hues[3][1]  # the ends are the darkest


def test_heatmaps_use_colour_blind_safe_scales():
    assert set(charts.HEATMAP_SCALES.values()) <= {"Cividis", "Viridis"}


def tile(key: str, status: str | None, progress: float | None) -> impact.KpiTile:
    day = dt.date(2027, 1, 1)
    return impact.KpiTile(
        key, key.title(), "%", "up", 20.0, day, 30.0, dt.date(2027, 12, 31), None if progress is None else 24.0,
        day, None, progress, 40.0, status, [(day, 24.0)],
    )  # fmt: skip


def executive(*tiles: impact.KpiTile) -> impact.Executive:
    card = impact.Scorecard("rev", "Revenue", "revenue_growth", 5, "", None, list(tiles), 0.0)
    alignment = impact.AlignmentSummary(0, 0, None, None, 0.0, {"Revenue": 100.0}, [])
    return impact.Executive("p1", "Plan", dt.date(2027, 1, 1), dt.date(2027, 12, 31), [card], alignment, [], [], [], [])


def legend_names(fig) -> set[str]:
    return {t.name for t in fig.data if t.showlegend is not False and t.name}


def test_the_progress_chart_has_a_title_and_a_legend_entry_for_every_status_colour_it_uses():
    view = executive(tile("win", "on_track", 40.0), tile("nps", "off_track", 5.0), tile("csat", None, None))
    fig = charts.progress_figure(view)

    assert fig.layout.title.text
    bars = [t for t in fig.data if t.type == "bar"]
    assert {b.marker.color for b in bars} == {charts.STATUS_COLOURS["on_track"], charts.STATUS_COLOURS["off_track"]}
    assert legend_names(fig) == {"Progress to target: on track", "Progress to target: off track", "Time gone"}


def test_every_executive_chart_has_a_title_and_names_its_colours():
    view = executive(tile("win", "at_risk", 30.0))
    for fig in (charts.progress_figure(view), charts.kpi_trends_figure(view), charts.budget_figure(view)):
        assert fig.layout.title.text
        assert legend_names(fig)
    assert {"At risk", "Baseline", "Target"} <= legend_names(charts.kpi_trends_figure(view))


def heat(cells: list[gaps.Cell], unanswered: list[str]) -> evidence.Heatmap:
    return evidence.Heatmap(
        plan="p1",
        wave=evidence.WaveRef(key="base", title="Baseline", kind="baseline", min_group=5),
        teams=[Named(key="a", name="Team A"), Named(key="b", name="Team B")],
        capabilities=[Named(key="neg", name="Negotiation")],
        importance={"neg": 1.0},
        cells=cells,
        team_totals=[],
        capability_totals=[],
        top_gaps=[],
        unanswered=unanswered,
    )


def test_a_team_nobody_answered_in_shows_no_data_never_a_gap_and_a_small_group_shows_less_than_five():
    cells = [
        gaps.Cell("a", "neg", 2.5, 4, 1.5, 1.5, 6, False),
        gaps.Cell("b", "neg", None, 4, None, None, None, True),
    ]
    z, text, _ = charts.heatmap_grid(heat(cells, unanswered=["b"]), "gap")
    assert text == [["1.50"], ["no data"]] and z == [[1.5], [None]]
    _, text, _ = charts.heatmap_grid(heat(cells, unanswered=[]), "gap")
    assert text == [["1.50"], ["< 5"]]
    _, text, _ = charts.heatmap_grid(heat(cells, unanswered=["b"]), "target")
    assert text == [["4"], ["4"]]  # the target is the plan's, answered or not


def test_the_sankey_layout_puts_each_layer_in_its_column_spread_evenly():
    xs, ys = charts.sankey_layout(["objective", "capability", "capability", "initiative", "kpi"])
    assert xs == [0.001, 0.34, 0.34, 0.67, 0.999]
    assert ys == [0.5, 0.25, 0.75, 0.5, 0.5]


def test_the_heatmap_has_a_title_and_a_colour_bar_named_in_words():
    cells = [gaps.Cell("a", "neg", 2.5, 4, 1.5, 1.5, 6, False)]
    fig = charts.heatmap_figure(heat(cells, unanswered=[]), "gap")
    assert fig.layout.title.text.startswith("Gap (target − current, floored at 0) by team and capability")
    assert fig.data[0].colorbar.title.text == "Gap (levels)"


def imports_of(path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_figures_are_drawn_only_in_the_reporting_package_and_services_import_no_display_library():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    drawing = {p.relative_to(root).as_posix() for p in [*root.glob("ldcore/**/*.py"), *root.glob("pages/*.py")]
               if "plotly" in imports_of(p)}  # fmt: skip
    assert drawing == {"ldcore/reporting/charts.py", "ldcore/reporting/html.py", "ldcore/reporting/deck.py"}
    for service in root.glob("ldcore/services/*.py"):
        assert not imports_of(service) & {"plotly", "streamlit"}, service.name


def test_the_kpi_chart_names_every_team_and_its_baseline_and_target_in_the_legend():
    from ldcore.services.kpis import KpiSeries, ObservationOut

    day = dt.date(2027, 3, 1)
    series = KpiSeries(
        key="win", name="Win rate", unit="%", direction="up", baseline_value=20.0, baseline_date=dt.date(2027, 1, 1),
        target_value=30.0, target_date=dt.date(2027, 12, 31),
        observations=[
            ObservationOut(id=n, date=day, value=v, team=t, team_name=t.title(), note="", source="manual")
            for n, (t, v) in enumerate([("east", 22.0), ("west", 24.0)])
        ],
    )  # fmt: skip
    fig = charts.kpi_series_figure(series)
    assert fig.layout.title.text == "Win rate over time"
    assert legend_names(fig) == {"East", "West", "Baseline 20 (Jan 2027)", "Target 30 by Dec 2027"}
    assert "green" not in {t.line.color for t in fig.data if t.line}
