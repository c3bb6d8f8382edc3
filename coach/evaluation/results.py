"""The result types of an evaluation run: what ``results.json`` holds, what the report and compare read."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from coach.types import Violation

Split = Literal["dev", "heldout"]


class MetricResult(BaseModel):
    name: str = Field(description="Metric id, e.g. no_unauthorized_promise.")
    score: float | None = None
    passed: bool | None = Field(default=None, description="None = not applicable to this case.")
    reason: str = ""
    rule: str | None = Field(default=None, description="The rule broken (category, missing step, flag…).")
    span: str | None = Field(default=None, description="The offending text, to highlight in the report.")
    source: str | None = Field(default=None, description="The corpus principle behind the rule.")


class RawOutput(BaseModel):
    """One answer of the backend under test, before repair or fallback."""

    backend: str
    model: str | None = None
    text: str | None = None
    error: str | None = None
    problems: list[str] = Field(default_factory=list)
    violations: list[Violation] = Field(default_factory=list)

    @property
    def promise(self) -> bool:
        return any(v.kind == "unauthorized_promise" for v in self.violations)


class CaseResult(BaseModel):
    suite: str
    case_id: str
    split: Split
    group: str = Field(description="Domain (scenarios) or category (guard set): the report's breakdown.")
    tags: list[str] = Field(default_factory=list)
    input: dict[str, Any] = Field(description="What was evaluated: message, conversation / text, context, role.")
    expect: dict[str, Any] = Field(default_factory=dict)
    reply: str | None = Field(default=None, description="The final draft (scenarios) or the labelled text (guard).")
    backend: str | None = None
    model: str | None = None
    attempts: int = 0
    raw: list[RawOutput] = Field(default_factory=list)
    fell_back: bool = False
    fallback_reason: str | None = None
    error: str | None = Field(default=None, description="Why this case could not be evaluated.")
    metrics: list[MetricResult] = Field(default_factory=list)
    draft: dict[str, Any] | None = Field(default=None, description="The Draft as JSON (citations, steps, flags).")

    @property
    def raw_violation(self) -> bool:
        return any(r.violations for r in self.raw)

    @property
    def raw_promise(self) -> bool:
        return any(r.promise for r in self.raw)

    @property
    def passed(self) -> bool:
        return self.error is None and all(m.passed is not False for m in self.metrics)

    def metric(self, name: str) -> MetricResult | None:
        return next((m for m in self.metrics if m.name == name), None)


class Rate(BaseModel):
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def add(self, ok: bool) -> None:
        self.total += 1
        self.passed += int(ok)


class Gate(BaseModel):
    """One threshold: ``metric`` pass rate >= value, or a ``*_rate`` <= value."""

    metric: str
    op: Literal[">=", "<="]
    threshold: float
    value: float | None
    passed: bool
    detail: str = ""


class Summary(BaseModel):
    cases: int
    errors: int
    metrics: dict[str, Rate] = Field(description="Pass rate per metric over the cases it applies to.")
    by_group: dict[str, dict[str, Rate]] = Field(description="suite/group -> metric -> pass rate.")
    by_split: dict[str, dict[str, Rate]] = Field(description="suite/split -> metric -> pass rate.")
    rates: dict[str, Rate] = Field(description="raw_promise_rate, raw_violation_rate, fallback_rate, error_rate.")
    rates_by_group: dict[str, dict[str, Rate]]


class Comparison(BaseModel):
    baseline: str
    current: str
    deltas: dict[str, tuple[float | None, float | None, float | None]] = Field(
        description="metric -> (baseline rate, current rate, current - baseline)."
    )
    flipped: list[dict[str, Any]] = Field(description="Cases whose metric went pass↔fail, with both replies.")
    only_in_baseline: list[str] = Field(default_factory=list)
    only_in_current: list[str] = Field(default_factory=list)


class RunResult(BaseModel):
    format: Literal["coach-eval/1"] = "coach-eval/1"
    run_id: str
    created: str
    backend: str
    model: str | None = None
    suites: list[str]
    seconds: float
    settings: dict[str, Any] = Field(default_factory=dict)
    judge: str = Field(default="off", description="Judge metrics: off, or the judge model used.")
    cases: list[CaseResult]
    summary: Summary
    gates: list[Gate]
    passed: bool
    comparison: Comparison | None = None
