"""The survey library: saved surveys with versions, waves that keep the version they were made from, archive
instead of delete, the question bank, and checks that place each problem at its field."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ldcore import survey_defs
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid
from ldcore.models import SurveyVersion, SurveyWave
from ldcore.services import survey_library as lib
from ldcore.services import surveys
from tests.support.surveys import build, make_wave


def copy_of(stock: str, key: str, **changes) -> dict:
    definition = survey_defs.load_definition(stock).snapshot()
    return {**definition, "key": key, **changes}


def save(engine, definition: dict, **kw) -> lib.SurveyRow:
    with unit_of_work(engine) as session:
        return lib.save_survey(session, definition=definition, actor="ed@example.org", **kw)


def test_saving_a_copy_makes_version_one_and_each_change_a_new_version(engine):
    first = save(engine, copy_of("capability_followup", "acme_followup"), new=True)
    assert (first.key, first.source, first.version, first.questions) == ("acme_followup", "saved", 1, 7)
    same = save(engine, copy_of("capability_followup", "acme_followup"))
    assert same.version == 1  # nothing changed, no new version
    reworded = copy_of("capability_followup", "acme_followup", title="Acme follow-up")
    reworded["questions"][0] = {**reworded["questions"][0], "text": "How good are you at it now?"}
    assert save(engine, reworded).version == 2
    with read_session(engine) as session:
        assert [v.number for v in lib.list_versions(session, key="acme_followup")] == [2, 1]
        assert lib.get_definition(session, key="acme_followup").questions[0].text == "How good are you at it now?"
        assert (
            lib.get_definition(session, key="acme_followup", version=1).title
            == "How has your work changed? Capability follow-up"
        )
        rows = lib.list_surveys(session)
    assert [(r.key, r.source) for r in rows][-1] == ("acme_followup", "saved")
    assert {r.key for r in rows if r.source == "stock"} == set(survey_defs.available())
    assert rows[-1].title == "Acme follow-up" and rows[-1].updated_by == "ed@example.org"


def test_a_stock_key_or_a_taken_key_is_refused_and_nothing_is_saved(engine):
    with pytest.raises(Conflict, match="stock survey"):
        save(engine, copy_of("capability_followup", "capability_followup"))
    save(engine, copy_of("program_reaction", "mine"), new=True)
    with pytest.raises(Conflict, match="already exists"):
        save(engine, copy_of("capability_followup", "mine"), new=True)
    with read_session(engine) as session:
        assert len(session.scalars(select(SurveyVersion)).all()) == 1


def test_a_wave_keeps_the_version_it_was_made_from_and_runs_its_snapshot(engine):
    build(engine)
    save(engine, copy_of("capability_followup", "acme_followup"), new=True)
    make_wave(engine, "w1", "acme_followup")
    changed = copy_of("capability_followup", "acme_followup", title="Acme v2")
    save(engine, changed)
    make_wave(engine, "w2", "acme_followup")
    with read_session(engine) as session:
        assert lib.wave_version(session, wave_key="w1") == ("acme_followup", 1)
        assert lib.wave_version(session, wave_key="w2") == ("acme_followup", 2)
        w1 = session.scalar(select(SurveyWave).where(SurveyWave.key == "w1"))
        assert surveys.wave_definition(w1).title == "How has your work changed? Capability follow-up"
        assert surveys.describe_wave(session, key="w2").title == "Acme v2"
    make_wave(engine, "stock", "capability_baseline")
    with read_session(engine) as session:
        assert lib.wave_version(session, wave_key="stock") is None


def test_a_survey_used_by_a_wave_cannot_be_deleted_only_archived_and_archived_starts_no_wave(engine):
    build(engine)
    save(engine, copy_of("capability_followup", "used"), new=True)
    save(engine, copy_of("program_reaction", "unused"), new=True)
    make_wave(engine, "w1", "used")
    with unit_of_work(engine) as session, pytest.raises(Conflict, match="Archive it instead"):
        lib.delete_survey(session, key="used")
    with unit_of_work(engine) as session:
        lib.delete_survey(session, key="unused")
        assert lib.set_archived(session, key="used", archived=True).status == "archived"
    with read_session(engine) as session:
        assert [r.key for r in lib.list_surveys(session) if r.source == "saved"] == []
        assert [r.status for r in lib.list_surveys(session, include_archived=True) if r.source == "saved"] == [
            "archived"
        ]
    with pytest.raises(Invalid, match="archived"):
        make_wave(engine, "w2", "used")
    with pytest.raises(Conflict, match="restore it"):
        save(engine, copy_of("capability_followup", "used", title="New"))
    with unit_of_work(engine) as session:
        lib.set_archived(session, key="used", archived=False)
    assert make_wave(engine, "w2", "used").survey_key == "used"


def test_the_question_bank_finds_stock_and_saved_questions_by_words_level_and_type(engine):
    mine = copy_of("program_reaction", "mine")
    mine["questions"].append({"key": "coffee", "type": "single_choice", "text": "Was the coffee good?",
                              "level": 1, "options": ["Yes", "No"]})  # fmt: skip
    save(engine, mine, new=True)
    with read_session(engine) as session:
        everything = lib.question_bank(session)
        coffee = lib.question_bank(session, search="COFFEE good")
        behaviour = lib.question_bank(session, levels=[3])
        nps = lib.question_bank(session, types=["nps"])
    keys = [(b.survey_key, b.question.key) for b in everything]
    assert len(keys) == len(set(keys))
    assert ("mine", "coffee") in keys
    assert not any(k == "mine" and q != "coffee" for k, q in keys)  # copies of stock questions are listed once
    assert [(b.survey_key, b.question.key, b.source) for b in coffee] == [("mine", "coffee", "saved")]
    assert behaviour and all(b.question.level == 3 for b in behaviour)
    assert [b.question.type for b in nps] == ["nps"]


def test_check_places_each_problem_at_its_field_and_save_refuses_it(engine):
    bad = copy_of("capability_followup", "bad", title=" ")
    bad["questions"][1] = {**bad["questions"][1], "type": "likert", "scale": None}
    bad["questions"][2] = {**bad["questions"][2], "key": bad["questions"][0]["key"]}
    bad["questions"].append({"key": "n", "type": "number", "text": "How many?", "level": 4, "min": 5, "max": 1})
    problems = [(p.question, p.field) for p in lib.check(bad)]
    assert (None, "title") in problems
    assert (1, "scale") in problems
    assert (2, "key") in problems
    assert (7, "max") in problems
    with pytest.raises(Invalid) as refused:
        save(engine, bad, new=True)
    assert "question 2 (applied), scale" in str(refused.value)
    with read_session(engine) as session:
        assert [r.key for r in lib.list_surveys(session) if r.source == "saved"] == []


def test_an_unknown_survey_key_names_what_is_available(engine):
    build(engine)
    save(engine, copy_of("program_reaction", "mine"), new=True)
    with pytest.raises(Invalid, match="available: .*mine"):
        make_wave(engine, "w", "nope")


def test_unique_question_key_adds_a_number_when_the_key_is_taken():
    definition = {"questions": [{"key": "nps"}, {"key": "nps_2"}]}
    assert lib.unique_question_key(definition, "nps") == "nps_3"
    assert lib.unique_question_key(definition, "other") == "other"
