"""What `coach check` finds in a text, rules + the shipped learned stage: the helpers the guard-run tests share."""

from __future__ import annotations

from coach.guard import check
from coach.guard.model import load_stage


def flags(text: str, context: object = None) -> set[tuple[str, str]]:
    """Rules + the shipped learned stage, as `coach check` runs them: (kind, category)."""
    return {(v.kind, v.category) for v in check(text, context=context, model=load_stage()).violations}  # type: ignore[arg-type]


def rule_flags(text: str, context: object = None) -> set[tuple[str, str]]:
    """The rules alone: what a guard run's rule changes did, without the stage."""
    return {(v.kind, v.category) for v in check(text, context=context).violations}  # type: ignore[arg-type]


def kinds(text: str, context: object = None) -> set[str]:
    return {kind for kind, _category in flags(text, context)}


def phrase_categories(text: str) -> set[str]:
    return {category for kind, category in flags(text) if kind == "forbidden_phrase"}
