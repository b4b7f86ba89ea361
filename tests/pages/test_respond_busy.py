"""A respondent whose submit meets a locked database keeps the answers and is asked to press again (A9); respondents'
writes of one process go one at a time, and one that waits too long in that queue writes nothing."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from ldcore.errors import Busy
from ldcore.models import ResponseDraft
from ldcore.ui import state
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


def test_respondents_writes_of_one_process_queue_and_a_write_that_waits_too_long_is_refused_whole(
    monkeypatch, sqlite_engine
):
    monkeypatch.setattr(state, "engine", lambda: sqlite_engine)
    inside: list[tuple[str, float]] = []

    def write(name: str, hold: float) -> None:
        with state.respondent_write(5):
            inside.append((f"{name} in", time.perf_counter()))
            time.sleep(hold)
            inside.append((f"{name} out", time.perf_counter()))

    threads = [threading.Thread(target=write, args=(name, 0.2)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    order = [name for name, _ in sorted(inside, key=lambda item: item[1])]
    assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])  # never side by side

    held = threading.Event()
    release = threading.Event()

    def hold_queue() -> None:
        with state.respondent_write(5):
            held.set()
            release.wait(5)

    holder = threading.Thread(target=hold_queue)
    holder.start()
    held.wait(5)
    try:
        with pytest.raises(Busy), state.respondent_write(5, queue_seconds=0.2) as session:
            session.add(ResponseDraft())  # never reached: nothing is written
    finally:
        release.set()
        holder.join()
    assert stored(sqlite_engine) == (0, 0)
