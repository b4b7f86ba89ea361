"""Surveys: create waves, invite with personal links, watch response rates, remind, upload the roster, import
answers collected elsewhere (with a mapping preview) and export responses."""

import datetime as dt

import pandas as pd
import plotly.express as px
import streamlit as st

from ldcore import survey_defs
from ldcore.db import read_session
from ldcore.errors import Invalid, LDAlignError
from ldcore.io import exports
from ldcore.services import imports, privacy, roster, surveys
from ldcore.settings import load_settings
from ldcore.ui import cache, guard, widgets
from ldcore.ui.state import engine

me = guard.require("editor")
st.title("Surveys")
st.caption("Baseline and follow-up waves, personal links, response rates, imports and exports.")
plan_key = widgets.plan_picker()
if plan_key is None:
    st.stop()
settings = load_settings()

waves, plan, proposals, people = cache.survey_overview(plan_key)
baselines = [w.key for w in waves if w.kind == "baseline"]

tab_waves, tab_invite, tab_roster, tab_import, tab_export = st.tabs(
    ["Waves", "Invite and monitor", "Roster", "Import responses", "Export"]
)


DATE_ORDERS = {"From the file": None, "Day first (03/04 = 3 April)": "dayfirst",
               "Month first (03/04 = 4 March)": "monthfirst"}  # fmt: skip
UNKNOWN = {"Refuse the import": "refuse", "Store as no answer": "no_answer"}


def _import_options() -> imports.ImportOptions:
    """What the person chose under "Import options" (shown above the preview, so they can fix what it refuses)."""
    with st.expander("Import options"):
        order = st.radio("Date order of the time column", list(DATE_ORDERS), key="import_date_order", horizontal=True)
        unknown = st.radio("Values on no scale", list(UNKNOWN), key="import_unknown", horizontal=True)
        no_answer = st.text_input(
            "Values that mean no answer (separated by ;)", key="import_no_answer", placeholder="-99; Unfamiliar (N/A)"
        )
        unfinished = st.checkbox("Import unfinished responses (Qualtrics Finished = 0)", key="import_unfinished")
        columns = st.text_area(
            "Columns mapped by hand, one per line: column = question",
            key="import_columns",
            placeholder="Q4_1 = applied[negotiation]\nQ4_2 =",
            help="The column by its header or export tag; the question by key, or key[capability] for one row of a "
            "grid. Nothing after = leaves the column out.",
        )
    pairs = [line.partition("=") for line in columns.splitlines() if line.strip()]
    if any(not sep for _, sep, _ in pairs):
        st.warning("Write each hand mapping as column = question; lines without = are ignored.")
    pairs = [p for p in pairs if p[1]]
    return imports.ImportOptions(
        date_order=DATE_ORDERS[order],
        unknown=UNKNOWN[unknown],
        no_answer=[v.strip() for v in no_answer.split(";") if v.strip()],
        unfinished=unfinished,
        columns={column.strip(): question.strip() for column, _, question in pairs},
    )


def _run(action, success: str | None = None) -> bool:
    """Run a write; show its refusal, or `success` (or the message the action returns, if any)."""
    try:
        message = action()
    except Invalid as error:
        widgets.show_problems(error)
        return False
    except LDAlignError as error:
        st.error(str(error))
        return False
    if success or message:
        st.success(success or message)
    return True


with tab_waves:
    if waves:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "wave": w.key,
                        "title": w.title,
                        "kind": w.kind,
                        "survey": w.survey_key,
                        "initiative": w.initiative or "",
                        "baseline": w.baseline_wave or "",
                        "opens": w.opens,
                        "closes": w.closes,
                        "anonymity": w.anonymity,
                        "min group": w.min_group,
                        "invited": w.invited,
                    }
                    for w in waves
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No wave yet: create the baseline below.")

    due = [p for p in proposals if not p.exists]
    if due:
        st.subheader("Proposed follow-ups")
        st.caption("At +30, +60 and +90 days after each initiative ends.")
        for p in due:
            left, right = st.columns([4, 1])
            left.write(f"{widgets.plain(p.initiative_name)}: +{p.days} days, opens {p.opens:%d %b %Y} (`{p.key}`)")
            if right.button("Create", key=f"propose:{p.key}", disabled=not baselines):
                fields = {
                    "plan": plan_key,
                    "survey": "capability_followup",
                    "kind": "followup",
                    "key": p.key,
                    "initiative": p.initiative,
                    "baseline_wave": baselines[-1] if baselines else None,
                    "opens": p.opens,
                    "closes": p.opens + dt.timedelta(days=14),
                }

                def create(fields=fields) -> None:
                    with guard.transaction("editor") as (session, _):
                        surveys.create_wave(session, wave=fields, actor=me.email)

                if _run(create, f"Created follow-up wave {widgets.plain(p.key)}."):
                    st.rerun()

    st.subheader("New wave")
    with st.form("wave_create"):
        c1, c2 = st.columns(2)
        survey = c1.selectbox("Survey", survey_defs.available(), key="wave_survey")
        kind = c2.radio("Kind", ["baseline", "followup"], horizontal=True, key="wave_kind")
        key = c1.text_input("Key", placeholder="e.g. fy27-baseline", key="wave_key")
        title = c2.text_input("Title (optional)", key="wave_title")
        initiative = c1.selectbox(
            "Initiative (optional)", [None] + [i.key for i in plan.initiatives], key="wave_initiative"
        )
        baseline = c2.selectbox("Baseline wave (follow-ups)", [None, *baselines], key="wave_baseline")
        opens = c1.date_input("Opens", value=None, key="wave_opens")
        closes = c2.date_input("Closes", value=None, key="wave_closes")
        anonymity = c1.selectbox("Anonymity", ["confidential", "anonymous", "identified"], key="wave_anonymity")
        min_group = c2.number_input("Minimum group", min_value=3, value=5, step=1, key="wave_min_group")
        created = st.form_submit_button("Create wave", type="primary")
    if created:
        fields = {
            "plan": plan_key,
            "survey": survey,
            "kind": kind,
            "key": key,
            "title": title,
            "initiative": initiative,
            "baseline_wave": baseline,
            "opens": opens,
            "closes": closes,
            "anonymity": anonymity,
            "min_group": int(min_group),
        }

        def create_wave() -> None:
            with guard.transaction("editor") as (session, _):
                surveys.create_wave(session, wave=fields, actor=me.email)

        if _run(create_wave, f"Created wave {widgets.plain(key)}."):
            st.rerun()

with tab_invite:
    if not waves:
        st.info("Create a wave first.")
    else:
        wave_key = st.selectbox("Wave", [w.key for w in waves], key="invite_wave")
        with read_session(engine()) as session:
            kept = privacy.retention(session, wave_key=wave_key)
        if kept.removed_at:
            st.caption(f"Identities of respondents were removed on {kept.removed_at:%Y-%m-%d}.")
        elif kept.removes_on:
            st.caption(
                f"Identities of respondents are removed on {kept.removes_on} "
                "(an admin can change it on the Privacy page)."
            )
        else:
            st.caption(f"Identities of respondents are removed {kept.days} days after the wave closes.")
        smtp = settings.smtp
        mail = surveys.smtp_configured(smtp)
        st.caption(
            f"{people} people on the roster. "
            + ("Invitations and reminders are mailed through the configured SMTP server." if mail else
               "No SMTP server is configured: download the links and send them with your own mail tool.")
        )  # fmt: skip
        base, source = widgets.link_base("surveys")
        st.caption(f"The links below start with this address, {source}:")
        st.code(base, language=None)
        c1, c2, c3, c4 = st.columns(4)
        if c1.button("Create personal links", type="primary", key="invite_button"):

            def issue() -> None:
                with guard.transaction("editor") as (session, _):
                    links = surveys.issue_invitations(session, wave_key=wave_key, base_url=base, actor=me.email)
                st.session_state["invite_links"] = (wave_key, "invitations", links)
                if not links:
                    with read_session(engine()) as session:
                        invited = surveys.describe_wave(session, key=wave_key).invited
                    if invited:
                        st.info(f"All {invited} people of the audience have their link already: no new link.")
                    else:
                        st.warning(
                            "Nobody on the roster is in this wave's audience, so no link was created. Upload the "
                            "roster (email, name, team) in the Roster tab first."
                        )
                    return None
                if mail:
                    title = next(w.title for w in waves if w.key == wave_key)
                    sent, failed = surveys.send_links(smtp, links, title=title)
                    with guard.transaction("editor") as (session, _):
                        surveys.mark_sent(session, wave_key=wave_key, emails=sent)
                    if failed:
                        st.warning(widgets.plain(f"The mail server refused: {', '.join(failed)}"))
                return f"{len(links)} personal links created for everyone not invited before."

            _run(issue)
        if c2.button("Send reminders", key="remind_button"):
            with read_session(engine()) as session:
                due = surveys.reminder_plan(session, wave_key=wave_key, gap_days=settings.reminder_gap_days)
            st.session_state["remind_confirm"] = (wave_key, due)
        asked = st.session_state.get("remind_confirm")
        if asked and asked[0] == wave_key:
            due = asked[1]
            if due.due:
                st.warning(
                    f"A reminder goes to {due.due} {'person' if due.due == 1 else 'people'} with the link they "
                    f"already have (it keeps working until they answer). {due.not_due} not due now."
                )
            if (
                st.button(f"Confirm: send {due.due} reminders", key="remind_confirm_button", disabled=not due.due)
                or not due.due
            ):

                def send_reminders() -> None:
                    st.session_state.pop("remind_confirm", None)
                    with guard.transaction("editor") as (session, _):
                        links, _ = surveys.remind(
                            session,
                            wave_key=wave_key,
                            base_url=base,
                            gap_days=settings.reminder_gap_days,
                            actor=me.email,
                        )
                    st.session_state["invite_links"] = (wave_key, "reminders", links)
                    if mail and links:
                        title = next(w.title for w in waves if w.key == wave_key)
                        surveys.send_links(smtp, links, title=title, reminder=True)
                    return f"Reminders prepared for {len(links)} people; the links sent before still work."

                _run(send_reminders)
        if c4.button("Links again", key="links_again_button", help="The personal links of everybody who has not "
                     "answered, for people who lost theirs; the same links as sent before."):  # fmt: skip

            def links_again() -> None:
                with guard.transaction("editor") as (session, _):
                    links = surveys.invitation_links(session, wave_key=wave_key, base_url=base, actor=me.email)
                st.session_state["invite_links"] = (wave_key, "personal", links)

            _run(links_again)
        if c3.button("Create open link", key="open_link_button"):

            def make_open_link() -> None:
                with guard.transaction("editor") as (session, _):
                    link = surveys.create_open_link(session, wave_key=wave_key, base_url=base, actor=me.email)
                st.session_state["open_link"] = (wave_key, link)

            _run(make_open_link, "Open link created; any earlier open link of this wave stops working.")
        if st.session_state.get("open_link", (None,))[0] == wave_key:
            st.caption("Open link (anyone with it can answer; one answer per browser):")
            st.code(st.session_state["open_link"][1], language=None)
        held = st.session_state.get("invite_links")
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
                        "answered": hidden
                        if t.responded is None
                        else str(t.responded),  # one type: Arrow refuses a mix
                        "rate": "—" if t.rate is None else f"{t.rate:.0%}",
                    }
                    for t in rates.teams
                ]
            )
            shown = [t for t in rates.teams if t.rate is not None]
            if shown:
                figure = px.bar(
                    x=[t.rate * 100 for t in shown], y=[t.team for t in shown], orientation="h",
                    labels={"x": "answered (%)", "y": ""}, range_x=[0, 100],
                )  # fmt: skip
                figure.update_layout(height=60 + 30 * len(shown), margin={"t": 10, "b": 10})
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
        else:
            st.subheader(f"Not answered yet ({len(pending)})")
        if pending:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "name": p.name,
                            "email": p.email,
                            "team": p.team,
                            "reminders": p.reminders_sent,
                            "last reminder": p.last_reminded_at,
                        }
                        for p in pending
                    ]
                ),  # fmt: skip
                hide_index=True,
                width="stretch",
            )

with tab_roster:
    st.caption(
        "CSV with the columns email, name, team (team key or name) and optionally employee_id, role, "
        "manager_email. Re-importing updates people by email; nothing is imported while any row is bad."
    )
    upload = st.file_uploader("Roster CSV", type=["csv"], key="roster_file")
    if upload is not None and st.button("Import roster", type="primary", key="roster_import"):

        def import_people() -> None:
            with guard.transaction("editor") as (session, _):
                result = roster.import_roster(session, data=upload.getvalue(), actor=me.email)
            st.session_state["roster_result"] = result

        if _run(import_people, "Roster imported."):
            r = st.session_state["roster_result"]
            st.write(f"{r.created} new, {r.updated} updated ({r.moved} changed team), {r.unchanged} unchanged.")
            st.caption(f"{r.read_as}.")

with tab_import:
    if not waves:
        st.info("Create a wave first.")
    else:
        target = st.selectbox("Into wave", [w.key for w in waves], key="import_wave")
        fmt = st.selectbox(
            "Format", ["auto", "native", "google", "msforms", "qualtrics", "surveymonkey"], key="import_format"
        )
        upload = st.file_uploader(
            "Export file (CSV, tab-separated text or XLSX)", type=["csv", "tsv", "txt", "xlsx"], key="import_file"
        )
        if upload is not None:
            data = upload.getvalue()
            options = _import_options()
            try:
                with read_session(engine()) as session:
                    preview = imports.preview_import(
                        session, wave_key=target, data=data, filename=upload.name, format=fmt, options=options
                    )
            except Invalid as error:
                widgets.show_problems(error)
                st.stop()
            st.write(
                f"**{preview.format}** file with {preview.rows} rows: {preview.new} new responses, "
                f"{preview.duplicates} already imported, {preview.empty_rows} rows without any answer."
            )
            st.caption(f"{preview.read_as}.")
            if preview.date_order == imports.AMBIGUOUS:
                st.warning(
                    widgets.plain(
                        f"Dates like {preview.date_example!r} in column {preview.time_column!r} could be day-first or "
                        "month-first: choose the date order under Import options."
                    )
                )
            else:
                note = preview.time_note()
                st.caption(note[0].upper() + note[1:] + ".")
            st.dataframe(pd.DataFrame([m.model_dump() for m in preview.mapping]), hide_index=True, width="stretch")
            if preview.unmapped:
                st.warning(widgets.plain("Not imported (no matching question): " + "; ".join(preview.unmapped)))
            if preview.metadata:
                not_answers = "; ".join(preview.metadata)
                st.caption(widgets.plain(f"Not answers (ids, emails, times, tool metadata): {not_answers}"))
            if preview.unknown:
                verb = "stored as no answer" if options.unknown == "no_answer" else "refuse the import"
                st.warning(f"Values that are on no scale and among no options ({verb}; choose under Import options):")
                st.dataframe(pd.DataFrame([u.model_dump() for u in preview.unknown]), hide_index=True, width="stretch")
            if preview.unfinished:
                done = "imported" if options.unfinished else "skipped"
                st.caption(f"{preview.unfinished} unfinished responses {done}.")
            blanks = {k: v for k, v in preview.blanks.items() if v}
            if blanks:
                unanswered = ", ".join(f"{k} {v}" for k, v in blanks.items())
                st.caption(widgets.plain(f"Unanswered (stored as no answer): {unanswered}"))
            if preview.without_team:
                st.caption(f"{preview.without_team} responses have no team (no team column, no roster email).")
            blocked = preview.date_order == imports.AMBIGUOUS or bool(preview.unknown and options.unknown == "refuse")
            if blocked:
                st.caption("Choose under Import options what the warnings above ask before importing.")
            if st.button(
                f"Import {preview.new} responses", type="primary", key="import_go", disabled=not preview.new or blocked
            ):

                def run_import() -> None:
                    with guard.transaction("editor") as (session, _):
                        imports.import_responses(
                            session,
                            wave_key=target,
                            data=data,
                            filename=upload.name,
                            format=fmt,
                            options=options,
                            actor=me.email,
                        )

                _run(run_import, "Imported. Importing the same file again adds nothing.")

with tab_export:
    if not waves:
        st.info("Create a wave first.")
    else:
        chosen = st.selectbox("Wave", [w.key for w in waves], key="export_wave")
        st.caption(
            "One row per response. Anonymous waves never include names, emails or links; cells that a spreadsheet "
            "would run as a formula are neutralised. The file is built when you click, so a large wave takes a moment."
        )
        # the download runs outside this script run: the account is taken now and re-checked when it runs
        audited = guard.later_transaction("editor", bump=False)

        def export(kind: str, wave_key: str = chosen) -> bytes:
            with audited() as (session, me):
                return imports.export_responses(session, wave_key=wave_key, kind=kind, actor=me.email)

        c1, c2 = st.columns(2)
        c1.download_button(
            "Download CSV",
            lambda: export("csv"),
            file_name=f"{chosen}.csv",
            mime="text/csv",
            on_click="ignore",
            key="export_csv",
        )
        c2.download_button(
            "Download XLSX",
            lambda: export("xlsx"),
            file_name=f"{chosen}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
            key="export_xlsx",
        )
