"""The plan report as a PowerPoint deck (python-pptx), drawn from the JSON report's own dict so every number on a
slide equals the JSON's: a title slide, the 30-second summary, one slide per objective with its KPI tiles and a
native (editable) chart of KPI progress, the capability gap heatmap as a coloured table, one ROI slide per program
with its audit trail in the speaker notes, and the Kirkpatrick chain per program.

Suppressed heatmap cells (groups below the wave's minimum) carry no number, only "fewer than N"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, TypeAlias

from plotly.colors import sample_colorscale
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Inches, Pt
from sqlalchemy.orm import Session

from ldcore.analytics import roi
from ldcore.models import utcnow
from ldcore.reporting import charts, contract, fmt
from ldcore.services import evidence, impact

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BLANK, TITLE, TITLE_ONLY = 6, 0, 5  # layouts of python-pptx's default template
GAP_SCALE = "Cividis"  # colour-blind safe: dark blue (no gap) → yellow (largest gap)
GAP_SCALE_MAX = 4.0  # a gap of 4 levels (target 5, current 1) is the largest possible
MAX_HEATMAP_TEAMS, MAX_HEATMAP_CAPABILITIES = 14, 14  # what fits a slide; both are ranked by priority
SUPPRESSED_FILL = RGBColor(0xBD, 0xBD, 0xBD)
NO_TARGET_FILL = RGBColor(0xFF, 0xFF, 0xFF)
# python-pptx has no type information: its presentation, slides and shapes are Any to mypy
Deck: TypeAlias = Any
Slide: TypeAlias = Any
Shape: TypeAlias = Any


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _full_width(shape: Shape, top: int, height: int) -> None:
    """The default template's placeholders are laid out for 4:3; stretch them over the 16:9 slide."""
    shape.left, shape.top, shape.width, shape.height = MARGIN, top, WIDTH - 2 * MARGIN, height


def _title(slide: Slide, text: str) -> None:
    title = slide.shapes.title
    _full_width(title, Inches(0.3), Inches(0.9))
    title.text = text
    title.text_frame.paragraphs[0].font.size = Pt(30)


def _text(
    slide: Slide, text: str, left: int, top: int, width: int, height: int, size: int = 14, bold: bool = False
) -> Shape:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
    return box


def _table(
    slide: Slide, headers: Sequence[str], rows: Sequence[Sequence[str]], top: int, height: int, size: int = 12
) -> Any:
    shape = slide.shapes.add_table(len(rows) + 1, len(headers), MARGIN, top, WIDTH - 2 * MARGIN, height)
    table = shape.table
    for col, header in enumerate(headers):
        table.cell(0, col).text = header
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            table.cell(r, col).text = value
    for r in range(len(rows) + 1):
        for col in range(len(headers)):
            for paragraph in table.cell(r, col).text_frame.paragraphs:
                paragraph.font.size = Pt(size)
    return table


def _notes(slide: Slide, lines: Sequence[str]) -> None:
    slide.notes_slide.notes_text_frame.text = "\n".join(lines)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


# --- slides -----------------------------------------------------------------------------------------------------


def title_slide(prs: Deck, view: impact.Executive, generated: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE])
    _full_width(slide.shapes.title, Inches(2.0), Inches(1.5))
    _full_width(slide.placeholders[1], Inches(3.7), Inches(2.0))
    slide.shapes.title.text = view.plan_name
    slide.placeholders[1].text = (
        f"Plan {view.plan_key}, {view.starts} – {view.ends}\nWhat L&D is moving, and what it is worth\n"
        f"Generated {generated}"
    )


def summary_slide(prs: Deck, view: impact.Executive, data: dict[str, Any]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, "In 30 seconds")
    tiles = {(card.key, t.key): t for card in view.scorecards for t in card.kpis}
    rows = []
    for objective in data["objectives"]:
        rows.append([objective["title"], "", "", "", "", "", fmt.STATUS_LABELS[objective["status"]]])
        for kpi in objective["kpis"]:
            tile = tiles[(objective["key"], kpi["key"])]
            rows.append(
                [
                    "",
                    tile.name,
                    fmt.value(kpi["baseline"], tile.unit),
                    fmt.value(kpi["current"], tile.unit),
                    fmt.value(kpi["target"], tile.unit),
                    _pct(kpi["progress_pct"]),
                    fmt.STATUS_LABELS[tile.status],
                ]
            )
    table = _table(
        slide,
        ["Objective", "KPI", "Baseline", "Current", "Target", "Progress", "Status"],
        rows,
        Inches(1.4),
        Inches(0.3) * (len(rows) + 1),
        size=11 if len(rows) < 16 else 9,
    )
    status_column = 6
    for r, row in enumerate(rows, start=1):
        status = next((k for k, label in fmt.STATUS_LABELS.items() if label == row[status_column]), None)
        cell = table.cell(r, status_column)
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(charts.STATUS_COLOURS[status])
        cell.text_frame.paragraphs[0].font.color.rgb = _rgb(charts.text_on(charts.STATUS_COLOURS[status]))
    _notes(slide, view.narrative)


def objective_slide(prs: Deck, card: impact.Scorecard, objective: dict[str, Any]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, f"{card.title} — {fmt.STATUS_LABELS[card.status]}")
    tiles = {t.key: t for t in card.kpis}
    kpis = objective["kpis"]
    if not kpis:
        _text(slide, "No KPI measures this objective yet.", MARGIN, Inches(1.5), Inches(8), Inches(0.6))
        return
    tile_width = Inches(4.0)
    tile_height = min((HEIGHT - Inches(1.8)) / max(len(kpis), 1) - Inches(0.1), Inches(2.0))
    for n, kpi in enumerate(kpis):
        tile = tiles[kpi["key"]]
        target = fmt.value(kpi["target"], tile.unit)
        top = Inches(1.4) + n * (tile_height + Inches(0.1))
        box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, MARGIN, top, tile_width, Emu(int(tile_height)))
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF5, 0xF5, 0xF5)
        box.line.color.rgb = _rgb(charts.STATUS_COLOURS[tile.status])
        box.line.width = Pt(3)
        frame = box.text_frame
        frame.word_wrap = True
        lines = [
            (tile.name, 14, True),
            (fmt.value(kpi["current"], tile.unit), 24, True),
            (f"{fmt.value(kpi['baseline'], tile.unit)} → target {target}", 11, False),
            (f"{_pct(kpi['progress_pct'])} of the way · {fmt.STATUS_LABELS[tile.status]}", 11, False),
        ]
        for i, (text, size, bold) in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = text
            paragraph.font.size = Pt(size)
            paragraph.font.bold = bold
            paragraph.font.color.rgb = RGBColor(0x22, 0x22, 0x22)

    chart_data = CategoryChartData()
    chart_data.categories = [tiles[k["key"]].name for k in kpis]
    chart_data.add_series("Progress to target (%)", [k["progress_pct"] for k in kpis])
    chart_data.add_series("Time gone (%)", [_round1(tiles[k["key"]].expected_pct) for k in kpis])
    left = MARGIN + tile_width + Inches(0.3)
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, left, Inches(1.4), WIDTH - left - MARGIN, HEIGHT - Inches(1.9), chart_data
    ).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.category_axis.reverse_order = True  # the first KPI on top, as in the tiles
    chart.value_axis.minimum_scale = min([0.0, *[k["progress_pct"] or 0.0 for k in kpis]])
    chart.value_axis.maximum_scale = max([100.0, *[k["progress_pct"] or 0.0 for k in kpis]])
    chart.value_axis.has_title = True
    chart.value_axis.axis_title.text_frame.text = "% of the way from baseline to target"
    chart.plots[0].series[0].format.fill.solid()
    chart.plots[0].series[0].format.fill.fore_color.rgb = _rgb(charts.AFTER)
    chart.plots[0].series[1].format.fill.solid()
    chart.plots[0].series[1].format.fill.fore_color.rgb = _rgb(charts.BEFORE)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _gap_colour(gap: float) -> tuple[RGBColor, RGBColor]:
    """Fill and text colour of a heatmap cell on the Cividis scale."""
    rgb = sample_colorscale(GAP_SCALE, [min(max(gap / GAP_SCALE_MAX, 0.0), 1.0)])[0]
    r, g, b = (int(part) for part in rgb.removeprefix("rgb(").removesuffix(")").split(","))
    text = RGBColor(0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else RGBColor(0xFF, 0xFF, 0xFF)
    return RGBColor(r, g, b), text


def heatmap_slide(prs: Deck, heat: evidence.Heatmap | None, section: dict[str, Any]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, "Capability gaps by team")
    if heat is None:
        _text(slide, "No baseline survey rating skills yet.", MARGIN, Inches(1.5), Inches(8), Inches(0.6))
        return
    cells = {(c["team"], c["capability"]): c for c in section["cells"]}
    caps, teams = heat.capabilities[:MAX_HEATMAP_CAPABILITIES], heat.teams[:MAX_HEATMAP_TEAMS]
    rows = []
    for team in teams:
        row = [team.name]
        for cap in caps:
            cell = cells.get((team.key, cap.key))
            if cell is None or cell["suppressed"] or cell["current"] is None:
                row.append(f"fewer than {heat.wave.min_group}" if cell and cell["suppressed"] else "—")
            else:
                row.append(f"{cell['current']:.2f}")
        rows.append(row)
    size = 11 if len(caps) <= 8 else 7
    table = _table(
        slide, ["Team", *[c.name for c in caps]], rows, Inches(1.3), Inches(0.32) * (len(rows) + 1), size=size
    )
    table.columns[0].width = Inches(1.8)
    rest = (WIDTH - 2 * MARGIN - Inches(1.8)) // max(len(caps), 1)
    for col in range(1, len(caps) + 1):
        table.columns[col].width = Emu(int(rest))
    for r, team in enumerate(teams, start=1):
        for col, cap in enumerate(caps, start=1):
            cell = cells.get((team.key, cap.key))
            target = table.cell(r, col)
            target.fill.solid()
            if cell is None or cell["suppressed"] or cell["gap"] is None:
                hidden = cell is not None and cell["suppressed"]
                target.fill.fore_color.rgb = SUPPRESSED_FILL if hidden else NO_TARGET_FILL
                continue
            fill, text = _gap_colour(cell["gap"])
            target.fill.fore_color.rgb = fill
            target.text_frame.paragraphs[0].font.color.rgb = text
    _text(
        slide,
        f"Mean current level (1–5) per team and capability, from survey wave {heat.wave.title}. Colour shows the gap "
        f"to the team's target: dark blue no gap, yellow the largest (up to {GAP_SCALE_MAX:.0f} levels); white: no "
        f"target set. Groups of fewer than {heat.wave.min_group} respondents are not shown (grey)."
        + (
            f" The {len(teams)} teams and {len(caps)} capabilities with the highest priority; the app shows all."
            if (len(teams), len(caps)) != (len(heat.teams), len(heat.capabilities))
            else ""
        ),
        MARGIN,
        HEIGHT - Inches(0.9),
        WIDTH - 2 * MARGIN,
        Inches(0.6),
        size=11,
    )


def roi_slide(prs: Deck, result: roi.InitiativeRoi, row: dict[str, Any]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, f"Return on investment: {result.name}")
    figures = [
        ("Benefit-cost ratio", fmt.value(row["bcr"], "ratio")),
        ("ROI", fmt.value(row["roi_pct"], "%")),
        ("Payback", fmt.value(row["payback_months"], "months")),
        ("Costs", fmt.money(row["costs"])),
        ("First-year benefits", fmt.money(row["benefits"])),
    ]
    width = (WIDTH - 2 * MARGIN - Inches(0.2) * (len(figures) - 1)) / len(figures)
    for n, (label, value) in enumerate(figures):
        left = Emu(int(MARGIN + n * (width + Inches(0.2))))
        box = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, Inches(1.5), Emu(int(width)), Inches(1.6))
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF5, 0xF5, 0xF5)
        box.line.color.rgb = _rgb(charts.AFTER)
        frame = box.text_frame
        frame.text = label
        frame.paragraphs[0].font.size = Pt(14)
        paragraph = frame.add_paragraph()
        paragraph.text = value
        paragraph.font.size = Pt(28)
        paragraph.font.bold = True
        for p in frame.paragraphs:
            p.font.color.rgb = RGBColor(0x22, 0x22, 0x22)
    _text(slide, "How the program's effect was isolated", MARGIN, Inches(3.5), Inches(12), Inches(0.5), 16, True)
    _text(slide, contract.ISOLATION_WORDS[row["isolation"]], MARGIN, Inches(4.0), Inches(12), Inches(1.2), 16)
    if row["benefits"] is None:
        _text(
            slide,
            "No benefit is claimed until the data to isolate the effect exists.",
            MARGIN,
            Inches(5.2),
            Inches(12),
            Inches(0.6),
            14,
        )
    lines = ["How the figures were worked out:", *result.steps]
    for effect in result.effects:
        lines.append(f"{effect.name} ({effect.method or 'no method'}):")
        lines.extend(f"  {step}" for step in effect.steps)
    _notes(slide, lines)


def chain_slide(prs: Deck, chain: impact.Chain) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    _title(slide, f"From learning to results: {chain.name}")
    rows = contract.chain_rows(chain)
    _table(
        slide,
        ["Level", "Measure", "Value", "n", "Note"],
        [[r["level"], r["measure"], r["value"], r["n"], r["note"]] for r in rows],
        Inches(1.4),
        Inches(0.4) * (len(rows) + 1),
        size=12,
    )


def report_pptx(session: Session, *, plan_key: str, generated_at: dt.datetime | None = None) -> bytes:
    """The deck as .pptx bytes."""
    return render(contract.build(session, plan_key=plan_key), generated_at=generated_at)


def render(report: contract.Report, *, generated_at: dt.datetime | None = None) -> bytes:
    """The deck of a computed report view, as .pptx bytes."""
    view = report.executive
    data = contract.json_of(report)
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    title_slide(prs, view, (generated_at or utcnow()).strftime("%Y-%m-%d %H:%M UTC"))
    summary_slide(prs, view, data)
    for card, objective in zip(view.scorecards, data["objectives"], strict=True):
        objective_slide(prs, card, objective)
    heatmap_slide(prs, report.heatmap, data["heatmap"])
    for result, row in zip(view.roi, data["roi"], strict=True):
        roi_slide(prs, result, row)
    for chain in view.chains:
        chain_slide(prs, chain)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
