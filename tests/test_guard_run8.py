"""Guard run 8: real-chat recall on the kinds of miss the three labelled JDDC samples show (jddc_measure_a,
jddc_measure_b, jddc_tune_c, all tuning data). Every case is a sentence of our own, not a real turn; each
"flagged" case is missed by the code before run 8 (1898819), each "not flagged" case is the wording that must
stay clean beside it (hedged 预计, process commitments, published policy, questions back, a way forward)."""

from __future__ import annotations

import pytest

from tests.guard_checks import flags, kinds, phrase_categories


# A bare refusal with no subject, said as the whole answer: a refusal verb, the request, a chat particle.
@pytest.mark.parametrize("text", [
    "不能调换的呢",
    "暂时是查不到的哦",
    "订单提交了 我们这边也暂时没法更改呢",
    "是的 下单后就无法修改收货地址 请问还有别的问题吗?",
])
def test_a_bare_refusal_with_no_way_forward_is_blame_rules(text: str) -> None:
    assert "blame_rules" in phrase_categories(text)


@pytest.mark.parametrize("text", [
    "这个无法修改的哦，您可以取消后重新下单",           # a way forward
    "因系统与海关对接，所以此单无法取消的呢",           # the reason told
    "目前不支持的呢，不过我帮您反馈一下",               # an offer
    "商品无法开机的话建议您申请售后",                   # the customer's fault described, with a way
    "您是说手机无法开机吗?",                            # a question back
    "过了七天是不支持的哦，商品页面都有介绍",           # published policy pointed to
    # run 8 flagged it; run 9's blind reviewer (jddc_review_run8.jsonl) reads "all invoices are electronic now"
    # as the case's reason told with the refusal
    "不支持的呢 现在都统一开电子票了",
    "电子版不支持合并开具的呢",
    "到货时间暂时查询不到，请关注到货通知，到了第一时间通知您",  # a way to find out
])
def test_a_refusal_with_a_way_a_reason_or_a_question_is_no_forbidden_phrase(text: str) -> None:
    assert "blame_rules" not in phrase_categories(text)


# Sending a merchant to their account manager, or telling them to report it there, with no help.
@pytest.mark.parametrize("text", ["这个您还得找客户经理催一下哦", "您反馈给销售经理更新一下哦"])
def test_sending_to_the_account_manager_is_pass_the_buck(text: str) -> None:
    assert "pass_the_buck" in phrase_categories(text)


def test_contacting_the_account_manager_for_the_customer_is_fine() -> None:
    assert "pass_the_buck" not in phrase_categories("我这边帮您联系销售经理催一下哦")


def _said(*turns: str) -> list[dict[str, str]]:
    """Customer and staff turns, alternating, the customer first."""
    return [{"speaker": "customer" if i % 2 == 0 else "staff", "text": t} for i, t in enumerate(turns)]


# A bare assent bound to the customer's outcome demand: a delivery day asked for ("要…就能送达的"), a third party
# made to act for the customer ("能不能让快递员…再给我发条短信").
@pytest.mark.parametrize(("reply", "context"), [
    ("好的", _said("要明天就能送达的")),
    ("好的呢 请问还有其他可以帮您的吗?", _said("短信删了联系不上快递员，能不能让快递员确认一下包裹再给我发条短信")),
])
def test_bare_assent_to_an_outcome_demand_is_a_promise(reply: str, context: list[dict[str, str]]) -> None:
    assert "unauthorized_promise" in kinds(reply, context)


@pytest.mark.parametrize(("reply", "context"), [
    ("好的，预计明天送达", _said("要明天就能送达的")),                                # hedged 预计
    ("好的 您稍等 我帮您催促一下", _said("能让快递员今天就送来吗")),                 # a process: 催促
    ("好的，我帮您联系站点核实一下", _said("能不能让快递员确认一下包裹再给我发条短信")),  # a process: 联系/核实
    ("是要明天送达吗?", _said("要明天就能送达的")),                                  # a question back
])
def test_assent_with_a_hedge_a_process_or_a_question_is_no_promise(reply: str, context: list[dict[str, str]]) -> None:
    assert "unauthorized_promise" not in kinds(reply, context)


# An unhedged delivery date as its own chat clause: the next clause's 预计/详情页 does not take it back.
def test_a_date_stated_in_its_own_chat_clause_is_a_deadline_promise() -> None:
    assert ("unauthorized_promise", "deadline") in flags("都是88888号送达哦 您下单后详情页会显示预计的送货时间")


@pytest.mark.parametrize("text", [
    "预计88888号送达哦 请耐心等待",        # hedged in its own clause
    "88888号送达 具体以页面显示为准",      # a disclaimer for the whole reply
    "订单 预计明天送达",
])
def test_a_hedged_or_disclaimed_date_is_no_promise(text: str) -> None:
    assert "unauthorized_promise" not in kinds(text)
