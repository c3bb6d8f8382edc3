"""The offline composer: every sentence it can emit is safe; replies fit the complaint and its script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coach.analyze import analyse
from coach.backends import phrases as ph
from coach.backends.offline import compose, emittable, render, slot_values
from coach.chain import DraftChain, find_placeholders
from coach.config import Settings
from coach.corpus import chunk_document, clean_text, load_manifest, read_document, to_simplified
from coach.guard import check
from coach.paths import bundled
from coach.policy import load_policy
from coach.types import DraftRequest

POLICY = load_policy()


def _compact(text: str) -> str:
    return re.sub(r"[\s,，。.!！?？:：;；、\"“”「」…-]", "", to_simplified(text))


@pytest.fixture(scope="module")
def chunks() -> list[tuple[str, str, str]]:
    """(doc_id, kind, compact simplified text) of every chunk, kinds as ingest assigns them."""
    root = bundled("corpus")
    manifest = load_manifest(root / "manifest.yaml")
    return [(meta.id, c.kind, _compact(c.text)) for meta in manifest.documents
            for c in chunk_document(meta, clean_text(read_document(root / meta.file), meta.layout))]


def test_every_emittable_sentence_passes_the_guard_and_has_no_placeholder() -> None:
    sentences = list(emittable(POLICY))
    assert len(sentences) > 1000
    failures = [(key, s, [v.span for v in report.violations]) for key, s in sentences
                for report in [check(s, policy=POLICY)] if not report.ok or find_placeholders(s)]
    assert failures == []


def test_every_sentence_passes_for_every_role() -> None:
    for role in POLICY.roles:
        assert all(check(s, role=role, policy=POLICY).ok for _, s in emittable(POLICY))


def test_every_phrase_follows_a_script_or_principle_passage(chunks: list[tuple[str, str, str]]) -> None:
    for phrase in ph.all_phrases():
        quote = _compact(phrase.quote)
        kinds = {kind for doc, kind, text in chunks if doc == phrase.doc and quote in text}
        assert kinds & {"script", "principle"}, (phrase.key, phrase.quote, kinds)


def test_every_phrase_shares_wording_with_its_passage() -> None:
    values = slot_values("claim", ["refund"], POLICY)
    for phrase in ph.all_phrases():
        sentence, quote = _compact(render(phrase, values, "zh-Hans")), _compact(phrase.quote)
        assert any(quote[i:i + 2] in sentence for i in range(len(quote) - 1)), phrase.key


def test_no_sentence_repeats_a_taboo_example(chunks: list[tuple[str, str, str]]) -> None:
    taboo = {seg for _, kind, text in chunks if kind == "taboo"
             for seg in re.split(r"[-—]+", text) if len(seg) >= 6}
    assert taboo, "the corpus has taboo chunks"
    emitted = [_compact(s) for _, s in emittable(POLICY)]
    leaks = [(seg, s) for seg in taboo for s in emitted if seg in s]
    assert leaks == []


SITUATIONS = {
    "mis_selling": "你们业务员骗我买了这个保险,我要全额退保,还要赔我利息!",
    "claim": "我住院花了三万多，你们凭什么拒赔？今天必须给我个说法！",
    "remittance": "我给孩子交学费的跨境汇款被你们驳回了，孩子在国外急着用钱！",
    "service": "你们柜员态度太差了，排队等了两个小时，我要投诉她，必须开除！",
    "network": "你们的信号天天掉线，通话中断好几次了，我要求赔偿！",
}


def test_replies_name_the_issue_and_differ_across_situations() -> None:
    replies = {}
    for issue, message in SITUATIONS.items():
        analysis = analyse(message)
        assert analysis.issue == issue
        reply = compose(analysis, [], POLICY).text
        assert analysis.issue_label in reply or ph.CLAIMS[issue][0] in reply
        replies[issue] = reply
    assert len(set(replies.values())) == len(replies)
    # Not one template with the issue pasted in: the sentences themselves differ.
    sentence_sets = [set(re.split(r"(?<=[。？！])", r)) for r in replies.values()]
    for i, a in enumerate(sentence_sets):
        for b in sentence_sets[i + 1:]:
            assert len(a & b) < 0.7 * min(len(a), len(b))


def test_restates_the_demand_as_a_question() -> None:
    reply = compose(analyse(SITUATIONS["mis_selling"]), [], POLICY).text
    assert "您认为受到了业务员的误导，所以要求全额退保、赔偿损失，并支付利息损失，是吗？" in reply
    assert "那业务员当时给您留下什么书面资料了吗？" in reply
    assert f"我们会在{POLICY.callback_window}与您联系" in reply


def test_escalation_wording_when_flagged() -> None:
    media = compose(analyse("我要找记者把你们曝光！"), [], POLICY)
    assert "办公室的同事统一对外回应" in media.text and "传" in media.steps
    group = compose(analyse("我们五个人一起来的，今天必须给说法！"), [], POLICY)
    assert "接待室" in group.text and "换" in group.steps
    calm = compose(analyse("请问这笔扣费是怎么回事？"), [], POLICY)
    assert "接待室" not in calm.text and "办公室" not in calm.text


def test_traditional_in_traditional_out() -> None:
    analysis = analyse("你們業務員騙我買了這個保險,我要全額退保,還要賠我利息!")
    reply = compose(analysis, [], POLICY).text
    assert analysis.language == "zh-Hant"
    assert "業務員" in reply and "聯繫" in reply and "业务员" not in reply
    assert check(reply, context="你們業務員騙我").ok


def test_english_in_english_out() -> None:
    reply = compose(analyse("Your agent lied to me when I bought this policy. I want a full refund and interest!"), [],
                    POLICY).text
    assert not re.search(r"[\u4e00-\u9fff]", reply)
    assert "misled" in reply and "within three working days" in reply
    assert check(reply).ok


@pytest.mark.parametrize("issue", list(SITUATIONS))
def test_chain_offline_cites_corpus_text_that_the_reply_shares(hash_home: Path, issue: str) -> None:
    chain = DraftChain(Settings(home=hash_home, embeddings="hash", backend="offline"))
    result = chain.draft(DraftRequest(message=SITUATIONS[issue]))
    assert result.backend == "offline" and "composed offline" in result.notice
    assert "离线" not in result.reply and "offline" not in result.reply
    assert result.citations
    for citation in result.citations:
        stored = chain.retriever.store.get([citation.chunk_id])[0]
        assert citation.quote in stored.text
        assert stored.metadata.get("kind", "principle") in ("script", "principle")
        shared = {_compact(citation.quote)[i:i + 2] for i in range(len(_compact(citation.quote)) - 1)}
        assert any(bigram in _compact(result.reply) for bigram in shared)
