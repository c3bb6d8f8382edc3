"""False alarms on real chat (issue #20, guard5): families read on the JDDC TUNE half (bench/jddc_review.py),
each tested with sentences of our own; every "not flagged" case here was flagged by main's code at 51b42d0.
True promises in the same chat register stay flagged."""

from __future__ import annotations

import pytest

from bench.jddc_review import half
from coach.guard import check
from coach.guard.model import load_stage


def kinds(text: str, context: str | None = None) -> set[str]:
    """Rules + the shipped learned stage, as `coach check` runs them."""
    return {v.kind for v in check(text, context=context, model=load_stage()).violations}


@pytest.mark.parametrize("text", [
    "我们的货都是品牌直采，层层质检，保证正品的哦~",
    "店里的商品都是源头直供，保证商品质量，您放心哈",
    "您挑的这款一定不会让您失望的呢",
])
def test_a_claim_about_the_goods_is_no_promise_about_the_case(text: str) -> None:
    assert kinds(text) == set()


def test_a_limit_on_what_is_refunded_is_no_grant() -> None:
    assert kinds("这种情况只能退一半的钱哦") == set()


def test_a_window_counted_from_an_event_is_the_policy_clock() -> None:
    assert kinds("到站后会在2小时内为您配送的哈") == set()


@pytest.mark.parametrize("text", [
    "屏幕之前也是这样闪的 是么",        # a question back to the customer
    "价格差别不算大呢~亲",              # a softened explanation
    "不客气 已经充值好了 短信通知",      # a thank-you and a status
])
def test_chat_register_with_no_taxonomy_cue_is_no_forbidden_phrase(text: str) -> None:
    assert "forbidden_phrase" not in kinds(text)


@pytest.mark.parametrize("text", [
    "亲 明天一定给您退哦~",
    "放心 肯定给您补差价的",
    "保证正品，有问题我们肯定给您退",     # a claim beside a case outcome
    "只能给您全额退了",                 # a "limit" that grants everything
    "下单后2小时内一定给您送到",          # an event's window with certainty
])
def test_true_promises_in_chat_register_are_still_flagged(text: str) -> None:
    assert "unauthorized_promise" in kinds(text)


@pytest.mark.parametrize("text", ["这个我们也不知道呢", "您自己地址填错了怪谁呢"])
def test_forbidden_phrases_with_softeners_are_still_flagged(text: str) -> None:
    assert "forbidden_phrase" in kinds(text)


def test_the_jddc_split_is_fixed_by_the_session_id() -> None:
    assert [half(s) for s in ("00000000", "abcdef12", "ffffffff", "12345678")] == ["tune", "measure", "tune", "tune"]
    assert half("abcdef12", {"abcdef12"}) == "labelled"
