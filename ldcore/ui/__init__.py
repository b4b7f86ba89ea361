"""The only Streamlit-aware part of ldcore: the cached engine, the page guard, shared widgets."""
