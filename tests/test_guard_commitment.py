"""A commitment by its structure (issue #20, item 1): the speaker commits × an outcome the customer wants ×
no scope takes it back; the axes are vocabularies in coach/guard/commitment.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ConfigError
from coach.guard import check
from coach.guard.commitment import VOCABULARY_PATH, shipped_vocabulary, vocabulary


def categories(text: str, context: str | None = None) -> set[str]:
    return {v.category for v in check(text, context=context).violations if v.kind == "unauthorized_promise"}


@pytest.mark.parametrize(("text", "category"), [
    ("我跟领导申请一下，应该没问题", "guaranteed_outcome"),              # reassurance after a process
    ("领导一般都会同意的，您就放心回去等吧", "guaranteed_outcome"),      # hedged in form, a promise in effect
    ("我答应您，给您换个新的。", "guaranteed_outcome"),                 # undertaking × replaced
    ("[数字x]号给您送到。", "deadline"),                                # an anonymised date is a date
    ("[日期x]之前给您送过去哈", "deadline"),
    ("今天下午可以给您送到哦", "deadline"),
    ("好的，给您返[数字x]元差价", "compensation"),                      # Taobao-style 返 X 元差价
    ("亲，补您[金额x]哈，别生气了", "compensation"),
    ("放心，不会给您派送的，已经拦截了", "guaranteed_outcome"),          # interception assured
    ("这个您放心，不会让您吃亏的", "guaranteed_outcome"),
])
def test_a_commitment_is_flagged_in_its_outcomes_category(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize("text", [
    "预计明天送达，请您留意物流信息。",                  # hedged
    "我不保证明天能送到，但我会帮您催一下站点。",        # negated
    "我尽力帮您争取明天送到。",                          # effort
    "您说业务员答应您全额退款，是吗？",                  # reported speech and a question
    "您的退款昨天已经到账了，您查一下余额。",            # a past fact
    "按照规定，退款[数字x]-[数字x]个工作日到账。",       # a published refund window
    "储蓄卡[数字x]-[数字x]个工作日到账，信用卡会慢一些。",
    "我保证帮您申请退款，结果以审核为准。",              # an undertaking to a process
    "如果审核通过，应该没问题。",                        # reassurance conditional on review
    "[日期x] [时间x] 您的订单正在配送途中，请您准备签收。",  # a status line's timestamp
])
def test_a_scope_takes_the_commitment_back(text: str) -> None:
    assert categories(text) == set()


def test_a_policy_owner_extends_a_vocabulary_without_a_regex(tmp_path: Path) -> None:
    extended = VOCABULARY_PATH.read_text(encoding="utf-8").replace(
        "reassurance: [", "reassurance: [包…满意的, ", 1)
    path = tmp_path / "commitment.yaml"
    path.write_text(extended, encoding="utf-8")
    assert shipped_vocabulary(path).reassurance.search("这次包您满意的")
    assert not vocabulary().reassurance.search("这次包您满意的")


def test_an_unreadable_vocabulary_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "commitment.yaml"
    path.write_text("commitment: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        shipped_vocabulary(path)
    assert "commitment.yaml" in caught.value.message and "commitment.yaml" in caught.value.fix


@pytest.mark.parametrize(("context", "reply", "category"), [
    ("你能保证明天送到吗？", "可以的", "deadline"),
    ("能保证不会再扣费吗？", "不会的", "guaranteed_outcome"),          # a denial that grants the demand
    ("这个快递不会再送过来吧？我已经取消了", "不会的，您放心", "guaranteed_outcome"),  # interception
    ("会不会再给我发过来", "不会的亲", "guaranteed_outcome"),
    ("能给我换个新的吗", "换。", "guaranteed_outcome"),                 # the demand's own verb
    ("能给我换个新的吗", "可以的亲", "guaranteed_outcome"),
    ("我不想要了，能拦截吗", "能的", "guaranteed_outcome"),
])
def test_bare_assent_binds_to_the_customers_demand(context: str, reply: str, category: str) -> None:
    assert category in categories(reply, context)


@pytest.mark.parametrize(("context", "reply"), [
    ("我可以在网上办吗？", "可以的。"),
    ("会不会下雨啊", "不会的"),
    ("能给我换个新的吗", "换货需要先检测，我帮您提交申请。"),
])
def test_the_same_bare_reply_after_a_harmless_question_is_fine(context: str, reply: str) -> None:
    assert categories(reply, context) == set()


# Staff's own act for the customer (commitment.own_act) names what they will do: in their own name, the
# company's (本公司将, the letter register) or English (I'll, we'll), before an outcome.
@pytest.mark.parametrize(("text", "category"), [
    ("我给您换一台新的，您稍等。", "guaranteed_outcome"),
    ("我后台给您把这个月的月租折抵掉。", "compensation"),
    ("我们店给您把漆重做一遍。", "guaranteed_outcome"),
    ("We'll cover the repair bill for you.", "compensation"),
    ("I'll get the charge waived on your next statement.", "compensation"),
    ("You'll get every dollar back.", "refund_outcome"),
    ("Rest assured the refund will be in your account.", "refund_outcome"),
    ("I'll backdate the contract so you're inside the window.", "rule_exception"),
])
def test_staff_s_own_act_for_the_customer_is_a_commitment(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize("text", [
    "我帮您申请退款，结果以审核为准。",                  # a process
    "我尽量帮您免掉这笔费用，但要领导审批。",            # hedged, and pending a decision
    "我先帮您把退款申请提交上去。",                      # the outcome names the request (退款申请)
    "我帮您通过系统重新核对一下订单。",                  # 通过 as "via"
    "I'll check whether the refund has gone through.",  # a process
    "We will review your case and reply within five working days.",
    "对的，周日仓库休息，周一统一发货。",                # a published schedule
])
def test_an_own_act_in_a_scope_is_no_commitment(text: str) -> None:
    assert categories(text) == set()


# Said in staff's or the company's own name, these commit by themselves (commitment.by_itself): no outcome after.
@pytest.mark.parametrize(("text", "category"), [
    ("这次延误责任全在本公司，我们向您致歉。", "liability_admission"),
    ("客户经理确有误导，本行责无旁贷。", "liability_admission"),
    ("That one's on us, sorry.", "liability_admission"),
    ("Yes, we're at fault for the late transfer.", "liability_admission"),
    ("那个收银员我们会给她记个大过。", "staff_discipline"),
    ("这位师傅我们马上调离岗位。", "staff_discipline"),
    ("那位客服以后不让他再接电话了。", "staff_discipline"),
    ("缺的那页证明回头补给我就行。", "rule_exception"),
    ("这次我偷偷给您改一下地址。", "rule_exception"),
    ("No need for the receipt this time.", "rule_exception"),
])
def test_what_commits_by_itself_needs_no_outcome(text: str, category: str) -> None:
    assert categories(text) == {category}


@pytest.mark.parametrize("text", [
    "这不是我们的错，是快递的问题。",                  # denied
    "如果是我们的失误，我们会按规定处理。",            # a supposition
    "是不是我们的问题，还要等核实。",                  # a question
    "延误责任全在 阁下，与本公司无关。",               # the fault is the customer's (a phrase, not a promise)
    "It's not our fault that the courier was late.",
    "您的账号被封了，需要提交申诉。",                  # the customer's account, no colleague
    "按规定需要先审核，审核通过后给您办理。",          # the rule kept
])
def test_an_admission_in_a_scope_is_no_commitment(text: str) -> None:
    assert categories(text) == set()
