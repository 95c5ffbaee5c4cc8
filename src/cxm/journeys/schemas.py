"""Request and response shapes of the journey routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from cxm.journeys import domain
from cxm.journeys.domain import DEFAULT_TIMEOUT_HOURS


class StageIn(BaseModel):
    key: str = Field(max_length=64, examples=["orientation"])
    name_de: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    touchpoints: list[str] = Field(default_factory=list, description="Touchpoint keys.")
    types: list[str] = Field(default_factory=list, description="Interaction types.")

    def to_domain(self) -> domain.Stage:
        return domain.Stage(
            self.key,
            self.name_de,
            self.name_en or self.name_de,
            tuple(self.touchpoints),
            tuple(self.types),
        )


class GoalIn(BaseModel):
    name_de: str = Field(default=domain.GOAL_NAME[0], max_length=200)
    name_en: str = Field(default=domain.GOAL_NAME[1], max_length=200)
    touchpoints: list[str] = Field(default_factory=list)
    types: list[str] = Field(default_factory=list, examples=[["purchase", "order"]])
    resolved: bool = Field(
        default=False,
        description="An interaction with properties.resolved = true or a resolved case counts.",
    )

    def to_domain(self) -> domain.Goal:
        return domain.Goal(
            self.name_de, self.name_en, tuple(self.touchpoints), tuple(self.types), self.resolved
        )


class WebIn(BaseModel):
    goal_pages: list[str] = Field(default_factory=list, description="Touchpoint keys.")
    orientation_pages: list[str] = Field(default_factory=list, description="Touchpoint keys.")

    def to_domain(self) -> domain.WebSettings:
        return domain.WebSettings(tuple(self.goal_pages), tuple(self.orientation_pages))


class JourneyCreate(BaseModel):
    key: str = Field(max_length=64, examples=["new_contract"])
    name_de: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    stages: list[StageIn]
    goal: GoalIn
    timeout_hours: int = Field(
        default=DEFAULT_TIMEOUT_HOURS,
        description="A gap longer than this between two steps ends an instance.",
    )
    web: WebIn = Field(default_factory=WebIn)


class JourneyUpdate(BaseModel):
    name_de: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    stages: list[StageIn] | None = None
    goal: GoalIn | None = None
    timeout_hours: int | None = None
    web: WebIn | None = None
    position: int | None = None
    active: bool | None = None


class StageOut(BaseModel):
    key: str
    name_de: str
    name_en: str
    touchpoints: list[str]
    types: list[str]


class GoalOut(BaseModel):
    name_de: str
    name_en: str
    touchpoints: list[str]
    types: list[str]
    resolved: bool


class WebOut(BaseModel):
    goal_pages: list[str] = []
    orientation_pages: list[str] = []


class JourneyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    name_de: str
    name_en: str
    description: str | None
    stages: list[StageOut]
    goal: GoalOut
    timeout_hours: int
    web: WebOut
    position: int
    active: bool
    updated_at: datetime


class StepLabel(BaseModel):
    key: str
    name_de: str
    name_en: str


class AnalysisOut(BaseModel):
    """What every journey figure carries: the journey's steps (stages, then the goal) with
    their names, the period and the as-of time that decides open vs. lost."""

    journey: str
    steps: list[StepLabel]
    start: datetime | None
    end: datetime | None
    as_of: datetime
    data_as_of: datetime | None = Field(description="When the analytical store was synced.")


class FunnelOut(AnalysisOut):
    funnel: domain.Funnel


class PathsOut(AnalysisOut):
    paths: domain.Paths


class EmotionOut(AnalysisOut):
    question_type: str
    min_n: int
    points: list[domain.EmotionPoint]


class ChannelSwitchesOut(AnalysisOut):
    switches: domain.ChannelSwitches


class LostOut(AnalysisOut):
    lost: domain.Lost


class WebVisitsOut(AnalysisOut):
    goal_pages: list[str]
    orientation_pages: list[str]
    rows: list[domain.VisitSummary]


def step_labels(spec: domain.JourneySpec) -> list[StepLabel]:
    steps = [StepLabel(key=s.key, name_de=s.name_de, name_en=s.name_en) for s in spec.stages]
    goal = spec.goal
    return [
        *steps,
        StepLabel(key=domain.Outcome.GOAL.value, name_de=goal.name_de, name_en=goal.name_en),
    ]
