"""Forbidden service phrases as a taxonomy (issue #20, item 3): families by structure, from
coach/guard/service_phrases.yaml, each explained by the policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ConfigError
from coach.guard import check
from coach.guard.service import PHRASES_PATH, families
from coach.policy import BUILTIN_PHRASE_FAMILIES, load_policy


def phrase_categories(text: str) -> set[str]:
    return {v.category for v in check(text).violations if v.kind == "forbidden_phrase"}


@pytest.mark.parametrize(("text", "category"), [
    ("你自己不看清楚合同怪谁？", "blame_customer"),
    ("当初是你自己非要买高风险的，现在怪谁？", "blame_customer"),
    ("是您自己地址填错了，快递送不到不能怪我们哦", "blame_customer"),
    ("你们这种客户我见多了", "impatience"),
    ("快点说，后面还有好多人等着呢。", "impatience"),
    ("行了行了，别说了，我知道了。", "impatience"),
    ("是不是您拆的时候不小心摔了啊？", "doubt_honesty"),
    ("谁知道您是不是把卡借给别人用了。", "doubt_honesty"),
    ("您说理财经理承诺保本，有证据吗？", "doubt_honesty"),
    ("您可真厉害，一个验证码被骗了三回。", "sarcasm"),
    ("有本事你去法院告我们。", "sarcasm"),
    ("不就少了两块钱利息嘛，至于打三次电话吗。", "dismissive"),
    ("退款已经退了，没到账是银行的问题，找银行去", "pass_the_buck"),
    ("这我怎么知道。", "ignorance"),
    ("规定不行就是不行，您跟我说再多也没用的", "blame_rules"),
])
def test_a_family_is_found_by_its_structure(text: str, category: str) -> None:
    assert category in phrase_categories(text)


@pytest.mark.parametrize("text", [
    "是您自己地址填错了，我马上帮您改。",                      # the fact, then help
    "您确定要取消这个订单吗？取消后优惠券会退回。",            # a confirmation, not doubt
    "您方便的话稍后给个评价哟，您的认可是我工作的动力呢~",     # 哟 is warmth here
    "您说上次的客服让您自己去找银行，我来帮您联系。",          # reported and taken on
    "这个问题不至于影响使用，我还是帮您申请换新。",
])
def test_look_alikes_are_fine(text: str) -> None:
    assert phrase_categories(text) == set()


def test_every_family_is_explained_by_the_default_policy() -> None:
    policy = load_policy()
    for family in families():
        assert family.id in BUILTIN_PHRASE_FAMILIES
        explained = policy.family(family.id)
        assert explained is not None and explained.better and explained.source, family.id
        assert family.sources, f"{family.id} cites no published list"


def test_a_flag_carries_the_policys_explanation() -> None:
    violation = check("你自己不看清楚合同怪谁？").violations[0]
    family = load_policy().family("blame_customer")
    assert family is not None
    assert (violation.explanation, violation.suggestion) == (family.explanation, family.better)
    assert violation.source.startswith("语料 002")


def test_an_unknown_slot_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "service_phrases.yaml"
    path.write_text(PHRASES_PATH.read_text(encoding="utf-8").replace('"谁让{you}"', '"谁让{yuo}"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        families(path)
    assert "{yuo}" in caught.value.message and "service_phrases.yaml" in caught.value.fix
