"""The persistent keyword index: tokens, transactional writes, bounded queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.lexical import LexicalIndex, tokenize


def test_tokens_are_jieba_words_plus_bigrams_without_stopwords() -> None:
    tokens = tokenize("客户要求全额退保")
    assert {"客户", "要求", "全额", "退保"} <= set(tokens)
    assert {"户要", "额退"} <= set(tokens)  # bigrams bridge paraphrases that split words differently
    assert "的" not in tokenize("客户的要求")


def test_apply_is_one_transaction_and_stamps_the_generation(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "lex.sqlite3")
    index.apply(add=[("a", "d1", "道歉 认错"), ("b", "d1", "退款 审核")], generation="g1")
    assert index.chunk_ids() == {"a", "b"} and index.generation == "g1" and index.count() == 2
    with pytest.raises(Exception, match="boom"):
        def rows():
            yield ("c", "d2", "媒体 采访")
            raise RuntimeError("boom")
        index.apply(add=rows(), remove=["a"], generation="g2")
    assert index.chunk_ids() == {"a", "b"} and index.generation == "g1"  # rolled back whole
    index.apply(remove=["a"], generation="g3")
    assert [cid for cid, _ in index.search(["道歉", "退款"], 5)] == ["b"]


def test_terms_in_most_chunks_are_skipped_once_the_corpus_is_large(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "lex.sqlite3")
    rows = [(f"c{i}", "d", "客户 投诉" + (" 退保 利息 媒体 记者" if i < 5 else "")) for i in range(400)]
    index.apply(add=rows, generation="g")
    assert list(index.selective_terms(["客户", "退保", "利息", "媒体", "记者"])) == ["利息", "媒体", "记者", "退保"]
    assert set(index.selective_terms(["客户", "投诉"])) == {"客户", "投诉"}  # nothing rarer: keep what there is
    hits = [cid for cid, _ in index.search(["客户", "退保", "利息", "媒体"], 10)]
    assert set(hits) == {f"c{i}" for i in range(5)}


def test_queries_find_the_indexed_terms_without_a_segmenter(tmp_path: Path) -> None:
    from coach.lexical import query_candidates

    index = LexicalIndex(tmp_path / "lex.sqlite3")
    passage = "客户要求全额退保并支付利息损失,应先安抚情绪,告知客户的权利。"
    index.apply(add=[("a", "d", " ".join(tokenize(passage))), ("b", "d", " ".join(tokenize("媒体暗访要特别关注")))],
                generation="g")
    query = "客户闹着要全额退保，还要利息，怎么安抚？"
    found = set(index.selective_terms(query_candidates(query)))
    expected = {t for t in tokenize(query) if t in set(tokenize(passage))}
    assert expected <= found  # every jieba term of the query that the index holds is found
    assert next(cid for cid, _ in index.search(query_candidates(query), 5)) == "a"
    assert query_candidates("Your AGENT lied") == ["agent", "lied"]  # "your" is a stopword


def test_term_document_counts_follow_every_add_remove_and_rebuild(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "lex.sqlite3")

    def counts() -> dict[str, int]:
        return dict(index._db.execute("SELECT term, docs FROM terms"))

    index.apply(add=[("a", "d", "退款 退款 利息"), ("b", "d", "退款 媒体"), ("c", "d", "媒体")], generation="g1")
    assert counts() == {"退款": 2, "利息": 1, "媒体": 2}  # documents, not occurrences
    index.apply(remove=["a", "missing"], add=[("d", "d", "利息 投诉")], generation="g2")
    assert counts() == {"退款": 1, "媒体": 2, "利息": 1, "投诉": 1}
    index.apply(add=[("e", "d", "记者")], generation="g3", replace_all=True)
    assert counts() == {"记者": 1}
    assert list(index.selective_terms(["记者", "退款"])) == ["记者"]  # a term no chunk holds any more is unknown


def test_a_query_walks_its_rarest_terms_within_a_postings_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach import lexical

    index = LexicalIndex(tmp_path / "lex.sqlite3")
    index.apply(add=[(f"c{i}", "d", " ".join(f"t{j}" for j in range(i, 10))) for i in range(10)], generation="g")
    assert list(index.selective_terms([f"t{j}" for j in range(10)])) == [f"t{j}" for j in range(10)]  # 55 postings
    monkeypatch.setattr(lexical, "MAX_POSTINGS", 12)
    assert list(index.selective_terms([f"t{j}" for j in range(10)])) == ["t0", "t1", "t2", "t3"]  # 1+2+3+4 postings
    assert list(index.selective_terms(["t7", "t8", "t9"])) == ["t7", "t8", "t9"]  # the rarest three, whatever they cost


def test_search_ranks_exactly_as_fts5_bm25(tmp_path: Path) -> None:
    """search() scores BM25 itself from term instances (faster at 100k chunks); FTS5's own bm25() over
    the same MATCH is the reference: same chunks, same order, same scores."""
    import random

    from bench.retrieval_scale import real_sentences
    from coach.lexical import query_candidates

    sentences = real_sentences()
    rng = random.Random(3)
    index = LexicalIndex(tmp_path / "lex.sqlite3")
    chunks = [" ".join(tokenize("".join(rng.sample(sentences, rng.choice((1, 2, 4)))))) for _ in range(600)]
    index.apply(add=[(f"c{i}", "d", tokens) for i, tokens in enumerate(chunks)], generation="g1")
    index.apply(remove=[f"c{i}" for i in range(0, 600, 7)], generation="g2")  # holes and changed counts
    queries = ["客户要求全额退保并赔偿利息", "媒体记者来了怎么办", "服务态度差要投诉你们经理", "退款什么时候到账"]
    for query in [*queries, *rng.sample(sentences, 20)]:
        tokens = query_candidates(query)
        terms = list(index.selective_terms(tokens))
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        reference = index._db.execute(
            "SELECT c.chunk_id, -bm25(chunks_fts) FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
            "WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts), chunks_fts.rowid LIMIT 30",
            (match,),
        ).fetchall() if terms else []
        found = index.search(tokens, 30)
        assert [cid for cid, _ in found] == [cid for cid, _ in reference], query
        assert [round(v, 9) for _, v in found] == [round(v, 9) for _, v in reference], query
