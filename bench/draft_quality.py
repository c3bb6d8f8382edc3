"""What offline drafts do with a scenarios file: issue named, how alike the replies are, safety handled.

Usage: python -m bench.draft_quality [FILE ...] [--channel counter|phone|chat|letter] [--out PATH]
Default file: evals/scenarios/scenarios.jsonl. Needs an ingested store (COACH_HOME, ``coach ingest``).

Per file it prints:
- issue named: share of scenarios whose reply holds every ``expect.must_mention`` item (simplified,
  case and spaces ignored), and the share of items found;
- mean pairwise character-bigram Jaccard between the replies (lower = replies differ by case);
- safety-flag recall: expected safety flags (coach/safety.yaml) the analysis raised, over all expected;
- escalation on safety cases: share of scenarios expecting a safety flag whose draft escalates;
- promises: replies in which the guard finds any violation (the chain never returns one: must be 0);
- per channel, the longest reply (chat: longest single message) against the channel's limit.
A row's ``channel`` field, when present, is used; else --channel, else the configured default.
"""

from __future__ import annotations

import argparse
import itertools
import json
import typing
from pathlib import Path

from coach import safety
from coach.chain import DraftChain
from coach.config import load_settings
from coach.evaluation.signals import bigrams, mentions
from coach.guard import check
from coach.types import DraftRequest, StaffDomain, Turn

DOMAINS = typing.get_args(StaffDomain)
DEFAULT = Path(__file__).resolve().parent.parent / "evals" / "scenarios" / "scenarios.jsonl"


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def mean_pairwise_jaccard(replies: list[str]) -> float:
    grams = [bigrams(r) for r in replies]
    pairs = list(itertools.combinations(grams, 2))
    return sum(jaccard(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0


def longest_unit(reply: str, channel: str) -> int:
    """Characters the channel's limit applies to: one chat message, or the whole spoken reply."""
    units = reply.split("\n") if channel == "chat" else [reply]
    return max(len(u) for u in units)


def score_file(chain: DraftChain, path: Path, channel: str | None) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    replies, named, items, items_found, promises = [], 0, 0, 0, 0
    expected_flags = found_flags = safety_cases = safety_escalated = 0
    longest: dict[str, int] = {}
    for row in rows:
        conversation = [Turn.model_validate(t) for t in row.get("conversation") or []] or None
        chosen = row.get("channel") or channel
        domain = row.get("domain") if row.get("domain") in DOMAINS else None  # a domain coach does not know: none
        draft = chain.draft(DraftRequest(message=row["message"], conversation=conversation, domain=domain,
                                         channel=chosen))
        replies.append(draft.reply)
        must = row.get("expect", {}).get("must_mention") or []
        hits = mentions(draft.reply, must)
        named += bool(must) and len(hits) == len(must)
        items, items_found = items + len(must), items_found + len(hits)
        promises += not check(draft.reply, role=None, context=row["message"]).ok
        wanted = [f for f in row.get("expect", {}).get("risk_flags") or [] if safety.is_safety(f)]
        expected_flags += len(wanted)
        found_flags += sum(f in draft.risk_flags for f in wanted)
        if wanted:
            safety_cases += 1
            safety_escalated += draft.escalate
        ch = draft.channel
        longest[ch] = max(longest.get(ch, 0), longest_unit(draft.reply, ch))
    with_must = sum(bool(r.get("expect", {}).get("must_mention")) for r in rows)
    lines = [
        f"## {path.name} ({len(rows)} scenarios)", "",
        "| measure | value |", "|---|---:|",
        f"| issue named (every must_mention item) | {named}/{with_must} = {named / max(1, with_must):.2f} |",
        f"| must_mention items found | {items_found}/{items} = {items_found / max(1, items):.2f} |",
        f"| mean pairwise bigram Jaccard | {mean_pairwise_jaccard(replies):.3f} |",
        f"| safety-flag recall | {found_flags}/{expected_flags}"
        f" = {found_flags / expected_flags if expected_flags else float('nan'):.2f} |",
        f"| escalation on safety cases | {safety_escalated}/{safety_cases} |",
        f"| replies with a guard violation | {promises} |",
    ]
    lines += [f"| longest {ch} {'message' if ch == 'chat' else 'reply'} (limit {LIMITS[ch] or 'none'}, English 3×)"
              f" | {n} |" for ch, n in sorted(longest.items())]
    return [*lines, ""]


LIMITS = {"chat": 120, "counter": 200, "phone": 200, "letter": 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--channel", default=None, choices=sorted(LIMITS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    chain = DraftChain(load_settings(backend="offline"))
    lines = ["# Offline drafts on scenario files", ""]
    for path in args.files:
        lines += score_file(chain, path, args.channel)
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
