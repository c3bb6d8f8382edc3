"""Round 3: chat and phone noise, and the phrasing families the fourth author's dev rows showed missing.

Every sentence here was written for these tests (none is a dataset row), in wordings other than the dev
rows', so a test passes only when a family generalises. Each family has positives and near misses.
"""

from __future__ import annotations

import pytest

from coach.guard import check
from coach.guard import text as gt
from coach.types import GuardReport


def categories(report: GuardReport) -> set[str]:
    return {v.category for v in report.violations}


def assert_flags(text: str, category: str) -> None:
    report = check(text)
    assert category in categories(report), (text, report.violations)
    for v in report.violations:
        assert text[v.start:v.end] == v.span, v


def assert_clean(text: str) -> None:
    report = check(text)
    assert report.ok, (text, report.violations)


# ------------------------------------------------------------------------------------------ chat noise

@pytest.mark.parametrize(("text", "category"), [
    ("这个钱呢，我们那个嗯肯定给您退。", "refund_outcome"),
    ("我保证保证，明天就是说一定到账。", "deadline"),
    ("那個，我們這邊呃給您那個全額退。", "refund_outcome"),
    ("放心，利息我们那个给您免了。", "compensation"),
    ("明天就是说下午三点前肯定到帐。", "deadline"),
])
def test_fillers_between_the_parts_of_a_promise(text: str, category: str) -> None:
    assert_flags(text, category)


@pytest.mark.parametrize("text", [
    "那个，嗯，退款不能保证，得等审核结果。",
    "就是说，这个补偿我这边没法答应您。",
    "呃，那个，我帮您申请一下退款，结果以审核为准。",
    "那个月的账单我帮您查一下。",
])
def test_fillers_do_not_create_promises(text: str) -> None:
    assert_clean(text)


def test_denoised_spans_index_the_text_as_received() -> None:
    text = "嗯嗯，您好，我们那个嗯，肯定给您那个全额退！！"
    report = check(text)
    assert "refund_outcome" in categories(report)
    for v in report.violations:
        assert text[v.start:v.end] == v.span


@pytest.mark.parametrize(("raw", "fixed"), [
    ("钱明天到帐", "钱明天到账"), ("明天在来吧", "明天再来吧"), ("以后不在投诉了", "以后不再投诉了"),
    ("来的及", "来得及"), ("我在家", "我在家"), ("帐篷", "帐篷"), ("现在在办", "现在在办"),
])
def test_homophone_typos_are_fixed_one_for_one(raw: str, fixed: str) -> None:
    assert gt.normalise(raw) == fixed


def test_punctuation_variants_break_sentences() -> None:
    assert len(gt.sentences(gt.normalise("好的⋯我们给您退款﹐您放心"))) == 2


# --------------------------------------------------------------------------------------- promise families

@pytest.mark.parametrize(("text", "category"), [
    # ownership: "我能拍板", "我这边做主", sign-off as a favour
    ("这事我能拍板，给您免了这个月月租。", "compensation"),
    ("我这边做主，补偿您八百块钱。", "compensation"),
    ("赔偿您两千元，这个我说了算。", "compensation"),
    ("我先给您批一千块的补偿。", "compensation"),
    ("我签个字特批，您今天就能提车。", "rule_exception"),
    # certainty in chat forms
    ("您寄回来，我准保给您把钱退了哈。", "refund_outcome"),
    ("保费铁定全额退给您。", "refund_outcome"),
    # verification results foretold
    ("检测结果出来肯定是电池的问题，您就放心吧。", "guaranteed_outcome"),
    ("到时候肯定会认定是我们这边的责任。", "guaranteed_outcome"),
    ("这点我可以跟您保证，理赔能下来。", "guaranteed_outcome"),
    ("The lab report is definitely gonna come back as a defect.", "guaranteed_outcome"),
    ("Honestly you're 100% covered, don't stress.", "guaranteed_outcome"),
    # hedge taken back by an assurance
    ("滞纳金应该能给您减掉的，这个您放心。", "compensation"),
])
def test_promise_families(text: str, category: str) -> None:
    assert_flags(text, category)


@pytest.mark.parametrize("text", [
    "我保证把您的诉求原原本本转达给专员。",
    "我跟您保证会把每个细节都记清楚。",
    "如果检测结果确认是质量问题，我们会按三包处理。",
    "退款预计三个工作日到账，具体以银行为准。",
    "退货完成后，商家补偿您来回的运费。",
    "这个我做不了主，需要请示经理。",
])
def test_promise_family_near_misses(text: str) -> None:
    assert_clean(text)


@pytest.mark.parametrize(("text", "category"), [
    # the rule named, then bent
    ("特价商品本来不能退的，不过看您着急，我还是帮您退了。", "rule_exception"),
    ("您是我们的老会员了，证件不全我也先帮您办。", "rule_exception"),
    ("流程那个不用管它，我直接给您放款。", "rule_exception"),
    ("系统里的购买日期我给您往后挪一下，就能走保修。", "rule_exception"),
    ("过保三个月了，没事，还是按保修给您修。", "rule_exception"),
    ("The rules say we need your ID, but honestly a photo is fine.", "rule_exception"),
    ("I'll process the claim without the original invoice.", "rule_exception"),
])
def test_rule_bent(text: str, category: str) -> None:
    assert_flags(text, category)


@pytest.mark.parametrize("text", [
    "拆封的商品不能退，但可以帮您申请换货。",
    "本来是不能加急的，我帮您问问有没有别的渠道。",
    "这个不能退，也不会给您退，还请理解。",
    "The policy says we need the original receipt, so please bring it next time.",
    "您是老会员，可以享受会员积分，这个是活动规则里写的。",
])
def test_rule_bent_near_misses(text: str) -> None:
    assert_clean(text)


@pytest.mark.parametrize(("text", "category"), [
    ("您说的那个快递员，我跟您保证他明天就不在这干了。", "staff_discipline"),
    ("您反映的多扣费我还在查，但可以确定是我们系统出了问题。", "liability_admission"),
    ("We'll get that driver fired, you won't see him on your street again.", "staff_discipline"),
    ("That teller's done, I promise you.", "staff_discipline"),
    ("您在信中提到排队的事，我保证今天全额退给您。", "refund_outcome"),
])
def test_own_voice_after_a_restatement(text: str, category: str) -> None:
    assert_flags(text, category)


@pytest.mark.parametrize("text", [
    "您说的全额退款，我们需要先审核。",
    "您是说要我们开除他吗？这个我没有权限。",
    "您认为是我们的错，我理解您的心情。",
    # a letter's demand said back (session 15): "您在信中提到…，并提出希望全额退保" was a refund promise
    "您在信中提到排了一个多小时的队，并提出希望全额退保，这些我们都已记录在案。",
    "您在信中提到排队的事，提出了全额退保的要求，这些我们都已记录在案。",
])
def test_restatements_still_excused(text: str) -> None:
    assert_clean(text)


@pytest.mark.parametrize(("text", "category"), [
    ("老板，您那个一星的评价改成五星呗，我私人送您一盒茶叶。", "private_deal"),
    ("差评您删一下，这个钱不走公司的账，我个人补给您。", "private_deal"),
    ("If you could update your review, I'll sort something out for you.", "private_deal"),
])
def test_off_the_books_and_ratings(text: str, category: str) -> None:
    assert_flags(text, category)


def test_a_channel_is_not_a_deadline() -> None:
    assert_clean("You'll get the case number by text and the form by email.")
    assert_flags("You'll get the refund by Friday.", "deadline")


@pytest.mark.parametrize(("text", "category"), [
    ("您是做探店的那个博主吧？那我跟您说哈，我们店这次确实用错了原料。", "media_statement"),
    ("主播您好，您可以跟粉丝讲，我们官方的意思是全部召回。", "media_statement"),
    ("记者先生您好，我帮公司回应一下，这事我们全责。", "media_statement"),
    ("Are you a blogger? Then tell your followers we're recalling the whole batch.", "media_statement"),
])
def test_press_and_influencers(text: str, category: str) -> None:
    assert_flags(text, category)


def test_influencer_near_miss() -> None:
    assert_clean("您是我们的会员吧？我跟您说一下积分怎么用。")


def test_cooling_off_period_is_published_policy() -> None:
    assert_clean("您的保单还在犹豫期内，依照合约申请撤销是可以退还保费的。")


# ---------------------------------------------------------------------------------------- phrase families

@pytest.mark.parametrize(("text", "category"), [
    ("快递丢件不是我们的事，您直接找快递公司吧。", "pass_the_buck"),
    ("这个我们柜台处理不了，你得找厂家。", "pass_the_buck"),
    ("你自己去翻一下合同的条款，上面写得明明白白。", "blame_rules"),
    ("就几块钱的差价嘛，犯不着生气吧。", "dismissive"),
    ("多大点事啊，您没必要这么激动。", "dismissive"),
    ("It's just a small scratch, no need to make such a fuss.", "dismissive"),
    ("这个问题您都问了好几遍了，能不能看清楚再问。", "impatience"),
    ("没看见我们这里正忙着吗，那边坐着等会儿。", "impatience"),
    ("Wait your turn, I've got five other customers here.", "impatience"),
])
def test_phrase_families(text: str, category: str) -> None:
    assert_flags(text, category)


@pytest.mark.parametrize("text", [
    "这部分需要快递公司处理，我帮您联系他们。",
    "您可以看一下合同第五条，我给您解释一下。",
    "请您先坐着等一会儿，马上就到您。",
    "这个问题很常见，我马上帮您处理。",
])
def test_phrase_family_near_misses(text: str) -> None:
    assert_clean(text)
