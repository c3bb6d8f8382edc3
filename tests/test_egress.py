"""No silent egress: ``coach draft`` in a subprocess whose every connection outside 127.0.0.1 is refused
and recorded by an audit hook — with LangSmith tracing switched on in the shell, which must not matter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI

HOOK = '''
import ipaddress, os, sys

_LOG = os.environ["EGRESS_LOG"]

def _local(host):
    if host in ("localhost", "", None) or str(host).startswith("/"):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False

def _hook(event, args):
    host = None
    if event == "socket.connect" and isinstance(args[1], tuple):
        host = args[1][0]
    elif event == "socket.getaddrinfo":
        host = args[0]
    if host is not None and not _local(host if isinstance(host, str) else host.decode()):
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{event} {host}\\n")
        raise OSError(f"egress blocked: {host}")

sys.addaudithook(_hook)
'''


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


def _run(args: list[str], home: Path, tmp_path: Path, extra: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir(exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "egress.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_", "LANGCHAIN_", "LANGSMITH_"))}
    env.update({"PYTHONPATH": str(hook_dir), "EGRESS_LOG": str(log), "COACH_HOME": str(home),
                "COACH_EMBEDDINGS": "hash", "LANGSMITH_TRACING": "true", "LANGCHAIN_TRACING_V2": "true",
                "LANGSMITH_API_KEY": "lsv2-test", "NO_PROXY": "127.0.0.1,localhost", **extra})
    proc = subprocess.run([sys.executable, "-m", "coach", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, check=False)
    return proc, log.read_text(encoding="utf-8") if log.exists() else ""


@pytest.mark.slow  # the CLI in a subprocess with the egress hook
def test_offline_draft_makes_no_connection(hash_home: Path, tmp_path: Path) -> None:
    proc, log = _run(["draft", "你们业务员骗我,我要全额退保!", "--json"], hash_home, tmp_path, {})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["backend"] == "offline"
    assert log == ""


@pytest.mark.slow  # the CLI in a subprocess with the egress hook
def test_openai_draft_talks_only_to_the_configured_local_endpoint(hash_home: Path, tmp_path: Path,
                                                                   server: FakeOpenAI) -> None:
    server.bodies.clear()
    server.replies[:] = ["您好，您的退保诉求我已经记录，需要相关部门按规定审核，我们会在三个工作日内与您联系。"]
    proc, log = _run(["draft", "我要退保", "--backend", "openai", "--json"], hash_home, tmp_path,
                     {"OPENAI_BASE_URL": server.base_url, "COACH_MODEL": "fake-model", "OPENAI_API_KEY": "sk-test"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["backend"] == "openai"
    assert len(server.bodies) == 1
    assert log == "", f"egress attempted: {log}"


def test_the_hook_does_catch_egress(tmp_path: Path) -> None:
    """The hook is live in the subprocess: a connection to a public address is recorded."""
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    log = tmp_path / "egress.log"
    code = "import socket\ntry:\n    socket.create_connection(('93.184.216.34', 80), timeout=0.2)\nexcept OSError:\n    pass\n"
    env = {**os.environ, "PYTHONPATH": str(hook_dir), "EGRESS_LOG": str(log)}
    subprocess.run([sys.executable, "-c", code], env=env, timeout=30, check=True)
    assert "93.184.216.34" in log.read_text(encoding="utf-8")
