"""Privacy: one person's data (export, erase) and how long each wave keeps its respondents' identities."""

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import LDAlignError
from ldcore.services import privacy
from ldcore.settings import get_settings
from ldcore.ui import forms, guard
from ldcore.ui.state import engine
from ldcore.ui.widgets import plain

me = guard.require("admin")
st.title("Privacy")
st.caption("A person's data on request, and how long respondents' identities are kept. Every action is audited.")
forms.flash()

st.subheader("A person's data")
email = st.text_input("Email of a person on the roster", key="privacy_email").strip().lower()
found = None
if email:
    try:
        with read_session(engine()) as session:
            found = privacy.person_summary(session, email=email)
    except LDAlignError as exc:
        st.error(str(exc))
if found:
    st.text(f"{found.name} · {found.team} · {found.invitations} invitations · {found.responses} responses")

    if st.button("Prepare the export", key="privacy_export", icon=":material/download:"):
        with guard.transaction("admin") as (session, _):
            data = privacy.person_data(session, email=found.email, actor=me.email)
        st.session_state["privacy_export_data"] = (found.email, data.model_dump_json(indent=2))
    prepared = st.session_state.get("privacy_export_data")
    if prepared and prepared[0] == found.email:
        st.download_button(
            "Download the person's data (JSON)",
            prepared[1],
            file_name="person-data.json",
            mime="application/json",
            key="privacy_export_download",
        )

    mode = get_settings().erase_answers
    fate = "deleted" if mode == "delete" else "kept only as anonymous answers in aggregates (free text is deleted)"

    def erase() -> str:
        with guard.transaction("admin") as (session, _):
            done = privacy.erase_person(session, email=found.email, answers=mode, actor=me.email)
        st.session_state["privacy_email"] = ""
        st.session_state.pop("privacy_export_data", None)
        kept = f"{done.responses_kept} kept anonymously" if mode != "delete" else f"{done.responses_deleted} deleted"
        return f"Erased the person: responses {kept}, {done.invitations_removed} invitations removed."

    forms.confirm_delete(
        "privacy_erase",
        "Erase this person's data",
        impact=lambda: (
            f"This removes {plain(found.name)} from the roster with their {found.invitations} invitations; their "
            f"{found.responses} responses are {fate}. It cannot be undone."
        ),
        action=erase,
    )
    st.caption(f"What happens to the answers is the `erase_answers` setting; it is now `{mode}`.")

st.subheader("How long identities are kept")
st.caption(
    "After a wave closes, who answered it (and their links) is kept this many days, then removed; "
    "the answers stay for the aggregates. `ldalign retention apply` (or the button below) removes what is due."
)
with read_session(engine()) as session:
    waves = privacy.retention_overview(session)
if not waves:
    st.info("There are no survey waves yet.")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "wave": w.wave,
                    "closes": w.closes,
                    "days kept": w.days,
                    "identities removed on": w.removes_on,
                    "removed": w.removed_at is not None,
                }
                for w in waves
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    c1, c2 = st.columns([2, 1])
    wave = c1.selectbox("Wave", [w.wave for w in waves], key="privacy_wave")
    current = next(w for w in waves if w.wave == wave)
    c2.number_input(
        "Days kept after it closes", 0, privacy.MAX_RETENTION_DAYS, current.days, step=1, key=f"privacy_days_{wave}"
    )

    def save_retention() -> str:
        # A callback runs before the next drawing: read what the widgets hold now, not this run's values.
        chosen = st.session_state["privacy_wave"]
        with guard.transaction("admin") as (session, _):
            kept = privacy.set_retention(
                session, wave_key=chosen, days=int(st.session_state[f"privacy_days_{chosen}"]), actor=me.email
            )
        return f"Saved: wave {kept.wave} keeps identities {kept.days} days after it closes."

    def apply_retention() -> str:
        with guard.transaction("admin") as (session, _):
            done = privacy.apply_retention(session, actor=me.email)
        return f"Removed respondents' identities from {len(done)} waves." if done else "No identities were due yet."

    left, right = st.columns(2)
    left.button(
        "Save the retention",
        key="privacy_retention_save",
        on_click=lambda: forms.run_save("privacy_retention", save_retention),
    )
    right.button(
        "Remove the identities that are due now",
        key="privacy_retention_apply",
        on_click=lambda: forms.run_save("privacy_retention", apply_retention),
    )
    forms.Problems("privacy_retention").rest()
