"""The Survey builder's parts: the draft being edited, the question editor, the question bank, the languages and
the preview. `pages/builder.py` puts them together."""
