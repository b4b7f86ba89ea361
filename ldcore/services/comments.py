"""What people wrote: free-text answers per wave and question, their recurring terms, and the barriers to applying
what a program taught.

Privacy, the same rule as every aggregate: a team's comments are shown only when at least the wave's minimum group
of that team's respondents answered the question (within the filter chosen); smaller teams' comments are left out
and only counted as hidden teams. No identity is ever returned (no person, no submission time, no response id) and
comments come sorted by their text, not in the order they arrived. Recurring terms are counted over the comments
shown only, and a term must occur in at least two comments (a word one person used is theirs, not a theme).

Terms and two-word phrases come from scikit-learn's CountVectorizer with the stop words of the survey's language
(the definition's `language`, default English; scikit-learn ships English stop words only, so other languages are
counted without removing stop words, and the result says so).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sklearn.feature_extraction.text import CountVectorizer
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, aliased

from ldcore.errors import NotFound
from ldcore.models import Answer, Capability, Initiative, Plan, SurveyWave, Team
from ldcore.services import impact, plans
from ldcore.services.evidence import PROFICIENCY

STOP_WORDS = {"en": "english"}
LOW_FROM_LEVEL = 2  # "rate themselves Basic or below" in a capability
TOP_TERMS = 25
BARRIERS = "barriers"


@dataclass(frozen=True)
class TextQuestion:
    key: str
    text: str


@dataclass(frozen=True)
class Comment:
    team: str  # team name
    text: str


@dataclass(frozen=True)
class Comments:
    wave: str
    question: str
    min_group: int
    comments: list[Comment]
    hidden_teams: int  # teams with comments but fewer respondents than the minimum group


@dataclass(frozen=True)
class Term:
    term: str
    count: int  # occurrences over the comments shown
    comments: int  # comments it occurs in


@dataclass(frozen=True)
class Terms:
    language: str
    stop_words_removed: bool
    terms: list[Term]


@dataclass(frozen=True)
class BarrierCount:
    barrier: str
    count: int


@dataclass(frozen=True)
class ProgramBarriers:
    initiative: str
    name: str
    wave: str | None
    respondents: int | None  # None: below the minimum group
    barriers: list[BarrierCount]  # most named first; empty when hidden or unasked


def _wave(session: Session, plan_key: str, wave_key: str) -> SurveyWave:
    wave = session.scalar(
        select(SurveyWave)
        .join(Plan, Plan.id == SurveyWave.plan_id)
        .where(Plan.key == plan_key, SurveyWave.key == wave_key)
    )
    if wave is None:
        raise NotFound(f"No survey wave {wave_key!r} in plan {plan_key!r}.")
    return wave


def text_questions(wave: SurveyWave) -> list[TextQuestion]:
    return [TextQuestion(key=q["key"], text=q["text"]) for q in wave.questions if q.get("type") == "text"]


def text_questions_of(session: Session, *, plan_key: str, wave_key: str) -> list[TextQuestion]:
    return text_questions(_wave(session, plan_key, wave_key))


def waves_with_text(session: Session, *, plan_key: str) -> list[tuple[str, str]]:
    """(key, title) of the plan's waves that ask at least one free-text question, newest first."""
    waves = session.scalars(
        select(SurveyWave).join(Plan, Plan.id == SurveyWave.plan_id).where(Plan.key == plan_key)
    ).all()
    newest = sorted(waves, key=SurveyWave.newest_first, reverse=True)
    return [(w.key, w.title or w.key) for w in newest if text_questions(w)]


def filter_choices(session: Session, *, plan_key: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(key, name) of the teams and of the capabilities a comment list can be narrowed to."""
    plan = plans.get_plan(session, key=plan_key)
    teams = session.scalars(select(Team).order_by(Team.name)).all()
    caps = session.scalars(select(Capability).where(Capability.plan_id == plan.id).order_by(Capability.position))
    return [(t.key, t.name) for t in teams], [(c.key, c.name) for c in caps]


def free_text(
    session: Session,
    *,
    plan_key: str,
    wave_key: str,
    question_key: str,
    team_key: str | None = None,
    low_in_capability: str | None = None,
) -> Comments:
    """The comments of one question of one wave, for one team or all, optionally only from respondents rating
    themselves Basic or below in a capability; teams below the minimum group are left out."""
    wave = _wave(session, plan_key, wave_key)
    if question_key not in {q.key for q in text_questions(wave)}:
        raise NotFound(f"Survey wave {wave_key!r} has no free-text question {question_key!r}.")
    written = (
        Answer.wave_id == wave.id,
        Answer.question_key == question_key,
        Answer.value_text.is_not(None),
        Answer.value_text != "",
        Answer.team_id.is_not(None),
    )
    filters = list(written)
    if team_key is not None:
        team = session.scalar(select(Team).where(Team.key == team_key))
        if team is None:
            raise NotFound(f"No team with key {team_key!r}.")
        filters.append(Answer.team_id == team.id)
    if low_in_capability is not None:
        cap = session.scalar(
            select(Capability).where(Capability.plan_id == wave.plan_id, Capability.key == low_in_capability)
        )
        if cap is None:
            raise NotFound(f"No capability {low_in_capability!r} in plan {plan_key!r}.")
        rating = aliased(Answer)
        low = select(rating.response_id).where(
            rating.wave_id == wave.id,
            rating.question_key == PROFICIENCY,
            rating.capability_id == cap.id,
            rating.value_num <= LOW_FROM_LEVEL,
        )
        filters.append(Answer.response_id.in_(low))
    counts = session.execute(
        select(Answer.team_id, func.count(distinct(Answer.response_id))).where(*filters).group_by(Answer.team_id)
    ).all()
    shown = [team_id for team_id, n in counts if n >= wave.min_group]
    rows = session.execute(
        select(Team.name, Answer.value_text)
        .join(Team, Team.id == Answer.team_id)
        .where(*filters, Answer.team_id.in_(shown))
        .order_by(Answer.value_text, Team.name)
    ).all()
    return Comments(
        wave=wave.key,
        question=question_key,
        min_group=wave.min_group,
        comments=[Comment(team=name, text=text or "") for name, text in rows],
        hidden_teams=len(counts) - len(shown),
    )


def recurring_terms(texts: list[str], *, language: str = "en", top: int = TOP_TERMS) -> Terms:
    """Terms and two-word phrases by how often they occur, each in at least two of the texts."""
    stop_words = STOP_WORDS.get(language)
    empty = Terms(language=language, stop_words_removed=stop_words is not None, terms=[])
    if len(texts) < 2:
        return empty
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words=stop_words, min_df=2)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left once stop words and one-off terms are gone
        return empty
    occurrences = matrix.sum(axis=0).A1
    documents = (matrix > 0).sum(axis=0).A1
    names = vectorizer.get_feature_names_out()
    ranked = sorted(range(len(names)), key=lambda i: (-occurrences[i], names[i]))[:top]
    return Terms(
        language=language,
        stop_words_removed=stop_words is not None,
        terms=[Term(term=str(names[i]), count=int(occurrences[i]), comments=int(documents[i])) for i in ranked],
    )


def wave_language(session: Session, *, plan_key: str, wave_key: str) -> str:
    return (_wave(session, plan_key, wave_key).definition or {}).get("language", "en")


def program_barriers(session: Session, *, plan_key: str) -> list[ProgramBarriers]:
    """Per program: how often each barrier was named by its audience in the latest follow-up asking about
    barriers, only when at least the minimum group of the audience answered."""
    plan = plans.get_plan(session, key=plan_key)
    out = []
    initiatives = session.scalars(select(Initiative).where(Initiative.plan_id == plan.id).order_by(Initiative.position))
    for initiative in initiatives:
        waves = impact._followup_waves(session, plan, initiative, BARRIERS)
        audience = [link.team_id for link in initiative.team_links if link.role == "audience"]
        if not waves or not audience:
            out.append(ProgramBarriers(initiative.key, initiative.name, None, None, []))
            continue
        wave = waves[0]
        asked = (Answer.wave_id == wave.id, Answer.question_key == BARRIERS, Answer.team_id.in_(audience))
        respondents = session.scalar(select(func.count(distinct(Answer.response_id))).where(*asked)) or 0
        if respondents < wave.min_group:
            out.append(ProgramBarriers(initiative.key, initiative.name, wave.key, None, []))
            continue
        counts = Counter(
            dict(
                session.execute(select(Answer.value_text, func.count()).where(*asked).group_by(Answer.value_text)).all()
            )
        )
        out.append(
            ProgramBarriers(
                initiative.key,
                initiative.name,
                wave.key,
                respondents,
                [
                    BarrierCount(barrier=b or "", count=n)
                    for b, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))
                ],
            )
        )
    return out
