import pytest

from ldcore import survey_defs
from ldcore.errors import Invalid

BILINGUAL = """
title: Follow-up
description: A few questions.
language: en
translations:
  de: {title: Nachbefragung}
  fr: {title: Suivi, description: Quelques questions.}
questions:
  - key: applied
    type: likert
    text: How often did you apply it?
    help: Think of the last 30 days.
    level: 3
    scale: {1: Never, 2: Sometimes, 3: Often}
    translations:
      de: {text: "Wie oft haben Sie es angewendet?", scale: {1: Nie, 3: Oft}}
  - key: barriers
    type: multi_choice
    text: What got in the way?
    level: 3
    options: [No time, No support]
    translations:
      de: {text: "Was hat Sie gehindert?", options: {No support: Keine Unterstützung}}
"""


def bilingual() -> survey_defs.SurveyDefinition:
    return survey_defs.parse_definition(BILINGUAL, key="bilingual", source="bilingual.yaml")


def test_the_languages_are_the_default_first_then_every_translated_one():
    assert bilingual().languages == ["en", "de", "fr"]
    assert survey_defs.load_definition("capability_followup").languages == ["en"]


def test_in_language_gives_the_translated_texts_and_the_default_where_one_is_missing():
    de = bilingual().in_language("de")
    assert de.language == "de"
    assert de.title == "Nachbefragung"
    assert de.description == "A few questions."
    applied, barriers = de.questions
    assert applied.text == "Wie oft haben Sie es angewendet?"
    assert applied.help == "Think of the last 30 days."
    assert applied.scale == {1: "Nie", 2: "Sometimes", 3: "Oft"}
    assert barriers.text == "Was hat Sie gehindert?"
    assert barriers.options == ["No time", "Keine Unterstützung"]
    assert de.translations == {} and applied.translations == {}


def test_a_language_nobody_translated_into_shows_the_default_texts():
    definition = bilingual()
    es = definition.in_language("es")
    assert es.title == "Follow-up"
    assert [q.text for q in es.questions] == [q.text for q in definition.questions]
    assert es.question("barriers").options == ["No time", "No support"]
    assert definition.in_language("en") is definition


def test_the_localised_copy_keeps_keys_points_and_option_order():
    definition = bilingual()
    fr = definition.in_language("fr")
    assert [q.key for q in fr.questions] == ["applied", "barriers"]
    assert fr.title == "Suivi" and fr.description == "Quelques questions."
    assert sorted(fr.question("applied").labels) == [1, 2, 3]
    assert definition.option_label("barriers", "No support", "de") == "Keine Unterstützung"
    assert definition.option_label("barriers", "No time", "de") == "No time"
    assert definition.option_label("barriers", "No support", "en") == "No support"


def test_missing_translations_are_listed_per_language_in_words():
    assert survey_defs.missing_translations(bilingual()) == {
        "de": [
            "Description",
            "Question 1 (applied): help",
            "Question 1 (applied): scale point 2",
            "Question 2 (barriers): option 'No time'",
        ],
        "fr": [
            "Question 1 (applied): text",
            "Question 1 (applied): help",
            "Question 1 (applied): scale point 1",
            "Question 1 (applied): scale point 2",
            "Question 1 (applied): scale point 3",
            "Question 2 (barriers): text",
            "Question 2 (barriers): option 'No time'",
            "Question 2 (barriers): option 'No support'",
        ],
    }
    assert survey_defs.missing_translations(survey_defs.load_definition("program_reaction")) == {}


def test_every_stock_survey_round_trips_through_yaml_unchanged():
    for key in survey_defs.available():
        definition = survey_defs.load_definition(key)
        assert definition.translations == {}
        again = survey_defs.parse_definition(survey_defs.to_yaml(definition), key=key, source=f"{key}.yaml")
        assert again == definition


def test_a_translated_survey_round_trips_and_reads_as_yaml():
    definition = bilingual()
    text = survey_defs.to_yaml(definition)
    assert "key: bilingual" not in text
    assert "  de:\n" in text and "Keine Unterstützung" in text
    assert survey_defs.parse_definition(text, key="bilingual", source="x.yaml") == definition


def test_a_wave_snapshot_keeps_the_translations():
    definition = bilingual()
    assert survey_defs.from_snapshot(definition.snapshot()) == definition


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("scale: {1: Nie, 3: Oft}", "scale: {1: Nie, 4: Toll}"), "scale points the question does not have: [4]"),
        (("{No support: Keine", "{Keine Hilfe: Keine"), "names options the question does not have: Keine Hilfe"),
        (("  fr: {title: Suivi,", "  en: {title: Suivi,"), "translation into en, the default language"),
        (
            ("  de: {title: Nachbefragung}", "  deutsch: {title: Nachbefragung}"),
            "'deutsch' is not a language code",
        ),
        (('de: {text: "Was', 'de: {txt: "Was'), "question 'barriers', field translations.de.txt"),
    ],
)
def test_a_bad_translation_is_refused_with_the_place_named(change, message):
    with pytest.raises(Invalid) as err:
        survey_defs.parse_definition(BILINGUAL.replace(*change), key="bad", source="bad.yaml")
    assert message in str(err.value)
