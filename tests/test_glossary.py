"""The English glossary that lets the keyword half read English questions (coach/glossary.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ConfigError
from coach.glossary import Glossary, bundled_glossary, load_glossary


def test_longest_phrase_first_whole_words_each_term_once() -> None:
    glossary = Glossary({"follow-up call": ["回访"], "call": ["来电"], "harass": ["骚扰"],
                         "harassment": ["骚扰"], "Hot Line": ["热线"]})
    assert glossary.chinese_terms("Is there a follow-up call script?") == ["回访"]
    assert glossary.chinese_terms("Harassment  calls on the hot line") == ["骚扰", "热线"]
    assert glossary.chinese_terms("harassed") == []  # no stemming: the file lists the inflections it knows
    assert glossary.chinese_terms("客户骚扰热线怎么办") == []


def test_hyphens_join_words_and_spelling_variants_meet() -> None:
    glossary = Glossary({"escalation": ["升级"], "refund": ["退款"], "follow-up call": ["回访"], "can’t get through": ["打不通"]})
    assert glossary.chinese_terms("de-escalation tips") == []  # not the opposite of what was asked
    assert glossary.chinese_terms("a non-refund fee") == []
    assert glossary.chinese_terms("the follow up call") == glossary.chinese_terms("the follow-up call") == ["回访"]
    assert glossary.chinese_terms("ＲＥＦＵＮＤ") == ["退款"]  # full-width letters, as some IMEs type them
    assert glossary.chinese_terms("I can't get through") == ["打不通"]


def test_an_absent_file_is_an_empty_glossary(tmp_path: Path) -> None:
    assert load_glossary(tmp_path / "none.yaml").chinese_terms("refund") == []


@pytest.mark.parametrize(("content", "named"), [
    ("refund: [退款\nsurrender: [退保]\n", "line"),
    ("- refund\n- surrender\n", "dict"),
    ("refund: 退款\n", "refund"),
])
def test_a_broken_glossary_names_the_problem(tmp_path: Path, content: str, named: str) -> None:
    path = tmp_path / "glossary_en.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_glossary(path)
    assert str(path) in caught.value.message and named in caught.value.message


def test_every_bundled_term_is_a_word_of_the_corpus() -> None:
    """A term the corpus never uses can never match: it would only make the query longer."""
    from coach.corpus.clean import clean_text
    from coach.corpus.manifest import load_manifest
    from coach.corpus.read import read_document
    from coach.paths import bundled
    from coach.script import to_simplified

    corpus = bundled("corpus")
    text = "".join(to_simplified(clean_text(read_document(corpus / entry.file), entry.layout)).replace("\n", "")
                   for entry in load_manifest(corpus / "manifest.yaml").documents)
    glossary = bundled_glossary()
    assert len(glossary.terms) >= 100
    missing = sorted({t for terms in glossary.terms.values() for t in terms if t not in text})
    assert not missing, missing


def test_an_english_question_finds_the_chinese_passage_through_the_glossary(hash_home: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash embeddings carry no meaning, so the keyword half alone decides: it must read the English words."""
    from coach import retrieval
    from coach.config import Settings

    retriever = retrieval.Retriever(Settings(home=hash_home, embeddings="hash"))
    question = "Someone keeps making harassment calls to our hotline. What do we do?"
    found = retriever.retrieve(question, k=3).passages
    assert any("騷擾" in p.text or "骚扰" in p.text for p in found), [p.text[:40] for p in found]
    monkeypatch.setattr(retrieval, "corpus_terms", lambda query: [])
    without = retriever.retrieve(question, k=3).passages
    assert not any("騷擾" in p.text or "骚扰" in p.text for p in without)
