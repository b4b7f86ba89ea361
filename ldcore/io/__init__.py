"""Adapters for other tools' files: survey exports in (`tables`, `mapping`) and spreadsheets out (`exports`).
They validate and reshape; `ldcore.services` decides and writes."""
