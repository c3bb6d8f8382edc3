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


@pytest.mark.parametrize(("parts", "flag"), [
    (("我已经在江边了", "你们不用管我了"), "self_harm"),
    (("存折和密码我交给我女儿了", "以后就不给谁添麻烦了"), "self_harm"),
    (("自称公安的人让我把钱转到他的账户", "我现在就去转"), "fraud_in_progress"),
    (("吃了你们的坚果", "嗓子一直疼还发烧"), "injury"),
])
def test_an_indirect_danger_needs_every_signal_of_its_set(parts: tuple[str, str], flag: str) -> None:
    assert flag in safety.detect(normalise("，".join(parts)))
    assert all(flag not in safety.detect(normalise(part)) for part in parts)


def test_staff_advice_for_vulnerable_customers_fits_phone_and_chat_too() -> None:
    advice = analyse("我七十多岁了，这是我的养老钱啊，呜呜").escalation_advice
    where = next(a.where for a in advice if a.flag == "vulnerable")
    assert "柜面" in where and "电话或在线" in where
