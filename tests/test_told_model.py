"""The restatement model (coach/compose/told_model.py): which clause of the customer's is said back, its threshold,
its file and its build (scripts/build_told_model.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coach.analyze import analyse
from coach.compose import case as case_module
from coach.compose.case import candidates, read_case, told
from coach.compose.told_model import SAY_BACK, ToldModel, features
from coach.errors import ConfigError
from scripts import build_told_model as builder
from scripts.build_guard_model import save
from tests.model_files import sha256

FAULT = "车牌是粤B·7K2xx，上周在你们店做的保养，这两天发动机有异响。"


def _model(tmp_path: Path, bias: float) -> ToldModel:
    width = features(candidates(FAULT, "zh-Hans")[0]).shape[0]
    save({"weights": np.zeros(width, np.float32), "bias": np.float32(bias)}, tmp_path / "told.npz")
    return ToldModel(tmp_path / "told.npz")


def test_the_fault_is_said_back_rather_than_the_visit() -> None:
    # the hand ranking said back the visit (上周在我们店做的保养), the model says back what went wrong
    assert told(FAULT, analyse(FAULT), "chat").startswith("这两天发动机有异响")


def test_nothing_is_said_back_when_no_clause_scores_the_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert read_case(analyse(FAULT), FAULT, "chat", None).told  # the shipped model says something back
    for bias, said in ((-10.0, False), (10.0, True)):
        monkeypatch.setattr(case_module, "told_model", lambda b=bias: _model(tmp_path, b))
        assert bool(told(FAULT, analyse(FAULT), "chat")) is said
    assert SAY_BACK == 0.5


def test_an_unreadable_or_mismatched_model_file_names_the_rebuild(tmp_path: Path) -> None:
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="build_told_model"):
        ToldModel(tmp_path / "broken.npz")
    save({"weights": np.zeros(3, np.float32), "bias": np.float32(0)}, tmp_path / "narrow.npz")
    with pytest.raises(ConfigError, match="reads 3 features"):
        ToldModel(tmp_path / "narrow.npz").scores(candidates(FAULT, "zh-Hans"))


def test_the_build_reads_a_fixed_list_of_sources_never_the_next_panels_cases(tmp_path: Path) -> None:
    assert "heldout_h39" not in builder.SOURCES and "heldout_h40" not in builder.SOURCES
    row = {"id": "x-1", "message": FAULT, "expect": {"must_mention": ["发动机有异响", "粤B·7K2xx"]}}
    for name in ("heldout_h28", "heldout_h99"):
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    found = list(builder.scenarios(tmp_path))
    assert [s.source for s in found] == ["heldout_h28"]
    # the fault holds a key fact; a key fact that could not be said back itself makes no positive
    assert dict(zip([c.text for c in found[0].clauses], found[0].on_point, strict=True))["这两天发动机有异响"]


@pytest.mark.slow
def test_the_shipped_model_file_is_what_the_build_writes(tmp_path: Path) -> None:
    builder.main(["--out", str(tmp_path / "rebuilt.npz")])
    assert sha256(tmp_path / "rebuilt.npz") == sha256(builder.MODEL_PATH), (
        "coach/compose/told_model.npz is stale (a scenario set, the restatement rules or the features changed): run "
        "python scripts/build_told_model.py --report and commit the model if the held-out figures are no worse")
