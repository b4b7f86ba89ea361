"""Steps a person takes in the browser, shared by the journeys."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Until Streamlit has finished running the script and drawn the page (the app root says "notRunning")."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url)
    wait_for_app(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible(timeout=20_000)
    wait_for_app(page)


def open_page(page: Page, base_url: str, url_path: str) -> None:
    page.goto(f"{base_url}/{url_path}")
    wait_for_app(page)


def assert_no_exception(page: Page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
