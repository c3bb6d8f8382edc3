"""Retrieval at scale against a Chroma server: the shared / scale-out mode (`COACH_CHROMA_URL`).

    python -m bench.server_scale [--sizes 1000 10000] [--queries 50]

The same synthetic corpora and hash embedding as bench/retrieval_scale.py, but the store is a
`chroma run` on 127.0.0.1 started by this script (one fresh server per size); coach talks to it over
HTTP, and the keyword index stays local to the client. Default sizes stop at 10k: over HTTP an ingest
runs at a few hundred chunks/s at best on this machine, so 100k is left to `--sizes 100000` on purpose.
Baseline measured in the same run: a raw Chroma HTTP query with a precomputed vector (the floor).
Client and server share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.common import p50_p95
from bench.retrieval_scale import timed, timed_pair, write_corpus

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def start_server(path: Path, port: int = 0) -> tuple[subprocess.Popen[bytes], str]:
    """`chroma run` on 127.0.0.1 serving ``path``, on ``port`` (0: a free one); returns once it answers."""
    if not port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("chroma run did not start within 60 s")


def server_peak_mb(pid: int) -> float:
    """The server process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_ingest(home: Path, folder: Path, url: str) -> dict[str, float]:
    from coach.config import Settings
    from coach.ingest import ingest

    summary = ingest(Settings(home=home, embeddings="hash", chroma_url=url), [folder])
    return {"chunks": summary.added, "chunks_per_s": summary.added / summary.seconds,
            "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure_queries(home: Path, url: str, queries: list[str]) -> dict[str, object]:
    from coach.config import Settings
    from coach.lexical import query_candidates
    from coach.retrieval import Retriever
    from coach.script import to_simplified

    started = time.perf_counter()
    retriever = Retriever(Settings(home=home, embeddings="hash", chroma_url=url))
    retriever.retrieve(queries[0], 5)
    startup = time.perf_counter() - started
    simplified = [to_simplified(q) for q in queries]
    vectors = [retriever.embedder.embed_query(q) for q in simplified]
    candidates = [query_candidates(q) for q in simplified]  # what the hybrid path sends to the index
    windows = retriever.store.windows
    raw_chroma, hybrid = timed_pair(
        lambda v: windows.query(query_embeddings=[v], n_results=5), vectors,
        lambda q: retriever.retrieve(q, 5), queries,
    )
    return {
        "startup_s": startup,
        "raw_chroma": raw_chroma,
        "dense": timed(lambda v: retriever.store.nearest(v, 30), vectors),
        "lexical": timed(lambda t: retriever.lexical.search(t, 30), candidates),
        "hybrid": hybrid,
    }


def run_one(size: int, queries: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder, home, data = Path(tmp) / "corpus", Path(tmp) / "home", Path(tmp) / "server"
        write_corpus(folder, size)
        proc, url = start_server(data)
        try:
            stats = _phase("ingest", home, folder, url)
            stats.update(_phase("query", home, folder, url, queries))
            stats["server_peak_mb"] = server_peak_mb(proc.pid)
            stats["server_disk_mb"] = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"size": size, **stats}


def _phase(phase: str, home: Path, folder: Path, url: str, queries: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    job = json.dumps({"phase": phase, "home": str(home), "folder": str(folder), "url": url, "queries": queries or []})
    done = subprocess.run([sys.executable, "-m", "bench.server_scale", "--phase", job],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:  # type: ignore[type-arg]
    lines = [
        "Retrieval at scale against a Chroma server (`chroma run` on 127.0.0.1, one per size; synthetic chunks, "
        "COACH_EMBEDDINGS=hash, the test-only embedding; client and server on the same 2 cores).",
        "",
        "| chunks | ingest chunks/s | server disk MB | server peak MB | client start-up s "
        "| raw Chroma HTTP p50/p95 ms (windows, precomputed vector) | dense p50/p95 "
        "| lexical (FTS5, local) p50/p95 | hybrid p50/p95 "
        "| hybrid ÷ raw p50 |",
        "|" + "---|" * 10,
    ]
    for r in rows:

        lines.append(
            f"| {r['chunks']} | {r['chunks_per_s']:.0f} | {r['server_disk_mb']:.0f} | {r['server_peak_mb']:.0f} "
            f"| {r['startup_s']:.2f} | {p50_p95(r['raw_chroma'])} | {p50_p95(r['dense'])} "
            f"| {p50_p95(r['lexical'])} | {p50_p95(r['hybrid'])} "
            f"| {r['hybrid']['p50'] / r['raw_chroma']['p50']:.2f}x |"
        )
    first, last = rows[0], rows[-1]
    lines += ["", f"Growth {first['chunks']} → {last['chunks']} chunks: hybrid p50 "
              f"{last['hybrid']['p50'] / first['hybrid']['p50']:.2f}x (target ≤ 3x); sizes above "
              f"{last['chunks']} were not run (see the module docstring)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        job = json.loads(args.phase)
        home, folder = Path(job["home"]), Path(job["folder"])
        stats = (measure_ingest(home, folder, job["url"]) if job["phase"] == "ingest"
                 else measure_queries(home, job["url"], job["queries"]))
        print(json.dumps(stats))
        return
    dataset = ROOT / "evals" / "datasets" / "retrieval.jsonl"
    queries = [json.loads(line)["query"] for line in dataset.read_text(encoding="utf-8").splitlines()][: args.queries]
    rows = []
    for size in args.sizes:
        rows.append(run_one(size, queries))
        print(f"done {size}", file=sys.stderr)
    report = table(rows)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "server_scale.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
