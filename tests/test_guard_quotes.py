"""Quotation marks: only a balanced quote of someone else's words is exempt (issue #20, item 4).

An unbalanced opening quote used to hide everything after it; a quote staff open to make their own
promise ("我向您保证：“明天全额退款。”") is their own words.
"""

from __future__ import annotations

import pytest

from coach.guard import check


def kinds(text: str, context: str | None = None) -> set[str]:
    return {v.kind for v in check(text, context=context).violations}


@pytest.mark.parametrize("text", [
    "关于“退款的事，我保证明天给您全额退款并赔偿您500元。",          # unbalanced: the case
    "关于「退款的事，我们肯定给您全额退款。",
    "\"我们保证全额退款，明天到账。",                                    # an odd straight quote
    "我向您保证：“明天一定给您全额退款。”",                             # staff quoting themselves
    "您说的我都理解，我向您保证：“明天一定给您全额退款。”",             # after the customer's words
    "您说的“太慢了”我理解，“三天内一定给您全额退款”，这个我说到做到。",  # balanced, but staff's own words
])
def test_a_quote_that_is_not_the_customers_words_hides_nothing(text: str) -> None:
    assert "unauthorized_promise" in kinds(text)


@pytest.mark.parametrize(("text", "context"), [
    ("您说业务员当时讲“保证全额退款”，这个我需要核实一下。", None),
    ("“给您全额退款”这种话我们不能随便说。", None),
    ("您提到的“三天内全额退款”，我先帮您记下来反馈给专员。", None),
    ("关于“一定全额退款”，我这边先帮您登记。", "你们业务员说一定全额退款的！"),  # the customer's own words
])
def test_a_balanced_quote_of_the_customers_words_is_exempt(text: str, context: str | None) -> None:
    assert "unauthorized_promise" not in kinds(text, context)


def test_a_quote_across_sentences_is_read_as_one() -> None:
    text = "您说“我要全额退款。今天就要到账。”我理解您的心情，我先帮您提交申请。"
    assert check(text).ok


def test_quotes_listed_after_the_customers_words_are_the_customers_too() -> None:
    text = ('First, I will write down everything you have told me, including "全额退款保证", "你爱找谁找谁" and '
            '"赔偿五千"; your complaint is now registered.')
    assert check(text).ok
