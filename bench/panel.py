"""A blind panel of team leads for offline drafts: draft, build the blind files, score the verdicts.

    python -m bench.panel drafts OUT.jsonl [FILE ...]   # drafts by the code on sys.path (default: s1, s2)
    python -m bench.panel build DIR A.jsonl [B.jsonl ...] [--cases FILE ...]
                                                          # DIR/panel_r1..3.md (letters shuffled per case) + key.json
    python -m bench.panel score DIR                       # DIR/scores_r*.jsonl + key.json -> per-system figures

To compare versions, run ``drafts`` in a git worktree of each (``PYTHONPATH=$PWD``) against the same
ingested COACH_HOME; the first drafts file given to ``build`` is the baseline the others are compared with.
Reviewers are people or helpers briefed by evals/panels/BRIEF.md who see only their panel file; each writes
``{"case", "reply": letter, "score": 1-5, "why"}`` lines to DIR/scores_rN.jsonl.
``score`` un-blinds with key.json: mean per system (each case's mean over reviewers), the safety cases' mean
and how many a majority scored ≤ 2, per channel, per-case wins, and how often reviewers agreed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "evals" / "scenarios"
HELD_OUT = [SCENARIOS / f"heldout_s{n}.jsonl" for n in (1, 2)]
LETTERS = "ABCDE"
SAFETY_FLAGS = {"self_harm", "fraud_in_progress", "violence", "injury", "privacy_breach", "minor"}


def read_jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def scenarios(files: list[Path]) -> dict[str, dict]:  # type: ignore[type-arg]
    return {row["id"]: row for path in files for row in read_jsonl(path)}


def write_drafts(out: Path, files: list[Path]) -> None:
    from coach.chain import DraftChain
    from coach.config import load_settings
    from coach.types import DraftRequest, Turn

    chain = DraftChain(load_settings(backend="offline"))
    known = DraftRequest.model_fields
    rows = []
    for case in scenarios(files).values():
        request = {"message": case["message"],
                   "conversation": [Turn.model_validate(t) for t in case.get("conversation") or []] or None}
        if "channel" in known:  # older versions had no channel
            request["channel"] = case.get("channel")
        draft = chain.draft(DraftRequest(**request))
        rows.append({"id": case["id"], "reply": draft.reply, "risk_flags": list(draft.risk_flags),
                     "escalate": draft.escalate, "advice": [a.model_dump() for a in draft.escalation_advice]})
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} drafts -> {out}")


def staff_steps(draft: dict) -> str:  # type: ignore[type-arg]
    advice = ["，".join(str(v) for k, v in a.items() if k != "flag" and isinstance(v, str) and v)
              for a in draft.get("advice", [])]
    return " / ".join(advice[:4]) or "(none)"


def is_safety_case(case: dict) -> bool:  # type: ignore[type-arg]
    """Authors tag safety cases differently; the labelled flags say it for all of them."""
    return "safety" in case.get("tags", []) or bool(SAFETY_FLAGS & set(case["expect"].get("risk_flags") or []))


def every_held_out_case() -> dict[str, dict]:  # type: ignore[type-arg]
    """Case ids are unique across the held-out files, so a panel's verdicts are looked up in all of them."""
    return scenarios(sorted(SCENARIOS.glob("heldout_*.jsonl")))


def build(systems: dict[str, Path], folder: Path, files: list[Path] = HELD_OUT, reviewers: int = 3) -> None:
    cases = scenarios(files)
    drafts = {name: {d["id"]: d for d in read_jsonl(path)} for name, path in systems.items()}
    folder.mkdir(parents=True, exist_ok=True)
    key: dict[str, dict[str, dict[str, str]]] = {}
    for reviewer in range(1, reviewers + 1):
        rng = random.Random(1000 + reviewer)
        ids = sorted(cases)
        rng.shuffle(ids)
        blocks = []
        for cid in ids:
            case, names = cases[cid], list(systems)
            rng.shuffle(names)
            key.setdefault(str(reviewer), {})[cid] = dict(zip(LETTERS, names, strict=False))
            lines = [f"## Case {cid}",
                     f"channel: {case['channel']} | domain: {case['domain']} | language: {case['lang']}"]
            if case.get("conversation"):
                lines.append("earlier turns:\n" + "\n".join(f"  {t['speaker']}: {t['text']}"
                                                            for t in case["conversation"]))
            lines.append(f"customer now: {case['message']}")
            for letter, name in zip(LETTERS, names, strict=False):
                draft = drafts[name][cid]
                lines.append(f"### Reply {letter}\n{draft['reply']}\nstaff steps: {staff_steps(draft)}")
            blocks.append("\n".join(lines))
        (folder / f"panel_r{reviewer}.md").write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    (folder / "key.json").write_text(json.dumps(key, indent=1), encoding="utf-8")
    (folder / "systems.json").write_text(json.dumps(list(systems)), encoding="utf-8")
    print(f"{reviewers} blind files and key.json -> {folder}")


def score(folder: Path) -> str:
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    cases = every_held_out_case()
    by_system: dict[str, dict[str, list[int]]] = {}
    for reviewer, letters in key.items():
        for verdict in read_jsonl(folder / f"scores_r{reviewer}.jsonl"):
            name = letters[verdict["case"]][verdict["reply"]]
            by_system.setdefault(name, {}).setdefault(verdict["case"], []).append(int(verdict["score"]))
    lines = ["| system | cases | mean | safety mean | safety cases ≤ 2 (majority) | counter | phone | chat | letter |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, per_case in by_system.items():
        means = {cid: statistics.mean(s) for cid, s in per_case.items()}
        safety = [cid for cid in per_case if is_safety_case(cases[cid])]
        low = sum(statistics.median(per_case[cid]) <= 2 for cid in safety)
        channel = {ch: [m for cid, m in means.items() if cases[cid]["channel"] == ch]
                   for ch in ("counter", "phone", "chat", "letter")}
        lines.append(f"| {name} | {len(means)} | {statistics.mean(means.values()):.2f} | "
                     f"{statistics.mean(means[c] for c in safety):.2f} | {low}/{len(safety)} | "
                     + " | ".join(f"{statistics.mean(m):.2f}" if m else "—" for m in channel.values()) + " |")
    gaps = [abs(a - b) for per_case in by_system.values() for s in per_case.values()
            for a, b in itertools.combinations(s, 2)]
    order = folder / "systems.json"  # the baseline first; older panels kept it only as the first name seen
    baseline, *others = json.loads(order.read_text(encoding="utf-8")) if order.exists() else list(by_system)
    lines.append("")
    for other in others:
        first, second = by_system[baseline], by_system[other]
        better = sum(statistics.mean(second[c]) > statistics.mean(first[c]) for c in second)
        worse = sum(statistics.mean(second[c]) < statistics.mean(first[c]) for c in second)
        lines.append(f"{other} scored higher than {baseline} on {better} cases, lower on {worse}.")
    lines.append(f"Reviewers gave the same score to a reply {sum(g == 0 for g in gaps) / len(gaps):.0%} of the time "
                 f"(mean gap {statistics.mean(gaps):.2f}).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    drafts = sub.add_parser("drafts")
    drafts.add_argument("out", type=Path)
    drafts.add_argument("files", nargs="*", type=Path, default=HELD_OUT)
    blind = sub.add_parser("build")
    blind.add_argument("folder", type=Path)
    blind.add_argument("drafts", nargs="+", type=Path, help="one drafts file per system, the baseline first")
    blind.add_argument("--cases", nargs="+", type=Path, default=HELD_OUT)
    result = sub.add_parser("score")
    result.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.command == "drafts":
        write_drafts(args.out, args.files)
    elif args.command == "build":
        if not 1 <= len(args.drafts) <= len(LETTERS):
            parser.error(f"build takes 1 to {len(LETTERS)} drafts files")
        build({path.stem: path for path in args.drafts}, args.folder, args.cases)
    else:
        print(score(args.folder))


if __name__ == "__main__":
    main()
