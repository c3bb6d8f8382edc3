"""Faults and what recovers them: kill -9 of `coach ingest` at five points in three store states, a
Chroma server frozen (SIGSTOP) or killed (SIGKILL) under an ingest and under a query, and a chat model
endpoint that fails in each way a real one does.

    python -m bench.faults             # 2 runs of each fault, a few minutes with hash embeddings
    python -m bench.faults --runs 5
    python -m bench.faults --only model  # the model faults alone (the table then holds only those rows)

Every fault is real. A kill point is deterministic: the `coach ingest` child wraps one ChunkStore method
and, on its n-th call, SIGKILLs itself (or sends the signal to the Chroma server), so it dies with Chroma's
files, the keyword index and the lock exactly as they are at that point. Recovery is only what an operator
types: the same `coach ingest` again (and, for the server, starting or resuming it). Then:

- recovered: the re-run exits 0, the store holds exactly the corpus's chunks and windows, the keyword
  index exactly the store's chunks, and `coach doctor` finds nothing;
- data lost: chunks of the corpus missing from the store or the keyword index after that;
- hangs: a command that had not ended after HANG_SECONDS (it is killed and counted; the target is 0).

A model fault needs no recovery by hand: `coach draft --json` against the fake OpenAI-compatible server of
tests/fake_openai.py on 127.0.0.1 (or a closed port), scripted to fail on every call, must still exit 0 with
the offline composer's reply, say that it fell back and why, pass the guard, never show the failed answer,
and leave the store exactly as it was.

Embeddings are the test-only hash embeddings (COACH_EMBEDDINGS=hash): the faults are in the storage
path, which is the same for every embedder. Results go to bench/results/faults.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HANG_SECONDS = 120
DOCS, SECTIONS = 4, 24  # 96 chunks, one embedding batch per document

# A `coach` run whose n-th call of one ChunkStore method sends a signal (default: SIGKILL to itself), or
# pauses until a file appears (two ingests at once). tests/test_faults.py drives it too.
CHILD = """
import json, os, signal, sys, time
from pathlib import Path
from coach import ingest as ingest_module
from coach.store import ChunkStore

job = json.loads(sys.argv[1])
if "lock_wait" in job:
    ingest_module.LOCK_WAIT_SECONDS = job["lock_wait"]
if "kill" in job or "pause" in job:
    method, nth = job.get("kill") or ("add", 1)
    original, calls = getattr(ChunkStore, method), [0]

    def hooked(self, *args, **kwargs):
        calls[0] += 1
        if calls[0] == nth and "kill" in job:
            os.kill(job.get("target") or os.getpid(), job.get("signal") or signal.SIGKILL)
        if calls[0] == nth and "pause" in job:
            folder = Path(job["pause"])
            (folder / "paused").touch()
            deadline = time.monotonic() + 60
            while not (folder / "release").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return original(self, *args, **kwargs)

    setattr(ChunkStore, method, hooked)
from coach.cli import app
sys.argv = ["coach", *job["argv"]]
app()
"""


def write_corpus(folder: Path, variant: str = "") -> Path:
    """DOCS files of SECTIONS top-level sections (one chunk each) of two sentences."""
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(DOCS):
        parts = [
            f"第{s + 1}篇:案例{d}-{s}{variant}\n"
            f"客户第{s}次来电反映{d}号网点的问题{variant}。坐席记录诉求并转交后台核实。"
            for s in range(SECTIONS)
        ]
        (folder / f"doc{d}.txt").write_text("\n".join(parts) + "\n", encoding="utf-8")
    return folder


def change_document(folder: Path) -> None:
    """A new version of doc0: every chunk of it replaced."""
    (folder / "doc0.txt").write_text(
        "\n".join(f"第{s + 1}篇:新版{s}\n新版流程第{s}条,先安抚再核实。" for s in range(SECTIONS)) + "\n",
        encoding="utf-8",
    )


def child(workdir: Path, home: Path, job: dict, env: dict[str, str] | None = None,
          **popen: object) -> subprocess.Popen:  # type: ignore[type-arg]
    script = workdir / "_child.py"
    script.write_text(CHILD, encoding="utf-8")
    full_env = {**os.environ, "COACH_HOME": str(home), "COACH_EMBEDDINGS": "hash", **(env or {})}
    return subprocess.Popen([sys.executable, str(script), json.dumps(job)], env=full_env, **popen)  # type: ignore[call-overload]


# ------------------------------------------------------------------ one run: fault, recovery, checks


@dataclass
class Outcome:
    recovered: bool
    lost: int
    hung: bool
    note: str = ""


def _wait(proc: subprocess.Popen) -> int | None:  # type: ignore[type-arg]
    """Exit code, or None for a hang (the process is killed)."""
    try:
        return proc.wait(timeout=HANG_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def _coach(workdir: Path, home: Path, argv: list[str], env: dict[str, str] | None = None) -> int | None:
    return _wait(child(workdir, home, {"argv": argv}, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def check(home: Path, folder: Path, env: dict[str, str]) -> tuple[bool, int]:
    """(store, windows and keyword index exactly the corpus's, chunks of the corpus missing) after recovery."""
    from coach.config import Settings
    from coach.corpus.documents import discover, prepare
    from coach.doctor import diagnose
    from coach.embeddings import HashEmbedder
    from coach.ingest import lexical_path
    from coach.lexical import LexicalIndex
    from coach.store import ChunkStore

    settings = Settings(home=home, embeddings="hash", chroma_url=env.get("COACH_CHROMA_URL"))
    chunks = [c for doc in prepare(discover([folder])) for c in doc.chunks]
    expected = {c.chunk_id for c in chunks}
    store = ChunkStore(settings, HashEmbedder()).open()
    stored = [c.chunk_id for c in store.iter_all()]
    index = LexicalIndex(lexical_path(settings))
    indexed = index.chunk_ids()
    index.close()
    exact = (len(stored) == len(set(stored)) and set(stored) == expected == indexed
             and store.window_count() == sum(len(c.windows) for c in chunks) and diagnose(settings).ok)
    return exact, len(expected - (set(stored) & indexed))


def kill_ingest(base: Path, point: tuple[str, int], state: str) -> Outcome:
    home, folder = base / "home", write_corpus(base / "docs")
    if state != "fresh" and _coach(base, home, ["ingest", str(folder)]) != 0:
        return Outcome(False, 0, False, "the first ingest failed")
    if state == "changed":
        change_document(folder)
    code = _wait(child(base, home, {"kill": list(point), "argv": ["ingest", str(folder)]},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    note = "" if code == -signal.SIGKILL else "point not reached: the run completed"
    rerun = _coach(base, home, ["ingest", str(folder)])
    if rerun is None:
        return Outcome(False, 0, True, note)
    exact, lost = check(home, folder, {})
    return Outcome(rerun == 0 and exact, lost, code is None, note)


PROMISE = "我保证明天给您全额退款，另外赔偿您500元。"
MODEL_FAULTS = {
    "model endpoint dead (connection refused)": None,
    "model answers HTTP 500 every time": "ERROR_500",
    "model never answers (client timeout)": "TIMEOUT",
    "model answers malformed JSON": "MALFORMED",
    "model answers empty content": "EMPTY",
    "model answers only a <think> block": "<think>客户很生气，先道歉。</think>",
    "model promises a refund and compensation every time": PROMISE,
}


def model_fault(base: Path, behaviour: str | None) -> Outcome:
    """`coach draft` with a chat model that fails on every call (None: nothing listens on the port)."""
    from tests import fake_openai

    home, folder = base / "home", write_corpus(base / "docs")
    if _coach(base, home, ["ingest", str(folder)]) != 0:
        return Outcome(False, 0, False, "the first ingest failed")
    model = None
    if behaviour is None:
        with socket.socket() as probe:  # a port nothing listens on once the probe is closed
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    else:
        model = fake_openai.FakeOpenAI(timeout_sleep=4.0).start()
        model.replies = [getattr(fake_openai, behaviour, behaviour)] * 50
        url = model.base_url
    env = {"COACH_BACKEND": "openai", "OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-fault", "COACH_MODEL": "fake",
           "COACH_TIMEOUT": "2", "COACH_MAX_RETRIES": "1"}
    try:
        proc = child(base, home, {"argv": ["draft", "--json", "我的卡被扣了两次年费，你们必须今天退给我！"]}, env,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            out, _ = proc.communicate(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return Outcome(False, 0, True, "the draft hung")
    finally:
        if model:
            model.stop()
    exact, lost = check(home, folder, {})
    if proc.returncode != 0:
        return Outcome(False, lost, False, f"the draft exited {proc.returncode}")
    draft = json.loads(out)
    shown = draft["reply"] + json.dumps(draft.get("attempts", []), ensure_ascii=False)
    fine = (draft["fell_back"] and bool(draft["fallback_reason"]) and draft["guard"]["ok"] and draft["reply"]
            and "赔偿您500元" not in shown and "<think>" not in draft["reply"])
    reason = re.sub(r"http://127\.0\.0\.1:\d+/v1 ", "", draft["fallback_reason"] or "")  # one note per fault
    return Outcome(bool(fine) and exact, lost, False, f"fell back: {reason}"[:80])


def server_fault(base: Path, during: str, sig: signal.Signals) -> Outcome:
    """The Chroma server frozen or killed during an ingest (at its 2nd chunk batch) or before a query."""
    from bench.server_scale import start_server

    data, home, folder = base / "server", base / "home", write_corpus(base / "docs")
    server, url = start_server(data)
    port = int(url.rsplit(":", 1)[1])
    env = {"COACH_CHROMA_URL": url, "COACH_CHROMA_TIMEOUT": "3"}
    try:
        if during == "query":
            if _coach(base, home, ["ingest", str(folder)], env) != 0:
                return Outcome(False, 0, False, "the first ingest failed")
            server.send_signal(sig)
            faulted = _coach(base, home, ["retrieve", "客户来电反映网点问题"], env)
        else:
            job = {"kill": ["add", 2], "target": server.pid, "signal": int(sig), "argv": ["ingest", str(folder)]}
            faulted = _wait(child(base, home, job, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if sig == signal.SIGSTOP:
            server.send_signal(signal.SIGCONT)
        else:
            server.wait(timeout=30)
            server, _ = start_server(data, port)
        recovery = ["ingest", str(folder)] if during == "ingest" else ["retrieve", "客户来电反映网点问题"]
        again = _coach(base, home, recovery, env)
        exact, lost = check(home, folder, env)
        note = f"the faulted command exited {faulted}" if faulted is not None else "the faulted command hung"
        return Outcome(faulted == 2 and again == 0 and exact, lost, faulted is None or again is None, note)
    finally:
        server.send_signal(signal.SIGCONT)
        server.kill()
        server.wait(timeout=30)


# ------------------------------------------------------------------ the table

KILL_POINTS = {
    "marking the run (before any write)": ("set_state", 1),
    "windows written, chunk records not": ("add", 1),
    "first document done, the rest not": ("delete_orphan_windows", 1),
    "every Chroma write done, keyword index not": ("delete_orphan_windows", DOCS),
    "keyword index written, final stamp not": ("set_state", 2),
}


def faults() -> dict[str, Callable[[Path], Outcome]]:
    cases: dict[str, Callable[[Path], Outcome]] = {}
    for state in ("fresh", "unchanged", "changed"):
        for label, point in KILL_POINTS.items():
            cases[f"kill -9 ingest, {state} store: {label}"] = (
                lambda base, point=point, state=state: kill_ingest(base, point, state))
    for sig, verb in ((signal.SIGSTOP, "frozen (SIGSTOP)"), (signal.SIGKILL, "killed (SIGKILL)")):
        for during in ("ingest", "query"):
            cases[f"Chroma server {verb} during {during}"] = (
                lambda base, sig=sig, during=during: server_fault(base, during, sig))
    for label, behaviour in MODEL_FAULTS.items():
        cases[label] = lambda base, behaviour=behaviour: model_fault(base, behaviour)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--only", default="", help="run the faults whose name contains this, e.g. model")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = [
        "Faults (`python -m bench.faults`, hash embeddings, 96-chunk corpus of 4 documents; recovery = the same "
        "command again after the server is back; a model fault must need no recovery: the draft falls back).",
        "",
        "| fault | runs | recovered | data lost (chunks) | hangs | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    totals = [0, 0, 0, 0]
    for name, run in faults().items():
        if args.only not in name:
            continue
        outcomes = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="coach-fault-") as tmp:
                outcomes.append(run(Path(tmp)))
        recovered = sum(o.recovered for o in outcomes)
        lost, hangs = sum(o.lost for o in outcomes), sum(o.hung for o in outcomes)
        notes = "; ".join(sorted({o.note for o in outcomes if o.note}))
        rows.append(f"| {name} | {len(outcomes)} | {recovered} | {lost} | {hangs} | {notes} |")
        totals = [totals[0] + len(outcomes), totals[1] + recovered, totals[2] + lost, totals[3] + hangs]
        print(rows[-1], flush=True)
    rows.append(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | "
                f"{time.perf_counter() - started:.0f} s in all |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "faults.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
