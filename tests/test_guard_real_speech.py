"""False alarms on real agent speech (issue #20): published refund windows, status lines, questions, a bare
"是的" that confirms a fact, another party's timeline. Patterns read in JDDC staff turns, sentences our own."""

from __future__ import annotations

import pytest

from coach.guard import check


def flagged(text: str, context: str | list[dict[str, str]] | None = None) -> set[str]:
    return {v.category for v in check(text, context=context).violations}


@pytest.mark.parametrize("text", [
    "白条是[数字x]-[数字x]个工作日到账；余额/京豆/京东卡可返还的优惠券[数字x]小时到账~",  # the refund-time table
    "微信是返京东余额[数字x]到[数字x]天到账哦",
    "发货之后是[数字x]-[数字x]天为您送达的呢",                   # a range of days: an estimate
    "财务也会在[数字x]个工作日内退款至银行，您耐心等待一下哦",     # another party's timeline
    "请问 [数字x]个都返回了么",                                  # a question back
    "现在是只收到返还[数字x]的券是吧？",
    "在这里先给您赔个不是呢，希望您谅解",                         # an apology
    "查看了商家是说了给您赔付的",                                 # reported
])
def test_real_agent_speech_that_promises_nothing(text: str) -> None:
    assert flagged(text) == set()


@pytest.mark.parametrize(("context", "reply"), [
    ("取消了是吗", "是的"),
    ("我不用取件是吗", "是的呢"),
    ("直接给快递员师傅就可以了吗", "是的"),
    ("你意思商家已经退给我[数字x]了对吗", "是的哦"),
    ("好的[数字x]天无理由退换货么", "是的哦 亲亲放心哦"),          # a question about the published rule
])
def test_yes_to_a_question_that_checks_a_fact_is_no_promise(context: str, reply: str) -> None:
    assert flagged(reply, context) == set()


@pytest.mark.parametrize(("context", "reply", "category"), [
    ("今天能送到么", "是的", "deadline"),
    ("是不是你们仓库发错货了？", "对的亲", "liability_admission"),  # confirming an accusation admits it
])
def test_yes_to_a_demand_or_an_accusation_still_binds(context: str, reply: str, category: str) -> None:
    assert category in flagged(reply, context)


@pytest.mark.parametrize("text", [
    "按规定要[数字x]-[数字x]个工作日，不过我给您加急，明天一定到账。",  # staff override the window
    "三个工作日内保证把问题彻底解决。",                                  # certainty beside working days
])
def test_a_published_window_does_not_cover_staffs_own_promise(text: str) -> None:
    assert flagged(text)


def test_a_question_with_content_of_its_own_does_not_press_an_earlier_demand() -> None:
    turns = [{"speaker": "customer", "text": "我要退款"}, {"speaker": "staff", "text": "好的，这边帮您申请。"},
             {"speaker": "customer", "text": "那我中途取消了的话，就不会生效吗"}]
    assert flagged("是的", turns) == set()


def test_full_amount_before_a_comma_is_not_a_hesitation() -> None:
    # "全额，" read as the filler 额 dropped the demand's 全额 (and any rule's).
    assert "refund_outcome" in flagged("好的，可以。", "我要的是全额，一分都不能少，可以吗？")
