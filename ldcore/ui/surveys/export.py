"""Export tab: a wave's responses as CSV or XLSX, built (and audited) only when someone downloads it."""

from __future__ import annotations

import streamlit as st

from ldcore.services import imports
from ldcore.ui import guard
from ldcore.ui.surveys.context import SurveysPage


def draw(page: SurveysPage) -> None:
    if not page.waves:
        st.info("Create a wave first.")
        return
    chosen = page.wave_picker("Wave", "export_wave")
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
