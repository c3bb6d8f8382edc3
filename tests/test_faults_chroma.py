"""A Chroma server (`chroma run` on 127.0.0.1, started by the test) that goes away mid-run.

Killed during an ingest and back within the retry window: the ingest rides it out. Killed and kept
away: a clear StoreError (exit 2 with the command that restarts it); once it is back, nothing partial is
visible that doctor --repair or a re-run of the ingest does not resolve, and the counts are exact.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from coach import store as store_module
from coach.cli import app
from coach.config import Settings
from coach.corpus.documents import discover, prepare
from coach.doctor import diagnose
from coach.embeddings import HashEmbedder
from coach.errors import StoreError
from coach.ingest import ingest
from coach.retrieval import Retriever
from coach.store import ChunkStore
from tests.test_faults import assert_complete, expected_counts, write_corpus

pytestmark = pytest.mark.slow


class ChromaServer:
    def __init__(self, path: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.path, self.url = path, f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts: list[threading.Thread] = []

    def start(self) -> None:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
        assert chroma
        self.proc = subprocess.Popen(
            [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        pytest.fail("chroma run did not start within 30 s")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # no clean shutdown: the worst way to go away
            self.proc.wait(timeout=10)

    def restart_in_background(self, delay: float) -> None:
        thread = threading.Thread(target=lambda: (time.sleep(delay), self.start()), daemon=True)
        thread.start()
        self.restarts.append(thread)

    def stop(self) -> None:
        """Teardown: wait for a pending restart first, so a failed test cannot leave a server running."""
        for thread in self.restarts:
            thread.join(timeout=60)
        self.kill()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path / "server-data")
    chroma.start()
    yield chroma
    chroma.stop()


def _on_nth_add(monkeypatch: pytest.MonkeyPatch, nth: int, action: Callable[[], Any]) -> None:
    original, calls = ChunkStore.add, [0]

    def hooked(self: ChunkStore, *args: Any, **kwargs: Any) -> None:
        calls[0] += 1
        if calls[0] == nth:
            action()
        original(self, *args, **kwargs)

    monkeypatch.setattr(ChunkStore, "add", hooked)


def test_server_restart_mid_ingest_and_mid_query_is_ridden_out(
    server: ChromaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path / "home", chroma_url=server.url, embeddings="hash")
    folder = write_corpus(tmp_path / "docs")
    _on_nth_add(monkeypatch, 2, lambda: (server.kill(), server.restart_in_background(0.5)))
    summary = ingest(settings, [folder])  # the 2nd write meets a dead server, retries until it is back
    assert server.restarts and summary.added == expected_counts(folder)[0]
    assert_complete(settings, folder)

    retriever = Retriever(settings)  # a long-lived reader (coach serve) across a restart
    server.kill()
    server.restart_in_background(0.5)
    assert retriever.retrieve("客户来电反映网点问题", 3).passages


def test_server_gone_mid_ingest_is_a_clear_error_and_recovers_when_back(
    server: ChromaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "RETRY_DELAYS", (0.1, 0.2))
    settings = Settings(home=tmp_path / "home", chroma_url=server.url, embeddings="hash")
    folder = write_corpus(tmp_path / "docs")
    _on_nth_add(monkeypatch, 3, server.kill)
    with pytest.raises(StoreError, match="stopped answering") as error:
        ingest(settings, [folder])
    assert "chroma run" in error.value.fix and "coach ingest" in error.value.fix
    monkeypatch.undo()

    monkeypatch.setenv("COACH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COACH_CHROMA_URL", server.url)
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    down = CliRunner().invoke(app, ["retrieve", "客户来电"])  # never reached in this process: fails at once
    assert down.exit_code == 2 and "chroma run" in " ".join(down.output.split()), down.output

    server.start()  # back, with whatever the killed server had made durable
    report = diagnose(settings, repair=True)
    assert {c.name for c in report.checks if not c.ok} == {"last ingest"}, report.checks
    assert Retriever(settings).retrieve("坐席记录诉求", 3).passages
    ingest(settings, [folder])
    assert_complete(settings, folder)


# ------------------------------------------------------------------ two machines, one shared server


def test_an_ingest_waits_for_another_machines_lease_and_takes_over_a_dead_ones(
    server: ChromaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "LOCK_WAIT_SECONDS", 1.0)
    machine_a = Settings(home=tmp_path / "a", chroma_url=server.url, embeddings="hash")
    machine_b = Settings(home=tmp_path / "b", chroma_url=server.url, embeddings="hash")
    folder = write_corpus(tmp_path / "docs")
    lease_of_a = ChunkStore(machine_a, HashEmbedder())  # a home of its own: the file lock cannot see it
    assert lease_of_a.take_lease("machine-a pid 1", 300)[0] == "machine-a pid 1"
    with pytest.raises(StoreError, match="machine-a pid 1") as error:
        ingest(machine_b, [folder])
    assert "wait for it to finish" in error.value.fix

    lease_of_a.release_lease("machine-a pid 1")
    assert lease_of_a.take_lease("machine-a pid 2", -1)[0] == "machine-a pid 2"  # then machine a died
    assert ingest(machine_b, [folder]).added == expected_counts(folder)[0]
    assert lease_of_a.take_lease("machine-a pid 3", 300)[0] == "machine-a pid 3"  # b released it when done

    lease_of_a.release_lease("machine-a pid 3")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"{socket.gethostname()} pid {gone.stdout.strip()} 0000"  # this machine, a process that has exited
    assert lease_of_a.take_lease(dead, 300)[0] == dead
    # taken over at once: waiting for the 300 s lease would exceed the 1 s wait and raise
    assert ingest(machine_b, [folder]).unchanged == expected_counts(folder)[0]


def test_two_machines_ingesting_at_once_leave_exactly_one_version(server: ChromaServer, tmp_path: Path) -> None:
    folders = [write_corpus(tmp_path / f"docs-{v}", variant=v) for v in ("甲", "乙")]
    coach = str(Path(sys.executable).parent / "coach")
    runs = [
        subprocess.Popen(
            # --replace: both are versions of one corpus from two folders, replacing each other on purpose
            [coach, "ingest", str(folder), "--json", "--replace"],
            env={**os.environ, "COACH_HOME": str(tmp_path / f"home-{n}"),
                 "COACH_CHROMA_URL": server.url, "COACH_EMBEDDINGS": "hash"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for n, folder in enumerate(folders)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    reader = Settings(home=tmp_path / "reader", chroma_url=server.url, embeddings="hash")
    Retriever(reader)  # builds the reader's own keyword index from the server
    stored = {c.chunk_id for c in ChunkStore(reader, HashEmbedder()).open().iter_all()}
    versions = [{c.chunk_id for doc in prepare(discover([folder])) for c in doc.chunks} for folder in folders]
    assert stored in versions, "the store holds a mix of both ingests"
    assert_complete(reader, folders[versions.index(stored)])
