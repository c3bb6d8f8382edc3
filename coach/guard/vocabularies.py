"""The vocabularies a policy's guard reads: the shipped commitment.yaml and service_phrases.yaml with the
policy owner's edits applied (coach/policy_vocabulary.py reads them), compiled once per policy object."""

from __future__ import annotations

from coach.errors import ConfigError
from coach.guard.commitment import Vocabulary, compile_vocabulary, read_vocabulary, shipped_vocabulary
from coach.guard.service import Family, compile_families, families, read_phrases
from coach.policy import LATER_CHECKS, Policy
from coach.policy_vocabulary import VocabularyEdits, apply_edits

Problem = tuple[tuple[str | int, ...], str, str]  # (location in the policy, message, fix)


def commitment_for(policy: Policy) -> Vocabulary:
    edits = policy.guard.commitment
    if edits is None:
        return shipped_vocabulary()
    _refuse(edit_problems(policy))
    data, _ = apply_edits("commitment", read_vocabulary(), edits)
    return compile_vocabulary(data, _where("commitment", edits))


def families_for(policy: Policy) -> tuple[Family, ...]:
    edits = policy.guard.service_phrases
    if edits is None:
        return families()
    _refuse(edit_problems(policy))
    data, _ = apply_edits("service_phrases", read_phrases(), edits)
    return compile_families(data, _where("service_phrases", edits))


def edit_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's edits: paths that name no list, removed words that are not there,
    wording that no longer compiles, and a new phrase family the policy gives no title or explanation."""
    found: list[Problem] = []
    for which, edits, shipped in (("commitment", policy.guard.commitment, read_vocabulary),
                                  ("service_phrases", policy.guard.service_phrases, read_phrases)):
        if edits is None:
            continue
        base = shipped()
        data, problems = apply_edits(which, base, edits)  # type: ignore[arg-type]
        found += [(("guard", which, *loc.split(".", 1)), f"{_where(which, edits)}: {msg}", fix)
                  for loc, msg, fix in problems]
        if problems:
            continue
        try:
            if which == "commitment":
                compile_vocabulary(data, _where(which, edits))
            else:
                compile_families(data, _where(which, edits))
        except ConfigError as exc:
            found.append((("guard", which), exc.message, exc.fix))
        if which == "service_phrases":
            known = {f.id for f in policy.forbidden_phrases}
            found += [(("guard", which), f"{_where(which, edits)}: new phrase family {name!r} has no entry under "
                       "forbidden_phrases, so it would never flag",
                       f"add `- id: {name}` with title, explanation, better and source under forbidden_phrases")
                      for name in data["families"] if name not in base["families"] and name not in known]
    return found


def _refuse(problems: list[Problem]) -> None:
    """A policy built without load_policy's checks (e.g. Policy.model_validate) still never runs bad edits."""
    if problems:
        _, message, fix = problems[0]
        raise ConfigError(message, fix)


LATER_CHECKS.append(edit_problems)


def _where(which: str, edits: VocabularyEdits) -> str:
    return edits.file or f"the policy's guard.{which}"
