"""Panel 2026-12-07-k (session 18, fresh scenarios h23/h24): four wrong danger scripts and one missed self-harm, each
read by its structure and tested in sentences of our own, with the twin that must keep its flag."""

from __future__ import annotations

import pytest

from coach import safety
from coach.analyze import analyse, normalise


def flags(message: str) -> set[str]:
    return set(analyse(message).risk_flags)


@pytest.mark.parametrize("message", [
    "快递到了，对方签收的时候我就看见屏幕裂了，现在只想要个赔偿。",
    "The caller hung up on me and my phone screen is cracked now.",
])
def test_a_broken_screen_is_no_screen_sharing(message: str) -> None:
    assert "fraud_in_progress" not in flags(message)


def test_screen_sharing_with_a_stranger_now_is_still_fraud() -> None:
    assert "fraud_in_progress" in flags("对方现在让我共享屏幕，说要帮我把钱转到安全的地方。")


@pytest.mark.parametrize("message", [
    "这酒要是假的，我老板不得弄死我，哈哈，你们帮我验一下吧。",
    "买错了颜色，我媳妇非整死我哈哈",
])
def test_a_boss_who_would_kill_me_said_as_a_joke_is_no_violence_or_threat(message: str) -> None:
    assert not flags(message) & {"violence", "threat"}


@pytest.mark.parametrize("message", ["门口那个人说要弄死我，你们快叫保安！", "你再不给我办，我弄死你。"])
def test_a_real_menace_keeps_its_violence_flag(message: str) -> None:
    assert "violence" in flags(message)


def test_a_scam_call_hung_up_on_with_nothing_given_is_no_fraud_in_progress() -> None:
    message = "前几天有人打电话说我的医保卡被盗用了，我直接挂断了，没有告诉他任何信息。想问问能不能把转账额度调低。"
    assert "fraud_in_progress" not in flags(message)


def test_a_card_stolen_and_money_gone_is_still_fraud() -> None:
    assert "fraud_in_progress" in flags("我的卡被盗刷了两万，刚刚收到的短信，快帮我冻结！")


def test_the_customers_own_photos_posted_as_a_threat_are_media_not_a_leak() -> None:
    found = flags("三天不给答复，我就把照片和聊天记录发到小红书上，让大家评评理。")
    assert "privacy_breach" not in found and "media" in found


def test_staff_posting_the_customers_photo_is_still_a_leak() -> None:
    assert "privacy_breach" in flags("你们店员把我的照片发到了他们的群里，还配了我的名字。")


@pytest.mark.parametrize("message", [
    "万一我出了什么事，孩子能拿到钱吧？你帮我查查受益人，查完我就不麻烦你们了。",
    "I have no strength left. If something happens to me, will my kids get the payout? Check the beneficiary for me.",
])
def test_asking_who_gets_the_payout_with_exhaustion_or_a_farewell_is_self_harm(message: str) -> None:
    assert "self_harm" in flags(message)


@pytest.mark.parametrize("message", [
    "万一我出了什么事，受益人是我女儿吗？我想确认一下保单。",
    "If something happens to me, who is the beneficiary on my policy?",
])
def test_the_payout_question_alone_is_an_ordinary_policy_question(message: str) -> None:
    assert "self_harm" not in flags(message)


def injury_lines(message: str, channel: str = "counter") -> str:
    return " ".join(line.zh + line.en for line in safety.lines("injury", channel, normalise(message)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("message", "channel"), [
    ("我妈在你们店里被掉下来的灯砸到头，现在头晕想吐，人坐在门口。", "counter"),
    ("用了你们的面霜脸上过敏红肿，现在嗓子发紧，喘气有点费劲，还能不能再敷点别的？", "chat"),
    ("My son had an allergic reaction to your sweets and now he has trouble breathing.", "phone"),
])
def test_signs_of_an_emergency_now_get_120_now(message: str, channel: str) -> None:
    assert "injury" in flags(message)
    assert "现在就拨打120" in injury_lines(message, channel)


@pytest.mark.parametrize("message", [
    "上个月用了你们的面霜，当时呼吸困难送了急诊，现在已经好了，想问问怎么赔。",
    "昨天被追尾了，早上起来有点头晕想吐，估计是没睡好，不碍事，先说车的事。",
])
def test_an_emergency_told_as_past_or_shrugged_off_is_not_120_now(message: str) -> None:
    assert "现在就拨打120" not in injury_lines(message)
