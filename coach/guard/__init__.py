"""The guard: no unauthorised promise, no forbidden service phrase.

``check(text, role=..., context=..., policy=...)`` reads the text sentence by sentence (simplified,
traditional and English), runs one small rule per forbidden category and phrase family, and returns a
GuardReport whose offsets index the text exactly as received. Checks only report.

The package, bottom up: ``text`` (normalised copy, sentences, scope checks), ``base`` (GuardContext, the
rule protocol), ``rules`` (the sentence-rule framework), ``promises`` / ``phrases`` (the rule tables),
``context`` (assent to the customer's demand), ``checker`` (``check``), ``review`` (the optional model
second opinion; imported only when asked for).

Kept light: no jieba, Chroma, LangChain or deepeval on this import path (``coach check`` starts fast).
"""

from coach.guard.checker import MAX_CHARS, Reviewer, Stage, check, configured_stage, dedupe, validate_text

__all__ = ["MAX_CHARS", "Reviewer", "Stage", "check", "configured_stage", "dedupe", "validate_text"]
