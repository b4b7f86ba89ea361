"""Share links: read-only links to one plan's executive view for leaders without an account — create, list, revoke."""

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.db import read_session
from ldcore.services import sharing
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine

CREATED_KEY = "share_created"
STATUS = {"active": "Active", "expired": "Expired", "revoked": "Revoked"}

me = guard.require("admin")
st.title("Share links")
st.caption(
    "A link opens this plan's executive view read-only, without an account, until it expires or is revoked. "
    "Anyone who has the link can open it: send it to the people it is for only."
)
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()
forms.flash()
base, source = widgets.link_base("share_links")


def create() -> str:
    state = st.session_state
    with guard.transaction("admin") as (session, actor):
        created = sharing.create_share_link(
            session,
            plan_key=plan_key,
            days=int(state.get("share_days") or sharing.DEFAULT_DAYS),
            label=state.get("share_label") or "",
            actor=actor.email,
        )
    state[CREATED_KEY] = (plan_key, sharing.share_url(created.token, base_url=base))
    state["share_label"] = ""
    return "Link created. Copy it now: it is shown only once."


def revoke(link_id: int, label: str) -> str:
    with guard.transaction("admin") as (session, actor):
        sharing.revoke_share_link(session, link_id=link_id, actor=actor.email)
    return f"Revoked the link {label}: it opens nothing from now on."


with st.form("share_create"):
    st.text_input("For whom", key="share_label", placeholder="e.g. Board meeting, March")
    st.number_input("Valid for (days)", min_value=1, max_value=sharing.MAX_DAYS, value=sharing.DEFAULT_DAYS,
                    key="share_days")  # fmt: skip
    st.caption(widgets.plain(f"Links start with {base} ({source})."))
    st.form_submit_button("Create a share link", type="primary", on_click=forms.run_save, args=("share_create", create))
forms.Problems("share_create").rest(once=True)
created = st.session_state.get(CREATED_KEY)
if created and created[0] == plan_key:
    st.code(created[1], language=None)

with read_session(engine()) as session:
    links = sharing.list_share_links(session, plan_key=plan_key)
if not links:
    st.info("This plan has no share link yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "for whom": link.label or vocab.EMPTY,
                "status": STATUS[link.status],
                "expires (UTC)": f"{link.expires_at:%Y-%m-%d %H:%M}",
                "created by": link.created_by,
                "revoked (UTC)": f"{link.revoked_at:%Y-%m-%d %H:%M}" if link.revoked_at else vocab.EMPTY,
            }
            for link in links
        ]
    ),
    hide_index=True,
    width="stretch",
    key="share_links",
)
active = {link.id: f"{link.label or 'without a name'} (until {link.expires_at:%d %b %Y})" for link in links
          if link.status == "active"}  # fmt: skip
if active:
    chosen = st.selectbox("Revoke", list(active), format_func=active.get, key="share_revoke_id")
    forms.confirm_delete(
        "share_revoke",
        "Revoke this link",
        impact=lambda: f"Whoever has the link {active[chosen]} can no longer open the plan. This cannot be undone.",
        action=lambda: revoke(chosen, active[chosen]),
    )
