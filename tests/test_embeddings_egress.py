"""An OpenAI-compatible embeddings endpoint never receives personal data (checked at the HTTP level)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import Settings
from coach.ingest import ingest
from coach.retrieval import Retriever
from tests.fake_openai import FakeOpenAI

ID_NUMBER, CARD, PHONE = "440304198512034512", "6222021234567890128", "13812345678"


def test_documents_and_queries_are_masked_before_they_reach_the_endpoint(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "case.txt").write_text(
        f"一、案例\n客户身份证{ID_NUMBER}，银行卡{CARD}，手机{PHONE}，要求全额退保。\n二、处理\n先安抚情绪，再核实保单。\n",
        encoding="utf-8",
    )
    settings = Settings(home=tmp_path / "home", embeddings="openai", embeddings_base_url=fake_openai.base_url,
                        embeddings_model="fake-embed")
    ingest(settings, [cases])
    result = Retriever(settings).retrieve(f"身份证{ID_NUMBER}的客户要退保，卡号{CARD}，电话{PHONE}", 2)

    sent = fake_openai.all_text()
    assert fake_openai.bodies and all(body["model"] == "fake-embed" for body in fake_openai.bodies)
    for secret in (ID_NUMBER, CARD, PHONE):
        assert secret not in sent
    assert "要求全额退保" in sent  # the rest of the text did go out: the masking is targeted
    assert any(ID_NUMBER in p.text for p in result.passages)  # staff still see the document as written


@pytest.mark.slow  # runs the retrieval bench end to end
def test_the_retrieval_bench_measures_an_embeddings_endpoint(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m bench.retrieval --embeddings openai` is how a stronger embedder gets measured (README)."""
    from bench.retrieval import run

    monkeypatch.setenv("COACH_EMBEDDINGS_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("COACH_EMBEDDINGS_MODEL", "fake-embed")
    dataset = tmp_path / "questions.jsonl"
    dataset.write_text(
        '{"id": "r001", "query": "客户要找媒体曝光怎么办", "source": "000", "expect": ["我将找我的媒体朋友"]}\n',
        encoding="utf-8",
    )
    report = run(dataset, "openai")
    assert "embeddings: openai/fake-embed" in report and "| all (1) | coach hybrid |" in report
    queries = [body for body in fake_openai.bodies if body["input"] in ("客户要找媒体曝光怎么办", ["客户要找媒体曝光怎么办"])]
    assert queries, "the question itself was embedded by the endpoint"


def test_documents_go_to_the_endpoint_in_batches_of_the_configured_size(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    from coach.embeddings import OpenAIEmbedder

    settings = Settings(home=tmp_path / "home", embeddings="openai", embeddings_base_url=fake_openai.base_url,
                        embeddings_model="fake-embed", embeddings_batch_size=4)
    vectors = OpenAIEmbedder(settings).embed_documents([f"第{i}句" for i in range(10)])
    assert len(vectors) == 10
    assert [len(body["input"]) for body in fake_openai.bodies] == [4, 4, 2]
    assert [t for body in fake_openai.bodies for t in body["input"]] == [f"第{i}句" for i in range(10)]
