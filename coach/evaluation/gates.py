"""Thresholds: what a run must reach to pass. ``*_rate`` names are ceilings, every other name a floor.

Precedence: built-in defaults < ``evals/thresholds.yaml`` (``default:``, then ``backends.<name>:``) <
``--threshold metric=value``. The built-in defaults make "the final drafts are safe" and "this model
and prompt are fit" both part of the gate: every final draft free of promises and forbidden phrases,
no case that could not run, and — for any backend but the offline composer — at most 5 % of cases
falling back and no raw model output making an unauthorised promise.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.backends.registry import OFFLINE
from coach.errors import ConfigError
from coach.evaluation.results import Gate, Rate, Summary
from coach.yaml_input import load_yaml

RATES = ("raw_promise_rate", "raw_violation_rate", "fallback_rate", "error_rate")
BUILTIN: dict[str, float] = {"no_unauthorized_promise": 1.0, "no_forbidden_phrase": 1.0, "error_rate": 0.0}
BUILTIN_MODEL: dict[str, float] = {"fallback_rate": 0.05, "raw_promise_rate": 0.0}


class ThresholdsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: dict[str, float] = Field(default_factory=dict)
    backends: dict[str, dict[str, float]] = Field(default_factory=dict)


def parse_value(text: str) -> float:
    """``0.95``, ``95%`` or ``95 %`` → 0.95."""
    raw = text.strip()
    try:
        value = float(raw.rstrip("% ").strip()) / (100 if raw.endswith("%") else 1)
    except ValueError as exc:
        raise ConfigError(
            f"threshold value {text!r} is not a number", "write e.g. --threshold fallback_rate=0.05 or =5%"
        ) from exc
    if not 0 <= value <= 1:
        raise ConfigError(
            f"threshold value {text!r} is outside 0–1", "rates and pass rates are between 0 and 1 (0%–100%)"
        )
    return value


def parse_overrides(items: list[str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--threshold {item!r} is not metric=value", "write e.g. --threshold grounded=0.9")
        found[name.strip()] = parse_value(value)
    return found


def load(backend: str, path: Path | None, overrides: dict[str, float]) -> dict[str, float]:
    thresholds = dict(BUILTIN)
    if backend != OFFLINE:
        thresholds.update(BUILTIN_MODEL)
    if path is not None:
        if not path.is_file():
            raise ConfigError(
                f"thresholds file not found: {path}", "pass --thresholds evals/thresholds.yaml or omit it"
            )
        data = load_yaml(path, "thresholds file", "pass --thresholds evals/thresholds.yaml or omit it")
        try:
            parsed = ThresholdsFile.model_validate(data or {})
        except ValidationError as exc:
            raise ConfigError(
                f"{path} is not a valid thresholds file: {str(exc).splitlines()[0]}",
                "write `default: {metric: value}` and optionally `backends: {openai: {...}}`",
            ) from exc
        thresholds.update(parsed.default)
        thresholds.update(parsed.backends.get(backend, {}))
    thresholds.update(overrides)
    return thresholds


def evaluate(summary: Summary, thresholds: dict[str, float]) -> list[Gate]:
    gates = []
    for name, limit in sorted(thresholds.items()):
        if name.endswith(".case"):  # per-case setting of a metric, not a gate
            continue
        ceiling = name in RATES or name.endswith("_rate")
        rate: Rate | None = summary.rates.get(name) if ceiling else summary.metrics.get(name)
        value = rate.rate if rate else None
        if value is None:
            gates.append(
                Gate(
                    metric=name,
                    op="<=" if ceiling else ">=",
                    threshold=limit,
                    value=None,
                    passed=True,
                    detail="not measured in this run",
                )
            )
            continue
        passed = value <= limit + 1e-9 if ceiling else value >= limit - 1e-9
        detail = f"{rate.passed}/{rate.total}" if rate else ""
        gates.append(
            Gate(metric=name, op="<=" if ceiling else ">=", threshold=limit, value=value, passed=passed, detail=detail)
        )
    return gates
