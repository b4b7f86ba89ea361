import pytest

from ldcore import survey_defs
from ldcore.errors import Invalid


def test_every_stock_survey_loads():
    assert survey_defs.available() == [
        "capability_baseline",
        "capability_followup",
        "manager_observation",
        "program_reaction",
    ]
    for key in survey_defs.available():
        assert survey_defs.load_definition(key).questions


def test_the_baseline_rating_question_is_the_only_required_one():
    baseline = survey_defs.load_definition("capability_baseline")
    required = [q for q in baseline.questions if q.required]
    assert [(q.key, q.type, q.text) for q in required] == [
        ("proficiency", "capability_rating", "Rate your current proficiency")
    ]
    followup = survey_defs.load_definition("capability_followup")
    assert followup.question("proficiency").text == "Rate your current proficiency"


def test_a_bad_definition_names_the_file_the_question_and_the_field():
    text = (
        "title: T\nquestions:\n  - {key: q1, type: likert, text: Hi, level: 2}\n"
        "  - {key: q2, type: nps, text: X, level: 7}\n"
    )
    with pytest.raises(Invalid) as err:
        survey_defs.parse_definition(text, key="bad", source="surveys/bad.yaml")
    message = str(err.value)
    assert message.startswith("surveys/bad.yaml:")
    assert "question 'q1'" in message and "needs a scale" in message
    assert "question 'q2', field level" in message
