"""Use cases. Each takes a Session (opened by the caller with `ldcore.db.unit_of_work` for writes or
`read_session` for reads) and keyword-only arguments; pydantic in, pydantic or DataFrames out."""
