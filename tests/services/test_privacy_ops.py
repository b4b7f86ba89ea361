"""A person's data (export, erase) and identity retention, on SQLite and Postgres: the export is exact, an erasure
leaves the email, name and tokens in no table, the minimum group still holds afterwards, and retention removes
identities once, on the day it says."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid, NotFound
from ldcore.models import Answer, AuditEvent, Base, Invitation, Person, Response
from ldcore.services import accounts, evidence, privacy, responses, roster, surveys
from ldcore.services.surveys import hash_token
from tests.support.cli import ldalign
from tests.support.surveys import build, invite, make_wave, token_of

OPENS, CLOSES = dt.date(2027, 3, 1), dt.date(2027, 3, 31)
ANSWERED = dt.datetime(2027, 3, 10, 14, 25, 7)
INVITED = dt.datetime(2027, 3, 1, 9, 0, 0)
ANON_INVITED = dt.datetime(2027, 3, 2, 10, 30, 0)
TITLE = "Where are you today? Capability self-assessment"


def answers_for(n: int) -> dict:
    return {
        "proficiency": {"neg": 1 + n % 5, "coach": 1 + (n + 2) % 5, "excel": "Not applicable"},
        "confidence": 1 + (n + 1) % 5,
        "comments": f"I am person {n}, more coaching please",
    }


@pytest.fixture
def answered(engine):
    """alpha 6, beta 5 (exactly the minimum group), tiny 2 people; everybody answered a confidential baseline."""
    build(engine, {"alpha": 6, "beta": 5, "tiny": 2})
    make_wave(engine, "base", opens=OPENS, closes=CLOSES)
    links = invite(engine, "base")
    with unit_of_work(engine) as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.created_at = INVITED
    for n, link in enumerate(links):
        with unit_of_work(engine) as session:
            responses.submit_response(session, token=token_of(link), answers=answers_for(n), now=ANSWERED)
    return engine, {link.email: (n, token_of(link)) for n, link in enumerate(links)}


def erase(engine, email: str, answers: str) -> privacy.Erasure:
    with unit_of_work(engine) as session:
        return privacy.erase_person(session, email=email, answers=answers, actor="admin@example.org")


def heatmap(engine) -> dict:
    with read_session(engine) as session:
        return evidence.gap_heatmap(session, plan_key="p1", wave_key="base").model_dump()


def cell(grid: dict, team: str, capability: str) -> dict:
    return next(c for c in grid["cells"] if c["team"] == team and c["capability"] == capability)


def everything_stored(engine) -> str:
    """Every row of every table, as text, to search for what must be gone."""
    with read_session(engine) as session:
        return "\n".join(
            repr(tuple(row)) for table in Base.metadata.sorted_tables for row in session.execute(table.select())
        )


def test_a_persons_export_holds_their_roster_record_invitations_and_answers_exactly(answered):
    engine, people = answered
    n, _ = people["beta0@example.org"]
    make_wave(engine, "anon", anonymity="anonymous", opens=OPENS, closes=CLOSES)
    anon_link = next(link for link in invite(engine, "anon") if link.email == "beta0@example.org")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(anon_link), answers=answers_for(9), now=ANSWERED)
        anon = surveys.get_wave(session, key="anon")
        for invitation in session.scalars(select(Invitation).where(Invitation.wave_id == anon.id)):
            invitation.created_at = ANON_INVITED
    exported_at = dt.datetime(2027, 4, 2, 8, 0, 0)
    with unit_of_work(engine) as session:
        data = privacy.person_data(session, email=" Beta0@Example.org ", actor="admin@example.org", now=exported_at)
    assert json.loads(data.model_dump_json()) == {
        "email": "beta0@example.org",
        "exported_at": "2027-04-02T08:00:00",
        "roster": {
            "email": "beta0@example.org",
            "name": "Beta Person 0",
            "team": "Beta Service",
            "employee_id": "",
            "role": "",
            "manager_email": "",
            "active": True,
        },
        "invitations": [
            {
                "wave": "base",
                "wave_title": TITLE,
                "invited_at": "2027-03-01T09:00:00",
                "expires_at": None,
                "sent_at": None,
                "answered_at": "2027-03-10T14:25:07",
                "reminders_sent": 0,
                "unsent_answers": {},
            },
            {
                "wave": "anon",
                "wave_title": TITLE,
                "invited_at": "2027-03-02T10:30:00",
                "expires_at": None,
                "sent_at": None,
                "answered_at": "2027-03-10T00:00:00",
                "reminders_sent": 0,
                "unsent_answers": {},
            },
        ],
        "responses": [
            {
                "wave": "base",
                "wave_title": TITLE,
                "anonymity": "confidential",
                "submitted_at": "2027-03-10T14:25:07",
                "team": "Beta Service",
                "source": "link",
                "answers": [
                    {"question": "proficiency", "capability": "neg", "value": float(1 + n % 5)},
                    {"question": "proficiency", "capability": "coach", "value": float(1 + (n + 2) % 5)},
                    {"question": "confidence", "capability": None, "value": float(1 + (n + 1) % 5)},
                    {
                        "question": "comments",
                        "capability": None,
                        "value": f"I am person {n}, more coaching please",
                    },
                ],
            }
        ],
        "note": privacy.ANONYMOUS_NOTE,
    }
    with read_session(engine) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.export")).one()
    assert (event.actor, event.entity, event.detail) == (
        "admin@example.org",
        "person",
        {"invitations": 2, "responses": 1},
    )
    assert "beta0" not in event.entity_key


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_erasing_a_person_leaves_their_email_name_and_tokens_in_no_table(answered, mode):
    engine, people = answered
    with unit_of_work(engine) as session:
        roster.import_roster(
            session,
            data="email,name,team,manager_email\nbeta1@example.org,Beta Person 1,beta,beta0@example.org\n",
        )
    n, token = people["beta0@example.org"]
    with read_session(engine) as session:
        before = session.scalar(select(func.count(Response.id)))
    assert "beta0@example.org" in everything_stored(engine) and hash_token(token) in everything_stored(engine)

    done = erase(engine, "BETA0@example.org", mode)

    stored = everything_stored(engine)
    for trace in ("beta0@example.org", "Beta Person 0", hash_token(token), f"I am person {n},"):
        assert trace not in stored
    with read_session(engine) as session:
        after = session.scalar(select(func.count(Response.id)))
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erase")).one()
        manager = session.scalar(select(Person.manager_email).where(Person.email == "beta1@example.org"))
    assert manager == ""
    assert after == (before - 1 if mode == "delete" else before)
    assert done.model_dump() == {
        "answers": mode,
        "responses_deleted": 1 if mode == "delete" else 0,
        "responses_kept": 1 if mode == "anonymise" else 0,
        "invitations_removed": 1,
    }
    assert event.actor == "admin@example.org" and event.detail == done.model_dump()
    with pytest.raises(NotFound, match="Nobody with the email beta0@example.org is on the roster"):
        erase(engine, "beta0@example.org", mode)


def test_deleting_a_persons_answers_hides_a_team_that_falls_under_the_minimum_group(answered):
    engine, _ = answered
    assert cell(heatmap(engine), "beta", "neg")["suppressed"] is False
    erase(engine, "beta0@example.org", "delete")
    grid = heatmap(engine)
    assert cell(grid, "beta", "neg")["suppressed"] is True and cell(grid, "beta", "neg")["current"] is None
    assert cell(grid, "alpha", "neg")["n"] == 6
    with read_session(engine) as session:
        rates = {t.team: t.responded for t in surveys.response_rates(session, wave_key="base").teams}
    # beta, down to 4 invitations, is no longer shown alone: it counts with tiny as "Other teams" (6 answers)
    assert rates == {"Alpha Sales": 6, "Other teams": 6}


def test_answers_kept_anonymously_leave_every_published_aggregate_of_answers_unchanged(answered):
    engine, _ = answered
    before = heatmap(engine)
    erase(engine, "beta0@example.org", "anonymise")
    erase(engine, "tiny0@example.org", "anonymise")
    assert heatmap(engine) == before
    assert cell(before, "beta", "neg")["n"] == 5 and cell(before, "tiny", "excel")["suppressed"] is True


def test_a_response_kept_anonymously_keeps_its_ratings_and_nothing_that_points_at_the_person(answered):
    engine, people = answered
    with read_session(engine) as session:
        beta_response = session.scalar(select(Response.id).join(Person).where(Person.email == "beta0@example.org"))
        tiny_response = session.scalar(select(Response.id).join(Person).where(Person.email == "tiny0@example.org"))
        beta_team = session.scalar(select(Response.team_id).where(Response.id == beta_response))
    erase(engine, "beta0@example.org", "anonymise")
    erase(engine, "tiny0@example.org", "anonymise")
    with read_session(engine) as session:
        kept = {
            r.id: r for r in session.scalars(select(Response).where(Response.id.in_([beta_response, tiny_response])))
        }
        kept_answers = {
            rid: sorted((a.question_key, a.value_num, a.team_id) for a in kept[rid].answers) for rid in kept
        }
    beta, tiny = kept[beta_response], kept[tiny_response]
    for response in (beta, tiny):
        assert (response.person_id, response.invitation_id, response.external_id, response.client_id) == (None,) * 4
        assert response.submitted_at == dt.datetime(2027, 3, 10)
    assert beta.team_id == beta_team  # beta has the minimum group: the row stays in its team's aggregate
    assert tiny.team_id is None  # tiny is under it: the kept row must not point at one of its two members
    n = people["beta0@example.org"][0]
    assert kept_answers[beta_response] == sorted(
        [
            ("proficiency", float(1 + n % 5), beta_team),
            ("proficiency", float(1 + (n + 2) % 5), beta_team),
            ("confidence", float(1 + (n + 1) % 5), beta_team),
        ]
    )
    assert all(team is None for _, _, team in kept_answers[tiny_response])


def test_erasure_refuses_an_unknown_email_an_account_holder_and_an_unknown_mode_and_changes_nothing(answered):
    engine, _ = answered
    with unit_of_work(engine) as session:
        accounts.create_account(session, email="alpha1@example.org", role="viewer", password="a-long-password-1")
    with pytest.raises(NotFound, match="Nobody with the email nobody@example.org is on the roster"):
        erase(engine, "nobody@example.org", "delete")
    with pytest.raises(Conflict, match="alpha1@example.org also signs in to LD Align"):
        erase(engine, "alpha1@example.org", "delete")
    with pytest.raises(Invalid, match="must be one of delete, anonymise"):
        erase(engine, "alpha0@example.org", "shred")
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Person.id))) == 13
        assert session.scalar(select(func.count(Answer.id)).where(Answer.question_key == "comments")) == 13


# --- retention --------------------------------------------------------------------------------------------------


def apply(engine, on: dt.date) -> list[str]:
    with unit_of_work(engine) as session:
        return [r.wave for r in privacy.apply_retention(session, now=dt.datetime.combine(on, dt.time(3, 0)))]


def test_a_new_wave_keeps_identities_365_days_after_it_closes(answered):
    engine, _ = answered
    with read_session(engine) as session:
        kept = privacy.retention(session, wave_key="base")
    assert kept.model_dump() == {
        "wave": "base",
        "closes": CLOSES,
        "days": 365,
        "removes_on": dt.date(2028, 3, 30),
        "removed_at": None,
    }


def test_retention_removes_identities_on_the_day_it_names_and_only_once(answered):
    engine, people = answered
    make_wave(engine, "later", opens=OPENS, closes=dt.date(2027, 12, 31))
    invite(engine, "later")
    with unit_of_work(engine) as session:
        assert privacy.set_retention(session, wave_key="base", days=30, actor="admin@example.org").removes_on == (
            dt.date(2027, 4, 30)
        )

    assert apply(engine, dt.date(2027, 4, 29)) == []
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Response.id)).where(Response.person_id.is_not(None))) == 13

    assert apply(engine, dt.date(2027, 4, 30)) == ["base"]
    with read_session(engine) as session:
        rows = session.execute(select(Response.person_id, Response.invitation_id, Response.submitted_at)).all()
        waves_invited = set(session.scalars(select(Invitation.wave_id)))
        answers = session.scalar(select(func.count(Answer.id)))
        kept = privacy.retention(session, wave_key="base")
    assert rows == [(None, None, dt.datetime(2027, 3, 10))] * 13
    assert waves_invited == {surveys_wave_id(engine, "later")}
    assert answers == 13 * 4
    assert kept.removed_at == dt.datetime(2027, 4, 30, 3, 0)
    assert all(hash_token(token) not in everything_stored(engine) for _, token in people.values())

    assert apply(engine, dt.date(2027, 5, 30)) == []
    with read_session(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "wave.identities_removed")).all()
        assert privacy.retention(session, wave_key="base").removed_at == dt.datetime(2027, 4, 30, 3, 0)
    assert [(e.entity_key, e.detail) for e in events] == [("base", {"responses": 13, "invitations": 13})]


def surveys_wave_id(engine, key: str) -> int:
    with read_session(engine) as session:
        return surveys.get_wave(session, key=key).id


@pytest.mark.parametrize("days", [-1, 3651, "30", 2.5, True])
def test_a_retention_outside_0_to_3650_whole_days_is_refused_with_a_sentence(answered, days):
    engine, _ = answered
    with pytest.raises(Invalid, match="whole number of days between 0 and 3650"), unit_of_work(engine) as session:
        privacy.set_retention(session, wave_key="base", days=days, actor="admin@example.org")
    with read_session(engine) as session:
        assert privacy.retention(session, wave_key="base").days == 365


# --- the command line -------------------------------------------------------------------------------------------


def test_person_export_and_erase_from_the_command_line(answered, db_url, tmp_path):
    out = tmp_path / "beta0.json"
    result = ldalign(db_url, "person", "export", "beta0@example.org", "--out", str(out))
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text())
    assert (exported["roster"]["name"], len(exported["invitations"]), len(exported["responses"])) == (
        "Beta Person 0",
        1,
        1,
    )

    refused = ldalign(db_url, "person", "erase", "beta0@example.org", input="no\n")
    assert refused.returncode == 2 and refused.stderr == "error: Nothing was erased.\n"
    erased = ldalign(db_url, "person", "erase", "beta0@example.org", "--answers", "anonymise", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert erased.stdout == (
        "erased beta0@example.org: 0 responses deleted, 1 kept anonymously, 1 invitations removed\n"
    )
    assert "beta0@example.org" not in everything_stored(answered[0])


@pytest.mark.parametrize("command", ["export", "erase"])
def test_an_unknown_email_is_one_line_and_exit_2(answered, db_url, command):
    result = ldalign(db_url, "person", command, "nobody@example.org", *(["--yes"] if command == "erase" else []))
    assert result.returncode == 2
    assert result.stderr == "error: Nobody with the email nobody@example.org is on the roster.\n"
    assert result.stdout == ""


def test_retention_set_and_apply_from_the_command_line_remove_identities_once(answered, db_url):
    closed = dt.date.today() - dt.timedelta(days=10)
    with unit_of_work(answered[0]) as session:
        surveys.get_wave(session, key="base").closes = closed
    assert ldalign(db_url, "retention", "set", "--wave", "base", "--days", "10").stdout == (
        f"identities of wave base's respondents are removed on {dt.date.today()}\n"
    )
    first = ldalign(db_url, "retention", "apply")
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        "removed respondents' identities from wave base (kept 10 days after it closed)\n"
        "1 waves past their retention had identities removed\n"
    )
    assert ldalign(db_url, "retention", "apply").stdout == "0 waves past their retention had identities removed\n"
    bad = ldalign(db_url, "retention", "set", "--wave", "base", "--days", "5000")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "between 0 and 3650" in bad.stderr
