"""The guard's learned second stage (coach/guard/model.py) and its build script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from coach.cli import guard_cmds
from coach.guard import check
from coach.guard.model import BUCKETS, KINDS, ModelStage, _bucket, load_stage, taken_back
from coach.policy import load_policy
from coach.types import GuardReport
from scripts import build_guard_model as builder
from tests.model_files import sha256

ROOT = Path(__file__).resolve().parent.parent
# The rules pass it (checked below); the shipped model flags it: contempt for the customer.
MISSED_BY_RULES = "你们这种人我见得多了。"
# Author a06's (code-switching) admission of fault, which the rules pass: never trained on in its test.
HELD_OUT_A06 = "这个确实是我们 system 的 bug 导致您 lost 了那笔钱，sorry 啊。"


@pytest.fixture(scope="module")
def stage() -> ModelStage:
    return load_stage()


def _keys(report: GuardReport) -> list[tuple]:
    return [(v.kind, v.category, v.start, v.end, v.detector) for v in report.violations]


def test_model_file_loads_with_its_thresholds_and_repo_examples(stage: ModelStage) -> None:
    assert stage.weights.shape == (BUCKETS, len(KINDS))
    assert all(0 < t < 1 for t in stage.thresholds.values())
    repo_texts = {r.text for r in builder.repo_rows()}
    assert len(stage.example_text) > 1000
    assert set(map(str, stage.example_text)) <= repo_texts  # never a real-world turn


def test_a_model_flag_carries_score_reason_and_detector(stage: ModelStage) -> None:
    policy = load_policy()
    assert check(MISSED_BY_RULES, policy=policy).ok
    report = check(MISSED_BY_RULES, policy=policy, model=stage)
    assert not report.ok
    flag = report.violations[0]
    assert flag.detector == "model" and flag.kind == "forbidden_phrase"
    assert flag.score is not None and flag.score >= stage.thresholds["forbidden_phrase"]
    assert "相似" in flag.explanation and "“" in flag.explanation
    assert MISSED_BY_RULES[flag.start:flag.end] == flag.span and flag.category in {f.id for f in policy.forbidden_phrases}


@pytest.mark.parametrize("text", [
    "我保证明天给您全额退款，再赔您五百块。",
    "您自己不看清楚合同，怪谁？我们明天一定给您处理好。",
    "不知道，你去问别人吧。",
    "我们会尽快核实，有结果第一时间联系您。",
])
def test_the_rules_report_is_never_reduced(stage: ModelStage, text: str) -> None:
    policy = load_policy()
    rules = _keys(check(text, policy=policy))
    both = _keys(check(text, policy=policy, model=stage))
    assert both[:len(rules)] == rules
    assert all(key[-1] == "model" for key in both[len(rules):])


def test_the_stage_is_off_with_coach_guard_model_false(monkeypatch: pytest.MonkeyPatch) -> None:
    app = typer.Typer()
    app.command("check")(guard_cmds.check)
    app.command("noop")(lambda: None)
    on = CliRunner().invoke(app, ["check", MISSED_BY_RULES])
    monkeypatch.setenv("COACH_GUARD_MODEL", "false")
    off = CliRunner().invoke(app, ["check", MISSED_BY_RULES])
    assert (on.exit_code, off.exit_code) == (1, 0)


def test_check_with_the_stage_imports_neither_sklearn_nor_scipy() -> None:
    code = ("import sys\nfrom coach.cli import main\n"
            "sys.argv = ['coach', 'check', '一定给您全额退款']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('HEAVY=' + ','.join(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "HEAVY="


def _tiny_datasets(folder: Path) -> Path:
    """Three authors of ten rows each, in the shape of evals/datasets/guard_authors/."""
    rows = {
        "promise": ["我保证明天退款给您。", "这笔钱一定全额赔给您。", "您放心，肯定给您换新的。", "今天下午就给您送到。"],
        "forbidden_phrase": ["这是你自己的问题。", "不知道，别问我。", "你去找别的部门吧。"],
        "ok": ["我先帮您登记，核实后回复您。", "请您稍等，我查一下。", "给您带来不便，非常抱歉。"],
    }
    authors = folder / "guard_authors"
    authors.mkdir(parents=True)
    for number, author in enumerate(("x1", "x2", "x3")):
        lines = [json.dumps({"author": author, "text": f"{text}{'，' * number}", "context": None, "label": label,
                             "category": {"promise": "refund_outcome", "forbidden_phrase": "blame_customer"}.get(label)},
                            ensure_ascii=False)
                 for label, texts in rows.items() for text in texts]
        (authors / f"{author}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_the_build_is_reproducible_and_skips_absent_real_world_data(tmp_path: Path) -> None:
    datasets = _tiny_datasets(tmp_path / "datasets")
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    for out in (first, second):
        builder.main(["--datasets", str(datasets), "--out", str(out), "--jddc-labels", str(tmp_path / "absent.jsonl")])
    assert sha256(first) == sha256(second)
    with np.load(first) as model:
        assert list(model["sources"]) == ["author x1: 10", "author x2: 10", "author x3: 10",
                                          f"safety replies: {len(builder.safety_rows())}"]
    assert builder.jddc_rows(datasets / "labels.jsonl", real_world=tmp_path / "no-shared") == []


def test_real_world_rows_train_but_are_never_quoted(tmp_path: Path) -> None:
    shared = tmp_path / "real-world"
    shared.mkdir()
    session = {"session": "s1", "turns": [{"speaker": "customer", "text": "能退吗"},
                                          {"speaker": "staff", "text": "可以的亲，明天到账"}]}
    (shared / "jddc_sessions.jsonl").write_text(json.dumps(session, ensure_ascii=False) + "\n", encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({"session": "s1", "turn": 1, "label": "promise", "category": "deadline"}) + "\n",
                      encoding="utf-8")
    rows = builder.jddc_rows(labels, real_world=shared)
    assert [(r.text, r.kind, r.quotable) for r in rows] == [("可以的亲，明天到账", "unauthorized_promise", False)]
    assert builder.examples(rows)["example_text"].size == 0


def test_the_stage_catches_a_held_out_authors_row_the_rules_miss(tmp_path: Path) -> None:
    """Trained on three other authors only (a06's rows are never seen; a fixed threshold of 0.5), scored on
    one of a06's rows."""
    policy = load_policy()
    train = [r for r in builder.repo_rows() if r.source in {"author a01", "author a02", "author a03"}]
    builder.featurise(train, policy)
    weights, bias = builder.fit(train)
    path = tmp_path / "model.npz"
    builder.save({"weights": weights, "bias": bias, "thresholds": np.array([0.5, 0.5], dtype=np.float32),
                  **builder.examples(train), "sources": np.array(["test"])}, path)
    held = next(r for r in builder.repo_rows() if r.source == "author a06" and r.text == HELD_OUT_A06)
    assert check(held.text, context=held.context, policy=policy).ok
    report = check(held.text, context=held.context, policy=policy, model=ModelStage(path))
    assert [v.kind for v in report.violations] == [held.kind]



# The offline composer's own sentences the stage flagged before it honoured these scopes (scenarios s074, s072,
# s178): an apology after a demand for compensation, the customer's words read back with a check-back question.
DEMANDS_COMPENSATION = "三个工作日?我下周一就要把这笔钱挪去付首付了!你给我保证这周五下班前一定批下来,不然耽误了我买房,损失你们赔!"


@pytest.mark.parametrize(("context", "reply"), [
    (DEMANDS_COMPENSATION, "给您带来了这样的困扰，我们深表歉意。"),
    ("你们保养多收了我三百块，退给我，我给你们写五星好评。",
     "您是说这次保养多收您的三百块我退给您，您就给我们写个五星好评，我理解得对吗？"),
    ("我不差那几十块钱，你们这么大的平台就这么做事？", "您是说您真不差那几十块钱，我们这么大的平台就这么做事，我理解得对吗？"),
    # the offline composer's letter salutation, in the register of the labelled sets' promising letters
    ("你们业务员骗我买了这个保险,我要全额退保,还要赔我利息!", "尊敬的客户：您好！"),
])
def test_the_stage_honours_apologies_and_read_backs(stage: ModelStage, context: str, reply: str) -> None:
    assert check(reply, context=context, model=stage).ok


@pytest.mark.parametrize(("context", "reply"), [
    (DEMANDS_COMPENSATION, "给您带来了这样的困扰，我们深表歉意，损失我们全赔。"),
    (None, MISSED_BY_RULES.rstrip("。") + "，懂吗？"),
])
def test_an_apology_or_a_read_back_does_not_hide_a_violation(stage: ModelStage, context: str | None,
                                                             reply: str) -> None:
    assert not check(reply, context=context, model=stage).ok


@pytest.mark.parametrize("scenario", ["s025", "s030"])
def test_the_stage_leaves_a_process_offer_alone(stage: ModelStage, scenario: str) -> None:
    """The offline composer's English offers, which the stage flagged in these scenarios before."""
    rows = (json.loads(line) for line in (ROOT / "evals/scenarios/scenarios.jsonl").open(encoding="utf-8"))
    message = next(r["message"] for r in rows if r["id"] == scenario)
    for reply in ("Don't worry, I understand, and I will go through it with you.",
                  "I will pass your views on so that we improve."):
        assert check(reply, context=message, model=stage).ok


def test_coach_s_own_safety_replies_pass_the_guard_with_the_stage(stage: ModelStage) -> None:
    """The escalation lines coach writes (coach/safety.yaml) are trained on as ok: the stage flagged four."""
    from coach.safety import every_line

    rows = builder.safety_rows()
    assert len(rows) > 60 and {r.kind for r in rows} == {"ok"}
    lines = {t for line in every_line() for t in (line.zh, line.en)}
    assert [text for text in lines if not check(text, model=stage).ok] == []


def test_english_is_read_as_words_too() -> None:
    """Squeezed character n-grams blur English word boundaries; words and word pairs are features."""
    english, chinese = builder.Row("I'll get that fee waived, our fault.", "ok", None, "t"), \
        builder.Row("我们会核实。", "ok", None, "t")
    builder.featurise([english, chinese])
    assert {_bucket("w:waived"), _bucket("w:i'll"), _bucket("w:our fault")} <= set(english.features)
    assert _bucket("w:our") not in set(chinese.features)


def _jddc_row(session: str, kind: str = "ok") -> builder.Row:
    return builder.Row("好的", kind, None, "jddc labels", session=session)


def test_jddc_sessions_are_spread_over_the_folds_and_never_split() -> None:
    rows = [builder.Row("x", "ok", None, f"author a{n:02d}") for n in range(5)]
    rows += [_jddc_row(f"s{n}") for n in range(10) for _ in range(3)]
    fold = builder.folds(rows)
    jddc = {(r.session, int(f)) for r, f in zip(rows, fold, strict=True) if r.session}
    assert len({s for s, _ in jddc}) == len(jddc) == 10  # each session in exactly one fold
    assert {f for _, f in jddc} == set(range(builder.FOLDS))  # and real turns in every fold
    assert len({int(f) for r, f in zip(rows, fold, strict=True) if not r.session}) == 5


def test_a_model_flag_on_real_turns_must_be_as_precise_as_the_rules_there() -> None:
    """Out of fold, 0.5 would keep 0.90 overall, but on the real turns its added flags are 1 right in 3 while the
    rules are 2 right in 3 there: the threshold rises until the real turns' added flags are as precise."""
    promise = "unauthorized_promise"
    authored = [builder.Row("x", promise, "deadline", "author a01") for _ in range(27)]
    real = [_jddc_row("r1", promise), _jddc_row("r2"), _jddc_row("r3")]
    ruled = [_jddc_row(f"q{n}", promise if n < 2 else "ok") for n in range(3)]
    for row in ruled:
        row.rule_kinds = {promise}
    rows = authored + real + ruled
    scores = np.array([0.9] * 27 + [0.8, 0.5, 0.5] + [0.0] * 3)
    assert builder._threshold(rows, scores, promise, 0.90) == pytest.approx(0.51)


@pytest.mark.slow
@pytest.mark.skipif(not (builder.REAL_WORLD / "jddc_sessions.jsonl").is_file(),
                    reason="the shipped model also learned from the JDDC turns in ../shared")
def test_the_shipped_model_is_what_the_build_script_makes(tmp_path: Path) -> None:
    """A change to the training rows, the features or the rules must come with a rebuilt model file."""
    out = tmp_path / "guard_model.npz"
    builder.main(["--out", str(out)])
    assert sha256(out) == sha256(ROOT / "coach" / "guard" / "guard_model.npz")


def test_the_test_only_authors_are_scored_by_the_bench_and_never_trained_on() -> None:
    from bench.guard_generalise import unseen_rows

    unseen = unseen_rows()
    assert {r.source for r in unseen} >= {"author a12"} and len(unseen) > 400
    trained = {r.text for r in builder.training_rows(jddc_labels=None)}
    assert not trained & {r.text for r in unseen if len(r.text) > 12}


@pytest.mark.parametrize(("norm", "back"), [
    ("您的订单预计88888月88888日送达您手中", True),   # hedged: the rules would not flag it either
    ("一般明天下午就能送到", True),
    ("预计明天一定送到", False),                      # certainty keeps it a promise
    ("一般都能批下来，应该没问题", False),            # reassurance is a promise even when hedged
])
def test_the_stage_honours_a_hedge_as_the_rules_do(norm: str, back: bool) -> None:
    assert taken_back(norm, "unauthorized_promise") is back
