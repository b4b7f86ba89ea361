"""The process's engine, built once per database URL and cached by Streamlit (never at import time)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from ldcore.db import ensure_schema, get_engine
from ldcore.settings import load_settings


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = get_engine(url)
    ensure_schema(engine)
    return engine


def engine() -> Engine:
    return _engine_for(load_settings().database_url)
