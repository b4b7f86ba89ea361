"""Accounts: who may sign in, with which role."""

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import Invalid, LDAlignError
from ldcore.services import accounts
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine

me = guard.require("admin")
st.title("Accounts")
st.caption("Admins manage accounts and settings; editors run intake and surveys; viewers read dashboards.")
forms.flash()

with read_session(engine()) as session:
    people = accounts.list_accounts(session)

st.dataframe(
    pd.DataFrame([p.model_dump() for p in people]).rename(columns={"last_sign_in_at": "last sign-in"}),
    hide_index=True,
    width="stretch",
    column_order=["email", "name", "role", "active", "last sign-in"],
)

with st.form("new_account", clear_on_submit=True):
    st.subheader("New account")
    c1, c2, c3 = st.columns([3, 2, 1])
    email = c1.text_input("Email", key="new_email")
    name = c2.text_input("Name", key="new_name")
    role = c3.selectbox("Role", ["viewer", "editor", "admin"], key="new_role")
    password = st.text_input("Initial password (at least 10 characters)", type="password", key="new_password")
    if st.form_submit_button("Create account", type="primary"):
        try:
            with guard.transaction("admin") as (session, _):
                created = accounts.create_account(
                    session, email=email, role=role, password=password, name=name, actor=me.email
                )
            st.session_state[forms.FLASH] = f"Created {created.role} account {widgets.plain(created.email)}."
            st.rerun()
        except Invalid as exc:
            widgets.show_problems(exc)
        except LDAlignError as exc:
            st.error(str(exc))

with read_session(engine()) as session:
    locked = accounts.locked_emails(session)
if locked:
    st.subheader("Locked after repeated failed sign-ins")
    st.caption("A lock ends by itself after 15 minutes; unlock when you know it was the person themselves.")
    who = st.selectbox("Locked account", locked, key="unlock_account")
    if st.button("Unlock", key="unlock_save", icon=":material/lock_open:"):
        try:
            with guard.transaction("admin", bump=False) as (session, actor):
                accounts.unlock(session, email=who, actor=actor.email)
            st.toast(f"Unlocked {who}.")
            st.rerun()
        except LDAlignError as exc:
            st.error(str(exc))

st.subheader("Change an account")
others = [p.email for p in people]
target = st.selectbox("Account", others, key="edit_account")
if target:
    current = next(p for p in people if p.email == target)
    c1, c2 = st.columns(2)
    new_role = c1.selectbox(
        "Role", ["viewer", "editor", "admin"], index=["viewer", "editor", "admin"].index(current.role), key="edit_role"
    )
    active = c2.toggle("Active (may sign in)", value=current.active, key="edit_active")
    new_password = st.text_input("New password (leave empty to keep)", type="password", key="edit_password")
    confirm = True
    if current.active and not active:
        confirm = st.checkbox(
            f"Yes, deactivate {widgets.plain(target)}: every session of this account ends now.", key="edit_confirm"
        )
    if st.button("Save changes", key="edit_save", disabled=not confirm):
        try:
            with guard.transaction("admin") as (session, _):
                accounts.update_account(session, email=target, role=new_role, active=active, actor=me.email)
                if new_password:
                    accounts.set_password(session, email=target, password=new_password, actor=me.email)
            st.session_state[forms.FLASH] = f"Saved {widgets.plain(target)}."
            st.rerun()
        except Invalid as exc:
            widgets.show_problems(exc)
        except LDAlignError as exc:
            st.error(str(exc))
