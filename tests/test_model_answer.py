"""Reading a model's answer: reasoning blocks removed, the JSON asked for, or plain text."""

from __future__ import annotations

from coach.model_answer import read_answer, strip_reasoning


def test_think_blocks_and_a_lone_closing_tag_are_removed() -> None:
    assert strip_reasoning("<think>a\nb</think>\n您好") == ("您好", False)
    assert strip_reasoning("<THINKING>x</THINKING>您好<reasoning>y</reasoning>") == ("您好", False)
    assert strip_reasoning("想了很多……</think>您好") == ("您好", False)
    assert strip_reasoning("<think>还没想完") == ("", True)


def test_json_in_a_fence_is_read_with_its_passages() -> None:
    answer = read_answer('```json\n{"reply": "您好", "steps": ["稳"], "passages": ["P2", "p1", "X"]}\n```')
    assert answer.structured and answer.reply == "您好" and answer.steps == ["稳"] and answer.passages == [1, 0]


def test_plain_text_and_broken_json_are_read_as_text() -> None:
    assert read_answer("您好，我理解。").reply == "您好，我理解。"
    broken = read_answer('{"reply": "您好"')
    assert not broken.structured and broken.reply == '{"reply": "您好"'
