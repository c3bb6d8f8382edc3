"""What every CLI command shares: error reporting, JSON output, the ``--input-jsonl`` batch mode."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from coach.errors import CoachError, InputError

# 3 is a bug in coach: never 1, which a CI gate reads as "findings" (coach.cli.main gives it).
EXIT_OK, EXIT_FINDINGS, EXIT_FAILED, EXIT_INTERNAL = 0, 1, 2, 3

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

RequestT = TypeVar("RequestT", bound=BaseModel)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a CoachError into its message and fix on stderr, and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except CoachError as exc:
            err_console.print(f"[bold red]错误 / error:[/] {exc.message}")
            if exc.fix:
                err_console.print(f"[bold]fix:[/] {exc.fix}")
            raise typer.Exit(EXIT_FAILED) from exc

    return wrapper


def print_json(result: BaseModel) -> None:
    """One JSON object on one line, UTF-8 as is (Chinese stays readable)."""
    sys.stdout.write(result.model_dump_json() + "\n")
    sys.stdout.flush()


def read_jsonl(path: Path, request_type: type[RequestT],
               check: Callable[[RequestT], object] | None = None) -> list[tuple[int, RequestT]]:
    """Every request of a batch file with its line number, each validated (and given to ``check``, which
    raises a CoachError for a request that cannot run; what it returns is ignored) before anything runs: a bad
    line stops the batch before any work and any output, naming its line."""
    if not path.is_file():
        raise InputError(f"batch file not found: {path}", "pass an existing JSONL file to --input-jsonl")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text (byte {exc.start})", "save the batch file as UTF-8 JSONL"
        ) from exc
    requests: list[tuple[int, RequestT]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            request = request_type.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: not valid JSON ({exc.msg})", "write one JSON object per line"
            ) from exc
        except ValidationError as exc:
            raise InputError(
                f"{path}:{number}: {_first_problem(exc)}",
                f"fix line {number}; expected fields: {', '.join(request_type.model_fields)}",
            ) from exc
        if check is not None:
            with batch_line(path, number):
                check(request)
        requests.append((number, request))
    if not requests:
        raise InputError(f"{path} holds no requests", "put one JSON object per line in the batch file")
    return requests


@contextmanager
def batch_line(path: Path, number: int) -> Iterator[None]:
    """A CoachError raised for one line of a batch names that line (``file:line: message``), keeping its kind."""
    try:
        yield
    except CoachError as exc:
        raise type(exc)(f"{path}:{number}: {exc.message}", exc.fix) from exc


def build_request(request_type: type[RequestT], fix: str, **fields: Any) -> RequestT:
    """A request from command-line values: a value the type refuses is bad input (exit 2), not a traceback."""
    try:
        return request_type(**fields)
    except ValidationError as exc:
        raise InputError(_first_problem(exc), fix) from exc


def _first_problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    return f"{field}: {first['msg']}" if field else first["msg"]


def report_crash(exc: BaseException, *, debug: bool) -> int:
    """An exception no command expected: a short note on stderr (its type only: the message may quote the
    customer's words), the traceback only when asked for, and the exit code of an internal error."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    err_console.print(
        f"[bold red]内部错误 / internal error:[/] coach 出现了意外错误（{type(exc).__name__}），这次任务没有完成。"
        "这是 coach 的程序缺陷，不是输入或设置的问题。"
    )
    err_console.print(
        "[bold]report:[/] 请把运行的命令和完整的出错信息报告给维护 coach 的团队；"
        "完整信息用 `coach --debug …` 或设置 COACH_DEBUG=1 后重新运行得到。"
    )
    return EXIT_INTERNAL
