"""What comes in, validated. Every model forbids unknown keys so that a typo is refused, not silently dropped.

`PlanDocument` is the public plan-as-code contract (`ldalign plan import/export`); the smaller models are what the
intake forms submit. A refused value raises `pydantic.ValidationError`; `ldcore.errors.describe` turns it into
messages that name the field's path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ldcore.errors import field_path
from ldcore.vocab import (
    CapabilityType,
    Category,
    CostCategory,
    Direction,
    Isolation,
    KpiKind,
    Role,
    RootCause,
    Stage,
)

Key = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]  # capabilities
Text = Annotated[str, StringConstraints(max_length=10_000)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]  # an ISO 4217 code: EUR, USD, GBP
Level = Annotated[int, Field(ge=1, le=5)]
# Bounds far beyond any real cost or KPI that keep every sum, ratio and JSON number finite (1e308 would not be).
MAX_MONEY = 1e12
MAX_NUMBER = 1e15


def _money(value: float) -> float:
    if value != 0 and not 0.01 <= value <= MAX_MONEY:
        raise ValueError(f"must be 0 or between 0.01 and {MAX_MONEY:,.0f}")
    return value


def _number(value: float) -> float:
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"must be between {-MAX_NUMBER:,.0f} and {MAX_NUMBER:,.0f}")
    return value


Money = Annotated[float, Field(ge=0, allow_inf_nan=False), AfterValidator(_money)]
Number = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_number)]
NUL_REFUSED = "contains a NUL character (\\0), which cannot be stored; remove it"


def nul_path(value: Any, path: tuple = ()) -> tuple | None:
    """The path of the first text (or key) holding a NUL character, or None: Postgres cannot store one."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = nul_path(key, (*path, "key")) if isinstance(key, str) else None
            found = found or nul_path(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if (found := nul_path(item, (*path, i))) is not None:
                return found
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        path = nul_path(data)
        if path is not None:
            raise ValueError(f"{field_path(path) or 'a value'}: {NUL_REFUSED}")
        return data


class Measure(Strict):
    value: Number
    date: dt.date


class PlanIn(Strict):
    key: Key
    name: Name
    starts: dt.date
    ends: dt.date
    description: Text = ""
    currency: Currency | None = None  # None: the settings' currency

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_code(cls, value: object) -> object:
        """A lower-case code is taken in capitals; an empty one means "not set"."""
        return (value.strip().upper() or None) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ends_after_start(self) -> PlanIn:
        if self.ends <= self.starts:
            raise ValueError("ends must be after starts")
        return self

    @property
    def horizon_months(self) -> float:
        return (self.ends - self.starts).days / 30.44


class KpiIn(Strict):
    key: Key
    name: Name
    unit: Annotated[str, StringConstraints(max_length=32)] = ""
    direction: Direction
    baseline: Measure
    target: Measure
    unit_value: Money | None = None
    kind: KpiKind = "lagging"

    @model_validator(mode="after")
    def _target_moves_the_right_way(self) -> KpiIn:
        if self.target.date <= self.baseline.date:
            raise ValueError("target.date must be after baseline.date")
        if self.direction == "up" and self.target.value <= self.baseline.value:
            raise ValueError("target.value must be above baseline.value for a KPI whose direction is up")
        if self.direction == "down" and self.target.value >= self.baseline.value:
            raise ValueError("target.value must be below baseline.value for a KPI whose direction is down")
        return self


class ObjectiveIn(Strict):
    key: Key
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    category: Category
    priority: Level
    owner: Annotated[str, StringConstraints(max_length=200)] = ""
    description: Text = ""
    kpis: list[KpiIn] = []


class CapabilityIn(Strict):
    key: Key
    name: LongName
    type: CapabilityType = "skill"
    description: Text = ""
    drives: dict[Key, Level] = {}


class TeamIn(Strict):
    key: Key
    name: Name
    headcount: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    targets: dict[Key, Level] = {}


class InitiativeIn(Strict):
    key: Key
    name: Name
    description: Text = ""
    stage: Stage = "discover"
    format: Annotated[str, StringConstraints(max_length=64)] = ""
    objectives: list[Key] = []
    capabilities: list[Key] = []
    kpis: list[Key] = []
    audience: list[Key] = []
    control_teams: list[Key] = []
    starts: dt.date | None = None
    ends: dt.date | None = None
    isolation: Isolation | None = None
    costs: dict[CostCategory, Money] = {}
    commitment: Commitment | None = None

    @model_validator(mode="after")
    def _consistent(self) -> InitiativeIn:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValueError("ends must not be before starts")
        overlap = set(self.audience) & set(self.control_teams)
        if overlap:
            raise ValueError(f"a team cannot be both audience and control: {', '.join(sorted(overlap))}")
        return self


class Commitment(Strict):
    deliver: Text = ""
    needs: Text = ""
    by: dt.date | None = None


class StakeholderIn(Strict):
    name: Name
    role: Annotated[str, StringConstraints(max_length=200)] = ""
    consulted_on: dt.date | None = None
    metrics_that_matter: Text = ""


class GapIn(Strict):
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    root_cause: RootCause
    objective: Key | None = None
    team: Key | None = None
    fix_owner: Annotated[str, StringConstraints(max_length=200)] = ""
    notes: Text = ""


class PlanDocument(Strict):
    """A whole plan as code. Cross-references (a KPI, objective, capability or team key) are checked here, so an
    import either refers only to things that exist or is refused before anything is written."""

    plan: PlanIn
    objectives: list[ObjectiveIn] = []
    capabilities: list[CapabilityIn] = []
    teams: list[TeamIn] = []
    initiatives: list[InitiativeIn] = []
    stakeholders: list[StakeholderIn] = []
    gaps: list[GapIn] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> PlanDocument:
        objectives = _unique("objectives", [o.key for o in self.objectives])
        kpis = _unique("kpis", [k.key for o in self.objectives for k in o.kpis])
        capabilities = _unique("capabilities", [c.key for c in self.capabilities])
        teams = _unique("teams", [t.key for t in self.teams])
        _unique("initiatives", [i.key for i in self.initiatives])
        for i, cap in enumerate(self.capabilities):
            _refs(f"capabilities.{i}.drives", cap.drives, objectives, "objective")
        for i, team in enumerate(self.teams):
            _refs(f"teams.{i}.targets", team.targets, capabilities, "capability")
        for i, ini in enumerate(self.initiatives):
            _refs(f"initiatives.{i}.objectives", ini.objectives, objectives, "objective")
            _refs(f"initiatives.{i}.capabilities", ini.capabilities, capabilities, "capability")
            _refs(f"initiatives.{i}.kpis", ini.kpis, kpis, "KPI")
            _refs(f"initiatives.{i}.audience", ini.audience, teams, "team")
            _refs(f"initiatives.{i}.control_teams", ini.control_teams, teams, "team")
        for i, gap in enumerate(self.gaps):
            if gap.objective:
                _refs(f"gaps.{i}.objective", [gap.objective], objectives, "objective")
            if gap.team:
                _refs(f"gaps.{i}.team", [gap.team], teams, "team")
        return self


InitiativeIn.model_rebuild()


def _unique(where: str, keys: list[str]) -> set[str]:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{where}: key {key!r} is used twice")
        seen.add(key)
    return seen


def _refs(path: str, used: Iterable[str], known: set[str], what: str) -> None:
    missing = [k for k in used if k not in known]
    if missing:
        raise ValueError(f"{path}: unknown {what} {', '.join(repr(m) for m in missing)}")


# --- accounts -------------------------------------------------------------------------------------------------


class AccountIn(Strict):
    email: EmailStr
    role: Role
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    password: Annotated[str, StringConstraints(min_length=10, max_length=1024)]

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class Named(BaseModel):
    """Anything shown by name and referred to by key (a team, a capability, an initiative, a question)."""

    model_config = ConfigDict(frozen=True)
    key: str
    name: str


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: Role
    active: bool
    last_sign_in_at: dt.datetime | None = None
    last_plan: str | None = None


# --- KPI observations -----------------------------------------------------------------------------------------


class ObservationIn(Strict):
    kpi: Key
    date: dt.date
    value: Number
    team: Key | None = None
    note: Text = ""
