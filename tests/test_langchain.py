"""coach as a LangChain citizen and a Python library: the docs' example runs against the fake server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

import coach
from coach.config import Settings
from coach.errors import EmptyStoreError
from coach.evaluation.signals import read_steps
from coach.langchain import CoachRetriever, draft_runnable
from coach.types import Draft
from tests.fake_openai import FakeOpenAI

DOC = Path(__file__).resolve().parents[1] / "docs" / "library.md"
PROMISE = "您放心，我保证明天给您全额退款。"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return next(b for b in blocks if "CoachRetriever" in b)


def test_retriever_returns_documents_with_their_source(hash_home: Path) -> None:
    retriever = CoachRetriever(settings=Settings(home=hash_home, embeddings="hash"), k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("客户要求赔偿怎么办")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    first = docs[0]
    assert first.metadata["source"] in {"000", "001", "002", "003", "004"}
    assert first.metadata["kind"] in {"principle", "script", "taboo", "case", "outline"}
    assert first.id == first.metadata["chunk_id"] and first.page_content


def test_retriever_on_an_empty_store_raises_coach_error(tmp_path: Path) -> None:
    retriever = CoachRetriever(settings=Settings(home=tmp_path / "empty", embeddings="hash"))
    with pytest.raises(EmptyStoreError) as caught:
        retriever.invoke("赔偿")
    assert "coach ingest" in caught.value.fix


def test_draft_runnable_returns_the_guarded_draft(hash_home: Path) -> None:
    runnable = draft_runnable(Settings(home=hash_home, embeddings="hash", backend="offline"))
    result = runnable.invoke({"message": "你们业务员骗我买了这个保险，我要全额退保！"})
    assert isinstance(result, Draft) and result.backend == "offline" and result.guard.ok
    assert "退保" in result.reply or "保险" in result.reply


def test_docs_example_runs_in_an_lcel_chain(hash_home: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeOpenAI().start()
    try:
        fake.replies.append(PROMISE)  # the model promises: the guard in the example must catch it
        monkeypatch.setenv("COACH_HOME", str(hash_home))
        monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
        monkeypatch.setenv("COACH_BACKEND", "offline")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("COACH_MODEL", "fake-model")
        exec(compile(_example(), str(DOC), "exec"), {})  # the documented example, as written
    finally:
        fake.stop()
    system = fake.bodies[0]["messages"][0]["content"]
    assert "不作任何承诺" in system and len(system) > 200  # the retrieved material reached the model
    printed = capsys.readouterr().out
    assert printed.startswith("False ")  # the guard flagged the model's promise
    drafted = printed.removeprefix("False ").strip()  # the offline draft for the queue complaint, a reply of the method
    assert "保证" not in drafted and read_steps(drafted).ok, drafted


def test_python_api_check_and_version() -> None:
    report = coach.check("我保证明天给您全额退款。")
    assert not report.ok and {v.category for v in report.violations} & {"refund_outcome", "deadline"}
    assert coach.check("您反映的问题我已经记录，会转交相关部门处理。").ok
    assert re.fullmatch(r"\d+\.\d+\.\d+", coach.__version__)


def test_python_api_retrieve_and_draft_use_given_settings(hash_home: Path) -> None:
    settings = Settings(home=hash_home, embeddings="hash", backend="offline")
    assert len(coach.retrieve("客户要求赔偿怎么办", k=2, settings=settings).passages) == 2
    assert coach.draft("排队两个小时了，你们怎么回事？", settings=settings).guard.ok


def test_python_api_callback_takes_a_plain_case_record() -> None:
    case = {"customer_name": "王", "customer_title": "先生", "summary": "跨境汇款被驳回",
            "actions": ["当天加急反馈到后台"], "result": "需要补充材料后重新提交",
            "next_step": "我们保证下周一前全额到账", "staff_name": "李娜", "department": "客户服务中心"}
    script = coach.callback(case)
    assert script.guard.ok and "保证下周一前" not in script.text and script.adjustments
