"""Invite and monitor tab: personal and open links, reminders, and who has answered (`progress`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ldcore.db import read_session
from ldcore.io import exports
from ldcore.reporting import charts
from ldcore.services import mailing, privacy, surveys
from ldcore.ui import cache, forms, guard, widgets
from ldcore.ui.mailing import mail_panel
from ldcore.ui.state import engine
from ldcore.ui.surveys.context import SurveysPage

LINKS_KEY = "invite_links"
OPEN_LINK_KEY = "open_link"
REMIND_KEY = "remind_confirm"


def _mail(page: SurveysPage, wave_key: str, links: list[surveys.Link], *, reminder: bool = False) -> None:
    """Mail the links when an SMTP server is configured, and note who was sent one."""
    if not links or not surveys.smtp_configured(page.settings.smtp):
        return
    with read_session(engine()) as session:
        sent, failed = mailing.send_links(
            session, page.settings.smtp, wave_key=wave_key, links=links, reminder=reminder
        )
    if not reminder:
        with guard.transaction("editor") as (session, _):
            surveys.mark_sent(session, wave_key=wave_key, emails=sent)
    if failed:
        forms.say(f"The mail server refused: {', '.join(failed)}", "warning")


def issue(page: SurveysPage, wave_key: str, base: str) -> str | None:
    with guard.transaction("editor") as (session, actor):
        links = surveys.issue_invitations(session, wave_key=wave_key, base_url=base, actor=actor.email)
    st.session_state[LINKS_KEY] = (wave_key, "invitations", links)
    if not links:
        with read_session(engine()) as session:
            invited = surveys.describe_wave(session, key=wave_key).invited
        if invited:
            forms.say(f"All {invited} people of the audience have their link already: no new link.", "info")
        else:
            forms.say(
                "Nobody on the roster is in this wave's audience, so no link was created. Upload the roster "
                "(email, name, team) in the Roster tab first.",
                "warning",
            )
        return None
    _mail(page, wave_key, links)
    return f"{len(links)} personal links created for everyone not invited before."


def send_reminders(page: SurveysPage, wave_key: str, base: str) -> str:
    st.session_state.pop(REMIND_KEY, None)
    with guard.transaction("editor") as (session, actor):
        links, _ = surveys.remind(
            session, wave_key=wave_key, base_url=base, gap_days=page.settings.reminder_gap_days, actor=actor.email
        )
    st.session_state[LINKS_KEY] = (wave_key, "reminders", links)
    _mail(page, wave_key, links, reminder=True)
    return f"Reminders prepared for {len(links)} people; the links sent before still work."


def links_again(wave_key: str, base: str) -> None:
    with guard.transaction("editor") as (session, actor):
        links = surveys.invitation_links(session, wave_key=wave_key, base_url=base, actor=actor.email)
    st.session_state[LINKS_KEY] = (wave_key, "personal", links)


def open_link(wave_key: str, base: str) -> str:
    with guard.transaction("editor") as (session, actor):
        link = surveys.create_open_link(session, wave_key=wave_key, base_url=base, actor=actor.email)
    st.session_state[OPEN_LINK_KEY] = (wave_key, link)
    return "Open link created; any earlier open link of this wave stops working."


def ask_to_remind(page: SurveysPage, wave_key: str) -> None:
    with read_session(engine()) as session:
        due = surveys.reminder_plan(session, wave_key=wave_key, gap_days=page.settings.reminder_gap_days)
    st.session_state[REMIND_KEY] = (wave_key, due)


def retention(wave_key: str) -> None:
    with read_session(engine()) as session:
        kept = privacy.retention(session, wave_key=wave_key)
    if kept.removed_at:
        st.caption(f"Identities of respondents were removed on {kept.removed_at:%Y-%m-%d}.")
    elif kept.removes_on:
        st.caption(
            f"Identities of respondents are removed on {kept.removes_on} (an admin can change it on the Privacy page)."
        )
    else:
        st.caption(f"Identities of respondents are removed {kept.days} days after the wave closes.")


def actions(page: SurveysPage, wave_key: str) -> None:
    mail = surveys.smtp_configured(page.settings.smtp)
    st.caption(
        f"{page.people} people on the roster. "
        + ("Invitations and reminders are mailed through the configured SMTP server." if mail else
           "No SMTP server is configured: download the links and send them with your own mail tool.")
    )  # fmt: skip
    base, source = widgets.link_base("surveys")
    st.caption(f"The links below start with this address, {source}:")
    st.code(base, language=None)
    form = f"invite_{wave_key}"
    c1, c2, c3, c4 = st.columns(4)
    c1.button("Create personal links", type="primary", key="invite_button", on_click=forms.on_click_save,
              args=(form, lambda: issue(page, wave_key, base)))  # fmt: skip
    c2.button("Send reminders", key="remind_button", on_click=ask_to_remind, args=(page, wave_key))
    c3.button("Create open link", key="open_link_button", on_click=forms.on_click_save,
              args=(form, lambda: open_link(wave_key, base)))  # fmt: skip
    c4.button("Links again", key="links_again_button", on_click=forms.on_click_save,
              args=(form, lambda: links_again(wave_key, base)),
              help="The personal links of everybody who has not answered, for people who lost theirs; the same "
              "links as sent before.")  # fmt: skip
    asked = st.session_state.get(REMIND_KEY)
    if asked and asked[0] == wave_key:
        due = asked[1]
        if due.due:
            st.warning(
                f"A reminder goes to {due.due} {'person' if due.due == 1 else 'people'} with the link they "
                f"already have (it keeps working until they answer). {due.not_due} not due now."
            )
            st.button(f"Confirm: send {due.due} reminders", key="remind_confirm_button", on_click=forms.on_click_save,
                      args=(form, lambda: send_reminders(page, wave_key, base)))  # fmt: skip
        else:
            st.session_state.pop(REMIND_KEY, None)
            forms.run_save(form, lambda: send_reminders(page, wave_key, base))  # refused: says why
    forms.Problems(form).rest(once=True)
    if st.session_state.get(OPEN_LINK_KEY, (None,))[0] == wave_key:
        st.caption("Open link (anyone with it can answer; one answer per browser):")
        st.code(st.session_state[OPEN_LINK_KEY][1], language=None)
    held = st.session_state.get(LINKS_KEY)
    if held and held[0] == wave_key:
        _, what, links = held
        st.download_button(
            f"Download {len(links)} {what} links (CSV)",
            exports.links_csv(links),
            file_name=f"{wave_key}-{what}.csv",
            mime="text/csv",
            key="links_download",
        )
        st.caption("The links are shown once: they are stored only as hashes.")


def progress(page: SurveysPage, wave_key: str) -> None:
    """Response rates by team (small teams merged) and, unless the wave is anonymous, who has not answered."""
    rates, pending = cache.wave_progress(wave_key)
    st.subheader("Response rate by team")
    if not rates.teams:
        st.info("Nobody is invited to this wave yet.")
    else:
        hidden = f"< {rates.min_group}"
        table = pd.DataFrame(
            [
                {
                    "team": t.team,
                    "invited": t.invited,
                    "answered": hidden if t.responded is None else str(t.responded),  # one type: Arrow refuses a mix
                    "rate": "—" if t.rate is None else f"{t.rate:.0%}",
                }
                for t in rates.teams
            ]
        )
        shown = [t for t in rates.teams if t.rate is not None]
        if shown:
            figure = charts.response_rates_figure([t.team for t in shown], [(t.rate or 0.0) * 100 for t in shown])
            st.plotly_chart(figure, width="stretch", key="rates_chart")
        st.dataframe(table, hide_index=True, width="stretch")
        total = hidden if rates.responded is None else f"{rates.responded} ({rates.rate:.0%})"
        st.caption(
            f"{rates.invited} invited, {total} answered. Teams with fewer than {rates.min_group} invited are "
            f"counted together as '{surveys.OTHER_TEAMS}', and counts under {rates.min_group} show '{hidden}', "
            "so that nobody can be singled out."
        )
    if pending is None:
        st.subheader("Not answered yet")
        st.caption(
            "This wave is anonymous, so the app does not show who has answered. Reminders go to everybody "
            "invited; a link already used stays closed."
        )
        return
    st.subheader(f"Not answered yet ({len(pending)})")
    if pending:
        rows = [
            {
                "name": p.name or "—",
                "email": p.email,
                "team": p.team or "—",
                "reminders": p.reminders_sent,
                "last reminder": f"{p.last_reminded_at:%d %b %Y %H:%M}" if p.last_reminded_at else "—",
            }
            for p in pending
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def draw(page: SurveysPage) -> None:
    if not page.waves:
        st.info("Create a wave first.")
        return
    wave_key = page.wave_picker("Wave", "invite_wave")
    retention(wave_key)
    actions(page, wave_key)
    progress(page, wave_key)
    mail_panel(wave_key, base_url=widgets.link_base("surveys")[0], actor=page.actor)
