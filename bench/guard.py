"""Benchmark the guard against a naive keyword baseline, in the same run.

    python -m bench.guard              # all tables; also written to bench/results/guard.md
    python -m bench.guard --errors     # plus the dev-split mistakes (never the held-out ones)
    python -m bench.guard --second-opinion heldout [--limit 40]   # rules vs rules + the configured model

Sentence level: a labelled violation counts as detected when the guard flags the right KIND
(unauthorized_promise / forbidden_phrase); category accuracy says how often the flagged categories
include the labelled one. Splits are reported separately: dev (used for tuning) and heldout (not).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/guard.py` from anywhere
    sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from coach.guard import check  # noqa: E402
from coach.guard import text as guard_text  # noqa: E402
from coach.policy import load_policy  # noqa: E402

DATASETS = ROOT / "evals" / "datasets"
# ../shared beside the main checkout, or beside the worktrees' folder for a worktree under ../wt/NAME.
REAL_WORLD = next((p for p in (ROOT.parent / "shared" / "real-world" / "staff_turns.jsonl",
                               ROOT.parent.parent / "shared" / "real-world" / "staff_turns.jsonl") if p.is_file()),
                  ROOT.parent / "shared" / "real-world" / "staff_turns.jsonl")
JDDC = REAL_WORLD.with_name("jddc_sessions.jsonl")
RESULTS = ROOT / "bench" / "results" / "guard.md"
KIND = {"promise": "unauthorized_promise", "forbidden_phrase": "forbidden_phrase", "taboo": "forbidden_phrase"}

# (category, keyword) pairs: what a reviewer with a highlighter would search for.
_BASELINE = [
    ("refund_outcome", r"退款|退保|全额|退钱|refund"), ("compensation", r"赔偿|补偿|赔|免费|利息|compensat|free"),
    ("guaranteed_outcome", r"保证|承诺|一定|肯定|绝对|guarantee|promise|definitely"),
    ("deadline", r"今天|明天|马上|today|tomorrow"), ("rule_exception", r"破例|特殊|通融|exception"),
    ("liability_admission", r"责任|我们的错|误导|fault"), ("staff_discipline", r"开除|处分|处罚|fire"),
    ("private_deal", r"私下|撤诉|私了"), ("media_statement", r"记者|媒体|采访|press"),
    ("blame_rules", r"规定|没办法|policy"), ("pass_the_buck", r"找经理|找.*部门|管不了"),
    ("dismissive", r"大不了|有什么用"), ("refuse_service", r"下班|办不了|明天再来"),
    ("ignorance", r"不知道|不清楚|don't know"), ("impatience", r"着什么急|没看到我忙|快点"),
]
_PHRASES = {"blame_rules", "pass_the_buck", "dismissive", "refuse_service", "ignorance", "impatience"}
_BASELINE_RE = [(c, re.compile(p)) for c, p in _BASELINE]

Predict = Callable[[dict], set[tuple[str, str]]]  # row -> {(kind, category)}


def guard_predict(row: dict) -> set[tuple[str, str]]:
    report = check(row["text"], role=load_policy().role(row.get("role")), context=row.get("context"))
    return {(v.kind, v.category) for v in report.violations}


def baseline_predict(row: dict) -> set[tuple[str, str]]:
    norm = guard_text.normalise(row["text"])
    return {("forbidden_phrase" if c in _PHRASES else "unauthorized_promise", c)
            for c, pattern in _BASELINE_RE if pattern.search(norm)}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    rows: int = 0
    category_hits: int = 0
    per_category: dict[str, list[int]] = field(default_factory=dict)  # category -> [tp, fp, fn]
    mistakes: list[str] = field(default_factory=list)

    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def f1(self) -> float:
        return 2 * self.p() * self.r() / (self.p() + self.r()) if self.p() + self.r() else 0.0


def score(rows: Iterable[dict], predict: Predict, *, label_kind: Callable[[dict], str | None]) -> Score:
    result = Score()
    for row in rows:
        kind, category = label_kind(row), row.get("category")
        result.rows += 1
        flagged = predict(row)
        hit = kind is not None and any(k == kind for k, _ in flagged)
        if hit:
            result.tp += 1
            result.category_hits += any(c == category for _, c in flagged)
        elif flagged:
            result.fp += 1
        if kind is not None and not hit:
            result.fn += 1
        if kind is None and not flagged:
            result.tn += 1
        if (kind is not None) != bool(flagged) or (hit and category and all(c != category for _, c in flagged)):
            got = sorted(flagged)
            result.mistakes.append(f"{row.get('id', '?')} gold={kind}/{category} got={got} :: {row['text']}")
        _count_categories(result, category if kind else None, {c for _, c in flagged})
    return result


def _count_categories(result: Score, gold: str | None, flagged: set[str]) -> None:
    for category in flagged | ({gold} if gold else set()):
        cell = result.per_category.setdefault(category, [0, 0, 0])
        if category == gold and category in flagged:
            cell[0] += 1
        elif category in flagged:
            cell[1] += 1
        else:
            cell[2] += 1


def _kind_of(row: dict) -> str | None:
    return KIND.get(row["label"])


def _f(x: float) -> str:
    return f"{x:.3f}"


def overall_table(title: str, scores: dict[str, Score]) -> list[str]:
    lines = [f"### {title}", "", "| system | rows | TP | FP | FN | precision | recall | F1 | category acc. |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        accuracy = s.category_hits / s.tp if s.tp else 0.0
        figures = f"{_f(s.p())} | {_f(s.r())} | {_f(s.f1())} | {_f(accuracy)}"
        lines.append(f"| {name} | {s.rows} | {s.tp} | {s.fp} | {s.fn} | {figures} |")
    return [*lines, ""]


def kind_table(title: str, rows: list[dict]) -> list[str]:
    """The guard's precision and recall for each kind on its own: promises, forbidden phrases."""
    cells = {kind: [0, 0, 0] for kind in ("unauthorized_promise", "forbidden_phrase")}
    for row in rows:
        gold, flagged = _kind_of(row), {k for k, _ in guard_predict(row)}
        for kind, cell in cells.items():
            if kind in flagged:
                cell[0 if gold == kind else 1] += 1
            elif gold == kind:
                cell[2] += 1
    lines = [f"#### {title}: by kind (guard)", "", "| kind | TP | FP | FN | precision | recall | F1 |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {kind} | {c[0]} | {c[1]} | {c[2]} | {_prf(c)} |" for kind, c in cells.items()]
    return [*lines, ""]


def category_table(title: str, guard: Score, baseline: Score) -> list[str]:
    lines = [f"#### {title}: per category (guard vs baseline)", "",
             "| category | gold | guard P | guard R | guard F1 | baseline P | baseline R | baseline F1 |",
             "|---|---|---|---|---|---|---|---|"]
    for category in sorted(set(guard.per_category) | set(baseline.per_category)):
        g, b = guard.per_category.get(category, [0, 0, 0]), baseline.per_category.get(category, [0, 0, 0])
        lines.append(f"| {category} | {g[0] + g[2]} | {_prf(g)} | {_prf(b)} |")
    return [*lines, ""]


def _prf(cell: list[int]) -> str:
    tp, fp, fn = cell
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"{_f(p)} | {_f(r)} | {_f(f)}"


def throughput(texts: list[str], predict: Callable[[str], object], seconds: float = 1.5) -> float:
    sentences = sum(len(guard_text.sentences(guard_text.normalise(t))) for t in texts)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            predict(text)
        done += sentences
    return done / (time.perf_counter() - started)


def _load(name: str) -> list[dict]:
    path = DATASETS / name
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _real_world() -> list[dict] | None:
    if not REAL_WORLD.is_file():
        return None
    rows = [json.loads(line) for line in REAL_WORLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["label"] != "unsure"]


def run(show_errors: bool, splits: tuple[str, ...] = ("dev", "heldout")) -> list[str]:
    out = ["## Guard benchmark", ""]
    promises, pairs = _load("promises.jsonl"), _load("context_pairs.jsonl")
    for split, title, rows in _sentence_groups(promises, splits):
        g, b = score(rows, guard_predict, label_kind=_kind_of), score(rows, baseline_predict, label_kind=_kind_of)
        out += overall_table(f"Sentences, {title} ({len(rows)} rows)", {"guard": g, "keyword baseline": b})
        out += kind_table(f"Sentences, {title}", rows)
        out += category_table(f"Sentences, {title}", g, b)
        if show_errors and split == "dev":
            out += _details("dev mistakes", g.mistakes)
    for split in splits:
        rows = [r for r in pairs if r["split"] == split]
        g, b = score(rows, guard_predict, label_kind=_kind_of), score(rows, baseline_predict, label_kind=_kind_of)
        out += overall_table(f"Context pairs, {split} split ({len(rows)} rows)", {"guard": g, "keyword baseline": b})
        if show_errors and split == "dev":
            out += _details("dev context mistakes", g.mistakes)
    out += _real_world_section()
    out += _jddc_section()
    out += _throughput_section([r["text"] for r in promises] or ["我们会在三个工作日内与您联系。"])
    out += _cold_start_section()
    return out


def _sentence_groups(promises: list[dict], splits: tuple[str, ...]) -> list[tuple[str, str, list[dict]]]:
    """Each split, and each held-out round on its own: a round's held-out rows are scored once, when
    the round lands, so its figure is the honest one; earlier rounds have been seen by then."""
    groups = []
    for split in splits:
        rows = [r for r in promises if r["split"] == split]
        groups.append((split, f"{split} split", rows))
        rounds = sorted({r.get("round", 1) for r in rows})
        if split == "heldout" and len(rounds) > 1:
            groups += [
                (split, f"heldout split, round {n}", [r for r in rows if r.get("round", 1) == n]) for n in rounds
            ]
    return groups


def _details(title: str, mistakes: list[str]) -> list[str]:
    return [f"<details><summary>{title}</summary>", "", *[f"- {m}" for m in mistakes], "", "</details>", ""]


def _real_world_section() -> list[str]:
    rows = _real_world()
    if rows is None:
        return ["### Real-world staff turns", "", f"skipped: {REAL_WORLD} is absent.", ""]
    g, b = score(rows, guard_predict, label_kind=_kind_of), score(rows, baseline_predict, label_kind=_kind_of)
    title = (f"Real-world staff turns ({len(rows)} rows, `unsure` excluded; promise→unauthorized_promise, "
             "taboo→forbidden_phrase)")
    return [*overall_table(title, {"guard": g, "keyword baseline": b}), *kind_table("Real-world staff turns", rows)]


def _jddc_section() -> list[str]:
    """False alarms need no labels: the share of real JD.com staff turns the guard flags (each read with the
    four turns before it as context), by category. Target: at most 5 %."""
    if not JDDC.is_file():
        return ["### JDDC staff turns flagged", "", f"skipped: {JDDC} is absent.", ""]
    flagged, total, by_category = 0, 0, Counter()
    for line in JDDC.read_text(encoding="utf-8").splitlines():
        turns = json.loads(line)["turns"] if line.strip() else []
        for i, turn in enumerate(turns):
            if turn["speaker"] != "staff" or not turn["text"].strip():
                continue
            total += 1
            found = check(turn["text"][:20_000], context=turns[max(0, i - 4):i]).violations
            flagged += bool(found)
            by_category.update({v.category for v in found})
    share = flagged / total if total else 0.0
    top = ", ".join(f"{c} {n}" for c, n in by_category.most_common())
    return ["### JDDC staff turns flagged (unlabelled; false-alarm ceiling)", "",
            f"{flagged:,} of {total:,} staff turns flagged: **{share:.1%}** (target ≤ 5 %: "
            f"{'met' if share <= 0.05 else 'NOT met'}). By category: {top}.", ""]


def _throughput_section(texts: list[str]) -> list[str]:
    guard_rate = throughput(texts, lambda t: check(t))
    base_rate = throughput(texts, lambda t: baseline_predict({"text": t}))
    return ["### Throughput (one process, one core)", "", "| system | sentences/s |", "|---|---|",
            f"| guard | {guard_rate:,.0f} |", f"| keyword baseline | {base_rate:,.0f} |",
            f"| ratio baseline/guard | {base_rate / guard_rate:.1f}× |", ""]


def _cold_start_section(runs: int = 20) -> list[str]:
    """`coach check` as a user starts it, each run in a fresh process, in alternation with two floors
    (the bare interpreter; the interpreter importing the CLI's own libraries), so that the machine's
    drift falls on every row alike."""
    text = "您好，我们保证三天内全额退款。"
    commands = {
        "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
        "import typer, rich, pydantic, yaml (library floor)": [
            sys.executable, "-c", "import typer, rich.console, pydantic, pydantic_settings, yaml"],
        "coach check TEXT": [sys.executable, "-m", "coach", "check", text],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            samples[name].append(time.perf_counter() - started)
    lines = ["### `coach check` cold start (fresh process each run, wall)", "",
             "| command | min s | p50 s | p90 s |", "|---|---|---|---|"]
    for name, values in samples.items():
        lines.append(f"| {name} | {min(values):.3f} | {statistics.median(values):.3f} | {percentile(values, .9):.3f} |")
    p50 = statistics.median(samples["coach check TEXT"])
    return [*lines, "", f"Target p50 ≤ 1 s: {'met' if p50 <= 1 else 'NOT met'} ({p50:.3f} s over {runs} runs).", ""]


def second_opinion_run(split: str, limit: int | None) -> list[str]:
    """Rules alone against rules + the configured model's second opinion, on the same rows: the sets where
    the rules fall short (each round's rows of ``split``, context pairs, real-world turns). Each row costs
    one model call; ``limit`` takes the first N rows of each set."""
    from coach.config import load_settings
    from coach.guard.review import SecondOpinion
    from coach.types import GuardReport

    settings = load_settings()
    policy = load_policy(settings.policy)  # one policy for both columns
    reviewer = SecondOpinion.from_settings(settings, policy)
    seconds: list[float] = []

    def rules(row: dict) -> GuardReport:
        return check(row["text"], role=policy.role(row.get("role")), context=row.get("context"), policy=policy)

    def reviewed(row: dict) -> set[tuple[str, str]]:
        started = time.perf_counter()
        report = reviewer.review(row["text"], rules(row), role=policy.role(row.get("role")), context=row.get("context"))
        seconds.append(time.perf_counter() - started)
        return {(v.kind, v.category) for v in report.violations}

    promises = [r for r in _load("promises.jsonl") if r["split"] == split]
    sets = [(f"sentences, {split}, round {n}", [r for r in promises if r.get("round", 1) == n])
            for n in sorted({r.get("round", 1) for r in promises})]
    sets.append((f"context pairs, {split}", [r for r in _load("context_pairs.jsonl") if r["split"] == split]))
    sets.append(("real-world staff turns", _real_world() or []))
    out = [f"## Guard second opinion: {reviewer.backend.model} at {settings.openai_base_url}", ""]
    for title, rows in sets:
        rows = rows[:limit] if limit else rows
        if rows:
            out += overall_table(f"{title} ({len(rows)} rows)", {
                "rules": score(rows, lambda row: {(v.kind, v.category) for v in rules(row).violations},
                               label_kind=_kind_of),
                "rules + second opinion": score(rows, reviewed, label_kind=_kind_of)})
    if seconds:
        p50, p95 = statistics.median(seconds), percentile(seconds, .95)
        out += [f"Model latency per row: p50 {p50:.2f} s, p95 {p95:.2f} s.", ""]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="also list the dev-split mistakes")
    parser.add_argument("--dev-only", action="store_true", help="tuning mode: leave the held-out split alone")
    parser.add_argument("--second-opinion", choices=("dev", "heldout"),
                        help="score rules + the configured model (OPENAI_BASE_URL, COACH_MODEL) on this split")
    parser.add_argument("--limit", type=int, help="with --second-opinion: the first N rows of each set")
    args = parser.parse_args(argv)
    if args.second_opinion:
        from coach.errors import CoachError

        try:
            print("\n".join(second_opinion_run(args.second_opinion, args.limit)))
        except CoachError as exc:
            print(f"{exc.message}\n  fix: {exc.fix}", file=sys.stderr)
            raise SystemExit(2) from exc
        return
    lines = run(args.errors, ("dev",) if args.dev_only else ("dev", "heldout"))
    text = "\n".join(lines)
    print(text)
    if not (args.errors or args.dev_only):
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
