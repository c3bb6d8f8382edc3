"""Which of the customer's clauses says what happened: a linear model that ranks the clauses case.py may say back.

The hand-weighted ranking it replaces (an issue word, a term, a count, the usual length) chose a clause holding one
of the case's key facts in 25 % of cases, scored on authors it was not tuned on; the restatements the blind panels
read were often a side remark said back ("您是说扣款短信您都截图了", "您是说一万四千多分，您根本没收到").
Trained on the key facts (``must_mention``) that the authors of 26 scenario sets marked in their own complaints,
and scored on each set left out, this model chooses one in 36 % at the same rate of saying anything back
(``scripts/build_told_model.py --report``).

It reads a clause's hashed character bigrams and trigrams (the safety detector's, without its e5 vector: the vector
added two points cross-author and an embedding per clause) and where and how the clause stands: its place in the
message, its length, and the hand ranking's score. Weights are a plain ``.npz``; inference is numpy only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.errors import ConfigError
from coach.safety_model import char_ngrams

MODEL_PATH = Path(__file__).with_name("told_model.npz")
SAY_BACK = 0.5  # a clause scoring less is not said back: saying nothing beats a side remark read back


@dataclass(frozen=True)
class Candidate:
    """A clause that may be said back: its text, its place among the message's clauses, the hand ranking's score."""

    text: str
    index: int
    count: int
    weight: int


def features(candidate: Candidate) -> np.ndarray:
    placed = [candidate.index / max(1, candidate.count - 1), candidate.index == 0,
              candidate.index == candidate.count - 1, min(len(candidate.text), 40) / 40, candidate.weight / 10,
              candidate.weight >= 4]
    return np.concatenate([char_ngrams(candidate.text), np.asarray(placed, np.float32)])


class ToldModel:
    def __init__(self, path: Path = MODEL_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                self.weights = data["weights"].astype(np.float32)
                self.bias = float(data["bias"].reshape(-1)[0])  # saved as a one-element array
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"the restatement model {path} cannot be read: {exc}",
                              "rebuild it: python scripts/build_told_model.py") from exc

    def scores(self, candidates: list[Candidate]) -> np.ndarray:
        if not candidates:
            return np.zeros(0, np.float32)
        found = np.stack([features(c) for c in candidates])
        if found.shape[1] != self.weights.shape[0]:
            raise ConfigError(f"the restatement model reads {self.weights.shape[0]} features, this code makes "
                              f"{found.shape[1]}", "rebuild it: python scripts/build_told_model.py")
        return 1.0 / (1.0 + np.exp(-(found @ self.weights + self.bias)))


@functools.cache
def told_model() -> ToldModel:
    return ToldModel()
