"""What every CLI command shares: error reporting, JSON output, the ``--input-jsonl`` batch mode."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from coach.errors import CoachError, InputError

EXIT_OK, EXIT_FINDINGS, EXIT_FAILED = 0, 1, 2

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


def read_jsonl(path: Path, request_type: type[RequestT]) -> Iterator[RequestT]:
    """Validate every line of a batch file before anything runs, so a bad line costs no work."""
    if not path.is_file():
        raise InputError(f"batch file not found: {path}", "pass an existing JSONL file to --input-jsonl")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text (byte {exc.start})", "save the batch file as UTF-8 JSONL"
        ) from exc
    requests: list[RequestT] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            requests.append(request_type.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: not valid JSON ({exc.msg})", "write one JSON object per line"
            ) from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "line"
            raise InputError(
                f"{path}:{number}: {field}: {first['msg']}",
                f"fix line {number}; expected fields: {', '.join(request_type.model_fields)}",
            ) from exc
    if not requests:
        raise InputError(f"{path} holds no requests", "put one JSON object per line in the batch file")
    yield from requests
