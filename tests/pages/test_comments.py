"""The comments page in AppTest: an editor reads what people wrote, small teams are left out, free text stays text,
barriers show per program; a viewer is turned away."""

from __future__ import annotations

from ldcore.ui.widgets import plain
from tests.pages.helpers import make_account, page_test, texts
from tests.support.comments import build

PAGE = "pages/comments.py"


def test_an_editor_reads_the_comments_of_teams_large_enough_and_the_barriers(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    editor = make_account(sqlite_engine, role="editor")
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=editor, engine=sqlite_engine).run()

    assert not at.exception
    table = next(d.value for d in at.dataframe if "comment" in d.value.columns)
    assert len(table) == 10 and set(table["team"]) == {"A1", "S1"}
    assert "<b>More practice</b> please" in list(table["comment"])  # a cell of text, never rendered as HTML
    shown = texts(at)
    assert "1 team(s) left out: fewer than 5 of their people answered this." in shown
    assert "Only three of us wrote this" not in shown + table.to_csv()
    assert "Too few of the audience answered to show their barriers." in shown  # Leadership Essentials: l1 only
    charts = [c for c in at.get("plotly_chart") if c.proto.id and "barriers_academy" in c.proto.id]
    assert len(charts) == 1
    assert plain("Sales Academy") in [h.value for h in at.subheader]

    at.selectbox(key="comments_team").set_value("l1").run()
    assert "No comment to show for this choice." in texts(at)


def test_a_viewer_cannot_open_the_comments_page(monkeypatch, sqlite_engine):
    build(sqlite_engine)
    viewer = make_account(sqlite_engine, role="viewer")
    at = page_test(monkeypatch, str(sqlite_engine.url), PAGE, account_id=viewer, engine=sqlite_engine).run()

    assert not at.exception
    assert not at.dataframe
    assert "What people wrote" not in [t.value for t in at.title]
