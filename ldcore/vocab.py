"""The fixed vocabularies of the domain, shared by schemas, forms and survey definitions."""

from typing import Literal

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
PROFICIENCY_LABELS = {1: "Awareness", 2: "Basic", 3: "Intermediate", 4: "Advanced", 5: "Expert"}
ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3}
MIN_GROUP_DEFAULT = 5
MIN_GROUP_FLOOR = 3
