"""Build the restatement model (coach/compose/told_model.npz) from the scenario authors' key facts.

    python scripts/build_told_model.py            # evals/scenarios (the sources below) -> coach/compose/told_model.npz
    python scripts/build_told_model.py --report   # also print each source left out: hand ranking against the model

Rows: every clause coach/compose/case.py may say back (``candidates``) of every scenario with ``must_mention`` in
SOURCES, read as the composer reads it (the customer's turns; a message that instructs the assistant is never said
back, so it is left out). A clause is a positive when it holds one of the key facts the scenario's author marked
(or lies inside one); a key fact that could not be said back itself (a threat, a demand, a risk: 拉横幅, 七天内,
消保官) makes no positive. One logistic regression (lbfgs, balanced classes) over told_model.features.

SOURCES is a fixed list: a scenario file added later (the next panel's test cases) is never read until it is
added here, and adding one is a refit to be measured with ``--report``. Deterministic: the same rows give the same
file byte for byte (tests/test_told_model.py rebuilds it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coach.analyze import analyse, customer_words, normalise  # noqa: E402
from coach.compose.case import candidates, case_terms, safe_to_say_back  # noqa: E402
from coach.compose.told_model import MODEL_PATH, SAY_BACK, Candidate, features  # noqa: E402
from coach.types import Turn  # noqa: E402
from scripts.build_guard_model import jsonl_rows, save  # noqa: E402

SCENARIO_DIR = ROOT / "evals" / "scenarios"
# the scenario sets panels and sessions have read (dev): h25/h26 and later are the next panels' test cases
SOURCES = ("scenarios", "safety_dev", "heldout_s1", "heldout_s2", *(f"heldout_h{n}" for n in range(3, 39)))
C = 1.0  # measured 1 and 4 cross-source (--report): 1 kept more on-point clauses


@dataclass(frozen=True)
class Scenario:
    source: str
    clauses: list[Candidate]
    on_point: list[bool]


def scenarios(directory: Path = SCENARIO_DIR, sources: tuple[str, ...] = SOURCES) -> Iterator[Scenario]:
    for source in sources:
        for raw in jsonl_rows(directory / f"{source}.jsonl"):
            # a key fact that is a threat, a demand or a risk (拉横幅, 七天内, 消保官) is answered, never said back
            facts = [normalise(m) for m in (raw.get("expect") or {}).get("must_mention") or [] if safe_to_say_back(m)]
            if not facts:
                continue
            conversation = [Turn.model_validate(t) for t in raw.get("conversation") or []]
            words = customer_words(raw["message"], conversation)
            analysis = analyse(raw["message"], conversation, domain=raw.get("domain"))
            if "injection" in analysis.risk_flags:
                continue
            found = candidates(words, analysis.language, case_terms(words, analysis.language))
            yield Scenario(source, found, [_holds(normalise(c.text), facts) for c in found])


def _holds(clause: str, facts: list[str]) -> bool:
    return any(f in clause or (len(clause) >= 4 and clause in f) for f in facts)


def _fit(rows: list[Scenario]):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    x = np.stack([features(c) for r in rows for c in r.clauses])
    y = np.array([hit for r in rows for hit in r.on_point])
    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(x, y)


def _said_back(rows: list[Scenario], scores: list[np.ndarray], threshold: float) -> tuple[int, int]:
    """(scenarios with a clause said back, of them those whose clause holds a key fact): the top clause only."""
    said = on_point = 0
    for row, score in zip(rows, scores, strict=True):
        if len(score) and score.max() >= threshold:
            said += 1
            on_point += row.on_point[int(np.argmax(score))]
    return said, on_point


def report(rows: list[Scenario]) -> None:
    """Each source left out in turn: the hand ranking (an issue word, a term, a count: weight ≥ 4) against the
    model trained without that source."""
    hand: list[np.ndarray] = []
    learned: list[np.ndarray] = []
    ordered: list[Scenario] = []
    for source in SOURCES:
        held = [r for r in rows if r.source == source]
        if not held:
            continue
        model = _fit([r for r in rows if r.source != source])
        for row in held:
            ordered.append(row)
            hand.append(np.array([c.weight / 4 * SAY_BACK for c in row.clauses]))  # weight 4 = the old bar
            learned.append(model.predict_proba(np.stack([features(c) for c in row.clauses]))[:, 1]
                           if row.clauses else np.zeros(0))
    for name, scores in (("hand ranking", hand), ("model, source held out", learned)):
        said, on_point = _said_back(ordered, scores, SAY_BACK)
        print(f"{name:24s} said back {said}/{len(ordered)}, holding a key fact {on_point}/{said} "
              f"= {on_point / max(1, said):.2f}")


def build(out: Path = MODEL_PATH, directory: Path = SCENARIO_DIR) -> list[Scenario]:
    rows = list(scenarios(directory))
    model = _fit(rows)
    save({"weights": model.coef_[0].astype(np.float32), "bias": np.float32(model.intercept_[0])}, out)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--report", action="store_true", help="print the figures with each source held out")
    args = parser.parse_args(argv)
    rows = build(args.out)
    print(f"{sum(len(r.clauses) for r in rows)} clauses of {len(rows)} scenarios -> {args.out}")
    if args.report:
        report(rows)


if __name__ == "__main__":
    main()
