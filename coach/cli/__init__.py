"""The ``coach`` command: a thin shell over the library.

Each command module imports its heavy dependencies (Chroma, LangChain) inside the command, so that
``coach check`` starts fast.
"""

from __future__ import annotations

import typer

from coach.cli import draft_cmds, guard_cmds, serve_cmds, store_cmds
from coach.cli.eval_cmds import eval_app

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="coach — 投诉应对回复教练 (reply coach for complaint-handling staff).",
)
corpus_app = typer.Typer(no_args_is_help=True, help="Review the documents coach is built from.")
app.add_typer(corpus_app, name="corpus")
app.add_typer(eval_app, name="eval")

app.command("ingest")(store_cmds.ingest)
app.command("retrieve")(store_cmds.retrieve)
app.command("doctor")(store_cmds.doctor)
app.command("draft")(draft_cmds.draft)
app.command("callback")(draft_cmds.callback)
corpus_app.command("list")(store_cmds.corpus_list)
corpus_app.command("show")(store_cmds.corpus_show)
app.command("check")(guard_cmds.check)
app.command("serve")(serve_cmds.serve)
policy_app = typer.Typer(no_args_is_help=True, help="Show and validate the authority matrix (policy YAML).")
app.add_typer(policy_app, name="policy")
policy_app.command("show")(guard_cmds.policy_show)
policy_app.command("validate")(guard_cmds.policy_validate)


def main() -> None:
    app()
