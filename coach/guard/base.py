"""The guard's base types: what every rule sees (GuardContext), the rule protocol, and the role check.

No pattern tables live here; the rules (coach.guard.rules) and their tables (promises, phrases, context)
build on this module, which imports nothing else of the guard but the text layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

from coach.guard import text as gt
from coach.policy import Policy, Role
from coach.types import Violation

Kind = Literal["unauthorized_promise", "forbidden_phrase"]
Scope = Literal["negation", "quote", "restated", "conditional", "hedge", "policy"]
ALL_SCOPES: frozenset[Scope] = frozenset({"negation", "quote", "restated", "conditional", "hedge", "policy"})

_APOLOGY = re.compile(r"抱歉|对不起|歉意|不好意思|sorry|apolog")
_QUOTE_MARK = re.compile(r'["“”「」『』‘’]')
_FULL = re.compile(r"全额|全部损失|所有损失|全赔|全部赔|双倍|三倍|加倍")


def role_may(role: Role, category: str, sentence_norm: str) -> bool:
    """The role may commit to this category here: a grant without a limit, or amounts within it."""
    grant = role.grant(category)
    if grant is None:
        return False
    if grant.max_amount is None:
        return True
    stated = gt.amounts(sentence_norm)
    if not stated:
        return not _FULL.search(sentence_norm)
    return max(stated) <= grant.max_amount


@dataclass
class GuardContext:
    """What every rule sees: the text, its normalised copy, the sentences to check, the policy."""

    text: str
    norm: str
    sentences: list[gt.Sentence]
    policy: Policy
    role: Role
    demand: object | None = None  # context.Demand, when the customer's turn asked for something
    open_demand: object | None = None  # context.Demand still open: asked earlier, only thanked or acknowledged since
    customer_words: str = ""  # the customer's turns, normalised and squeezed (whose words a quote holds)
    staff_before: str = ""  # staff's own turn just before the reply, normalised (a reason or help told there)
    notes: dict[str, str] = field(default_factory=dict)
    latin: bool = field(init=False)  # some sentence holds a Latin letter (the English wording is searched)
    quotes: list[tuple[int, int]] = field(init=False)  # balanced quotes of someone else's words, in ``norm``

    def __post_init__(self) -> None:
        self.latin = any(s.latin for s in self.sentences)
        self.quotes = gt.exempt_quotes(self.norm, self.customer_words) if _QUOTE_MARK.search(self.norm) else []

    def in_quote(self, position: int) -> bool:
        """``position`` (an offset in the text) lies inside a quote of someone else's words."""
        return any(left < position < right for left, right in self.quotes)

    def granted(self, category: str, sentence_norm: str) -> bool:
        return role_may(self.role, category, sentence_norm)

    def violation(self, kind: Kind, category: str, sentence: gt.Sentence, start: int, end: int,
                  *, lead: str = "") -> Violation | None:
        """A Violation over the clause(s) around [start, end) of ``sentence``; None if the policy allows it."""
        if kind == "unauthorized_promise":
            rule = self.policy.commitment(category)
            if rule is None or self.granted(category, sentence.norm):
                return None
            explanation, safe, source = rule.explanation, rule.safe_alternative, rule.source_text()
        else:
            family = self.policy.family(category)
            if family is None:
                return None
            explanation, safe, source = family.explanation, family.better, family.source.render()
        left, right = gt.clause_bounds(sentence.norm, start, end)
        abs_start, abs_end = sentence.at(left), sentence.after(right)
        return Violation(
            kind=kind, category=category, span=self.text[abs_start:abs_end], start=abs_start, end=abs_end,
            explanation=lead + explanation, suggestion=self._rewrite(sentence, left, safe), source=source,
        )

    def _rewrite(self, sentence: gt.Sentence, left: int, safe: str) -> str:
        """The safe alternative, keeping an apology that opened the sentence (apologising is allowed)."""
        opening = sentence.norm[:left]
        if left and _APOLOGY.search(opening):
            kept = self.text[sentence.start:sentence.at(left)].strip(gt._TRIM)
            return f"{kept}，{safe}"
        return safe


class Rule(Protocol):
    @property
    def rule(self) -> str: ...

    def check(self, text: str, ctx: GuardContext) -> list[Violation]: ...


def dedupe(found: list[Violation]) -> list[Violation]:
    """One violation per category and span; overlapping spans of one category keep the first found."""
    kept: list[Violation] = []
    for violation in found:
        if any(v.category == violation.category and v.start < violation.end and violation.start < v.end for v in kept):
            continue
        kept.append(violation)
    return sorted(kept, key=lambda v: (v.start, v.end, v.category))
