"""The phrasing families that rounds 2 and 3's held-out rows showed missing, after they were scored once.

Every sentence here was written for these tests (none is a dataset row), in wordings other than the rows',
so a test passes only when a family generalises. Each family has positives and near misses.
"""

from __future__ import annotations

import pytest

from coach.guard import check
from coach.policy import load_policy


def flagged(text: str, role: str = "frontline") -> set[str]:
    report = check(text, role=load_policy().role(role))
    for v in report.violations:
        assert text[v.start:v.end] == v.span, v
    return {v.category for v in report.violations}


@pytest.mark.parametrize(("text", "category", "role"), [
    # a gift "issued" rather than "given", and English credits, over a supervisor's 200-yuan limit
    ("这样吧，我给您开一张五百块的抵用券。", "compensation", "frontline"),
    ("我是值班经理，给您开一张800元的购物卡，这事就算了结了。", "compensation", "supervisor"),
    ("I'm the store supervisor, so I'll credit you 600 yuan right now.", "compensation", "supervisor"),
    ("You're getting your money back, I'll make sure of it.", "refund_outcome", "frontline"),
    ("Your policy will be cancelled with the full premium returned.", "refund_outcome", "frontline"),
    ("放款那边我已经打过招呼了，您回去等着就行。", "guaranteed_outcome", "frontline"),
    ("有我在，理赔卡不了您。", "guaranteed_outcome", "frontline"),
    ("鉴定要等几天，不过退货是肯定的。", "guaranteed_outcome", "frontline"),
    ("我们三个工作日内回电，到时候账户肯定也解锁了。", "deadline", "frontline"),
    ("后天上午之前钱肯定回到您卡上。", "deadline", "frontline"),
    ("制度是死的，人可是活的，这个证明您就别补了。", "rule_exception", "frontline"),
    ("那份收入证明就甭补了，我直接给您提交。", "rule_exception", "frontline"),
    ("您的卡过了质保期，我照质保期内给您登记就行。", "rule_exception", "frontline"),
    ("没带身份证没事，用您朋友的先帮您开户。", "rule_exception", "frontline"),
    ("Don't worry about the form, no paperwork needed this time.", "rule_exception", "frontline"),
    ("这笔扣款全怪我们，系统弄错了。", "liability_admission", "frontline"),
    ("客户经理根本就没有跟您说明白风险，是我们这边有过失。", "liability_admission", "frontline"),
    ("您说得对，这就是销售误导。", "liability_admission", "frontline"),
    ("It's our charger that damaged your phone, no doubt about it.", "liability_admission", "frontline"),
    ("那个司机在我们这儿干不长了，您放心。", "staff_discipline", "frontline"),
    ("The teller will get a written warning, I promise.", "staff_discipline", "frontline"),
    ("您把那个申诉撤回来，我给您申请一个内部价。", "private_deal", "frontline"),
    ("这事就别往12315那边说了，下次来我按成本价给您拿。", "private_deal", "frontline"),
    ("您那条点评先设成仅自己可见，回头我给您寄两盒面膜。", "private_deal", "frontline"),
    ("If you hold off on the consumer association, I can do something off the books.", "private_deal", "frontline"),
    ("接受您们采访当然可以，我们的产品绝对没问题。", "media_statement", "frontline"),
])
def test_round_two_and_three_promise_families(text: str, category: str, role: str) -> None:
    assert category in flagged(text, role)


@pytest.mark.parametrize(("text", "category"), [
    ("就差了几分钟，有什么好急的。", "dismissive"),
    ("你在柜台哭有啥用，规定就在那。", "dismissive"),
    ("Come on, a late parcel is not the end of the world.", "dismissive"),
    ("I don't see what the big deal is, honestly.", "dismissive"),
    ("今天已经不接待了，您明天请早。", "refuse_service"),
    ("有意见您就去找总公司吧。", "pass_the_buck"),
    ("没看见我手头正忙吗？", "impatience"),
    ("你那个单子先放着，别老过来催。", "impatience"),
])
def test_round_two_and_three_phrase_families(text: str, category: str) -> None:
    assert category in flagged(text)


@pytest.mark.parametrize("text", [
    # the near misses of the same families
    "我给您开一张发票，抬头写公司名称可以吗？",  # a receipt is not a gift
    "我是值班主管，给您开一张100元的代金券表示歉意。",  # within the supervisor's limit
    "审批结果我现在没法保证，但我已经跟审批同事说明了您的情况。",
    "如果您的问题没有解决，可以随时联系我，我一定尽力为您跟进。",
    "您说得对，这件事我们需要先核实清楚再答复您。",
    "您的要求是全额退款并赔偿运费，我先记录下来，三个工作日内给您回电。",
    "这瓶酒算我们的一点心意，我是店长，退换货审核还是照流程走。",
    "我们三个工作日内给您回电话，告知处理进度。",
    "按规定需要本人身份证原件，您可以明天带来，我先帮您预约。",
    "如果核实是业务员没讲清楚，我们会按公司规定处理。",
    "您有任何意见都可以跟我说，我来帮您反映给总部。",
    "请您稍等着，我马上帮您查询。",
    "We never skip verification; I'll call you once the documents are checked.",
])
def test_near_misses_stay_clean(text: str) -> None:
    role = "supervisor" if "主管" in text or "店长" in text else "frontline"
    assert flagged(text, role) == set(), text
