"""Compare two runs: per-metric deltas, the cases that flipped pass↔fail, both drafts side by side."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from coach.errors import InputError
from coach.evaluation.results import Comparison, RunResult


def load_run(path: Path) -> RunResult:
    """A run directory (holding results.json) or the results.json itself."""
    file = path / "results.json" if path.is_dir() else path
    if not file.is_file():
        raise InputError(f"no results.json at {path}", "pass the --out directory of an earlier `coach eval run`")
    try:
        return RunResult.model_validate_json(file.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise InputError(
            f"{file} is not a coach eval result: {exc.errors()[0]['msg']}",
            "pass a results.json written by `coach eval run`",
        ) from exc


def compare(baseline: RunResult, current: RunResult) -> Comparison:
    names = list(dict.fromkeys([*baseline.summary.metrics, *current.summary.metrics, *current.summary.rates]))
    deltas: dict[str, tuple[float | None, float | None, float | None]] = {}
    for name in names:
        a = _rate(baseline, name)
        b = _rate(current, name)
        deltas[name] = (a, b, None if a is None or b is None else round(b - a, 4))
    before = {(c.suite, c.case_id): c for c in baseline.cases}
    after = {(c.suite, c.case_id): c for c in current.cases}
    flipped = []
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            continue
        for metric in now.metrics:
            old = then.metric(metric.name)
            if old is None or old.passed is None or metric.passed is None or old.passed == metric.passed:
                continue
            flipped.append(
                {
                    "case": f"{key[0]}/{key[1]}",
                    "metric": metric.name,
                    "change": "fail→pass" if metric.passed else "pass→fail",
                    "baseline_reply": then.reply,
                    "current_reply": now.reply,
                    "baseline_reason": old.reason,
                    "current_reason": metric.reason,
                }
            )
    return Comparison(
        baseline=baseline.run_id,
        current=current.run_id,
        deltas=deltas,
        flipped=flipped,
        only_in_baseline=[f"{s}/{c}" for s, c in before if (s, c) not in after],
        only_in_current=[f"{s}/{c}" for s, c in after if (s, c) not in before],
    )


def _rate(run: RunResult, name: str) -> float | None:
    rate = run.summary.metrics.get(name) or run.summary.rates.get(name)
    return rate.rate if rate else None
