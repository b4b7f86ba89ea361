"""A respondent whose submit meets a locked database keeps the answers and is asked to press again (A9)."""

from __future__ import annotations

import sqlite3

from tests.pages.test_respond import respond_page, stored
from tests.support.surveys import build, invite, make_wave, token_of

BUSY = "The survey is busy — your answers are kept, please press “Send my answers” again in a moment."


def test_a_submit_during_a_long_write_lock_keeps_the_answers_and_stores_once_when_pressed_again(
    monkeypatch, sqlite_engine
):
    build(sqlite_engine, {"alpha": 2})
    make_wave(sqlite_engine)
    link = token_of(invite(sqlite_engine, "base")[0])
    at = respond_page(monkeypatch, str(sqlite_engine.url), t=link)
    answers = {"q:proficiency:neg": 4, "q:proficiency:coach": 2, "q:proficiency:excel": "Not applicable"}
    for key, value in answers.items():
        at.radio(key=key).set_value(value)
    at.radio(key="q:confidence").set_value(3)
    at.text_area(key="q:comments").input("kept while busy")
    at.run()

    holder = sqlite3.connect(sqlite_engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock, for longer than the respondent waits
    try:
        at.button(key="respond_submit").click().run()
        assert not at.exception
        assert [w.value for w in at.warning] == [BUSY]
        assert {key: at.radio(key=key).value for key in answers} == answers
        assert at.text_area(key="q:comments").value == "kept while busy"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stored(sqlite_engine) == (0, 0)

    at.button(key="respond_submit").click().run()
    assert at.title[0].value == "Thank you!"
    assert stored(sqlite_engine) == (1, 4)
