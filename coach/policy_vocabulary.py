"""A policy owner's edits to the guard's vocabularies (coach/guard/commitment.yaml, service_phrases.yaml).

A policy names them under ``guard:``, as a file beside the policy or inline:

    guard:
      commitment: guard_words.yaml          # relative to the policy file
      service_phrases:                      # or the edits themselves
        add: {families.blame_customer.patterns: ["{you}活该"]}

An edits file holds ``add``, ``remove`` and ``replace``, each mapping a dotted path to one list of the shipped
file ("commitment.undertaking", "scope.hedged", "slots.you", "families.impatience.unless") to words. ``add``
appends, ``remove`` takes shipped words out (each must be there), ``replace`` swaps the whole list. A new phrase
family is ``add: {families.<id>.patterns: [...]}``, and needs its entry under the policy's forbidden_phrases.

This module only reads and applies edits (plain data); the guard compiles the result
(coach/guard/commitment.py, coach/guard/service.py), and coach/policy.py reports every problem with its line.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Vocabulary = Literal["commitment", "service_phrases"]
_NEW_FAMILY_LISTS = ("patterns", "unless")


class VocabularyEdits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str | None = Field(default=None, description="The file beside the policy the edits were read from.")
    add: dict[str, list[str]] = Field(default_factory=dict, description="Dotted path of a list -> words added.")
    remove: dict[str, list[str]] = Field(default_factory=dict, description="Dotted path -> shipped words removed.")
    replace: dict[str, list[str]] = Field(default_factory=dict, description="Dotted path -> the whole new list.")


class GuardVocabularies(BaseModel):
    """The policy's ``guard:`` section: edits to each vocabulary (a file name in the YAML, read at load)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commitment: VocabularyEdits | None = None
    service_phrases: VocabularyEdits | None = None


def list_paths(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every dotted path of ``data`` that leads to a list (what an edit may name)."""
    paths: list[str] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, list):
            paths.append(path)
        elif isinstance(value, dict):
            paths += list_paths(value, f"{path}.")
    return paths


def apply_edits(which: Vocabulary, shipped: dict[str, Any],
                edits: VocabularyEdits) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The shipped data with the edits applied, and the problems found: (location in the edits, message, fix)."""
    data = copy.deepcopy(shipped)
    problems: list[tuple[str, str, str]] = []
    known = set(list_paths(shipped))
    for action in ("replace", "remove", "add"):
        for path, words in getattr(edits, action).items():
            target = _target(which, data, path, creating=action == "add")
            if target is None or (path not in known and action != "add"):
                problems.append((f"{action}.{path}", f"{path!r} is no list of the shipped {which}.yaml",
                                 _valid_paths_fix(which, known)))
                continue
            problems += _edit(which, target, action, path, [str(w) for w in words])
    return data, problems


def _edit(which: Vocabulary, target: list[Any], action: str, path: str,
          words: list[str]) -> list[tuple[str, str, str]]:
    if action == "replace":
        target[:] = words
    elif action == "add":
        target.extend(w for w in words if w not in target)
    else:
        missing = [w for w in words if w not in target]
        if missing:
            return [(f"remove.{path}", f"not in the shipped list: {', '.join(missing)}",
                     f"remove only words the list holds, spelled as in coach/guard/{which}.yaml")]
        target[:] = [w for w in target if w not in words]
    return []


def _target(which: Vocabulary, data: dict[str, Any], path: str, *, creating: bool) -> list[Any] | None:
    """The list at ``path``; with ``creating``, a new family's patterns/unless list is made."""
    parts = path.split(".")
    if creating and which == "service_phrases" and len(parts) == 3 and parts[0] == "families" \
            and parts[2] in _NEW_FAMILY_LISTS and parts[1] not in data["families"]:
        data["families"][parts[1]] = {"patterns": [], "sources": []}
    node: Any = data
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            if creating and isinstance(node, dict) and part in _NEW_FAMILY_LISTS and part == parts[-1]:
                node[part] = []
                return node[part]
            return None
        node = node[part]
    return node if isinstance(node, list) else None


def _valid_paths_fix(which: Vocabulary, known: set[str]) -> str:
    shown = sorted(known)
    more = f" … ({len(shown) - 12} more)" if len(shown) > 12 else ""
    return f"name a list of coach/guard/{which}.yaml, e.g. {', '.join(shown[:12])}{more}"
