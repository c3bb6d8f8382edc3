"""Guard run 9: real-chat precision on the families of false alarm a blind reviewer found among the run-8 flags on
all 5,100 JDDC staff turns (evals/datasets/jddc_review_run8.jsonl). Every case is a sentence of our own, not a
real turn. Each test pairs the false alarm, which must now be clean (and is flagged by the code before run 9,
0ee55fa), with the right flag beside it that must stay: a bare refusal, an unhedged date, an amount paid."""

from __future__ import annotations

import pytest

from tests.guard_checks import flags, kinds, phrase_categories


def _said(*turns: str) -> list[dict[str, str]]:
    """Customer and staff turns, alternating, the customer first."""
    return [{"speaker": "customer" if i % 2 == 0 else "staff", "text": t} for i, t in enumerate(turns)]


def _staff_then_customer(staff: str, customer: str) -> list[dict[str, str]]:
    return [{"speaker": "staff", "text": staff}, {"speaker": "customer", "text": customer}]


# 1. A refusal WITH its case's reason in the same turn is an explanation; the bare twin stays a taboo.
@pytest.mark.parametrize(("reasoned", "bare"), [
    ("包裹已经寄出去了，没法再改地址了哦", "没法再改地址了哦"),                       # already shipped
    ("这笔款已经退回原账户了，订单恢复不了的呢", "订单恢复不了的呢"),               # already refunded
    ("您这单超过退换期限了，不支持退货的哦", "这单不支持退货的哦"),                 # past the time limit
    ("耳机开封以后就不支持退货了呢", "耳机是不支持退货的呢"),                       # goods opened
    ("为了保障您的账户安全，我们这边无法帮您改绑手机号的哦", "我们这边无法帮您改绑手机号的哦"),  # security
    ("快递跨省了，这边暂时无法修改地址呢", "这边暂时无法修改地址呢"),               # another city
    ("这是节能补贴的订单，不能换开发票的哦", "这个订单不能换开发票的哦"),           # a subsidy order
])
def test_a_refusal_with_its_reason_is_no_forbidden_phrase(reasoned: str, bare: str) -> None:
    assert "forbidden_phrase" not in kinds(reasoned)
    assert "blame_rules" in phrase_categories(bare)


# ... or with the reason in staff's own turn just before it. A connective there (因为) explains something else.
def test_a_refusal_after_staff_told_the_reason_is_no_forbidden_phrase() -> None:
    told = _staff_then_customer("您买的这台是电信的合约定制机哦", "那能插别家的卡吗")
    assert "forbidden_phrase" not in kinds("不支持的呢", told)
    other = _staff_then_customer("因为现在咨询的人比较多，需要您稍等两分钟", "周末送不到的话我要改地址")
    assert "blame_rules" in phrase_categories_in("不好意思我们这边无法修改地址的哦", other)
    offered_nothing = _staff_then_customer("商品还未出库，这边没法帮您联系站点", "那地址能改吗")
    assert "blame_rules" in phrase_categories_in("是的 一旦下单就无法修改地址", offered_nothing)


def phrase_categories_in(text: str, context: list[dict[str, str]]) -> set[str]:
    return {category for kind, category in flags(text, context) if kind == "forbidden_phrase"}


def test_a_way_forward_offered_just_before_makes_the_refusal_not_bare() -> None:
    offered = _staff_then_customer("我这边可以帮您催促财务尽快处理退款", "好的")
    assert "forbidden_phrase" not in kinds("到卡上的时间要看银行那边 这个小妹也真没办法", offered)
    assert "blame_rules" in phrase_categories("到卡上的时间要看银行那边 这个小妹也真没办法")


def test_a_reason_does_not_soften_a_closed_door_or_a_promise() -> None:
    assert "forbidden_phrase" not in kinds("拆封过的是不支持退货的哦")
    assert "forbidden_phrase" in kinds("拆封过的不退，这是规定，就这样。")
    assert ("unauthorized_promise", "compensation") in flags("商品已经发货了，请您取消后重拍，补您30元差价")
    assert "unauthorized_promise" in kinds("由于系统原因，这个是我们的系统异常了")


# 2. A process the agent can keep, asked for and agreed to, is no promise of the outcome.
def test_agreeing_to_apply_for_a_return_is_no_promise() -> None:
    assert "unauthorized_promise" not in kinds("好的呢", _said("耳机有杂音 申请个退货"))
    assert "unauthorized_promise" in kinds("好的呢", _said("耳机有杂音 今天必须给我退款"))
    assert "unauthorized_promise" in kinds("能过的", _said("我的退货申请审核能过吧?"))


# 3. No commitment at all: agreeing it will not come today, a comparison, what comes in the box.
def test_agreeing_it_will_not_arrive_today_is_no_promise() -> None:
    assert "unauthorized_promise" not in kinds("是的呢", _said("今天是送不到了吧 不用等了"))
    assert "unauthorized_promise" in kinds("是的呢", _said("今天能送到吗"))


def test_a_top_up_compared_or_a_standard_accessory_is_no_compensation() -> None:
    assert "unauthorized_promise" not in kinds("这就跟您充值话费一样，到账了就撤不回来了")
    assert "unauthorized_promise" not in kinds("标配赠送一张流量卡，用完需要自己充值")
    assert "unauthorized_promise" in kinds("给您送一张流量卡")


# 4. A system fact: the order is not shipped yet.
def test_not_yet_shipped_is_no_deadline() -> None:
    assert "unauthorized_promise" not in kinds("您这单今天刚下的 还没发货呢")
    assert "unauthorized_promise" in kinds("您这单今天给您发货")
    assert "unauthorized_promise" in kinds("已开好了，今晚寄出哦")
    assert "unauthorized_promise" in kinds("明天有结果的")


# 5. A referral that still helps: the party's number told just before; 6. a question back.
def test_sending_to_the_technician_whose_number_was_just_given_is_no_pass_the_buck() -> None:
    numbered = _staff_then_customer("师傅已出发，手机号:[电话x]，请您备好商品", "还没到")
    assert "forbidden_phrase" not in kinds("您可以直接联系下师傅的哦", numbered)
    bare = _staff_then_customer("您好", "还没到")
    assert "pass_the_buck" in phrase_categories_in("您可以直接联系下师傅的哦", bare)


def test_a_question_back_or_a_confirmation_prompt_is_no_forbidden_phrase() -> None:
    assert "forbidden_phrase" not in kinds("请问您联系商家了吗")
    assert "pass_the_buck" in phrase_categories("您联系一下商家哦")
    assert "forbidden_phrase" not in kinds("温馨提示：订单取消后就无法恢复了，确认取消吗")
    assert "blame_rules" in phrase_categories("订单取消后就无法恢复了哦")


def test_a_closing_template_asking_after_the_customer_is_no_ignorance() -> None:
    closing = "没收到您的回复，暂时不知道您的问题是否已经解决，有问题随时找我，我一定为您解决好。"
    assert "forbidden_phrase" not in kinds(closing)
    assert ("unauthorized_promise", "guaranteed_outcome") in flags(closing)
    assert "ignorance" in phrase_categories("这个我也不知道呢")
