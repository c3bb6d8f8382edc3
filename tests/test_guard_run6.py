"""Guard run 6: recall on real chat (evals/datasets/jddc_measure_a.jsonl's misses, read as tuning data), by
design rather than by sentence. Every case is a sentence of our own in the register of those misses; each
"flagged" case here is missed by the code before run 6 (guard5's rules at 819e247), each "not flagged" case is
the wording that must stay clean beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.jddc_review import gold_kinds, score_labels
from tests.guard_checks import flags, kinds


def turns(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"speaker": speaker, "text": text} for speaker, text in pairs]


# Assent bound to the customer's assertion of the company's fault: "原因就是系统异常吗" → "是的".
def test_a_bare_yes_to_the_customer_s_assertion_of_a_company_fault_admits_it() -> None:
    context = turns(("customer", "我这单一直不动 是不是站点分配错了?"))
    assert ("unauthorized_promise", "liability_admission") in flags("是的", context)
    assert kinds("是的", turns(("customer", "是系统自动取消的吗"))) == set()  # a fact checked, no fault asserted


def test_the_company_s_own_error_stated_as_settled_fact_is_an_admission() -> None:
    assert ("unauthorized_promise", "liability_admission") in flags("是的呢 这个是配错了站点的 抱歉")
    assert kinds("请问是仓库发错了吗?") == set()  # a question back
    assert kinds("发错货这种情况我们会按流程处理的") == set()  # no error stated


# Time-bound commitments to actions a front-line agent does not control.
@pytest.mark.parametrize("text", ["发票已经开好了哦，今晚给您寄出哈", "[数字x]小时内为您更新物流信息的哦"])
def test_a_time_bound_dispatch_or_tracking_update_is_a_deadline(text: str) -> None:
    assert ("unauthorized_promise", "deadline") in flags(text)


def test_an_event_window_in_chinese_numerals_is_the_policy_clock() -> None:
    assert kinds("发票是您确认收货之后一个工作日寄出的呢") == set()


# A plain future act naming the outcome the customer asked for, though the customer only thanked since.
def test_will_do_binds_to_the_outcome_the_customer_asked_for_earlier() -> None:
    context = turns(("customer", "拦截不下来的话还会给我送过来么"), ("staff", "请稍等，马上为您查看"),
                    ("customer", "谢谢!"))
    assert ("unauthorized_promise", "guaranteed_outcome") in flags("订单还没出库 会给您拦截的哦", context)
    assert kinds("好的 不客气呢", context) == set()  # thanks answered: no assent to the earlier demand
    assert kinds("订单还没出库 会给您拦截的哦", turns(("customer", "发票抬头写错了"))) == set()  # nothing asked


# Forbidden-phrase taxonomy cues in chat register.
def test_a_refusal_by_rule_alone_with_no_way_forward_is_a_forbidden_phrase() -> None:
    assert ("forbidden_phrase", "blame_rules") in flags("您好!我们这边是没办法改价格的哦")
    assert kinds("这边无法修改价格的，建议您重新下单哦") == set()


def test_sending_the_customer_elsewhere_after_disowning_it_is_a_forbidden_phrase() -> None:
    assert ("forbidden_phrase", "pass_the_buck") in flags("这个咱们也没有操作过呢 需要您联系安装师傅哦")
    assert kinds("这个咱们也没有操作过呢 我帮您联系厂家问一下哦") == set()


@pytest.mark.parametrize("text", ["亲 您买的时候没货就是没货哦", "鞋子哪有保修卡和说明书"])
def test_contempt_in_chat_is_impatience(text: str) -> None:
    assert ("forbidden_phrase", "impatience") in flags(text)


def test_a_bare_question_mark_thrown_back_is_impatience() -> None:
    context = turns(("customer", "为什么是我个人原因呢"))
    assert ("forbidden_phrase", "impatience") in flags("?", context)
    assert kinds("请问还在吗?", context) == set()


# bench/jddc_review.py labels: precision/recall per kind and the share flagged, for a labelled random sample.
def test_labels_scores_a_labelled_sample_per_kind(tmp_path: Path) -> None:
    labels = [{"session": "s", "turn": 1, "label": "promise", "also_forbidden_phrase": True},
              {"session": "s", "turn": 3, "label": "ok"},
              {"session": "s", "turn": 5, "label": "forbidden_phrase"},
              {"session": "s", "turn": 7, "label": "unsure"},
              {"session": "t", "turn": 1, "label": "ok"}]
    assert gold_kinds(labels[0]) == {"unauthorized_promise", "forbidden_phrase"}
    predicted = {("s", 1): {"unauthorized_promise"}, ("s", 3): {"forbidden_phrase"}, ("s", 5): set(),
                 ("s", 7): {"unauthorized_promise"}, ("t", 1): set()}
    scored = score_labels(labels, predicted)
    assert scored["unauthorized_promise"] == {"gold": 1, "flagged": 1, "right": 1, "precision": 1.0, "recall": 1.0}
    assert scored["forbidden_phrase"]["precision"] == 0.0 and scored["forbidden_phrase"]["recall"] == 0.0
    assert scored["forbidden_phrase"]["gold"] == 2
    assert scored["all"] == {"rows": 4, "flagged": 2, "share": 0.5}  # the unsure row is left out
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in labels), encoding="utf-8")
