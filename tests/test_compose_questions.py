"""The customer's own questions said back by the next step (coach/compose/questions.py).

Before: "您问的这些，我现在就帮您查清楚" whatever was asked (blind panels -g, -h: "三个问题一个没答").
"""

from __future__ import annotations

import pytest

from coach.analyze import analyse
from coach.compose import compose
from coach.compose.questions import open_questions
from coach.evaluation.signals import read_steps
from coach.policy import load_policy

POLICY = load_policy()


def draft(message: str, channel: str = "counter") -> str:
    return compose(analyse(message), [], POLICY, words=message, channel=channel).text  # type: ignore[arg-type]


def test_each_question_is_said_back_as_an_indirect_question_in_staff_voice() -> None:
    assert open_questions("请问首保是免费的吗？要带什么东西？大概要多久？", "zh-Hans") == [
        "首保是不是免费的", "要带什么东西", "大概要多久"]
    # 吗 turns on the verb (会 → 会不会), 了吗 → 了没有, 我 → 您, 你们 → 我们, 到底 goes
    assert open_questions("碎玻璃我怎么寄回？快递会收吗？", "zh-Hans") == ["碎玻璃您怎么寄回", "快递会不会收"]
    assert open_questions("我寄的包裹你们收到了吗？今天到底几点能修好？", "zh-Hans") == [
        "您寄的包裹我们收到了没有", "今天几点能修好"]
    # traditional script is read simplified (the reply is converted back for the customer)
    assert open_questions("國際漫遊要怎麼開？在香港上網一天大概多少錢？有沒有封頂？", "zh-Hant") == [
        "国际漫游要怎么开", "在香港上网一天大概多少钱", "有没有封顶"]


@pytest.mark.parametrize("message", [
    "凭什么不给我退？",  # accusing
    "她咋可能自己开这些东西？",  # rhetorical
    "你们系统不是有读卡器吗？",  # 不是……吗
    "是宽带客服不嘛？",  # who they called
    "你们为什么不提前通知？",  # a why is a grievance; the explain line answers it
    "今天晚上这个生意的损失哪个赔？",  # money: the review line answers it
    "当时你是不是说的存款？",  # words to the clerk do not change voice
    "还没发货吧？",  # a guess, not a question
    "这酒免费吗？",  # 吗 with no verb to turn: left out rather than garbled
])
def test_rhetorical_money_and_unturnable_questions_are_never_said_back(message: str) -> None:
    assert open_questions(message, "zh-Hans") == []


def test_a_question_a_request_line_answers_is_not_said_back_twice() -> None:
    message = "还没发货吧？能帮我改一下地址吗？"
    assert open_questions(message, "zh-Hans") == ["能不能帮您改一下地址"]
    assert open_questions(message, "zh-Hans", covered=("do_change_address",)) == []


def test_english_questions_with_a_pronoun_subject_become_indirect() -> None:
    assert open_questions("Quick questions: is the first service really free, what do I need to bring, "
                          "and roughly how long will it take?", "en") == ["what you need to bring",
                                                                           "how long it will take"]
    assert open_questions("Can I exchange it at your Lanzhou store? And is there a deadline?", "en") == [
        "whether you can exchange it at our Lanzhou store", "whether there is a deadline"]
    # a plea, a condition and money are not questions to read back
    assert open_questions("What do I do? If I service it there, will that void it? Can I get my money back?",
                          "en") == []


def test_the_draft_names_each_question_and_commits_to_answering_it() -> None:
    reply = draft("请问首保是免费的吗？要带什么东西？大概要多久？", "chat")
    assert "您问的首保是不是免费的、要带什么东西、大概要多久，我现在就帮您一项一项查清楚" in reply
    assert "您问的这些" not in reply
    steps = read_steps(reply)
    assert steps.ok, reply  # still the whole method, in order
    one = draft("我想预约下周六上午做个两万公里保养，大概需要多长时间？", "phone")
    assert "您问的大概需要多长时间，我现在就帮您查清楚，马上告诉您" in one


def test_a_letter_answers_its_questions_in_writing_and_english_gets_them_in_english() -> None:
    letter = draft("您好，我母亲今年八十岁，想问一下：变更联系电话需要带什么材料？她本人需不需要到场？", "letter")
    assert "您信中问到的" in letter and "她本人需不需要到场" in letter
    english = draft("Hi, can I pay by card at your counter? And is there a deadline?", "chat")
    assert "You asked whether you can pay by card at our counter and whether there is a deadline" in english


def test_traditional_customers_hear_their_questions_in_traditional_script() -> None:
    reply = draft("請問國際漫遊要怎麼開？在香港上網一天大概多少錢？", "chat")
    assert "國際漫遊要怎麼開" in reply and "国际漫游" not in reply


def test_a_guarantee_asked_for_is_never_said_back() -> None:
    reply = draft("你们能不能保证明天一定送到？", "chat")
    assert "保证" not in reply and "一定送到" not in reply


@pytest.mark.parametrize("message", [
    "我第一条消息全写了！！你们是看不见字吗？",  # "is it that you…?" about the company: an accusation (panel -i)
    "你们仓库是不是闭着眼睛打包？",
    "你们这冷链冷个啥了？",
    "核对什么？",  # a retort, too short to stand alone
    "你们说不说英语？",
    "我能瞎转吗？",
    "这十天少赚多少你们算过没？",
    "我寻思是不是有人把我号给补卡了？",  # their own guess
    "这个快递员的态度你们会不会处理？",  # a colleague's discipline is never said back as a question to look up
])
def test_accusations_retorts_and_guesses_are_not_read_back_as_questions(message: str) -> None:
    assert open_questions(message, "zh-Hans") == []


def test_what_the_company_has_or_can_do_is_still_a_question() -> None:
    assert open_questions("你们有没有代步车？你们能不能先把卡停了？", "zh-Hans") == [
        "我们有没有代步车", "我们能不能先把卡停了"]


def test_chat_clauses_split_by_spaces_and_sentences_that_ask_without_a_mark_are_read() -> None:
    assert open_questions("有个生鲜的件能不能改到后天送 放驿站会不会化掉", "zh-Hans") == [
        "有个生鲜的件能不能改到后天送", "放驿站会不会化掉"]
    # 你就告诉我…: a question without a question mark; spoken 啥 is said back as 什么
    assert open_questions("你可别再转了！你就告诉我，我得带啥，上哪儿去。", "zh-Hans") == ["您得带什么"]
    # a list number never joins its question (panel -i: "您问的二，哪天能提车")
    assert open_questions("一，零件到没到？二，哪天能提车？", "zh-Hans") == ["哪天能提车"]


def test_only_the_last_turns_questions_are_open() -> None:
    # panel -j: a question of an earlier turn, answered by staff since, said back as if still open
    earlier = "请问是不是送到南湖小区12栋了？"
    latest = "对，就是那儿。那送酒的人到底看没看身份证？孩子现在还在睡。"
    words = earlier + "\n" + latest
    reply = compose(analyse(latest), [], POLICY, words=words, channel="phone", latest=latest).text
    assert "南湖小区" not in reply.split("您问的", 1)[-1], reply


def test_reported_questions_and_the_language_question_are_not_read_back() -> None:
    # panel -j: "您问的还问您要不要买他的理财", "whether we speak English"
    assert open_questions("那个人打电话报出我的保单号，还问我要不要买他的理财？", "zh-Hans") == []
    assert open_questions("Do you speak English? Can I change the delivery time to Saturday?", "en") == [
        "whether you can change the delivery time to Saturday"]


def test_an_accusation_with_a_modal_inside_is_still_an_accusation() -> None:
    assert open_questions("你们是不是不会算账？", "zh-Hans") == []
