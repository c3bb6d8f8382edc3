"""``coach draft`` and ``coach callback``: thin shells over coach.chain and coach.callback_script."""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.panel import Panel

from coach.backends.registry import OFFLINE
from coach.cli._common import batch_line, build_request, console, print_json, read_jsonl, reports_errors
from coach.config import Settings, load_settings
from coach.errors import InputError
from coach.policy import Policy, load_policy
from coach.types import CallbackCase, CallbackScript, Channel, Draft, DraftRequest, StaffDomain, Turn

MAX_CHARS = 20_000


def _message(message: str | None) -> str:
    """The message argument; ``-`` reads stdin (checked to be UTF-8 text)."""
    if message == "-":
        raw = sys.stdin.buffer.read()
        try:
            message = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("stdin is not UTF-8 text", "pipe the customer's words as UTF-8 text") from exc
    if message is None:
        raise InputError("no message given", 'coach draft "客户说的话"  (or --input-jsonl FILE)')
    if not message.strip():
        raise InputError("客户的话是空的，没有可以起草回复的内容 / the message is empty",
                         '把客户说的话放在引号里：coach draft "客户说的话"；从管道读取用 coach draft -')
    return message


def load_conversation(path: Path) -> list[Turn]:
    """A JSON array or JSONL of turns ``{"speaker": "customer"|"staff", "text": ...}``."""
    if not path.is_file():
        raise InputError(f"conversation file not found: {path}", "pass a JSON or JSONL file of turns")
    try:
        text = path.read_bytes().decode("utf-8-sig").strip()
        items = json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines() if line.strip()]  # noqa: E501
        return [Turn.model_validate(item) for item in items]
    except (UnicodeDecodeError, json.JSONDecodeError, ValidationError, TypeError) as exc:
        raise InputError(f"{path} is not a conversation: {str(exc).splitlines()[0]}",
                         'write turns like {"speaker": "customer", "text": "……"}, one per line or as a JSON array') from exc  # noqa: E501


def _chain(backend: str | None, settings: Settings | None = None, policy: Policy | None = None):
    from coach.backends import choose_backend
    from coach.chain import DraftChain

    settings = settings or load_settings()
    chosen = choose_backend(backend, settings)  # --backend offline asks no model even where one is configured
    return DraftChain(settings.model_copy(update={"backend": chosen}), policy=policy)


def _draftable(request: DraftRequest, policy: Policy) -> None:
    """What would stop this request mid-batch, checked before the batch starts."""
    from coach.chain import validate_message

    validate_message(request.message)
    policy.role(request.role)  # unknown: ConfigError listing the valid ones


@reports_errors
def draft(
    message: str | None = typer.Argument(None, help="What the customer said ('-' reads stdin)."),
    conversation: Path | None = typer.Option(None, "--conversation", help="JSON/JSONL turns so far."),
    role: str | None = typer.Option(None, "--role", help="Policy role: frontline, supervisor, complaint_officer."),
    domain: str | None = typer.Option(
        None, "--domain", help="bank, insurance, telecom, wine_retail, cosmetics, car_aftersales, ecommerce, delivery."
    ),
    channel: str | None = typer.Option(
        None, "--channel", help="counter | phone | chat | letter (default: COACH_CHANNEL, else counter)."
    ),
    backend: str | None = typer.Option(None, "--backend", help="offline | openai (default: openai if configured)."),
    as_json: bool = typer.Option(False, "--json", help="Print the Draft as one JSON object."),
    input_jsonl: Path | None = typer.Option(None, "--input-jsonl", help="Batch: one DraftRequest per line."),
) -> None:
    """起草回复 / Draft a de-escalating, policy-checked reply to a customer."""
    if input_jsonl:
        settings = load_settings()
        policy = load_policy(settings.policy)
        requests = read_jsonl(input_jsonl, DraftRequest, lambda request: _draftable(request, policy))
        chain = _chain(backend, settings, policy)
        for number, request in requests:
            with batch_line(input_jsonl, number):
                print_json(chain.draft(request))
        return
    text = _message(message)
    if len(text) > MAX_CHARS:
        raise InputError(f"the message is {len(text):,} characters; drafting takes at most {MAX_CHARS:,}",
                         "paste only the customer's recent turns")
    domains = typing.get_args(StaffDomain)
    if domain is not None and domain not in domains:
        raise InputError(f"unknown domain {domain!r}", f"use one of: {', '.join(domains)}")
    channels = typing.get_args(Channel)
    if channel is not None and channel not in channels:
        raise InputError(f"unknown channel {channel!r}", f"use one of: {', '.join(channels)}")
    turns = load_conversation(conversation) if conversation else None
    request = build_request(DraftRequest, 'coach draft "客户说的话"', message=text, conversation=turns, role=role,
                            domain=domain, channel=channel)
    result = _chain(backend).draft(request)
    print_json(result) if as_json else show_draft(result)


def show_draft(result: Draft) -> None:
    if result.escalate:
        lines = [f"[bold]{a.flag}[/]：找 {a.who_to_call}；去 {a.where}；不要 {a.do_not}  ({a.source})"
                 for a in result.escalation_advice if a.flag != "injection"]
        console.print(Panel("\n".join(lines), title="⚠ 需要升级处理 / escalate (仅供员工 staff only)", border_style="red"))  # noqa: E501
    console.print(Panel(result.reply, title="建议回复 / reply", border_style="green"))
    console.print(f"步骤 steps: {' → '.join(result.steps)}")
    console.print(f"客户类型 type: {result.customer_type}   诉求 demands: {', '.join(result.demands) or '—'}   "
                  f"风险 flags: {', '.join(result.risk_flags) or '—'}")
    for citation in result.citations:
        console.print(f"  · 语料 {result_source(citation.source)} [{citation.chunk_id}] 「{citation.quote.replace(chr(10), '')}」")  # noqa: E501
    offline = "（离线生成 / composed offline）" if result.backend == OFFLINE else ""
    console.print(f"后端 backend: {result.backend} {result.model or ''}{offline}   attempts: {len(result.attempts)}   "
                  f"guard: {'ok' if result.guard.ok else 'VIOLATION'}   id: {result.id}")
    if result.fell_back:
        console.print(f"[yellow]注意 notice:[/] {result.fallback_reason}")


def result_source(source: str) -> str:
    return source or "?"


@reports_errors
def callback(
    case_file: Path | None = typer.Argument(None, help="YAML/JSON case record."),
    as_json: bool = typer.Option(False, "--json", help="Print the CallbackScript as one JSON object."),
    fmt: str = typer.Option("markdown", "--format", help="markdown | text"),
    input_jsonl: Path | None = typer.Option(None, "--input-jsonl", help="Batch: one case object per line."),
) -> None:
    """回访话术 / Write a callback script from a case record."""
    from coach.callback_script import callback_script, load_case

    if input_jsonl:
        policy = load_policy()
        for _, case in read_jsonl(input_jsonl, CallbackCase, lambda case: policy.role(case.role)):
            print_json(callback_script(case, fmt=fmt, policy=policy))
        return
    if case_file is None:
        raise InputError("no case file given", "coach callback case.yaml  (or --input-jsonl FILE)")
    script: CallbackScript = callback_script(load_case(case_file), fmt=fmt)
    if as_json:
        print_json(script)
        return
    sys.stdout.write(script.text)
    for note in script.adjustments:
        console.print(f"[yellow]已调整 adjusted:[/] {note}")
