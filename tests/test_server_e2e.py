"""``coach serve`` for real: a subprocess on a free loopback port over an ingested (hash) store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

COMPLAINT = "你们业务员骗我买分红险，我手机13912345678，我要全额退款，今天不退我就找记者曝光！"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    env.update(COACH_HOME=str(home), COACH_EMBEDDINGS="hash", DEEPEVAL_TELEMETRY_OPT_OUT="YES",
               ANONYMIZED_TELEMETRY="False", **extra)
    return env


@contextmanager
def serving(home: Path, log_path: Path) -> Iterator[str]:
    """Start ``coach serve`` on a free port; yield its base URL once /healthz answers; stop it."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "coach", "serve", "--port", str(port)],
                                   env=serve_env(home), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    pytest.fail(f"coach serve exited with {process.returncode}:\n{log_path.read_text('utf-8')}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"coach serve did not answer within 30 s:\n{log_path.read_text('utf-8')}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_coach_serve_answers_over_http(hash_home: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "serve.log"
    with serving(hash_home, log_path) as base, httpx.Client(base_url=base, timeout=30) as http:
        page = http.get("/")
        assert page.status_code == 200 and "检查我的回复" in page.text
        assert http.get("/static/app.js").status_code == 200
        draft = http.post("/v1/draft", json={"message": COMPLAINT})
        assert draft.status_code == 200, draft.text
        body = draft.json()
        assert body["backend"] == "offline" and body["guard"]["ok"] and body["escalate"]
        report = http.post("/v1/check", json={"text": "好的，没问题", "context": "能全额退吗？"}).json()
        assert report["ok"] is False and report["violations"][0]["span"] == "好的，没问题"
        retrieval = http.get("/v1/retrieve", params={"q": "客户要求赔偿", "k": 2}).json()
        assert len(retrieval["passages"]) == 2
        assert http.get("/healthz").json()["store"] == "ready"
        refused = http.get("/healthz", headers={"Host": "evil.example"})
        assert refused.status_code == 421
    log = log_path.read_text("utf-8")
    lines = [json.loads(line.split(" coach.server ", 1)[1]) for line in log.splitlines()
             if " coach.server {" in line]
    assert [(line["route"], line["status"]) for line in lines if line["route"] != "/healthz"] == [
        ("/", 200), ("/static", 200), ("/v1/draft", 200), ("/v1/check", 200), ("/v1/retrieve", 200),
        ("unmatched", 421)]
    assert any(line["route"] == "/v1/draft" and line["backend"] == "offline" and line["guard"] == "ok"
               for line in lines)
    for secret in ("13912345678", "分红险", "业务员骗我", "客户要求赔偿"):
        assert secret not in log, secret


def test_coach_serve_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "coach", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                            env=serve_env(tmp_path / "home"), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "COACH_API_TOKEN" in result.stderr
