"""Guard run 10 (session 17): what the leave-one-author-out misses, the JDDC tune half's misses and the letters of
author a16 (measured once as a test-only author, then trained on) share, in sentences of our own. Each new reading
is paired with its twin on the other side of the line; every test of a new reading has cases that fail on the code
before run 10 (eec9f10), and the twins pass on both."""

from __future__ import annotations

import pytest

from tests.guard_checks import kinds, rule_flags


# 1. 先帮您办 is the order of work unless something the rules require is skipped beside it.
@pytest.mark.parametrize("text", ["我先帮您办理挂失。", "我先帮您办理挂失，再帮您查这笔交易。", "您稍坐，我先帮您办开户。"])
def test_doing_one_thing_first_is_no_rule_exception(text: str) -> None:
    assert "unauthorized_promise" not in kinds(text)


@pytest.mark.parametrize("text", [
    "户口本没带也行，我先帮您办了，下回再拿来。",
    "先给您退了，单据您改天补过来。",
])
def test_doing_it_first_while_a_requirement_waits_is_a_rule_exception(text: str) -> None:
    assert ("unauthorized_promise", "rule_exception") in rule_flags(text)


def test_a_queue_jump_is_read_from_the_customer_asking_for_it() -> None:
    asked = "我有急事，能让我插个队吗？"
    assert ("unauthorized_promise", "rule_exception") in rule_flags("行，您到这边来，我先给您办。", asked)
    assert "unauthorized_promise" not in kinds("行，您到这边来，我先给您办。", "我填好单子了，现在去哪个窗口？")


# 2. A parcel's interception told as fact is an assurance the courier has not given; an attempt is not.
@pytest.mark.parametrize("text", ["站点那边会拦截的哦", "放心，这单不会给您派送了", "这边会帮您拦截，到站就不会再送了呢"])
def test_interception_told_as_fact_is_a_guaranteed_outcome(text: str) -> None:
    assert ("unauthorized_promise", "guaranteed_outcome") in rule_flags(text)


@pytest.mark.parametrize("text", [
    "我这边会帮您拦截，拦截不成功的话包裹会正常派送，您拒收就可以",
    "已经帮您提交拦截申请了，能不能拦住要看站点那边",
    "不确定能不能拦截下来，我帮您催一下站点",
])
def test_an_interception_attempt_is_no_promise(text: str) -> None:
    assert "unauthorized_promise" not in kinds(text)


# 3. "确定" answering "are you sure it will be stopped?" commits like "放心".
def test_sure_in_answer_to_an_outcome_is_assent() -> None:
    asked = "你确定拦得住吗？我不想再收到这个件"
    assert ("unauthorized_promise", "guaranteed_outcome") in rule_flags("确定的亲", asked)
    assert "unauthorized_promise" not in kinds("确定的亲", "地址是不是写的朝阳路那个？")


# 4. Yes to "can I return it?" followed by the published terms answers what the rules allow.
@pytest.mark.parametrize(("asked", "answer"), [
    ("这双鞋没穿过，还能退吗？", "可以的，七天内不影响二次销售都支持无理由退货，您在订单页点申请就行"),
    ("降价了差价能退给我吗？", "能的亲，在价保期内都可以申请价保"),
    ("充电器坏了能换吗？", "可以，经过检测确认是质量问题的话按三包给您换"),
])
def test_yes_on_the_published_terms_is_no_promise(asked: str, answer: str) -> None:
    assert "unauthorized_promise" not in kinds(answer, asked)


@pytest.mark.parametrize(("asked", "answer"), [
    ("这双鞋没穿过，还能退吗？", "可以的，七天内一定给您全额退"),
    ("降价了差价能退给我吗？", "能的亲，差价我现在就补给您"),
])
def test_yes_with_a_grant_of_its_own_stays_a_promise(asked: str, answer: str) -> None:
    assert "unauthorized_promise" in kinds(answer, asked)


# 5. Written registers (author a16's letters, now a training author): the same commitments in formal dress.
@pytest.mark.parametrize(("text", "category"), [
    ("本店将承担您此次全部的检查费用。", "compensation"),
    ("另赠您一张保养券，作为补偿。", "compensation"),
    ("经了解，确实是当时的理财经理误导了您。", "liability_admission"),
    ("此事责任在我方，特此致歉。", "liability_admission"),
    ("涉事店员我们会作降职处理。", "staff_discipline"),
    ("您的体检结果没问题，肯定能承保。", "guaranteed_outcome"),
    ("本公司承诺将给您一个满意的处理结果。", "guaranteed_outcome"),
])
def test_formal_commitments_are_flagged(text: str, category: str) -> None:
    assert ("unauthorized_promise", category) in rule_flags(text)


@pytest.mark.parametrize("text", [
    "投保时条款已向您说明，并由您本人签字确认，此次拒赔的责任完全在您自身的未如实告知。",
    "如果核实确实是理财经理误导了您，我们会按规定处理。",
    "您是说当时的理财经理误导了您，对吗？",
    "本公司承诺在三个工作日内给您书面回复。",
])
def test_their_twins_are_not_promises(text: str) -> None:
    assert "unauthorized_promise" not in {kind for kind, _ in rule_flags(text)}


# 6. Anonymised values numbered by the export ("[日期3]", "[金額5]") read as values, like "[日期x]".
def test_numbered_anonymised_dates_are_dates() -> None:
    assert ("unauthorized_promise", "deadline") in rule_flags("[日期3]之前理赔款一定到您账户。")
    assert "unauthorized_promise" not in {k for k, _ in rule_flags("您的来信我行已于[日期2]收到，正在核实。")}


# 7. The learned stage: a sentence whose only outcome words are the customer's, quoted back, promises nothing
# (the stage rebuilt on a14-a16 flagged one); an unbalanced quote hides nothing.
def test_the_customers_words_quoted_back_are_no_promise() -> None:
    assert "unauthorized_promise" not in kinds("您提到的“分红”、“全额退保”这两点，我都记下来了。")
    assert "unauthorized_promise" in kinds("关于“全额退保的事，我保证下周给您办好。")
