"""Score replies trainees wrote for the scenarios with the same metrics, and build a scorecard per trainee.

Input: JSONL (``{"trainee", "scenario_id", "reply"}`` per line) or CSV with those columns. The CSV
exports are UTF-8 with a BOM so that Excel opens the Chinese text correctly.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from deepeval.test_case import LLMTestCase
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coach.errors import InputError
from coach.evaluation.results import MetricResult, Rate
from coach.evaluation.runner import _measure
from coach.evaluation.suites import Scenario


class TraineeReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    trainee: str = Field(min_length=1)
    scenario_id: str = Field(min_length=1)
    reply: str = Field(min_length=1)


class ScoredReply(BaseModel):
    trainee: str
    scenario_id: str
    reply: str
    metrics: list[MetricResult]

    @property
    def failed(self) -> list[MetricResult]:
        return [m for m in self.metrics if m.passed is False]


class Scorecard(BaseModel):
    trainee: str
    replies: int
    passed_all: int
    metrics: dict[str, Rate]
    worst: list[ScoredReply]


def read_replies(path: Path) -> list[TraineeReply]:
    if not path.is_file():
        raise InputError(f"replies file not found: {path}", "pass a .jsonl or .csv file of trainee replies")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", "save the file as UTF-8 (Excel: CSV UTF-8)") from exc
    rows: Iterable[dict[str, Any]]
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}:{number}: not valid JSON ({exc.msg})",
                        'write one {"trainee", "scenario_id", "reply"} object per line',
                    ) from exc
    replies = []
    for number, row in enumerate(rows, start=1):
        try:
            replies.append(TraineeReply.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(
                f"{path}: row {number}: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                "every row needs trainee, scenario_id and reply",
            ) from exc
    if not replies:
        raise InputError(f"{path} holds no replies", "put one reply per line (JSONL) or per row (CSV)")
    return replies


def score(
    replies: list[TraineeReply], scenarios: dict[str, Scenario], metrics: list[Any], citations: Any
) -> list[ScoredReply]:
    """``citations(scenario, reply)`` gives the citations Grounded reads (the chain's cite_reply)."""
    unknown = sorted({r.scenario_id for r in replies} - set(scenarios))
    if unknown:
        raise InputError(
            f"unknown scenario ids: {', '.join(unknown[:10])}", "use ids from evals/scenarios/scenarios.jsonl (s001…)"
        )
    scored = []
    for reply in replies:
        scenario = scenarios[reply.scenario_id]
        case = LLMTestCase(
            input=scenario.message,
            actual_output=reply.reply,
            metadata={"scenario": scenario, "citations": citations(scenario, reply.reply)},
        )
        scored.append(
            ScoredReply(
                trainee=reply.trainee,
                scenario_id=reply.scenario_id,
                reply=reply.reply,
                metrics=[_measure(m, case) for m in metrics],
            )
        )
    return scored


def scorecards(scored: list[ScoredReply], worst: int = 3) -> list[Scorecard]:
    cards = []
    for trainee in dict.fromkeys(s.trainee for s in scored):
        mine = [s for s in scored if s.trainee == trainee]
        rates: dict[str, Rate] = {}
        for s in mine:
            for m in s.metrics:
                if m.passed is not None:
                    rates.setdefault(m.name, Rate()).add(m.passed)
        ranked = sorted((s for s in mine if s.failed), key=lambda s: (-len(s.failed), s.scenario_id))
        cards.append(
            Scorecard(
                trainee=trainee,
                replies=len(mine),
                passed_all=sum(not s.failed for s in mine),
                metrics=rates,
                worst=ranked[:worst],
            )
        )
    return cards


def write_csv(cards: list[Scorecard], scored: list[ScoredReply], out: Path) -> tuple[Path, Path]:
    """scorecard.csv (one row per trainee) and replies.csv (one row per reply), UTF-8 with BOM."""
    out.mkdir(parents=True, exist_ok=True)
    names = list(dict.fromkeys(m.name for s in scored for m in s.metrics))
    card_path, reply_path = out / "scorecard.csv", out / "replies.csv"
    with card_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trainee", "replies", "passed_all", *names, "worst_scenario", "worst_rule"])
        for card in cards:
            worst = card.worst[0] if card.worst else None
            writer.writerow(
                [
                    card.trainee,
                    card.replies,
                    card.passed_all,
                    *[_fmt(card.metrics.get(n)) for n in names],
                    worst.scenario_id if worst else "",
                    _rules(worst) if worst else "",
                ]
            )
    with reply_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["trainee", "scenario_id", "passed", "rules_broken", "reply"])
        for s in scored:
            writer.writerow([s.trainee, s.scenario_id, "yes" if not s.failed else "no", _rules(s), s.reply])
    return card_path, reply_path


def _fmt(rate: Rate | None) -> str:
    return "" if rate is None or rate.rate is None else f"{rate.rate * 100:.0f}%"


def _rules(s: ScoredReply) -> str:
    return "; ".join(f"{m.name}: {m.rule or ''} {m.reason}".strip() for m in s.failed)
