"""The ``coach`` command: a thin shell over the library.

Each command module imports its heavy dependencies (Chroma, LangChain) inside the command, and ``main``
imports only the module of the command being run: loading every command module (their types, settings,
rich panels and tables) costs about 0.1 s, which ``coach check`` must not pay (target cold start ≤ 0.5 s).
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer

# Top-level name → the command module and its command function or sub-app (a Typer of its own).
_COMMANDS = {
    "ingest": ("store_cmds", "ingest"),
    "retrieve": ("store_cmds", "retrieve"),
    "doctor": ("store_cmds", "doctor"),
    "corpus": ("store_cmds", "corpus_app"),
    "draft": ("draft_cmds", "draft"),
    "callback": ("draft_cmds", "callback"),
    "check": ("guard_cmds", "check"),
    "policy": ("guard_cmds", "policy_app"),
    "eval": ("eval_cmds", "eval_app"),
    "serve": ("serve_cmds", "serve"),
}


def _show_version(value: bool) -> None:
    if value:
        from coach import __version__

        typer.echo(f"coach {__version__}")
        raise typer.Exit()


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every command, or only ``only`` when it names a top-level command."""
    app = typer.Typer(
        no_args_is_help=True,
        add_completion=False,
        help="coach — 投诉应对回复教练 (reply coach for complaint-handling staff).",
    )
    # Typer runs a lone command without its name; a callback keeps ``coach check …`` a group call.
    app.callback()(_options)
    for name, (module_name, attribute) in _COMMANDS.items():
        if only in _COMMANDS and name != only:
            continue
        command = getattr(importlib.import_module(f"coach.cli.{module_name}"), attribute)
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name)(command)
    return app


def __getattr__(name: str) -> typer.Typer:
    # ``from coach.cli import app`` (tests) gets every command, built when first asked for.
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_debug = {"on": False}  # set by the root --debug option, read when a command crashed


def _options(
    debug: bool = typer.Option(False, "--debug", envvar="COACH_DEBUG",
                               help="Print the full traceback of an internal error (exit 3)."),
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True,
                                          help="Print coach's version and exit.")] = False,
) -> None:
    _debug["on"] = debug


def main() -> None:
    """The console script. A command reports its own outcome as exit 0, 1 (findings) or 2 (could not do the
    job, with the fix); anything else escaping it is a bug in coach, and gets its own code, 3."""
    _debug["on"] = False
    command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    try:
        build_app(command)()
    except Exception as exc:  # the one place every unexpected error is turned into exit 3
        from coach.cli._common import report_crash

        raise SystemExit(report_crash(exc, debug=_debug["on"])) from None
