"""Safety flags: each danger found in simplified, traditional and English wordings, everyday look-alikes
left alone, and a danger's draft is a short caring reply plus staff steps, never a complaint reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach import safety
from coach.analyze import analyse, normalise
from coach.chain import DraftChain
from coach.compose import compose
from coach.config import Settings
from coach.guard import check
from coach.policy import load_policy
from coach.script import as_mandarin, to_traditional
from coach.types import DraftRequest

FLAGGED = {
    "self_harm": [
        "你们再不给我解决，我就从你们营业厅楼上跳下去，活着也没意思了",
        "我不想活了，钱都没了",
        "算了，一了百了吧，反正也没人管",
        "我活不下去了，你们看着办",
        "我今天就吃安眠药，遗书都写好了",
        "活著也沒意思了，你們把我的錢都弄沒了",
        "我不想活了，從你們頂樓跳下去算了",
        "I see no point living any more after what your bank did",
        "Honestly I just want to end it all",
        "I'm going to kill myself if this isn't fixed",
    ],
    "fraud_in_progress": [
        "我卡里5万没了，我根本没转过",
        "我的信用卡被盗刷了三笔",
        "对方让我转账到安全账户，说是公安局的",
        "有人冒充公检法给我打电话，我已经转了两万",
        "我把验证码告诉了对方，现在余额清零了",
        "我的卡被盜刷了，錢全沒了",
        "對方叫我把錢轉到安全賬戶",
        "There are three transactions I didn't make on my card, my money is gone from the account",
        "Someone pretending to be the police told me to transfer my money to a safe account",
        "I got scammed, the caller had me move my savings",
    ],
    "violence": [
        "信不信我弄死你",
        "再不退钱我带刀过来",
        "你们保安打人了！",
        "我要打死他",
        "再這樣我就動手打人了",
        "信不信我揍你一頓",
        "I will kill you if you don't give me my money",
        "Your guard pushed me and hit me",
        "I'll come back with a knife",
    ],
    "injury": [
        "用了你们的面霜，脸上起了一片红疹，又红又肿",
        "精华用完过敏了，皮肤红肿",
        "喝了你们的酒头疼了一晚上，进了医院",
        "我的车刹车失灵，差点出事",
        "你们的外卖吃了以后全家食物中毒",
        "孩子被你们店门口的玻璃划伤了",
        "用了你們的卸妝油整張臉過敏",
        "剎車失靈差點撞車",
        "After using the cream I got a rash and my face is swollen",
        "The brakes failed on the motorway",
        "We all had food poisoning after the meal",
    ],
    "privacy_breach": [
        "我的个人信息被泄露了，天天有骚扰电话",
        "我的信息是不是被你们卖了",
        "骗子怎么知道我的订单号和地址",
        "我的資料被洩露了",
        "My personal data was leaked, someone called me with my order details",
        "Did you sell my number to a marketing company?",
    ],
    "minor": [
        "我家孩子才十二岁，偷偷在游戏里充值了八千",
        "儿子背着我打赏主播花了两万",
        "未成年人的充值能退吗",
        "我兒子偷偷游戲充值了三千",
        "My 12-year-old son spent 300 pounds on in-game purchases without my permission",
        "She's a minor, she shouldn't have been able to buy this",
    ],
}

CALM = [
    "气死我了，排了一个小时的队",
    "看到退保只能拿回三千八，我气得想死，你们这是抢钱",
    "笑死，你们的客服就会说对不起",
    "急死人了，汇款还没到账",
    "累死了，跑了三趟还没办好",
    "氣死我了，又要重新排隊",
    "I was just trying to kill time while waiting, and your queue took two hours",
    "This queue is killing me",
    "你们这是打人工客服也打不通",
    "我打死也不会再买你们的保险了",
    "你们业务员骗我买了这个保险，我要退保",
    "我刚看新闻说最近有冒充银行客服的诈骗电话，怎么确认来电是不是你们打的？",
    "刹车片换了多少钱？",
    "你们BA当着我朋友的面说我皮肤差，我当时脸都红了",
    "我给女儿转五万块钱，限额在哪里改？",
    "It's only a minor issue but the invoice is wrong",
    "Hello, could you explain this charge on my bill please?",
]


@pytest.mark.parametrize(("flag", "message"), [(f, m) for f, ms in FLAGGED.items() for m in ms])
def test_each_safety_flag_fires(flag: str, message: str) -> None:
    result = analyse(message)
    assert flag in result.risk_flags
    advice = next(a for a in result.escalation_advice if a.flag == flag)
    assert advice.who_to_call and advice.do_not and advice.source


@pytest.mark.parametrize("message", CALM)
def test_everyday_lookalikes_raise_no_safety_flag(message: str) -> None:
    flags = analyse(message).risk_flags
    assert not [f for f in flags if safety.is_safety(f)], flags


@pytest.mark.parametrize("flag", ["self_harm", "fraud_in_progress", "violence", "injury"])
def test_dangers_escalate_and_come_first(flag: str) -> None:
    result = analyse(FLAGGED[flag][0])
    assert result.escalate
    assert result.risk_flags[0] == flag and result.escalation_advice[0].flag == flag


def test_advice_names_the_emergency_numbers() -> None:
    advice = {f: safety.advice(f) for f in safety.rules().flags}
    assert "120" in advice["self_harm"].who_to_call and "12356" in advice["self_harm"].who_to_call
    assert "110" in advice["fraud_in_progress"].who_to_call and "96110" in advice["fraud_in_progress"].who_to_call
    assert "110" in advice["violence"].who_to_call and "保安" in advice["violence"].who_to_call
    assert "就医" in advice["injury"].who_to_call and "保留" in advice["injury"].do_not
    assert all(rule.sources for rule in safety.rules().flags.values())


def _all_lines() -> list[str]:
    return [text for line in safety.every_line() for text in (line.zh, to_traditional(line.zh), line.en)]


def test_every_customer_line_passes_the_guard_for_every_role() -> None:
    policy = load_policy(None)
    for sentence in _all_lines():
        for role in policy.roles.values():
            report = check(sentence, role=role, policy=policy)
            assert report.ok, (role, sentence, [v.span for v in report.violations])


@pytest.fixture
def offline_chain(hash_home: Path) -> DraftChain:
    return DraftChain(Settings(home=hash_home, embeddings="hash", backend="offline"))


COMPLAINT_BOILERPLATE = ("谢谢您对我们的关心", "宝贵意见", "深表歉意", "解决方案", "产品", "理赔", "退保", "竭尽全力", "信任和支持")


def test_a_self_harm_draft_escalates_and_is_not_a_complaint_reply(offline_chain: DraftChain) -> None:
    message = "你们再不给我退，我就从你们营业厅楼上跳下去，反正活着也没意思了"
    result = offline_chain.draft(DraftRequest(message=message))
    assert result.escalate and result.risk_flags[0] == "self_harm"
    assert not [w for w in COMPLAINT_BOILERPLATE if w in result.reply], result.reply
    assert "担心您" in result.reply and "主管" in result.reply
    assert result.escalation_advice[0].flag == "self_harm" and "120" in result.escalation_advice[0].who_to_call
    assert result.guard.ok and not result.citations


def test_a_fraud_draft_says_stop_paying_and_call_the_police(offline_chain: DraftChain) -> None:
    result = offline_chain.draft(DraftRequest(message="我卡里5万没了，对方让我转账到安全账户"))
    assert result.escalate and "fraud_in_progress" in result.risk_flags
    assert "不要再向对方转账" in result.reply and "110" in result.reply and "冻结" in result.reply


def test_a_traditional_injury_draft_is_in_traditional_script(offline_chain: DraftChain) -> None:
    result = offline_chain.draft(DraftRequest(message="用了你們的面霜整張臉過敏紅腫"))
    assert "injury" in result.risk_flags and "就醫" in result.reply and "保留" in result.reply


@pytest.mark.parametrize("flag", ["self_harm", "fraud_in_progress", "violence", "injury"])
def test_a_dangers_reply_fits_every_channel(flag: str) -> None:
    from coach.compose import compose
    from coach.evaluation.signals import read_steps

    for message in FLAGGED[flag][:1] + FLAGGED[flag][-1:]:
        analysis = analyse(message)
        scale = 3 if analysis.language == "en" else 1
        for channel in ("counter", "phone", "chat", "letter"):
            reply = compose(analysis, [], load_policy(None), words=message, channel=channel).text  # type: ignore[arg-type]
            units = reply.split("\n") if channel == "chat" else [reply]
            limit = {"chat": 120, "counter": 200, "phone": 200}.get(channel, 10_000) * scale
            assert len(units) <= 2 and all(len(u) <= limit for u in units), (channel, reply)
            assert "坐下来" not in reply or channel == "counter"
            assert read_steps(reply).positions.get("empathy") is not None, (channel, reply)


MORE_WORDINGS = {
    "self_harm": ["钱全没了，我是真的没法活了", "你们再这样我就死给你们看", "I can't go on like this, I'd rather be dead"],
    "fraud_in_progress": ["有人打电话说我涉嫌洗钱，让我配合资金清查", "快帮我冻结这张卡，钱被人转走了",
                          "Someone pretending to be from your bank got the code, please freeze my card"],
    "violence": ["再这样别逼我动手", "你们的保安推了我一把还扇了我一巴掌", "Say that again and I'll punch you"],
    "injury": ["孩子吞了玩具里的电池", "在你们店门口滑倒摔了一跤", "We all got sick after eating the cake you sold"],
    "privacy_breach": ["骚扰电话一开口就报出了我的全名和订单号", "有人冒用我的身份办了张卡", "How did the caller know my order details?"],
    "minor": ["我儿子才十岁，用我的手机充了三千块游戏币", "我女儿在读初中，偷偷打赏主播", "My 13-year-old bought all this without asking"],
}
MORE_CALM = ["我老婆等着钱化疗，你们快一点，我们家真撑不住了", "The delivery slipped by a week", "我的卡丢了，帮我挂失一下", "我下载了你们的app但是登录不上",
             "The bill was 5 pounds more than last month"]


@pytest.mark.parametrize(("flag", "message"), [(f, m) for f, ms in MORE_WORDINGS.items() for m in ms])
def test_more_wordings_fire(flag: str, message: str) -> None:
    assert flag in analyse(message).risk_flags


@pytest.mark.parametrize("message", MORE_CALM)
def test_more_lookalikes_stay_calm(message: str) -> None:
    assert not [f for f in analyse(message).risk_flags if safety.is_safety(f)]


# A figure of speech, a question about a clause, or harm that did not happen or was already undone, beside the
# same words about a danger now: the `not` patterns of coach/safety.yaml blank the first and leave the second.
LOOKALIKE_PAIRS = [
    ("self_harm", "这台跳楼价的电视，到手比别人还贵两百", "我现在就从你们楼上跳下去"),
    ("self_harm", "空调坏了三天，热得我想死，什么时候来修", "我是真的想死了，什么都没了"),
    ("self_harm", "请问保单里的自杀条款两年怎么算", "钱要不回来我就自杀"),
    ("injury", "箱子压坏了，还好没人受伤，要求退货", "箱子砸下来，我妈受伤了"),
    ("injury", "想问问这款粉底会不会过敏", "用了这款粉底脸过敏了"),
    ("fraud_in_progress", "上周被盗刷的钱你们已经退回来了，新卡什么时候到", "上周的卡被盗刷了三千，快帮我冻结"),
    ("fraud_in_progress", "如果信用卡被盗用，有没有保障", "我的信用卡刚被盗刷了"),
    ("fraud_in_progress", "我看電視上說有安全帳戶騙局", "對方讓我把錢轉到安全帳戶"),
]


@pytest.mark.parametrize(("flag", "calm", "danger"), LOOKALIKE_PAIRS)
def test_a_lookalike_stays_calm_and_its_danger_still_fires(flag: str, calm: str, danger: str) -> None:
    assert not [f for f in analyse(calm).risk_flags if safety.is_safety(f)]
    assert flag in analyse(danger).risk_flags


@pytest.mark.parametrize(("message", "victim"), [
    ("我前夫一直跟踪我，昨天还在楼下堵我，说要弄死我，我现在一个人在家", True),
    ("他刚才在门口扇了我一巴掌，我好害怕", True),
    ("那个送货的晚上又来敲我家门，还说不开门就踹进来，我吓得一晚上没睡，门都不敢出", True),
    ("My ex hit me last night and he knows my new address from your delivery slip, I'm scared", True),
    # a relative attacked, told in English (panel -r: "treats the son as the angry party, no 110")
    ("The delivery man punched my father in the hallway and said he would be back. What should we do?", True),
    ("你再不给我退钱，信不信我打你", False),
    ("我要弄死你们经理，叫他出来", False),
])
def test_a_victim_of_violence_is_protected_not_calmed_down(message: str, victim: bool) -> None:
    """Blind panel 2026-12-06-a: three customers who were threatened or hit were told "I can see you are very
    angry … for everyone's safety let us pause" (the script for the one threatening) and scored 1."""
    from coach.compose import compose

    analysis = analyse(message)
    assert "violence" in analysis.risk_flags
    for channel in ("counter", "chat", "letter"):
        reply = compose(analysis, [], load_policy(None), words=message, channel=channel).text  # type: ignore[arg-type]
        protects = any(w in reply for w in ("担心您的安全", "担心您现在的安全", "worried about your safety"))
        calms = any(w in reply for w in ("非常生气", "very angry"))
        assert (protects, calms) == (victim, not victim), (channel, reply)


def _reply(message: str, channel: str) -> str:
    return compose(analyse(message), [], load_policy(None), words=message, channel=channel).text  # type: ignore[arg-type]


@pytest.mark.parametrize("message", [
    "我的手机号被快递员泄露了，他这几天一直加我微信骚扰我，我一个人住，晚上都不敢开门",
    "我的地址被你們的人洩露了，現在有陌生人天天打電話給我，還找上門來，我很害怕",
    "Your courier leaked my number and now he keeps messaging me and turned up at my door last night",
])
def test_a_customer_harassed_with_leaked_data_is_kept_safe_before_the_data(message: str) -> None:
    """Blind panel 2026-12-06-c (scored 1 by all three): a woman harassed by a courier who had her number got
    "be careful with unknown calls, never give a code" and a complaint reply; she needs 110 and blocking."""
    assert "privacy_breach" in analyse(message).risk_flags
    for channel in ("counter", "chat", "letter"):
        reply = _reply(message, channel)
        assert "110" in reply and not any(w in reply for w in ("验证码", "驗證碼", "verification code")), (channel, reply)
        assert "深表歉意" not in reply and "您是说" not in reply, (channel, reply)


def test_a_privacy_question_without_harassment_keeps_the_complaint_reply() -> None:
    reply = _reply("你们是不是把我的个人信息泄露了？最近推销电话特别多", "counter")
    assert "信息安全" in reply and "110" not in reply, reply


@pytest.mark.parametrize(("message", "kind"), [
    ("上周你们的快递车在小区里把我母亲撞了，腿骨折住院，司机肇事逃逸", "road"),
    ("刚在你们店修完刹车，开出去两公里就追尾了，我脖子现在还疼", "road"),
    ("I was rear-ended on the way home from your garage and hurt my neck", "road"),
    ("一辆送货的三轮车倒车把我父亲撞倒了，手臂骨折，司机看了一眼就走了", "road"),
    ("我在你们营业厅门口的台阶上滑倒了，膝盖摔伤了", "fall"),
    ("我用了你们的面霜，脸上起了一片红疹子，又痒又肿", "product"),
])
def test_an_injury_gets_the_lines_for_how_it_happened(message: str, kind: str) -> None:
    """Blind panel 2026-12-06-c: a crash and a hit-and-run got "stop using it, keep the packaging"."""
    assert "injury" in analyse(message).risk_flags
    for channel in ("counter", "phone", "chat"):
        reply = _reply(message, channel)
        product = any(w in reply for w in ("停止使用", "包装", "stop using", "packaging"))
        assert product == (kind == "product"), (channel, reply)
        assert ("122" in reply) == (kind == "road"), (channel, reply)
        assert "120" in reply, (channel, reply)


@pytest.mark.parametrize("message", [
    "对方还在电话里，让我别挂，说要把钱转到安全账户，我现在就在你们柜台",
    "他現在還在電話那頭，叫我不要掛，說我涉嫌洗錢要轉帳配合調查",
    "那个警官一直在线上等着，说不能挂，让我赶紧把钱转到他给的账户",
    "The man is still on the line, he says he's from the police and told me not to hang up until I move the money",
])
def test_a_fraud_still_on_the_line_is_hung_up_first(message: str) -> None:
    """Blind panel 2026-12-06-c: a customer with the scammer still on the phone should hear "hang up" first,
    not be asked when the last transfer went out."""
    assert "fraud_in_progress" in analyse(message).risk_flags
    for channel in ("counter", "phone", "chat"):
        first = _reply(message, channel).split("。")[0].split(".")[0]
        assert any(w in first for w in ("挂断", "掛斷", "hang up")), (channel, first)


@pytest.mark.parametrize("message", [
    "我的手机突然没信号了，然后就收到银行短信说转走了两万，营业厅说有人拿假身份证补了我的卡",
    "Someone swapped my SIM yesterday and money has gone from my account",
    # in Cantonese, with no money gone yet (panel -r h38-005, our wording)
    "你哋门市补咗张新电话卡俾人，我从来冇申请过，而家收唔到银行短讯",
])
def test_a_sim_swap_stops_the_number_first(message: str) -> None:
    """Blind panel 2026-12-06-d: a telecom reply to a SIM swap offered to freeze a bank card it cannot freeze and
    never stopped the number; every fraud reply now also names it as a likely scam."""
    assert "fraud_in_progress" in analyse(message).risk_flags
    for channel in ("counter", "phone", "chat"):
        reply = _reply(message, channel)
        assert any(w in reply for w in ("挂失停机", "suspend this number")), (channel, reply)
        assert any(w in reply for w in ("诈骗", "冒名", "scam", "taken over")), (channel, reply)


# Own paraphrases of panel -e's missed dangers (h11/h12, read after their drafts were scored): waiting for a
# colleague outside, a chair swung at the clerk, an order placed from a hijacked account, farewell signs said of
# oneself or of a father, a finger cut in Cantonese
@pytest.mark.parametrize(("flag", "message"), [
    ("violence", "你们那个姓王的主管几点下班？我就在楼下停车场等他，倒要看看他敢不敢出来。"),
    ("violence", "再推三阻四，我抡起这把椅子先砸你脑袋。"),
    ("fraud_in_progress", "APP提示我的账号在外地登录，还下了两单手机，都不是我下的，赶紧帮我拦住！"),
    ("self_harm", "这些首饰我不要了，退不了就送你们吧，反正我也不打算活多久了。"),
    ("self_harm", "我妈这几天一直说她是个拖累，还把银行卡密码写给我，说以后用得上，我心里发毛。"),
    ("injury", "你哋個杯一拎就爆，𠝹親我隻手，流緊血。"),
])
def test_panel_e_dangers_fire(flag: str, message: str) -> None:
    assert flag in safety.detect(normalise(message))


@pytest.mark.parametrize("message", [
    "我在门口等他出来一起吃饭，你们快点办完就行。",
    "这单不是我下的吗？我记得是我老婆用我手机下的，帮我查一下收货人。",
    "家里的旧家电想都送人，你们以旧换新还能折多少钱？",
])
def test_panel_e_lookalikes_stay_calm(message: str) -> None:
    assert not safety.detect(normalise(message))


@pytest.mark.parametrize("message", ["这个粉底色号深得我想死哈哈哈，能换浅一号吗？", "排队排到想死了哈哈，终于到我了。"])
def test_a_joke_about_dying_is_no_self_harm(message: str) -> None:
    assert "self_harm" not in safety.detect(normalise(message))


@pytest.mark.parametrize(("message", "must", "never"), [
    # own paraphrases of panel -e's wrong-script injuries: hurt by a person, by drink, by a falling box
    ("送货的师傅跟我吵起来，把我推倒在地上，胳膊肘都磕破了。", "110", "停止使用"),
    ("你们网店卖了一箱啤酒给我那个十五岁的侄子，他喝到吐，半夜送去挂水了。", "120", "停止使用"),
    ("上个月在你们店里，货架上的纸箱掉下来砸到我头，缝了三针，到现在还头晕。", "复诊", "停止使用"),  # treated
    ("刚才在你们店里，货架上的纸箱掉下来砸到我头，现在头很晕。", "120", "停止使用"),
])
def test_an_injury_not_caused_by_a_product_gets_no_product_lines(message: str, must: str, never: str) -> None:
    assert "injury" in analyse(message).risk_flags
    for channel in ("counter", "phone", "chat"):
        reply = _reply(message, channel)
        assert must in reply and never not in reply and "包装" not in reply, (channel, reply)


@pytest.mark.parametrize(("message", "channel"), [
    # own wordings: already seen by a doctor, or written weeks later; the reply answers what they ask after the
    # injury lines, instead of "see a doctor, call 120, how are you now?" (panels -e, -f)
    ("上周用了你们的面膜脸上起疹子，已经去医院看过了，开了药，现在好多了。我想退货，医药费能不能报？", "chat"),
    ("Your technician fitted my brakes badly and I crashed; I was discharged on Monday. I want the repair bill refunded.",
     "phone"),
    ("致贵店：我母亲五月十日在贵店门口被堆放的货物绊倒，手腕骨折。现要求贵店书面道歉并清理通道。", "letter"),
])
def test_a_treated_injury_or_a_letter_gets_recovery_wishes_and_the_complaint_answered(message: str, channel: str) -> None:
    analysis = analyse(message)
    assert "injury" in analysis.risk_flags
    reply = compose(analysis, [], load_policy(), words=message, channel=channel).text  # type: ignore[arg-type]
    assert ("早日康复" in reply or "full recovery" in reply) and "120" not in reply, reply
    assert "现在感觉怎么样" not in reply and "How are you" not in reply, reply
    assert any(s in reply for s in ("审核", "转交", "记录", "reviewed", "pass it", "written down", "on record")), reply


@pytest.mark.parametrize(("message", "flag", "said", "never"), [
    # own wordings of panel -e's wrong scripts: an ex who found the customer through a leak, a photo posted in a
    # group, another customer's papers sent by mistake, a relative on his way with a weapon
    ("我为了躲前男友才换的号，结果你们营业员把新号告诉了他，他昨晚打来了。", "privacy_breach", "110", "验证码"),
    ("你们店员把我的订单截图连名字带电话发到了业主群里，现在好多人留言。", "privacy_breach", "删除", "验证码"),
    ("I opened my statement and found someone else's statement in the same envelope, with her address.",
     "privacy_breach", "do not forward", "code or password"),
    ("我哥听说这事，拎着一根钢管就去你们门店了，说要找那个店员算账，你们快让他走！", "violence", "避开", "生气"),
    # own wordings of panel -h's wrong scripts: a failing car with the family inside and nobody hurt, blurred sight
    # after bulk liquor, a strange man who knows where the customer lives after a leak
    ("刚在高速上刹车突然踩到底都没反应，靠应急车道停下了，老婆孩子都在车上，现在咋办？", "injury", "双闪", "受了伤"),
    ("我妈昨晚喝了点你们店的散装白酒，今早说头晕，看东西模模糊糊的。", "injury", "甲醇", "停止使用"),
    ("快递员把我的面单发到业主群，晚上有个陌生男的打电话说知道我住几栋，我一个人住。", "privacy_breach", "110", "验证码"),
])
def test_a_danger_told_a_new_way_gets_the_lines_for_it(message: str, flag: str, said: str, never: str) -> None:
    assert flag in analyse(message).risk_flags
    reply = _reply(message, "phone")
    assert said in reply and never not in reply, reply


@pytest.mark.parametrize(("message", "said", "never"), [
    # own wordings: a teenager sold drink, and a child speaking for herself (panel -e: "孩子的这笔消费" to both)
    ("你们店卖了两瓶白酒给我十六岁的儿子，连身份证都没看。", "销售记录", "这笔消费"),
    ("阿姨我今年十二岁，用我爸的手机买了游戏皮肤，能退吗？不要告诉我爸。", "大人", "这笔消费"),
])
def test_a_minor_is_spoken_to_as_the_case_needs(message: str, said: str, never: str) -> None:
    assert "minor" in analyse(message).risk_flags
    reply = _reply(message, "phone")
    assert said in reply and never not in reply, reply


@pytest.mark.parametrize("message", [
    "我婆婆这阵子老跟我说她是个拖累，昨天还把存折密码交给我，说以后用得上。理赔到底什么时候能下来？",
    "My father keeps saying he is a burden to us since the claim was refused. I am scared for him.",
])
def test_a_relative_at_risk_gets_lines_for_the_worried_caller(message: str) -> None:
    assert "self_harm" in analyse(message).risk_flags
    reply = _reply(message, "phone")
    assert ("别让家人一个人待着" in reply or "not to leave your relative alone" in reply), reply
    assert "我就在这里陪着您" not in reply and "您现在在哪里" not in reply, reply


@pytest.mark.parametrize(("message", "local"), [
    # own wordings: a Hong Kong customer in Cantonese, a Taipei customer, a Macau customer (panel -e: mainland
    # numbers only, which do not reach help there)
    ("我喺旺角嗰間分店門口俾人打咗，而家頭好痛，流緊血。", "999"),
    ("我在台北的門市被騙了，對方還在電話上叫我轉帳，說不能掛。", "165"),
    ("I'm in Macau and I really don't see the point of living any more.", "2852 5222"),
])
def test_a_customer_outside_the_mainland_also_hears_the_local_numbers(message: str, local: str) -> None:
    analysis = analyse(message)
    flag = safety.override(analysis.risk_flags, normalise(message))
    assert flag is not None, analysis.risk_flags
    said = " ".join(line.zh + line.en for line in safety.lines(flag, "phone", normalise(message)))
    assert local in said and ("110" in said or "120" in said), said  # added, the mainland numbers stay


@pytest.mark.parametrize("message", [
    "我在成都的门店被人推倒了，头磕破了。",
    # 冇 is Hunan, Jiangxi and Hakka speech too, not only Cantonese (panel -r: a Hunan grandmother heard 999)
    "存折上也冇写清楚，这钱要是冇了，我也冇脸活了，屋里还有一瓶农药，大不了喝了算了",
])
def test_a_mainland_customer_hears_no_local_numbers(message: str) -> None:
    said = " ".join(line.zh for f in analyse(message).risk_flags if safety.is_safety(f)
                    for line in safety.lines(f, "phone", normalise(message)))  # type: ignore[arg-type]
    assert "999" not in said and "香港" not in said and "120" in said, said


# Own paraphrases of panel -f's misses and wrong flags (h13/h14, read after their drafts were scored)
@pytest.mark.parametrize(("flag", "message"), [
    ("fraud_in_progress", "我爸刚接了个自称社保局的电话，说他社保卡被冻结了，要先交保证金，人家现在还叫他接着转，你们快拦住！"),
    ("privacy_breach", "驿站把我的快递堆在门外，快递单上我的全名、手机号和门牌号全露着，这两天总有陌生人打电话叫我名字。"),
    ("injury", "修完车第二天就追尾了，我老婆额头磕在挡风玻璃上，医院说是轻微脑震荡。"),
])
def test_panel_f_dangers_fire(flag: str, message: str) -> None:
    assert flag in safety.detect(normalise(message))


@pytest.mark.parametrize(("flag", "message"), [
    ("fraud_in_progress", "你们这个拼单返现的活动简直就是骗局，拉了二十个人还差一点，到底还要拉几个？"),
    ("self_harm", "你们把检测报告和维修记录都给我封存好，医药费和误工费我会找律师跟你们算。"),
])
def test_panel_f_lookalikes_raise_no_such_flag(flag: str, message: str) -> None:
    assert flag not in safety.detect(normalise(message))


def test_a_customer_threatening_with_his_own_knife_is_not_told_to_warn_the_police_about_himself() -> None:
    message = "再跟我说等，我就去他家门口堵他，我兜里揣着刀呢，见着他我就捅死他！"
    assert "violence" in analyse(message).risk_flags
    reply = _reply(message, "counter")
    assert "别跟过去" not in reply and "主管" in reply, reply


@pytest.mark.parametrize("message", [
    "你好，我这个月话费怎么是一百六十多？账单里有个视频彩铃每个月十五块。我一开始还以为被诈骗了，查了下是你们扣的。",
    "I thought it was a scam at first, but the charge is from you. Why was I billed twice this month?",
])
def test_a_fraud_the_customer_has_ruled_out_is_no_fraud_in_progress(message: str) -> None:
    assert "fraud_in_progress" not in safety.detect(normalise(message))
    assert "fraud_in_progress" in safety.detect(normalise("卡里的钱不见了，我以为是我老公取的，他说不是，是不是被盗刷了？"))


@pytest.mark.parametrize(("message", "flag", "raised"), [
    # panel -i: a price joke, a phone call and a parent shopping for a child are no danger
    ("上礼拜牌子写的'跳楼价'，今儿又便宜了十块！合着跳楼还跳了两回啊？差价能给退不？", "self_harm", False),
    ("电话打过去不是没人接就是说明天，请你们给个准话哪天来装。", "violence", False),
    ("我儿子8岁，下周去夏令营，你们家有没有小孩能用的防晒？", "minor", False),
    # … and a threat to beat the clerk, a face reaction in Cantonese are
    ("你瞅啥？再瞅一个试试，信不信我现在就过去削你？", "violence", True),
    ("返到屋企第二朝塊面就又紅又痕，而家兩邊面珠都起晒粒。", "injury", True),
    ("我家孩子才12岁，偷偷用我手机充了两千块游戏。", "minor", True),
])
def test_panel_i_wordings(message: str, flag: str, raised: bool) -> None:
    assert (flag in safety.detect(normalise(message))) is raised


def test_panel_j_wordings() -> None:
    # points cleared are no money taken; a crash that already happened (out of the ER, car with the police) gets
    # the road-accident lines, not "stop the car, hazard lights, behind the barrier"
    assert "fraud_in_progress" not in safety.detect(normalise("上周发现账户里38600积分全部清零，客服说有效期一年。"))
    assert "fraud_in_progress" in safety.detect(normalise("刚发现账户里的钱全部清零了，不是我转的！"))
    after = "上周六换的刹车片，今天早上刹不住追尾了，刚从急诊出来，车还在交警那。"
    flag = safety.override(["injury"], normalise(after), "chat")
    assert flag is not None and "护栏" not in "".join(line.zh for line in safety.lines(flag, "chat", normalise(after)))
    failing = "刹车踩下去软塌塌的，我们一家人现在还在山路上。"
    assert "护栏" in "".join(line.zh for line in safety.lines("injury", "phone", normalise(failing)))


def test_still_unwell_after_treatment_is_not_treated_yet() -> None:
    # panel -i: a passenger with four stitches and still dizzy got only "see the doctor again if unwell"
    dizzy = normalise("我媳妇脑袋撞挡风玻璃上，缝了四针，现在还晕乎着呢。你们换的刹车片到底咋装的？")
    better = normalise("我媳妇脑袋撞挡风玻璃上，缝了四针，现在好多了。你们换的刹车片到底咋装的？")
    assert safety.override(["injury"], dizzy, "phone") == "injury"
    assert safety.override(["injury"], better, "phone") is None


# Violence told in passing, veiled, or in Cantonese (session 22: the flag found 8 of 16 on safety_s7/s8). Our own
# wordings, not the test sets'.
QUIET_VIOLENCE = [
    "我想把工资卡的短信提醒关掉，他一喝酒就对我动手，看到我取钱更要闹",
    "帮我把账单改寄到单位吧，上个月他把我推到墙上，我到现在还怕回家",
    "那个送货的说我要是敢给差评，就找几个人来我家门口堵我",
    "他说他知道我女儿在哪个幼儿园，让我把定金的事算了",
    "这个人从商场一路跟着我到你们店里，我不敢出去",
    "你投诉我是吧？那你自己小心一点",
    "佢飲醉就郁手，琴晚仲搣住我條頸，我想改咗個緊急聯絡人先",
    "嗰個師傅走之前話：『你等住，我知你住邊。』",
    "My ex has been following me from work and now he knows where I live. Can you stop the paper statements?",
    "He choked me last week, so please take his number off my account.",
]
QUIET_VIOLENCE_LOOKALIKES = [
    "我自己动手把路由器重启了好几次，还是没网",
    "我一直在等你们的回电，等得好辛苦",
    "快递员把我的东西摔坏了，我想投诉一下",
    "我们吵了一架，但我想问的是积分怎么转给他",
    "唔該幫我睇下個地址改咗未",
    "Could you follow up on my refund? I'm afraid it got lost.",
]


@pytest.mark.parametrize("message", QUIET_VIOLENCE)
def test_violence_told_in_passing_veiled_or_in_cantonese_fires(message: str) -> None:
    assert "violence" in safety.detect(normalise(message))


@pytest.mark.parametrize("message", QUIET_VIOLENCE_LOOKALIKES)
def test_their_everyday_lookalikes_stay_calm(message: str) -> None:
    assert safety.detect(normalise(message)) == []


def test_cantonese_is_read_as_mandarin_only_for_reading() -> None:
    assert as_mandarin("佢搣住我条颈") == "他掐住我条颈" and as_mandarin("我知你住边") == "我知道你住哪"
    assert as_mandarin("系统维护") == "系统维护"  # 係 (is) becomes 系 in simplified script: never read as 是


# Panel -r (h37/h38, read after their drafts were scored), in our own wording: a poison at hand and no face left to
# live, told in the middle of a mis-selling complaint; a call made is no blow; nobody hurt, said in Cantonese.
@pytest.mark.parametrize("message", [
    "那笔钱是我一辈子攒的，要是拿不回来我也没脸活了，家里柜子里还有半瓶农药，大不了喝了算了",
    "钱没了我哪还有脸活下去",
])
def test_a_poison_at_hand_or_no_face_left_to_live_is_self_harm(message: str) -> None:
    assert "self_harm" in safety.detect(normalise(message))


@pytest.mark.parametrize("message", [
    "你们一直不回电话，都是我自己打过去问的",
    "我架車冇人受傷，不過個倒後鏡爛咗",
])
def test_a_call_made_or_nobody_hurt_in_cantonese_is_no_danger(message: str) -> None:
    assert safety.detect(normalise(message)) == []
