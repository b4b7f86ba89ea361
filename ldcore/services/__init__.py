"""Use cases. Each takes a Session (opened by the caller with `ldcore.db.unit_of_work` for writes or
`read_session` for reads) and keyword-only arguments; pydantic models in and out (the audit trail, a plain table,
comes back as a DataFrame). Services draw nothing: no Streamlit, no Plotly."""
