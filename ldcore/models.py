"""The tables: the whole domain of DESIGN.md as typed SQLAlchemy 2 models.

Vocabulary columns (category, direction, stage, ...) are plain strings validated by `ldcore.schemas`; the allowed
values live in `ldcore.vocab` so that the database never needs a migration to add one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def hash_token(token: str) -> str:
    """What is stored of a link's token (survey invitations, open links, share links): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


# --- Discover: plan, objectives, KPIs ---------------------------------------------------------------------------


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts: Mapped[dt.date] = mapped_column(Date)
    ends: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    # ISO 4217 code of the plan's money (costs, unit values, ROI); None: the settings' currency.
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The report pack mailed on a schedule: None (no schedule), "monthly" or "quarterly"; comma-separated recipients.
    report_every: Mapped[str | None] = mapped_column(String(16), nullable=True)
    report_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    report_format: Mapped[str] = mapped_column(String(8), default="pdf", server_default="pdf")
    report_sent_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    objectives: Mapped[list[Objective]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Objective.position"
    )
    capabilities: Mapped[list[Capability]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Capability.position"
    )
    initiatives: Mapped[list[Initiative]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Initiative.position"
    )
    targets: Mapped[list[TeamTarget]] = relationship(back_populates="plan", cascade="all, delete-orphan")
    stakeholders: Mapped[list[Stakeholder]] = relationship(back_populates="plan", cascade="all, delete-orphan")
    gaps: Mapped[list[PerformanceGap]] = relationship(back_populates="plan", cascade="all, delete-orphan")


class Objective(Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="objectives")
    kpis: Mapped[list[Kpi]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="Kpi.position"
    )
    capability_weights: Mapped[list[ObjectiveCapability]] = relationship(
        back_populates="objective", cascade="all, delete-orphan"
    )


class Kpi(Base):
    __tablename__ = "kpi"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32), default="")
    direction: Mapped[str] = mapped_column(String(8))
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_date: Mapped[dt.date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[dt.date] = mapped_column(Date)
    unit_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="lagging")
    position: Mapped[int] = mapped_column(Integer, default=0)

    objective: Mapped[Objective] = relationship(back_populates="kpis")
    plan: Mapped[Plan] = relationship()
    observations: Mapped[list[KpiObservation]] = relationship(
        back_populates="kpi", cascade="all, delete-orphan", passive_deletes=True
    )


class KpiObservation(Base):
    """One measured value of a KPI on a date, for the whole organisation (team NULL) or one team."""

    __tablename__ = "kpi_observation"
    __table_args__ = (Index("ix_kpi_observation_kpi_date", "kpi_id", "date", "team_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), nullable=True)
    date: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(32), default="manual")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    kpi: Mapped[Kpi] = relationship(back_populates="observations")


class Stakeholder(Base):
    __tablename__ = "stakeholder"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    consulted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    metrics_that_matter: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="stakeholders")


class PerformanceGap(Base):
    """A gap between today's and the needed performance, with its root cause (only some causes need training)."""

    __tablename__ = "performance_gap"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="SET NULL"), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    root_cause: Mapped[str] = mapped_column(String(32))
    fix_owner: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="gaps")


# --- Design: capabilities, teams, targets, initiatives -------------------------------------------------------


class Capability(Base):
    __tablename__ = "capability"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(500))  # grid rows in real surveys run past 200 characters
    type: Mapped[str] = mapped_column(String(16), default="skill")
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="capabilities")
    objective_weights: Mapped[list[ObjectiveCapability]] = relationship(
        back_populates="capability", cascade="all, delete-orphan"
    )


class ObjectiveCapability(Base):
    """How strongly (1–5) a capability drives an objective."""

    __tablename__ = "objective_capability"
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), primary_key=True)
    capability_id: Mapped[int] = mapped_column(ForeignKey("capability.id", ondelete="CASCADE"), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)

    objective: Mapped[Objective] = relationship(back_populates="capability_weights")
    capability: Mapped[Capability] = relationship(back_populates="objective_weights")


class Team(Base):
    """A team of the organisation; shared by every plan so that the roster and history outlive a plan."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    headcount: Mapped[int] = mapped_column(Integer, default=0)


class TeamTarget(Base):
    """The proficiency (1–5) a plan needs a team to reach in a capability."""

    __tablename__ = "team_target"
    __table_args__ = (UniqueConstraint("team_id", "capability_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    capability_id: Mapped[int] = mapped_column(ForeignKey("capability.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)

    plan: Mapped[Plan] = relationship(back_populates="targets")
    team: Mapped[Team] = relationship()
    capability: Mapped[Capability] = relationship()


class Initiative(Base):
    __tablename__ = "initiative"
    __table_args__ = (UniqueConstraint("plan_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[str] = mapped_column(String(16), default="discover")
    format: Mapped[str] = mapped_column(String(64), default="")
    starts: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    ends: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    isolation: Mapped[str | None] = mapped_column(String(32), nullable=True)
    commitment_deliver: Mapped[str] = mapped_column(Text, default="")
    commitment_needs: Mapped[str] = mapped_column(Text, default="")
    commitment_by: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="initiatives")
    objectives: Mapped[list[Objective]] = relationship(secondary="initiative_objective")
    capabilities: Mapped[list[Capability]] = relationship(secondary="initiative_capability")
    kpis: Mapped[list[Kpi]] = relationship(secondary="initiative_kpi")
    team_links: Mapped[list[InitiativeTeam]] = relationship(back_populates="initiative", cascade="all, delete-orphan")
    cost_lines: Mapped[list[CostLine]] = relationship(back_populates="initiative", cascade="all, delete-orphan")


class InitiativeObjective(Base):
    __tablename__ = "initiative_objective"
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), primary_key=True)


class InitiativeCapability(Base):
    __tablename__ = "initiative_capability"
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True)
    capability_id: Mapped[int] = mapped_column(ForeignKey("capability.id", ondelete="CASCADE"), primary_key=True)


class InitiativeKpi(Base):
    __tablename__ = "initiative_kpi"
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True)


class InitiativeTeam(Base):
    """A team in an initiative's audience (role `audience`) or in its comparison group (role `control`)."""

    __tablename__ = "initiative_team"
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    initiative: Mapped[Initiative] = relationship(back_populates="team_links")
    team: Mapped[Team] = relationship()


class CostLine(Base):
    __tablename__ = "cost_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")

    initiative: Mapped[Initiative] = relationship(back_populates="cost_lines")


# --- Deliver: roster, waves, invitations, responses ------------------------------------------------------------


class Person(Base):
    """Somebody on the roster. Responses keep the team they answered from, so a team change keeps history."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    employee_id: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    manager_email: Mapped[str] = mapped_column(String(320), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    team: Mapped[Team] = relationship()


class SurveyWave(Base):
    """One run of a survey definition; `definition` is a snapshot, so editing the YAML never changes a wave."""

    __tablename__ = "survey_wave"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiative.id", ondelete="SET NULL"), nullable=True)
    baseline_wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_wave.id", ondelete="SET NULL"), nullable=True
    )
    survey_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(16))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    opens: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closes: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    anonymity: Mapped[str] = mapped_column(String(16), default="confidential")
    min_group: Mapped[int] = mapped_column(Integer, default=5)
    open_link_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Respondents' identities (who answered, their links) are removed this many days after the wave closes.
    identity_retention_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    identities_removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    plan: Mapped[Plan] = relationship()
    initiative: Mapped[Initiative | None] = relationship()
    baseline_wave: Mapped[SurveyWave | None] = relationship(remote_side="SurveyWave.id")

    # The snapshot is read only through these, so every part of the app reads a wave's questions the same way.
    @property
    def questions(self) -> list[dict[str, Any]]:
        """The questions of the wave's survey as captured at its creation, in order."""
        return list((self.definition or {}).get("questions") or [])

    def asks(self, question: str) -> bool:
        """Whether the wave's survey has a question with this key."""
        return any(q.get("key") == question for q in self.questions)

    @property
    def capability_keys(self) -> list[str] | None:
        """The capabilities the wave rates, in the order captured at its creation; None: not captured (every
        capability of the plan)."""
        keys = (self.definition or {}).get("capabilities")
        return None if keys is None else list(keys)

    def newest_first(self) -> tuple:
        """Sort key (with reverse=True) putting the latest opening wave first, undated waves last."""
        return (self.opens is not None, self.opens or dt.date.min, self.created_at, self.id)


class Survey(Base):
    """A survey written in the builder (or imported): its definitions are `SurveyVersion`s, the newest is current.
    The stock surveys stay files in `surveys/` and have no row here."""

    __tablename__ = "survey"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | archived
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyVersion.number"
    )


class SurveyVersion(Base):
    """One saved definition of a survey (`SurveyDefinition.snapshot()`); saving a change adds a version."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(254), default="")

    survey: Mapped[Survey] = relationship(back_populates="versions")


class SurveyWaveVersion(Base):
    """Which saved survey version a wave was created from (waves of stock surveys have none). A version in use
    cannot be deleted: its survey can only be archived."""

    __tablename__ = "survey_wave_version"
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="RESTRICT"), index=True)


class Invitation(Base):
    """A personal single-use link; only the SHA-256 of its token is stored."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("wave_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    wave: Mapped[SurveyWave] = relationship()
    person: Mapped[Person] = relationship()


class WaveMailing(Base):
    """How a wave's invitations and reminders are mailed: its templates (NULL = the default text), the reminder
    schedule in days after the invitation, and whether `ldalign tick` mails them. `opened_at` / `closed_at` record
    when a tick saw the wave open and close."""

    __tablename__ = "wave_mailing"
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), primary_key=True)
    invite_subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    invite_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    remind_subject: Mapped[str | None] = mapped_column(String(200), nullable=True)
    remind_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    reminder_days: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class MailSend(Base):
    """One mail to one invited person: step 0 is the invitation, 1-3 the reminders. The row is written (status
    "sending", claimed by one tick) in the transaction that decides to send, before the mail goes out, so that a
    second tick finds it and sends nothing; the unique (invitation, step) pair makes a duplicate impossible."""

    __tablename__ = "mail_send"
    __table_args__ = (UniqueConstraint("invitation_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(300), default="")
    claimed_by: Mapped[str] = mapped_column(String(40), default="")
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Response(Base):
    """One submitted questionnaire. `person_id` stays NULL in anonymous waves; `pairing_code` is a hashed
    self-generated code that links an anonymous baseline to its follow-up."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("wave_id", "external_id"),
        UniqueConstraint("wave_id", "client_id"),
        Index("ix_response_wave_team", "wave_id", "team_id"),
        Index("ix_response_wave_person", "wave_id", "person_id"),  # pairs a follow-up with its baseline
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="link")
    external_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pairing_code: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    """One answer, stored long. `wave_id` and `team_id` are copied from the response so that aggregates are one
    GROUP BY over an index; `capability_id` is set for per-capability rows (ratings, application)."""

    __tablename__ = "answer"
    __table_args__ = (
        Index(
            "ix_answer_wave_question_cap_team",
            "wave_id",
            "question_key",
            "capability_id",
            "team_id",
            "value_num",
        ),
        Index("ix_answer_wave_question_team", "wave_id", "question_key", "team_id"),
        # a response's answers, and the pairing of a follow-up answer with the same person's baseline answer
        Index(
            "ix_answer_response_question_cap", "response_id", "question_key", "capability_id", "value_num", "team_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True)
    question_key: Mapped[str] = mapped_column(String(64))
    capability_id: Mapped[int | None] = mapped_column(ForeignKey("capability.id", ondelete="CASCADE"), nullable=True)
    value_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(Text, nullable=True)

    response: Mapped[Response] = relationship(back_populates="answers")


class ResponseDraft(Base):
    """Answers kept while a person fills in a survey, so that a reload, a lost connection or the same link on
    another device restores them; deleted when the response is submitted. A personal link's draft belongs to its
    invitation (and goes with it: erasure, retention); an open link's to the browser id. It holds answers by
    question key and, on an open link, the team picked: nothing the link does not already imply (no pairing code)."""

    __tablename__ = "response_draft"
    __table_args__ = (UniqueConstraint("wave_id", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), nullable=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- People who use the app, sharing, audit --------------------------------------------------------------------


class Account(Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped by "sign out": every session cookie issued before is refused from then on, in every tab.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The plan this person last chose in the plan picker: where the next sign-in starts.
    last_plan: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AccountSession(Base):
    """A signed-in browser: only the token's hash is stored; it ends on sign-out, when idle too long, or when old."""

    __tablename__ = "account_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    # The account's session_epoch when issued: "sign out everywhere" and deactivation bump it.
    epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set while the row waits for the browser to trade a one-time code (hashed in token_hash) for its HttpOnly cookie.
    handoff_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SignInThrottle(Base):
    """Failed sign-ins per typed email ("email:…") and per client address ("ip:…"), for back-off and lockout.

    Keyed by what was typed, not by account, so an unknown email behaves exactly like a known one.
    """

    __tablename__ = "sign_in_throttle"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_failure_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class ShareLink(Base):
    """A read-only link to one plan's executive view; only the token's hash is stored."""

    __tablename__ = "share_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    plan: Mapped[Plan] = relationship()


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320), default="system", index=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_key: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AppState(Base):
    """Small process-independent state: the generated signing secret."""

    __tablename__ = "app_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class DataChange(Base):
    """An append-only log of write transactions that changed plan data: caches key on the newest row of their plan
    (or wave), live pages poll it. A row without a plan changed data every plan shows (teams, people). Appending
    rows instead of bumping one counter means concurrent writers never queue on the same row."""

    __tablename__ = "data_change"
    __table_args__ = (
        Index("ix_data_change_plan", "plan_id", "id"),
        Index("ix_data_change_wave", "wave_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    wave_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AnswerTally(Base):
    """How many per-capability answers have each value, per wave, question, capability and team (0: none); kept
    by triggers in the database as answers land (`ldcore.tally`). No foreign keys: the triggers write here while
    cascades delete the rows they come from."""

    __tablename__ = "answer_tally"
    wave_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    capability_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_num: Mapped[float] = mapped_column(Float, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class PairTally(Base):
    """Baseline → follow-up differences of the people who answered both waves, per question, capability and
    follow-up team (0: none): count, Σ and Σ² of the differences, Σ of each side; kept by triggers (`ldcore.tally`)."""

    __tablename__ = "pair_tally"
    baseline_wave_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    followup_wave_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    capability_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sd: Mapped[float] = mapped_column(Float)
    sdd: Mapped[float] = mapped_column(Float)
    spre: Mapped[float] = mapped_column(Float)
    spost: Mapped[float] = mapped_column(Float)
