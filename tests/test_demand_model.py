"""The demand reader (coach/demand_model.py): a refund or a date asked for, decided by the learned model over the
rules' reading; its setting, its file, its build (scripts/build_demand_model.py).

The messages below were written for this test in our own words and are in no training set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coach.analyze import analyse
from coach.config import Settings
from coach.demand_model import RULE_DEMANDS, DemandModel, load_demand_model
from coach.errors import ConfigError
from scripts import build_demand_model as builder
from scripts.build_guard_model import save
from tests.model_files import assert_rebuilds_the_shipped_model

STORY_TODAY = "我今天早上去取快递，发现箱子被压扁了，里面的杯子碎了一个，麻烦帮我登记一下。"
WHICH_DAY = "上周你们说三个工作日给答复，到现在都没人联系我，我就想知道最晚哪天能有结果。"


def test_today_in_the_story_is_no_date_asked_for() -> None:
    assert "deadline" in analyse(STORY_TODAY).demands  # the rules read 今天 as urgency
    assert "deadline" not in analyse(STORY_TODAY, demand_model=load_demand_model()).demands


def test_a_date_asked_for_in_words_the_rules_miss_is_read() -> None:
    assert "deadline" not in analyse(WHICH_DAY).demands
    assert "deadline" in analyse(WHICH_DAY, demand_model=load_demand_model()).demands


def test_demands_the_model_does_not_learn_stay_with_the_rules() -> None:
    message = "你们业务员骗我买了这个保险，我要退保，还要赔我利息，再叫你们经理出来跟我道歉！"
    rules = analyse(message).demands
    learned = analyse(message, demand_model=load_demand_model()).demands
    assert [d for d in learned if d not in ("refund", "deadline")] == [d for d in rules if d not in ("refund", "deadline")]
    assert {"interest", "apology", "see_manager"} <= set(learned) and "refund" in learned
    assert learned == [d for d in RULE_DEMANDS if d in learned]  # in the rules' order


def test_the_setting_turns_the_model_off() -> None:
    assert Settings().demand_model is True
    assert Settings(demand_model=False).demand_model is False


def test_an_unreadable_or_mismatched_model_file_names_the_rebuild_and_the_setting(tmp_path: Path) -> None:
    (tmp_path / "broken.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="COACH_DEMAND_MODEL=false"):
        DemandModel(tmp_path / "broken.npz")
    save({"demands": np.array(["refund"]), "weights": np.zeros((1, 5), np.float32), "bias": np.zeros(1, np.float32),
          "thresholds": np.full(1, 0.5, np.float32)}, tmp_path / "narrow.npz")
    with pytest.raises(ConfigError, match="reads 5 features"):
        DemandModel(tmp_path / "narrow.npz", embed=lambda texts: np.zeros((len(texts), 8), np.float32)).demands(
            STORY_TODAY, None, [])


def test_the_build_reads_the_fixed_sources_only() -> None:
    assert {r.source for r in builder.load_rows()} <= set(builder.SOURCES)
    assert "heldout_h39" not in builder.SOURCES


def test_the_shipped_model_was_built_from_todays_rows_and_code() -> None:
    recorded = builder.inputs_path(builder.MODEL_PATH).read_text(encoding="utf-8").strip()
    assert builder.fingerprint(builder.load_rows()) == recorded, (
        "coach/demand_model.npz was built from other rows or code: run python scripts/build_demand_model.py --report "
        "and commit the model with its .inputs file if the held-out figures are no worse than the rules'")


@pytest.mark.slow
@pytest.mark.rebuild
def test_the_shipped_model_file_is_what_the_build_writes(tmp_path: Path) -> None:
    assert_rebuilds_the_shipped_model(builder, tmp_path)
