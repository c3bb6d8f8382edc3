"""``coach eval run | compare | replies``: thin shells over coach.evaluation.

Exit codes: 0 every threshold passes; 1 a threshold fails (each failing metric is named); 2 the run
could not happen (bad input, empty store, unreachable model endpoint), with the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coach.cli._common import EXIT_FAILED, EXIT_FINDINGS, console, err_console, reports_errors

if TYPE_CHECKING:  # the CLI imports its machinery only inside the command that needs it
    from coach.evaluation.suites import Scenario
    from coach.types import Citation, Passage

eval_app = typer.Typer(
    no_args_is_help=True, help="评测 / Evaluate drafts, models and trainee replies against the suites."
)


def _default_thresholds() -> Path | None:
    from coach.evaluation.suites import evals_dir

    path = evals_dir() / "thresholds.yaml"
    return path if path.is_file() else None


@eval_app.command("run")
@reports_errors
def run(
    suite: list[str] = typer.Option(None, "--suite", help="Suite name from evals/suites.yaml (repeatable)."),
    backend: str | None = typer.Option(
        None, "--backend", help="offline | openai (default: COACH_BACKEND, else offline)."
    ),
    out: Path = typer.Option(Path("eval-run"), "--out", help="Directory for results.json and report.html."),
    threshold: list[str] = typer.Option(
        None, "--threshold", help="metric=value, e.g. fallback_rate=0.05 (repeatable)."
    ),
    thresholds_file: Path | None = typer.Option(
        None, "--thresholds", help="Thresholds YAML (default evals/thresholds.yaml)."
    ),
    baseline: Path | None = typer.Option(None, "--baseline", help="An earlier run directory to compare against."),
    suites_file: Path | None = typer.Option(None, "--suites-file", help="Suites YAML (default evals/suites.yaml)."),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Only the first N cases of each suite (quick check)."
    ),
) -> None:
    """Run suites, write DIR/results.json and DIR/report.html, exit 1 if a threshold fails."""
    from coach.backends import OFFLINE, choose_backend
    from coach.config import load_settings
    from coach.evaluation import gates, report
    from coach.evaluation.compare import compare, load_run
    from coach.evaluation.runner import Runner, RunOptions

    settings = load_settings()
    chosen = choose_backend(backend or settings.backend or OFFLINE, settings)  # a run measures offline unless asked
    base_run = load_run(baseline) if baseline else None  # a bad baseline fails before any work
    options = RunOptions(
        suites=suite or None,
        backend=chosen,
        thresholds=gates.parse_overrides(threshold or []),
        thresholds_file=thresholds_file or _default_thresholds(),
        suites_file=suites_file,
        limit=limit,
    )
    runner = Runner(settings, options)
    total = len(runner.cases())
    with Progress(
        TextColumn("[bold]eval[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(chosen, total=total)
        result = runner.run(progress=lambda label: bar.update(task, advance=1, description=label))
    if base_run is not None:
        result.comparison = compare(base_run, result)
    results_path, html_path = report.write(result, out)
    _print_summary(result)
    console.print(f"results: {results_path}\nreport:  {html_path}")
    failed = [g for g in result.gates if not g.passed]
    if failed:
        for g in failed:
            err_console.print(
                f"[bold red]threshold failed:[/] {g.metric} = {g.value:.1%} ({g.detail}), "
                f"needs {g.op} {g.threshold:.1%}"
            )
        raise typer.Exit(EXIT_FINDINGS)


def _print_summary(result: object) -> None:
    from coach.evaluation.results import RunResult

    assert isinstance(result, RunResult)
    table = Table(
        title=f"coach eval · backend {result.backend} · {result.summary.cases} cases · {result.seconds:.1f} s"
    )
    for column in ("metric", "all", *sorted(result.summary.by_split)):
        table.add_column(column)
    for name, rate in result.summary.metrics.items():
        cells = [
            f"{(split.rate or 0):.1%}" if (split := s.get(name)) else "—"
            for _, s in sorted(result.summary.by_split.items())
        ]
        table.add_row(name, f"{rate.rate:.1%} ({rate.passed}/{rate.total})", *cells)
    for name, rate in result.summary.rates.items():
        if rate.total:
            table.add_row(name, f"{rate.rate:.1%} ({rate.passed}/{rate.total})", *["" for _ in result.summary.by_split])
    console.print(table)


@eval_app.command("compare")
@reports_errors
def compare_cmd(
    run_a: Path = typer.Argument(..., help="Baseline run directory (or its results.json)."),
    run_b: Path = typer.Argument(..., help="Current run directory."),
    out: Path | None = typer.Option(None, "--out", help="Also write the comparison as comparison.html/.json here."),
) -> None:
    """Per-metric deltas, cases that flipped pass↔fail, side-by-side drafts."""
    from coach.evaluation.compare import compare, load_run
    from coach.evaluation.report import comparison_html

    result = compare(load_run(run_a), load_run(run_b))
    table = Table(title=f"{result.baseline} → {result.current}")
    for column in ("metric", "A", "B", "delta"):
        table.add_column(column)
    for name, (a, b, d) in result.deltas.items():
        table.add_row(
            name,
            "—" if a is None else f"{a:.1%}",
            "—" if b is None else f"{b:.1%}",
            "—" if d is None else f"{d * 100:+.1f} pt",
        )
    console.print(table)
    console.print(f"{len(result.flipped)} case/metric pairs flipped pass↔fail")
    for flip in result.flipped[:50]:
        console.print(f"  {flip['case']} {flip['metric']}: {flip['change']}")
        console.print(f"    A: {(flip['baseline_reply'] or '')[:120]}")
        console.print(f"    B: {(flip['current_reply'] or '')[:120]}")
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "comparison.json").write_text(result.model_dump_json(indent=1), encoding="utf-8")
        (out / "comparison.html").write_text(
            f"<!doctype html><meta charset='utf-8'><title>compare</title>{comparison_html(result)}", encoding="utf-8"
        )


@eval_app.command("replies")
@reports_errors
def replies_cmd(
    file: Path = typer.Argument(..., help='JSONL {"trainee","scenario_id","reply"} or CSV with those columns.'),
    out: Path = typer.Option(Path("eval-replies"), "--out", help="Directory for scorecard.csv and replies.csv."),
    suites_file: Path | None = typer.Option(None, "--suites-file", help="Suites YAML (default evals/suites.yaml)."),
) -> None:
    """Score trainees' replies with the same metrics; print a scorecard per trainee; export CSV (Excel)."""
    from coach.citations import cite_reply
    from coach.config import load_settings
    from coach.evaluation import replies, signals
    from coach.evaluation.metrics import draft_metrics
    from coach.evaluation.suites import scenarios_by_id
    from coach.guard import configured_stage
    from coach.retrieval import Retriever

    rows = replies.read_replies(file)  # bad input fails before the store is opened
    scenarios = scenarios_by_id(suites_file)
    settings = load_settings()
    retriever = Retriever(settings)
    corpus = signals.CorpusText.from_store(retriever.store)
    passages: dict[str, list[Passage]] = {}

    def citations(scenario: Scenario, reply: str) -> list[Citation]:
        if scenario.id not in passages:
            passages[scenario.id] = retriever.retrieve(scenario.message[:2000], k=6).passages
        return cite_reply(reply, passages[scenario.id])

    stage = configured_stage(settings.guard_model)  # trainees are judged by the guard staff use
    scored = replies.score(rows, scenarios, draft_metrics(corpus, stage=stage), citations)
    cards = replies.scorecards(scored)
    for card in cards:
        table = Table(title=f"{card.trainee}: {card.passed_all}/{card.replies} replies pass every metric")
        table.add_column("metric")
        table.add_column("pass rate")
        for name, rate in card.metrics.items():
            table.add_row(name, f"{rate.rate:.0%} ({rate.passed}/{rate.total})")
        console.print(table)
        for worst in card.worst:
            console.print(
                f"  [red]worst[/] {worst.scenario_id}: "
                + "; ".join(f"{m.name} ({m.rule}): {m.reason}" for m in worst.failed)
            )
    card_path, reply_path = replies.write_csv(cards, scored, out)
    console.print(f"scorecard: {card_path}\nreplies:   {reply_path}")
    if not scored:
        raise typer.Exit(EXIT_FAILED)
