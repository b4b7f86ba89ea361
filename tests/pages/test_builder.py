"""The Survey builder with AppTest: editors only; copy a stock survey, reword, add from the bank, reorder, remove,
save versions; problems shown at their field block saving; the preview stores nothing; a survey in use can only
be archived."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ldcore.db import read_session, unit_of_work
from ldcore.models import Base
from ldcore.services import survey_library
from tests.pages.helpers import make_account, page_test, texts
from tests.support.surveys import build, make_wave

PAGE = "pages/builder.py"


@pytest.fixture
def builder_page(monkeypatch, db_url, engine):
    account = make_account(engine, role="editor")
    return lambda: page_test(monkeypatch, db_url, PAGE, account_id=account, engine=engine).run()


def saved(engine, key: str, version: int | None = None):
    with read_session(engine) as session:
        return survey_library.get_definition(session, key=key, version=version)


def shown(at) -> str:
    """What a person reads (the markdown escapes of user text removed)."""
    return texts(at).replace("\\", "")


def copy_stock(at, stock: str, key: str):
    at.selectbox(key="builder_pick").set_value(stock).run()
    at.text_input(key="builder_copy_key").input(key)
    return at.button(key="builder_copy").click().run()


def test_a_viewer_cannot_open_the_builder(monkeypatch, db_url, engine):
    viewer = make_account(engine, role="viewer")
    at = page_test(monkeypatch, db_url, PAGE, account_id=viewer, engine=engine).run()
    assert "needs the editor role" in at.error[0].value
    assert not at.tabs


def test_an_editor_copies_a_stock_survey_rewords_adds_from_the_bank_and_saves_versions(builder_page, engine):
    at = builder_page()
    assert not at.exception
    at = copy_stock(at, "capability_followup", "acme_followup")
    assert not at.exception
    at.text_area(key="b:2:text").input("How often have you used it at work?").run()
    at.text_input(key="builder_bank_search").input("recommend").run()
    at.button(key="builder_bank_add:program_reaction:nps").click().run()
    assert "Added as question 8 (nps)" in shown(at)
    at.button(key="builder_up:8").click().run()  # now 7th, before the comments
    at.button(key="builder_save").click().run()
    assert not at.exception
    assert "Saved “How has your work changed? Capability follow-up” as version 1" in shown(at)
    first = saved(engine, "acme_followup")
    assert [q.key for q in first.questions][-2:] == ["nps", "comments"]
    assert first.question("applied").text == "How often have you used it at work?"
    assert first.question("applied").scale == saved(engine, "capability_followup").question("applied").scale

    at.button(key="builder_remove:1").click().run()
    assert "Remove question 1 from this survey?" in shown(at)
    at.button(key="builder_remove_yes:1").click().run()
    at.text_input(key="b:survey:title").input("Acme follow-up").run()
    at.button(key="builder_save").click().run()
    assert "as version 2" in shown(at)
    assert saved(engine, "acme_followup").questions[0].key == "applied"
    assert saved(engine, "acme_followup", version=1).questions[0].key == "proficiency"
    at.button(key="builder_save").click().run()
    assert "Nothing changed since version 2" in shown(at)


def test_problems_show_at_their_field_and_block_saving(builder_page, engine):
    at = copy_stock(builder_page(), "capability_followup", "Bad Key")
    assert "use lower-case letters, digits and _ only" in shown(at)
    at.text_input(key="b:survey:key").input("fixed_key").run()
    at.text_area(key="b:2:text").input("").run()
    at.text_area(key="b:2:scale").input("1 = Never\n1 = Again").run()
    at.text_area(key="b:4:options").input("No time\nNo time").run()
    errors = [e.value.replace("\\", "") for e in at.error]
    assert "cannot be empty" in errors
    assert "line 2: point 1 is there twice" in errors
    assert "listed twice: No time" in errors
    assert at.button(key="builder_save").disabled
    assert "Fix the problems marked on the Questions tab" in shown(at)
    at.text_area(key="b:2:text").input("Reworded").run()
    at.text_area(key="b:2:scale").input("Never\nSometimes\nOften").run()
    at.text_area(key="b:4:options").input("No time\nNo budget").run()
    assert not at.button(key="builder_save").disabled
    at.button(key="builder_save").click().run()
    applied = saved(engine, "fixed_key").question("applied")
    assert applied.scale == {1: "Never", 2: "Sometimes", 3: "Often"}
    assert saved(engine, "fixed_key").question("barriers").options == ["No time", "No budget"]


def test_a_blank_survey_gets_questions_of_every_type_with_their_fields(builder_page, engine):
    at = builder_page()
    at.radio(key="builder_start_from").set_value("blank").run()
    at.text_input(key="builder_start_key").input("pulse")
    at.text_input(key="builder_start_title").input("Pulse check")
    at.button(key="builder_start").click().run()
    assert "add at least one question" in shown(at)
    for kind in survey_library.TYPES:
        at.selectbox(key="builder_new_type").set_value(kind).run()
        at.button(key="builder_add").click().run()
    for uid in range(1, 9):
        at.text_area(key=f"b:{uid}:text").input(f"Question number {uid}")
    at.checkbox(key="b:2:per_capability").check()
    at.checkbox(key="b:1:required").check()
    at.selectbox(key="b:5:level").set_value(4)
    at.text_input(key="b:8:help").input("Anything else?")
    at.number_input(key="b:5:min").set_value(0)
    at.number_input(key="b:5:max").set_value(40).run()
    assert not at.exception and not at.button(key="builder_save").disabled
    at.button(key="builder_save").click().run()
    pulse = saved(engine, "pulse")
    assert [q.type for q in pulse.questions] == list(survey_library.TYPES)
    assert pulse.questions[1].per_capability and pulse.questions[0].required
    assert (pulse.questions[4].level, pulse.questions[4].min, pulse.questions[4].max) == (4, 0, 40)
    assert pulse.questions[7].help == "Anything else?"
    assert pulse.questions[3].options == ["Option 1", "Option 2"]


def test_the_preview_shows_the_respondent_form_and_stores_nothing(builder_page, engine):
    at = copy_stock(builder_page(), "program_reaction", "reaction_copy")

    def rows() -> dict[str, int]:
        with read_session(engine) as session:
            return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}

    before = rows()
    assert at.container(key="builder_preview_phone") is not None
    at.radio(key="preview:q:satisfaction").set_value(4).run()
    at.text_area(key="preview:q:best").input("The role plays").run()
    at.segmented_control(key="builder_preview_frame").set_value("full").run()
    assert not at.exception
    assert at.button(key="preview:submit").disabled
    assert "How was the program?" in [t.value for t in at.title]
    assert rows() == before


def test_a_survey_used_by_a_wave_cannot_be_deleted_but_is_archived_after_confirming(builder_page, engine):
    build(engine)
    with unit_of_work(engine) as session:
        definition = {**survey_library.get_definition(session, key="program_reaction").snapshot(), "key": "used"}
        survey_library.save_survey(session, definition=definition, new=True)
    make_wave(engine, "w1", "used")
    at = builder_page()
    at.selectbox(key="builder_pick").set_value("used").run()
    assert at.button(key="builder_delete").disabled
    assert "can only be archived" in shown(at)
    at.button(key="builder_archive").click().run()
    assert "no new wave can use it" in shown(at)
    with read_session(engine) as session:
        assert survey_library.list_surveys(session, include_archived=True)[-1].status == "active"
    at.button(key="builder_archive_yes").click().run()
    assert "Archived “How was the program?”" in shown(at)
    with read_session(engine) as session:
        assert survey_library.list_surveys(session, include_archived=True)[-1].status == "archived"


def test_the_surveys_page_creates_a_wave_of_a_saved_survey(monkeypatch, db_url, engine):
    build(engine)
    with unit_of_work(engine) as session:
        definition = {**survey_library.get_definition(session, key="program_reaction").snapshot(), "key": "mine"}
        survey_library.save_survey(session, definition={**definition, "title": "Our reaction survey"}, new=True)
    account = make_account(engine, role="editor")
    at = page_test(monkeypatch, db_url, "pages/surveys.py", account_id=account, engine=engine).run()
    picker = at.selectbox(key="wave_survey")
    assert "Our reaction survey (version 1)" in picker.options
    picker.set_value("mine")
    at.text_input(key="wave_key").input("mine-wave")
    at.button(key="FormSubmitter:wave_create-Create wave").click().run()
    assert not at.exception
    with read_session(engine) as session:
        assert survey_library.wave_version(session, wave_key="mine-wave") == ("mine", 1)


def test_a_german_translation_is_saved_missing_texts_are_listed_and_the_preview_speaks_german(builder_page, engine):
    at = copy_stock(builder_page(), "program_reaction", "reaction_de")
    assert "in English (en) only" in shown(at)
    at.text_input(key="builder_new_language").input("d1")
    at.button(key="builder_add_language").click().run()
    assert "Give a two-letter language code" in shown(at)
    at.text_input(key="builder_new_language").input("de")
    at.button(key="builder_add_language").click().run()
    assert not at.exception
    at.text_input(key="b:tr:de:survey:title").input("Wie war das Programm?").run()
    at.text_input(key="b:tr:de:1:text").input("Wie zufrieden sind Sie?").run()
    at.text_input(key="b:tr:de:1:s5").input("Sehr zufrieden").run()
    missing = shown(at)
    assert "Question 1 (satisfaction): scale point 1" in missing and "Question 1 (satisfaction): text" not in missing
    at.selectbox(key="builder_preview_language").set_value("de").run()
    assert "Wie war das Programm?" in [t.value for t in at.title]
    assert at.radio(key="preview:q:satisfaction").label.endswith("Wie zufrieden sind Sie? *")
    at.button(key="builder_save").click().run()
    assert not at.exception
    reaction = saved(engine, "reaction_de")
    assert reaction.languages == ["en", "de"]
    assert reaction.translations["de"].title == "Wie war das Programm?"
    assert reaction.question("satisfaction").translations["de"].scale == {5: "Sehr zufrieden"}
    at.button(key="builder_remove_language").click().run()
    at.button(key="builder_remove_language_yes").click().run()
    at.button(key="builder_save").click().run()
    assert saved(engine, "reaction_de").languages == ["en"]
