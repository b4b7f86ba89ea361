"""Running totals of the per-capability answers, kept by the database itself as answers land.

Every evidence page sums the same answers: per wave, question, capability and team the count, Σ and Σ² of the
values (heatmap, trends, change), counts per level (distributions, application), and, per capability and follow-up
team, the baseline → follow-up differences of the people who answered both waves (the paired test). At company
size that is millions of answers, and during a live survey wave the data changes every second, so caching the
results of those sums helps nobody. Instead two small tables hold them, and triggers in the database keep them
exact on every insert, update and delete of an answer, every change of a response's person (erasure) and every
change of a follow-up's baseline — whichever code path writes, in whichever app replica:

- `answer_tally`: per (wave, question, capability, team, value) the number of answers with that value;
- `pair_tally`: per (baseline wave, follow-up wave, question, capability, follow-up team) the count, Σ and Σ² of
  (follow-up − baseline) and the Σ of each side, over responses paired by person.

Team "none" is stored as 0 (a key column cannot be NULL). Only answers to per-capability questions with a value
are counted (text and single-choice answers are not). A tally row is never removed, it can reach zero: readers skip
zero counts. Anonymous pairing by the respondents' own code stays a query (a code given twice in a wave pairs
nobody, so it is not a running total). `rebuild` recomputes both tables from the answers (the migration, a bulk
load with the triggers off, a check).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from ldcore.db import MEMO
from ldcore.models import AnswerTally, PairTally

PAIR_COLUMNS = "baseline_wave_id, followup_wave_id, question_key, capability_id, team_id, n, sd, sdd, spre, spost"
_PAIR_KEY = "baseline_wave_id, followup_wave_id, question_key, capability_id, team_id"
_PAIR_ADD = ", ".join(f"{c} = pair_tally.{c} + excluded.{c}" for c in ("n", "sd", "sdd", "spre", "spost"))
_ANSWER_KEY = "wave_id, question_key, capability_id, team_id, value_num"
_COUNTED = "{a}.capability_id IS NOT NULL AND {a}.value_num IS NOT NULL"


def _pair_values(sign: str, pre: str, post: str) -> str:
    d = f"({post} - {pre})"
    return f"{sign} * count(*), {sign} * sum({d}), {sign} * sum({d} * {d}), {sign} * sum({pre}), {sign} * sum({post})"


def _answer_count(row: str, sign: str) -> str:
    """The answer `row` (NEW or OLD) added to (+1) or taken from (-1) its level's count."""
    return (
        f"INSERT INTO answer_tally ({_ANSWER_KEY}, n) "
        f"SELECT {row}.wave_id, {row}.question_key, {row}.capability_id, coalesce({row}.team_id, 0), "
        f"{row}.value_num, {sign} WHERE {_COUNTED.format(a=row)} "
        f"ON CONFLICT ({_ANSWER_KEY}) DO UPDATE SET n = answer_tally.n + excluded.n"
    )


def _answer_pairs(row: str, sign: str) -> list[str]:
    """The pairs the answer `row` makes, as a follow-up answer and as a baseline answer, added or taken away."""
    as_followup = (
        f"INSERT INTO pair_tally ({PAIR_COLUMNS}) "
        f"SELECT w.baseline_wave_id, r.wave_id, {row}.question_key, {row}.capability_id, coalesce({row}.team_id, 0), "
        f"{_pair_values(sign, 'pa.value_num', f'{row}.value_num')} "
        f"FROM response r JOIN survey_wave w ON w.id = r.wave_id "
        f"JOIN response pr ON pr.wave_id = w.baseline_wave_id AND pr.person_id = r.person_id "
        f"JOIN answer pa ON pa.response_id = pr.id AND pa.question_key = {row}.question_key "
        f"AND pa.capability_id = {row}.capability_id AND pa.value_num IS NOT NULL "
        f"WHERE r.id = {row}.response_id AND {_COUNTED.format(a=row)} "
        f"GROUP BY w.baseline_wave_id, r.wave_id "
        f"ON CONFLICT ({_PAIR_KEY}) DO UPDATE SET {_PAIR_ADD}"
    )
    as_baseline = (
        f"INSERT INTO pair_tally ({PAIR_COLUMNS}) "
        f"SELECT r.wave_id, fw.id, {row}.question_key, {row}.capability_id, coalesce(fa.team_id, 0), "
        f"{_pair_values(sign, f'{row}.value_num', 'fa.value_num')} "
        f"FROM response r JOIN survey_wave fw ON fw.baseline_wave_id = r.wave_id "
        f"JOIN response fr ON fr.wave_id = fw.id AND fr.person_id = r.person_id "
        f"JOIN answer fa ON fa.response_id = fr.id AND fa.question_key = {row}.question_key "
        f"AND fa.capability_id = {row}.capability_id AND fa.value_num IS NOT NULL "
        f"WHERE r.id = {row}.response_id AND {_COUNTED.format(a=row)} "
        f"GROUP BY r.wave_id, fw.id, coalesce(fa.team_id, 0) "
        f"ON CONFLICT ({_PAIR_KEY}) DO UPDATE SET {_PAIR_ADD}"
    )
    return [as_followup, as_baseline]


def _response_pairs(row: str, person: str, sign: str) -> list[str]:
    """The pairs all answers of the response `row` make when it belongs to `person`, added or taken away."""
    as_followup = (
        f"INSERT INTO pair_tally ({PAIR_COLUMNS}) "
        f"SELECT w.baseline_wave_id, w.id, a.question_key, a.capability_id, coalesce(a.team_id, 0), "
        f"{_pair_values(sign, 'pa.value_num', 'a.value_num')} "
        f"FROM answer a JOIN survey_wave w ON w.id = {row}.wave_id "
        f"JOIN response pr ON pr.wave_id = w.baseline_wave_id AND pr.person_id = {person} "
        f"JOIN answer pa ON pa.response_id = pr.id AND pa.question_key = a.question_key "
        f"AND pa.capability_id = a.capability_id AND pa.value_num IS NOT NULL "
        f"WHERE a.response_id = {row}.id AND {_COUNTED.format(a='a')} "
        f"GROUP BY w.baseline_wave_id, w.id, a.question_key, a.capability_id, coalesce(a.team_id, 0) "
        f"ON CONFLICT ({_PAIR_KEY}) DO UPDATE SET {_PAIR_ADD}"
    )
    as_baseline = (
        f"INSERT INTO pair_tally ({PAIR_COLUMNS}) "
        f"SELECT {row}.wave_id, fw.id, a.question_key, a.capability_id, coalesce(fa.team_id, 0), "
        f"{_pair_values(sign, 'a.value_num', 'fa.value_num')} "
        f"FROM answer a JOIN survey_wave fw ON fw.baseline_wave_id = {row}.wave_id "
        f"JOIN response fr ON fr.wave_id = fw.id AND fr.person_id = {person} "
        f"JOIN answer fa ON fa.response_id = fr.id AND fa.question_key = a.question_key "
        f"AND fa.capability_id = a.capability_id AND fa.value_num IS NOT NULL "
        f"WHERE a.response_id = {row}.id AND {_COUNTED.format(a='a')} "
        f"GROUP BY fw.id, a.question_key, a.capability_id, coalesce(fa.team_id, 0) "
        f"ON CONFLICT ({_PAIR_KEY}) DO UPDATE SET {_PAIR_ADD}"
    )
    return [as_followup, as_baseline]


def _all_pairs(where: str) -> str:
    return (
        f"INSERT INTO pair_tally ({PAIR_COLUMNS}) "
        f"SELECT w.baseline_wave_id, w.id, a.question_key, a.capability_id, coalesce(a.team_id, 0), "
        f"{_pair_values('1', 'pa.value_num', 'a.value_num')} "
        f"FROM survey_wave w JOIN response r ON r.wave_id = w.id "
        f"JOIN response pr ON pr.wave_id = w.baseline_wave_id AND pr.person_id = r.person_id "
        f"JOIN answer a ON a.response_id = r.id "
        f"JOIN answer pa ON pa.response_id = pr.id AND pa.question_key = a.question_key "
        f"AND pa.capability_id = a.capability_id AND pa.value_num IS NOT NULL "
        f"WHERE {where} AND {_COUNTED.format(a='a')} "
        f"GROUP BY w.baseline_wave_id, w.id, a.question_key, a.capability_id, coalesce(a.team_id, 0)"
    )


def _relink(row: str) -> list[str]:
    """A follow-up's baseline changed: its pairs are counted again."""
    return [f"DELETE FROM pair_tally WHERE followup_wave_id = {row}.id", _all_pairs(f"w.id = {row}.id")]


TRIGGERS = (
    "answer_tally_insert", "answer_tally_delete", "answer_tally_update",
    "response_tally_delete", "response_tally_update", "wave_tally_relink",
)  # fmt: skip
_PERSON_MOVED = "OLD.person_id IS NOT NEW.person_id OR OLD.wave_id IS NOT NEW.wave_id"
_RELINKED = "OLD.baseline_wave_id IS NOT NEW.baseline_wave_id"


def _both(row: str, sign: str) -> list[str]:
    return [_answer_count(row, sign), *_answer_pairs(row, sign)]


def _moved(row: str, sign: str) -> list[str]:
    return _response_pairs(row, f"{row}.person_id", sign)


def _sqlite_triggers() -> list[str]:
    def trigger(name: str, when: str, statements: list[str], condition: str = "") -> str:
        # CROSS JOIN: SQLite joins in the order written (from the row that changed, through the indexes)
        body = "".join(f"{s.replace(' JOIN ', ' CROSS JOIN ')};\n" for s in statements)
        return f"CREATE TRIGGER {name} {when} FOR EACH ROW {condition} BEGIN\n{body}END"

    return [
        trigger("answer_tally_insert", "AFTER INSERT ON answer", _both("NEW", "1")),
        trigger("answer_tally_delete", "AFTER DELETE ON answer", _both("OLD", "-1")),
        trigger("answer_tally_update", "AFTER UPDATE ON answer", [*_both("OLD", "-1"), *_both("NEW", "1")]),
        trigger("response_tally_delete", "BEFORE DELETE ON response", _moved("OLD", "-1")),
        trigger(
            "response_tally_update",
            "AFTER UPDATE ON response",
            [*_moved("OLD", "-1"), *_moved("NEW", "1")],
            f"WHEN {_PERSON_MOVED}",
        ),
        trigger("wave_tally_relink", "AFTER UPDATE ON survey_wave", _relink("NEW"), f"WHEN {_RELINKED}"),
    ]


def _postgres_triggers() -> list[str]:
    """Row-level BEFORE triggers on answers and responses: each sees the rows its statement changed before it, as
    SQLite's triggers do. (AFTER row triggers all run once the whole statement is done: a baseline and a follow-up
    answer inserted by one statement would each count their pair.)"""

    def function(name: str, body: str, returns: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}"
            f"RETURN {returns};\nEND $$"
        )

    def when(condition: str, statements: list[str]) -> str:
        body = "".join(f"  {s};\n" for s in statements)
        return f"IF {condition.replace('IS NOT', 'IS DISTINCT FROM')} THEN\n{body}END IF;\n"

    def trigger(name: str, when: str, table: str) -> str:
        return f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"

    return [
        function(
            "answer_tally",
            when("TG_OP IN ('DELETE', 'UPDATE')", _both("OLD", "-1"))
            + when("TG_OP IN ('INSERT', 'UPDATE')", _both("NEW", "1"))
            + "IF TG_OP = 'DELETE' THEN\n  RETURN OLD;\nEND IF;\n",
            "NEW",
        ),
        trigger("answer_tally", "BEFORE INSERT OR UPDATE OR DELETE", "answer"),
        function("response_tally_delete", when("true", _moved("OLD", "-1")), "OLD"),
        trigger("response_tally_delete", "BEFORE DELETE", "response"),
        function("response_tally_update", when(_PERSON_MOVED, [*_moved("OLD", "-1"), *_moved("NEW", "1")]), "NEW"),
        trigger("response_tally_update", "BEFORE UPDATE", "response"),
        function("wave_tally_relink", when(_RELINKED, _relink("NEW")), "NULL"),
        trigger("wave_tally_relink", "AFTER UPDATE", "survey_wave"),
    ]


def create_triggers(conn: Connection) -> None:
    for statement in _sqlite_triggers() if conn.dialect.name == "sqlite" else _postgres_triggers():
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection) -> None:
    sqlite = conn.dialect.name == "sqlite"
    tables = {
        "answer_tally": "answer",
        "response_tally_delete": "response",
        "response_tally_update": "response",
        "wave_tally_relink": "survey_wave",
    }
    for name in TRIGGERS if sqlite else tables:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {tables[name]}"))
    if not sqlite:
        for name in tables:
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


def rebuild(conn: Connection) -> None:
    """Both tables recomputed from the answers (inside the caller's transaction)."""
    conn.execute(text("DELETE FROM answer_tally"))
    conn.execute(text("DELETE FROM pair_tally"))
    conn.execute(
        text(
            f"INSERT INTO answer_tally ({_ANSWER_KEY}, n) "
            f"SELECT wave_id, question_key, capability_id, coalesce(team_id, 0), value_num, count(*) FROM answer a "
            f"WHERE {_COUNTED.format(a='a')} "
            f"GROUP BY wave_id, question_key, capability_id, coalesce(team_id, 0), value_num"
        )
    )
    pairs = _all_pairs("w.baseline_wave_id IS NOT NULL")
    conn.execute(text(pairs.replace(" JOIN ", " CROSS JOIN ") if conn.dialect.name == "sqlite" else pairs))


# --- reading ------------------------------------------------------------------------------------------------------

Sums = tuple[int, int | None, int, float, float]  # capability id, team id (None: no team), n, Σ, Σ²


def _team(team_id: int) -> int | None:
    return team_id or None


def wave_sums(session: Session, wave_ids: Sequence[int], question: str) -> list[tuple[int, Sums]]:
    """Per wave, capability and team: count, Σ and Σ² of the answers to `question`. A read session remembers
    each wave's sums (a report asks for the same waves from its heatmap, change and trends)."""
    memo: dict[tuple[int, str], list[Sums]] = session.info.get(MEMO, {}).setdefault("wave_sums", {})
    ids = list(dict.fromkeys(wave_ids))
    missing = [w for w in ids if (w, question) not in memo]
    if missing:
        memo.update({(w, question): [] for w in missing})
        t = AnswerTally
        rows = session.execute(
            select(t.wave_id, t.capability_id, t.team_id, func.sum(t.n), func.sum(t.n * t.value_num),
                   func.sum(t.n * t.value_num * t.value_num))
            .where(t.wave_id.in_(missing), t.question_key == question)
            .group_by(t.wave_id, t.capability_id, t.team_id)
            .having(func.sum(t.n) > 0)
        )  # fmt: skip
        for w, c, team, n, s, sq in rows:
            memo[(w, question)].append((c, _team(team), int(n), float(s), float(sq)))
    return [(w, sums) for w in ids for sums in memo[(w, question)]]


def levels(
    session: Session, wave_id: int, question: str, *, team_id: int | None = None, capability_id: int | None = None
) -> list[tuple[int | None, int, float, int]]:
    """(team id, capability id, value, count) of the answers to `question`, for one team or one capability."""
    t = AnswerTally
    query = select(t.team_id, t.capability_id, t.value_num, t.n).where(
        t.wave_id == wave_id, t.question_key == question, t.n > 0
    )
    if team_id is not None:
        query = query.where(t.team_id == team_id)
    if capability_id is not None:
        query = query.where(t.capability_id == capability_id)
    return [(_team(team), c, float(v), int(n)) for team, c, v, n in session.execute(query)]


def pair_sums(
    session: Session, baseline_id: int, followup_id: int, question: str
) -> list[tuple[int, int | None, int, float, float, float, float]]:
    """Per capability and follow-up team, over the people who answered both waves: count, Σ and Σ² of the
    differences, Σ of the baseline and of the follow-up answers."""
    t = PairTally
    rows = session.execute(
        select(t.capability_id, t.team_id, t.n, t.sd, t.sdd, t.spre, t.spost).where(
            t.baseline_wave_id == baseline_id, t.followup_wave_id == followup_id, t.question_key == question, t.n > 0
        )
    )
    return [(c, _team(team), int(n), sd, sdd, a, b) for c, team, n, sd, sdd, a, b in rows]
