"""Bad input found by the fault probes of issue #22: an empty message, a lone surrogate, a bad batch line.

Each must be exit 2 (could not do the job) with a message and a fix, never a traceback; a bad batch line
must name its line and stop the batch before any output; the API answers 422, never 500.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from coach.cli import app
from coach.config import Settings
from coach.server import create_app

runner = CliRunner()
SURROGATE = "\ud800 您好"  # what Python's json module makes of the escape "\\ud800" a client sent
OK_REPLY = "您好，您反映的情况我已经记录，我们会在三个工作日内与您联系。"


def _refused(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert re.search(r"[\u4e00-\u9fff]", result.stderr) and "fix:" in result.stderr, result.stderr
    assert "Traceback" not in result.output
    unwrapped = result.stderr.replace("\n", "")  # the console wraps a long path at its width (80 under pytest)
    for needle in needles:
        assert needle in result.stderr or needle in unwrapped, result.stderr


@pytest.mark.parametrize(("args", "stdin"), [(["draft", ""], None), (["draft", "-"], ""), (["draft", "-"], " \n\t")])
def test_an_empty_message_is_exit_2_with_a_fix(store: Path, args: list[str], stdin: str | None) -> None:
    _refused(runner.invoke(app, args, input=stdin), "空")


@pytest.mark.parametrize("command", ["draft", "check"])
def test_undecodable_bytes_on_the_command_line_are_exit_2(store: Path, command: str) -> None:
    """A shell hands Python invalid UTF-8 as lone surrogates (surrogateescape)."""
    _refused(runner.invoke(app, [command, "客户说\udcff了"]))


def _batch(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _json(**fields: object) -> str:
    """One JSON line; ensure_ascii writes a lone surrogate as the escape a client would send."""
    return json.dumps(fields)


CASE = {"customer_name": "王", "summary": "年费重复扣取", "actions": ["核实了扣费记录"], "result": "已退回",
        "next_step": "请您查收", "staff_name": "李明", "department": "客服部"}
# Each batch: two good lines, a blank line (lines are counted as in an editor), then a bad fourth line.
BATCHES = {
    "check surrogate": (["check"], _json(text=OK_REPLY), _json(text=SURROGATE)),
    "check surrogate in context": (["check"], _json(text=OK_REPLY), _json(text=OK_REPLY, context=[{"text": SURROGATE}])),
    "check empty": (["check"], _json(text=OK_REPLY), _json(text="  ")),
    "check unknown role": (["check"], _json(text=OK_REPLY), _json(text=OK_REPLY, role="ceo")),
    "draft surrogate": (["draft"], _json(message="我要退款"), _json(message=SURROGATE)),
    "draft surrogate turn": (["draft"], _json(message="我要退款"), _json(message="我要退款", conversation=[{"text": SURROGATE}])),
    "draft blank": (["draft"], _json(message="我要退款"), _json(message=" \n ")),
    "draft unknown role": (["draft"], _json(message="我要退款"), _json(message="我要退款", role="ceo")),
    "retrieve surrogate": (["retrieve", "--json"], _json(query="客户要求赔偿"), _json(query=SURROGATE)),
    "retrieve blank": (["retrieve", "--json"], _json(query="客户要求赔偿"), _json(query="   ")),
    "callback unknown role": (["callback"], _json(**CASE), _json(**CASE, role="ceo")),
}


@pytest.mark.parametrize("name", BATCHES)
def test_a_bad_batch_line_names_its_line_and_stops_before_any_output(store: Path, tmp_path: Path, name: str) -> None:
    command, good, bad = BATCHES[name]
    path = _batch(tmp_path, good, good, "", bad)
    result = runner.invoke(app, [*command, "--input-jsonl", str(path)])
    _refused(result, f"{path}:4")
    assert result.stdout == ""


def test_the_good_batches_above_do_run(store: Path, tmp_path: Path) -> None:
    """The refusals are the bad line's doing: the same batches without it print one result per line."""
    for name in ("check empty", "draft blank", "retrieve blank", "callback unknown role"):
        command, good, _ = BATCHES[name]
        result = runner.invoke(app, [*command, "--input-jsonl", str(_batch(tmp_path, good, "", good))])
        assert result.exit_code == 0, result.output
        assert len(result.stdout.splitlines()) == 2


@pytest.fixture(scope="module")
def client(hash_home: Path) -> TestClient:
    return TestClient(create_app(Settings(home=hash_home, embeddings="hash")))


@pytest.mark.parametrize(("route", "body"), [
    ("/v1/check", _json(text=SURROGATE)),
    ("/v1/check", _json(text=OK_REPLY, context=SURROGATE)),
    ("/v1/draft", _json(message=SURROGATE)),
    ("/v1/draft", _json(message="我要退款", conversation=[{"text": SURROGATE}])),
    ("/v1/retrieve", _json(query=SURROGATE)),
    ("/v1/callback", _json(**{**CASE, "customer_name": SURROGATE})),
])
def test_a_lone_surrogate_is_a_422_with_a_clear_message(client: TestClient, route: str, body: str) -> None:
    response = client.post(route, content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["code"] == "validation_error" and "代理" in error["message"] and "UTF-8" in error["fix"], error
    assert "\\ud800" not in response.text  # the input is not echoed back
