"""Shared-store mode against a real `chroma run` on 127.0.0.1, started by the test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coach.config import Settings
from coach.errors import StoreError
from coach.ingest import ingest
from coach.retrieval import Retriever

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert chroma, "the chroma CLI ships with chromadb and must be installed"
    port = _free_port()
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _docs(folder: Path, **docs: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_two_clients_share_one_store_and_the_lexical_index_follows(chroma_url: str, tmp_path: Path) -> None:
    trainer = Settings(home=tmp_path / "trainer", chroma_url=chroma_url, embeddings="hash", collection="shared")
    counter = Settings(home=tmp_path / "counter", chroma_url=chroma_url, embeddings="hash", collection="shared")
    ingest(trainer, [_docs(tmp_path / "a", apology="一、道歉\n道歉不是认错,代表公司向客户致歉。\n")])

    staff = Retriever(counter)  # a second machine: builds its local lexical copy from the server
    assert staff.retrieve("道歉", 1).passages[0].source == "apology"
    assert staff.sync_lexical() is False  # unchanged collection: no rebuild

    ingest(trainer, [_docs(tmp_path / "b", media="一、明访\n记者亮明身份时,请办公室人员出面接待。\n")])
    assert staff.sync_lexical() is True  # the trainer's ingest changed the generation
    assert staff.lexical.chunk_ids() == {c.chunk_id for c in staff.store.iter_all()}
    assert Retriever(counter).retrieve("记者 办公室", 1).passages[0].source == "media"


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    dead = Settings(home=tmp_path, chroma_url=f"http://127.0.0.1:{_free_port()}", embeddings="hash")
    with pytest.raises(StoreError, match=r"Chroma server|cannot be read"):
        Retriever(dead)
