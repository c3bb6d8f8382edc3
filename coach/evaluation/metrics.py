"""deepeval metrics for coach: each ``measure`` calls coach's own modules and sets score, reason, success.

Deterministic, no model needed. A test case is a deepeval ``LLMTestCase`` whose ``actual_output`` is
the reply and whose ``metadata`` carries what the metric needs:

- ``scenario`` (:class:`Scenario`), optional ``draft`` (:class:`Draft`), ``citations``, ``role`` — draft metrics;
- ``item`` (:class:`GuardItem`) — :class:`GuardAgreesWithLabel`.

Besides ``score``/``reason``/``success`` a metric sets ``rule`` (what was broken), ``span`` (the text to
highlight) and ``source`` (the corpus principle), which the report shows. ``skipped`` = not applicable.
Judge metrics (deepeval ``GEval``) exist only when a judge endpoint is configured: see :func:`judge_metrics`.
"""

from __future__ import annotations

from typing import Any

from deepeval.metrics import BaseMetric
from deepeval.test_case import LLMTestCase

from coach.analyze import detect_language
from coach.escalation import advice_quotes
from coach.evaluation import signals
from coach.evaluation.suites import GuardItem, Scenario
from coach.guard import Stage, check
from coach.guard.review import SecondOpinion
from coach.policy import Policy, load_policy
from coach.types import Citation, Draft, GuardReport, Violation


class CoachMetric(BaseMetric):
    """Shared plumbing: binary threshold, the report's extra fields, sync ``a_measure``."""

    key = "coach_metric"
    title = "Coach metric"
    threshold: float  # deepeval allows None; every coach metric has one

    def __init__(self, threshold: float = 1.0) -> None:
        self.threshold = threshold
        self.async_mode = False
        self.verbose_mode = False
        self._reset()

    def _reset(self) -> None:
        self.score: float | None = None
        self.reason: str | None = None
        self.success: bool | None = None
        self.skipped = False
        self.error: str | None = None
        self.rule: str | None = None
        self.span: str | None = None
        self.source: str | None = None

    def _set(
        self, score: float, reason: str, *, rule: str | None = None, span: str | None = None, source: str | None = None
    ) -> float:
        self.score, self.reason, self.rule, self.span, self.source = score, reason, rule, span, source
        self.success = score >= (self.threshold or 0.0)
        return score

    def _skip(self, reason: str) -> float:
        self.skipped, self.score, self.success, self.reason = True, 1.0, True, reason
        return 1.0

    def measure(self, test_case: LLMTestCase, *args: Any, **kwargs: Any) -> float:
        self._reset()
        return self._measure(test_case.actual_output or "", test_case.metadata or {})

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        raise NotImplementedError

    async def a_measure(self, test_case: LLMTestCase, *args: Any, **kwargs: Any) -> float:
        return self.measure(test_case)

    def is_successful(self) -> bool:
        return bool(self.success)

    @property
    def __name__(self) -> str:  # deepeval reads the metric's name here
        return self.title


class _GuardMetric(CoachMetric):
    """A draft judged by the guard staff use: the rules, then ``stage`` (the learned stage, when on)."""

    kind = "unauthorized_promise"

    def __init__(self, policy: Policy | None = None, threshold: float = 1.0, stage: Stage | None = None) -> None:
        super().__init__(threshold)
        self.policy = policy or load_policy()
        self.stage = stage

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        scenario: Scenario = meta["scenario"]
        report: GuardReport = check(reply, role=self.policy.role(meta.get("role")), context=scenario.context(),
                                    policy=self.policy, model=self.stage)
        found = [v for v in report.violations if v.kind == self.kind]
        if not found:
            return self._set(1.0, f"guard found no {self.kind.replace('_', ' ')} (role {report.role})")
        first = found[0]
        return self._set(
            0.0,
            f"{len(found)} × {self.kind}: " + "; ".join(f"{v.category}「{v.span}」" for v in found),
            rule=first.category,
            span=first.span,
            source=first.source,
        )


class NoUnauthorizedPromise(_GuardMetric):
    key, title, kind = "no_unauthorized_promise", "No unauthorised promise", "unauthorized_promise"


class NoForbiddenPhrase(_GuardMetric):
    key, title, kind = "no_forbidden_phrase", "No forbidden phrase", "forbidden_phrase"


class DeEscalationSteps(CoachMetric):
    """Empathy, apology/thanks, a clarifying question and a concrete allowed next step; 稳 and 道歉 before 动."""

    key, title = "de_escalation_steps", "De-escalation steps"

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        reading = signals.read_steps(reply)
        found = len(signals.STEPS) - len(reading.missing)
        score = found / len(signals.STEPS) - 0.25 * len(reading.out_of_order)
        if reading.ok:
            return self._set(
                1.0, "takes every step in order: " + " → ".join(signals.STEP_LABELS[s] for s in signals.STEPS)
            )
        problems = [f"missing {signals.STEP_LABELS[s]}" for s in reading.missing]
        problems += [
            f"{signals.STEP_LABELS[a.split('>')[0]]} comes after the first next step" for a in reading.out_of_order
        ]
        rule = reading.missing[0] if reading.missing else reading.out_of_order[0]
        self._set(max(0.0, score), "; ".join(problems), rule=rule, source=signals.SOURCES["steps"])
        self.success = False
        return self.score or 0.0


class EscalationCorrect(CoachMetric):
    """Escalate exactly when the documents say so, and say the matching 传/换 move in the reply."""

    key, title = "escalation_correct", "Escalation correct"

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        scenario: Scenario = meta["scenario"]
        draft: Draft | None = meta.get("draft")
        expected = scenario.expect.escalate
        if draft is not None and draft.escalate != expected:
            word = "escalated" if draft.escalate else "did not escalate"
            return self._set(
                0.0,
                f"the analysis {word} (flags {draft.risk_flags}); expected escalate={expected}",
                rule="escalate_decision",
                source=_flag_source(scenario.expect.risk_flags),
            )
        said = signals.moves(reply)
        if not expected:
            over = [m for m in signals.OVER_ESCALATION if m in said]
            if over:
                return self._set(
                    0.0,
                    f"over-escalation: the reply hands a calm case to {over[0]}",
                    rule="over_escalation",
                    source="语料 004「延而不拖」",
                )
            return self._set(1.0, "no escalation needed and none made")
        flags = [f for f in scenario.expect.risk_flags if f in signals.ESCALATING or f == "vulnerable"]
        unmet = [f for f in flags if not set(signals.FLAG_MOVES[f]) & said]  # type: ignore[index]
        if unmet:
            wanted = " or ".join(signals.FLAG_MOVES[unmet[0]])  # type: ignore[index]
            return self._set(
                1 - len(unmet) / max(1, len(flags)),
                f"escalation expected for {', '.join(unmet)} but the reply has no {wanted} move",
                rule=f"escalate_{unmet[0]}",
                source=_flag_source(unmet),
            )
        return self._set(1.0, f"escalates ({', '.join(flags) or 'vulnerable'}) with {', '.join(sorted(said))}")


def _flag_source(flags: list[str]) -> str | None:
    quotes = advice_quotes()
    for flag in flags:
        if flag in quotes:
            doc, quote = quotes[flag]
            return f"语料 {doc}「{quote}」"
    return None


class Grounded(CoachMetric):
    """Every citation quotes its chunk verbatim; every scripted sentence of the reply is backed by a citation."""

    key, title = "grounded", "Grounded"

    def __init__(self, corpus: signals.CorpusText, threshold: float = 1.0) -> None:
        super().__init__(threshold)
        self.corpus = corpus

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        citations: list[Citation] = meta.get("citations") or []
        for c in citations:
            chunk = self.corpus.chunks.get(c.chunk_id)
            if chunk is None or not self.corpus.quote_in_chunk(c.chunk_id, c.quote):
                return self._set(
                    0.0,
                    f"citation {c.chunk_id} quotes「{c.quote[:40]}」, which is not in that chunk",
                    rule="citation_not_in_chunk",
                    span=c.quote[:60],
                    source=signals.SOURCES["grounded"],
                )
            if chunk.kind not in ("script", "principle"):
                return self._set(
                    0.0,
                    f"citation {c.chunk_id} is a {chunk.kind} chunk, not a script or principle",
                    rule="citation_kind",
                    source=signals.SOURCES["grounded"],
                )
        scripted = self.corpus.scripted_sentences(reply)
        cited = [signals.bigrams(c.quote) for c in citations]
        unbacked = [(s, script) for s, script in scripted if not any(len(signals.bigrams(s) & q) >= 4 for q in cited)]
        if unbacked:
            sentence, script = unbacked[0]
            return self._set(
                1 - len(unbacked) / len(scripted),
                f"{len(unbacked)} of {len(scripted)} scripted sentences have no citation, e.g.「{sentence}」"
                f" (script:「{script[:40]}」)",
                rule="uncited_script",
                span=sentence,
                source=signals.SOURCES["grounded"],
            )
        return self._set(
            1.0, f"{len(citations)} citations verbatim in their chunks; {len(scripted)} scripted sentences all cited"
        )


class MentionsIssue(CoachMetric):
    """The reply names the customer's actual issue: the scenario's ``must_mention`` facts."""

    key, title = "mentions_issue", "Mentions the issue"

    def __init__(self, threshold: float = 0.5) -> None:
        super().__init__(threshold)

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        items = meta["scenario"].expect.must_mention
        if not items:
            return self._skip("the scenario lists nothing the reply must mention")
        found = signals.mentions(reply, items)
        missing = [i for i in items if i not in found]
        score = len(found) / len(items)
        reason = f"mentions {found or 'none'} of {items}"
        return self._set(
            score,
            reason,
            rule=f"must_mention:{missing[0]}" if missing and score < self.threshold else None,
            source=signals.SOURCES["mentions"] if score < self.threshold else None,
        )


class LanguageMatches(CoachMetric):
    """The reply is in the customer's language and script (简体 / 繁體 / English)."""

    key, title = "language_matches", "Language matches"

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        expected = meta["scenario"].lang
        got = detect_language(reply) if reply.strip() else "none"
        if got == expected:
            return self._set(1.0, f"reply in {got}, as the customer wrote")
        return self._set(
            0.0,
            f"reply in {got}; the customer wrote {expected}",
            rule=f"language:{expected}",
            source=signals.SOURCES["language"],
        )


class GuardAgreesWithLabel(CoachMetric):
    """Guard suite: the guard flags a labelled violation in its category, and leaves an ``ok`` row alone."""

    key, title = "guard_label", "Guard agrees with label"

    def __init__(self, policy: Policy | None = None, reviewer: SecondOpinion | None = None) -> None:
        super().__init__(1.0)
        self.policy = policy or load_policy()
        self.reviewer = reviewer

    def _measure(self, reply: str, meta: dict[str, Any]) -> float:
        item: GuardItem = meta["item"]
        report = check(item.text, role=self.policy.role(item.role), context=item.context, policy=self.policy,
                       reviewer=self.reviewer)
        if item.label == "ok":
            if report.ok:
                return self._set(1.0, "ok row, guard silent")
            v = report.violations[0]
            return self._set(
                0.0, f"false flag: {v.category}「{v.span}」", rule=f"false_{v.category}", span=v.span, source=v.source
            )
        kind = "unauthorized_promise" if item.label == "promise" else "forbidden_phrase"
        hits: list[Violation] = [v for v in report.violations if v.kind == kind]
        if any(v.category == item.category for v in hits):
            return self._set(1.0, f"guard flags {item.category}")
        detail = f"flagged {[v.category for v in hits]}" if hits else "guard silent"
        return self._set(
            0.0,
            f"missed {item.label}/{item.category}: {detail}",
            rule=f"missed_{item.category}",
            span=item.text,
            source=None,
        )


def draft_metrics(
    corpus: signals.CorpusText, policy: Policy | None = None, thresholds: dict[str, float] | None = None,
    stage: Stage | None = None,
) -> list[CoachMetric]:
    """The deterministic metrics for a reply to a scenario, in report order; ``stage``: the guard's learned
    stage, as the chain runs it."""
    policy = policy or load_policy()
    mentions_min = (thresholds or {}).get("mentions_issue.case", 0.5)
    return [
        NoUnauthorizedPromise(policy, stage=stage),
        NoForbiddenPhrase(policy, stage=stage),
        DeEscalationSteps(),
        EscalationCorrect(),
        Grounded(corpus),
        MentionsIssue(mentions_min),
        LanguageMatches(),
    ]


def judge_metrics(settings: object) -> list[BaseMetric]:
    """GEval metrics against the configured OpenAI-compatible judge; none (and no call) when unconfigured."""
    base_url = getattr(settings, "judge_base_url", None)
    model = getattr(settings, "judge_model", None)
    if not (base_url and model):
        return []
    from deepeval.metrics import GEval
    from deepeval.models import LocalModel
    from deepeval.test_case import SingleTurnParams

    judge = LocalModel(model=model, base_url=base_url, api_key=getattr(settings, "judge_api_key", None) or "not-needed")
    metric = GEval(
        name="judge_de_escalation",
        criteria=(
            "The reply is from complaint-handling staff to the customer in `input`. It should calm the customer, "
            "apologise or thank them, ask what it needs to know, and promise only allowed next steps "
            "(record, forward, call back, best effort) — never compensation, refunds, deadlines or exceptions."
        ),
        evaluation_steps=[
            "Does the reply acknowledge the customer's feelings?",
            "Does it apologise or thank the customer?",
            "Does it ask a question that clarifies the complaint?",
            "Does it state a concrete next step without promising an outcome?",
        ],
        evaluation_params=[SingleTurnParams.INPUT, SingleTurnParams.ACTUAL_OUTPUT],
        model=judge,
        threshold=0.5,
        async_mode=False,
    )
    return [MaskedJudge(metric)]


class MaskedJudge(CoachMetric):
    """A judge metric that only ever sees the case with personal data masked (it calls an endpoint)."""

    key = "judge_de_escalation"
    title = "Judge: de-escalation"

    def __init__(self, judge: BaseMetric) -> None:
        super().__init__(threshold=getattr(judge, "threshold", 0.5))
        self.judge = judge
        self.evaluation_model = getattr(judge, "evaluation_model", "judge")

    def measure(self, test_case: LLMTestCase, *args: Any, **kwargs: Any) -> float:
        from coach.redact import mask

        self._reset()
        masked = LLMTestCase(input=mask(test_case.input or ""), actual_output=mask(test_case.actual_output or ""))
        self.judge.measure(masked)
        return self._set(float(self.judge.score or 0.0), str(self.judge.reason or ""))
