"""Run suites: draft every scenario through the chain, score every case, aggregate, apply the gates.

Per case the result keeps the input, the final draft, the backend that produced it, the attempts,
the violations found in each RAW output of the backend under test, whether it fell back and why, and
every metric's score, reason and pass. A backend that cannot answer is found before the run (one
probe request): a dead endpoint is a failed run with its reason, never a report of safe fallbacks.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deepeval.test_case import LLMTestCase

from coach.backends.registry import OFFLINE
from coach.config import Settings
from coach.errors import BackendError, CoachError
from coach.evaluation import gates, signals
from coach.evaluation.metrics import GuardAgreesWithLabel, draft_metrics, judge_metrics
from coach.evaluation.results import CaseResult, MetricResult, Rate, RawOutput, RunResult, Summary
from coach.evaluation.suites import GuardItem, Scenario, select
from coach.guard import Stage, check
from coach.policy import load_policy
from coach.types import Attempt, Draft, DraftRequest

Progress = Callable[[str], None]


@dataclass
class RunOptions:
    suites: list[str] | None = None
    backend: str = OFFLINE
    thresholds_file: Path | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    suites_file: Path | None = None
    limit: int | None = None


def probe(backend: Any) -> None:
    """One tiny request: a dead, misconfigured or failing endpoint stops the run here."""
    try:
        backend.complete([{"role": "user", "content": "ping"}], temperature=0.0)
    except BackendError as exc:
        raise BackendError(
            f"the {backend.name} backend could not answer before the run: {exc.message}",
            exc.fix or "check OPENAI_BASE_URL / COACH_MODEL, or use --backend offline",
        ) from exc


def metric_result(metric: Any) -> MetricResult:
    return MetricResult(
        name=getattr(metric, "key", None) or str(getattr(metric, "name", metric.__name__)),
        score=metric.score,
        passed=None if metric.skipped else bool(metric.success),
        reason=metric.reason or metric.error or "",
        rule=getattr(metric, "rule", None),
        span=getattr(metric, "span", None),
        source=getattr(metric, "source", None),
    )


def _measure(metric: Any, case: LLMTestCase) -> MetricResult:
    try:
        metric.measure(case)
        return metric_result(metric)
    except Exception as exc:  # a judge endpoint failing must show as a failed metric, not vanish
        name = getattr(metric, "key", None) or str(getattr(metric, "name", "metric"))
        return MetricResult(
            name=name,
            score=0.0,
            passed=False,
            reason=f"metric failed: {type(exc).__name__}: {exc}"[:300],
            rule="metric_error",
        )


def raw_outputs(draft: Draft, backend_name: str, scenario: Scenario, policy: Any,
                stage: Stage | None = None) -> list[RawOutput]:
    """The answers of the backend under test, each with the guard's violations (re-checked if unchecked)."""
    found = []
    for attempt in draft.attempts:
        if attempt.backend != backend_name:
            continue
        found.append(
            RawOutput(
                backend=attempt.backend,
                model=attempt.model,
                text=attempt.reply or attempt.raw,
                error=attempt.error,
                problems=attempt.problems,
                violations=_violations(attempt, scenario, policy, stage),
            )
        )
    return found


def _violations(attempt: Attempt, scenario: Scenario, policy: Any, stage: Stage | None) -> list[Any]:
    if attempt.guard is not None:
        return list(attempt.guard.violations)
    text = attempt.reply or attempt.raw
    if not text or not text.strip():
        return []
    try:
        return list(check(text, context=scenario.context(), policy=policy, model=stage).violations)
    except CoachError:
        return []


class Runner:
    def __init__(self, settings: Settings, options: RunOptions, *, chain: Any = None) -> None:
        self.settings, self.options = settings, options
        self.selected = select(options.suites, options.suites_file)
        self.thresholds = gates.load(options.backend, options.thresholds_file, options.thresholds)
        self._chain = chain

    def chain(self) -> Any:
        if self._chain is None:
            from coach.chain import DraftChain

            settings = self.settings.model_copy(update={"backend": self.options.backend})
            self._chain = DraftChain(settings)  # opens the store: EmptyStoreError here
            if self._chain.model is not None:
                probe(self._chain.model)
        return self._chain

    def _second_opinion(self, policy: Any) -> Any:
        """With COACH_GUARD_SECOND_OPINION the guard suite measures the guard as configured: rules + model."""
        if not self.settings.guard_second_opinion:
            return None
        from coach.guard.review import SecondOpinion

        reviewer = SecondOpinion.from_settings(self.settings, policy)
        probe(reviewer.backend)
        return reviewer

    def cases(self) -> list[tuple[str, Scenario | GuardItem]]:
        items: list[tuple[str, Scenario | GuardItem]] = []
        for name, (_, cases) in self.selected.items():
            chosen = cases[: self.options.limit] if self.options.limit else cases
            items.extend((name, c) for c in chosen)
        return items

    def run(self, progress: Progress | None = None) -> RunResult:
        started = time.perf_counter()
        cases = self.cases()
        needs_chain = any(isinstance(c, Scenario) for _, c in cases)
        chain = self.chain() if needs_chain else None
        policy = chain.policy if chain else None
        corpus = signals.CorpusText.from_store(chain.retriever.store) if chain else None
        stage = chain.stage if chain else None  # the drafts are judged by the guard that passed them
        metrics = draft_metrics(corpus, policy, self.thresholds, stage) if corpus else []
        judges = judge_metrics(self.settings) if chain else []
        guard_policy = policy or load_policy(self.settings.policy)  # COACH_POLICY, as the chain reads it
        reviewer = self._second_opinion(guard_policy)
        guard_metric = GuardAgreesWithLabel(guard_policy, reviewer)
        results = []
        for suite, case in cases:
            if isinstance(case, Scenario):
                results.append(self._scenario(suite, case, chain, [*metrics, *judges]))
            else:
                results.append(self._guard(suite, case, guard_metric))
            if progress:
                progress(f"{suite}/{case.id}")
        summary = summarise(results)
        gate_list = gates.evaluate(summary, self.thresholds)
        return RunResult(
            run_id=uuid.uuid4().hex[:12],
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            backend=chain.provenance[0] if chain else "none",
            model=chain.provenance[1] if chain else None,
            suites=list(self.selected),
            seconds=round(time.perf_counter() - started, 2),
            settings={
                "embeddings": self.settings.embeddings,
                "limit": self.options.limit,
                "thresholds": self.thresholds,
                "policy": str(self.settings.policy or "default"),
                "guard_second_opinion": reviewer.backend.model if reviewer else "off",
                "guard_model": "on" if stage else "off",
            },
            judge=", ".join(str(getattr(j, "evaluation_model", "judge")) for j in judges) or "off",
            cases=results,
            summary=summary,
            gates=gate_list,
            passed=all(g.passed for g in gate_list),
        )

    def _scenario(self, suite: str, scenario: Scenario, chain: Any, metrics: list[Any]) -> CaseResult:
        result = CaseResult(
            suite=suite,
            case_id=scenario.id,
            split=scenario.split,
            group=scenario.domain,
            tags=scenario.tags,
            expect=scenario.expect.model_dump(),
            input={
                "message": scenario.message,
                "lang": scenario.lang,
                "conversation": [t.model_dump() for t in scenario.conversation or []],
            },
        )
        try:
            draft = chain.draft(DraftRequest(message=scenario.message, conversation=scenario.conversation,
                                             show_rejected=True))  # raw_promise_rate reads rejected answers
        except CoachError as exc:
            result.error = exc.message
            return result
        result.reply, result.backend, result.model = draft.reply, draft.backend, draft.model
        result.attempts, result.fell_back, result.fallback_reason = (
            len(draft.attempts),
            draft.fell_back,
            draft.fallback_reason,
        )
        result.raw = raw_outputs(draft, chain.provenance[0], scenario, chain.policy, chain.stage)
        result.draft = draft.model_dump(
            include={
                "steps",
                "risk_flags",
                "escalate",
                "customer_type",
                "demands",
                "citations",
                "escalation_advice",
                "prompt_version",
                "notice",
            }
        )
        test_case = LLMTestCase(
            input=scenario.message,
            actual_output=draft.reply,
            metadata={"scenario": scenario, "draft": draft, "citations": draft.citations},
        )
        result.metrics = [_measure(m, test_case) for m in metrics]
        return result

    def _guard(self, suite: str, item: GuardItem, metric: GuardAgreesWithLabel) -> CaseResult:
        group = item.category or f"ok:{item.pattern}"
        result = CaseResult(
            suite=suite,
            case_id=item.id,
            split=item.split,
            group=group,
            reply=item.text,
            input={"text": item.text, "context": item.context, "role": item.role},
            expect={"label": item.label, "category": item.category},
        )
        result.metrics = [
            _measure(
                metric, LLMTestCase(input=str(item.context or ""), actual_output=item.text, metadata={"item": item})
            )
        ]
        return result


def summarise(results: list[CaseResult]) -> Summary:
    metrics: dict[str, Rate] = {}
    by_group: dict[str, dict[str, Rate]] = {}
    by_split: dict[str, dict[str, Rate]] = {}
    rates = {name: Rate() for name in gates.RATES}
    rates_by_group: dict[str, dict[str, Rate]] = {}
    for case in results:
        for m in case.metrics:
            if m.passed is None:
                continue
            for table in (
                metrics,
                by_group.setdefault(f"{case.suite}/{case.group}", {}),
                by_split.setdefault(f"{case.suite}/{case.split}", {}),
            ):
                table.setdefault(m.name, Rate()).add(bool(m.passed))
        if case.suite and case.metrics and case.metrics[0].name == "guard_label":
            continue  # the guard set has no model outputs: no raw or fallback rates
        group = rates_by_group.setdefault(f"{case.suite}/{case.group}", {n: Rate() for n in gates.RATES})
        flags = {
            "raw_promise_rate": case.raw_promise,
            "raw_violation_rate": case.raw_violation,
            "fallback_rate": case.fell_back,
            "error_rate": case.error is not None,
        }
        for name, hit in flags.items():
            rates[name].add(hit)
            group[name].add(hit)
    return Summary(
        cases=len(results),
        errors=sum(c.error is not None for c in results),
        metrics=metrics,
        by_group=by_group,
        by_split=by_split,
        rates=rates,
        rates_by_group=rates_by_group,
    )
