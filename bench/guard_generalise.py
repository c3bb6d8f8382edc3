"""Does the guard's learned stage generalise? Rules alone against rules + the model, on sources it never saw.

    python -m bench.guard_generalise            # every table; also written to bench/results/guard_generalise.md
    python -m bench.guard_generalise --hold-out "author a07" --hold-out "author a08"   # only these sources

Leave one source out: for each author of evals/datasets/guard_authors/, each round of promises.jsonl, the
context pairs, coach's safety replies and the JDDC labels, a model is built (scripts/build_guard_model.py,
thresholds chosen on its own training folds) from every other source and scored on the one left out. The test-only
authors of evals/datasets/guard_test/ and ../shared's staff_turns.jsonl are pure test sources, scored by the
model built from everything. Promise and forbidden-phrase precision/recall per
kind, sentence (row) level: a row counts for a kind when any flag of that kind is raised on it.

Also: the share of all JDDC staff turns flagged (rules vs rules + the shipped model), and `coach check`'s
throughput and cold start with the stage on and off, measured in this run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.guard import throughput  # noqa: E402
from coach.guard import check  # noqa: E402
from coach.guard.model import MODEL_PATH, ModelStage, load_stage  # noqa: E402
from coach.policy import load_policy  # noqa: E402
from scripts.build_guard_model import (  # noqa: E402
    DATASETS,
    JDDC_LABELS,
    JDDC_MEASURE,
    REAL_WORLD,
    Row,
    _row,
    build,
    featurise,
    jsonl_rows,
    save,
    staff_turn_rows,
    training_rows,
)

RESULTS = ROOT / "bench" / "results" / "guard_generalise.md"
TARGETS = {"unauthorized_promise": (0.90, 0.85), "forbidden_phrase": (0.90, 0.85)}  # (P, R)
_SHORT = {"unauthorized_promise": "promise", "forbidden_phrase": "phrase"}


def _pr(rows: list[Row], flagged: list[set[str]], kind: str) -> tuple[float, float, int]:
    tp = sum(kind in f and r.kind == kind for r, f in zip(rows, flagged, strict=True))
    fp = sum(kind in f and r.kind != kind for r, f in zip(rows, flagged, strict=True))
    gold = sum(r.kind == kind for r in rows)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / gold if gold else 1.0), gold


def _model_kinds(rows: list[Row], stage: ModelStage) -> list[set[str]]:
    policy = load_policy()
    return [{v.kind for v in check(r.text, role=policy.role(r.role), context=r.context, policy=policy,
                                   model=stage).violations}
            for r in rows]


def _stage_from(rows: list[Row], precision: float) -> ModelStage:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        save(build(rows, precision), path)
        return ModelStage(path)


def held_out_table(rows: list[Row], tests: list[Row], precision: float, only: set[str] | None = None) -> list[str]:
    lines = ["### Leave one source out (rules / rules + model; target P >= 0.90, R >= 0.85 per kind)", "",
             "| held-out source | rows | promises gold | promise P | promise R | phrases gold | phrase P | phrase R "
             "| targets met (rules + model) |", "|---|---|---|---|---|---|---|---|---|"]
    groups = [(s, [r for r in rows if r.source == s], [r for r in rows if r.source != s])
              for s in sorted({r.source for r in rows}) if not only or s in only]
    everything = _stage_from(rows, precision) if tests else None  # one model from every training row
    groups += [(f"{s} (test only)", [r for r in tests if r.source == s], rows)
               for s in sorted({r.source for r in tests})]
    for name, held, train in groups:
        if not held:
            continue
        stage = everything if train is rows and everything is not None else _stage_from(train, precision)
        both = _model_kinds(held, stage)
        lines.append(_held_out_line(name, held, both))
        for sample in sorted({r.sample for r in held if r.sample}):  # JDDC: the random draw apart from the keyword one
            chosen = [i for i, r in enumerate(held) if r.sample == sample]
            lines.append(_held_out_line(f"{name}, {sample} sample", [held[i] for i in chosen],
                                        [both[i] for i in chosen]))
    return [*lines, "", "Each cell: rules alone / rules + the model built without that source. A kind with no gold "
                        "row in a source scores recall 1.000 by convention.", ""]


def _held_out_line(name: str, held: list[Row], both: list[set[str]]) -> str:
    cells, met = [], []
    for kind in TARGETS:
        rp, rr, gold = _pr(held, [r.rule_kinds for r in held], kind)
        mp, mr, _ = _pr(held, both, kind)
        cells += [str(gold), f"{rp:.3f} / {mp:.3f}", f"{rr:.3f} / {mr:.3f}"]
        if gold:
            target_p, target_r = TARGETS[kind]
            met.append(f"{_SHORT[kind]} {'yes' if mp >= target_p and mr >= target_r else 'no'}")
    return f"| {name} | {len(held)} | {' | '.join(cells)} | {', '.join(met)} |"


def unseen_rows(datasets: Path = DATASETS) -> list[Row]:
    """The test-only authors of evals/datasets/guard_test/: never trained or tuned on, scored here only."""
    rows = (_row(raw, f"author {raw.get('author') or path.stem}")
            for path in sorted((datasets / "guard_test").glob("*.jsonl")) for raw in jsonl_rows(path))
    return [r for r in rows if r is not None]


def jddc_section(stage: ModelStage) -> list[str]:
    """The share of all real JDDC staff turns flagged, each read with the customer's turns before it."""
    path = REAL_WORLD / "jddc_sessions.jsonl"
    if not path.is_file():
        return ["### JDDC staff turns flagged", "", f"skipped: {path} is absent.", ""]
    labelled = {(r["session"], r["turn"]) for path in (*JDDC_LABELS, *JDDC_MEASURE) for r in jsonl_rows(path)}
    policy = load_policy()
    counts = {"rules": [0, 0], "rules + model": [0, 0]}  # [all turns, turns not labelled (never trained on)]
    total = [0, 0]
    for session in jsonl_rows(path):
        turns = session["turns"]
        for index, turn in enumerate(turns):
            if turn["speaker"] != "staff" or not turn["text"].strip():
                continue
            fresh = (session["session"], index) not in labelled
            total[0], total[1] = total[0] + 1, total[1] + fresh
            report = check(turn["text"][:20_000], context=turns[max(0, index - 4):index], policy=policy, model=stage)
            for name, flagged in (("rules", any(v.detector == "rules" for v in report.violations)),
                                  ("rules + model", bool(report.violations))):
                counts[name][0] += flagged
                counts[name][1] += flagged and fresh
    lines = ["### JDDC staff turns flagged (target <= 5 %)", "", "| system | all turns | turns never labelled |",
             "|---|---|---|"]
    for name, (every, fresh) in counts.items():
        lines.append(f"| {name} | {every}/{total[0]} = {every / total[0]:.1%} | {fresh}/{total[1]} = "
                     f"{fresh / total[1]:.1%} |")
    return [*lines, "", "The shipped model learned from the labelled turns; the right column leaves them out.", ""]


def speed_section(texts: list[str], stage: ModelStage, runs: int = 10) -> list[str]:
    policy = load_policy()
    rules = throughput(texts, lambda t: check(t, policy=policy))
    both = throughput(texts, lambda t: check(t, policy=policy, model=stage))
    lines = ["### Speed (one process; the same run)", "", "| measure | rules only | rules + model |", "|---|---|---|",
             f"| check throughput, sentences/s (target >= 2,000 with the model) | {rules:,.0f} | {both:,.0f} |"]
    starts = {"false": [], "true": []}
    for _ in range(runs):
        for flag, samples in starts.items():
            env = {"COACH_GUARD_MODEL": flag, "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "coach", "check", "您好，我们保证三天内全额退款。"], cwd=ROOT,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples.append(time.perf_counter() - started)
    cold = [statistics.median(starts["false"]), statistics.median(starts["true"])]
    lines.append(f"| `coach check` cold start, p50 s over {runs} (target <= 1 s with the model) | {cold[0]:.3f} | "
                 f"{cold[1]:.3f} |")
    loaded = time.perf_counter()
    ModelStage(MODEL_PATH)
    lines.append(f"| model file: {MODEL_PATH.stat().st_size / 1024:.0f} KB, load {time.perf_counter() - loaded:.3f} s "
                 "| | |")
    return [*lines, ""]


def run(precision: float, only: set[str] | None = None, test_authors: bool = True) -> list[str]:
    rows = training_rows()
    tests = staff_turn_rows() + (unseen_rows() if test_authors else [])
    featurise(rows + tests)
    out = ["## Guard learned stage: generalisation", "", f"Training rows {len(rows)} ("
           + ", ".join(f"{s}: {sum(r.source == s for r in rows)}" for s in sorted({r.source for r in rows}))
           + f"); test only (never trained on): {len(tests)} rows ("
           + ", ".join(f"{s}: {sum(r.source == s for r in tests)}" for s in sorted({r.source for r in tests})) + ").",
           ""]
    out += held_out_table(rows, tests, precision, only)
    stage = load_stage()
    out += jddc_section(stage)
    out += speed_section([r.text for r in rows if r.source.startswith("promises")][:600], stage)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", type=float, default=0.90, help="as scripts/build_guard_model.py")
    parser.add_argument("--hold-out", action="append", metavar="SOURCE",
                        help='hold out only these sources (repeatable, e.g. "author a07"); staff turns always')
    parser.add_argument("--no-test-authors", action="store_true",
                        help="leave evals/datasets/guard_test/ unread (tuning the guard; its owner scores it)")
    args = parser.parse_args(argv)
    text = "\n".join(run(args.precision, set(args.hold_out or ()), not args.no_test_authors))
    print(text)
    results = RESULTS.with_name("guard_generalise_some.md") if args.hold_out else RESULTS  # a part keeps the whole
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
