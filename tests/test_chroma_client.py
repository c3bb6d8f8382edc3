"""The HTTP Chroma client against a real `chroma run` on 127.0.0.1: a frozen server (SIGSTOP) is a timeout
and exit 2, never a hang; a secured server gets the token header, tenant and database coach is set to."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import chromadb
import httpx
import pytest

from coach.config import Settings
from coach.errors import StoreError
from coach.ingest import ingest
from coach.retrieval import Retriever
from tests.test_faults import write_corpus
from tests.test_faults_chroma import ChromaServer

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(tmp_path / "server-data")
    chroma.start()
    yield chroma
    if chroma.proc and chroma.proc.poll() is None:
        chroma.proc.send_signal(signal.SIGCONT)  # a stopped process ignores SIGKILL's clean-up until resumed
    chroma.stop()


def _retrieve_process(home: Path, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coach", "retrieve", "客户来电反映网点问题"], capture_output=True, text=True,
        timeout=90,  # the old client never returned: this fails the test instead of hanging the suite
        env={**os.environ, "COACH_HOME": str(home), "COACH_CHROMA_URL": url, "COACH_EMBEDDINGS": "hash", **env},
    )


def test_a_frozen_server_is_a_timeout_with_the_fix_not_a_hang(server: ChromaServer, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", chroma_url=server.url, embeddings="hash", chroma_timeout=2)
    ingest(settings, [write_corpus(tmp_path / "docs")])
    serving = Retriever(settings)  # a long-lived reader (coach serve) whose server then freezes
    assert server.proc
    server.proc.send_signal(signal.SIGSTOP)
    with pytest.raises(StoreError, match="did not answer within 2 s") as error:
        serving.retrieve("坐席记录诉求", 3)
    assert "COACH_CHROMA_TIMEOUT" in error.value.fix
    started = _retrieve_process(tmp_path / "home", server.url, COACH_CHROMA_TIMEOUT="2")  # a new process
    output = " ".join((started.stdout + started.stderr).split())
    assert started.returncode == 2 and "did not answer within 2 s" in output and "Traceback" not in output, output
    server.proc.send_signal(signal.SIGCONT)
    assert serving.retrieve("坐席记录诉求", 3).passages  # back: the same reader answers again


class _RecordingProxy(ThreadingHTTPServer):
    """Forwards every request to the Chroma server and records the headers it came with."""

    def __init__(self, target: str) -> None:
        self.target, self.seen = target, []
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(BaseHTTPRequestHandler):
    server: _RecordingProxy

    def _forward(self) -> None:
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = httpx.request(self.command, self.server.target + self.path, content=body, headers=headers, timeout=30)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(("header", "sent"), [("Authorization", "Bearer s3cret"), ("X-Chroma-Token", "s3cret")])
def test_a_token_tenant_and_database_reach_the_server(
    server: ChromaServer, tmp_path: Path, header: str, sent: str
) -> None:
    admin = chromadb.AdminClient(chromadb.config.Settings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host="127.0.0.1",
        chroma_server_http_port=server.port, anonymized_telemetry=False))
    admin.create_tenant("branches")
    admin.create_database("north", tenant="branches")
    proxy = _RecordingProxy(server.url)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        settings = Settings(
            home=tmp_path / "home", chroma_url=f"http://127.0.0.1:{proxy.server_address[1]}", embeddings="hash",
            chroma_token="s3cret", chroma_token_header=header, chroma_tenant="branches", chroma_database="north",
        )
        ingest(settings, [write_corpus(tmp_path / "docs")])
        assert Retriever(settings).retrieve("坐席记录诉求", 3).passages
    finally:
        proxy.shutdown()
    assert proxy.seen and all(seen.get(header) == sent for _, _, seen in proxy.seen)
    assert any("/tenants/branches/databases/north/collections" in path for _, path, _ in proxy.seen)
    direct = chromadb.HttpClient(host="127.0.0.1", port=server.port, tenant="branches", database="north")
    assert "coach_corpus" in {c.name for c in direct.list_collections()}
    assert "coach_corpus" not in {c.name for c in chromadb.HttpClient(host="127.0.0.1", port=server.port)
                                  .list_collections()}
