"""LD Align: sign-in, and the navigation each role may see. Nothing else lives here."""

import streamlit as st

from ldcore.db import read_session
from ldcore.services import accounts
from ldcore.settings import get_settings
from ldcore.ui import guard, widgets
from ldcore.ui.state import engine

# An emoji favicon is drawn in the browser; a ":material/…:" one is fetched from Google (a third party).
st.set_page_config(page_title="LD Align", page_icon="📈", layout="wide")

# (file, title, icon, minimum role), by section. Every page also checks the role itself.
PAGES = {
    "Plan": [
        ("pages/overview.py", "Plan overview", ":material/dashboard:", "viewer"),
        ("pages/intake.py", "Strategy intake", ":material/edit_note:", "editor"),
        ("pages/alignment.py", "Alignment", ":material/account_tree:", "viewer"),
        ("pages/kpi_data.py", "KPI data", ":material/monitoring:", "editor"),
    ],
    "Surveys": [
        ("pages/surveys.py", "Surveys", ":material/quiz:", "editor"),
        ("pages/builder.py", "Survey builder", ":material/edit_square:", "editor"),
    ],
    "Evidence": [
        ("pages/heatmap.py", "Capability gaps", ":material/grid_on:", "viewer"),
        ("pages/executive.py", "Executive view", ":material/insights:", "viewer"),
        ("pages/comments.py", "What people wrote", ":material/forum:", "editor"),
    ],
    "Admin": [
        ("pages/admin.py", "Accounts", ":material/manage_accounts:", "admin"),
        ("pages/share_links.py", "Share links", ":material/share:", "admin"),
        ("pages/audit.py", "Audit trail", ":material/history:", "admin"),
        ("pages/privacy.py", "Privacy", ":material/privacy_tip:", "admin"),
    ],
}
# Reached by link without an account (survey respondents, read-only share links); never listed in navigation.
PUBLIC_PAGES: list[tuple[str, str, str]] = [("pages/respond.py", "Survey", "respond")]
EXECUTIVE = "pages/executive.py"


def go_to(target: st.Page):
    """A page for the app's root address that opens `target` with the address's query (?share=, ?plan=). Every real
    page keeps a path of its own this way: Streamlit serves the default page only at the root, so a default page
    opened by its own path (/executive?share=…) would show "Page not found" and lose the path."""

    def home() -> None:
        st.switch_page(target, query_params=st.query_params.to_dict())

    return st.Page(home, title="LD Align", url_path="home", default=True)


def sign_in_page() -> None:
    st.title("LD Align")
    guard.show_refused_write()
    st.caption("Tie every learning initiative to a business objective, and show what it moved.")
    if sso_message:
        st.warning(sso_message)
        if st.button("Sign out of the company account", key="sso_sign_out"):
            guard.sign_out(None)
        return
    with read_session(engine()) as session:
        no_accounts = accounts.count_accounts(session) == 0
    if no_accounts:
        st.info(
            "There is no account yet. Create the first admin with `ldalign create-user EMAIL --role admin`, "
            "or load the demo company with `ldalign demo`, then sign in here."
        )
    if guard.sso_configured() and st.button(
        "Sign in with your company account", type="primary", key="sso_sign_in", icon=":material/key:"
    ):
        st.login()
    if not get_settings().auth.password_sign_in:
        if not guard.sso_configured():
            st.error(
                "Sign-in is not set up: password sign-in is switched off and single sign-on has no `[auth]` section "
                "in `.streamlit/secrets.toml`. Ask whoever runs LD Align."
            )
        return
    with st.form("sign_in"):
        email = st.text_input("Email", key="sign_in_email")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        result = guard.sign_in(email, password)
        if result.account is None:
            st.error(result.message)
        else:
            st.rerun()


account = guard.current_account()
sso_message = ""
if account is None and (sso := guard.sign_in_sso()) is not None:
    account, sso_message = sso.account, sso.message
cookie_written = guard.write_pending_cookie()
public = [st.Page(f, title=t, url_path=u, visibility="hidden") for f, t, u in PUBLIC_PAGES]

if account is None and guard.share_token():
    # A read-only share link: the executive view of its one plan, and nothing else (the page checks the token).
    executive = st.Page(EXECUTIVE, title="Executive view", url_path="executive")
    page = st.navigation([go_to(executive), executive], position="hidden")
elif account is None:
    page = st.navigation(
        [st.Page(sign_in_page, title="Sign in", url_path="signin", default=True), *public], position="hidden"
    )
else:
    sections = {
        section: [st.Page(f, title=t, icon=i) for f, t, i, role in items if accounts.has_role(account, role)]
        for section, items in PAGES.items()
    }
    sections = {section: pages for section, pages in sections.items() if pages}
    first = next(iter(sections.values()))[0]
    home = [] if cookie_written else [go_to(first)]  # right after sign-in the first page opens at the root
    # Streamlit's own sidebar list is off (client.showSidebarNavigation): after a restart it would list every page
    # file to a signed-out visitor. The signed-in see the pages their role opens, drawn here.
    page = st.navigation({**sections, "Plan": [*home, *sections.get("Plan", []), *public]}, position="hidden")
    with st.sidebar:
        for section, pages in sections.items():
            st.caption(section)
            for item in pages:
                st.page_link(item)
        st.caption(f"Signed in as **{widgets.plain(account.email)}** ({account.role})")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            guard.sign_out(account)
            st.rerun()
page.run()
