"""The audit trail as an admin reads it: who did what and when, filtered, exported as neutralised CSV, and never a
password or a survey answer."""

import csv
import datetime as dt
import io

from sqlalchemy import update

from ldcore.db import read_session, unit_of_work
from ldcore.models import AuditEvent
from ldcore.services import accounts, audit, responses, sharing
from tests.support.surveys import build, invite, make_wave, token_of

DAY = dt.date(2026, 11, 23)


def _events(engine, **filters):
    with read_session(engine) as session:
        return audit.list_events(session, **filters)


def _set_times(engine, action: str, at: dt.datetime) -> None:
    with unit_of_work(engine) as session:
        session.execute(update(AuditEvent).where(AuditEvent.action == action).values(at=at))


def _people(engine):
    with unit_of_work(engine) as session:
        accounts.create_account(session, email="lead@example.org", role="admin", password="correct-horse-battery")
        accounts.create_account(
            session, email="=cmd@example.org", role="viewer", password="correct-horse-battery", actor="lead@example.org"
        )
    with unit_of_work(engine) as session:
        accounts.update_account(session, email="=cmd@example.org", role="editor", actor="lead@example.org")
    with unit_of_work(engine, bump=False) as session:
        accounts.sign_in(session, email="lead@example.org", password="not-it-secret", ip="10.1.1.1")


def test_events_are_newest_first_with_who_what_and_details_and_a_role_change_shows_before_and_after(engine):
    _people(engine)
    events = _events(engine)
    assert events.columns.tolist() == ["when (UTC)", "who", "what", "about", "key", "details"]
    assert events[["who", "what", "key"]].values.tolist() == [
        ["lead@example.org", "sign_in.failed", "lead@example.org"],
        ["lead@example.org", "account.update", "=cmd@example.org"],
        ["lead@example.org", "account.create", "=cmd@example.org"],
        ["cli", "account.create", "lead@example.org"],
    ]
    assert events["details"].tolist()[:2] == [
        "ip=10.1.1.1",
        "active=True, role=editor, was_active=True, was_role=viewer",
    ]
    assert "not-it-secret" not in events.to_csv()


def test_filters_by_part_of_the_email_by_area_and_by_inclusive_dates(engine):
    _people(engine)
    _set_times(engine, "account.create", dt.datetime(2026, 11, 20, 23, 59))
    _set_times(engine, "account.update", dt.datetime(2026, 11, 21, 0, 0))
    _set_times(engine, "sign_in.failed", dt.datetime(2026, 11, 23, 8, 0))
    assert _events(engine, who="CLI")["what"].tolist() == ["account.create"]
    assert _events(engine, areas=["sign_in"])["what"].tolist() == ["sign_in.failed"]
    assert _events(engine, areas=["account"], who="lead")["what"].tolist() == ["account.update", "account.create"]
    in_range = _events(engine, since=dt.date(2026, 11, 21), until=dt.date(2026, 11, 22))
    assert in_range["what"].tolist() == ["account.update"]
    assert _events(engine, until=dt.date(2026, 11, 20))["what"].tolist() == ["account.create", "account.create"]
    assert _events(engine, who="%").empty  # a wildcard typed as "who" matches only itself
    with read_session(engine) as session:
        assert audit.areas(session) == ["account", "sign_in"]
    assert audit.area_label("sign_in") == "Sign-ins, failures, lockouts" and audit.area_label("kpi_x") == "kpi x"


def test_the_csv_export_holds_every_match_neutralises_formulas_and_is_itself_audited(engine):
    _people(engine)
    with unit_of_work(engine, bump=False) as session:
        data = audit.export_csv(session, actor="lead@example.org", areas=["account"])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["when (UTC)", "who", "what", "about", "key", "details"]
    assert [r[2] for r in rows[1:]] == ["account.update", "account.create", "account.create"]
    assert rows[1][4] == "'=cmd@example.org"
    newest = _events(engine).iloc[0]
    assert (newest["who"], newest["what"], newest["details"]) == ("lead@example.org", "audit.export", "rows=3")


def test_share_links_waves_and_responses_are_listed_but_no_answer_is(engine):
    build(engine, {"alpha": 6, "beta": 5})
    make_wave(engine, "follow", "capability_followup", kind="followup")
    links = invite(engine, "follow")
    with unit_of_work(engine) as session:
        link = sharing.create_share_link(session, plan_key="p1", actor="lead@example.org")
    with unit_of_work(engine) as session:
        sharing.revoke_share_link(session, link_id=link.link.id, actor="lead@example.org")
    answers = {
        "proficiency": {"neg": 4, "coach": 3, "excel": 2},
        "applied": {"neg": 5, "coach": None},
        "confidence": 4,
        "barriers": ["No time"],
        "attribution_pct": 40,
        "attribution_confidence": 70,
        "comments": "my manager never lets me practise",
    }
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(links[0]), answers=answers)
    events = _events(engine)
    assert {"share_link.create", "share_link.revoke", "wave.create", "wave.invite"} <= set(events["what"])
    assert "never lets me practise" not in events.to_csv()


def test_a_response_export_is_audited_with_who_which_wave_and_how_many_rows_and_no_answer(engine):
    from ldcore.services import imports

    build(engine, {"alpha": 2})
    make_wave(engine)
    (link,) = invite(engine, "base")[:1]
    with unit_of_work(engine) as session:
        responses.submit_response(
            session,
            token=token_of(link),
            answers={"proficiency": {"neg": 3, "coach": 2, "excel": 1}, "comments": "x9q"},
        )
    with unit_of_work(engine, bump=False) as session:
        imports.export_responses(session, wave_key="base", kind="xlsx", actor="ed@example.org")
    (event,) = _events(engine, areas=["responses"]).to_dict("records")
    assert (event["who"], event["what"], event["key"], event["details"]) == (
        "ed@example.org", "responses.export", "base", "format=xlsx, rows=1"
    )  # fmt: skip
    assert "x9q" not in str(event)
