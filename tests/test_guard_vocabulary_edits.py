"""A policy owner edits the guard's vocabularies from files beside their policy (coach/policy_vocabulary.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coach.cli import guard_cmds
from coach.guard import check
from coach.guard.commitment import VOCABULARY_PATH
from coach.guard.model import MODEL_PATH
from coach.guard.service import PHRASES_PATH
from coach.policy import DEFAULT_POLICY_PATH, load_policy, validate_policy_file

ADDED_PROMISE = "您就瞧好吧，钱会回来的。"  # "瞧好吧" added to commitment.reassurance
REMOVED_PROMISE = "您把心放肚子里吧。"  # "把心放肚子里" removed from commitment.reassurance
ADDED_PHRASE = "您这人真难伺候。"  # a pattern added to families.dismissive
REMOVED_PHRASE = "您自己地址填错了。"  # "填错" removed from slots.careless

COMMITMENT_EDITS = """\
add:
  commitment.reassurance: [瞧好吧]
remove:
  commitment.reassurance: [把心放肚子里]
"""
PHRASE_EDITS = """\
add:
  families.dismissive.patterns: ["{you}这人真难伺候"]
remove:
  slots.careless: [填错]
"""


def policy_beside(folder: Path, commitment: str | None = COMMITMENT_EDITS, phrases: str | None = PHRASE_EDITS) -> Path:
    """The bundled policy copied into ``folder`` with a guard: section naming the edit files beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    policy = folder / "policy.yaml"
    section = "\nguard:\n  commitment: guard_words.yaml\n  service_phrases: phrase_words.yaml\n"
    policy.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + section, encoding="utf-8")
    for name, text in (("guard_words.yaml", commitment), ("phrase_words.yaml", phrases)):
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return policy


def flagged(text: str, policy_path: Path | None = None) -> set[str]:
    policy = load_policy(policy_path) if policy_path else load_policy()
    return {v.category for v in check(text, policy=policy).violations if v.detector == "rules"}


@pytest.mark.parametrize(("text", "category", "shipped", "edited"), [
    (ADDED_PROMISE, "guaranteed_outcome", False, True),
    (REMOVED_PROMISE, "guaranteed_outcome", True, False),
    (ADDED_PHRASE, "dismissive", False, True),
    (REMOVED_PHRASE, "blame_customer", True, False),
])
def test_an_added_word_flags_and_a_removed_one_stops(tmp_path: Path, text: str, category: str, shipped: bool,
                                                      edited: bool) -> None:
    path = policy_beside(tmp_path / "owner")
    assert (category in flagged(text)) is shipped
    assert (category in flagged(text, path)) is edited
    assert (category in flagged(text)) is shipped  # the shipped vocabulary is untouched for other policies


def test_inline_edits_and_replace(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
                      + "\nguard:\n  commitment:\n    replace:\n      commitment.reassurance: [瞧好吧]\n",
                      encoding="utf-8")
    assert "guaranteed_outcome" in flagged(ADDED_PROMISE, policy)
    assert "guaranteed_outcome" not in flagged("这个一般都能批。", policy)  # replaced away
    assert "guaranteed_outcome" in flagged("这个一般都能批。")


def _digests() -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in (VOCABULARY_PATH, PHRASES_PATH, MODEL_PATH)]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("check")(guard_cmds.check)
    app.add_typer(guard_cmds.policy_app, name="policy")
    return app


@pytest.mark.parametrize(("commitment", "phrases", "expected"), [
    ("add:\n  commitment.reassurance: [瞧好吧\n", PHRASE_EDITS, "guard_words.yaml:3: not valid YAML"),
    ("add:\n  commitment.reasurance: [瞧好吧]\n", PHRASE_EDITS, "'commitment.reasurance' is no list"),
    ("remove:\n  scope.hedged: [从没有过的词]\n", PHRASE_EDITS, "not in the shipped list: 从没有过的词"),
    ("ad:\n  commitment.reassurance: [瞧好吧]\n", PHRASE_EDITS, "guard.commitment.ad"),
    (COMMITMENT_EDITS, 'add:\n  families.rude_new.patterns: ["{you}活该"]\n', "new phrase family 'rude_new'"),
    (COMMITMENT_EDITS, 'add:\n  families.dismissive.patterns: ["{yuo}活该"]\n', "{yuo}"),
    (None, PHRASE_EDITS, "commitment vocabulary edits not found"),
])
def test_bad_edits_exit_2_with_the_fix_and_change_nothing(tmp_path: Path, commitment: str | None, phrases: str,
                                                          expected: str) -> None:
    path = policy_beside(tmp_path / "owner", commitment, phrases)
    before = _digests()
    problems = validate_policy_file(path)
    assert problems and any(expected in p.render(path) for p in problems) and all(p.fix for p in problems)
    runner = CliRunner()
    checked = runner.invoke(_app(), ["check", "--policy", str(path), ADDED_PROMISE])
    validated = runner.invoke(_app(), ["policy", "validate", str(path)])
    assert (checked.exit_code, validated.exit_code) == (2, 2)
    assert "fix" in checked.output and "problem(s)" in validated.output
    assert _digests() == before
    assert "guaranteed_outcome" not in flagged(ADDED_PROMISE)  # nothing of the bad edits leaked into the default
