"""A letter's numbered requests answered point by point, and the stock lines that no longer stand beside them.

Panels -l and -m (sessions 19) scored letters of eight to ten stock lines 2.2 on average: "none of the three demands
or the 17 Jan deadline is addressed". Every message here is our own wording, not a panel case's.
"""

from __future__ import annotations

import pytest

from coach.analyze import analyse, normalise
from coach.compose import compose
from coach.compose.listed import listed_requests, quotable
from coach.guard.model import taken_back
from coach.policy import load_policy
from coach.safety import lines as safety_lines
from coach.safety import override

POLICY = load_policy()


def draft(message: str, channel: str = "letter") -> str:
    return compose(analyse(message), [], POLICY, words=message, channel=channel).text  # type: ignore[arg-type]


@pytest.mark.parametrize("message", [
    "我的要求：一、退还多收的420元；二、提供当时的通话录音。",
    "现提出以下要求：1. 退还多收的420元；2. 提供当时的通话录音。",
    "我的诉求是：(1)退还多收的420元 (2)提供当时的通话录音。",
    "希望贵司：①退还多收的420元；②提供当时的通话录音。",
    "我提两点要求，第一，退还多收的420元；第二，提供当时的通话录音。",
    "我就要两样：一个是退还多收的420元，另一个是提供当时的通话录音。",
])
def test_every_numbering_style_gives_the_same_two_requests(message: str) -> None:
    items = listed_requests(message)
    assert [(i.nth, i.text, i.kind) for i in items] == [(1, "退还多收的420元", "money"), (2, "提供当时的通话录音", "records")]


def test_a_numbered_account_of_what_happened_is_no_list_of_requests() -> None:
    message = "经过如下：1. 三月二日第一次送修；2. 三月九日第二次送修；3. 至今没有结论。"
    assert listed_requests(message) == ()


def test_the_requests_are_the_run_after_a_request_word_not_the_facts_before_it() -> None:
    message = ("到货后清点发现：1. 红酒少了两瓶；2. 礼盒印错了三套。\n"
               "现正式要求：一、本周五前补齐两瓶红酒；二、重做三套礼盒；三、书面说明出错原因。")
    items = listed_requests(message)
    assert [i.text for i in items] == ["本周五前补齐两瓶红酒", "重做三套礼盒", "书面说明出错原因"]
    assert [i.kind for i in items] == ["replace", "repair", "explain"]
    assert [i.by_date for i in items] == [True, False, False]


@pytest.mark.parametrize("item, kind", [
    ("这次免费修好，修不好请出具书面检测报告", "repair"),  # the first verb: a repair, not records
    ("调出当时的双录视频", "records"),
    ("书面说明我的资料被提供给了哪些机构", "explain"),  # 提供 inside what is to be explained
    ("如果换不了，把差价退给我们", "money"),  # money wins wherever it is
    ("向我母亲当面道歉", "apology"),
    ("处理那位收银员", "discipline"),
    ("立即停止给我打推销电话", "stop"),
    ("告诉我大概要多久才能修好", "timing"),
    ("以后能不能寄纸质账单给我？", "question"),
    ("a refund of the delivery fee", "money"),
])
def test_each_request_is_read_for_the_answer_it_needs(item: str, kind: str) -> None:
    message = f"我的要求：一、{item}；二、给我一个书面答复。"
    assert listed_requests(message)[0].kind == kind


def test_a_numbered_letter_is_answered_point_by_point_in_its_order_without_the_stock_lines() -> None:
    letter = ("营业厅负责人：上个月我父亲的套餐被改成了128元，他根本不会用智能手机。我的要求：一、提供当时办理的签字单；"
              "二、把多扣的钱退回来；三、对办理的营业员严肃处理。请在十个工作日内答复。")
    reply = draft(letter)
    first, second, third = (reply.index(f"{n}、关于“{t}”") for n, t in
                            (("一", "提供当时办理的签字单"), ("二", "把多扣的钱退回来"), ("三", "对办理的营业员严肃处理")))
    assert first < second < third, reply
    assert "调取相关记录" in reply[first:second] and "按规定审核" in reply[second:third], reply
    assert "如实上报" in reply[third:], reply
    for stock in ("这些我们都已记录在案", "我会加急反馈", "这件事情由我来负责跟进", "您反映的情况我详细记录下来了"):
        assert stock not in reply, (stock, reply)


def test_a_date_they_set_is_answered_once_and_not_promised() -> None:
    reply = draft("我的要求：一、本周五前把缺的两箱酒补齐；二、书面说明为什么发错。")
    assert reply.count("您提出的时间要求") == 1 and "能否按时办好" in reply, reply


def test_an_english_letter_is_answered_point_by_point() -> None:
    reply = draft("Dear Sir, I ask for three things: (1) a refund of the 60 yuan delivery fee; (2) a copy of the "
                  "delivery record; (3) an apology from the driver.")
    assert '(1) On "a refund of the 60 yuan delivery fee"' in reply and "(3) On" in reply, reply


def test_numbered_requests_said_at_the_counter_are_not_answered_as_a_letter() -> None:
    reply = draft("我就两个要求：一、把多扣的钱退给我；二、给我看看录音。", "counter")
    assert "逐一答复如下" not in reply, reply


def test_an_ordinary_letter_has_no_ownership_line() -> None:
    # "这件事情由我来负责跟进" beside "我们会转交上级部门" was one of the stock lines the panels counted
    reply = draft("你们快递把我的箱子弄丢了，系统一直停在转运中心，打了三次客服都说已催促。")
    assert reply.startswith("尊敬的客户") and "这件事情由我来负责跟进" not in reply, reply


def test_the_customer_s_question_quoted_back_is_no_taboo_for_the_learned_stage() -> None:
    said = normalise("三、关于“以后有事可不可以直接找真人接听？”，这一点我们核实后，会在书面答复中为您写清楚。")
    assert taken_back(said, "forbidden_phrase")
    assert not taken_back(normalise("您说“快点”，我也没办法，找别人去吧。"), "forbidden_phrase")


def test_what_they_expect_us_to_say_is_no_demand_of_theirs() -> None:
    words = "我写信不是为了要钱。我知道你们会说可以按保价赔我500元，我只希望你们派人去转运中心找一找。"
    assert "compensation" not in analyse(words).demands


def test_tell_me_is_not_said_back_as_tell_you() -> None:
    reply = draft("箱子丢了十天了，请告诉我你们具体找了哪些地方？")
    assert "告诉您" not in reply.split("具体找了哪些地方")[0][-8:], reply


def test_a_lawyer_and_a_regulator_get_one_request_for_contact_details() -> None:
    reply = draft("我已委托律师，并已向12315投诉。刹车片是你们换的，车撞了，请三日内书面回复：施工记录和责任人。")
    assert reply.count("联系方式") == 1, reply


@pytest.mark.parametrize("words, flag", [
    # going to hospital for rehabilitation in a broken wheelchair's story: no injury from the product
    ("轮椅用了十九天电机就坏了，我妈中风以后每周二要坐着去医院做康复。", "injury"),
])
def test_routine_care_in_the_story_is_no_injury(words: str, flag: str) -> None:
    assert flag not in analyse(words).risk_flags


def test_a_written_reply_asked_for_with_a_colon_is_no_prompt_injection() -> None:
    assert "injection" not in analyse("请贵店在收到本函三日内书面回复：施工记录和责任人。").risk_flags


def test_a_feared_visit_to_a_posted_address_is_not_treated_as_harassment_under_way() -> None:
    words = "顾问把我的会员资料截图发到了四百人的群里，住址都在上面，万一有人找上门怎么办？"
    a = analyse(words)
    assert "privacy_breach" in a.risk_flags
    assert override(a.risk_flags, normalise(words), "letter") is None


# ----------------------------------------------------------------------------- said aloud or typed (panel -n: phone 2.36)


def test_requests_counted_off_on_the_phone_are_answered_in_their_order_within_the_limit() -> None:
    words = "你听好了，我就三个要求：第一，把多扣的九十块退给我；第二，给我看看当时办业务的签字单；第三，以后别再给我打推销电话。"
    reply = draft(words, "phone")
    first, second, third = (reply.index(n) for n in ("第一，", "第二，", "第三，"))
    assert "审核" in reply[first:second] and "记录" in reply[second:third] and "停" in reply[third:], reply
    assert "您希望退款，是吗" not in reply and len(reply) <= 200, reply
    assert reply.rstrip().endswith("您看这样可以吗？"), reply  # the method's 问: their consent to the plan


def test_a_question_among_them_is_named_back_in_staff_s_voice() -> None:
    words = "我想说两件事：一是这瓶漏了的酒能不能换一瓶，二是同一箱的另外几瓶会不会也有问题？"
    reply = draft(words, "chat")
    assert "第一，" in reply and "第二，您问的同一箱的另外几瓶会不会也有问题" in reply, reply


def test_english_points_are_counted_off_in_english() -> None:
    words = ("Three things, please. First, my card was blocked yesterday and I need it unblocked. Second, I was charged "
             "twice for the same bill. Third, can you send me the statement in English?")
    reply = draft(words, "phone")
    assert "First, " in reply and "Second, " in reply and "Third, you asked whether we can send you" in reply, reply


def test_points_that_could_be_neither_named_nor_answered_are_not_counted_off() -> None:
    # "第一，这一点我也记下了。第二，这一点我也记下了" says nothing: the usual reply is made instead
    reply = draft("我就两点：第一，你们那个小伙子；第二，上回那个事儿。", "phone")
    assert "第一，" not in reply, reply


def test_a_first_time_is_no_numbered_point() -> None:
    assert listed_requests("我就说两件事，第一次来的时候态度还行，第二次就不行了。") == ()


def test_a_letter_of_questions_is_introduced_as_questions_not_demands() -> None:
    reply = draft("王经理您好，想确认两件事：一是发票能否在月底前开出，二是能否分两批送到。谢谢。")
    assert "您问的几点，我们逐一答复如下" in reply and "要求" not in reply.split("如下")[0], reply


def test_whether_it_is_still_safe_to_drive_is_answered_now_even_in_a_letter() -> None:
    # panel -n: "even the 'can I still drive it' safety question with a child on board is left for a later letter"
    reply = draft("我的要求：一、退还这次的维修费；二、这车现在还能不能开？我每天要送孩子上学。")
    assert "请您先不要继续驾驶或使用" in reply.split("二、")[1], reply


@pytest.mark.parametrize("words", [
    "我现在在高速服务区，刚才刹车踩下去软绵绵的，差点撞前车，我老婆脖子疼。",
    "We are on the motorway hard shoulder, the brakes went soft and my wife's neck hurts.",
    "在服务区呢，刚才刹车踩下去软绵绵的，差点怼前车屁股上，我媳妇脖子闪了一下，现在说脖子疼。",  # hurt: not vehicle_failing
])
def test_a_car_that_failed_on_the_road_is_not_driven_on_and_a_tow_is_arranged(words: str) -> None:
    # panel -n: "a driver stranded on the expressway is never sent the tow truck or told not to drive the car"
    said = " ".join(line.zh + line.en for line in safety_lines("injury", "phone", normalise(words)))
    assert ("车先不要再开了" in said or "车先别再开" in said) and ("拖车" in said or "拖到店里" in said), said
    hurt_at_home = normalise("刹车片换完一周了，我手被车门夹伤了。")
    assert "拖车" not in " ".join(line.zh for line in safety_lines("injury", "phone", hurt_at_home))


def test_points_answered_alike_are_said_once() -> None:
    words = "你给我办三个事儿：第一把这个会员给我停了；第二这两个月的五十块给我退回来；第三往后别老给我打推销电话了。"
    reply = draft(words, "phone")
    assert "第一和第三，" in reply and reply.count("能当场停的马上停") == 1, reply


def test_i_want_to_know_is_not_said_back_after_you_asked() -> None:
    reply = draft("年费的事我问两个：一是这600块年费能不能给我冲掉？二是我想知道这是按什么规定收的？", "chat")
    assert "您想知道" not in reply and "这是按什么规定收的" in reply, reply


def test_another_phone_is_no_second_point() -> None:
    assert listed_requests("我要两样东西。他现在另一个手机上还在跟我讲，说还要再转一笔。") == ()


def test_a_named_contact_asked_for_is_promised_a_name_and_number() -> None:
    # panel -o: "the request for a named contact gets a template line"
    reply = draft("我的要求：一、说明为什么拖了三个月；二、指定专人负责这件事，把他的姓名和电话告诉我。")
    assert "我们会指定专人负责您的事" in reply.split("二、")[1], reply


def test_a_closing_date_asked_for_is_answered_as_timing() -> None:
    assert listed_requests("特函请贵公司：一、书面说明目前处理进度；二、明确告知预计结案日期。")[1].kind == "timing"


def test_a_time_limit_set_outside_the_list_is_answered_once() -> None:
    # panel -o: "the 10-day deadline is not addressed"
    reply = draft("我的要求：一、退还多收的费用；二、书面说明原因。若十个工作日内未获答复，我将向监管部门反映。")
    assert reply.count("您提出的时间要求") == 1, reply


def test_a_letter_from_a_calm_customer_does_not_say_dont_worry() -> None:
    reply = draft("我的包裹一直停在转运中心，打了三次客服都说已催促，请你们派人去找一找。")
    assert "不用着急" not in reply and "您信中说的情况我们都认真看了" in reply, reply


def test_muddled_is_no_ointment_applied() -> None:
    # 又不是老糊涂了 matched 涂了 beside a hospital bill: an elderly customer's withdrawal got the product-injury script
    words = "我七十八了，又不是老糊涂了，我自己的钱取个五万还要喊人陪？这是医院的缴费单，明天就要交。"
    assert "injury" not in analyse(words).risk_flags


@pytest.mark.parametrize("words", [
    "这支漏酒的能不能给我换一支，我不要退钱，我是要送人的。",
    "我不要退款啊，退款没用，我要的是补发两瓶同款的。",
])
def test_a_refund_they_rule_out_is_no_refund_demand(words: str) -> None:
    # panels -n and -o: "she said she wants an exchange, not a refund, yet the reply says refund needs review"
    assert "refund" not in analyse(words).demands


def test_a_refund_with_a_condition_on_where_it_goes_is_still_a_refund() -> None:
    assert "refund" in analyse("别给我退成什么平台余额，退款原路退到我信用卡。").demands


@pytest.mark.parametrize("words, kinds", [
    ("我今天就两个事：钱今天必须让我取到；还有那个大堂经理当着一屋子人说我被骗了，她要给我道个歉。", ["other", "apology"]),
    ("我就要两样：运费退给我，还有东西你们得赔。", ["money", "money"]),
])
def test_requests_announced_by_their_number_are_read_without_markers(words: str, kinds: list[str]) -> None:
    assert [i.kind for i in listed_requests(words)] == kinds


@pytest.mark.parametrize("words", ["我说两点，你们这个服务太差了。", "两个小时了，还没人理我。"])
def test_an_announced_number_without_that_many_pieces_is_no_list(words: str) -> None:
    assert listed_requests(words) == ()


# Requests made one after another without numbers (session 21). Panel -o scored spoken and chat replies that answered
# one of two or three such requests 2 ("ignores the broadband visit date", "skips the stamped receipt"). Our wording.
@pytest.mark.parametrize("words, kinds", [
    ("你帮我把那个彩铃业务关了，再把上个月的详单给我打一份，多收的钱要退给我。", ["stop", "records", "money"]),
    ("网费多扣的那部分退给我，另外你们得给我个说法，为什么不通知就涨价。", ["money", "explain"]),
    ("把你们店长叫出来，还有这瓶酒给我换一瓶新的。", ["manager", "replace"]),
    ("Can you cancel the extra data pack and refund the 30 yuan it cost me?", ["stop", "money"]),
    ("Please send me a copy of the receipt. Also, I'd like the late fee refunded.", ["records", "money"]),
])
def test_requests_made_one_after_another_are_read_without_numbers(words: str, kinds: list[str]) -> None:
    assert [i.kind for i in listed_requests(words)] == kinds


@pytest.mark.parametrize("words", [
    "你们客服当时说会把钱退给我，结果到现在也没退，我要投诉。",  # reported speech and a complaint: one request at most
    "钱你们也都给我退回来了，我就想问问以后怎么避免。",  # done already
    "我要退款。",  # one request
    "别给我推什么升级服务，我不要，我要退款。",  # a refusal is no request of its own
    "我会把聊天记录发出来，让大家评评理，你们看着办。",  # a threat of what they will do
])
def test_reported_done_refused_or_single_requests_are_no_list(words: str) -> None:
    assert listed_requests(words) == ()


def test_a_clause_after_a_request_belongs_to_it_and_does_not_change_its_kind() -> None:
    items = listed_requests("今天一定要把卡补好，我明天早上的飞机，收据也开一张给我。")
    assert [i.kind for i in items] == ["replace", "records"]
    assert items[0].text == "今天一定要把卡补好，我明天早上的飞机"


def test_a_spoken_answer_names_what_was_asked_for() -> None:
    # panel -o: "covers all three asks in order, but each only vaguely" ("第一，相关记录我马上帮您调出来核查")
    reply = draft("你帮我把那个彩铃业务关了，再把上个月的详单给我打一份，多收的二十块钱要退给我。", "counter")
    assert "第一，那个彩铃业务，" in reply and "第二，上个月的详单，" in reply, reply
    assert "第三，多收的二十块钱，" in reply and "以审核结果为准" in reply, reply


def test_what_cannot_be_named_is_counted_off_with_what_it_is_about() -> None:
    reply = draft("我就两个事：钱你们得退；还有给我一份当时的签字单。", "phone")
    assert "第一，钱的事" in reply, reply


def test_a_manager_fetched_as_a_point_is_not_fetched_twice() -> None:
    reply = draft("我排了两个钟头，把你们经理叫出来，还有今天必须把卡给我补好。", "counter")
    assert reply.count("主管") == 1 and "第一，" in reply, reply


def test_a_named_object_that_would_promise_is_not_said() -> None:
    # their words said back must pass the guard for every role, as every line does
    words = "把保证给我全额赔偿写进合同里，另外多扣的钱退给我。"
    reply = draft(words, "counter")
    assert "保证给您全额赔偿" not in reply, reply


@pytest.mark.parametrize("words, kind", [
    ("我的要求：一、能不能开专票？二、送货要不要加钱？", "question"),  # 开专票 is no driving the car
    ("我的要求：一、这次免费修好；二、出具检测报告。", "repair"),  # 免费 is no fee waived
])
def test_lookalike_words_do_not_change_the_kind(words: str, kind: str) -> None:
    assert listed_requests(words)[0].kind == kind


@pytest.mark.parametrize("words", [
    "那个视频包你给我取消了，多扣的钱退给我。",
    "Can you cancel that new SIM and block the number, and tell me who asked for it?",
])
def test_a_service_cancelled_is_stopped_not_restored(words: str) -> None:
    # panel -p: "'能恢复的…帮您办' fits nothing he asked" (a video pack to cancel), "what can be restored" (a SIM swap)
    assert listed_requests(words)[0].kind == "stop"


def test_a_quote_is_never_cut_inside_a_number() -> None:
    # panel -p: "quotes the letter cut off mid-number ('共计86……')"
    item = listed_requests("我的要求：一、退还贵司今年三月以来重复扣收的全部货款，共计86,400元以及按同期贷款利率计算的利息，"
                           "并支付逾期违约金；二、书面说明原因。")[0]
    assert quotable(item, english=False) == "退还贵司今年三月以来重复扣收的全部货款……"


@pytest.mark.parametrize("words, kinds", [
    ("你哋即刻换部新机俾我啦，仲有嗰五十蚊手续费都要退返俾我。", ["replace", "money"]),
    ("唔該幫我把呢個月嘅賬單打出嚟，仲有多收嘅錢退返俾我。", ["records", "money"]),
])
def test_cantonese_requests_are_read_as_plainly_as_mandarin(words: str, kinds: list[str]) -> None:
    # panel -p: "asks what the customer wants though she clearly asked for a swap" (可唔可以…換返…俾我)
    assert [i.kind for i in listed_requests(words)] == kinds


def test_a_cantonese_request_is_not_asked_again() -> None:
    reply = draft("我收到嘅係紅色，唔係我要嘅藍色，可唔可以聽日之前換返藍色俾我？", "chat")
    assert "您希望我們怎麼幫您處理" not in reply and "您希望我们怎么帮您处理" not in reply, reply


@pytest.mark.parametrize("channel", ["phone", "letter"])
def test_a_loaner_car_asked_for_is_answered_as_a_loaner_not_a_repair(channel: str) -> None:
    # panel -p: "point one offers an 'exchange or repair' he never asked for; the loaner is missed"
    words = "车在你们店里修了两个礼拜了，你给我安排一台代步车，另外打车的钱给我报销了。"
    assert [i.kind for i in listed_requests(words)] == ["loaner", "money"]
    reply = draft(words, channel)
    assert "代步车" in reply and "换货或维修" not in reply and "维修、更换" not in reply, reply


@pytest.mark.parametrize("words", [
    "我第三次打了，别又跟我说登记。两个事：多扣的二十块钱退给我；还有宽带到底哪天来装。",
    "Third call. Don't just log it. Two things: refund the double charge; and tell me when the engineer is coming.",
])
def test_a_caller_who_refuses_being_registered_is_not_told_it_is_passed_on(words: str) -> None:
    # panel -o: "gives the third-time caller exactly the 'we will pass it on' he refused"
    reply = draft(words, "phone")
    assert "转交上级部门" not in reply and "pass it to the department above us" not in reply, reply
    assert "第一" in reply or "First" in reply, reply


def test_a_passbook_still_usable_is_no_question_of_safety() -> None:
    # panel -q: "car-repair template ('stop driving, tow truck') for an elderly lady's passbook question"
    words = "你就跟我说句实话，存折还能不能用，我能不能一直在柜台办？"
    assert "safe_to_use" not in [i.kind for i in listed_requests(words)]
    assert "拖车" not in draft(words, "counter")
    assert listed_requests("我的要求：一、车还能不能开？二、刹车异响的原因说清楚。")[0].kind == "safe_to_use"


def test_a_bottle_is_exchanged_not_repaired_and_a_lone_verb_is_no_request() -> None:
    # panel -q: "offers to 'exchange or repair' a wine bottle, gives a vague second point"
    words = "I'd like a replacement bottle of the same wine. Can someone who knows wine taste it and confirm?"
    items = listed_requests(words)
    assert items[0].kind == "replace" and all(len(i.text.split()) >= 3 for i in items), items
    assert "repair" not in draft("I'd like a replacement bottle, and refund the delivery fee please.", "chat")


def test_an_adverb_before_the_verb_is_not_part_of_what_they_asked_for() -> None:
    # 把发票重开一下 was named back as "第一，发票重，…" (panel -r, our wording)
    reply = draft("我上周三在你们店订了六十套护肤礼盒，发票抬头开错了，麻烦你们今天把发票重开一下，礼盒今天能不能先送一部分过来？",
                  "counter")
    assert "第一，发票，" in reply, reply
    assert "发票重" not in reply and "发票新" not in reply, reply
