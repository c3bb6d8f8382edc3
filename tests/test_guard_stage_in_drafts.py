"""Drafts and the eval metrics meet the guard staff use: the rules, then the learned stage (COACH_GUARD_MODEL).

The stage's flags are faked at the data level: a model file whose weights give one sentence's character
trigrams a promise score, read by the real ModelStage; nothing in the chain or the metrics is patched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from deepeval.test_case import LLMTestCase

from coach.chain import DraftChain
from coach.config import Settings
from coach.evaluation.metrics import NoUnauthorizedPromise
from coach.evaluation.runner import raw_outputs
from coach.evaluation.suites import Scenario
from coach.guard import check
from coach.guard import text as gt
from coach.guard.model import BUCKETS, KINDS, ModelStage, _bucket, load_stage
from coach.types import DraftRequest
from scripts.build_guard_model import save
from tests.fake_openai import FakeOpenAI

# The rules pass this sentence (asserted below); the fake model file flags it as a promise.
MARKED = "这个事情交给我来安排妥当。"
DRAFT = f"您好，给您带来不便非常抱歉。{MARKED}"
CLEAN = "您好，给您带来不便非常抱歉。您反映的情况我已经详细记录，我们会转交上级部门，我们会在三个工作日内与您联系。"
# The shipped model flags it (tests/test_guard_model.py), the rules do not: contempt for the customer.
CONTEMPT = "您好。你们这种人我见得多了。"
COMPLAINT = "你们怎么回事？"
MESSAGE = "我的钱到底什么时候退给我？"


def marked_model(path: Path, sentence: str = MARKED) -> Path:
    """A model file that scores ``sentence``'s character trigrams as a promise and everything else as ok."""
    squeezed = "".join(s.squeezed for s in gt.sentences(gt.normalise(sentence)))
    trigrams = sorted({_bucket(squeezed[i:i + 3]) for i in range(len(squeezed) - 2)})
    weights = np.zeros((BUCKETS, len(KINDS)), dtype=np.float32)
    weights[trigrams, KINDS.index("unauthorized_promise")] = 3.0
    save({"weights": weights, "bias": np.array([4.0, 0.0, 0.0], dtype=np.float32),
          "thresholds": np.array([0.9, 0.9], dtype=np.float32),
          "example_text": np.array([sentence]), "example_kind": np.array(["unauthorized_promise"]),
          "example_category": np.array(["guaranteed_outcome"]),
          "example_ptr": np.array([0, len(trigrams)], dtype=np.int32),
          "example_idx": np.array(trigrams, dtype=np.int32), "sources": np.array(["test: 1"])}, path)
    return path


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory) -> ModelStage:
    return ModelStage(marked_model(tmp_path_factory.mktemp("model") / "marked.npz"))


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


def settings(server: FakeOpenAI, home: Path) -> Settings:
    server.replies.clear()
    server.bodies.clear()
    return Settings(home=home, embeddings="hash", backend="openai", OPENAI_BASE_URL=server.base_url,
                    model="fake-model", timeout=1.0, max_retries=0)


def test_the_fake_model_flags_only_its_sentence(marked: ModelStage) -> None:
    assert check(DRAFT).ok and check(CLEAN).ok
    assert check(CLEAN, model=marked).ok
    flagged = check(DRAFT, model=marked).violations
    assert [(v.detector, v.span) for v in flagged] == [("model", MARKED)]


def test_a_model_only_flag_sends_the_draft_back(server: FakeOpenAI, hash_home: Path, marked: ModelStage) -> None:
    chain = DraftChain(settings(server, hash_home), stage=marked)
    server.replies.extend([DRAFT, CLEAN])
    result = chain.draft(DraftRequest(message=MESSAGE))
    assert result.reply == CLEAN and not result.fell_back
    first = result.attempts[0]
    assert not first.ok and [v.detector for v in first.guard.violations] == ["model"]
    assert MARKED in server.bodies[1]["messages"][-1]["content"]  # the repair prompt names the model's flag


def test_a_draft_that_keeps_the_flagged_sentence_is_never_returned(server: FakeOpenAI, hash_home: Path,
                                                                    marked: ModelStage) -> None:
    chain = DraftChain(settings(server, hash_home), stage=marked)
    server.replies.extend([DRAFT] * 3)
    result = chain.draft(DraftRequest(message=MESSAGE))
    assert result.backend == "offline" and result.fell_back and MARKED not in result.reply
    assert result.guard.ok and check(result.reply, model=marked).ok


@pytest.mark.parametrize(("setting", "accepted"), [(None, False), ("off", True), ("false", True)])
def test_coach_guard_model_decides_whether_drafts_meet_the_stage(server: FakeOpenAI, hash_home: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  setting: str | None, accepted: bool) -> None:
    assert check(CONTEMPT, context=COMPLAINT).ok and not check(CONTEMPT, context=COMPLAINT, model=load_stage()).ok
    if setting:
        monkeypatch.setenv("COACH_GUARD_MODEL", setting)
    chain = DraftChain(settings(server, hash_home))
    server.replies.extend([CONTEMPT, CLEAN])
    result = chain.draft(DraftRequest(message=COMPLAINT))
    assert (result.reply == CONTEMPT) is accepted
    assert result.guard.ok


def scenario() -> Scenario:
    return Scenario.model_validate({"id": "s999", "domain": "insurance", "lang": "zh-Hans", "message": MESSAGE,
                                    "expect": {}})


def test_the_promise_metric_counts_a_model_flag(marked: ModelStage) -> None:
    case = LLMTestCase(input=MESSAGE, actual_output=DRAFT, metadata={"scenario": scenario()})
    rules_only, staff_guard = NoUnauthorizedPromise(), NoUnauthorizedPromise(stage=marked)
    assert rules_only.measure(case) == 1.0
    assert staff_guard.measure(case) == 0.0 and staff_guard.span == MARKED


def test_an_unchecked_raw_answer_is_rechecked_with_the_stage(server: FakeOpenAI, hash_home: Path,
                                                              marked: ModelStage) -> None:
    chain = DraftChain(settings(server, hash_home), stage=marked)
    server.replies.extend([DRAFT, CLEAN])
    draft = chain.draft(DraftRequest(message=MESSAGE, show_rejected=True))
    unchecked = draft.model_copy(update={"attempts": [a.model_copy(update={"guard": None}) for a in draft.attempts]})
    found = raw_outputs(unchecked, "openai", scenario(), chain.policy, chain.stage)
    assert [[v.detector for v in raw.violations] for raw in found] == [["model"], []]


VENT = "如果我是您，遇到这样的情况肯定也很着急。"


def test_an_offline_draft_loses_only_the_sentence_the_stage_flags(hash_home: Path, tmp_path: Path) -> None:
    # the shipped stage flagged this vetted line beside some customers' words, and the whole draft fell back to the
    # three-line minimal reply (panel 2026-12-07-g, h15-010 and h16-015)
    stage = ModelStage(marked_model(tmp_path / "vent.npz", VENT))
    chain = DraftChain(Settings(home=hash_home, embeddings="hash", backend="offline"), stage=stage)
    message = "气死我了！！包裹显示签收了我根本没收到，你们到底怎么回事！"
    result = chain.draft(DraftRequest(message=message, channel="phone"))
    assert VENT not in result.reply and "慢慢说" in result.reply, result.reply
    assert check(result.reply, model=stage).ok
