"""Property: whatever a client sends that does not fit the wave, nothing is stored and the link still works."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldcore.db import unit_of_work
from ldcore.errors import Invalid
from ldcore.services import responses
from tests.services.test_responses import FOLLOWUP, counts
from tests.support.surveys import build, invite, make_wave, token_of

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _bad_value(question: str):
    """A value of the wrong type or out of range for `question` (never a blank, which means unanswered)."""
    per_row = st.one_of(
        st.integers().filter(lambda v: v not in range(1, 6)),
        st.booleans(),
        st.floats(),
        st.text(min_size=1).filter(lambda s: s.strip() and s != "Not applicable"),
    )
    return {
        "proficiency": st.one_of(
            st.dictionaries(st.sampled_from(["neg", "coach", "excel"]), per_row, min_size=1, max_size=3),
            st.dictionaries(
                st.text(min_size=1).filter(lambda s: s not in ("neg", "coach", "excel")),
                st.integers(1, 5),
                min_size=1,
                max_size=2,
            ),
            st.text(min_size=1).filter(str.strip),
            st.integers(),
        ),
        "confidence": st.one_of(
            st.integers().filter(lambda v: v not in range(1, 6)),
            st.floats(),
            st.booleans(),
            st.text(min_size=1).filter(str.strip),
        ),
        "barriers": st.one_of(
            st.lists(st.text(min_size=1).filter(lambda s: s.strip() and s != "No time"), min_size=1, max_size=3),
            st.just(["No time", "No time"]),
            st.integers(),
        ),
        "attribution_pct": st.one_of(
            st.floats(min_value=100.0001, allow_infinity=True),
            st.floats(max_value=-0.0001, allow_infinity=True),
            st.just(float("nan")),
            st.text(min_size=1).filter(str.strip),
            st.booleans(),
        ),
        "comments": st.one_of(
            st.integers(), st.lists(st.text(), min_size=1), st.integers(1, 50).map(lambda n: "x" * (10_000 + n))
        ),
    }[question]


@st.composite
def bad_payloads(draw):
    kind = draw(st.sampled_from(["value", "unknown_key", "not_a_dict"]))
    if kind == "not_a_dict":
        return draw(st.one_of(st.lists(junk, min_size=1), st.text(min_size=1), st.integers(), st.booleans()))
    payload = dict(FOLLOWUP)
    if kind == "unknown_key":
        key = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in FOLLOWUP and k.strip()))
        # not blank: a blank answer (None, "", whitespace such as "\x85", [] or {}) means "unanswered" and is dropped
        payload[key] = draw(junk.filter(lambda v: not responses._blank(v)))
        return payload
    question = draw(st.sampled_from(["proficiency", "confidence", "barriers", "attribution_pct", "comments"]))
    payload[question] = draw(_bad_value(question))
    return payload


@pytest.fixture
def wave_link(engine):
    build(engine, {"alpha": 1})
    make_wave(engine, "follow", "capability_followup", kind="followup")
    return engine, token_of(invite(engine, "follow")[0])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=bad_payloads())
def test_random_bad_payloads_never_store_anything(wave_link, payload):
    engine, token = wave_link
    with pytest.raises(Invalid), unit_of_work(engine) as session:
        responses.submit_response(session, token=token, answers=payload)
    assert counts(engine) == (0, 0, 0)


def test_after_bad_payloads_the_same_link_still_takes_a_good_answer(wave_link):
    engine, token = wave_link
    with pytest.raises(Invalid), unit_of_work(engine) as session:
        responses.submit_response(session, token=token, answers={"confidence": 9})
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token, answers=FOLLOWUP)
    assert counts(engine) == (1, 9, 1)
