"""Guard run 11 (session 18), English found by probing, not by a labelled row (no labelled row's flags change).

1. A vocabulary entry starts a word: "once" (a condition) sat inside "concerned" and took back "the staff member
   concerned will be dismissed", the way "if" would sit in "notify" and "ask" in "task". The end of an entry stays
   open, so inflected forms are still read.
2. An English day part or hour is a time like "tomorrow" ("ready this afternoon", "by end of day", "by 5pm"), and
   effort ("try to", "do our best") hedges it as 尽量 does."""

from __future__ import annotations

import pytest

from coach.guard.service import compile_families
from tests.guard_checks import rule_flags


@pytest.mark.parametrize("text", [
    "The staff member concerned will be dismissed following this incident.",
    "Please be assured that the officer concerned has been suspended and will be dismissed.",
])
def test_a_condition_word_inside_another_word_takes_nothing_back(text: str) -> None:
    assert ("unauthorized_promise", "staff_discipline") in rule_flags(text)


def test_the_condition_word_itself_still_takes_a_commitment_back() -> None:
    assert "unauthorized_promise" not in {k for k, _ in rule_flags(
        "Once the review is complete, the staff member will be dismissed if the policy requires it.")}


def _family(patterns: list[str]) -> object:
    data = {"slots": {"you": ["you", "your"]}, "sources": {}, "families": {"rude": {"patterns": patterns}}}
    (family,) = compile_families(data, "test")
    return family


def test_a_phrase_entry_starts_a_word_and_keeps_its_inflections() -> None:
    family = _family(["rude", "(calm|settle) down", "{you} people"])
    assert family.pattern.search("that was rude of me")  # type: ignore[attr-defined]
    assert not family.pattern.search("a prudent choice")  # type: ignore[attr-defined]
    assert family.pattern.search("calm down")  # type: ignore[attr-defined]
    assert not family.pattern.search("becalm down")  # type: ignore[attr-defined]
    assert family.pattern.search("you people")  # type: ignore[attr-defined]
    assert not family.pattern.search("bayou people")  # type: ignore[attr-defined]
    assert _family(["refund"]).pattern.search("you were refunded")  # type: ignore[attr-defined]


def test_chinese_entries_match_anywhere_as_before() -> None:
    assert _family(["不知道"]).pattern.search("这个我不知道")  # type: ignore[attr-defined]


@pytest.mark.parametrize("text", [
    "Your replacement card will be ready this afternoon.",
    "We'll have the refund in your account by end of day.",
    "The engineer will be there by 5pm.",
])
def test_an_english_day_part_or_hour_is_a_deadline(text: str) -> None:
    assert ("unauthorized_promise", "deadline") in rule_flags(text)


@pytest.mark.parametrize("text", [
    "We'll try to get it to you this afternoon.",
    "We will do our best to deliver it tomorrow.",
    "I'll move you to the 9 am flight.",
    "I'll call you this afternoon with an update.",
    "You said you came in this morning.",
])
def test_effort_a_callback_or_a_clock_time_as_a_name_is_no_deadline(text: str) -> None:
    assert ("unauthorized_promise", "deadline") not in rule_flags(text)
