"""`coach eval run --backend openai` against scripted fake models on 127.0.0.1: bad ones fail the gate.

Each fake model reads the customer's words from the draft prompt's data block. The well-behaved one
answers with the documented method (the offline composer's wording plus the facts the customer
named); each bad one breaks one thing. Every run is the real CLI, real HTTP, the real chain and
the committed thresholds; assertions read the run's results.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coach.analyze import analyse
from coach.cli import app
from coach.compose import compose
from coach.guard import check
from coach.policy import load_policy
from tests.fake_openai import ERROR_500, TIMEOUT, FakeOpenAI

runner = CliRunner()
LIMIT = 12  # s001–s012: 5 of them must escalate
PROMISE = "您放心，我们保证给您全额退款，三天内一定到账，利息也一分不少赔给您。"
GENERIC = "您好，您反映的情况我已经详细记录，我们会转交上级部门，我们会在三个工作日内与您联系。"
_DATA = re.compile(r"<<<CUSTOMER_DATA\n(.*?)\nCUSTOMER_DATA>>>", re.S)
def _scenarios() -> list[dict[str, Any]]:
    path = Path(__file__).resolve().parent.parent / "evals" / "scenarios" / "scenarios.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


SCENARIOS = _scenarios()


def customer_message(body: dict[str, Any]) -> str:
    user = body["messages"][1]["content"]
    return _DATA.findall(user)[-1]


def good_reply(message: str, *, escalate: bool = True) -> str:
    analysis = analyse(message)
    if not escalate:
        analysis = analysis.model_copy(update={"risk_flags": [], "escalate": False})
    text = compose(analysis, [], load_policy()).text
    facts = next((s["expect"]["must_mention"] for s in SCENARIOS if s["message"][:12] in message), [])
    return text + ("您提到的" + "、".join(f"“{f}”" for f in facts) + "这些情况，我都记下来了。" if facts else "")


class Model:
    """A scripted model: ``first(body, n)`` answers the n-th draft request; repairs get a good reply."""

    def __init__(self, first: Any) -> None:
        self.first, self.drafts, self.repairs = first, 0, 0

    def __call__(self, body: dict[str, Any]) -> str:
        messages = body["messages"]
        if len(messages) == 1:  # the runner's probe
            return "pong"
        if len(messages) > 2:
            self.repairs += 1
            return good_reply(customer_message(body))
        self.drafts += 1
        return self.first(body, self.drafts)


@pytest.fixture
def fake(fake_openai: FakeOpenAI, hash_home: Path, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    fake_openai.timeout_sleep = 2.0
    for name, value in {"COACH_HOME": str(hash_home), "COACH_EMBEDDINGS": "hash",
                        "OPENAI_BASE_URL": fake_openai.base_url, "COACH_MODEL": "fake-model", "COACH_TIMEOUT": "1",
                        "COACH_MAX_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    return fake_openai


def serve(server: FakeOpenAI, model: Model, requests: int = 200) -> None:
    server.replies[:] = [model] * requests


def run_eval(tmp_path: Path, *extra: str) -> tuple[Any, dict[str, Any] | None]:
    out = tmp_path / "run"
    result = runner.invoke(app, ["eval", "run", "--suite", "scenarios", "--backend", "openai", "--limit", str(LIMIT),
                                 "--out", str(out), *extra])
    data = json.loads((out / "results.json").read_text(encoding="utf-8")) if (out / "results.json").is_file() else None
    return result, data


def failed_gates(data: dict[str, Any]) -> set[str]:
    return {g["metric"] for g in data["gates"] if not g["passed"]}


def test_well_behaved_model_passes(fake: FakeOpenAI, tmp_path: Path) -> None:
    model = Model(lambda body, n: good_reply(customer_message(body)))
    serve(fake, model)
    result, data = run_eval(tmp_path)
    assert result.exit_code == 0, result.output
    assert data and data["passed"] and data["backend"] == "openai"
    assert all(c["backend"] == "openai" and not c["fell_back"] for c in data["cases"])
    assert data["summary"]["rates"]["raw_promise_rate"]["passed"] == 0 and model.drafts == LIMIT


def test_promise_model_is_caught_in_raw_outputs_while_final_drafts_pass(fake: FakeOpenAI, tmp_path: Path) -> None:
    model = Model(lambda body, n: PROMISE if n % 3 == 0 else good_reply(customer_message(body)))
    serve(fake, model)
    result, data = run_eval(tmp_path)
    assert result.exit_code == 1, result.output
    assert "raw_promise_rate" in result.output and "raw_promise_rate" in failed_gates(data)
    promised = [c for c in data["cases"] if any(any(v["kind"] == "unauthorized_promise" for v in r["violations"])
                                                for r in c["raw"])]
    assert len(promised) == LIMIT // 3 == model.repairs  # exactly the scripted share, counted in RAW outputs
    rates = data["summary"]["rates"]
    assert rates["raw_promise_rate"]["passed"] == LIMIT // 3 and rates["fallback_rate"]["passed"] == 0
    for case in data["cases"]:  # every FINAL draft passes the guard, re-checked here independently
        context = [*case["input"]["conversation"], {"speaker": "customer", "text": case["input"]["message"]}]
        assert check(case["reply"], context=context).ok
        assert case["metrics"][0]["name"] == "no_unauthorized_promise" and case["metrics"][0]["passed"]
    assert PROMISE in {r["text"] for c in promised for r in c["raw"]}
    html = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "raw_promise_rate" in html and "<mark>" in html


def test_model_that_never_escalates_fails_escalation_correct(fake: FakeOpenAI, tmp_path: Path) -> None:
    serve(fake, Model(lambda body, n: good_reply(customer_message(body), escalate=False)))
    result, data = run_eval(tmp_path)
    assert result.exit_code == 1, result.output
    assert "escalation_correct" in failed_gates(data) and "threshold failed: escalation_correct" in result.output
    missed = [c["case_id"] for c in data["cases"] if not c["metrics"][3]["passed"]]
    assert {"s003", "s005", "s006", "s008", "s012"} <= set(missed)


def test_generic_reply_to_every_complaint_fails(fake: FakeOpenAI, tmp_path: Path) -> None:
    serve(fake, Model(lambda body, n: GENERIC))
    result, data = run_eval(tmp_path)
    assert result.exit_code == 1, result.output
    assert {"de_escalation_steps", "mentions_issue", "escalation_correct"} <= failed_gates(data)
    assert all(c["reply"] == GENERIC for c in data["cases"])  # the guard had nothing to refuse


def test_model_returning_500s_fails_on_fallback_rate(fake: FakeOpenAI, tmp_path: Path) -> None:
    serve(fake, Model(lambda body, n: ERROR_500 if n % 2 else good_reply(customer_message(body))))
    result, data = run_eval(tmp_path)
    assert result.exit_code == 1, result.output
    assert failed_gates(data) == {"fallback_rate"} and "threshold failed: fallback_rate" in result.output
    fell = [c for c in data["cases"] if c["fell_back"]]
    assert len(fell) == LIMIT // 2 and all(c["backend"] == "offline" and "500" in c["fallback_reason"] for c in fell)


def test_timing_out_model_is_a_failed_run(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.replies[:] = [TIMEOUT] * 5
    result, data = run_eval(tmp_path)
    assert result.exit_code == 2, result.output
    assert data is None and "could not answer before the run" in result.output and "fix:" in result.output


def test_dead_endpoint_is_a_failed_run(fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.stop()
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: nothing listens
    result, data = run_eval(tmp_path)
    assert result.exit_code == 2 and data is None
    assert "127.0.0.1:9" in result.output and "fix:" in result.output


def test_fallback_threshold_is_configurable(fake: FakeOpenAI, tmp_path: Path) -> None:
    serve(fake, Model(lambda body, n: ERROR_500 if n % 2 else good_reply(customer_message(body))))
    result, data = run_eval(tmp_path, "--threshold", "fallback_rate=60%")
    assert result.exit_code == 0, result.output
    assert data and data["summary"]["rates"]["fallback_rate"]["passed"] == LIMIT // 2
