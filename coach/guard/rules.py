"""The rule framework: a sentence rule reports its first match per sentence that no scope check excuses.

Each rule is a small class (``rule``, ``category``, ``pattern``, ``scopes``); the tables of patterns are in
coach.guard.promises and coach.guard.phrases, the scope checks in coach.guard.text.
"""

from __future__ import annotations

import re
from typing import ClassVar

from coach.guard import text as gt
from coach.guard.base import ALL_SCOPES, GuardContext, Kind, Scope
from coach.guard.commitment import EXPLAINABLE, asked, claimed, explained, limited, past, published, refund_timetable
from coach.types import Violation


def _branches(source: str) -> list[str]:
    """The top-level alternatives of a regex source (outside groups and character classes)."""
    parts, depth, in_class, escaped, last = [], 0, False, False, 0
    for i, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[last:i])
            last = i + 1
    return [*parts, source[last:]]


class SplitPattern:
    """A rule's regex, with a second copy that leaves out the all-ASCII (English) alternatives.

    Most replies are Chinese: a sentence with no Latin letter is searched with the Chinese alternatives only
    (a third of the rule time); a sentence with Latin letters with the whole regex. Each copy compiles on
    first use, so importing the guard compiles neither and a Chinese reply never compiles the whole one.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._full: re.Pattern[str] | None = None
        self._chinese: re.Pattern[str] | None = None

    def sources(self) -> tuple[str, str]:
        """The whole regex and its Chinese-only copy."""
        kept = [b for b in _branches(self.source) if not b.isascii()]
        return self.source, "|".join(kept) if kept else r"(?!)"

    @property
    def full(self) -> re.Pattern[str]:
        if self._full is None:
            self._full = re.compile(self.source)
        return self._full

    @property
    def chinese(self) -> re.Pattern[str]:
        if self._chinese is None:
            self._chinese = re.compile(self.sources()[1])
        return self._chinese


# Outcomes a limit can name ("只能退88888包的钱"): what the customer gets at most, not a grant.
_LIMITABLE = frozenset({"refund_outcome", "compensation"})


class SentenceRule:
    """Report the first match per sentence that no scope check excuses."""

    rule: ClassVar[str]
    kind: ClassVar[Kind] = "unauthorized_promise"
    category: ClassVar[str]
    pattern: ClassVar[SplitPattern | re.Pattern[str]]
    scopes: ClassVar[frozenset[Scope]] = ALL_SCOPES
    # An excused match may have swallowed the next clause ("三个工作日内联系您，到时候钱也打到您账户里"):
    # when set, the search resumes at the next clause rather than after the whole match.
    resume_at_next_clause: ClassVar[bool] = False
    # The rule reads a date, a time or an entitlement: a published window, benefit or a status line in the
    # sentence takes it back ("储蓄卡88888-88888个工作日到账", "8月18日 18点00 您的订单正在配送途中",
    # "PLUS会员享受…免运费").
    published_excuses: ClassVar[bool] = False

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        found: list[Violation] = []
        split = self.pattern
        if isinstance(split, SplitPattern):
            chinese = split._chinese or split.chinese
            full = (split._full or split.full) if ctx.latin else chinese
        else:
            chinese = full = split
        for sentence in ctx.sentences:
            violation = self.first_violation(ctx, sentence, full if sentence.latin else chinese)
            if violation:
                found.append(violation)
        return found

    def first_violation(self, ctx: GuardContext, sentence: gt.Sentence, pattern: re.Pattern[str]) -> Violation | None:
        """The sentence's first match of ``pattern`` that no scope check excuses, as a Violation (None if
        there is none, or the policy allows it)."""
        norm, pos = sentence.norm, 0
        while (match := pattern.search(norm, pos)) is not None:
            quoted = "quote" in self.scopes and ctx.in_quote(sentence.at(match.start()))
            if not quoted and not self.excused(norm, match.start(), match.end()):
                return ctx.violation(self.kind, self.category, sentence, match.start(), match.end())
            pos = match.end()
            if self.resume_at_next_clause:
                clause_break = gt.CLAUSE_BREAK.search(norm, match.start(), match.end())
                pos = clause_break.end() if clause_break else pos
            pos = max(pos, match.start() + 1)
        return None

    def excused(self, norm: str, start: int, end: int) -> bool:
        s = self.scopes
        return (
            ("restated" in s and gt.restated(norm, start))
            or ("negation" in s and gt.negated(norm, start, end))
            or ("conditional" in s and gt.conditional(norm, start, end))
            or ("hedge" in s and gt.hedged(norm, start, end))
            or ("policy" in s and gt.policy_based(norm))
            or (self.published_excuses and published(norm))
            or (self.kind == "unauthorized_promise"
                and (past(norm, start, end) or asked(norm, end) or refund_timetable(norm)
                     or (self.category in EXPLAINABLE and explained(norm, start, end))
                     or (self.category == "guaranteed_outcome" and claimed(norm, start, end))
                     or (self.category in _LIMITABLE and limited(norm, start, end))))
            or (self.kind == "unauthorized_promise" and gt.pending(norm, end))
            or self.exempt(norm, start, end)
        )

    def exempt(self, norm: str, start: int, end: int) -> bool:
        """Rule-specific excuses (process verbs, effort words, ...)."""
        return False


class PolicyPatternRule(SentenceRule):
    """Extra ``patterns`` a policy file gives a category (or a family), with the standard scope checks."""

    def __init__(self, kind: Kind, category: str, patterns: list[str]) -> None:
        self.kind = kind  # type: ignore[misc]
        self.category = category  # type: ignore[misc]
        self.rule = f"policy.{category}"  # type: ignore[misc]
        self.pattern = re.compile("|".join(f"(?:{p})" for p in patterns))  # type: ignore[misc]
        if kind == "forbidden_phrase":
            self.scopes = frozenset({"quote", "restated"})  # type: ignore[misc]

