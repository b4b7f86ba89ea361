"""A wave's mail on the Surveys page: the invitation and reminder templates with a preview for one person, the
schedule `ldalign tick` follows, and who was mailed what."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.errors import Invalid
from ldcore.services import mailing, surveys
from ldcore.settings import get_settings
from ldcore.ui import forms, guard, widgets
from ldcore.ui.state import engine

FIELDS = {
    "invite_subject": "Invitation subject",
    "invite_body": "Invitation text",
    "remind_subject": "Reminder subject",
    "remind_body": "Reminder text",
}


def _schedule_caption(
    wave: surveys.WaveOut, current: mailing.Templates, mail: bool, last_run: dt.datetime | None
) -> str:
    if not current.scheduled:
        return "Not mailed on a schedule: invite and remind with the buttons above."
    opens = f"from {mailing.closing_text(wave.opens)}" if wave.opens else "from now"
    closes = f"until it closes on {mailing.closing_text(wave.closes)}" if wave.closes else "while it is open"
    days = " and ".join(str(d) for d in current.reminder_days)
    reminders = f"reminders {days} days after the invitation" if days else "no reminders"
    text = f"Mailed on a schedule {opens} {closes}: the invitation, then {reminders} to who has not answered."
    if not mail:
        text += " No SMTP server is configured yet, so nothing is mailed until one is."
    if last_run is None:
        text += (
            " The schedule has not run on this server yet: IT turns it on with `ldalign tick` every few minutes "
            "(deploy/ldalign-tick.timer)."
        )
    else:
        text += f" The schedule last ran on {last_run.day} {last_run:%b %Y %H:%M} UTC."
    return text


def _save(wave_key: str, actor: str) -> str:
    """The form's callback: store what the person typed (refused as a whole, each problem at its field)."""
    state = st.session_state
    texts = {name: state[f"mail_{name}_{wave_key}"] for name in FIELDS}
    days = mailing.parse_days(state[f"mail_days_{wave_key}"])
    with guard.transaction("editor") as (session, _):
        mailing.save_templates(
            session, wave_key=wave_key, texts=texts, reminder_days=days,
            scheduled=state[f"mail_scheduled_{wave_key}"], actor=actor,
        )  # fmt: skip
    return "Saved the mail of this wave."


def mail_panel(wave_key: str, *, base_url: str, actor: str) -> None:
    """Templates, preview and send status of one wave; saves through `forms.run_save`."""
    settings = get_settings()
    with read_session(engine()) as session:
        wave = surveys.describe_wave(session, key=wave_key)
        current = mailing.templates(session, wave_key=wave_key, default_days=settings.reminder_days)
        last_run = mailing.last_run(session)
    st.subheader("Mail and schedule")
    st.caption(
        "Placeholders: "
        + ", ".join(f"{{{name}}} {meaning}" for name, meaning in mailing.PLACEHOLDERS.items())
        + ". Leave a field empty for the default text."
    )
    form = f"mail_form_{wave_key}"
    problems = forms.Problems(form)
    with st.form(form):
        st.checkbox(
            "Mail invitations and reminders on schedule",
            value=current.scheduled,
            key=f"mail_scheduled_{wave_key}",
            help="The server's `ldalign tick` (run every few minutes) mails the invitation when the wave opens and "
            "the reminders on the days below, each person at most once per mail.",
        )
        st.text_input(
            "Reminders, days after the invitation (at most 3)",
            value=", ".join(str(d) for d in current.reminder_days),
            key=f"mail_days_{wave_key}",
        )
        problems.at("reminder_days")
        left, right = st.columns(2)
        typed = {}
        for column, prefix in ((left, "invite"), (right, "remind")):
            subject, body = f"{prefix}_subject", f"{prefix}_body"
            with column:
                typed[subject] = st.text_input(
                    FIELDS[subject], value=getattr(current, subject), key=f"mail_{subject}_{wave_key}"
                )
                problems.at(subject)
                typed[body] = st.text_area(
                    FIELDS[body], value=getattr(current, body), height=280, key=f"mail_{body}_{wave_key}"
                )
                problems.at(body)
        # a preview starts afresh: the last refused save's problems go, the preview's own are shown below
        show = st.form_submit_button(
            "Preview", on_click=lambda: st.session_state.get(forms.PROBLEMS, {}).pop(form, None)
        )
        st.form_submit_button(
            "Save", type="primary", on_click=forms.on_click_save, args=(form, lambda: _save(wave_key, actor))
        )
    problems.rest()
    st.caption(_schedule_caption(wave, current, surveys.smtp_configured(settings.smtp), last_run))
    _preview(wave_key, base_url=base_url, texts=typed if show else None, default_days=settings.reminder_days)
    _status(wave_key)


def _preview(wave_key: str, *, base_url: str, texts: dict[str, str] | None, default_days: tuple[int, ...]) -> None:
    try:
        with read_session(engine()) as session:
            rendered = mailing.preview(
                session, wave_key=wave_key, base_url=base_url, texts=texts, default_days=default_days
            )
    except Invalid as error:
        widgets.show_problems(error)
        return
    with st.expander("Preview for one person" + (" (as typed, not saved)" if texts else ""), expanded=bool(texts)):
        for mail in rendered:
            st.markdown(f"**{mail.kind.capitalize()}** to {widgets.plain(mail.to)}")
            st.text(f"Subject: {mail.subject}")
            st.code(mail.body, language=None, wrap_lines=True)
        st.caption("The link in a real mail is the person's own; a preview never shows one.")


def _status(wave_key: str) -> None:
    with read_session(engine()) as session:
        rows = mailing.send_status(session, wave_key=wave_key)
    if not rows:
        st.caption("Nobody is invited yet, so no mail was sent.")
        return
    mailed = sum(r.invitation.startswith("sent") for r in rows)
    failed = sum(r.invitation.startswith("failed") or bool(r.problem) for r in rows)
    st.markdown(f"**Who was mailed what** — {len(rows)} invited, {mailed} invitations mailed, {failed} with a problem")
    table = pd.DataFrame(
        [
            {
                "name": r.name,
                "email": r.email,
                "team": r.team,
                "invitation": r.invitation,
                "reminders": f"reminded {r.reminders} {'time' if r.reminders == 1 else 'times'}"
                if r.reminders
                else "none",
                "problem": r.problem or "—",
            }
            for r in rows
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
