"""Precision on real agent speech (issue #20, second pass): a bare 好的/是的/嗯 binds only to a customer turn
that asks for an outcome, and an explanation of how a refund travels or what happens if the customer does X
is no promise. Patterns read in unlabelled JDDC sessions; every sentence here is our own."""

from __future__ import annotations

import pytest

from coach.guard import check


def flagged(text: str, context: str | list[dict[str, str]] | None = None) -> set[str]:
    return {v.category for v in check(text, context=context).violations}


@pytest.mark.parametrize(("context", "reply"), [
    # a narrative with a time and a 到 in it asks for nothing ("今天…收到", "遇到", "到期")
    ("我今天白天收到一条短信，说包裹放在小区门口的柜子里，我还没去拿，现在显示签收了", "好的呢"),
    ("我现在报销遇到了麻烦，学校要求提供发货清单，搞得我很头大", "是的哦"),
    ("我的会员[数字x]号到期，是不是按那天以后再算", "嗯嗯 直接顺延一年的哈"),
    # 不告诉 is not 不告 (a threat to sue): a complaint about being kept uninformed
    ("服了，发货前为啥不告诉一下?", "确实是很抱歉的呢"),
    # one word naming an outcome, with no request in it
    ("退货", "好的 退货请您保证配件齐全哦"),
])
def test_assent_after_a_turn_that_asks_for_no_outcome_is_no_promise(context: str, reply: str) -> None:
    assert flagged(reply, context) == set()


def test_shi_zheyang_de_opens_an_explanation_it_assents_to_nothing() -> None:
    assert flagged("是这样的 这个服务是需要您自己申请退出的呢", "以后还会每个月扣费吗") == set()


@pytest.mark.parametrize(("context", "reply", "category"), [
    ("能今天给我送到吗?", "好的", "deadline"),
    ("你们必须全额退款!", "好的", "refund_outcome"),
    ("以后还会每个月扣费吗", "不会的", "guaranteed_outcome"),
    ("行 帮我退款吧", "好的", "refund_outcome"),
])
def test_assent_to_an_asked_outcome_still_binds(context: str, reply: str, category: str) -> None:
    assert category in flagged(reply, context)


@pytest.mark.parametrize("text", [
    "退款是会退回到您的白条额度上面的呢",          # where the money goes, not whether it comes
    "是会给您退回到您京东余额账户的哦。",
    "系统会将差价原返您支付方式的呢",
    "这个金额是原返的 到时候直接退回您的支付账户的",
    "拒收的话都是会退的呢",                      # what happens if the customer does X
    "如果有降价的话 您可以申请 有差价的话会给您返还的哦",
])
def test_explaining_how_a_refund_travels_or_what_follows_a_customer_step_is_no_promise(text: str) -> None:
    assert flagged(text) == set()


@pytest.mark.parametrize("text", [
    "钱肯定原路退回给您，您放心",                 # certainty keeps it a promise
    "我给您全额退款，原路返回到您的支付账户",       # staff's own undertaking of a full refund
    "您同意的话我马上给您退款",                   # staff's act, not what follows the customer's step
    "你重新购买之后产生的差价我们会补给您",
    "好评的话给您返5元",                          # an inducement, not an explanation
])
def test_a_destination_or_condition_does_not_cover_staffs_own_promise(text: str) -> None:
    assert flagged(text)


@pytest.mark.parametrize(("context", "reply"), [
    # 看到 is seeing, not arriving
    ("我会员下个月到期，我现在想续费，是不是接着算 现在看到了", "嗯嗯 直接叠加的哈"),
    # asks whether something will harm, not for an outcome
    ("短信太早了没回复，不知道会不会影响明天送货", "会的呢"),
    # a question about how a step works ("…的吗", "如果我…")
    ("我如果退货，白条也一起取消的吗?", "嗯嗯，是一起取消的"),
    # a complaint narrative: "还是给我…" reports what happened
    ("我特意选了纸质发票，结果还是给我电子发票，单位报销的时候会有问题", "是的"),
])
def test_assent_to_a_question_about_how_things_work_is_no_promise(context: str, reply: str) -> None:
    assert flagged(reply, context) == set()


@pytest.mark.parametrize("text", [
    "到时候修改完成，会给您短信通知哦",              # 到时候 alone names no date
    "您到时候可以直接和配送小哥协调下送货时间的哦",
    "已经联系站点核实了，稍后有结果回复您",          # when staff report back, not when the result comes
])
def test_a_vague_time_or_a_callback_is_no_deadline(text: str) -> None:
    assert "deadline" not in flagged(text)


@pytest.mark.parametrize("text", [
    "三个工作日内联系您，到时候理赔款也就打到您账户里了",  # 到时候 after a concrete time still promises
    "到时候肯定到账",
    "明天有结果，我马上回复您",
])
def test_a_vague_time_after_a_date_or_with_certainty_still_promises(text: str) -> None:
    assert flagged(text)


def test_not_knowing_with_a_callback_offer_is_no_ignorance() -> None:
    assert flagged("小妹这边不知道呢，不过如果您没接到，会再次给您回电的") == set()


@pytest.mark.parametrize("text", [
    "商品支持[数字x]天无理由退货 [数字x]天质量问题换货 一年保修的呢    请您放心",   # 请您放心 is courtesy
    "PLUS会员享受自营商品售后服务免运费和免费上门取件服务",                    # a published benefit
    "是订单完成的第二天算的 比如商品是[数字x]号完成的，就是第二天开始算",        # an example
    "亲爱哒，这边物流显示今天给您配送了第二个呢",                              # reading out the status
    "可以的呢 只要是您能退的就好了啊",                                        # what follows the customer's step
])
def test_restating_published_policy_or_an_example_is_no_promise(text: str) -> None:
    assert flagged(text) == set()


@pytest.mark.parametrize("text", [
    "您放心，明天一定给您送到，七天无理由也支持",        # certainty stands beside policy
    "运费我们给您免了，您享受会员服务",                  # staff's own waiver
])
def test_policy_words_do_not_cover_staffs_own_promise(text: str) -> None:
    assert flagged(text)


# Second JDDC precision pass (2026-12-05, issue #20, unlabelled sessions read, paraphrased here): marketing copy,
# a published quality-problem window, how a refund is paid out (是…的), advice to order early, a customer's story
# of a failed repair.
@pytest.mark.parametrize(("text", "context"), [
    ("参加评价还能赢取京豆呢。", None),
    ("参加晒单还可以赢取京豆。", None),
    ("30天内如有质量问题可以退货的呢。", None),
    ("退款是全部退回的呢。", None),
    ("尽早下单就可以早一点收到心仪的宝贝哦。", None),
    ("好的", "上次就没有修好，这次让师傅早点来吧"),
])
def test_marketing_published_windows_refund_mechanics_and_stories_are_no_promise(text: str, context: str | None) -> None:
    assert check(text, context=context).ok


@pytest.mark.parametrize(("text", "context"), [
    ("我保证退款是全额退回的。", None),
    ("您尽早下单，我保证明天给您送到。", None),
    ("15天内有质量问题我们肯定给您退货。", None),
    ("好的", "能给我修好吗？"),
])
def test_certainty_or_an_asked_repair_still_promises(text: str, context: str | None) -> None:
    assert not check(text, context=context).ok
