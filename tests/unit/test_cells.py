"""Cells turned into answers and headers turned into columns, without a database: numbers, scales, choices, the
export format a table comes from, and the role of each column."""

from __future__ import annotations

import pytest

from ldcore.errors import Invalid
from ldcore.io.mapping import Matcher, Target, UnknownValue, convert
from ldcore.io.tables import detect, read_table
from ldcore.survey_defs import SurveyDefinition

SURVEY = SurveyDefinition.model_validate(
    {
        "key": "s",
        "title": "S",
        "questions": [
            {"key": "proficiency", "type": "capability_rating", "text": "Rate your current proficiency", "level": 2},
            {"key": "hours", "type": "number", "text": "Hours of practice", "level": 3},
            {"key": "share", "type": "percent", "text": "Share of the work you apply it to", "level": 3},
            {"key": "nps", "type": "nps", "text": "Would you recommend the program", "level": 1},
            {"key": "format", "type": "single_choice", "text": "Format", "level": 1, "options": ["Online", "Room"]},
            {
                "key": "barriers",
                "type": "multi_choice",
                "text": "What got in the way",
                "level": 3,
                "options": ["No time", "Little support, from my manager", "Not relevant"],
            },
            {"key": "comments", "type": "text", "text": "Anything else", "level": 1},
        ],
    }
)
Q = {q.key: Target(q) for q in SURVEY.questions}


@pytest.mark.parametrize(("text", "value"), [("12", 12.0), ("3,5", 3.5), (" 40 % ", 40.0), ("-2.25", -2.25)])
def test_numbers_take_a_decimal_comma_and_a_percent_sign(text, value):
    assert convert(text, Q["hours"]) == value


@pytest.mark.parametrize("text", ["twelve", "1,000.5", "nan", "inf"])
def test_what_is_no_finite_number_is_refused_naming_the_text(text):
    with pytest.raises(ValueError, match=f"{text!r} is not a number"):
        convert(text, Q["share"])


@pytest.mark.parametrize(("text", "point"), [("3", 3), ("Advanced", 4), ("2 - Basic", 2), ("5. expert", 5)])
def test_a_rating_reads_as_its_point_from_the_number_the_label_or_both(text, point):
    assert convert(text, Target(SURVEY.questions[0], capability="neg")) == point


def test_a_rating_whose_label_contradicts_its_number_is_not_on_the_scale():
    with pytest.raises(UnknownValue, match=r"'2 - Expert' is not on the scale \(1 Awareness, 2 Basic"):
        convert("2 - Expert", Target(SURVEY.questions[0], capability="neg"))


def test_an_nps_answer_is_its_number_whatever_text_follows_it():
    assert convert("9 - very likely", Q["nps"]) == 9
    with pytest.raises(UnknownValue):
        convert("11", Q["nps"])


def test_one_choice_matches_its_option_ignoring_case_or_by_its_position():
    assert convert("  room ", Q["format"]) == "Room"
    assert convert("1", Q["format"]) == "Online"
    with pytest.raises(UnknownValue, match=r"'3' is not one of the options \(Online; Room\)"):
        convert("3", Q["format"])


def test_several_choices_split_on_semicolons_or_commas_but_keep_an_option_that_holds_a_comma():
    assert convert("Not relevant; No time", Q["barriers"]) == ["No time", "Not relevant"]
    assert convert("little support, from my manager, No time", Q["barriers"]) == [
        "No time",
        "Little support, from my manager",
    ]
    assert convert("3", Q["barriers"]) == ["Not relevant"]
    with pytest.raises(UnknownValue, match="'weather' is not one of the options"):
        convert("No time; weather", Q["barriers"])


def test_text_stays_as_written_and_a_spread_multi_choice_column_is_its_option():
    assert convert("  <b>as written</b> ", Q["comments"]) == "  <b>as written</b> "
    spread = Matcher(SURVEY, []).target("What got in the way [No time]")
    assert spread == Target(SURVEY.questions[5], option="No time")
    assert convert("anything at all", spread) == ["No time"]


def test_a_question_maps_by_key_text_or_a_long_enough_beginning_cut_with_dots():
    matcher = Matcher(SURVEY, [])
    assert matcher.target("HOURS") == Q["hours"]
    assert matcher.target("  hours of   practice ") == Q["hours"]
    assert matcher.target("Would you recommend...") == Q["nps"]
    assert matcher.target("Would you...") is None  # too short a beginning to be sure
    assert matcher.target("Favourite colour") is None


@pytest.mark.parametrize(
    ("rows", "fmt"),
    [
        ([["ResponseId", "StartDate", "Q1"], ["Response ID", "Start Date", "Rate"]], "qualtrics"),
        ([["V1", "V2"], ["ResponseID", "ResponseSet"]], "qualtrics"),
        ([["ID", "Start time", "Completion time", "Email"]], "msforms"),
        ([["Respondent ID", "Q1"], ["", "Response"]], "surveymonkey"),
        ([["Timestamp", "Rate your current proficiency [Negotiation]"]], "google"),
        ([["email", "team", "proficiency[neg]"]], "native"),
    ],
)
def test_each_tools_export_is_told_apart_by_its_headers(rows, fmt):
    assert detect(list(enumerate(rows, start=1))) == fmt


def test_a_native_table_gives_each_identifying_column_its_role_and_the_rest_are_data():
    table = read_table(b"Email,Team,Start Date,proficiency[neg],id\na@x.org,Sales,2027-01-01,3,r1\n")
    assert (table.format, table.header_lines) == ("native", 1)
    assert [(c.header, c.role) for c in table.columns] == [
        ("Email", "email"),
        ("Team", "team"),
        ("Start Date", "meta"),
        ("proficiency[neg]", "data"),
        ("id", "id"),
    ]
    assert table.rows == [(2, ["a@x.org", "Sales", "2027-01-01", "3", "r1"])]
    assert table.external_ids() == ["id:r1"]


def test_a_qualtrics_table_labels_each_column_with_its_tag_and_text_and_skips_the_import_ids():
    data = (
        b"ResponseId,StartDate,Q1_1\n"
        b"Response ID,Start Date,Rate your current proficiency - Negotiation\n"
        b'"{""ImportId"":""_recordId""}","{""ImportId"":""startDate""}","{""ImportId"":""QID1_1""}"\n'
        b"R_1,2027-01-01,4\n"
    )
    table = read_table(data)
    assert (table.format, table.header_lines) == ("qualtrics", 3)
    assert table.columns[2].labels == ["Q1_1", "Rate your current proficiency - Negotiation"]
    assert [c.role for c in table.columns] == ["id", "meta", "data"]
    assert table.rows == [(4, ["R_1", "2027-01-01", "4"])]


def test_a_surveymonkey_table_joins_each_sub_header_to_its_question():
    data = (
        b"Respondent ID,What got in the way,,Anything else\n,No time,Not relevant,Open-Ended Response\n1,No time,,ok\n"
    )
    table = read_table(data)
    assert table.format == "surveymonkey"
    assert [c.header for c in table.columns] == [
        "Respondent ID",
        "What got in the way [No time]",
        "What got in the way [Not relevant]",
        "Anything else",
    ]


def test_rows_without_an_id_get_ids_from_their_content_so_a_second_import_matches_the_first():
    table = read_table(b"team,comments\nSales,same\nSales,same\nOps,other\n")
    ids = table.external_ids()
    assert ids[0] != ids[1] and ids[0].rsplit(":", 1)[0] == ids[1].rsplit(":", 1)[0]
    assert read_table(b"team,comments\nSales,same\nSales,same\nOps,other\n").external_ids() == ids


def test_an_unknown_format_and_an_empty_file_are_refused_plainly():
    with pytest.raises(Invalid, match="Unknown format 'excel'; choose one of auto, "):
        read_table(b"a,b\n", format="excel")
    with pytest.raises(Invalid, match=r"The file is empty \(line 1\)"):
        read_table(b"")
