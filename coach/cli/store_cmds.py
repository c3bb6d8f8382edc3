"""CLI commands over the corpus and the store: ingest, retrieve, doctor, corpus list/show."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from coach.cli._common import (
    EXIT_FINDINGS,
    build_request,
    console,
    err_console,
    print_json,
    read_jsonl,
    reports_errors,
)
from coach.config import load_settings
from coach.errors import InputError
from coach.types import IngestSummary, Retrieval, RetrievalRequest

_QUERY_EXAMPLE = 'coach retrieve "客户要求赔偿怎么办"'
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object per result.")]


@reports_errors
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders; default: the bundled corpus.")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Drop the store and rebuild it.")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Let a file whose id comes from its name replace a stored document of that id "
                          "read from another file (refused otherwise).")] = False,
    json_out: JsonOption = False,
) -> None:
    """Clean, chunk and index documents (idempotent: unchanged chunks are kept)."""
    from rich.progress import Progress

    from coach.ingest import ingest as run_ingest

    settings = load_settings()
    with Progress(console=err_console, transient=True, disable=json_out) as bar:
        task = bar.add_task("ingesting", total=None)

        def progress(doc_id: str, done: int, total: int) -> None:
            bar.update(task, description=f"ingesting {doc_id}", completed=done, total=total)

        summary = run_ingest(settings, paths, reset=reset, replace=replace, progress=progress)
    if json_out:
        print_json(summary)
    else:
        _print_ingest(summary)


def _print_ingest(summary: IngestSummary) -> None:
    table = Table("doc", "title", "status", "chunks", title="coach ingest")
    for doc in summary.documents:
        note = "" if doc.in_manifest else " (not in manifest: title from file name)"
        table.add_row(doc.doc_id, escape(doc.title) + note, doc.status, str(doc.chunks))
    console.print(table)
    console.print(
        f"{len(summary.documents)} documents · {summary.added} chunks added · {summary.unchanged} unchanged · "
        f"{summary.removed} removed · {summary.seconds:.1f} s · embeddings: {summary.embedding}"
    )
    for doc in summary.documents:
        if doc.unplaced_questions:
            console.print(
                f"[yellow]{doc.doc_id}: {len(doc.unplaced_questions)} question anchors are in no chunk or in several; "
                "their questions were left out. Copy each anchor again from `coach corpus show "
                f"{doc.doc_id} --chunks`:[/] " + escape("、".join(doc.unplaced_questions))
            )
    for reason in summary.skipped:
        console.print(f"[yellow]skipped {escape(reason)}[/]")
    if summary.notice:
        console.print(f"[yellow]{summary.notice}[/]")


@reports_errors
def retrieve(
    query: Annotated[str | None, typer.Argument(help="What the staff member asks, e.g. 客户要求赔偿怎么办")] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages.")] = 5,
    input_jsonl: Annotated[
        Path | None, typer.Option("--input-jsonl", help='Batch: one {"query": …, "k"?: …} per line.')
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Find the documented principles and scripts for a situation (hybrid dense + keyword search)."""
    if (query is None) == (input_jsonl is None):
        raise InputError("give either a QUERY or --input-jsonl FILE", _QUERY_EXAMPLE)
    requests = (
        read_jsonl(input_jsonl, RetrievalRequest, lambda request: _searchable(request.query))
        if input_jsonl
        else [(0, _single_request(query or "", k))]
    )
    from coach.retrieval import Retriever

    retriever = Retriever(load_settings())
    for _, request in requests:
        result = retriever.retrieve(request.query, request.k)
        print_json(result) if json_out else _print_retrieval(result)


def _single_request(query: str, k: int) -> RetrievalRequest:
    if len(query) > 2000:
        raise InputError(f"the query is {len(query)} characters; the limit is 2000", "shorten the query")
    _searchable(query)
    return build_request(RetrievalRequest, _QUERY_EXAMPLE, query=query, k=k)


def _searchable(query: str) -> None:
    if not query.strip():
        raise InputError("问题是空的 / the query is empty", _QUERY_EXAMPLE)


_KIND_LABELS = {
    "taboo": "忌语示例·切勿照说 (taboo: never say this)",
    "script": "标准话术 (script)",
    "case": "案例 (case)",
    "outline": "课程大纲 (outline)",
}


def _print_retrieval(result: Retrieval) -> None:
    console.print(f"[bold]问题 / query:[/] {escape(result.query)}")
    if result.notice:
        console.print(f"[yellow]{result.notice}[/]")
    for rank, passage in enumerate(result.passages, start=1):
        heading = f"{rank}. 《{escape(passage.title)}》 {escape(passage.section)}"
        if passage.kind in _KIND_LABELS:
            heading += f"  [reverse]{_KIND_LABELS[passage.kind]}[/]"
        console.print(f"\n[bold cyan]{heading}[/]  [dim]{passage.source} · {passage.chunk_id} · {passage.score:.4f}[/]")
        console.print(escape(passage.text))


@reports_errors
def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="Rebuild the lexical index from the store.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Check the data dir, the store, the embedding model and the lexical index agree."""
    from coach.doctor import diagnose

    report = diagnose(load_settings(), repair=repair)
    if json_out:
        print_json(report)
    else:
        for check in report.checks:
            mark = "[green]ok[/]" if check.ok else "[red]PROBLEM[/]"
            console.print(f"{mark}  {check.name}: {escape(check.detail)}")
            if check.fix:
                console.print(f"      fix: {escape(check.fix)}")
        for line in report.repaired:
            console.print(f"[green]repaired[/]  {escape(line)}")
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)


corpus_app = typer.Typer(no_args_is_help=True, help="Review the documents coach is built from.")


@corpus_app.command("list")
@reports_errors
def corpus_list(
    folder: Annotated[Path | None, typer.Option(help="Corpus folder; default: the bundled corpus.")] = None,
) -> None:
    """List the documents of the corpus manifest."""
    from coach.corpus.manifest import load_manifest
    from coach.paths import bundled

    manifest = load_manifest((folder or bundled("corpus")) / "manifest.yaml")
    table = Table("id", "title", "domain", "script", "description")
    for doc in manifest.documents:
        table.add_row(doc.id, escape(doc.title), doc.domain, doc.script, escape(doc.description))
    console.print(table)


@corpus_app.command("show")
@reports_errors
def corpus_show(
    doc_id: Annotated[str, typer.Argument(help="Document id from `coach corpus list`.")],
    folder: Annotated[Path | None, typer.Option(help="Corpus folder; default: the bundled corpus.")] = None,
    chunks: Annotated[bool, typer.Option("--chunks", help="Show the chunks as indexed.")] = False,
) -> None:
    """Print a document's cleaned text, as it is indexed, for a trainer to review."""
    from coach.corpus.chunk import chunk_with_questions
    from coach.corpus.clean import clean_text
    from coach.corpus.manifest import load_manifest
    from coach.corpus.read import read_document
    from coach.paths import bundled

    root = folder or bundled("corpus")
    manifest = load_manifest(root / "manifest.yaml")
    meta = next((d for d in manifest.documents if d.id == doc_id), None)
    if meta is None:
        valid = ", ".join(d.id for d in manifest.documents)
        raise InputError(f"no document with id {doc_id!r}", f"use one of: {valid}")
    cleaned = clean_text(read_document(root / meta.file), meta.layout)
    if not chunks:
        console.print(escape(cleaned), end="")
        return
    shown, _ = chunk_with_questions(meta, cleaned, root)
    for chunk in shown:
        console.print(f"\n[bold cyan]{chunk.chunk_id}[/] [dim]{escape(chunk.section)}[/]")
        console.print(escape(chunk.text))
        for question in chunk.questions:
            console.print(f"  [dim]? {escape(question)}[/]")
