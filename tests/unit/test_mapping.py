"""Cells and headers of other tools' exports: timestamps per tool (with zones, day or month first decided by the
column), grid headers of every tool, columns mapped by export tag, and "no answer" codes."""

from __future__ import annotations

import datetime as dt

import pytest

from ldcore.io.mapping import Matcher, Target, UnknownValue, convert
from ldcore.io.tables import Column
from ldcore.io.times import TimeColumnError, date_order, parse_time
from ldcore.survey_defs import NOT_APPLICABLE, SurveyDefinition

SURVEY = SurveyDefinition.model_validate(
    {
        "key": "s",
        "title": "S",
        "questions": [
            {"key": "proficiency", "type": "capability_rating", "text": "Rate your current proficiency", "level": 2},
            {
                "key": "applied",
                "type": "likert",
                "per_capability": True,
                "text": "How often did you apply it",
                "level": 3,
                "scale": {1: "Never", 2: "Sometimes", 3: "Often"},
            },  # fmt: skip
            {"key": "band", "type": "single_choice", "text": "Band", "level": 1, "options": ["N/A", "-19"]},
        ],
    }
)
CAPS = [("neg", "Negotiation"), ("coach", "Coaching")]


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026/03/03 11:34:20 am CET", None, dt.datetime(2026, 3, 3, 10, 34, 20)),  # Google Forms' own download
        ("2026/03/03 1:04:05 pm GMT+2", None, dt.datetime(2026, 3, 3, 11, 4, 5)),
        ("24/04/2025 10:09:22", "dayfirst", dt.datetime(2025, 4, 24, 10, 9, 22)),  # Google Sheets, most locales
        ("9/1/2024 11:27", "monthfirst", dt.datetime(2024, 9, 1, 11, 27)),  # Microsoft Forms (US)
        ("9/1/2024 11:27", "dayfirst", dt.datetime(2024, 1, 9, 11, 27)),
        ("4/24/2025 10:09:22 PM", "monthfirst", dt.datetime(2025, 4, 24, 22, 9, 22)),
        ("24.04.2025 10:09", None, dt.datetime(2025, 4, 24, 10, 9)),
        ("2025-04-24T10:09:22+02:00", None, dt.datetime(2025, 4, 24, 8, 9, 22)),
        ("2025-04-24 10:09:22", None, dt.datetime(2025, 4, 24, 10, 9, 22)),
    ],
)
def test_each_tools_timestamp_reads_as_the_time_it_names(text, order, expected):
    assert parse_time(text, order) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("yesterday", "not a date and time"), ("3/3/2026 10:00 XYZ", "unknown time zone"), ("31/02/2026", "not a valid")],
)
def test_a_value_that_is_no_time_says_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time(text, "dayfirst")


def test_the_whole_column_decides_day_or_month_first():
    assert date_order(["3/4/2025 10:00", "24/04/2025 10:09:22"]) == "dayfirst"
    assert date_order(["3/4/2025 10:00", "4/24/2025 10:09:22"]) == "monthfirst"
    assert date_order(["1/1/2025", "2026/03/03 11:34:20 am CET", "2025-04-24"]) is None
    with pytest.raises(TimeColumnError) as caught:
        date_order(["3/4/2025 10:00", "5/6/2025 10:00"])
    assert caught.value.example == "3/4/2025 10:00"
    with pytest.raises(TimeColumnError, match="mixes"):
        date_order(["24/04/2025", "4/24/2025"])


@pytest.mark.parametrize(
    "header",
    [
        "Rate your current proficiency [Negotiation]",  # Google Forms
        "Rate your current proficiency - Negotiation",  # Qualtrics, Microsoft Forms
        "Rate your current proficiency.Negotiation",  # Microsoft Forms
        "proficiency[neg]",  # LD Align
    ],
)
def test_every_tools_grid_header_maps_to_the_capability(header):
    assert Matcher(SURVEY, CAPS).target(header) == Target(SURVEY.questions[0], capability="neg")


def test_columns_with_the_same_text_map_by_export_tag_when_told():
    columns = [
        Column(
            0, "Q3_1: How often did you apply it - Negotiation", ["Q3_1", "How often did you apply it - Negotiation"]
        ),
        Column(
            1, "Q4_1: How often did you apply it - Negotiation", ["Q4_1", "How often did you apply it - Negotiation"]
        ),
    ]
    mapped, _ = Matcher(SURVEY, CAPS, {"q4_1": "proficiency[neg]"}).map_columns(columns)
    assert mapped == {
        0: Target(SURVEY.questions[1], capability="neg"),
        1: Target(SURVEY.questions[0], capability="neg"),
    }
    mapped, _ = Matcher(SURVEY, CAPS, {"Q4_1": ""}).map_columns(columns)
    assert list(mapped) == [0]
    with pytest.raises(ValueError, match="no question of this wave"):
        Matcher(SURVEY, CAPS, {"Q4_1": "mood"}).map_columns(columns)
    with pytest.raises(ValueError, match="no column Q9_9"):
        Matcher(SURVEY, CAPS, {"Q9_9": "proficiency[neg]"}).map_columns(columns)


def test_declared_codes_mean_no_answer_and_other_values_are_unknown():
    rating, applied, band = (Target(SURVEY.questions[0], "neg"), Target(SURVEY.questions[1], "neg"),
                             Target(SURVEY.questions[2]))  # fmt: skip
    codes = frozenset({"-99", "unfamiliar (n/a)", "0"})
    assert convert("-99", rating, codes) == NOT_APPLICABLE
    assert convert("Unfamiliar (N/A)", applied, codes) is None
    assert convert("0", applied, codes) is None
    assert convert("N/A", band, codes) == "N/A"  # an option wins over the "not applicable" words
    assert convert("-19", band, codes) == "-19"
    for text, target in (("-99", rating), ("0", applied), ("Rarely", applied), ("+20", band)):
        with pytest.raises(UnknownValue):
            convert(text, target)
