"""The fixed vocabularies of the domain, shared by schemas, forms and survey definitions."""

from typing import Literal

from ldcore.i18n import N_

Category = Literal["revenue_growth", "cost_efficiency", "innovation", "customer", "people", "compliance", "other"]
Direction = Literal["up", "down"]
KpiKind = Literal["lagging", "leading"]
CapabilityType = Literal["skill", "knowledge", "behaviour"]
Stage = Literal["discover", "design", "deliver", "demonstrate"]
Isolation = Literal["control_group", "trend", "participant_estimate"]
CostCategory = Literal["needs_analysis", "development", "delivery", "participant_time", "travel", "evaluation", "other"]
RootCause = Literal["skill", "knowledge", "behaviour", "process", "tools", "motivation", "staffing"]
Role = Literal["admin", "editor", "viewer"]
WaveKind = Literal["baseline", "followup"]
Anonymity = Literal["anonymous", "confidential", "identified"]

TRAINING_CAUSES = ("skill", "knowledge", "behaviour")
PROFICIENCY_LABELS = {1: N_("Awareness"), 2: N_("Basic"), 3: N_("Intermediate"), 4: N_("Advanced"), 5: N_("Expert")}
ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3}
MIN_GROUP_DEFAULT = 5
MIN_GROUP_FLOOR = 3

# --- words a person reads for the keys above (pages, tables, exports) -------------------------------------------

CATEGORY_LABELS = {
    "revenue_growth": "Revenue growth",
    "cost_efficiency": "Cost & efficiency",
    "innovation": "Innovation",
    "customer": "Customer",
    "people": "People & retention",
    "compliance": "Compliance",
    "other": "Other",
}
ROOT_CAUSE_LABELS = {
    "skill": "Skill",
    "knowledge": "Knowledge",
    "behaviour": "Behaviour",
    "process": "Process",
    "tools": "Tools",
    "motivation": "Incentives / motivation",
    "staffing": "Staffing",
}
COST_LABELS = {
    "needs_analysis": "Needs analysis",
    "development": "Development",
    "delivery": "Delivery",
    "participant_time": "Participant time",
    "travel": "Travel",
    "evaluation": "Evaluation",
    "other": "Other",
}
ISOLATION_LABELS = {
    "control_group": "Control group",
    "trend": "Trend line",
    "participant_estimate": "Participant estimate",
}
STAGE_LABELS = {"discover": "Discover", "design": "Design", "deliver": "Deliver", "demonstrate": "Demonstrate"}
CAPABILITY_TYPE_LABELS = {"skill": "Skill", "knowledge": "Knowledge", "behaviour": "Behaviour"}
DIRECTION_LABELS = {"up": "Higher is better", "down": "Lower is better"}
KPI_KIND_LABELS = {"lagging": "Lagging", "leading": "Leading"}
WAVE_KIND_LABELS = {"baseline": "Baseline", "followup": "Follow-up"}
ANONYMITY_LABELS = {"anonymous": "Anonymous", "confidential": "Confidential", "identified": "Identified"}
ROLE_LABELS = {"admin": "Admin", "editor": "Editor", "viewer": "Viewer"}
AUDIT_ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_in.sso": "Signed in with the company account",
    "sign_in.sso_refused": "Company sign-in refused (no role yet)",
    "sign_in.failed": "Sign-in failed",
    "sign_in.lockout": "Locked after failed sign-ins",
    "account.create": "Account created",
    "account.update": "Account changed",
    "account.password": "Password changed",
    "account.unlock": "Account unlocked",
    "account.sign_out": "Signed out everywhere",
    "share_link.create": "Share link created",
    "share_link.revoke": "Share link revoked",
    "share_link.use": "Share link opened",
    "wave.create": "Survey wave created",
    "wave.invite": "Personal links created",
    "wave.links": "Personal links fetched again",
    "wave.remind": "Reminders sent",
    "wave.open_link": "Open link created",
    "wave.open_link_closed": "Open link closed",
    "wave.retention": "Identity retention changed",
    "wave.identities_removed": "Respondents' identities removed",
    "responses.import": "Responses imported",
    "responses.export": "Responses exported",
    "roster.import": "Roster imported",
    "plan.create": "Plan created",
    "plan.import": "Plan imported",
    "plan.delete": "Plan deleted",
    "objective.save": "Objective saved",
    "objective.delete": "Objective deleted",
    "kpi.save": "KPI saved",
    "kpi.delete": "KPI deleted",
    "kpi_observation.record": "KPI value recorded",
    "kpi_observation.delete": "KPI value deleted",
    "stakeholder.save": "Stakeholder saved",
    "stakeholder.delete": "Stakeholder deleted",
    "gap.save": "Performance gap saved",
    "gap.delete": "Performance gap deleted",
    "capability.save": "Capability saved",
    "capability.delete": "Capability deleted",
    "team.save": "Team saved",
    "team.delete": "Team removed from a plan",
    "initiative.save": "Initiative saved",
    "initiative.delete": "Initiative deleted",
    "person.export": "A person's data exported",
    "person.erase": "A person's data erased",
    "audit.export": "Audit trail exported",
    "demo.build": "Demo company loaded",
}
EMPTY = "—"


def label(words: dict[str, str], key: str | None) -> str:
    """The words for `key` ("—" for none); a key with no words yet reads as words ("new_thing" → "New thing")."""
    if key is None or key == "":
        return EMPTY
    return words.get(key) or key.replace("_", " ").replace(".", ": ").capitalize()
