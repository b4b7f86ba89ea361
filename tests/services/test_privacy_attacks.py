"""The attacks of issue 13 (A2, A3) replayed on SQLite and Postgres: what they read before, and that nothing they
can read now singles out a small team or a person."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import itertools
from collections import Counter

import pytest
from sqlalchemy import select

from ldcore.db import read_session, unit_of_work
from ldcore.models import AppState, Capability, KpiObservation, Response, SurveyWave, Team, utcnow
from ldcore.reporting import contract
from ldcore.reporting.html import report_html
from ldcore.schemas import PlanDocument
from ldcore.services import accounts, evidence, impact, imports, plans, responses, surveys
from tests.support.impact import add_wave, kpi, respond
from tests.support.surveys import BASE, build, invite, make_wave, token_of

D = dt.date
MIN_GROUP = 5
# big-a and big-b answer "10% of the change is the program's, 100% sure, never used it"; the 2-person team says 90%
# and uses it daily — the answers an attacker would recover by subtracting initiative A's figures from B's.
TEAMS = {"big-a": (7, 10, 1), "big-b": (6, 10, 1), "small": (2, 90, 5)}


def attack_plan() -> PlanDocument:
    def initiative(key, audience):
        return {
            "key": key,
            "name": f"Program {key.upper()}",
            "objectives": ["ret"],
            "capabilities": ["neg"],
            "kpis": ["attr"],
            "audience": audience,
            "starts": "2027-03-01",
            "ends": "2027-03-31",
            "isolation": "participant_estimate",
            "costs": {"delivery": 1000},
        }

    return PlanDocument.model_validate(
        {
            "plan": {"key": "p1", "name": "Plan one", "starts": "2027-01-01", "ends": "2027-12-31"},
            "objectives": [
                {
                    "key": "ret",
                    "title": "Keep people",
                    "category": "people",
                    "priority": 4,
                    "kpis": [kpi("attr", "Attrition", "down", 10, 5, 500)],
                }
            ],
            "capabilities": [{"key": "neg", "name": "Negotiation", "drives": {"ret": 5}}],
            "teams": [{"key": k, "name": k.upper(), "headcount": n} for k, (n, _, _) in TEAMS.items()],
            "initiatives": [initiative("a", ["big-a", "big-b"]), initiative("b", ["big-a", "big-b", "small"])],
        }
    )


def build_attack(engine) -> None:
    with unit_of_work(engine) as session:
        plan = plans.import_plan(session, document=attack_plan())
        session.flush()
        teams = {t.key: t.id for t in session.scalars(select(Team))}
        neg = session.scalar(select(Capability.id).where(Capability.key == "neg"))
        kpi_id = plan.objectives[0].kpis[0].id
        for team_id in teams.values():
            for date, value in ((D(2027, 1, 1), 10), (D(2027, 2, 1), 10), (D(2027, 5, 1), 8), (D(2027, 6, 1), 8)):
                session.add(KpiObservation(kpi_id=kpi_id, team_id=team_id, date=date, value=value))
        base = add_wave(session, plan, "base", "capability_baseline", kind="baseline")
        fu = add_wave(session, plan, "fu", "capability_followup", baseline=base)
        for team, (n, pct, applied) in TEAMS.items():
            for _ in range(n):
                respond(session, base, teams[team], {"proficiency": 2}, neg)
                answers = {"attribution_pct": pct, "attribution_confidence": 100, "applied": applied}
                respond(session, fu, teams[team], answers, neg)


def few_apart(counts: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in itertools.combinations(counts, 2) if 0 < abs(a - b) < MIN_GROUP]


def test_two_initiatives_a_small_team_apart_never_both_show_their_attribution(engine):
    build_attack(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")
        html = report_html(session, plan_key="p1")
        report = contract.report_json(session, plan_key="p1")

    by_key = {r.initiative: r for r in view.roi}
    assert "13 respondents of fu credit the program with 10.0%" in by_key["a"].effects[0].steps[1]
    assert by_key["b"].benefits is None
    assert "hidden to protect a small group" in by_key["b"].effects[0].missing
    assert not any("respondents" in step for step in by_key["b"].effects[0].steps)
    assert "15 respondents" not in html and "with 90.0%" not in html and "with 20.7%" not in html
    assert {r["initiative"]: r["benefits"] is None for r in report["roi"]} == {"a": False, "b": True}


def test_two_initiatives_a_small_team_apart_never_both_show_the_share_applying(engine):
    build_attack(engine)
    with read_session(engine) as session:
        view = impact.executive_view(session, plan_key="p1")

    applying = {c.initiative: next(x for x in c.links if x.measure == "Applying on the job") for c in view.chains}
    assert (applying["a"].value, applying["a"].n) == (None, None)
    assert "hidden to protect a small group" in applying["a"].missing
    assert (round(applying["b"].value, 1), applying["b"].n) == (13.3, 15)
    # the plan's own figure (every team) is the one B agrees with; nothing published is 1–4 people apart
    assert [(a.n, a.applying) for a in view_application(engine)] == [(15, 2)]
    published = [a.n for a in view_application(engine)] + [x.n for x in applying.values() if x.value is not None]
    assert few_apart(published) == []


def view_application(engine):
    with read_session(engine) as session:
        return [a for a in evidence.prepost(session, plan_key="p1").application if not a.suppressed]


# --- A3: anonymous waves ---------------------------------------------------------------------------------------

ROSTER = {"alpha": 14, "beta": 5, "tiny": 2}  # 21 invited; everybody but one alpha person answers: 20 rows
RATING = {"proficiency": {"neg": 3, "coach": 2, "excel": 1}}
PAIRING = {"mother": "Zoë", "birthday": 7, "street": "Elm"}


def answered_at(n: int) -> dt.datetime:
    return dt.datetime(2030, 3, 4, 16, 37, 12) + dt.timedelta(hours=7 * n)


def anonymous_wave(engine) -> list[str]:
    """Returns the comments in the order the people answered, seven hours apart."""
    build(engine, ROSTER)
    make_wave(engine, anonymity="anonymous")
    links = [link for link in invite(engine, "base") if link.email != "alpha0@example.org"]
    said = []
    for n, link in enumerate(links):
        said.append(f"answer {n} from {link.team}")
        with unit_of_work(engine) as session:
            responses.submit_response(
                session,
                token=token_of(link),
                answers={"proficiency": {"neg": 3, "coach": 2, "excel": 1}, "comments": said[-1]},
                pairing=PAIRING if n == 0 else None,
                now=answered_at(n),
            )
    return said


def exported(engine) -> list[dict]:
    with read_session(engine) as session:
        content = imports.export_responses(session, wave_key="base", kind="csv")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_an_anonymous_export_merges_teams_under_the_minimum_into_other(engine):
    anonymous_wave(engine)
    rows = exported(engine)
    # tiny (2 rows) alone would point at 2 people; beta (5) joins it so that "Other" holds at least 5
    assert Counter(r["team"] for r in rows) == {"alpha": 13, "Other": 7}
    assert {r["team"] for r in rows if r["comments"].endswith("Tiny Team")} == {"Other"}


def test_an_anonymous_export_is_not_in_the_order_people_answered_and_stays_put(engine):
    said = anonymous_wave(engine)
    first, second = exported(engine), exported(engine)
    assert len(first) == 20 and sorted(r["comments"] for r in first) == sorted(said)
    assert [r["comments"] for r in first] != said
    assert [r["comments"] for r in first] != sorted(said, key=lambda text: int(text.split()[1]), reverse=True)
    assert first == second  # the same file every time, so two downloads cannot be compared for order


def test_anonymous_export_ids_cannot_be_recomputed_from_response_ids(engine):
    anonymous_wave(engine)
    rows = exported(engine)
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.key == "base"))
        response_ids = session.scalars(select(Response.id)).all()
        secret = accounts.signing_secret(session)
    ids = {r["response_id"] for r in rows}
    unsalted = {hashlib.sha256(f"ldalign-export|{wave_id}|{rid}".encode()).hexdigest()[:12] for rid in response_ids}
    assert len(ids) == 20 and not any(i.startswith(u) for i in ids for u in unsalted)
    keyed = {hmac.new(secret, f"ldalign-export|{wave_id}|{rid}".encode(), hashlib.sha256).hexdigest()[:16]
             for rid in response_ids}  # fmt: skip
    assert ids == keyed  # only the install's secret turns a response id into its export id


def test_anonymous_exports_and_storage_keep_only_the_day(engine):
    anonymous_wave(engine)
    rows = exported(engine)
    assert {r["submitted_at"] for r in rows} == {answered_at(n).date().isoformat() for n in range(20)}
    with read_session(engine) as session:
        assert {s.time() for s in session.scalars(select(Response.submitted_at))} == {dt.time()}


def test_a_pairing_code_is_keyed_so_guessing_the_personal_answers_does_not_find_it(engine):
    anonymous_wave(engine)
    with read_session(engine) as session:
        plan_id = session.scalar(select(SurveyWave.plan_id).where(SurveyWave.key == "base"))
        stored = session.scalars(select(Response.pairing_code).where(Response.pairing_code.is_not(None))).one()
        secret = accounts.signing_secret(session)
    guess = f"ldalign-pairing|{plan_id}|zo|7|el"  # the attacker's right guess of the three answers
    assert stored != hashlib.sha256(guess.encode()).hexdigest()
    assert stored == hmac.new(secret, guess.encode(), hashlib.sha256).hexdigest()


def test_response_rates_of_an_anonymous_wave_name_nobody_and_hide_small_teams(engine):
    anonymous_wave(engine)
    with read_session(engine) as session:
        rates = surveys.response_rates(session, wave_key="base")
        pending = surveys.non_respondents(session, wave_key="base")
    # before: "Tiny Team: 2 invited", and an empty list of who has not answered named both as respondents
    assert pending is None
    assert [(t.team, t.invited, t.responded) for t in rates.teams] == [("Alpha Sales", 14, 13), ("Other teams", 7, 7)]
    assert (rates.invited, rates.responded) == (21, 20)
    assert few_apart([t.responded for t in rates.teams if t.responded] + [rates.responded]) == []


def test_response_rates_hide_a_total_a_few_answers_from_a_shown_team(engine):
    build(engine, {"alpha": 6, "beta": 5})
    make_wave(engine)
    links = [link for link in invite(engine, "base") if link.email != "beta0@example.org"]
    for link in links[:8]:  # alpha 6, beta 2
        with unit_of_work(engine) as session:
            responses.submit_response(session, token=token_of(link), answers=RATING)
    with read_session(engine) as session:
        rates = surveys.response_rates(session, wave_key="base")
        pending = surveys.non_respondents(session, wave_key="base")
    assert [(t.team, t.responded) for t in rates.teams] == [("Alpha Sales", 6), ("Beta Service", None)]
    assert rates.responded is None  # 8 − 6 would give Beta's 2
    assert len(pending) == 3  # a confidential wave still lists who to chase


def test_reminders_of_an_anonymous_wave_go_to_everybody_so_the_list_names_no_respondent(engine):
    build(engine, {"alpha": 6})
    make_wave(engine, anonymity="anonymous")
    make_wave(engine, "named", anonymity="confidential")
    for wave in ("base", "named"):
        first = invite(engine, wave)
        for link in first[:4]:
            with unit_of_work(engine) as session:
                responses.submit_response(session, token=token_of(link), answers=RATING)
    with unit_of_work(engine) as session:
        later = utcnow() + dt.timedelta(days=3)
        anonymous, _ = surveys.remind(session, wave_key="base", base_url=BASE, now=later)
        named, _ = surveys.remind(session, wave_key="named", base_url=BASE, now=later)
    assert len(anonymous) == 6 and len(named) == 2
    with read_session(engine) as session, pytest.raises(responses.LinkRefused):
        responses.respond_form(session, token=token_of(anonymous[0]))  # answered already: the link stays refused
    message = surveys.invitation_message(anonymous[0], title="Skills", sender="ld@example.org", reminder=True)
    assert "if you have already answered, thank you" in message.get_content()


def test_creating_a_wave_makes_the_install_secret_before_any_respondent_needs_it(engine):
    build(engine, {"alpha": 2})
    with read_session(engine) as session:
        assert session.get(AppState, "session_secret") is None
    make_wave(engine, anonymity="anonymous")
    with read_session(engine) as session:
        assert len(session.get(AppState, "session_secret").value) == 64
