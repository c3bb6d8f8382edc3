"""The optional judge: off unless configured; when configured it is called, and sees no personal data."""

from __future__ import annotations

import json

import pytest
from deepeval.test_case import LLMTestCase

from coach.config import Settings
from coach.evaluation.metrics import judge_metrics
from tests.fake_openai import FakeOpenAI

ID_NUMBER, PHONE = "440304198512034512", "13812345678"


@pytest.fixture
def judge_endpoint(fake_openai: FakeOpenAI) -> FakeOpenAI:
    # GEval asks for evaluation steps only when none are given, then a JSON score with a reason.
    fake_openai.replies = [lambda body: json.dumps({"score": 8, "reason": "calm, apologises, asks, safe next step"})] * 4
    return fake_openai


def test_no_judge_configured_means_no_judge_metric() -> None:
    assert judge_metrics(Settings()) == []


def test_configured_judge_is_called_with_masked_text(judge_endpoint: FakeOpenAI) -> None:
    settings = Settings(judge_base_url=judge_endpoint.base_url, judge_model="fake-judge")
    [metric] = judge_metrics(settings)
    case = LLMTestCase(
        input=f"我的身份证是{ID_NUMBER}，电话{PHONE}，你们必须全额退款！",
        actual_output=f"您好，您的电话{PHONE}我已记录，我们会在三个工作日内与您联系。",
    )
    score = metric.measure(case)
    assert judge_endpoint.bodies, "the judge endpoint was never called"
    sent = judge_endpoint.all_text()
    assert ID_NUMBER not in sent and PHONE not in sent
    assert "全额退款" in sent
    assert 0.0 <= score <= 1.0 and metric.reason
