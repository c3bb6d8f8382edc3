"""The guard's second opinion against a local OpenAI-compatible server: it adds flags, never removes one.

Each reply below is one the rules pass (asserted first), so a flag in the result can only come from
the model's answer going through coach's checks: quote located, category known and not granted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from coach.backends import model_backend
from coach.cli import app
from coach.config import Settings
from coach.errors import BackendError, ConfigError
from coach.guard import check
from coach.guard.review import SecondOpinion
from coach.policy import Grant, load_policy
from tests.fake_openai import ERROR_500, FakeOpenAI

FRONTLINE = load_policy().role(None)
SUPERVISOR = load_policy().role("supervisor")

runner = CliRunner()
MISSED = "您先回去，这笔钱下个月会出现在您卡上的。"  # money promised back, in words no rule knows
MISSED_QUOTE = "这笔钱下个月会出现在您卡上的"


def flags(*items: dict[str, str]) -> str:
    return json.dumps({"violations": list(items)}, ensure_ascii=False)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(timeout_sleep=2.0).start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    server.replies.clear()
    server.bodies.clear()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("COACH_MODEL", "fake-reviewer")
    monkeypatch.setenv("COACH_MAX_RETRIES", "0")
    monkeypatch.setenv("COACH_TIMEOUT", "1")
    return server


def reviewer() -> SecondOpinion:
    return SecondOpinion.from_settings(Settings(), load_policy())


def test_rules_pass_the_examples() -> None:
    assert check(MISSED).ok


def test_a_model_flag_is_added_with_exact_offsets(fake: FakeOpenAI) -> None:
    fake.replies.append(flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "承诺了退款到账"}))
    report = reviewer().review(MISSED, check(MISSED), role=FRONTLINE)
    assert not report.ok and report.second_opinion == "fake-reviewer"
    (violation,) = report.violations
    assert violation.detector == "model" and violation.kind == "unauthorized_promise"
    assert MISSED[violation.start:violation.end] == violation.span == MISSED_QUOTE
    assert "承诺了退款到账" in violation.explanation and violation.source.startswith("语料")
    assert violation.suggestion == load_policy().commitment("refund_outcome").safe_alternative


def test_the_model_cannot_remove_a_rule_flag(fake: FakeOpenAI) -> None:
    text = "这事包在我身上。"
    fake.replies.append(flags())
    report = reviewer().review(text, check(text), role=FRONTLINE)
    assert [(v.category, v.detector) for v in report.violations] == [("guaranteed_outcome", "rules")]
    assert not report.ok


def test_a_model_flag_overlapping_a_rule_flag_keeps_the_rule(fake: FakeOpenAI) -> None:
    text = "这事包在我身上。"
    fake.replies.append(flags({"quote": "包在我身上", "category": "guaranteed_outcome", "reason": "保证结果"}))
    report = reviewer().review(text, check(text), role=FRONTLINE)
    assert [v.detector for v in report.violations] == ["rules"]


def test_invented_quotes_unknown_categories_and_granted_amounts_are_dropped(fake: FakeOpenAI) -> None:
    text = "给您一张100元的代金券，表示歉意。"
    assert check(text, role=SUPERVISOR).ok  # the supervisor's goodwill grant covers 100 元
    fake.replies.append(flags(
        {"quote": "我们全额赔偿", "category": "compensation", "reason": "不在回复里"},
        {"quote": "表示歉意", "category": "rudeness", "reason": "不是政策里的类别"},
        {"quote": "给您一张100元的代金券", "category": "compensation", "reason": "赠送代金券"},
    ))
    report = reviewer().review(text, check(text, role=SUPERVISOR), role=SUPERVISOR)
    assert report.ok and report.violations == [] and report.second_opinion == "fake-reviewer"


def test_the_same_flag_for_frontline_staff_is_kept(fake: FakeOpenAI) -> None:
    text = "差价那部分，回头财务打给您。"  # a promise the rules miss ("放心吧，…差价…" they now catch)
    assert check(text).ok
    fake.replies.append(flags({"quote": "回头财务打给您", "category": "compensation", "reason": "承诺退差价"}))
    assert [v.category for v in reviewer().review(text, check(text), role=FRONTLINE).violations] == ["compensation"]


def test_a_traditional_reply_quoted_in_simplified_is_located(fake: FakeOpenAI) -> None:
    text = "這筆差價，回頭讓財務轉回您的帳戶。"
    assert check(text).ok
    fake.replies.append(flags({"quote": "回头让财务转回您的帐户", "category": "refund_outcome", "reason": "承诺退款"}))
    (violation,) = reviewer().review(text, check(text), role=FRONTLINE).violations
    assert violation.span == "回頭讓財務轉回您的帳戶" == text[violation.start:violation.end]


def test_personal_data_is_masked_before_it_leaves(fake: FakeOpenAI) -> None:
    text = "您的手机号13812345678已登记，下周我们把差额转给您。"
    assert check(text).ok
    fake.replies.append(flags({"quote": "下周我们把差额转给您", "category": "compensation", "reason": "承诺补差额"}))
    report = reviewer().review(text, check(text), role=FRONTLINE, context="我的电话是13900001111，差价什么时候退？")
    sent = fake.all_text()
    assert "13812345678" not in sent and "13900001111" not in sent and "[PHONE_1]" in sent
    assert "差价什么时候退" in sent  # the customer's words reach the model as context
    assert [v.span for v in report.violations] == ["下周我们把差额转给您"]


def test_the_prompt_lists_only_what_the_role_may_not_commit_to(fake: FakeOpenAI) -> None:
    policy = load_policy().model_copy(deep=True)
    policy.roles["complaint_officer"].grants.append(Grant(category="deadline"))  # no limit: may name dates
    fake.replies.append(flags())
    officer = policy.role("complaint_officer")
    SecondOpinion(model_backend("openai", Settings()), policy).review("好的。", check("好的。", role=officer, policy=policy),
                                                                    role=officer)
    prompt = fake.bodies[-1]["messages"][-1]["content"]
    assert "- deadline：" not in prompt  # granted without a limit
    assert "- compensation：" in prompt and "1,000 元以内" in prompt  # granted up to an amount: the limit is named
    assert "- staff_discipline：" in prompt and "- pass_the_buck：" in prompt


def test_an_answer_that_is_not_the_json_asked_for_is_an_error(fake: FakeOpenAI) -> None:
    fake.replies.append("我看了一下，这条回复没什么问题。")
    with pytest.raises(BackendError, match="did not answer with the JSON"):
        reviewer().review(MISSED, check(MISSED), role=FRONTLINE)


def test_code_fences_around_the_json_are_accepted(fake: FakeOpenAI) -> None:
    fake.replies.append("```json\n" + flags({"quote": MISSED_QUOTE, "category": "deadline", "reason": "时限"}) + "\n```")
    assert [v.category for v in reviewer().review(MISSED, check(MISSED), role=FRONTLINE).violations] == ["deadline"]


@pytest.mark.parametrize("answer", [
    "Looking at {the reply}: " + flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"}),
    flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"}) + " (note: I used {} format)",
    "<think>the user wants {json}</think>" + flags({"quote": MISSED_QUOTE, "category": "refund_outcome"}),
    json.dumps([{"quote": MISSED_QUOTE, "category": "Refund_Outcome", "reason": "退款"}], ensure_ascii=False),
])
def test_the_json_is_found_wherever_the_model_puts_it(fake: FakeOpenAI, answer: str) -> None:
    fake.replies.append(answer)
    assert [v.category for v in reviewer().review(MISSED, check(MISSED), role=FRONTLINE).violations] == ["refund_outcome"]


def test_a_grant_is_judged_on_the_whole_sentence(fake: FakeOpenAI) -> None:
    text = "补偿您2000元，下周打给您。"  # over the supervisor's 200 元 limit, outside the quoted words
    fake.replies.append(flags({"quote": "下周打给您", "category": "compensation", "reason": "承诺补偿"}))
    report = reviewer().review(text, check(text, role=SUPERVISOR), role=SUPERVISOR)
    assert "compensation" in [v.category for v in report.violations]


def test_a_quote_held_twice_flags_the_promise_not_the_customers_words(fake: FakeOpenAI) -> None:
    text = "您说“下个月钱会到您卡上”，我明白。放心，下个月钱会到您卡上。"
    fake.replies.append(flags({"quote": "下个月钱会到您卡上", "category": "refund_outcome", "reason": "承诺到账"}))
    (violation,) = [v for v in reviewer().review(text, check(text), role=FRONTLINE).violations if v.detector == "model"]
    assert violation.start == text.rindex("下个月钱会到您卡上")


def test_a_wide_quote_still_flags_the_sentence_no_rule_flagged(fake: FakeOpenAI) -> None:
    text = "这事包在我身上。" + MISSED
    fake.replies.append(flags({"quote": text, "category": "guaranteed_outcome", "reason": "保证结果"}))
    report = reviewer().review(text, check(text), role=FRONTLINE)
    assert [(v.detector, v.span) for v in report.violations] == [
        ("rules", "这事包在我身上"), ("model", MISSED.rstrip("。"))]


def test_staff_turns_are_shown_as_staff(fake: FakeOpenAI) -> None:
    fake.replies.append(flags())
    conversation = [{"speaker": "customer", "text": "钱什么时候退？"}, {"speaker": "agent", "text": "我帮您查一下。"},
                    {"speaker": "customer", "text": "快点！"}]
    reviewer().review("好的，请稍等。", check("好的，请稍等。"), role=FRONTLINE, context=conversation)
    prompt = fake.bodies[-1]["messages"][-1]["content"]
    assert "客服：我帮您查一下。" in prompt and "客户：钱什么时候退？" in prompt


def test_a_server_error_is_retried(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_MAX_RETRIES", "1")
    fake.replies[:] = [ERROR_500, flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"})]
    assert not reviewer().review(MISSED, check(MISSED), role=FRONTLINE).ok
    assert len(fake.bodies) == 2


def test_without_an_endpoint_the_fix_is_named() -> None:
    with pytest.raises(ConfigError) as caught:
        reviewer()
    assert "OPENAI_BASE_URL" in caught.value.fix and "--rules-only" in caught.value.fix


# ------------------------------------------------------------------------------------------ CLI, API


def test_cli_second_opinion_exits_1_and_labels_the_model_flag(fake: FakeOpenAI) -> None:
    fake.replies.append(flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "承诺退款到账"}))
    result = runner.invoke(app, ["check", "--second-opinion", MISSED])
    assert result.exit_code == 1, result.output
    assert "模型第二意见" in result.output and "fake-reviewer" in result.output


def test_cli_setting_turns_it_on_and_rules_only_turns_it_off(fake: FakeOpenAI,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_GUARD_SECOND_OPINION", "true")
    fake.replies.append(flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"}))
    on = runner.invoke(app, ["check", "--json", MISSED])
    assert on.exit_code == 1 and json.loads(on.stdout)["second_opinion"] == "fake-reviewer"
    off = runner.invoke(app, ["check", "--json", "--rules-only", MISSED])
    assert off.exit_code == 0 and json.loads(off.stdout)["second_opinion"] is None
    assert len(fake.bodies) == 1


def test_cli_batch_asks_once_per_line(fake: FakeOpenAI, tmp_path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in ("您好。", MISSED)) + "\n",
                     encoding="utf-8")
    fake.replies[:] = [flags(), flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"})]
    result = runner.invoke(app, ["check", "--second-opinion", "--input-jsonl", str(batch)])
    assert result.exit_code == 1
    assert [json.loads(line)["ok"] for line in result.stdout.splitlines()] == [True, False]


def test_cli_dead_endpoint_exits_2_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: nothing listens
    monkeypatch.setenv("COACH_MODEL", "m")
    monkeypatch.setenv("COACH_MAX_RETRIES", "0")
    result = runner.invoke(app, ["check", "--second-opinion", MISSED])
    assert result.exit_code == 2
    assert "127.0.0.1:9" in result.output and "fix" in result.output


def test_cli_garbled_answer_exits_2(fake: FakeOpenAI) -> None:
    fake.replies.append("没问题")
    result = runner.invoke(app, ["check", "--second-opinion", MISSED])
    assert result.exit_code == 2 and "JSON" in result.output


def test_api_check_uses_the_second_opinion_when_the_server_has_it(fake: FakeOpenAI, tmp_path) -> None:
    from coach.server import create_app

    client = TestClient(create_app(Settings(home=tmp_path, guard_second_opinion=True, backend="offline")))
    fake.replies.append(flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "退款"}))
    body = client.post("/v1/check", json={"text": MISSED}).json()
    assert body["ok"] is False and body["violations"][0]["detector"] == "model"
    fake.replies.append("不是 JSON")
    failed = client.post("/v1/check", json={"text": MISSED})
    assert failed.status_code == 502 and failed.json()["fix"]


# ------------------------------------------------------------------------------------------ drafting

SLIPPED = "您好，给您带来不便非常抱歉。您先回去，这笔钱下个月会出现在您卡上的。"
CLEAN = "您好，给您带来不便非常抱歉。您反映的情况我已经详细记录，我们会转交上级部门，我们会在三个工作日内与您联系。"


def drafting_chain(server: FakeOpenAI, home: object) -> object:
    from coach.chain import DraftChain

    # The learned stage catches SLIPPED on its own; these tests follow the second opinion, so the stage is off.
    settings = Settings(home=home, embeddings="hash", backend="openai", OPENAI_BASE_URL=server.base_url,
                        model="fake-model", timeout=1.0, max_retries=0, guard_second_opinion=True, guard_model=False)
    return DraftChain(settings)


def test_a_draft_the_model_reviewer_flags_is_repaired(fake: FakeOpenAI, hash_home) -> None:
    from coach.types import DraftRequest

    assert check(SLIPPED).ok
    fake.replies[:] = [SLIPPED, flags({"quote": MISSED_QUOTE, "category": "refund_outcome", "reason": "承诺到账"}),
                       CLEAN, flags()]
    result = drafting_chain(fake, hash_home).draft(DraftRequest(message="我的钱到底什么时候退给我？"))
    assert result.reply == CLEAN and result.guard.second_opinion == "fake-model"
    first = result.attempts[0]
    assert not first.ok and [v.detector for v in first.guard.violations] == ["model"]
    assert MISSED_QUOTE in fake.bodies[2]["messages"][-1]["content"]  # the repair prompt names the model's flag


def test_a_failed_review_means_the_offline_draft(fake: FakeOpenAI, hash_home) -> None:
    from coach.types import DraftRequest

    fake.replies[:] = [CLEAN, "我觉得可以"]
    result = drafting_chain(fake, hash_home).draft(DraftRequest(message="我的钱到底什么时候退给我？"))
    assert result.backend == "offline" and result.fell_back and "second opinion" in result.fallback_reason
    assert result.reply != CLEAN and result.guard.ok and result.guard.second_opinion is None


# ------------------------------------------------------------------------------------------ the bench


def _table_rows(lines: list[str], system: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith(f"| {system} |")]


def test_the_bench_shows_what_a_reviewer_that_flags_everything_costs(fake: FakeOpenAI) -> None:
    from bench.guard import second_opinion_run

    def flag_everything(body: dict) -> str:
        reply = body["messages"][-1]["content"].split("<<<REPLY\n")[1].split("\nREPLY>>>")[0]
        return flags({"quote": reply[:6], "category": "compensation", "reason": "一律标记"})

    fake.replies[:] = [flag_everything] * 200
    lines = second_opinion_run("heldout", limit=12)
    rules, reviewed = _table_rows(lines, "rules"), _table_rows(lines, "rules + second opinion")
    assert len(rules) == len(reviewed) >= 4
    (tp0, fp0, fn0), (tp1, fp1, fn1) = ([sum(int(r[i]) for r in rows) for i in (2, 3, 4)] for rows in (rules, reviewed))
    assert fn1 <= fn0 and tp1 >= tp0  # flags are only ever added
    assert fp1 > fp0  # ... and a careless reviewer's false alarms show up in the figures
    assert any(line.startswith("Model latency per row") for line in lines)


# ------------------------------------------------------------------------------------------ the eval gate


def test_the_eval_gate_fails_on_a_reviewer_that_flags_everything(fake: FakeOpenAI, tmp_path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """`coach eval run` measures the guard as configured: a careless second opinion fails guard_label."""
    def reviewer_model(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        if "<<<REPLY" not in prompt:
            return "pong"  # the runner's probe
        reply = prompt.split("<<<REPLY\n")[1].split("\nREPLY>>>")[0]
        return flags({"quote": reply[:4], "category": "compensation", "reason": "一律标记"})

    def run(name: str) -> dict:
        fake.replies[:] = [reviewer_model] * 100
        out = tmp_path / name
        result = runner.invoke(app, ["eval", "run", "--suite", "guard", "--limit", "40", "--out", str(out)])
        data = json.loads((out / "results.json").read_text(encoding="utf-8"))
        return {"exit": result.exit_code, "rate": data["summary"]["metrics"]["guard_label"],
                "second_opinion": data["settings"]["guard_second_opinion"]}

    rules_only = run("rules")
    monkeypatch.setenv("COACH_GUARD_SECOND_OPINION", "true")
    careless = run("careless")
    assert rules_only["second_opinion"] == "off" and careless["second_opinion"] == "fake-reviewer"
    assert careless["rate"]["passed"] < rules_only["rate"]["passed"]  # every ok row is now a false flag
    assert rules_only["exit"] == 0 and careless["exit"] == 1
