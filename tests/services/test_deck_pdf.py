"""The report pack on SQLite and Postgres: the PowerPoint deck opened with python-pptx (slides, native chart series,
the heatmap table with suppressed cells, ROI figures and their audit), the PDF printed by Chromium and read back
with poppler (pages, page numbers, paper size, no raster images, numbers equal to the JSON report's), and the pack
mailed through an SMTP server, now and on the plan's schedule."""

from __future__ import annotations

import datetime as dt
import email
import io
import re
import shutil
import socket
import subprocess

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from sqlalchemy import select

from ldcore.cli import main
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Capability, Plan, SurveyWave, Team
from ldcore.reporting import contract, deck, delivery, pdf
from ldcore.settings import SmtpSettings
from tests.support.impact import build, respond


def deck_of(engine):
    with read_session(engine) as session:
        data = contract.report_json(session, plan_key="p1")
        content = deck.report_pptx(session, plan_key="p1")
    return Presentation(io.BytesIO(content)), data


def titles(prs) -> list[str]:
    return [slide.shapes.title.text if slide.shapes.title is not None else "" for slide in prs.slides]


def tables(slide) -> list:
    return [shape.table for shape in slide.shapes if shape.has_table]


def test_the_deck_has_title_summary_objective_heatmap_roi_and_chain_slides_in_order(engine):
    build(engine)
    prs, _ = deck_of(engine)

    assert titles(prs) == [
        "Plan one",
        "In 30 seconds",
        "Grow revenue — On track",
        "Serve for less — On track",
        "Keep people — On track",
        "Capability gaps by team",
        "Return on investment: Sales Academy",
        "Return on investment: Service Excellence",
        "Return on investment: Leadership Essentials",
        "From learning to results: Sales Academy",
        "From learning to results: Service Excellence",
        "From learning to results: Leadership Essentials",
    ]
    summary = tables(prs.slides[1])[0]
    rows = [[cell.text for cell in row.cells] for row in summary.rows]
    assert rows[0] == ["Objective", "KPI", "Baseline", "Current", "Target", "Progress", "Status"]
    assert rows[2] == ["", "Win rate", "20.0%", "24.0%", "30.0%", "40.0%", "On track"]


def test_each_objective_slide_has_a_native_chart_whose_series_equal_the_json_progress(engine):
    build(engine)
    prs, data = deck_of(engine)

    for slide, objective in zip(list(prs.slides)[2:5], data["objectives"], strict=True):
        charts = [shape.chart for shape in slide.shapes if shape.has_chart]
        assert len(charts) == 1  # a chart object PowerPoint can edit, not a picture
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        plot = charts[0].plots[0]
        assert list(plot.categories) == [
            {"win": "Win rate", "aht": "Handle time", "attr": "Attrition"}[k["key"]] for k in objective["kpis"]
        ]
        assert plot.series[0].name == "Progress to target (%)"
        assert list(plot.series[0].values) == [k["progress_pct"] for k in objective["kpis"]]
    assert list(list(prs.slides)[2].shapes)[1].text_frame.text.startswith("Win rate\n24.0%")


def test_the_heatmap_table_shows_the_json_means_and_no_number_for_groups_below_the_minimum(engine):
    build(engine)
    with unit_of_work(engine) as session:
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        wave = session.scalar(select(SurveyWave).where(SurveyWave.key == "base"))
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))
        for value in (1, 5):  # two answers from L1: below the minimum group
            respond(session, wave, teams["l1"], {"proficiency": value}, neg)
    prs, data = deck_of(engine)

    cells = {(c["team"], c["capability"]): c for c in data["heatmap"]["cells"]}
    assert cells[("l1", "neg")]["suppressed"] and cells[("l1", "neg")]["current"] is None
    table = tables(prs.slides[5])[0]
    rows = {row.cells[0].text: [cell.text for cell in row.cells][1:] for row in list(table.rows)[1:]}
    assert [cell.text for cell in table.rows[0].cells] == ["Team", "Negotiation"]
    assert rows["A1"] == [f"{cells[('a1', 'neg')]['current']:.2f}"] == ["2.00"]
    assert rows["L1"] == ["fewer than 5"]
    by_team = {row.cells[0].text: row.cells[1] for row in list(table.rows)[1:]}
    assert by_team["L1"].fill.fore_color.rgb == deck.SUPPRESSED_FILL
    assert by_team["A1"].fill.fore_color.rgb == deck._gap_colour(cells[("a1", "neg")]["gap"])[0]  # gap 2: Cividis
    assert "3.00" not in "".join(rows["L1"])  # the mean of the two hidden answers appears nowhere


def test_roi_slides_show_the_json_figures_the_method_in_words_and_the_audit_trail_in_the_notes(engine):
    build(engine)
    prs, data = deck_of(engine)

    academy = data["roi"][0]
    slide = prs.slides[6]
    text = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert f"Benefit-cost ratio\n{academy['bcr']:.2f}" in text
    assert f"ROI\n{academy['roi_pct']:.1f}%" in text
    assert f"Payback\n{academy['payback_months']:.1f} months" in text
    assert "difference in differences" in text
    notes = slide.notes_slide.notes_text_frame.text
    assert notes.startswith("How the figures were worked out:")
    assert "3,500" in notes or "3500" in notes


def test_chromium_missing_gives_a_clear_message(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(Invalid, match="Making a PDF needs Chromium"):
        pdf.print_html("<html><head></head><body>x</body></html>")


def pdf_text(path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_info(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


SECTIONS = [
    "Summary",
    "Objectives",
    "Alignment and budget",
    "From learning to results, per program",
    "Skills gap closed",
    "Return on investment",
]


@pytest.mark.browser
def test_the_pdf_prints_each_section_on_a_new_numbered_page_with_vector_charts_and_the_json_numbers(engine, tmp_path):
    if shutil.which("chromium") is None or shutil.which("pdftoppm") is None:
        pytest.skip("needs Debian's chromium and poppler-utils")
    build(engine)
    url = engine.url.render_as_string(hide_password=False)
    for paper, size, expected_pages in (("a4", "(A4)", 8), ("letter", "(letter)", 9)):
        out = tmp_path / f"r-{paper}.pdf"
        assert (
            main(["--database", url, "report", "--plan", "p1", "--format", "pdf", "--paper", paper, "--out", str(out)])
            == 0
        )
        info = pdf_info(out)
        assert size in info["Page size"]
        pages = int(info["Pages"])
        assert pages == expected_pages
        first_lines = [pdf_text(out, n).strip().splitlines()[0].strip() for n in range(1, pages + 1)]
        for section in SECTIONS[1:]:  # every section after the first starts a page
            assert section in first_lines
        assert all(f"Page {n} of {pages}" in pdf_text(out, n) for n in range(1, pages + 1))
        images = subprocess.run(["pdfimages", "-list", str(out)], check=True, capture_output=True, text=True).stdout
        assert len(images.strip().splitlines()) == 2  # the header lines only: charts are vectors, not pictures
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / paper)], check=True)
        assert len(list(tmp_path.glob(f"{paper}-*.png"))) == pages

    with read_session(engine) as session:
        data = contract.report_json(session, plan_key="p1")
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "r-a4.pdf"))
    for row in data["roi"]:
        assert f"{row['bcr']:.2f}" in text and f"{row['roi_pct']:.1f}%" in text
    assert "24.0%" in text  # the win rate's current value


def test_ldalign_report_refuses_a_binary_format_without_an_output_file(engine, capsys):
    build(engine)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "report", "--plan", "p1", "--format", "pptx"]) == 2
    assert capsys.readouterr().err.strip() == "error: --format pptx writes a file: add --out FILE."


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpSettings(host="127.0.0.1", port=port, sender="ld@example.org"), received
    controller.stop()


def test_deliver_mails_the_deck_as_an_attachment_to_every_recipient(engine, smtp_server):
    smtp, received = smtp_server
    build(engine)
    with read_session(engine) as session:
        delivery.deliver(session, smtp, plan_key="p1", to=["a@example.org", " B@Example.org"], fmt="pptx")

    assert len(received) == 1
    message = email.message_from_string(received[0].as_string())
    assert message["To"] == "a@example.org, B@example.org"
    assert message["Subject"] == "Plan one: the L&D report"
    attachment = next(part for part in message.walk() if part.get_filename())
    assert attachment.get_filename() == "ld-align-p1.pptx"
    assert titles(Presentation(io.BytesIO(attachment.get_payload(decode=True))))[0] == "Plan one"


def test_deliver_refuses_a_bad_address_and_missing_smtp_before_rendering(engine):
    build(engine)
    with read_session(engine) as session:
        with pytest.raises(Invalid, match="'not-an-address' is not an email address"):
            delivery.deliver(session, SmtpSettings(host="x"), plan_key="p1", to=["not-an-address"], fmt="pdf")
        with pytest.raises(Invalid, match="SMTP is not configured"):
            delivery.deliver(session, SmtpSettings(), plan_key="p1", to=["a@example.org"], fmt="pdf")


def test_a_scheduled_pack_is_sent_once_per_period_however_often_deliver_due_runs(engine, smtp_server):
    smtp, received = smtp_server
    build(engine)
    with unit_of_work(engine) as session:
        delivery.set_schedule(session, plan_key="p1", every="quarterly", to="a@example.org", fmt="pptx")

    def run(day: dt.date) -> list[str]:
        with read_session(engine) as session:
            due = delivery.due_plans(session, today=day)
        for plan_key in due:
            with unit_of_work(engine) as session:
                delivery.deliver_if_due(session, smtp, plan_key=plan_key, today=day)
        return due

    assert run(dt.date(2027, 1, 5)) == ["p1"]
    assert run(dt.date(2027, 1, 5)) == []  # the same day again: nothing more
    assert run(dt.date(2027, 3, 31)) == []  # the same quarter
    assert run(dt.date(2027, 4, 1)) == ["p1"]  # a new quarter
    assert len(received) == 2
    with read_session(engine) as session:
        assert session.scalar(select(Plan.report_sent_on)) == dt.date(2027, 4, 1)


def test_a_failed_send_records_nothing_so_the_pack_stays_due(engine):
    build(engine)
    with unit_of_work(engine) as session:
        delivery.set_schedule(session, plan_key="p1", every="monthly", to="a@example.org", fmt="pptx")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(OSError), unit_of_work(engine) as session:
        delivery.deliver_if_due(
            session, SmtpSettings(host="127.0.0.1", port=closed_port), plan_key="p1", today=dt.date(2027, 1, 5)
        )
    with read_session(engine) as session:
        assert delivery.due_plans(session, today=dt.date(2027, 1, 5)) == ["p1"]


def test_ldalign_deliver_sets_the_schedule_and_refuses_an_unknown_plan_in_one_line(engine, capsys):
    build(engine)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database", url, "deliver", "--plan", "p1", "--every", "monthly", "--to", "a@x.org,b@y.org"]) == 0
    assert capsys.readouterr().out.strip() == "plan p1: pdf report monthly to a@x.org, b@y.org"
    assert main(["--database", url, "deliver", "--plan", "nope", "--every", "monthly", "--to", "a@x.org"]) == 2
    assert capsys.readouterr().err.strip() == "error: No plan with key 'nope'."


def test_ldalign_deliver_mails_now_and_deliver_due_sends_each_due_pack_once(engine, smtp_server, monkeypatch, capsys):
    import types

    from ldcore.commands import reports as report_commands

    smtp, received = smtp_server
    monkeypatch.setattr(report_commands, "get_settings", lambda: types.SimpleNamespace(smtp=smtp))
    build(engine)
    url = engine.url.render_as_string(hide_password=False)

    assert main(["--database", url, "deliver", "--plan", "p1", "--to", "a@x.org", "--format", "pptx"]) == 0
    assert capsys.readouterr().out.strip() == "sent ld-align-p1.pptx to a@x.org"
    assert (
        main(
            ["--database", url, "deliver", "--plan", "p1", "--every", "monthly", "--to", "b@y.org", "--format", "pptx"]
        )
        == 0
    )
    assert main(["--database", url, "deliver", "--due"]) == 0
    assert main(["--database", url, "deliver", "--due"]) == 0
    out = capsys.readouterr().out
    assert out.count("sent the report of plan p1") == 1 and out.strip().endswith("no report is due")
    assert [m["To"] for m in received] == ["a@x.org", "b@y.org"]
    assert main(["--database", url, "deliver", "--plan", "p1", "--to", "nobody"]) == 2
    assert capsys.readouterr().err.strip() == "error: 'nobody' is not an email address."


def test_a_heatmap_larger_than_a_slide_keeps_the_highest_priority_teams_and_says_so(engine, monkeypatch):
    build(engine)
    with unit_of_work(engine) as session:
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        wave = session.scalar(select(SurveyWave).where(SurveyWave.key == "base"))
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))
        for value in (1, 2, 3, 4, 5):
            respond(session, wave, teams["s1"], {"proficiency": value}, neg)
    monkeypatch.setattr(deck, "MAX_HEATMAP_TEAMS", 1)
    prs, data = deck_of(engine)

    table = tables(prs.slides[5])[0]
    assert [row.cells[0].text for row in table.rows] == ["Team", "A1"]  # a1 has the gap to its target of 4
    text = "\n".join(s.text_frame.text for s in prs.slides[5].shapes if s.has_text_frame)
    assert "The 1 teams and 1 capabilities with the highest priority; the app shows all." in text
