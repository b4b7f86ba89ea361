"""The respondent in a real browser: a German browser gets the survey in German, a reload halfway on a phone gives
the answers back, the survey can be answered with the keyboard alone, and axe-core finds no serious or critical
problem on a phone or a desktop (every control with a name of its own). Runs on the empty app with a plan, people
and a translated survey of its own."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import accessible_names, serious_violations
from tests.browser.helpers import assert_no_exception, wait_for_app
from tests.support.surveys import TEST_SURVEYS

PLAN = """
plan: {key: babel, name: Languages plan, starts: 1999-01-01, ends: 1999-12-31}
objectives:
  - {key: grow, title: Grow, category: revenue_growth, priority: 3}
capabilities:
  - {key: listening, name: Active listening, drives: {grow: 3}}
  - {key: pricing, name: Pricing, drives: {grow: 2}}
teams:
  - {key: babel-team, name: Babel Team, targets: {listening: 4, pricing: 3}}
"""
PEOPLE = 8
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def links(empty_app_server, tmp_path_factory) -> list[str]:
    """One personal link per person of the wave `babel-baseline` (survey `multilingual`: English, German, French)."""
    app, tmp = empty_app_server, tmp_path_factory.mktemp("babel")
    (tmp / "plan.yaml").write_text(PLAN)
    people = "".join(f"babel{n}@example.org,Babel Person {n},babel-team\n" for n in range(PEOPLE))
    (tmp / "roster.csv").write_text("email,name,team\n" + people)
    steps = [
        ("plan", "import", str(tmp / "plan.yaml")),
        ("roster", "import", str(tmp / "roster.csv")),
        ("survey", "import", str(TEST_SURVEYS / "multilingual.yaml")),
        ("wave", "create", "--plan", "babel", "--survey", "multilingual", "--kind", "baseline",
         "--key", "babel-baseline"),
        ("invite", "--wave", "babel-baseline", "--out", str(tmp / "links.csv"), "--base-url", app.url),
    ]  # fmt: skip
    for step in steps:
        result = app.cli(*step)
        assert result.returncode == 0, (step, result.stderr)
    return [row["link"] for row in csv.DictReader((tmp / "links.csv").open(encoding="utf-8-sig"))]


def open_link(browser, link: str, **context) -> tuple:
    ctx = browser.new_context(**context)
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    page.goto(link)
    wait_for_app(page)
    return ctx, page


def group(page: Page, name: str):
    return page.get_by_role("radiogroup", name=name)


def choose(page: Page, group_name: str, option: str) -> None:
    group(page, group_name).get_by_text(option, exact=True).click()
    wait_for_app(page)


def test_a_german_browser_gets_the_survey_and_the_page_in_german(browser, links):
    ctx, page = open_link(browser, links[0], locale="de-DE", **PHONE)
    try:
        expect(page.get_by_role("heading", name="Wo stehen Sie heute?")).to_be_visible()
        expect(page.get_by_text("Wie gut beherrschen Sie das heute?")).to_be_visible()
        expect(page.get_by_role("button", name="Meine Antworten senden")).to_be_visible()
        expect(page.get_by_text("0 von 4 Fragen beantwortet")).to_be_visible()
        expect(group(page, "1.1 Active listening").get_by_text("1 Erste Kenntnisse", exact=True)).to_be_visible()
        assert_no_exception(page)
    finally:
        ctx.close()


def test_a_reload_halfway_on_a_phone_gives_the_answers_back(browser, links):
    ctx, page = open_link(browser, links[1], **PHONE)
    try:
        choose(page, "1.1 Active listening", "4 Advanced")
        choose(page, "2. How confident are you?", "2 Slightly")
        page.get_by_role("textbox", name="4. Anything else?").fill("Half of it today")
        page.get_by_role("textbox", name="4. Anything else?").blur()
        wait_for_app(page)
        page.reload()
        wait_for_app(page)
        expect(page.get_by_text("Welcome back: the answers you gave earlier are filled in.")).to_be_visible()
        expect(group(page, "1.1 Active listening").get_by_role("radio", name="4 Advanced")).to_be_checked()
        expect(group(page, "2. How confident are you?").get_by_role("radio", name="2 Slightly")).to_be_checked()
        expect(page.get_by_role("textbox", name="4. Anything else?")).to_have_value("Half of it today")
        expect(page.get_by_text("2 of 4 questions answered")).to_be_visible()
        choose(page, "1.2 Pricing", "Not applicable")
        page.get_by_role("button", name="Send my answers").click()
        wait_for_app(page)
        expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
        assert_no_exception(page)
    finally:
        ctx.close()


def tab_to(page: Page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes `test` (a JavaScript expression over `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({test})); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def in_group(name: str) -> str:
    return f"el.type === 'radio' && el.closest('[role=radiogroup]')?.getAttribute('aria-label') === {name!r}"


def progress(page: Page, done: int) -> None:
    expect(page.get_by_text(f"{done} of 4 questions answered")).to_be_visible(timeout=20_000)
    wait_for_app(page)


def pick_first_option(page: Page, label: str, done: int, tries: int = 3) -> None:
    """Open the multiselect `label` with the keyboard, pick its first option and wait for `done` answered. A rerun
    that lands while the list opens closes it again, so the step is tried again (by keyboard) until it counts."""
    box = page.get_by_role("combobox", name=label)
    for _ in range(tries):
        try:
            tab_to(page, f"el.getAttribute('role') === 'combobox' && el.getAttribute('aria-label') === {label!r}")
        except AssertionError:
            wait_for_app(page)
            continue
        page.keyboard.press("ArrowDown")
        try:
            expect(box).to_have_attribute("aria-expanded", "true", timeout=5_000)
        except AssertionError:
            continue
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        try:
            expect(page.get_by_text(f"{done} of 4 questions answered")).to_be_visible(timeout=5_000)
            wait_for_app(page)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the keyboard never picked an option of {label!r}")


def by_keyboard(page: Page, focus: str, keys: tuple[str, ...], done, what: str, tries: int = 3) -> None:
    """Tab to the control where `focus` holds and press `keys`, until `done(timeout_ms)` (an expectation) holds. A
    rerun landing between Tab and the key can move the focus away and swallow the key, so the step is tried again,
    by keyboard; a step that already counted (late, on a busy machine) is not pressed twice."""
    for attempt in range(tries):
        if attempt:
            try:
                done(1_000)
                return
            except AssertionError:
                pass
        try:
            tab_to(page, focus)  # the page may still be drawing: try again
        except AssertionError:
            wait_for_app(page)
            continue
        for key in keys:
            page.keyboard.press(key)
        try:
            done(10_000)
            wait_for_app(page)
            return
        except AssertionError:
            continue
    raise AssertionError(f"the keyboard never managed to {what}")


def test_the_survey_can_be_answered_with_the_keyboard_alone(browser, links):
    # Each step tabs to its control by name: a rerun may move the focus back to the start of the page.
    ctx, page = open_link(browser, links[2], **DESKTOP)

    def checked(group_name: str, option: str):
        return lambda ms: expect(group(page, group_name).get_by_role("radio", name=option)).to_be_checked(timeout=ms)

    try:
        expect(group(page, "1.1 Active listening")).to_be_visible()  # the form is drawn before the first Tab
        for name, key, option in (
            ("1.1 Active listening", "Space", "1 Awareness"),
            ("1.2 Pricing", "ArrowRight", "2 Basic"),
            ("2. How confident are you?", "Space", "1 Not at all"),
        ):
            by_keyboard(page, in_group(name), (key,), checked(name, option), f"answer {name}")
        progress(page, 2)
        pick_first_option(page, "3. What gets in the way?", done=3)
        send = "el.tagName === 'BUTTON' && el.innerText.includes('Send my answers')"
        for _ in range(3):  # a rerun can take the focus away while typing: the text is typed again, whole
            try:
                tab_to(page, "el.tagName === 'TEXTAREA'")
                page.keyboard.press("Control+A")
                page.keyboard.press("Backspace")
                page.keyboard.type("Typed without a mouse")
                tab_to(page, send)  # leaving the text box hands its text to the app
                expect(page.get_by_text("4 of 4 questions answered")).to_be_visible(timeout=10_000)
                wait_for_app(page)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError("the typed text never counted")
        expect(page.get_by_role("textbox", name="4. Anything else?")).to_have_value("Typed without a mouse")
        thanks = page.get_by_role("heading", name="Thank you!")
        by_keyboard(page, send, ("Enter",), lambda ms: expect(thanks).to_be_visible(timeout=ms), "send", tries=2)
    finally:
        ctx.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_respondent_page_has_no_serious_accessibility_problem_and_every_control_a_name(browser, links, device):
    ctx, page = open_link(browser, links[3 if device is PHONE else 4], **device)
    try:
        assert serious_violations(page) == []
        page.get_by_role("button", name="Send my answers").click()  # with its problems shown too
        wait_for_app(page)
        expect(page.get_by_text("Some answers need attention")).to_be_visible()
        assert serious_violations(page) == []
        names = accessible_names(page)
        assert [n for n in names if not n[1]] == []
        assert [n for n, count in Counter(names).items() if count > 1] == []
        assert ("radiogroup", "1.2 Pricing") in names and ("button", "Send my answers") in names
    finally:
        ctx.close()
