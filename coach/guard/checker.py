"""Checking one reply: the policy's rules built once, then every rule over the reply's sentences.

``check(text, role=..., context=..., policy=...)`` reads the text sentence by sentence (simplified,
traditional and English), runs one small rule per forbidden category and phrase family, and returns a
GuardReport whose offsets index the text exactly as received. Checks only report.

Kept light: no jieba, Chroma, LangChain or deepeval on this import path (``coach check`` starts fast).
"""

from __future__ import annotations

import re
from typing import Protocol

from coach.errors import InputError
from coach.guard import text as gt
from coach.guard.base import GuardContext, Rule, dedupe
from coach.guard.commitment import Commitment, in_force
from coach.guard.context import (
    Assent,
    ContextInput,
    customer_words,
    last_demand,
    open_demand,
    parse_context,
    staff_before,
)
from coach.guard.phrases import PHRASE_RULES, LiteralPhrases
from coach.guard.promises import PROMISE_RULES
from coach.guard.rules import PolicyPatternRule
from coach.guard.service import service_rules
from coach.guard.vocabularies import commitment_for, families_for
from coach.policy import Policy, Role, load_policy, policy_hash
from coach.types import LONE_SURROGATE, SURROGATE_FIX, SURROGATE_MESSAGE, GuardReport, Violation

__all__ = ["MAX_CHARS", "Reviewer", "Stage", "check", "configured_stage", "dedupe", "validate_text"]

MAX_CHARS = 20_000


class _Compiled:
    """The rules and approved scripts a policy yields, built once per policy object."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.policy_hash = policy_hash(policy)
        rules: list[Rule] = [*(cls() for cls in PROMISE_RULES), *(cls() for cls in PHRASE_RULES)]
        for item in policy.forbidden_commitments:
            if item.patterns:
                rules.append(PolicyPatternRule("unauthorized_promise", item.id, item.patterns))
        for family in policy.forbidden_phrases:
            if family.patterns:
                rules.append(PolicyPatternRule("forbidden_phrase", family.id, family.patterns))
            if family.phrases:
                rules.append(LiteralPhrases(family.id, family.phrases))
        rules.append(Commitment())
        self.vocabulary = commitment_for(policy)  # in force while this policy's checks run
        rules.extend(service_rules(families_for(policy)))
        rules.append(Assent())
        self.rules = rules
        self.scripts = {name: _script_matchers(policy.scripts + role.scripts) for name, role in policy.roles.items()}

    def approved(self, role: Role, sentence: gt.Sentence) -> bool:
        squeezed = sentence.squeezed
        exact, wildcards = self.scripts[role.id]
        return squeezed in exact or any(w.fullmatch(squeezed) for w in wildcards)


def _script_matchers(scripts: list[str]) -> tuple[set[str], list[re.Pattern[str]]]:
    exact: set[str] = set()
    wildcards: list[re.Pattern[str]] = []
    for script in scripts:
        norm = gt.normalise(script)
        for sentence in gt.sentences(norm):
            squeezed = sentence.squeezed
            if "xx" in squeezed:
                wildcards.append(re.compile(re.escape(squeezed).replace("xx", ".{1,20}")))
            elif squeezed:
                exact.add(squeezed)
    return exact, wildcards


_CACHE: dict[int, _Compiled] = {}


def _compiled(policy: Policy) -> _Compiled:
    entry = _CACHE.get(id(policy))
    if entry is None or entry.policy is not policy:
        if len(_CACHE) > 16:
            _CACHE.clear()
        entry = _CACHE[id(policy)] = _Compiled(policy)
    return entry


def validate_text(text: str) -> None:
    if not text or not text.strip():
        raise InputError("the text to check is empty", "pass the reply to check, e.g. coach check \"您好……\"")
    if "\x00" in text:
        raise InputError("the text holds binary data (NUL bytes)", "pass the reply as plain UTF-8 text")
    if LONE_SURROGATE.search(text):
        raise InputError(f"要检查的回复{SURROGATE_MESSAGE}", SURROGATE_FIX)
    if len(text) > MAX_CHARS:
        raise InputError(f"the text is {len(text):,} characters; the guard checks at most {MAX_CHARS:,}",
                         "check the reply in parts, one message at a time")


class Stage(Protocol):
    """A learned stage read right after the rules (coach.guard.model.ModelStage): the flags it adds."""

    def flags(self, ctx: GuardContext, violations: list[Violation]) -> list[Violation]: ...


def configured_stage(enabled: bool) -> Stage | None:
    """The learned stage when COACH_GUARD_MODEL is on, loaded once per process; None keeps the rules alone.
    numpy is imported only here, so a rules-only process never loads it."""
    if not enabled:
        return None
    from coach.guard.model import load_stage

    return load_stage()


class Reviewer(Protocol):
    """A second opinion read after the rules (coach.guard.review.SecondOpinion): it may add flags, never remove."""

    def review(self, text: str, report: GuardReport, *, role: Role, context: ContextInput = None) -> GuardReport: ...


def check(text: str, *, role: Role | None = None, context: ContextInput = None,
          policy: Policy | None = None, reviewer: Reviewer | None = None, model: Stage | None = None) -> GuardReport:
    """Check one reply. ``role``: one of ``policy``'s roles, resolved by the caller (``policy.role(name)``);
    None = the policy's default role. ``context``: the customer's last turn (str) or the conversation as turns;
    ``model``: the learned stage after the rules (COACH_GUARD_MODEL); ``reviewer``: the second opinion to ask
    after both, if configured."""
    validate_text(text)
    policy = policy or load_policy()
    role = role or policy.role(None)
    compiled = _compiled(policy)
    norm = gt.normalise(text)
    sentences = [s for s in gt.sentences(norm) if not compiled.approved(role, s)]
    found: list[Violation] = []
    turns = parse_context(context)  # validated once; the readers below take the parsed turns as they are
    with in_force(compiled.vocabulary):  # the demand reads the policy's asserted_fault words
        ctx = GuardContext(text=text, norm=norm, sentences=sentences, policy=policy, role=role,
                           demand=last_demand(turns) if turns else None,
                           open_demand=open_demand(turns) if turns else None,
                           customer_words=customer_words(turns) if turns else "",
                           staff_before=staff_before(turns) if turns else "")
        for rule in compiled.rules:
            found.extend(rule.check(text, ctx))
        violations = dedupe(found)
        if model is not None:  # only adds: the rules' flags stay first and unchanged
            violations = violations + model.flags(ctx, violations)
    report = GuardReport(ok=not violations, violations=violations, role=role.id, policy_hash=compiled.policy_hash)
    return reviewer.review(text, report, role=role, context=context) if reviewer else report

