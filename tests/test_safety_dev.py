"""The safety dev set (evals/scenarios/safety_dev.jsonl): indirect wordings of each danger in simplified,
traditional and English, and everyday look-alikes (气死我了, "this is killing me", a fraud long resolved, a
question about scams). Written before the safety patterns were tuned on it; the held-out files are not used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach import safety
from coach.analyze import analyse, normalise

DEV = Path(__file__).resolve().parent.parent / "evals" / "scenarios" / "safety_dev.jsonl"
ROWS = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_safety_dev_row_raises_exactly_its_safety_flags(row: dict) -> None:
    found = set(safety.detect(normalise(row["message"])))
    assert found == set(row["expect"]["risk_flags"]), row["message"]


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"]["risk_flags"]],
                         ids=[r["id"] for r in ROWS if r["expect"]["risk_flags"]])
def test_every_safety_dev_danger_escalates(row: dict) -> None:
    assert analyse(row["message"]).escalate, row["message"]
