"""Accounts: who may sign in, with which role."""

import pandas as pd
import streamlit as st

from ldcore import vocab
from ldcore.db import read_session
from ldcore.services import accounts
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine

ROLES = ["viewer", "editor", "admin"]

me = guard.require("admin")
st.title("Accounts")
st.caption("Admins manage accounts and settings; editors run intake and surveys; viewers read dashboards.")
forms.flash()


def create() -> str:
    state = st.session_state
    with guard.transaction("admin") as (session, actor):
        created = accounts.create_account(
            session,
            email=state.get("new_email", ""),
            role=state.get("new_role", "viewer"),
            password=state.get("new_password", ""),
            name=state.get("new_name", ""),
            actor=actor.email,
        )
    return f"Created {created.role} account {created.email}."


def unlock() -> str:
    who = st.session_state.get("unlock_account")
    with guard.transaction("admin", bump=False) as (session, actor):
        accounts.unlock(session, email=who, actor=actor.email)
    return f"Unlocked {who}."


def change() -> str:
    state, target = st.session_state, st.session_state.get("edit_account")
    with guard.transaction("admin") as (session, actor):
        role, active = state[f"edit_role_{target}"], state[f"edit_active_{target}"]
        accounts.update_account(session, email=target, role=role, active=active, actor=actor.email)
        if state.get("edit_password"):
            accounts.set_password(session, email=target, password=state["edit_password"], actor=actor.email)
    state.pop("edit_password", None)
    return f"Saved {target}."


with read_session(engine()) as session:
    people = accounts.list_accounts(session)

table = pd.DataFrame([p.model_dump() for p in people]).rename(columns={"last_sign_in_at": "last sign-in"})
table["role"] = table["role"].map(lambda r: vocab.label(vocab.ROLE_LABELS, r))
table["name"] = table["name"].map(lambda n: n or vocab.EMPTY)
st.dataframe(table, hide_index=True, width="stretch", column_order=["email", "name", "role", "active", "last sign-in"])

with st.form("new_account", clear_on_submit=True):
    st.subheader("New account")
    c1, c2, c3 = st.columns([3, 2, 1])
    c1.text_input("Email", key="new_email")
    c2.text_input("Name", key="new_name")
    c3.selectbox("Role", ROLES, format_func=vocab.ROLE_LABELS.get, key="new_role")
    st.text_input("Initial password (at least 10 characters)", type="password", key="new_password")
    st.form_submit_button("Create account", type="primary", on_click=forms.run_save, args=("new_account", create))
forms.Problems("new_account").rest()

with read_session(engine()) as session:
    locked = accounts.locked_emails(session)
if locked:
    st.subheader("Locked after repeated failed sign-ins")
    st.caption("A lock ends by itself after 15 minutes; unlock when you know it was the person themselves.")
    st.selectbox("Locked account", locked, key="unlock_account")
    forms.save_button("Unlock", "unlock", unlock, key="unlock_save", icon=":material/lock_open:")

st.subheader("Change an account")
target = st.selectbox("Account", [p.email for p in people], key="edit_account")
if target:
    current = next(p for p in people if p.email == target)
    c1, c2 = st.columns(2)
    c1.selectbox(
        "Role of this account",
        ROLES,
        index=ROLES.index(current.role),
        format_func=vocab.ROLE_LABELS.get,
        key=f"edit_role_{target}",
    )
    c2.toggle("Active (may sign in)", value=current.active, key=f"edit_active_{target}")
    st.text_input("New password (leave empty to keep)", type="password", key="edit_password")
    confirm = True
    if current.active and not st.session_state[f"edit_active_{target}"]:
        confirm = st.checkbox(
            f"Yes, deactivate {widgets.plain(target)}: every session of this account ends now.", key="edit_confirm"
        )
    forms.save_button("Save changes", "edit_account", change, key="edit_save", disabled=not confirm)
