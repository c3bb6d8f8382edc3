"""Find the documents to ingest and read them into chunks, before the store is touched.

A document is listed in its folder's ``manifest.yaml`` (its id chosen there) or, without one, known by
its file: its id is derived from the file name, and the file it was read from is recorded with its
chunks (``origin``), so that another file that yields the same id is refused instead of silently
replacing it (refuse_collisions).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from coach.corpus.chunk import Chunk, chunk_with_questions, document_hash
from coach.corpus.clean import clean_text
from coach.corpus.manifest import DocumentMeta, load_manifest
from coach.corpus.read import read_document
from coach.errors import InputError
from coach.paths import bundled
from coach.store import ChunkStore

DOCUMENT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class PreparedDocument:
    meta: DocumentMeta
    in_manifest: bool
    chunks: list[Chunk]
    content_hash: str
    unplaced_questions: list[str]
    origin: str
    """The file it was read from (resolved): whether a name-derived id is this document or another's."""


def discover(paths: list[Path], skipped: list[str] | None = None) -> list[tuple[DocumentMeta, Path, bool]]:
    """(meta, file, listed in a manifest) for each document under the given files and folders; files that
    cannot be read as such (a symlink loop, a link to nothing) are named in ``skipped``."""
    if not paths:
        paths = [bundled("corpus")]
    skipped = [] if skipped is None else skipped
    found: dict[Path, tuple[DocumentMeta, Path, bool]] = {}
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or folder: {path}", "check the path you passed to `coach ingest`")
        folder = path if path.is_dir() else path.parent
        listed = _manifest_entries(folder)
        files = _document_files(folder, skipped) if path.is_dir() else [path]
        for file in files:
            resolved = file.resolve()
            if resolved in listed:
                found[resolved] = (listed[resolved], file, True)
            else:
                found.setdefault(resolved, (_meta_from_name(file, folder), file, False))
    if not found:
        raise InputError(f"no .txt or .md documents under {', '.join(map(str, paths))}", "add documents first")
    return list(found.values())


def _document_files(folder: Path, skipped: list[str]) -> list[Path]:
    """The .txt and .md files under a folder. Symlinked folders are followed, each real folder once (a
    link back up the tree would otherwise be walked forever); a file link that loops or leads nowhere is
    skipped and named."""
    files, walked = [], set()
    for root, folders, names in os.walk(folder, followlinks=True):
        here = os.stat(root)
        if (here.st_dev, here.st_ino) in walked:
            folders.clear()
            skipped.append(f"{root}: a link to a folder already read (a symlink loop)")
            continue
        walked.add((here.st_dev, here.st_ino))
        for name in names:
            file = Path(root) / name
            if file.suffix not in DOCUMENT_SUFFIXES:
                continue
            try:
                file.resolve(strict=True)
            except (OSError, RuntimeError) as exc:  # RuntimeError: pathlib's "Symlink loop"
                skipped.append(f"{file}: a link that loops or leads nowhere ({type(exc).__name__})")
                continue
            files.append(file)
    return sorted(files)


def _manifest_entries(folder: Path) -> dict[Path, DocumentMeta]:
    manifest = folder / "manifest.yaml"
    if not manifest.is_file():
        return {}
    entries = {}
    for doc in load_manifest(manifest).documents:
        if not (folder / doc.file).is_file():
            raise InputError(
                f"{manifest}: the entry {doc.id!r} names {doc.file}, which is not in {folder}",
                f"put {doc.file} back, or remove the entry {doc.id!r} from the manifest, then run `coach ingest` again",
            )
        if doc.questions:  # resolved here, where the manifest's folder is known
            doc = doc.model_copy(update={"questions": str((folder / doc.questions).resolve())})
        entries[(folder / doc.file).resolve()] = doc
    return entries


def _meta_from_name(file: Path, folder: Path) -> DocumentMeta:
    relative = file.relative_to(folder) if file.is_relative_to(folder) else Path(file.name)
    doc_id = "-".join(relative.with_suffix("").parts)
    safe_id = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in doc_id)[:64]
    return DocumentMeta(id=safe_id, file=str(relative), title=file.stem)


def prepare(found: list[tuple[DocumentMeta, Path, bool]]) -> list[PreparedDocument]:
    prepared, seen_ids = [], set()
    for meta, file, in_manifest in found:
        if meta.id in seen_ids:
            raise InputError(f"two documents share the id {meta.id!r}", "give each document its own id")
        seen_ids.add(meta.id)
        cleaned = clean_text(read_document(file), meta.layout)
        # The manifest's questions path was made absolute by _manifest_entries, so the folder is moot here.
        chunks, unplaced = chunk_with_questions(meta, cleaned, file.parent)
        if not chunks:
            raise InputError(f"{file} has no text left after cleaning", "check the file, or remove it")
        prepared.append(
            PreparedDocument(meta, in_manifest, chunks, document_hash(cleaned), unplaced, str(file.resolve()))
        )
    return prepared


def refuse_collisions(store: ChunkStore, prepared: list[PreparedDocument]) -> None:
    """A document whose id comes from its file name must not replace a stored document of that id read
    from another file (a user's 000.txt and the bundled document 000; notes.txt of two folders): ingest
    replaces a document by id, so that would lose the stored one without a word. A manifest's id is
    chosen by whoever keeps the corpus, and replacing by it is how a document is updated."""
    named = {doc.meta.id: doc.origin for doc in prepared if not doc.in_manifest}
    for doc_id, origins in sorted(store.origins(sorted(named)).items()):
        if origins != {named[doc_id]}:
            stored_from = ", ".join(sorted(o or "a file an older coach did not record" for o in origins))
            raise InputError(
                f"the document id {doc_id!r}, taken from the file name of {named[doc_id]}, is already stored, "
                f"read from {stored_from}; ingesting this file would replace that document",
                "rename the file, or list it in a manifest.yaml beside it with an id of its own; to replace the "
                "stored document with this file on purpose, run the same `coach ingest` with --replace",
            )
