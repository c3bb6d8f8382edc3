"""How retrieval cost grows with the corpus: 1k, 10k and 100k chunks.

    python -m bench.retrieval_scale [--sizes 1000 10000 100000] [--queries 50] [--reuse DIR]

The corpora are synthetic: each chunk recombines 2-3 real sentences of the cleaned seed documents.
They are embedded with COACH_EMBEDDINGS=hash, the fast deterministic test-only embedding (a semantic
model would take hours at 100k); latency figures are therefore about the store and the indexes, not
about the model. Each size runs in its own process, so start-up and peak memory are its own.
Baselines measured in the same run: a raw Chroma query with a precomputed vector (the floor) and
rank-bm25 (in memory, rebuilt at every start) for the keyword half.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import p50_p95, percentile

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CHUNKS_PER_FILE = 200


def real_sentences() -> list[str]:
    from coach.corpus.clean import clean_text, split_sentences
    from coach.corpus.manifest import load_manifest
    from coach.corpus.read import read_document
    from coach.paths import bundled

    corpus = bundled("corpus")
    sentences: list[str] = []
    for meta in load_manifest(corpus / "manifest.yaml").documents:
        text = clean_text(read_document(corpus / meta.file), meta.layout)
        sentences += [s for line in text.split("\n") for s in split_sentences(line) if 8 <= len(s) <= 120]
    return sorted(set(sentences))


def write_corpus(folder: Path, size: int) -> None:
    """Files of top-level sections (第N篇), one section per chunk, so the chunker keeps them apart."""
    rng = random.Random(size)
    sentences = real_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, size, CHUNKS_PER_FILE):
        parts = []
        for n in range(start, min(start + CHUNKS_PER_FILE, size)):
            body = "".join(rng.sample(sentences, rng.choice((2, 3))))
            parts.append(f"第{n + 1}篇:案例{n + 1}\n{body}")
        (folder / f"cases{start // CHUNKS_PER_FILE:04d}.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")


def percentiles(samples: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(samples), "p95": percentile(samples, 0.95)}


def timed(fn, queries: list) -> dict[str, float]:  # type: ignore[no-untyped-def]
    fn(queries[0])
    samples = []
    for query in queries:
        started = time.perf_counter()
        fn(query)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def timed_pair(first, first_inputs: list, second, second_inputs: list, rounds: int = 3) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Two paths timed query by query in alternation, so that a slow spell of the machine (a shared VM
    varies by half from minute to minute) falls on both sides of their ratio."""
    first(first_inputs[0])
    second(second_inputs[0])
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for a, b in zip(first_inputs, second_inputs, strict=True):
            for fn, arg, out in ((first, a, samples[0]), (second, b, samples[1])):
                started = time.perf_counter()
                fn(arg)
                out.append((time.perf_counter() - started) * 1000)
    return percentiles(samples[0]), percentiles(samples[1])


def measure_ingest(home: Path, folder: Path) -> dict[str, float]:
    from coach.config import Settings
    from coach.ingest import ingest

    summary = ingest(Settings(home=home, embeddings="hash"), [folder])
    size_mb = sum(p.stat().st_size for p in home.rglob("*") if p.is_file()) / 1e6
    return {
        "chunks": summary.added,
        "ingest_s": summary.seconds,
        "chunks_per_s": summary.added / summary.seconds,
        "disk_mb": size_mb,
        "ingest_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_queries(home: Path, queries: list[str]) -> dict[str, object]:
    started = time.perf_counter()
    from coach.config import Settings
    from coach.retrieval import Retriever

    imported = time.perf_counter()
    retriever = Retriever(Settings(home=home, embeddings="hash"))
    opened = time.perf_counter()
    retriever.retrieve(queries[0], 5)
    answered = time.perf_counter()

    from coach.lexical import query_candidates, tokenize
    from coach.script import to_simplified

    simplified = [to_simplified(q) for q in queries]
    vectors = [retriever.embedder.embed_query(q) for q in simplified]
    tokens = [tokenize(q) for q in simplified]
    candidates = [query_candidates(q) for q in simplified]  # what the hybrid path sends to the index
    collection = retriever.store.collection
    raw_chroma, hybrid = timed_pair(
        lambda v: collection.query(query_embeddings=[v], n_results=5), vectors,
        lambda q: retriever.retrieve(q, 5), queries,
    )
    out: dict[str, object] = {
        "import_s": imported - started,
        "open_s": opened - imported,
        "first_answer_s": answered - opened,
        "startup_s": answered - imported,
        "embed_query": timed(retriever.embedder.embed_query, simplified),
        "raw_chroma": raw_chroma,
        "dense": timed(lambda v: retriever.store.nearest(v, 30), vectors),
        "lexical": timed(lambda t: retriever.lexical.search(t, 30), candidates),
        "hybrid": hybrid,
    }
    out.update(measure_bm25_baseline(retriever, tokens))
    out["query_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure_bm25_baseline(retriever, tokens: list[list[str]]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """rank-bm25 over the same tokens: what the keyword half costs without a persistent index."""
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    rows = [str(c.metadata.get("tokens", "")).split() for c in retriever.store.iter_all()]
    bm25 = BM25Okapi(rows)
    bm25.get_scores(tokens[0])
    build = time.perf_counter() - started

    def search(query_tokens: list[str]) -> None:
        scores = bm25.get_scores(query_tokens)
        sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:30]

    return {"bm25_startup_s": build, "bm25": timed(search, tokens)}


def run_one(size: int, query_count: int, reuse: Path | None) -> dict[str, object]:
    """Build the store of this size (or take the one kept in ``reuse``), then measure queries on it."""
    questions = ROOT / "evals" / "datasets" / "retrieval.jsonl"
    queries = [json.loads(line)["query"] for line in questions.read_text(encoding="utf-8").splitlines()][:query_count]
    with tempfile.TemporaryDirectory() as tmp:
        base = reuse / str(size) if reuse else Path(tmp)
        folder, home, kept = base / "corpus", base / "home", base / "ingest.json"
        if kept.is_file():
            ingest_stats = json.loads(kept.read_text(encoding="utf-8"))
        else:
            write_corpus(folder, size)
            ingest_stats = _in_subprocess("ingest", home, folder)
            kept.write_text(json.dumps(ingest_stats), encoding="utf-8")
        query_stats = _in_subprocess("query", home, folder, queries)
    return {"size": size, **ingest_stats, **query_stats}


def _in_subprocess(phase: str, home: Path, folder: Path, queries: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    payload = json.dumps({"phase": phase, "home": str(home), "folder": str(folder), "queries": queries or []})
    done = subprocess.run(
        [sys.executable, "-m", "bench.retrieval_scale", "--phase", payload],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:  # type: ignore[type-arg]
    first = rows[0]
    lines = [
        "Retrieval at scale (synthetic chunks recombined from the seed sentences; "
        "COACH_EMBEDDINGS=hash, the test-only embedding; query-embedding time reported separately).",
        "",
        "| chunks | ingest chunks/s | disk MB | ingest peak MB | open s | first answer s (loads the HNSW graph) "
        "| start-up s (open + first answer) | rank-bm25 start-up s "
        "| raw Chroma p50/p95 ms | dense p50/p95 | lexical (FTS5) p50/p95 | rank-bm25 p50/p95 | hybrid p50/p95 "
        "| hybrid ÷ raw Chroma p50 | query embed p50 ms | query peak MB |",
        "|" + "---|" * 16,
    ]
    for r in rows:

        lines.append(
            f"| {r['chunks']} | {r['chunks_per_s']:.0f} | {r['disk_mb']:.0f} | {r['ingest_peak_mb']:.0f} "
            f"| {r['open_s']:.2f} | {r['first_answer_s']:.2f} "
            f"| {r['startup_s']:.2f} | {r['bm25_startup_s']:.2f} | {p50_p95(r['raw_chroma'])} | {p50_p95(r['dense'])} "
            f"| {p50_p95(r['lexical'])} | {p50_p95(r['bm25'])} | {p50_p95(r['hybrid'])} "
            f"| {r['hybrid']['p50'] / r['raw_chroma']['p50']:.2f}x | {r['embed_query']['p50']:.2f} "
            f"| {r['query_peak_mb']:.0f} |"
        )
    last = rows[-1]
    lines += [
        "",
        f"Growth {first['chunks']} → {last['chunks']} chunks: hybrid p50 "
        f"{last['hybrid']['p50'] / first['hybrid']['p50']:.2f}x (target ≤ 3x), lexical p50 "
        f"{last['lexical']['p50'] / first['lexical']['p50']:.2f}x, rank-bm25 p50 "
        f"{last['bm25']['p50'] / first['bm25']['p50']:.2f}x; start-up at {last['chunks']}: "
        f"{last['startup_s']:.2f} s (target ≤ 1 s) vs rank-bm25 rebuild {last['bm25_startup_s']:.2f} s.",
        f"Python imports (chromadb, coach) add {statistics.median(r['import_s'] for r in rows):.2f} s to every process "
        "start whatever the corpus size; they are not in the start-up column.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--reuse", type=Path, help="keep each size's store (and its ingest figures) in this folder "
                        "and measure on it again next time, instead of building it anew (100k: ≈ 16 min)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        job = json.loads(args.phase)
        home, folder = Path(job["home"]), Path(job["folder"])
        stats = measure_ingest(home, folder) if job["phase"] == "ingest" else measure_queries(home, job["queries"])
        print(json.dumps(stats))
        return
    rows = []
    for size in args.sizes:
        rows.append(run_one(size, args.queries, args.reuse))
        print(f"done {size}", file=sys.stderr)
    report = table(rows)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "retrieval_scale.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
