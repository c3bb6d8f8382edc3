"""Fault tolerance of the embedded store: kill -9 of `coach ingest` at named points, two ingests at once,
a damaged or unusable data dir. Every kill is a real SIGKILL of a real `coach ingest` process.

Kill points are deterministic: the child process (bench/faults.py's CHILD, run by ``child``) wraps one
ChunkStore method and SIGKILLs itself on its n-th call, so the process dies with Chroma's files and the
lock exactly as they are at that point. One test also kills from outside, when the Chroma file shows a
given number of window records (polled read-only).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.faults import change_document, child, write_corpus
from coach.cli import app
from coach.config import Settings
from coach.corpus.documents import discover, prepare
from coach.doctor import diagnose
from coach.embeddings import HashEmbedder
from coach.errors import EmptyStoreError
from coach.graph_files import HEADER as HNSW_HEADER
from coach.ingest import ingest, lexical_path
from coach.lexical import LexicalIndex
from coach.retrieval import Retriever
from coach.store import ChunkStore

runner = CliRunner()


def hash_settings(home: Path) -> Settings:
    return Settings(home=home, embeddings="hash")


def expected_counts(folder: Path) -> tuple[int, int]:
    """(chunks, windows) that a complete ingest of exactly this folder must hold."""
    chunks = [c for doc in prepare(discover([folder])) for c in doc.chunks]
    return len(chunks), sum(len(c.windows) for c in chunks)


def assert_complete(settings: Settings, folder: Path) -> None:
    """Exact counts (no duplicate, nothing missing), every window's chunk present, doctor all ok."""
    chunks, windows = expected_counts(folder)
    store = ChunkStore(settings, HashEmbedder()).open()
    ids = [c.chunk_id for c in store.iter_all()]
    assert len(ids) == len(set(ids)) == chunks
    assert store.window_count() == windows
    assert {parent for _, parent in store.iter_window_parents()} == set(ids)
    index = LexicalIndex(lexical_path(settings))
    assert index.chunk_ids() == set(ids)
    index.close()
    report = diagnose(settings)
    assert report.ok, report.checks


# ------------------------------------------------------------------ 1. kill -9 at named points

KILL_POINTS = {
    # the 2nd document's windows written, its chunk records not: windows without a chunk
    "windows_before_chunks": ("add", 2, None),
    # documents 1-2 complete, document 3's chunks written, its window sweep not run
    "between_documents": ("delete_orphan_windows", 3, None),
    # every Chroma write and the keyword index done; the final generation/state stamp not
    "before_final_stamp": ("set_state", 2, None),
    # a changed document: its new chunks added, the stale ones not yet deleted (old and new both stored)
    "changed_document_half_replaced": ("delete", 1, "changed"),
    # --reset: both collections dropped, nothing written yet, the old keyword index still on disk
    "during_reset": ("open", 1, "reset"),
}


@pytest.mark.slow  # a subprocess ingest per kill point
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_at_a_named_point_recovers(tmp_path: Path, point: str) -> None:
    method, nth, mode = KILL_POINTS[point]
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    settings = hash_settings(home)
    argv = ["ingest", str(folder), "--json"]
    if mode:  # start from a complete store, then interrupt a change to it
        ingest(settings, [folder])
        if mode == "changed":
            change_document(folder)
        else:
            argv.append("--reset")
    proc = child(tmp_path, home, {"kill": [method, nth], "argv": argv})
    assert proc.wait(timeout=60) == -signal.SIGKILL  # it died at the point, not before or after

    if mode == "reset":
        with pytest.raises(EmptyStoreError, match="coach ingest"):
            Retriever(settings)  # a clear "ingest first", not a half-empty answer
    else:
        first = diagnose(settings)
        assert not first.ok
        assert next(c for c in first.checks if c.name == "last ingest").fix.startswith("run `coach ingest` again")
        repaired = diagnose(settings, repair=True)
        assert {c.name for c in repaired.checks if not c.ok} == {"last ingest"}, repaired.checks
        retriever = Retriever(settings)  # querying works on what was written
        passages = retriever.retrieve("客户来电反映网点问题", 5).passages
        assert passages and {p.chunk_id for p in passages} <= {c.chunk_id for c in retriever.store.iter_all()}
        retriever.lexical.close()
    summary = ingest(settings, [folder])  # re-running completes it
    assert summary.added + summary.unchanged == expected_counts(folder)[0]
    assert_complete(settings, folder)


def _window_records(chroma_file: Path) -> int:
    """Window records in Chroma's SQLite file, read-only; 0 while it is locked or not created yet."""
    if not chroma_file.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{chroma_file}?mode=ro", uri=True, timeout=0.05)
        try:
            row = db.execute(
                "SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name = 'coach_corpus_windows'"
            ).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return 0
    return int(row[0])


@pytest.mark.slow  # a subprocess ingest, killed from outside
def test_kill_9_from_outside_when_the_store_holds_n_windows(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    proc = child(tmp_path, home, {"argv": ["ingest", str(folder), "--json"]}, stdout=subprocess.DEVNULL)
    target, deadline = expected_counts(folder)[1] // 3, time.monotonic() + 60
    while _window_records(home / "chroma" / "chroma.sqlite3") < target:
        assert proc.poll() is None, "the ingest finished before it reached the kill point"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    settings = hash_settings(home)
    assert {c.name for c in diagnose(settings, repair=True).checks if not c.ok} <= {"last ingest"}
    assert Retriever(settings).retrieve("坐席记录诉求", 3).passages
    ingest(settings, [folder])
    assert_complete(settings, folder)


# ------------------------------------------------------------------ 2. two ingests at once


@pytest.mark.slow  # two subprocess ingests
def test_two_ingests_at_once_one_waits_one_fails_clearly(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    gate = tmp_path / "gate"
    gate.mkdir()
    argv = ["ingest", str(folder), "--json"]
    first = child(tmp_path, home, {"pause": str(gate), "argv": argv}, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (gate / "paused").exists():  # the first holds the lock, mid-write
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    impatient = child(tmp_path, home, {"lock_wait": 0.5, "argv": argv}, stderr=subprocess.PIPE, text=True)
    _, err = impatient.communicate(timeout=30)
    assert impatient.returncode == 2
    assert "another `coach ingest`" in err and "wait for it to finish" in err
    patient = child(tmp_path, home, {"argv": argv}, stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert patient.poll() is None  # waiting for the lock, not writing
    (gate / "release").touch()
    out_first, _ = first.communicate(timeout=60)
    out_patient, _ = patient.communicate(timeout=60)
    assert first.returncode == 0 and patient.returncode == 0
    chunks = expected_counts(folder)[0]
    assert json.loads(out_first)["added"] == chunks
    assert (json.loads(out_patient)["added"], json.loads(out_patient)["unchanged"]) == (0, chunks)
    assert_complete(hash_settings(home), folder)


# ------------------------------------------------------------------ 3. damaged or unusable data dir


def _hashes(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(home.rglob("*"))
    }


def _untouched(home: Path, before: dict[str, str]) -> None:
    """Every file as it was; the only thing allowed to appear is the (empty) ingest lock file."""
    after = _hashes(home)
    assert {k: after.get(k) for k in before} == before
    assert set(after) - set(before) <= {"ingest.lock"}


def _copy_store(source: Path, target: Path) -> Path:
    """A fresh path: Chroma caches clients per path within a process, so a copy is opened for real."""
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


def _cli(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """Exit code and output with Rich's line wrapping undone."""
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def test_garbage_in_chroma_file_is_a_clear_error_and_nothing_is_touched(
    hash_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_store(hash_home, tmp_path / "home")
    chroma_file = home / "chroma" / "chroma.sqlite3"
    with open(chroma_file, "r+b") as handle:
        handle.write(os.urandom(4096))  # the header page: no longer a database
    before = _hashes(home)
    docs = write_corpus(tmp_path / "docs")
    for args, code in ((("retrieve", "客户要求赔偿"), 2), (("ingest", str(docs)), 2), (("doctor",), 1)):
        exit_code, output = _cli(home, monkeypatch, *args)
        assert exit_code == code, (args, output)
        assert "move" in output and "coach ingest --reset" in output and "Traceback" not in output, output
    _untouched(home, before)


@pytest.fixture(scope="module")
def graph_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store whose windows are served from HNSW graph files (Chroma answers small collections from its
    log; past about a thousand records the graph files serve), and the cases it was built from."""
    from bench.retrieval_scale import write_corpus as write_cases

    base = tmp_path_factory.mktemp("graph")
    built, docs = base / "built", base / "cases"
    write_cases(docs, 1000)
    ingest(hash_settings(built), [docs])
    return built, docs


def _truncate(graph: Path) -> None:
    with open(graph, "r+b") as handle:
        handle.truncate(graph.stat().st_size // 3)


def _scribble_links(graph: Path) -> None:
    """Random bytes over 20 neighbour ids: a bad sector or a stray write. Chroma segfaults on this."""
    import random

    count, per_element = HNSW_HEADER.unpack((graph.parent / "header.bin").read_bytes())[3:5]
    rng = random.Random(7)
    with open(graph, "r+b") as handle:
        for _ in range(20):
            handle.seek(rng.randrange(count) * per_element + 4 + 4 * rng.randrange(32))
            handle.write(rng.randbytes(4))


@pytest.mark.parametrize(
    ("damage", "message"),
    [(_truncate, "data_level0.bin is shorter than its header says"),
     (_scribble_links, "data_level0.bin holds neighbour links outside the graph")],
    ids=["truncated", "random-bytes-in-links"],
)
def test_damaged_vector_index_is_a_clear_error_not_a_crash_and_nothing_is_touched(
    graph_store: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[Path], None], message: str,
) -> None:
    """Chroma keeps each collection's HNSW graph in its own files beside chroma.sqlite3; hnswlib trusts
    them and crashes the process (no message) on a short file or a neighbour id past the graph's end."""
    built, docs = graph_store
    home = _copy_store(built, tmp_path / "home")
    graph = max((home / "chroma").glob("*/data_level0.bin"), key=lambda g: g.stat().st_size)
    damage(graph)
    before = _hashes(home)
    for args, code in ((("retrieve", "客户要求赔偿"), 2), (("ingest", str(docs)), 2), (("doctor",), 1)):
        exit_code, output = _cli(home, monkeypatch, *args)
        assert exit_code == code, (args, output)
        assert message in output, output
        assert "move" in output and "coach ingest --reset" in output and "Traceback" not in output, output
    _untouched(home, before)


def test_graph_files_are_link_checked_once_per_change(
    graph_store: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full link check reads the whole graph, so it runs only on files that changed since they were
    last found sound; the sizes are still compared with the header at every start."""
    from coach import graph_files

    built, _ = graph_store
    home = _copy_store(built, tmp_path / "home")
    checked: list[str] = []
    real_check = graph_files._check_links
    monkeypatch.setattr(
        graph_files, "_check_links", lambda segment, header: checked.append(segment.name) or real_check(segment, header)
    )
    chroma_dir = home / "chroma"
    graph_files.check_graph_files(chroma_dir)
    assert checked == [], "ingest recorded the files it wrote: nothing to re-check"
    graph = max(chroma_dir.glob("*/data_level0.bin"), key=lambda g: g.stat().st_size)
    os.utime(graph)  # touched (a copy without -a, a restore): checked once, then recorded again
    graph_files.check_graph_files(chroma_dir)
    graph_files.check_graph_files(chroma_dir)
    assert checked == [graph.parent.name]


def test_store_path_that_is_a_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "chroma").write_text("not a folder", encoding="utf-8")
    (home / "notes.txt").write_text("a file of the user's", encoding="utf-8")
    before = _hashes(home)
    for args in (("retrieve", "客户要求赔偿"), ("ingest", str(write_corpus(tmp_path / "docs"))), ("ingest", "--reset")):
        exit_code, output = _cli(home, monkeypatch, *args)
        assert exit_code == 2, (args, output)
        assert "is a file, not a folder" in output and "move" in output, output
    assert _cli(home, monkeypatch, "doctor")[0] == 1
    _untouched(home, before)


def test_damaged_keyword_index_is_set_aside_and_rebuilt(
    hash_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy_store(hash_home, tmp_path / "home")
    damage = os.urandom(8192)
    (home / "lexical.sqlite3").write_bytes(damage)
    exit_code, output = _cli(home, monkeypatch, "retrieve", "客户要求赔偿")
    assert exit_code == 2 and "coach doctor --repair" in output, output
    assert _cli(home, monkeypatch, "doctor")[0] == 1
    exit_code, output = _cli(home, monkeypatch, "doctor", "--repair")
    assert exit_code == 0, output
    aside = list(home.glob("lexical.sqlite3.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damage  # set aside as it was, not deleted
    assert _cli(home, monkeypatch, "retrieve", "客户要求赔偿")[0] == 0
    assert diagnose(hash_settings(home)).ok


def test_chunk_whose_windows_were_lost_is_reported_and_rewritten_by_ingest(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    settings = hash_settings(home)
    ingest(settings, [folder])
    store = ChunkStore(settings, HashEmbedder()).open()
    victim = sorted(c.chunk_id for c in store.chunks_of("doc2"))[0]
    store.delete_windows([wid for wid, parent in store.window_parents("doc2").items() if parent == victim])
    report = diagnose(settings, repair=True)  # repair cannot invent windows: only an ingest can
    windows = next(c for c in report.checks if c.name == "windows")
    assert not windows.ok and "1 chunks without windows" in windows.detail and "coach ingest" in windows.fix
    ingest(settings, [folder])
    assert_complete(settings, folder)


# ------------------------------------------------------------------ 4. a plain re-run after a kill


@pytest.mark.slow  # a killed subprocess ingest, then a re-run, per point
@pytest.mark.parametrize("point", ["windows_before_chunks", "between_documents", "before_final_stamp",
                                   "changed_document_half_replaced"])
def test_plain_rerun_after_a_kill_leaves_store_and_keyword_index_complete(tmp_path: Path, point: str) -> None:
    """No doctor in between: the re-run alone must complete the keyword index (it used to apply only its own
    delta, so the chunks the killed run wrote never reached the index: hit@5 fell from 0.925 to 0.440)."""
    method, nth, mode = KILL_POINTS[point]
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    settings = hash_settings(home)
    if mode == "changed":
        ingest(settings, [folder])
        change_document(folder)
    proc = child(tmp_path, home, {"kill": [method, nth], "argv": ["ingest", str(folder), "--json"]})
    assert proc.wait(timeout=60) == -signal.SIGKILL
    rerun = child(tmp_path, home, {"argv": ["ingest", str(folder), "--json"]}, stdout=subprocess.PIPE)
    assert rerun.wait(timeout=120) == 0
    assert_complete(settings, folder)


def test_doctor_finds_a_keyword_index_missing_chunks_and_repair_restores_it(tmp_path: Path) -> None:
    """An index stamped with the store's generation but short of chunks (what the old re-run left)."""
    home, folder = tmp_path / "home", write_corpus(tmp_path / "docs")
    settings = hash_settings(home)
    ingest(settings, [folder])
    index = LexicalIndex(lexical_path(settings))
    dropped = sorted(index.chunk_ids())[:13]
    index.apply(remove=dropped, generation=index.generation)
    index.close()
    report = diagnose(settings)
    lexical = next(c for c in report.checks if c.name == "lexical index")
    assert not lexical.ok and "13 missing" in lexical.detail and "doctor --repair" in lexical.fix
    assert diagnose(settings, repair=True).ok
    assert_complete(settings, folder)
