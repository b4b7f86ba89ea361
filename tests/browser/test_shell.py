"""The app as a new user meets it: sign in, open every page, stay signed in, sign out everywhere."""

from urllib.parse import urljoin

from playwright.sync_api import expect

from tests.browser.helpers import assert_no_exception, sign_in, wait_for_app


def _nav_links(page):
    """The sidebar's page links, read once the navigation is drawn (sign-in reruns the app before it appears)."""
    nav = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    expect(nav.filter(has_text="Plan overview")).to_be_visible(timeout=30_000)
    return [
        (nav.nth(i).inner_text().strip().split("\n")[-1], nav.nth(i).get_attribute("href")) for i in range(nav.count())
    ]


def test_an_admin_signs_in_and_every_page_opens_without_an_exception(page, app_server):
    sign_in(page, app_server.url, "admin@demo.example", "ldalign-demo")
    links = _nav_links(page)
    titles = [title for title, _ in links]
    assert "Plan overview" in titles and "Accounts" in titles
    for _title, href in links:
        page.goto(urljoin(app_server.url + "/", href))
        wait_for_app(page, timeout=60_000)
        assert_no_exception(page)
        expect(page.get_by_text("Signed in as admin@demo.example")).to_be_visible()
    page.goto(app_server.url)
    wait_for_app(page)
    expect(page.get_by_text("FY27 growth & retention plan").first).to_be_visible()


def test_a_viewer_sees_no_admin_page(page, app_server):
    sign_in(page, app_server.url, "viewer@demo.example", "ldalign-demo")
    titles = [t for t, _ in _nav_links(page)]
    assert "Accounts" not in titles
    page.goto(app_server.url + "/admin")
    wait_for_app(page)
    expect(page.get_by_text("admin@demo.example")).to_have_count(0)


def test_a_wrong_password_is_refused(page, app_server):
    page.goto(app_server.url)
    wait_for_app(page)
    page.get_by_label("Email", exact=True).fill("admin@demo.example")
    page.get_by_label("Password", exact=True).fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is not right")).to_be_visible()


def test_a_session_survives_a_reload_and_a_new_tab_and_sign_out_ends_it_everywhere(context, app_server):
    first = context.new_page()
    sign_in(first, app_server.url, "editor@demo.example", "ldalign-demo")
    first.reload()
    wait_for_app(first)
    expect(first.get_by_text("Signed in as editor@demo.example")).to_be_visible()

    second = context.new_page()
    second.goto(app_server.url)
    wait_for_app(second)
    expect(second.get_by_text("Signed in as editor@demo.example")).to_be_visible()

    first.get_by_role("button", name="Sign out").click()
    expect(first.get_by_role("button", name="Sign in")).to_be_visible()
    second.reload()
    wait_for_app(second)
    expect(second.get_by_role("button", name="Sign in")).to_be_visible()
    expect(second.get_by_text("Signed in as")).to_have_count(0)
