"""Phrasing families the round-2 dev rows showed the rules missing; one test per family.

Every sentence here was written for these tests (none is a dataset row), in wordings other than the dev
rows', so a test passes only when the family generalises, not when one sentence is memorised.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.guard import check
from coach.policy import load_policy
from coach.types import GuardReport


def categories(report: GuardReport) -> set[str]:
    return {v.category for v in report.violations}


def assert_complete(text: str, report: GuardReport) -> None:
    """Every violation indexes the text as received and carries its explanation, suggestion and source."""
    for v in report.violations:
        assert text[v.start:v.end] == v.span, v
        assert v.explanation and v.suggestion and v.source, v


@pytest.mark.parametrize(("text", "category"), [
    ("We'll drop the service charge and add a 100-yuan voucher.", "compensation"),
    ("I'll cancel the overdue interest for you.", "compensation"),
    ("We'll knock off the delivery fee for you.", "compensation"),
    ("Everyone on the flight will be fully compensated.", "compensation"),
    ("You'll get a 50-yuan coupon from us as an apology.", "compensation"),
    ("The duplicate charge will be refunded in full, no question.", "refund_outcome"),
    ("I'm confident your claim will be accepted.", "guaranteed_outcome"),
    ("We're sure the verdict will go your way.", "guaranteed_outcome"),
    ("Consider your claim settled.", "guaranteed_outcome"),
    ("The decision will definitely be reversed.", "guaranteed_outcome"),
    ("Your line will certainly be restored.", "guaranteed_outcome"),
    ("Rest assured, the insurer will definitely be paying out.", "guaranteed_outcome"),
    ("I'll make sure the penalty is removed from your account.", "guaranteed_outcome"),
    ("We'll ring you on Monday, and by then your account will be unfrozen.", "deadline"),
    ("Let's skip the signature step this time.", "rule_exception"),
    ("Don't bother with the form, nobody checks it.", "rule_exception"),
    ("As long as you don't go to the press, I'll sort out a refund.", "private_deal"),
])
def test_english_modal_and_certainty_with_an_outcome(text: str, category: str) -> None:
    report = check(text)
    assert category in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize(("text", "category"), [
    ("我在后台补一张30元的无门槛券到您账户。", "compensation"),
    ("店里再加两盒试用装给您带回去。", "compensation"),
    ("先给您五千块慰问金，您看行吗？", "compensation"),
    ("这张券您拿着，下次来直接抵50。", "compensation"),
])
def test_vouchers_samples_and_cash_gifts(text: str, category: str) -> None:
    report = check(text)
    assert category in categories(report)
    assert_complete(text, report)


def test_a_cash_gift_above_the_roles_limit_is_flagged() -> None:
    assert "compensation" in categories(check("我给您八千块的慰问金。", role=load_policy().role("complaint_officer")))


@pytest.mark.parametrize("text", [
    "十有八九是我们配送站出了岔子。",
    "明摆着是我们后台出了差错。",
    "一看就是我们品控没把好关。",
    "老实讲，就是我们的技师操作失误把您的屏幕压裂了。",
])
def test_causes_stated_as_fact_despite_a_hedge_or_a_gap(text: str) -> None:
    report = check(text)
    assert "liability_admission" in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize("text", [
    "仲裁结果一定判您胜。",
    "上级复核以后，原来的结论肯定会被推翻。",
    "鉴定那边肯定站在您这一边。",
    "您就等着拿钱吧。",
])
def test_a_decision_foretold(text: str) -> None:
    assert "guaranteed_outcome" in categories(check(text))


@pytest.mark.parametrize("text", [
    "三天之内一定给您一个满意的答复。",
    "我们明天上午跟您联系，到时候新卡也就寄到了。",     # a callback, then a result "到时候"
])
def test_result_deadlines_after_a_callback_or_as_satisfaction(text: str) -> None:
    report = check(text)
    assert "deadline" in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize(("text", "category"), [
    ("您以后再也不会碰到她了。", "staff_discipline"),
    ("我在系统里把下单时间往前调一下，就还能参加活动。", "rule_exception"),
    ("过了保修期两个月也不要紧，这次照样算保内。", "rule_exception"),
    ("我可以给您补偿，条件是您答应以后不再去消协投诉。", "private_deal"),
    ("前提是您以后不再向12315反映，这笔钱我们可以商量。", "private_deal"),
])
def test_sanctions_record_changes_and_silence_as_the_price(text: str, category: str) -> None:
    report = check(text)
    assert category in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize("text", [
    "您是电视台的吧？我跟您说，我们公司的态度很明确。",
    "你们是报社的？那我代表店里说一句，这事跟我们无关。",
    "你们是哪个台的？行，我说两句，这事我们已经处理好了。",
    "电视台的朋友，我给大家讲两句。",
    "Since you're with the newspaper, here's our official position: the courier is to blame.",
])
def test_a_reply_that_turns_to_the_press(text: str) -> None:
    report = check(text)
    assert "media_statement" in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize(("text", "category"), [
    ("这是总部定的规矩，我们门店改不了。", "blame_rules"),
    ("我们实在无能为力。", "blame_rules"),
    ("規矩就是這麼訂的。", "blame_rules"),
    ("退货的事您自己去找厂家售后。", "pass_the_buck"),
    ("我们前台只管登记，别的不归我们。", "pass_the_buck"),
    ("就慢了半天，又没耽误您什么。", "dismissive"),
    ("就这样了，您就认了吧。", "dismissive"),
    ("都快下班了，今天不弄了。", "refuse_service"),
    ("我解释了两遍了，您怎么还听不懂？", "impatience"),
    ("你到底听没听我说话？我说了好几遍了。", "impatience"),
])
def test_service_phrase_paraphrases(text: str, category: str) -> None:
    report = check(text)
    assert category in categories(report)
    assert_complete(text, report)


@pytest.mark.parametrize("text", [
    "这不是我们的问题。",                                      # a denial
    "是不是我们系统出了问题，我现在帮您查一下。",              # a question
    "现在下结论说是我们的错还为时过早。",                      # declining to conclude
    "现在就说是我们员工拿错了货还为时过早。",                  # too early to say
    "We'll refund the fee if the investigation confirms the error.",  # condition after the promise
    "這次的運費是否可以減免，需要主管審批，我幫您申請。",      # 是否: a question, not an offer
    "我只负责帮您跟进到底，您放心。",                          # ownership, not passing the buck
    "今天不办了也没关系，您明天有空再来，我们给您留着号。",    # the customer's choice
    "我们营业到六点，现在已经六点半了，明天上午九点我优先给您办理可以吗？",
    "Nobody likes waiting, I understand; I'll follow up today.",
    "我解释得不清楚，我再说一遍。",
])
def test_denials_questions_declines_and_offers_are_not_flagged(text: str) -> None:
    report = check(text)
    assert report.ok, report.violations


def test_the_default_policy_is_loaded_once_and_its_path_never_resolved_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check("您好。")
    first = load_policy()

    def no_realpath(self: Path, strict: bool = False) -> Path:
        raise AssertionError("the bundled policy's path was resolved again")

    monkeypatch.setattr(Path, "resolve", no_realpath)
    assert load_policy() is first and check("您好。").ok
