"""An editor copies `capability_followup`, rewords a question, adds a bank question and a German translation,
previews it on a phone in German and creates a wave of it; a respondent with a German browser answers in German;
the export and the heatmap count that answer like the English ones."""

from __future__ import annotations

import csv
import re

from playwright.sync_api import Page, expect

from ldcore.db import dispose_engine, get_engine, read_session, unit_of_work
from ldcore.services import evidence, responses
from tests.browser.helpers import assert_no_exception, open_page, sign_in, wait_for_app
from tests.support.surveys import token_of

PLAN = """
plan: {key: builderj, name: Builder journey plan, starts: 1998-01-01, ends: 1998-12-31}
objectives:
  - {key: grow, title: Grow, category: revenue_growth, priority: 3}
capabilities:
  - {key: listening, name: Active listening, drives: {grow: 3}}
teams:
  - {key: builderj-team, name: Builder Team, targets: {listening: 4}}
"""
PEOPLE = ["de.user", "en1.user", "en2.user", "en3.user", "en4.user"]
SURVEY = "acme_followup_j"
WAVE = "acme-j-wave"
GERMAN_TITLE = "Wie hat sich Ihre Arbeit verändert?"
REWORDED = "How often did you use each capability at work in the last 30 days?"
GERMAN_APPLIED = "Wie oft haben Sie jede Fähigkeit in den letzten 30 Tagen angewendet?"
DE = "German (de)"


def choose(page: Page, label: str, option: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def fill(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Tab")  # text areas and inputs send their value when they lose focus
    wait_for_app(page)


def prepare(app, tmp_path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN)
    roster = "".join(f"{p}@builder.example,{p.title()},builderj-team\n" for p in PEOPLE)
    (tmp_path / "roster.csv").write_text("email,name,team\n" + roster)
    for step in (("plan", "import", str(tmp_path / "plan.yaml")), ("roster", "import", str(tmp_path / "roster.csv"))):
        result = app.cli(*step)
        assert result.returncode == 0, result.stderr


def build_survey(page: Page, app) -> None:
    open_page(page, app.url, "builder")
    choose(page, "Survey", "How has your work changed? Capability follow-up — stock survey (read-only)")
    fill(page, "Key of your copy", SURVEY)
    page.get_by_role("button", name="Copy to edit").click()
    wait_for_app(page)
    questions = page.get_by_role("tabpanel", name="Questions")
    questions.get_by_text("2. In the last 30 days, how often did you apply each capability on the job?").click()
    fill(page, "Question 2: text", REWORDED)

    page.get_by_role("tab", name="Question bank").click()
    fill(page, "Search the question bank", "recommend this program")
    expect(page.get_by_text("1 question", exact=True)).to_be_visible()
    page.locator(".st-key-builder_bank_add-program_reaction-nps").get_by_role("button").first.click()
    wait_for_app(page)
    expect(page.get_by_text("Added as question 8")).to_be_visible()

    page.get_by_role("tab", name="Languages").click()
    fill(page, "Add a language (two-letter code, e.g. de)", "de")
    page.get_by_role("button", name="Add language").click()
    wait_for_app(page)
    fill(page, f"Title in {DE}", GERMAN_TITLE)
    fill(page, f"Question 2 in {DE}", GERMAN_APPLIED)
    fill(page, f"Question 4 option “No time” in {DE}", "Keine Zeit")
    expect(page.get_by_text("texts not translated into German (de) yet")).to_be_visible()

    page.get_by_role("tab", name="Preview").click()
    choose(page, "Language", DE)
    phone = page.locator(".st-key-builder_preview_phone")
    expect(phone.get_by_role("heading", name=GERMAN_TITLE)).to_be_visible()
    expect(phone.get_by_text(GERMAN_APPLIED)).to_be_visible()
    assert phone.bounding_box()["width"] <= 400
    page.get_by_role("button", name="Save survey").click()
    wait_for_app(page)
    expect(page.get_by_text("saved as version 1", exact=True)).to_be_visible()
    assert_no_exception(page)


def create_wave(page: Page, app) -> None:
    open_page(page, app.url, "surveys")
    choose(page, "Plan", "Builder journey plan (Jan 1998 – Dec 1998)")
    choose(page, "Survey", "How has your work changed? Capability follow-up (version 1)")
    page.get_by_label("Key", exact=True).fill(WAVE)
    page.get_by_role("button", name="Create wave").click()
    wait_for_app(page)
    assert_no_exception(page)
    for _ in range(20):  # the page reruns after creating, so its message does not stay
        listed = app.cli("wave", "list", "--plan", "builderj").stdout
        if WAVE in listed:
            break
        page.wait_for_timeout(500)
    assert f"{WAVE}\tbaseline\t{SURVEY}" in listed


def links(app, tmp_path) -> dict[str, str]:
    out = tmp_path / "links.csv"
    result = app.cli("invite", "--wave", WAVE, "--out", str(out), "--base-url", app.url)
    assert result.returncode == 0, result.stderr
    return {row["email"].split("@")[0]: row["link"] for row in csv.DictReader(out.open(encoding="utf-8-sig"))}


def answer_in_german(browser, link: str) -> None:
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="de-DE")
    phone.set_default_timeout(20_000)
    page = phone.new_page()
    try:
        page.goto(link)
        wait_for_app(page)
        expect(page.get_by_role("heading", name=GERMAN_TITLE)).to_be_visible()
        expect(page.get_by_text(GERMAN_APPLIED)).to_be_visible()
        rating = page.get_by_role("radiogroup", name=re.compile("Active listening")).first
        rating.get_by_role("radio").nth(3).check(force=True)  # 4 Advanced, whatever its label says
        wait_for_app(page)
        barriers = page.get_by_role("combobox", name=re.compile("What got in the way"))
        barriers.click()
        barriers.fill("Keine")  # the list filters as one types (and opens again if a rerun closed it)
        page.get_by_role("option", name="Keine Zeit", exact=True).click()
        wait_for_app(page)
        page.keyboard.press("Escape")  # close the choices' list, which covers the questions below it
        wait_for_app(page)
        nps = page.get_by_role("radiogroup", name=re.compile("recommend"))
        nps.get_by_role("radio").nth(9).check(force=True)
        wait_for_app(page)
        page.locator('[data-testid="stBaseButton-primary"]').last.click()
        wait_for_app(page)
        expect(page.locator('[data-testid="stAlertContentSuccess"]')).to_be_visible()
        assert_no_exception(page)
    finally:
        phone.close()


def test_an_editor_builds_a_german_survey_and_german_answers_count_like_english_ones(
    browser, page, empty_app_server, tmp_path
):
    app = empty_app_server
    prepare(app, tmp_path)
    sign_in(page, app.url, "editor@example.org", "editor-password-1")
    build_survey(page, app)
    create_wave(page, app)
    by_person = links(app, tmp_path)
    answer_in_german(browser, by_person["de.user"])

    engine = get_engine(app.db_url)
    try:
        for person, level in zip(PEOPLE[1:], (2, 3, 3, 3), strict=True):
            with unit_of_work(engine) as session:
                responses.submit_response(
                    session,
                    token=token_of(by_person[person]),
                    answers={"proficiency": {"listening": level}, "barriers": ["No opportunity to use it"], "nps": 7},
                )
        with read_session(engine) as session:
            heat = evidence.gap_heatmap(session, plan_key="builderj", wave_key=WAVE)
    finally:
        dispose_engine(app.db_url)
    cell = next(c for c in heat.cells if c.team == "builderj-team" and c.capability == "listening")
    assert (cell.n, cell.current) == (5, 3.0)  # (4 + 2 + 3 + 3 + 3) / 5: the German answer counts

    out = tmp_path / "export.csv"
    result = app.cli("export", "responses", "--wave", WAVE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = {r["email"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    german = rows["de.user@builder.example"]
    assert (german["proficiency[listening]"], german["barriers"], german["nps"]) == ("4", "No time", "9")
    assert rows["en1.user@builder.example"]["barriers"] == "No opportunity to use it"
