"""The guard's optional second opinion: a model reads the reply after the rules and may add flags.

Why: the rules catch about two thirds of the violations phrased by an author they have not seen
(docs/guard.md, rounds 2-4); a model that reads meaning can catch what no pattern anticipated.
Why it may only add: each rule flag has a span, a reason and a source staff can check, and a model
that talks a flag away would make the guard as fallible as the model. So the rules' report is kept
whole, and a model flag survives only if

- its quote is in the reply (as received, or in the guard's simplified copy): a model cannot flag
  what was not written, and the flag gets exact offsets like any other;
- its category is one of the policy's, and the role is not granted it (amounts within a grant's
  limit pass, as in the rules);
- it does not overlap a rule flag of the same category (the rule's explanation is the better one).

A surviving flag reads like a rule flag (the policy's explanation, safe alternative and source) with
the model's reason appended, and ``detector="model"``. Personal data is masked before the reply
leaves the machine. A model that fails or answers something other than the JSON asked for raises
BackendError: the caller asked for a second opinion and did not get one.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal, cast

from coach.errors import BackendError, ConfigError
from coach.guard import text as gt
from coach.guard.base import dedupe, role_may
from coach.guard.context import ContextInput, is_staff, parse_context
from coach.policy import Policy, Role
from coach.prompts import load_prompt
from coach.types import GuardReport, Violation

ViolationKind = Literal["unauthorized_promise", "forbidden_phrase"]

if TYPE_CHECKING:
    from coach.backends.base import Backend
    from coach.config import Settings

_NOT_CONFIGURED_FIX = ("set OPENAI_BASE_URL and COACH_MODEL (the endpoint that also drafts), or turn the second "
                       "opinion off (coach check --rules-only, COACH_GUARD_SECOND_OPINION=false)")
_JSON_START = re.compile(r"[{\[]")
_THINKING = re.compile(r"<think>.*?</think>", re.S | re.I)
_CONTEXT_TURNS = 4  # the conversation's last turns: enough for a "行不行?" that presses an earlier demand


class SecondOpinion:
    """Reviews guard reports with a model; built once, reused for every check."""

    def __init__(self, backend: Backend, policy: Policy) -> None:
        self.backend = backend
        self.policy = policy
        self.prompt = load_prompt("guard_review")

    @classmethod
    def from_settings(cls, settings: Settings, policy: Policy) -> SecondOpinion:
        from coach.backends.registry import model_backend

        try:
            backend = model_backend("openai", settings)
        except ConfigError as exc:
            raise ConfigError(f"the guard's second opinion needs a model endpoint: {exc.message}",
                              _NOT_CONFIGURED_FIX) from exc
        return cls(backend, policy)

    def review(self, text: str, report: GuardReport, *, role: Role, context: ContextInput = None) -> GuardReport:
        """``report`` (the rules' verdict on ``text`` for ``role``) with the model's extra flags added."""
        from coach.redact import Redactor

        redactor = Redactor()
        prompt = self.prompt.render(
            role_name=role.name, allowed=self._allowed(),
            categories=self._categories(role), families=self._families(),
            context=self._context(context, redactor), reply=redactor.mask(text))
        answer = self.backend.complete([{"role": "user", "content": prompt}], temperature=0.0)
        norm = gt.normalise(text)
        sentences = gt.sentences(norm)
        found = list(report.violations)
        for item in _parse(answer, self.backend):
            found += self._violations(text, norm, sentences, item, role, found, redactor)
        violations = dedupe(found)
        return report.model_copy(update={"violations": violations, "ok": not violations,
                                         "second_opinion": self.backend.model})

    def _allowed(self) -> str:
        return "\n".join(f"- {a.description}" for a in self.policy.allowed_commitments)

    def _categories(self, role: Role) -> str:
        lines = []
        for item in self.policy.forbidden_commitments:
            grant = role.grant(item.id)
            if grant is not None and grant.max_amount is None:
                continue
            limit = f"（本岗位可在 {grant.max_amount:,.0f} 元以内作出）" if grant is not None else ""
            lines.append(f"- {item.id}：{item.title}。{item.explanation}{limit}")
        return "\n".join(lines)

    def _families(self) -> str:
        return "\n".join(f"- {f.id}：{f.title}。{f.explanation}" for f in self.policy.forbidden_phrases)

    @staticmethod
    def _context(context: ContextInput, redactor: Any) -> str:
        turns = parse_context(context)[-_CONTEXT_TURNS:]
        lines = [f"{'客服' if is_staff(t) else '客户'}：{t.text}" for t in turns]
        return redactor.mask("\n".join(lines)) if lines else "（无）"

    def _violations(self, text: str, norm: str, sentences: list[gt.Sentence], item: dict[str, Any], role: Role,
                    found: list[Violation], redactor: Any) -> list[Violation]:
        """The model's flag as violations, one per sentence its quote covers (so that a quote spanning a rule
        flag and an unflagged sentence still flags the latter); none if it cannot stand."""
        category = str(item.get("category", "")).strip().lower()
        if (rule := self.policy.commitment(category)) is not None:
            kind, explanation, safe, source = ("unauthorized_promise", rule.explanation, rule.safe_alternative,
                                               rule.source_text())
        elif (family := self.policy.family(category)) is not None:
            kind, explanation, safe, source = ("forbidden_phrase", family.explanation, family.better,
                                               family.source.render())
        else:
            return []
        taken = [(v.start, v.end) for v in found if v.category == category]
        spans = _occurrences(redactor.restore(str(item.get("quote", ""))), text, norm)
        if not spans:
            return []
        # A quote the reply holds twice (the customer's words quoted back, then the promise): the occurrence no
        # flag covers yet, outside quotation marks, comes first. Pieces a rule already flags go in dedupe.
        start, end = min(spans, key=lambda span: (any(s < span[1] and span[0] < e for s, e in taken),
                                                  gt.quoted(text, span[0]), span[0]))
        reason = str(item.get("reason", "")).strip()[:200]
        explanation += f"（模型第二意见：{reason}）" if reason else "（模型第二意见）"
        pieces = []
        for sentence in sentences:
            left, right = gt.trimmed(text, max(start, sentence.start), min(end, sentence.end))
            # The role's grant is judged on the whole sentence, as the rules judge it: an amount over the
            # limit just outside the quote still counts.
            if left < right and not (kind == "unauthorized_promise" and role_may(role, category, sentence.norm)):
                pieces.append(Violation(kind=cast(ViolationKind, kind), category=category, span=text[left:right],
                                        start=left, end=right,
                                        explanation=explanation, suggestion=safe, source=source, detector="model"))
        return pieces


def _parse(answer: str, backend: Backend) -> list[dict[str, Any]]:
    """The model's flags: the first ``{"violations": [...]}`` object (or bare list of flags) in the answer,
    wherever it sits (code fences, prose with braces of its own, a reasoning model's <think> block are
    skipped). Anything else is an error: an unreadable second opinion must not pass for "no extra flags"."""
    text = _THINKING.sub("", answer)
    decoder = json.JSONDecoder()
    for start in (m.start() for m in _JSON_START.finditer(text)):
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        items = data.get("violations") if isinstance(data, dict) else data
        if isinstance(items, list) and all(isinstance(item, dict) for item in items):
            return items
    raise BackendError(f"the second-opinion model {backend.model!r} did not answer with the JSON asked for: "
                       f"{answer[:120]!r}", "use a model that follows instructions (an instruct/chat model), "
                                             "or check without --second-opinion")


def _occurrences(quote: str, text: str, norm: str) -> list[tuple[int, int]]:
    """Where the model's quote is in ``text``: verbatim, else in ``norm``, the guard's normalised copy (the
    model may quote a traditional reply in simplified script, or change full-width punctuation). The copy
    has the text's length, so its offsets are the text's."""
    quote = quote.strip().strip(gt._TRIM)
    if not quote:
        return []
    for haystack, needle in ((text, quote), (norm, gt.normalise(quote))):
        found = [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), haystack)]
        if found:
            return found
    return []

