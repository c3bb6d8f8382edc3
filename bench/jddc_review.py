"""The guard's flags on real JD.com chat, read by a person: a TUNE half to learn from, a MEASURE half to report.

    python -m bench.jddc_review dump tune  OUT.jsonl      # every flag on the TUNE half, for reading (text included:
                                                          # OUT must stay outside the repo)
    python -m bench.jddc_review dump measure OUT.jsonl    # the same for MEASURE: once, at the end
    python -m bench.jddc_review score REVIEW.jsonl [FLAGS.jsonl ...]   # reviewed precision of each flags file
    python -m bench.jddc_review share                      # share of all 5,100 staff turns flagged, this code
    python -m bench.jddc_review labels LABELS.jsonl        # score this code on a labelled random sample: P/R per
                                                          # kind and the share flagged, rules and rules + model
                                                          # (e.g. evals/datasets/jddc_measure_a.jsonl)
    python -m bench.jddc_review labels LABELS.jsonl --model M.npz   # the same with another model file (one built
                                                          # without LABELS: the cross-file estimate of run 7)

**The split** (``half``): the sessions of ``../shared/real-world/jddc_sessions.jsonl`` that are not in
``evals/datasets/jddc_labels.jsonl`` are cut in two by a fixed hash of the session id:
``sha256("guard5-split:" + session)``, first byte even → ``tune``, odd → ``measure``. Labelled sessions are
``labelled`` (the model learns from them). The rule depends on nothing but the id, so it is the same on every
machine and in every run, and a session never changes side. Written down before any flag was read (branch
guard5, 2026-12-06): rules and the model stage were fitted on ``tune`` and the labelled turns only; ``measure``'s
flags were read once, at the end, to report precision.

A review file (``evals/datasets/jddc_review_*.jsonl``) holds references and labels only, no turn text: one row
per flagged (session, turn, kind), ``{"session", "turn", "half", "kind", "verdict": "right"|"wrong", "why"}``.
A flag counts as right when the turn really holds a violation of that kind under the labelling rules of
``../shared/real-world/README.md`` (the category is not scored); the verdict does not depend on which detector
raised it, so one review scores the flags of any version of the guard on the same turns.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.build_guard_model import DATASETS, REAL_WORLD, jsonl_rows  # noqa: E402

SESSIONS = REAL_WORLD / "jddc_sessions.jsonl"
SALT = "guard5-split:"


def half(session: str, labelled: frozenset[str] | set[str] = frozenset()) -> str:
    """``labelled``, ``tune`` or ``measure``: the fixed split of the JDDC sessions (see the module's docstring)."""
    if session in labelled:
        return "labelled"
    return "tune" if hashlib.sha256((SALT + session).encode("utf-8")).digest()[0] % 2 == 0 else "measure"


def labelled_sessions() -> set[str]:
    return {r["session"] for r in jsonl_rows(DATASETS / "jddc_labels.jsonl")}


def staff_turns(path: Path = SESSIONS) -> Iterator[tuple[str, str, int, str, list[dict]]]:
    """(half, session, turn index, text, the four turns before it) for every non-empty staff turn."""
    labelled = labelled_sessions()
    for session in jsonl_rows(path):
        turns = session["turns"]
        for index, turn in enumerate(turns):
            if turn["speaker"] == "staff" and turn["text"].strip():
                yield half(session["session"], labelled), session["session"], index, turn["text"], \
                    turns[max(0, index - 4):index]


def flags(which: str | None = None) -> Iterator[dict]:
    """Every flagged staff turn (of one half, or all), as the bench reads it: rules + the shipped model."""
    from coach.guard import check
    from coach.guard.model import load_stage
    from coach.policy import load_policy

    policy, stage = load_policy(), load_stage()
    for side, session, index, text, context in staff_turns():
        if which and side != which:
            continue
        report = check(text[:20_000], context=context, policy=policy, model=stage)
        if report.violations:
            yield {"session": session, "turn": index, "half": side,
                   "flags": sorted({(v.kind, v.category, v.detector) for v in report.violations})}


def share() -> dict[str, tuple[int, int]]:
    """(flagged, total) staff turns per half and overall, rules + model."""
    from coach.guard import check
    from coach.guard.model import load_stage
    from coach.policy import load_policy

    policy, stage = load_policy(), load_stage()
    counts: dict[str, list[int]] = {}
    for side, _session, _index, text, context in staff_turns():
        found = bool(check(text[:20_000], context=context, policy=policy, model=stage).violations)
        for key in (side, "all"):
            pair = counts.setdefault(key, [0, 0])
            pair[0] += found
            pair[1] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}


def precision(review: list[dict], flagged: list[dict]) -> dict[str, tuple[int, int, int]]:
    """(right, wrong, unreviewed) per detector group: flags of ``flagged`` judged by ``review``."""
    verdicts = {(r["session"], r["turn"], r["kind"]): r["verdict"] for r in review}
    out = {"rules": [0, 0, 0], "model": [0, 0, 0], "both": [0, 0, 0]}
    for row in flagged:
        kinds: dict[str, set[str]] = {}
        for kind, _category, detector in row["flags"]:
            kinds.setdefault(kind, set()).add(detector)
        for kind, detectors in kinds.items():
            verdict = verdicts.get((row["session"], row["turn"], kind))
            slot = 2 if verdict is None else 0 if verdict == "right" else 1
            for group in ("rules", "model"):
                if group in detectors:
                    out[group][slot] += 1
            out["both"][slot] += 1
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


KINDS = ("unauthorized_promise", "forbidden_phrase")
_GOLD = {"promise": "unauthorized_promise", "forbidden_phrase": "forbidden_phrase"}


def gold_kinds(label: dict) -> set[str]:
    """The kinds a labelled row holds: its label's, plus a phrase when ``also_forbidden_phrase`` is set."""
    kinds = {_GOLD[label["label"]]} if label.get("label") in _GOLD else set()
    if label.get("also_forbidden_phrase"):
        kinds.add("forbidden_phrase")
    return kinds


def score_labels(labels: list[dict], predicted: dict[tuple[str, int], set[str]]) -> dict[str, dict[str, float]]:
    """Per kind: gold, flagged, right, precision, recall; and under ``"all"`` the share of rows flagged.

    ``predicted`` maps (session, turn) to the kinds flagged on it; a labelled row missing from it (its session or
    turn is not in ``jddc_sessions.jsonl``) is not scored. ``unsure`` rows are left out, as the labelling rules say.
    A kind with no gold row scores recall 1.0, with no flag precision 1.0, by convention."""
    rows = [(gold_kinds(r), predicted[(r["session"], r["turn"])]) for r in labels
            if r.get("label") != "unsure" and (r["session"], r["turn"]) in predicted]
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        gold = sum(kind in g for g, _ in rows)
        flagged = sum(kind in f for _, f in rows)
        right = sum(kind in g and kind in f for g, f in rows)
        out[kind] = {"gold": gold, "flagged": flagged, "right": right,
                     "precision": right / flagged if flagged else 1.0, "recall": right / gold if gold else 1.0}
    out["all"] = {"rows": len(rows), "flagged": sum(bool(f) for _, f in rows),
                  "share": sum(bool(f) for _, f in rows) / len(rows) if rows else 0.0}
    return out


def label_predictions(labels: list[dict], path: Path = SESSIONS,
                      model: Path | None = None) -> dict[str, dict[tuple[str, int], set[str]]]:
    """The kinds this code flags on each labelled turn (read with its four turns before it), for the rules alone
    (``"rules"``) and the rules + the shipped model, or the model file ``model`` (``"rules + model"``)."""
    from coach.guard import check
    from coach.guard.model import load_stage
    from coach.policy import load_policy

    wanted = {(r["session"], r["turn"]) for r in labels}
    policy, stage = load_policy(), (load_stage() if model is None else load_stage(model))
    out: dict[str, dict[tuple[str, int], set[str]]] = {"rules": {}, "rules + model": {}}
    for _side, session, index, text, context in staff_turns(path):
        if (session, index) not in wanted:
            continue
        report = check(text[:20_000], context=context, policy=policy, model=stage)
        out["rules"][(session, index)] = {v.kind for v in report.violations if v.detector == "rules"}
        out["rules + model"][(session, index)] = {v.kind for v in report.violations}
    return out


def labels_report(labels: list[dict], path: Path = SESSIONS, model: Path | None = None) -> list[str]:
    predicted = label_predictions(labels, path, model)
    lines = ["| system | promise P | promise R | phrase P | phrase R | share flagged |", "|---|---|---|---|---|---|"]
    for name, flagged in predicted.items():
        s = score_labels(labels, flagged)
        p, f = s["unauthorized_promise"], s["forbidden_phrase"]
        lines.append(f"| {name} | {p['precision']:.3f} ({p['right']:.0f}/{p['flagged']:.0f}) | {p['recall']:.3f} "
                     f"({p['right']:.0f}/{p['gold']:.0f}) | {f['precision']:.3f} ({f['right']:.0f}/{f['flagged']:.0f}) "
                     f"| {f['recall']:.3f} ({f['right']:.0f}/{f['gold']:.0f}) | {s['all']['share']:.1%} "
                     f"({s['all']['flagged']:.0f}/{s['all']['rows']:.0f}) |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump")
    dump.add_argument("which", choices=("tune", "measure", "labelled", "all"))
    dump.add_argument("out", type=Path)
    dump.add_argument("--text", action="store_true", help="include the turn and its context (for reading only)")
    score = sub.add_parser("score")
    score.add_argument("review", type=Path)
    score.add_argument("flagged", type=Path, nargs="+")
    sub.add_parser("share")
    labelled = sub.add_parser("labels")
    labelled.add_argument("labels", type=Path, help="a labelled random sample (session, turn, label, ...)")
    labelled.add_argument("--misses", action="store_true",
                          help="also list the references (session, turn, kind) of misses and false flags")
    labelled.add_argument("--model", type=Path, help="score rules + this model file instead of the shipped one "
                          "(e.g. one built without this file: scripts/build_guard_model.py --jddc-labels ... --out)")
    args = parser.parse_args(argv)
    if not SESSIONS.is_file():
        print(f"skipped: {SESSIONS} is absent.")
        return
    {"dump": _dump, "score": _score, "labels": _labels, "share": _share}[args.command](args)


def _dump(args: argparse.Namespace) -> None:
    texts = {(s, i): (t, c) for _h, s, i, t, c in staff_turns()} if args.text else {}
    with args.out.open("w", encoding="utf-8") as out:
        for row in flags(None if args.which == "all" else args.which):
            if args.text:
                row["text"], context = texts[(row["session"], row["turn"])]
                row["context"] = [f"{t['speaker']}: {t['text']}" for t in context]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _score(args: argparse.Namespace) -> None:
    review = jsonl_rows(args.review)
    for path in args.flagged:
        for group, (right, wrong, missing) in precision(review, jsonl_rows(path)).items():
            judged = right + wrong
            print(f"{path.name} {group}: {right}/{judged} = {right / judged if judged else 0:.3f}"
                  + (f" ({missing} unreviewed)" if missing else ""))


def _labels(args: argparse.Namespace) -> None:
    rows = jsonl_rows(args.labels)
    print(f"{args.labels.name}: {len(rows)} labelled turns")
    print("\n".join(labels_report(rows, model=args.model)))
    if not args.misses:
        return
    flagged = label_predictions(rows, model=args.model)["rules + model"]
    for r in rows:
        key = (r["session"], r["turn"])
        if key not in flagged or r.get("label") == "unsure":
            continue
        for kind in sorted(gold_kinds(r) ^ flagged[key]):
            print(f"{'miss' if kind in gold_kinds(r) else 'false flag'}: {r['session']} {r['turn']} {kind}")


def _share(_args: argparse.Namespace) -> None:
    for key, (found, total) in sorted(share().items()):
        print(f"{key}: {found}/{total} = {found / total:.1%}")

if __name__ == "__main__":
    main()
