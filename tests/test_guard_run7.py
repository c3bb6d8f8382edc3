"""Guard run 7: the forbidden-phrase families widened by meaning (learned from the real violations of
evals/datasets/jddc_measure_a.jsonl and jddc_measure_b.jsonl, read as tuning data), and the learned stage trained
on both files. Every case is a sentence of our own, not a real turn; each "flagged" case is missed by the code
before run 7 (d997974), each "not flagged" case is the wording that must stay clean beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.guard.model import MODEL_PATH
from tests.guard_checks import phrase_categories


# Refusing by rule alone: the case itself, a refusal verb, and what the customer asked for; no way forward.
@pytest.mark.parametrize("text", [
    "这张礼品卡订单不支持补开发票的",
    "我们是无法操作退款的，亲",
    "那就是不可以的哈",
])
def test_a_refusal_by_rule_with_no_alternative_is_blame_rules(text: str) -> None:
    assert "blame_rules" in phrase_categories(text)


@pytest.mark.parametrize("text", [
    "这张礼品卡订单不支持补开发票的，您可以在订单详情里申请电子发票哦",  # a way forward
    "因为包裹已经出库了，所以地址不能修改了呢",                          # the reason explained
    # flagged by run 7 as "a time limit as the whole answer"; run 9's blind reviewer (jddc_review_run8.jsonl)
    # reads a passed time limit as the case's own reason, so it is no taboo
    "您的订单已经过了保价期了哦",
])
def test_a_refusal_with_a_way_forward_or_its_reason_is_no_forbidden_phrase(text: str) -> None:
    assert "blame_rules" not in phrase_categories(text)


# Sending elsewhere: "需要联系品牌方呢", "您联系下卖家问问呢", with no number, no way and no help.
@pytest.mark.parametrize("text", ["需要联系品牌方呢", "您联系下卖家问问呢", "建议您联系一下物流公司哦"])
def test_sending_the_customer_to_another_party_without_help_is_pass_the_buck(text: str) -> None:
    assert "pass_the_buck" in phrase_categories(text)


@pytest.mark.parametrize("text", [
    "您联系下卖家问问呢，卖家电话是[电话x]",      # the number given
    "我帮您联系一下卖家，稍后回复您",              # staff contact them
    "您可以联系卖家，提交一下售后服务单就可以了",  # the way to do it
])
def test_sending_elsewhere_with_the_number_or_help_is_no_forbidden_phrase(text: str) -> None:
    assert "pass_the_buck" not in phrase_categories(text)


# Bare not-knowing in chat register ("小妹/这边/妹子" forms) with no offer to find out.
@pytest.mark.parametrize("text", ["妹子这边查询不到的哦", "送达时间我们也无法预估呢", "系统里没有相关记录的哦"])
def test_not_knowing_or_not_seeing_with_no_offer_is_ignorance(text: str) -> None:
    assert "ignorance" in phrase_categories(text)


@pytest.mark.parametrize("text", [
    "妹子这边查询不到的哦，麻烦您提供一下订单号",  # asks for what lets staff look
    "送达时间我们也无法预估呢，小妹帮您反馈催一下",  # an offer
])
def test_not_knowing_with_an_offer_is_no_forbidden_phrase(text: str) -> None:
    assert "ignorance" not in phrase_categories(text)


# Blaming the customer for a missed step; a condition is not blame.
def test_blaming_the_customer_for_a_missed_step_is_blame_customer() -> None:
    assert "blame_customer" in phrase_categories("师傅给您打了电话，您没有按时接听")
    assert "blame_customer" not in phrase_categories("如果您没有按时接听，师傅会再打给您的")


# Impatience in chat: hurrying a complaining customer, "说了多少次".
@pytest.mark.parametrize("text", ["价格随时会变的，欲购从速哦", "心动不如行动呢亲", "跟您说过好几次了"])
def test_hurrying_or_repeating_in_chat_is_impatience(text: str) -> None:
    assert "impatience" in phrase_categories(text)


def test_the_model_builder_reads_several_jddc_label_files_once_each(tmp_path: Path) -> None:
    """`build_guard_model.py --jddc-labels A B`: a turn labelled in both files is one training row."""
    from scripts import build_guard_model as builder

    sessions = tmp_path / "jddc_sessions.jsonl"
    sessions.write_text('{"session": "s", "turns": [{"speaker": "customer", "text": "能退吗"}, '
                        '{"speaker": "staff", "text": "不能退的"}, {"speaker": "staff", "text": "不能退的"}]}\n',
                        encoding="utf-8")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"session": "s", "turn": 1, "label": "forbidden_phrase"}\n', encoding="utf-8")
    second.write_text('{"session": "s", "turn": 1, "label": "ok"}\n{"session": "s", "turn": 2, "label": "ok"}\n',
                      encoding="utf-8")
    rows = [builder.jddc_rows(first, tmp_path), builder.jddc_rows(second, tmp_path, skip=frozenset({("s", 1)}))]
    assert [r.kind for r in rows[0] + rows[1]] == ["forbidden_phrase", "ok"]  # turn 2 kept, though its text repeats


def test_labels_scores_a_model_file_given(tmp_path: Path) -> None:
    """`bench.jddc_review labels --model`: the cross-file estimate scores rules + a model built without the file."""
    from bench import jddc_review

    sessions = tmp_path / "sessions.jsonl"
    sessions.write_text('{"session": "s", "turns": [{"speaker": "customer", "text": "能开发票吗"}, '
                        '{"speaker": "staff", "text": "这种订单不支持补开发票的"}]}\n', encoding="utf-8")
    labels = [{"session": "s", "turn": 1, "label": "forbidden_phrase"}]
    predicted = jddc_review.label_predictions(labels, sessions, model=MODEL_PATH)
    assert predicted["rules"][("s", 1)] == {"forbidden_phrase"}
