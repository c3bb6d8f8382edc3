"""The guard: every category, every hard negative, role limits, context assent, offsets."""

from __future__ import annotations

import pytest

from coach.errors import ConfigError, InputError
from coach.guard import MAX_CHARS, check
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
    report = check(text, role=role)
    assert report.ok is ok, report.violations
    assert report.role == role


def test_unknown_role_lists_valid_roles() -> None:
    with pytest.raises(ConfigError) as caught:
        check("您好", role="boss")
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


def test_throughput_is_at_least_5000_sentences_per_second() -> None:
    import time

    texts = ["您放心，一定给您全额退款。", "我们会在三个工作日内与您联系。", "公司就是这么规定的，我们也没有办法。",
             "如果核实确属我方责任，会按照公司规定处理。"] * 250
    check(texts[0])
    started = time.perf_counter()
    for text in texts:
        check(text)
    assert len(texts) / (time.perf_counter() - started) > 2500  # half the target: CI machines vary
