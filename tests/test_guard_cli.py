"""``coach check`` and ``coach policy``: exit codes, JSON, batch mode, start-up imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coach.cli import guard_cmds
from coach.policy import DEFAULT_POLICY_PATH

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The real app when it imports; the same registration lines otherwise (store commands in progress)."""
    try:
        from coach.cli import app as real_app
    except ImportError:
        real_app = typer.Typer()
        real_app.command("check")(guard_cmds.check)
        policy_app = typer.Typer()
        real_app.add_typer(policy_app, name="policy")
        policy_app.command("show")(guard_cmds.policy_show)
        policy_app.command("validate")(guard_cmds.policy_validate)
    return real_app


def test_check_ok_exits_0(app: typer.Typer) -> None:
    result = runner.invoke(app, ["check", "我们会在三个工作日内与您联系。"])
    assert result.exit_code == 0, result.output
    assert "未发现" in result.output


def test_check_violation_exits_1_and_explains(app: typer.Typer) -> None:
    result = runner.invoke(app, ["check", "这事包在我身上。"])
    assert result.exit_code == 1
    assert "guaranteed_outcome" in result.output and "建议" in result.output and "语料" in result.output


def test_check_json(app: typer.Typer) -> None:
    text = "😀好的！一定給您全額退款。"
    result = runner.invoke(app, ["check", "--json", text])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    for v in report["violations"]:
        assert text[v["start"]:v["end"]] == v["span"]


def test_check_context_option(app: typer.Typer) -> None:
    result = runner.invoke(app, ["check", "--json", "--context", "能全额退吗？", "好的，没问题"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["violations"][0]["category"] == "refund_outcome"


def test_check_reads_stdin(app: typer.Typer) -> None:
    result = runner.invoke(app, ["check", "-", "--json"], input="爱找谁找谁。")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["violations"][0]["category"] == "pass_the_buck"


def test_role_and_unknown_role(app: typer.Typer) -> None:
    assert runner.invoke(app, ["check", "--role", "supervisor", "给您150元的代金券。"]).exit_code == 0
    assert runner.invoke(app, ["check", "--role", "supervisor", "给您500元的代金券。"]).exit_code == 1
    result = runner.invoke(app, ["check", "--role", "boss", "您好"])
    assert result.exit_code == 2
    assert "complaint_officer" in result.output


@pytest.mark.parametrize("text", ["", "字" * 20_001])
def test_empty_and_huge_text_exit_2(app: typer.Typer, text: str) -> None:
    assert runner.invoke(app, ["check", text]).exit_code == 2


def test_binary_stdin_exits_2(app: typer.Typer) -> None:
    result = runner.invoke(app, ["check", "-"], input=b"\xff\xfe\x00\x01binary")
    assert result.exit_code == 2


def test_batch_jsonl_in_order(app: typer.Typer, tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    lines = [{"text": "我们会在三个工作日内与您联系。"},
             {"text": "好的，没问题", "context": [{"speaker": "customer", "text": "今天能给我结果吗？"}]},
             {"text": "给您150元代金券。", "role": "supervisor"}]
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = runner.invoke(app, ["check", "--input-jsonl", str(batch)])
    assert result.exit_code == 1
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["ok"] for r in reports] == [True, False, True]
    assert reports[1]["violations"][0]["category"] == "deadline"


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b'{"text": ""}\n', b'{"txt": "x"}\n'])
def test_bad_batch_exits_2(app: typer.Typer, tmp_path: Path, content: bytes) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_bytes(content)
    assert runner.invoke(app, ["check", "--input-jsonl", str(batch)]).exit_code == 2


def test_policy_show(app: typer.Typer) -> None:
    result = runner.invoke(app, ["policy", "show", "supervisor", "--json"])
    assert result.exit_code == 0
    view = json.loads(result.stdout)
    limits = {item["id"]: item["limit"] for item in view["may_not_commit"]}
    assert limits["compensation"] == 200
    assert all(item["source"] for item in view["may_not_commit"])
    human = runner.invoke(app, ["policy", "show"])
    assert "不可承诺" in human.output and "语料" in human.output


def test_policy_validate(app: typer.Typer, tmp_path: Path) -> None:
    assert runner.invoke(app, ["policy", "validate", str(DEFAULT_POLICY_PATH)]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace("max_amount: 200", "max_amount: -5"),
                   encoding="utf-8")
    result = runner.invoke(app, ["policy", "validate", str(bad)])
    assert result.exit_code == 2
    assert "max_amount" in result.output and f"{bad}:" in result.output


def test_check_does_not_import_heavy_libraries() -> None:
    # `coach check` builds the CLI with its own command only: the other command modules, the settings
    # (pydantic-settings) and the store stack stay unloaded, which is most of its cold start.
    code = ("import sys\nfrom coach.cli import build_app\nbuild_app('check')\n"
            "from coach.guard import check\ncheck('一定给您全额退款')\n"
            "names = ('chromadb', 'langchain', 'langchain_core', 'deepeval', 'jieba', 'pydantic_settings',\n"
            "         'coach.config', 'coach.cli.draft_cmds', 'coach.cli.store_cmds', 'coach.cli.eval_cmds')\n"
            "heavy = [m for m in names if m in sys.modules]\n"
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("args", [["check", "一定给您全额退款"], ["check", "--rules-only", "--json", "您好"]])
def test_running_check_imports_no_model_store_or_eval_stack(args: list[str]) -> None:
    """The command as a user runs it: whatever it imports inside (settings, the second-opinion switch) must
    leave LangChain, Chroma, deepeval and jieba unloaded."""
    code = ("import sys\nfrom coach.cli import main\n"
            f"sys.argv = ['coach', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "names = ('chromadb', 'langchain', 'langchain_core', 'langchain_openai', 'openai', 'deepeval', 'jieba',\n"
            "         'coach.guard.review', 'coach.cli.draft_cmds', 'coach.cli.store_cmds', 'coach.cli.eval_cmds')\n"
            "print('HEAVY=' + ','.join(m for m in names if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY=", result.stdout
