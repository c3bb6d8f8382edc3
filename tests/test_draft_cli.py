"""``coach draft`` and ``coach callback`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coach.cli import app
from coach.guard import check

runner = CliRunner()
MESSAGE = "你们业务员骗我买了这个保险,我要全额退保,还要赔我利息!"


def test_draft_json(store: Path) -> None:
    result = runner.invoke(app, ["draft", MESSAGE, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["backend"] == "offline" and data["guard"]["ok"] and data["demands"] == ["refund", "interest"]
    assert "全额退保" in data["reply"] and check(data["reply"], context=MESSAGE).ok


def test_draft_human_view(store: Path) -> None:
    result = runner.invoke(app, ["draft", "我要找记者曝光你们！"])
    assert result.exit_code == 0, result.output
    for text in ("建议回复", "步骤", "离线生成 / composed offline", "escalate", "办公室"):
        assert text in result.stdout


def test_draft_conversation_file_and_role(store: Path, tmp_path: Path) -> None:
    turns = tmp_path / "conv.jsonl"
    turns.write_text('{"speaker": "customer", "text": "我要找记者"}\n{"speaker": "staff", "text": "您先别急"}\n',
                     encoding="utf-8")
    result = runner.invoke(app, ["draft", "到底退不退?", "--conversation", str(turns), "--role", "supervisor", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "media" in data["risk_flags"] and data["guard"]["role"] == "supervisor"


def test_draft_batch_in_order(store: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"message": m}, ensure_ascii=False) for m in
                               ["我要退款", "Your agent lied to me, I want a refund!", "我們要找律師"]), encoding="utf-8")
    result = runner.invoke(app, ["draft", "--input-jsonl", str(batch)])
    assert result.exit_code == 0, result.output
    languages = [json.loads(line)["language"] for line in result.stdout.splitlines()]
    assert languages == ["zh-Hans", "en", "zh-Hant"]


@pytest.mark.parametrize(("args", "needle"), [
    (["draft", "   "], "empty"),
    (["draft", "退" * 20_001], "20,000"),
    (["draft", "abc\x00\x01\x02\x03"], "binary"),
    (["draft", "我要退款", "--backend", "gpt"], "offline, openai"),
    (["draft", "我要退款", "--backend", "openai"], "OPENAI_BASE_URL"),
    (["draft", "我要退款", "--role", "boss"], "frontline"),
])
def test_bad_input_exits_2_with_a_fix(store: Path, args: list[str], needle: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert needle in result.output


def test_empty_store_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    result = runner.invoke(app, ["draft", "我要退款"])
    assert result.exit_code == 2 and "coach ingest" in result.output


CASE = {"customer_name": "王", "customer_title": "先生", "summary": "跨境汇款被驳回，孩子在国外急需缴纳学费",
        "actions": ["当天加急反馈到后台客户意见处理组", "查询了外汇汇款管理规定"],
        "result": "需要补充汇款用途证明材料后重新提交", "next_step": "我们保证下周一前全额到账",
        "staff_name": "李娜", "department": "客户服务中心", "complaint_date": "5月8日"}


def test_callback_markdown_replaces_the_promise(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["callback", str(case), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["part"] for p in data["parts"]] == ["greeting", "recap", "actions", "apology", "next_steps", "closing"]
    assert "我是客户服务中心的李娜" in data["text"] and "跨境汇款被驳回" in data["text"]
    assert "保证下周一前" not in data["text"] and data["adjustments"] and data["guard"]["ok"]
    assert data["text"].startswith("## 回访话术")


def test_callback_text_format_and_batch(tmp_path: Path) -> None:
    batch = tmp_path / "cases.jsonl"
    fine = {**CASE, "next_step": "我们会把补充材料转交后台审核"}
    batch.write_text(json.dumps(fine, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["callback", "--input-jsonl", str(batch), "--format", "text"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"].startswith("【问候与自我介绍】") and not data["adjustments"]


def test_callback_bad_case_exits_2(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("customer_name: 王\n", encoding="utf-8")
    result = runner.invoke(app, ["callback", str(case)])
    assert result.exit_code == 2 and "summary" in result.output


def test_channel_shapes_the_reply(store: Path) -> None:
    chat = json.loads(runner.invoke(app, ["draft", MESSAGE, "--json", "--channel", "chat"]).stdout)
    letter = json.loads(runner.invoke(app, ["draft", MESSAGE, "--json", "--channel", "letter"]).stdout)
    assert chat["channel"] == "chat" and all(len(m) <= 120 for m in chat["reply"].split("\n"))
    assert letter["channel"] == "letter" and letter["reply"].startswith("尊敬的客户")


def test_channel_defaults_to_the_configured_one(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_CHANNEL", "phone")
    assert json.loads(runner.invoke(app, ["draft", MESSAGE, "--json"]).stdout)["channel"] == "phone"


def test_unknown_channel_is_a_usage_error_listing_the_valid_ones() -> None:
    result = CliRunner().invoke(app, ["draft", "你们扣了我话费", "--channel", "wechat"])
    assert result.exit_code == 2 and "chat" in result.output and "wechat" in result.output


def test_unknown_domain_is_a_usage_error_listing_the_valid_ones() -> None:
    from typer.testing import CliRunner

    from coach.cli import app

    result = CliRunner().invoke(app, ["draft", "你们扣了我话费", "--domain", "railway"])
    assert result.exit_code == 2
    assert "telecom" in result.output and "railway" in result.output


def test_callback_actions_may_be_one_text_of_several_facts(tmp_path: Path) -> None:
    head = "customer_name: 王\nsummary: 跨境汇款被驳回\n"
    tail = "result: 需要补充材料\nnext_step: 我们会把补充材料转交后台审核\nstaff_name: 李娜\ndepartment: 客户服务中心\n"
    case = tmp_path / "case.yaml"
    case.write_text(head + "actions: |\n  当天加急反馈到后台；查询了外汇汇款管理规定\n  联系了分行国际业务部\n" + tail, encoding="utf-8")
    result = runner.invoke(app, ["callback", str(case), "--json"])
    assert result.exit_code == 0, result.output
    actions = next(p["text"] for p in json.loads(result.stdout)["parts"] if p["part"] == "actions")
    assert "1. 当天加急反馈到后台；2. 查询了外汇汇款管理规定；3. 联系了分行国际业务部" in actions
    case.write_text(head + "actions: '；'\n" + tail, encoding="utf-8")
    blank = runner.invoke(app, ["callback", str(case)])
    assert blank.exit_code == 2 and "actions" in blank.output
