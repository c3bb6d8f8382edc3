"""Panel 2026-12-07-l (session 19, fresh scenarios h25/h26): a missed menace with a tool and a false self-harm script,
each read by its structure and tested in sentences of our own, with the twin that must keep (or not get) its flag."""

from __future__ import annotations

import pytest

from coach.analyze import analyse


def flags(message: str) -> set[str]:
    return set(analyse(message).risk_flags)


@pytest.mark.parametrize("message", [
    "你再推一次，我手里这把锤子就往你头上招呼。",
    "把经理叫来，不然这个酒瓶子直接朝你脸上砸过去！",
    "信不信我拿板凳往他脑袋上抡",
])
def test_a_tool_aimed_at_someones_head_is_violence(message: str) -> None:
    assert "violence" in flags(message)


@pytest.mark.parametrize("message", [
    "师傅说扳手落在车里了，麻烦你们找一下。",
    "瓶子朝下放的，酒漏了一箱，你们怎么打包的？",
])
def test_a_tool_or_a_bottle_in_the_story_is_no_violence(message: str) -> None:
    assert "violence" not in flags(message)


@pytest.mark.parametrize("message", [
    "网断了一个礼拜，生意都停了，我迟早要死在你们手里。",
    "退款拖了两个月，真要被你们折腾死了。",
])
def test_you_will_be_the_death_of_me_is_blame_not_self_harm(message: str) -> None:
    assert "self_harm" not in flags(message)


def test_a_wish_to_die_beside_the_blame_keeps_its_flag() -> None:
    assert "self_harm" in flags("被你们折腾了半年，钱也没了，我真的不想活了。")
