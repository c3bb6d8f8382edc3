"""`coach eval run | compare | replies` through Typer's CliRunner, on the session's hash-embedded store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from coach.cli import app
from coach.guard import check
from coach.paths import bundled
from coach.policy import load_policy

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "evals" / "samples"


@pytest.fixture
def offline_run(store: Path, tmp_path: Path) -> Path:
    out = tmp_path / "a"
    result = runner.invoke(app, ["eval", "run", "--suite", "scenarios", "--limit", "20", "--out", str(out)])
    assert result.exit_code == 0, result.output  # the committed thresholds (evals/thresholds.yaml) pass offline
    return out


def load(out: Path) -> dict:
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_offline_subset_passes_committed_thresholds(offline_run: Path) -> None:
    data = load(offline_run)
    assert data["passed"] and data["backend"] == "offline" and len(data["cases"]) == 20
    gates = {g["metric"]: g for g in data["gates"]}
    committed = yaml.safe_load((bundled("evals") / "thresholds.yaml").read_text(encoding="utf-8"))["default"]
    assert gates["de_escalation_steps"]["threshold"] == committed["de_escalation_steps"]
    assert gates["no_unauthorized_promise"]["value"] == 1.0
    for case in data["cases"]:
        assert case["backend"] == "offline" and not case["fell_back"] and case["attempts"] >= 1
        assert len(case["metrics"]) == 7 and all(m["reason"] for m in case["metrics"])
        assert check(case["reply"], context=case["input"]["message"]).ok
    assert set(data["summary"]["by_split"]) == {"scenarios/dev", "scenarios/heldout"}
    assert len([c for c in data["cases"] if c["split"] == "heldout"]) == 5  # s004, s008, … s020
    html = (offline_run / "report.html").read_text(encoding="utf-8")
    assert "chart-metrics" in html and "http://" not in html and "https://" not in html and "<script" not in html


def test_guard_suite_agrees_with_the_guard(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "g"
    result = runner.invoke(app, ["eval", "run", "--suite", "guard", "--limit", "30", "--out", str(out),
                                 "--threshold", "guard_label=0"])
    assert result.exit_code == 0, result.output
    data = load(out)
    rows = [json.loads(line) for line in (REPO / "evals/datasets/promises.jsonl").read_text(encoding="utf-8").splitlines()[:30]]
    agree = 0
    for row in rows:  # recomputed here from the guard itself
        report = check(row["text"], role=load_policy().role(row["role"]))
        kind = {"promise": "unauthorized_promise", "forbidden_phrase": "forbidden_phrase"}.get(row["label"])
        agree += report.ok if kind is None else any(v.kind == kind and v.category == row["category"] for v in report.violations)
    assert data["summary"]["metrics"]["guard_label"]["passed"] == agree
    assert data["summary"]["rates"]["fallback_rate"]["total"] == 0  # no model outputs in the guard suite


def test_threshold_override_fails_the_run_naming_the_metric(offline_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = runner.invoke(app, ["eval", "run", "--suite", "scenarios", "--limit", "20", "--out", str(out),
                                 "--threshold", "mentions_issue=99%", "--baseline", str(offline_run)])
    assert result.exit_code == 1
    assert "threshold failed: mentions_issue" in result.output
    data = load(out)
    assert data["comparison"]["baseline"] == load(offline_run)["run_id"] and not data["comparison"]["flipped"]
    assert "id='comparison'" in (out / "report.html").read_text(encoding="utf-8")


def test_compare_reports_deltas_and_flips(offline_run: Path, tmp_path: Path) -> None:
    data = load(offline_run)
    case = next(c for c in data["cases"] if c["metrics"][2]["passed"])
    case["metrics"][2]["passed"] = False
    case["reply"] = "被改坏的回复"
    data["run_id"] = "changed"
    data["summary"]["metrics"]["de_escalation_steps"]["passed"] -= 1
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "results.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["eval", "compare", str(offline_run), str(changed), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    assert "1 case/metric pairs flipped" in result.output and f"scenarios/{case['case_id']}" in result.output
    assert "pass→fail" in result.output and "-5.0 pt" in result.output  # 1 of 20
    assert "被改坏的回复" in (tmp_path / "cmp" / "comparison.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["trainee_replies.jsonl", "trainee_replies.csv"])
def test_replies_scorecard_and_excel_csv(store: Path, tmp_path: Path, name: str) -> None:
    result = runner.invoke(app, ["eval", "replies", str(SAMPLES / name), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "王芳" in result.output and "李强: 0/3" in result.output and "refuse_service" in result.output
    raw = (tmp_path / "scorecard.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    cards = {row["trainee"]: row for row in csv.DictReader(raw.decode("utf-8-sig").splitlines())}
    assert cards["李强"]["de_escalation_steps"] == "0%" and cards["李强"]["worst_scenario"] == "s003"
    assert "refund_outcome" in cards["李强"]["worst_rule"]


@pytest.mark.parametrize(("args", "needle"), [
    (["eval", "run", "--suite", "nope"], "unknown suite"),
    (["eval", "run", "--threshold", "grounded"], "metric=value"),
    (["eval", "run", "--threshold", "grounded=2"], "outside 0–1"),
    (["eval", "run", "--backend", "llama"], "unknown backend"),
    (["eval", "run", "--baseline", "/nonexistent"], "no results.json"),
    (["eval", "compare", "/nonexistent", "/nonexistent"], "no results.json"),
    (["eval", "replies", "/nonexistent.jsonl"], "not found"),
])
def test_bad_input_exits_2_with_a_fix(store: Path, args: list[str], needle: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "fix:" in result.output


def test_empty_store_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("COACH_EMBEDDINGS", "hash")
    result = runner.invoke(app, ["eval", "run", "--suite", "scenarios", "--limit", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "coach ingest" in result.output
    assert not (tmp_path / "o" / "results.json").exists()
