"""Script conversion and template gaps (coach/script.py): the behaviour the corpus, the analyser, the guard,
the composer, the chain and the callback script rely on."""

from __future__ import annotations

import pytest

from coach.compose.facts import key_facts
from coach.script import find_placeholders, to_simplified, to_simplified_aligned, to_traditional


def test_traditional_documents_and_queries_meet_in_simplified_form() -> None:
    assert to_simplified("處理客戶投訴") == "处理客户投诉"
    assert to_simplified("瞭解") == "了解"  # a phrase, not character by character (瞭 alone stays 瞭)
    assert to_simplified("处理客户投诉") == "处理客户投诉"
    assert to_simplified("Refund NOW, 退保!") == "Refund NOW, 退保!"


def test_the_guards_copy_keeps_every_offset() -> None:
    text = "我們瞭解您的擔心，保證三天內給您答覆。"
    simplified = to_simplified_aligned(text)
    assert simplified == "我们了解您的担心，保证三天内给您答复。"
    assert len(simplified) == len(text)
    assert simplified[text.index("保證"):][:2] == "保证"


def test_traditional_replies_use_taiwan_characters() -> None:
    assert to_traditional("我们会在三个工作日内回复您") == "我們會在三個工作日內回覆您"
    assert to_traditional("请到柜台办理") == "請到櫃檯辦理"


@pytest.mark.parametrize("text, gaps", [
    ("您好，XX先生，请于××日前来", ["XX", "××"]),
    ("联系电话：＿＿＿，地址：____", ["＿＿＿", "____"]),
    ("由【 】负责，编号[]", ["【 】", "[]"]),
    ("请某某经理回电", ["某某"]),
    ("金额＊＊元，账号***", ["＊＊", "***"]),
])
def test_template_gaps_are_found(text: str, gaps: list[str]) -> None:
    assert find_placeholders(text) == gaps


@pytest.mark.parametrize("text", [
    "XXL 号的衣服", "请拨打[PHONE_1]联系我们", "【重要】请核对", "我们的x光报告", "一个*号", "my_name",
])
def test_filled_text_has_no_gaps(text: str) -> None:
    assert find_placeholders(text) == []


def test_a_template_gap_in_the_customers_words_is_not_restated_as_a_fact() -> None:
    # The composer restates the customer's own account; a clause naming 某某 or XX is a template, not a fact.
    facts = key_facts("某某业务员骗我买了保险。XX经理也不回电话。", "zh-Hans")
    assert facts and not any(find_placeholders(f) for f in facts)
