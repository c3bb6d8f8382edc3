"""Build the guard's learned second stage (coach/guard/guard_model.npz) from the repo's labelled sets.

    python scripts/build_guard_model.py                       # the repo's sets -> coach/guard/guard_model.npz
    python scripts/build_guard_model.py --jddc-labels PATH [PATH ...]   # these labels of real JDDC turns instead of
                                                              # the default three (text joined from
                                                              # ../shared/real-world; skipped when absent)

Training rows: every author of evals/datasets/guard_authors/, every round of promises.jsonl, context_pairs.jsonl,
coach's own safety replies (coach/safety.yaml, as ok: the guard must never flag the escalation lines coach itself
writes) and, when given and ../shared is present, the JDDC labels. Each row is read through the rule guard exactly
as ``coach check`` reads it (the stage's features include what the rules flagged), then one multinomial logistic
regression (ok / promise / forbidden phrase) is fitted. The thresholds that turn a probability into a flag are
chosen on out-of-fold predictions over the training rows only (folds grouped by source, and the JDDC turns by
session, spread over every fold): the lowest threshold at which the flags the model adds keep precision >=
--precision overall and, on the real JDDC turns, at least the rules' own precision there. Deterministic: lbfgs,
no sampling, a zip written with fixed timestamps, so the same rows give the same file byte for byte.

Needs scikit-learn (the dev extra); ``coach check`` reads the result with numpy alone.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scipy.sparse import csr_matrix  # noqa: E402

from coach.guard import check  # noqa: E402
from coach.guard import text as gt  # noqa: E402
from coach.guard.base import GuardContext  # noqa: E402
from coach.guard.model import BUCKETS, KINDS, MODEL_PATH, sentence_features, text_grams  # noqa: E402
from coach.policy import Policy, load_policy  # noqa: E402
from coach.types import Violation  # noqa: E402

DATASETS = ROOT / "evals" / "datasets"
# ../shared beside the main checkout, or beside the worktrees' folder for a worktree under ../wt/NAME.
REAL_WORLD = next((p for p in (ROOT.parent / "shared" / "real-world", ROOT.parent.parent / "shared" / "real-world")
                   if p.is_dir()), ROOT.parent / "shared" / "real-world")
LABEL_KIND = {"promise": "unauthorized_promise", "forbidden_phrase": "forbidden_phrase", "taboo": "forbidden_phrase",
              "ok": "ok", "no_promise": "ok"}
C = 0.5  # inverse L2 strength, fixed (not tuned on any held-out set)
FOLDS = 5


@dataclass
class Row:
    text: str
    kind: str  # one of KINDS
    category: str | None
    source: str  # "author a01", "promises round 2", "context pairs", "staff turns", "jddc labels"
    context: str | list | None = None
    role: str | None = None
    quotable: bool = True  # may be quoted as a flag's reason (real-world text never is)
    sample: str = ""  # how a JDDC label's turn was drawn ("random", "keyword"); scored apart by the bench
    session: str = ""  # a JDDC turn's session: its cross-validation group (a session never spans two folds)
    features: list[int] = field(default_factory=list)
    rule_kinds: set[str] = field(default_factory=set)


def jsonl_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _row(raw: dict, source: str, *, quotable: bool = True) -> Row | None:
    kind = LABEL_KIND.get(raw.get("label", ""))
    if kind is None:  # "unsure"
        return None
    return Row(raw["text"], kind, raw.get("category") if kind != "ok" else None, source,
               raw.get("context"), raw.get("role"), quotable)


def repo_rows(datasets: Path = DATASETS) -> list[Row]:
    """The repo's own labelled sets, each row named by its source."""
    rows: list[Row | None] = []
    for path in sorted((datasets / "guard_authors").glob("*.jsonl")):
        rows += [_row(r, f"author {r.get('author') or path.stem}") for r in jsonl_rows(path)]
    rows += [_row(r, f"promises round {r.get('round', 1)}") for r in jsonl_rows(datasets / "promises.jsonl")]
    rows += [_row(r, "context pairs") for r in jsonl_rows(datasets / "context_pairs.jsonl")]
    return [r for r in rows if r is not None]


OWN_LINES = "safety replies"


def safety_rows() -> list[Row]:
    """Every sentence of coach's own safety replies (both languages, every channel), as ok: the escalation
    scripts coach writes must pass its guard. One row per sentence, since the stage flags sentences: inside a
    whole line, "How are you feeling now?" would be outweighed by its neighbours and still be flagged alone."""
    from coach.safety import every_line

    lines = dict.fromkeys(text for line in every_line() for text in (line.zh, line.en))
    sentences = dict.fromkeys(text[s.start:s.end].strip() for text in lines for s in gt.sentences(gt.normalise(text)))
    return [Row(text, "ok", None, OWN_LINES) for text in sentences if text]


def staff_turn_rows(real_world: Path = REAL_WORLD) -> list[Row]:
    """The labelled real staff turns: a pure test source, never trained on."""
    rows = (_row(raw, "staff turns", quotable=False) for raw in jsonl_rows(real_world / "staff_turns.jsonl"))
    return [r for r in rows if r is not None]


def jddc_rows(labels: Path | None, real_world: Path = REAL_WORLD,
              skip: frozenset[tuple[str, int]] = frozenset()) -> list[Row]:
    """Labels of real JDDC staff turns, their text and the customer's turns before them joined from
    ../shared at build time; empty when either file is absent (the text never enters the repo)."""
    sessions_path = real_world / "jddc_sessions.jsonl"
    if labels is None or not labels.is_file() or not sessions_path.is_file():
        return []
    sessions = {s["session"]: s["turns"] for s in jsonl_rows(sessions_path)}
    rows = []
    for label in jsonl_rows(labels):
        if (label.get("session"), label.get("turn")) in skip:  # labelled in an earlier file
            continue
        turns = sessions.get(label.get("session"))
        index = label.get("turn")
        if not turns or not isinstance(index, int) or index >= len(turns) or turns[index]["speaker"] != "staff":
            continue
        row = _row({**label, "text": turns[index]["text"], "context": turns[max(0, index - 4):index]},
                   "jddc labels", quotable=False)
        if row is not None:
            row.sample, row.session = label.get("sample") or "", str(label["session"])
            rows.append(row)
    return rows


# Labels of real JDDC staff turns the model learns from by default: the first 1,000 (guard runs 1-5). The MEASURE
# half's two blind samples (jddc_measure_a/b, 700 + 782) may be added with --jddc-labels; run 7 measured that and
# did not adopt it (docs/guard.md, "Run 7": the real-turn precision check then sets thresholds 0.86 / 0.93, and the
# stage added no real catch across the two files).
JDDC_LABELS: tuple[Path, ...] = (DATASETS / "jddc_labels.jsonl",)
JDDC_MEASURE: tuple[Path, ...] = tuple(DATASETS / f"{name}.jsonl" for name in ("jddc_measure_a", "jddc_measure_b"))


def training_rows(datasets: Path = DATASETS,
                  jddc_labels: Path | Iterable[Path] | None = JDDC_LABELS) -> list[Row]:
    """Every row the model learns from (see the module's docstring); a turn labelled in two files counts once,
    with the first file's label."""
    paths = [jddc_labels] if isinstance(jddc_labels, Path) else list(jddc_labels or ())
    rows, seen = repo_rows(datasets) + safety_rows(), set()
    for path in paths:
        rows += jddc_rows(path, skip=frozenset(seen))
        seen |= {(r.get("session"), r.get("turn")) for r in jsonl_rows(path)}
    return rows


class _Recorder:
    """A stage that records each sentence's features (and adds nothing): training reads exactly what
    ``coach check`` reads."""

    def __init__(self) -> None:
        self.features: set[int] = set()

    def flags(self, ctx: GuardContext, violations: list[Violation]) -> list[Violation]:
        for sentence in ctx.sentences:
            found = {v.category for v in violations if v.start < sentence.end and sentence.start < v.end}
            self.features.update(sentence_features(sentence, ctx, found))
        return []


def featurise(rows: Iterable[Row], policy: Policy | None = None) -> None:
    """Fill each row's features and the kinds the rules flag on it (the rows' union over sentences)."""
    policy = policy or load_policy()
    for row in rows:
        recorder = _Recorder()
        report = check(row.text, role=policy.role(row.role), context=row.context, policy=policy, model=recorder)
        row.features, row.rule_kinds = sorted(recorder.features), {v.kind for v in report.violations}


def matrix(rows: list[Row]) -> csr_matrix:
    indptr = np.cumsum([0] + [len(r.features) for r in rows])
    indices = np.fromiter((i for r in rows for i in r.features), dtype=np.int64, count=int(indptr[-1]))
    return csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(len(rows), BUCKETS))


def fit(rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
    """Weights (BUCKETS, len(KINDS)) and bias of a multinomial logistic regression over the rows."""
    from sklearn.linear_model import LogisticRegression

    labels = np.array([KINDS.index(r.kind) for r in rows])
    model = LogisticRegression(C=C, max_iter=3000, solver="lbfgs")
    model.fit(matrix(rows), labels)
    weights = np.zeros((BUCKETS, len(KINDS)), dtype=np.float32)
    bias = np.zeros(len(KINDS), dtype=np.float32)
    for position, klass in enumerate(model.classes_):
        weights[:, klass] = model.coef_[position]
        bias[klass] = model.intercept_[position]
    return weights, bias


def probabilities(rows: list[Row], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    logits = np.asarray(matrix(rows) @ weights) + bias
    odds = np.exp(logits - logits.max(axis=1, keepdims=True))
    return odds / odds.sum(axis=1, keepdims=True)


def folds(rows: list[Row]) -> np.ndarray:
    """Each row's cross-validation fold: a whole source per fold, except the real JDDC turns, whose sessions
    are spread over every fold (no session in two), so every fold's thresholds are checked on real chat."""
    sources = sorted({r.source for r in rows if not r.session})
    sessions = sorted({r.session for r in rows if r.session})
    fold_of = {key: i % FOLDS for keys in (sources, sessions) for i, key in enumerate(keys)}
    return np.array([fold_of[r.session or r.source] for r in rows])


def choose_thresholds(rows: list[Row], precision: float) -> np.ndarray:
    """Per kind, the lowest threshold whose added flags keep ``precision`` on out-of-fold predictions (a row is
    never scored by a model trained on its source or its session)."""
    fold = folds(rows)
    out_of_fold = np.zeros((len(rows), len(KINDS)))
    for number in sorted(set(fold.tolist())):
        train = [r for r, f in zip(rows, fold, strict=True) if f != number]
        held = np.flatnonzero(fold == number)
        if len({r.kind for r in train}) < len(KINDS):
            continue
        out_of_fold[held] = probabilities([rows[i] for i in held], *fit(train))
    return np.array([_threshold(rows, out_of_fold[:, column], kind, precision)
                     for column, kind in enumerate(KINDS) if kind != "ok"], dtype=np.float32)


def _threshold(rows: list[Row], scores: np.ndarray, kind: str, precision: float) -> float:
    """The lowest threshold at which the flags the model adds keep ``precision``, and on real turns (the JDDC
    labels) the precision the rules have there: a model flag on real chat must be as likely right as a rule's.
    coach's own safety lines are not counted: they are not staff speech, and the shipped model, trained on them,
    must pass every one (tests/test_guard_model.py), so out of fold they would only move the threshold."""
    grid = np.round(np.arange(0.30, 0.99, 0.01), 2)
    fresh = np.array([kind not in r.rule_kinds and r.source != OWN_LINES for r in rows])  # flags it would add
    gold = np.array([r.kind == kind for r in rows])
    real = np.array([bool(r.session) for r in rows])
    ruled = real & np.array([kind in r.rule_kinds for r in rows])
    real_precision = gold[ruled].mean() if ruled.any() else precision
    for threshold in grid:
        added = fresh & (scores >= threshold)
        on_real = added & real
        if added.sum() and gold[added].mean() >= precision and (
                not on_real.any() or gold[on_real].mean() >= real_precision):
            return float(threshold)
    return float(grid[-1])


def examples(rows: list[Row]) -> dict[str, np.ndarray]:
    """The labelled violations a flag may quote as its reason: the repo's own rows only."""
    chosen = [r for r in rows if r.kind != "ok" and r.quotable and r.category]
    grams = [sorted({int(b) for b in _buckets(r.text)}) for r in chosen]
    return {
        "example_text": np.array([r.text for r in chosen], dtype=str),
        "example_kind": np.array([r.kind for r in chosen], dtype=str),
        "example_category": np.array([r.category for r in chosen], dtype=str),
        "example_ptr": np.cumsum([0] + [len(g) for g in grams]).astype(np.int32),
        "example_idx": np.array([b for g in grams for b in g], dtype=np.int32),
    }


def _buckets(text: str) -> list[int]:
    from coach.guard.model import _bucket

    squeezed = "".join(s.squeezed for s in gt.sentences(gt.normalise(text)))
    return [_bucket(g) for g in text_grams(squeezed)]


def build(rows: list[Row], precision: float) -> dict[str, np.ndarray]:
    """Every array of the model file, from featurised rows."""
    weights, bias = fit(rows)
    counts = {}
    for r in rows:
        counts[r.source] = counts.get(r.source, 0) + 1
    return {"weights": weights, "bias": bias, "thresholds": choose_thresholds(rows, precision), **examples(rows),
            "sources": np.array([f"{name}: {n}" for name, n in sorted(counts.items())], dtype=str)}


def save(arrays: dict[str, np.ndarray], path: Path) -> None:
    """An .npz np.load reads, written with fixed timestamps so equal arrays give equal bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--datasets", type=Path, default=DATASETS, help="the labelled sets (guard_authors/ etc.)")
    parser.add_argument("--jddc-labels", type=Path, nargs="+", default=list(JDDC_LABELS),
                        help="labels of JDDC staff turns (session, turn, label); their text is read from ../shared "
                             "(default: jddc_labels.jsonl; add jddc_measure_a/b.jsonl to train on those too)")
    parser.add_argument("--precision", type=float, default=0.90, help="precision of added flags, out of fold")
    args = parser.parse_args(argv)
    rows = training_rows(args.datasets, args.jddc_labels)
    featurise(rows)
    arrays = build(rows, args.precision)
    save(arrays, args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KB from {len(rows)} rows "
          f"({', '.join(map(str, arrays['sources']))}); thresholds promise {arrays['thresholds'][0]:.2f}, "
          f"phrase {arrays['thresholds'][1]:.2f}")


if __name__ == "__main__":
    main()
