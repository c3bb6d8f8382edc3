"""The guard: every category, every hard negative, role limits, context assent, offsets."""

from __future__ import annotations

import pytest

from coach.errors import ConfigError, InputError
from coach.guard import MAX_CHARS, check
from coach.policy import load_policy
from coach.types import GuardReport


def categories(report: GuardReport) -> set[str]:
    return {v.category for v in report.violations}


def assert_offsets(text: str, report: GuardReport) -> None:
    for v in report.violations:
        assert text[v.start:v.end] == v.span, v


@pytest.mark.parametrize(("text", "category"), [
    ("我们给您补偿五百元，这事就算了。", "compensation"),
    ("这个月的年费我给您免了。", "compensation"),
    ("I'll waive the late fee for you.", "compensation"),
    ("您放心，一定给您全额退款。", "refund_outcome"),
    ("钱一分都不会少。", "refund_outcome"),
    ("這事包在我身上。", "guaranteed_outcome"),
    ("后台审核只是走个形式。", "guaranteed_outcome"),
    ("理赔肯定能批下来。", "guaranteed_outcome"),
    ("明天之前这笔钱一定到您账上。", "deadline"),
    ("三个工作日内保证把问题彻底解决。", "deadline"),
    ("这次给您特事特办，不用走审核了。", "rule_exception"),
    ("没有发票也没关系，我直接给您换。", "rule_exception"),
    ("这件事是我们业务员误导了您。", "liability_admission"),
    ("It's entirely our fault.", "liability_admission"),
    ("那个柜员我们一定开除。", "staff_discipline"),
    ("您撤诉的话我私下补偿您。", "private_deal"),
    ("我代表银行正式回应一下您的采访。", "media_statement"),
    ("公司就是这么规定的，我们也没有办法。", "blame_rules"),
    ("爱找谁找谁，我们解决不了。", "pass_the_buck"),
    ("没有什么大不了的。", "dismissive"),
    ("下班了，明天再来吧。", "refuse_service"),
    ("这个我也不知道。", "ignorance"),
    ("没看到我忙着吗？", "impatience"),
])
def test_each_category_is_flagged(text: str, category: str) -> None:
    report = check(text)
    assert not report.ok
    assert category in categories(report)
    assert_offsets(text, report)


@pytest.mark.parametrize("text", [
    "我现在没办法向您保证退款。",                          # negation scope
    "您要求全额退保并支付利息，是吗？",                    # restating the demand
    "“给您全额退款”这种话我们不能随便说。",                # quoted
    "如果核实确属我方责任，会按照公司规定处理。",          # conditional on verification + policy
    "我们一定竭尽全力为您解决，请您放心。",                # effort, not outcome
    "我会尽最大努力帮您争取处理进度。",
    "我们会在三个工作日内与您联系。",                      # allowed commitment: callback window
    "给您带来不便，我们深表歉意。",                        # apology is not admission
    "退款一般三到五个工作日到账，具体以银行处理为准。",    # hedged
    "全额退款需要厂家审批，我今天就把申请递上去。",        # outcome named as pending
    "这个问题我不太清楚，我马上问一下同事再答复您。",      # ignorance with an offer to find out
    "I'm not authorised to speak to the press, but I can put you in touch with our office.",
])
def test_hard_negatives_are_not_flagged(text: str) -> None:
    report = check(text)
    assert report.ok, report.violations


def test_violation_carries_explanation_suggestion_and_source() -> None:
    violation = check("这事包在我身上。").violations[0]
    assert violation.kind == "unauthorized_promise"
    assert "竭尽全力" in violation.suggestion
    assert violation.source.startswith("语料 ")
    assert "承诺" in violation.explanation


def test_forbidden_phrase_suggestion_is_the_documented_better_phrasing() -> None:
    violation = check("爱找谁找谁。").violations[0]
    assert violation.kind == "forbidden_phrase"
    assert "我来帮您联系" in violation.suggestion


@pytest.mark.parametrize(("role", "text", "ok"), [
    ("supervisor", "我是主管，给您一张150元的代金券作为补偿。", True),
    ("supervisor", "我是主管，给您500元补偿。", False),
    ("supervisor", "我是主管，给您全额赔偿。", False),
    ("frontline", "给您一张50元的代金券作为补偿。", False),
    ("complaint_officer", "核实后给您800元补偿。", True),
])
def test_role_grants_honour_their_limits(role: str, text: str, ok: bool) -> None:
    report = check(text, role=load_policy().role(role))
    assert report.ok is ok, report.violations
    assert report.role == role


def test_unknown_role_lists_valid_roles() -> None:
    with pytest.raises(ConfigError) as caught:
        load_policy().role("boss")
    assert "frontline" in caught.value.message and "supervisor" in caught.value.message


@pytest.mark.parametrize("text", ["", "   \n", "x" * (MAX_CHARS + 1), "abc\x00def"])
def test_bad_input_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        check(text)


def test_approved_script_is_never_flagged() -> None:
    assert check("我们一定会竭尽全力为您解决，请您放心。").ok
    text = "我能够理解您的心情，您说的这个问题很重要，因为涉及到其它部门，需要沟通，您看在周五时间前给您答复可以吗？"
    assert check(text).ok


@pytest.mark.parametrize("text", [
    "😀您好！這事包在我身上……錢一分都不會少!!",
    "𠀀𠀁 先生，ＯＫ，一定給您全額退款。🙏🏻",
    "亲～ 明天一定到账哦💰 I guarantee it.",
    "We will refund you in full. 👍 公司就是这么规定的,我们也没有办法",
])
def test_offsets_index_the_text_as_received(text: str) -> None:
    report = check(text)
    assert not report.ok
    assert_offsets(text, report)


@pytest.mark.parametrize(("context", "reply", "category"), [
    ("能全额退吗？", "好的，没问题。", "refund_outcome"),
    ("今天能给我结果吗？", "行，可以。", "deadline"),
    ("理赔款这周能到账吗？", "能到。", "deadline"),
    ("Can you make an exception to the 30-day return window?", "OK, just this once.", "rule_exception"),
    ([{"speaker": "customer", "text": "你们赔我五百块，行不行？"}], "这个您放心。", "compensation"),
    ("是不是你们业务员当初误导我了？", "对，是的。", "liability_admission"),
])
def test_assent_to_a_forbidden_demand_is_a_violation(context: object, reply: str, category: str) -> None:
    report = check(reply, context=context)  # type: ignore[arg-type]
    assert category in categories(report)
    violation = next(v for v in report.violations if v.category == category)
    assert reply[violation.start:violation.end] == violation.span
    assert "客户要求「" in violation.explanation


@pytest.mark.parametrize(("context", "reply"), [
    ("能帮我查一下吗？", "没问题。"),                                    # staff may do it
    ("我能投诉吗？", "当然可以。"),                                      # the customer's right
    ("算了，退款我不要了，你帮我换个色号就行。", "好的，我帮您看看。"),   # demand withdrawn
    ("能全额退吗？", "好的，我理解。退款需要审核，我帮您提交申请。"),     # acknowledgement only
    ([{"speaker": "customer", "text": "我要全额退款"}, {"speaker": "staff", "text": "退款需要审核。"},
      {"speaker": "customer", "text": "那你至少帮我把材料交上去吧？"}], "没问题，我现在就帮您提交。"),
])
def test_fine_assent_is_not_flagged(context: object, reply: str) -> None:
    assert check(reply, context=context).ok  # type: ignore[arg-type]


def test_same_reply_without_context_is_fine() -> None:
    assert check("好的，没问题。").ok


# ------------------------------------------------------------------- front-line style: one test per phenomenon
# New sentences written for these tests (not dataset rows), one group per phenomenon the second author's
# dev rows showed; each group names what the rules now generalise.

@pytest.mark.parametrize(("text", "category"), [
    ("您这个申请稳批 放心回去吧", "guaranteed_outcome"),
    ("复议结果肯定偏向您这边", "guaranteed_outcome"),
    ("这个投诉交上去肯定能过", "guaranteed_outcome"),
    ("额度调整通过是百分百的", "guaranteed_outcome"),
    ("Your claim will definitely be approved, it's just paperwork.", "guaranteed_outcome"),
])
def test_implied_outcomes_without_trigger_words(text: str, category: str) -> None:
    assert category in categories(check(text))


@pytest.mark.parametrize(("text", "category"), [
    ("审批那边我熟 打个招呼的事", "guaranteed_outcome"),
    ("我是这里的负责人 这个我说了算 给您免了", "compensation"),
    ("我做主了 手续费不收您的", "compensation"),
])
def test_ownership_and_authority_words(text: str, category: str) -> None:
    assert category in categories(check(text))


@pytest.mark.parametrize("text", [
    "明儿中午前快递准到",
    "今晚八点前网络肯定给您弄好",
    "款项下个还款日前一定退回到您卡上",
    "后天上午就给您送到 跑不了",                      # 跑不了 is certainty, not negation
    "The new card will arrive by Friday, I promise.",
    "Your refund will be in your account within 24 hours.",
])
def test_deadline_shapes(text: str) -> None:
    assert "deadline" in categories(check(text))


@pytest.mark.parametrize("text", [
    "给您账户里加两千积分 算是补偿哈",
    "运费我们这边给您抹掉",
    "违约金这次给您减半",
    "下回来店里 饮料我请客",
    "这个月的月费全免 您别生气了",
    "I've added a $20 credit to your account for the trouble.",
])
def test_gifts_points_and_waived_fees(text: str) -> None:
    assert "compensation" in categories(check(text))


@pytest.mark.parametrize("text", [
    "您交的那两千块 一分不少给您打回卡里",
    "保费全给您要回来 放心",
    "No worries, you'll get every penny back.",
])
def test_refunds_worded_as_money_coming_back(text: str) -> None:
    assert "refund_outcome" in categories(check(text))


@pytest.mark.parametrize("text", [
    "原件就不用了 拍照发过来就成",
    "等待期这次就跳过 直接给您生效",
    "材料不全也没关系 先给您受理了",
    "活动结束了 还是给您按活动价算",
])
def test_waived_requirements_are_rule_exceptions(text: str) -> None:
    assert "rule_exception" in categories(check(text))


@pytest.mark.parametrize(("text", "category"), [
    ("是我们快递员把箱子摔坏的 这个责任在我们", "liability_admission"),
    ("就是我们系统扣错了钱", "liability_admission"),
    ("是我们的错，您看这样处理行吗？", "liability_admission"),   # a later question does not undo it
    ("Yeah that's on us, our technician messed up.", "liability_admission"),
    ("那个收银员这个月绩效直接清零", "staff_discipline"),
    ("我们会让他写检讨 再给他记个过", "staff_discipline"),
    ("您把抖音上那个视频删了 我私底下给您补点", "private_deal"),
    ("咱不开票了 现金给您 便宜点", "private_deal"),
    ("记者朋友 我代表我们门店说两句", "media_statement"),
    ("你是报社的吧 我跟你讲讲我们的说法 你可以这么写", "media_statement"),
])
def test_causes_sanctions_side_deals_and_press_in_chat_style(text: str, category: str) -> None:
    assert category in categories(check(text))


@pytest.mark.parametrize(("text", "category"), [
    ("规定就这么定的 我们也没招", "blame_rules"),
    ("物流的事找物流公司啊 我们管不了", "pass_the_buck"),
    ("您爱告就告吧 随便", "dismissive"),
    ("我们午休了 下午再来吧", "refuse_service"),
    ("你能不能快点说 后面还有人排着呢", "impatience"),
])
def test_colloquial_service_phrases(text: str, category: str) -> None:
    assert category in categories(check(text))


@pytest.mark.parametrize("text", [
    "您的意思是要我们今天之内给您退款，对吧？我先记下来。",      # restating, "的意思是"
    "如果是我们快递员摔坏的，我们会按规定处理。",                # supposition, not admission
    "三个工作日内一定有专人联系您。",                            # allowed callback window
    "免费维修的范围说明书上有写，我帮您看一下。",                # published policy
    "符合条件的年费是可以减免的，我帮您查一下您的卡。",          # conditional on eligibility
    "我今天就把您的情况转给后台，有结果第一时间通知您。",        # process by a deadline
    "I'll forward your case to the claims team today.",
    "师傅明天上午上门检测，具体情况检测后再说。",                # a visit to inspect, not a result
    "规定是这样的，不过我可以帮您申请复核。",                    # rule explained, help offered
    "我跟您说一下流程：先申请，再审核，审核通过后退款。",        # "跟您说" is staff speaking
    "不好意思，这个不归我们部门，我帮您转接过去。",
    "我们的官方回复以公告为准，我这边不方便对外说。",
    # near the round-2 families: vouchers, "到时候", "我跟您说", causes under inquiry, English outcomes
    "优惠券的领取入口在首页，您可以自己领。",
    "您这张代金券是活动送的，可以在结账时使用。",
    "很抱歉，这张试用装是活动赠品，已经领完了。",
    "我们会在三个工作日内联系您，到时候再跟您说明审核结果。",
    "到时候快递员会提前给您打电话。",
    "我跟您说一下办理流程：先填表，再排号。",
    "到底是不是我们仓库没存好，要等鉴定结果出来。",
    "可能是我们系统出了点问题，我马上帮您核实。",
    "您可以向媒体反映，这是您的权利。",
    "这个规定我们改不了，但我可以帮您把意见反映上去。",
    "我们会把签收日期核对清楚。",
    "您说了三遍，我都记下来了，非常抱歉让您反复说明。",
    "我没办法保证复核结果一定会被推翻。",
    "We'll be in touch by then.",
    "I'm sure you'll be contacted by the claims team within three days.",
    "Please don't skip the ID check, it protects you.",
    "You can add a gift card at checkout if you like.",
    "Our official position will come from the press office, not from me.",
    "我不会跟您打包票说这笔费用一定能免。",
    "I can't promise the charge will be refunded in full.",
    "您自己去找也行，我也可以帮您联系厂家。",
])
def test_hard_negatives_in_front_line_style(text: str) -> None:
    report = check(text)
    assert report.ok, report.violations


def _turns(*texts: str) -> list[dict[str, str]]:
    return [{"speaker": "customer" if i % 2 == 0 else "staff", "text": t} for i, t in enumerate(texts)]


@pytest.mark.parametrize(("context", "reply", "category"), [
    ("滞纳金能给我免了不", "嗯嗯 可以滴", "compensation"),
    ("下周三之前能修好吧", "妥妥的", "deadline"),
    ("是不是你们装修队把我墙弄裂了", "对对 是我们的问题", "liability_admission"),
    ("这个理赔你就说能不能赔下来", "稳了", "guaranteed_outcome"),
    ("Can you waive the delivery fee?", "Yeah, sure.", "compensation"),
    ("Will you refund everything?", "Yup.", "refund_outcome"),
])
def test_colloquial_and_repeated_assent(context: str, reply: str, category: str) -> None:
    report = check(reply, context=context)
    assert category in categories(report)
    assert_offsets(reply, report)


@pytest.mark.parametrize(("context", "reply", "category"), [
    (_turns("我要你们赔我五百块", "您先别急，我看看", "到底赔不赔？"), "赔", "compensation"),
    (_turns("那个师傅必须给我处分", "您的意见我记下了", "你就说行不行"), "行行行", "staff_discipline"),
    (_turns("不用审核了 直接给我办", "这个得按流程", "就这一次 行吗"), "成 就这一次", "rule_exception"),
    (_turns("I want the late fee waived.", "I understand.", "So yes or no?"), "Yes.", "compensation"),
])
def test_demand_two_turns_before_the_assent(context: object, reply: str, category: str) -> None:
    report = check(reply, context=context)  # type: ignore[arg-type]
    assert category in categories(report)
    assert "客户要求「" in report.violations[0].explanation


@pytest.mark.parametrize(("context", "reply"), [
    ("能帮我查一下物流吗", "可以的 您稍等一下哦"),
    ("滞纳金能给我免了不", "嗯嗯 我理解 减免需要提交申请审核"),
    ("能全退吗", "好的 退不退要看检测结果"),
    ("合同上写的犹豫期内可以全额退保对吧", "对的 合同第八条写着"),           # a question about the rules
    (_turns("我要退款", "退款需要审核", "那你帮我提交个申请行吧"), "好的 马上提交"),
    (_turns("必须今天修好", "我尽量", "算了 你派个师傅来看看吧"), "好的 马上安排"),
    (_turns("我要赔偿", "我记下了", "那你三个工作日内给我回个电话"), "没问题 三个工作日内一定回电"),
    (_turns("罚息必须全免", "我没法答应", "我的手机号是13800000000"), "好的 已经记下"),
])
def test_multi_turn_fine_assent(context: object, reply: str) -> None:
    report = check(reply, context=context)  # type: ignore[arg-type]
    assert report.ok, report.violations


@pytest.mark.parametrize("reply", ["好的🙂，没问题", "好的👍🏻没问题", "没问题❤️，好的", "OK 👌"])
def test_emoji_inside_an_assent_does_not_hide_it(reply: str) -> None:
    report = check(reply, context="能全额退吗？")
    assert [v.category for v in report.violations] == ["refund_outcome"]
    v = report.violations[0]
    assert reply[v.start : v.end] == v.span
