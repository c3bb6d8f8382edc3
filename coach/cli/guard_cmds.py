"""``coach check`` and ``coach policy show|validate``: thin shells over coach.guard and coach.policy.

Exit codes: 0 = no violation (or a valid policy), 1 = violations found, 2 = usage error or bad input.
Nothing heavy is imported here: ``coach check`` must start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.text import Text

from coach.cli._common import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_OK,
    batch_line,
    console,
    print_json,
    read_jsonl,
    reports_errors,
)
from coach.errors import InputError
from coach.guard import check as guard_check
from coach.guard import validate_text
from coach.guard.context import ContextInput
from coach.policy import Policy, Role, load_policy, validate_policy_file
from coach.types import CheckRequest, GuardReport

PolicyOption = Annotated[
    Path | None, typer.Option("--policy", help="Policy YAML (default: COACH_POLICY or the bundled one).")
]


@reports_errors
def check(
    text: Annotated[str | None, typer.Argument(help="The reply to check; '-' reads stdin.")] = None,
    role: Annotated[str | None, typer.Option(help="frontline (default), supervisor, complaint_officer, …")] = None,
    policy: PolicyOption = None,
    context: Annotated[str | None, typer.Option("--context", help="The customer's last turn.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the GuardReport as JSON.")] = False,
    input_jsonl: Annotated[Path | None, typer.Option("--input-jsonl", help="One request per line.")] = None,
    second_opinion: Annotated[bool | None, typer.Option(
        "--second-opinion/--rules-only",
        help="After the rules, ask the configured model (OPENAI_BASE_URL, COACH_MODEL) for flags they missed; "
             "it never removes one. Default: COACH_GUARD_SECOND_OPINION.")] = None,
) -> None:
    """Check a reply for unauthorised promises and forbidden service phrases (exit 1 when any)."""
    guard = _Guard(policy, second_opinion)
    if input_jsonl is not None:
        if text is not None:
            raise InputError("give either TEXT or --input-jsonl, not both", "drop TEXT when checking a batch")
        raise typer.Exit(_batch(input_jsonl, guard, role))
    body = _read_text(text)
    report = guard(body, role=guard.policy.role(role), context=context)
    if as_json:
        print_json(report)
    else:
        _show(report, body)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def _read_text(text: str | None) -> str:
    if text is None:
        raise InputError("no text to check", 'pass the reply, e.g. coach check "您好……", or "-" to read stdin')
    if text == "-":
        raw = sys.stdin.buffer.read()
        if b"\x00" in raw:
            raise InputError("stdin holds binary data, not text", "pipe in the reply as UTF-8 text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"stdin is not UTF-8 text (byte {exc.start})", "pipe in the reply as UTF-8") from exc
    return text


def _policy(path: Path | None) -> Policy:
    if path is None:
        from coach.config import load_settings

        path = load_settings().policy
    return load_policy(path)


class _Guard:
    """The rules, the learned stage (COACH_GUARD_MODEL), then the model's second opinion when asked for
    (flag, else the setting)."""

    def __init__(self, policy_path: Path | None, second_opinion: bool | None) -> None:
        from coach.config import load_settings

        settings = load_settings()
        self.policy = load_policy(policy_path or settings.policy)
        wanted = settings.guard_second_opinion if second_opinion is None else second_opinion
        self.model = None
        if settings.guard_model:  # numpy is imported only here: COACH_GUARD_MODEL=false keeps the rules alone
            from coach.guard.model import load_stage

            self.model = load_stage()
        self.reviewer = None
        if wanted:  # imported only here: the rules-only path stays free of LangChain
            from coach.guard.review import SecondOpinion

            self.reviewer = SecondOpinion.from_settings(settings, self.policy)

    def __call__(self, text: str, *, role: Role, context: ContextInput) -> GuardReport:
        return guard_check(text, role=role, context=context, policy=self.policy, reviewer=self.reviewer,
                           model=self.model)


def _batch(path: Path, guard: _Guard, role: str | None) -> int:
    def runnable(request: CheckRequest) -> None:
        validate_text(request.text)
        guard.policy.role(request.role or role)  # unknown: ConfigError, before the batch starts

    worst = EXIT_OK
    for number, request in read_jsonl(path, CheckRequest, runnable):
        with batch_line(path, number):  # the second opinion's endpoint may still fail mid-batch
            report = guard(request.text, role=guard.policy.role(request.role or role), context=request.context)
        print_json(report)
        worst = max(worst, EXIT_OK if report.ok else EXIT_FINDINGS)
    return worst


def _show(report: GuardReport, text: str) -> None:
    about = f"role: {report.role}" + (f", 模型第二意见: {report.second_opinion}" if report.second_opinion else "")
    if report.ok:
        console.print(f"[bold green]✓ 未发现越权承诺或服务忌语[/] ({about})")
        return
    highlighted = Text(text)
    for violation in report.violations:
        style = "bold white on red" if violation.kind == "unauthorized_promise" else "bold black on yellow"
        highlighted.stylize(style, violation.start, violation.end)
    console.print(highlighted)
    console.print(f"[bold red]✗ {len(report.violations)} 处问题[/] ({about})")
    for number, v in enumerate(report.violations, start=1):
        label = "越权承诺" if v.kind == "unauthorized_promise" else "服务忌语"
        by_model = ""
        if v.detector == "model":
            by_model = " [magenta](模型第二意见)[/]" if v.score is None else f" [magenta](模型判断 {v.score:.2f})[/]"
        where = f"[dim]({v.start}–{v.end})[/]"
        console.print(f"\n[bold]{number}. {label} · {v.category}[/]{by_model}  「{v.span}」 {where}")
        console.print(f"   原因: {v.explanation}")
        console.print(f"   建议: [green]{v.suggestion}[/]")
        console.print(f"   依据: [dim]{v.source}[/]")


class RoleView(BaseModel):
    """What ``coach policy show ROLE --json`` prints."""

    role: str
    name: str
    description: str
    callback_window: str
    may_commit: list[dict[str, Any]]
    may_not_commit: list[dict[str, Any]]
    forbidden_phrases: list[dict[str, Any]]
    approved_scripts: list[str]


policy_app = typer.Typer(no_args_is_help=True, help="Show and validate the authority matrix (policy YAML).")


@policy_app.command("show")
@reports_errors
def policy_show(
    role: Annotated[str | None, typer.Argument(help="Role to show (default: the policy's default role).")] = None,
    policy: PolicyOption = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print what a role may and may not commit to, with the source of each rule."""
    rules = _policy(policy)
    view = _role_view(rules, rules.role(role))
    if as_json:
        print_json(view)
        return
    console.print(f"[bold]{view.name}[/] ({view.role}) — {view.description}")
    console.print(f"回访时限: {view.callback_window}\n\n[bold green]可以承诺[/]")
    for item in view.may_commit:
        console.print(f"  ✓ {item['description']}  [dim]{item['source']}[/]")
    console.print("\n[bold red]不可承诺[/]")
    for item in view.may_not_commit:
        console.print(f"  ✗ {item['id']} {item['title']}: {item['explanation']}  [dim]{item['source']}[/]")
    console.print("\n[bold yellow]服务忌语[/]")
    for item in view.forbidden_phrases:
        console.print(f"  ✗ {item['id']} {item['title']} → {item['better']}  [dim]{item['source']}[/]")
    console.print("\n[bold]标准话术（不会被标记）[/]")
    for script in view.approved_scripts:
        console.print(f"  • {script}")


def _role_view(rules: Policy, role: Role) -> RoleView:
    may = [{"id": a.id, "description": a.description, "source": a.source.render()} for a in rules.allowed_commitments]
    may += [{"id": g.category, "description": f"授权: {g.category}" + (f"（不超过 {g.max_amount:g} 元）" if g.max_amount
            is not None else "") + (f" — {g.note}" if g.note else ""), "source": "policy grant"} for g in role.grants]
    granted = {g.category: g for g in role.grants}
    may_not = [{"id": c.id, "title": c.title, "explanation": c.explanation, "safe_alternative": c.safe_alternative,
                "source": c.source_text(), "limit": granted[c.id].max_amount if c.id in granted else None}
               for c in rules.forbidden_commitments if c.id not in granted or granted[c.id].max_amount is not None]
    phrases = [{"id": f.id, "title": f.title, "better": f.better, "source": f.source.render()}
               for f in rules.forbidden_phrases]
    return RoleView(role=role.id, name=role.name, description=role.description, callback_window=rules.callback_window,
                    may_commit=may, may_not_commit=may_not, forbidden_phrases=phrases,
                    approved_scripts=rules.scripts + role.scripts)


@policy_app.command("validate")
@reports_errors
def policy_validate(file: Annotated[Path, typer.Argument(help="The policy YAML to check.")]) -> None:
    """Report every problem in a policy file with its line number (exit 2 if any)."""
    problems = validate_policy_file(file)
    if not problems:
        console.print(f"[bold green]✓ {file} is a valid policy[/]")
        raise typer.Exit(EXIT_OK)
    for problem in problems:
        console.print(f"[bold red]{problem.render(file)}[/]\n  fix: {problem.fix}")
    console.print(f"\n{len(problems)} problem(s) in {file}")
    raise typer.Exit(EXIT_FAILED)
