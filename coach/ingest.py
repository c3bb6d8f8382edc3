"""Ingest documents into the Chroma store and the lexical index, idempotently.

Order of work, so that a failure or a ``kill -9`` never leaves a state that cannot be recovered:
1. read, clean and chunk every document first: bad input stops here, with the store untouched;
2. take the ingest lock (two ingests on one data dir: the second waits, then fails clearly);
3. mark the collection ``state=ingesting`` with a fresh generation; per document upsert new chunks
   (windows first, then the chunk records), then delete stale ones and sweep windows left without a chunk;
4. write the lexical index in one transaction, stamped with a new generation;
5. stamp the collection with the same generation and ``state=clean``.
A reader that finds the generations differ rebuilds the lexical index from Chroma (after a kill they
always differ: step 3 stamped one no index has). Re-running ingest after an interruption completes it,
because chunk ids are content hashes and every write is an upsert or a delete, and it rebuilds the
keyword index whole when the store was not clean as it found it. tests/test_faults.py kills an ingest at
each of these points; docs/operations.md lists the recovery commands.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import psutil
from filelock import FileLock, Timeout

from coach.config import Settings
from coach.corpus.chunk import Chunk
from coach.corpus.documents import PreparedDocument, discover, prepare, refuse_collisions
from coach.embeddings import HASH_NOTICE, Embedder, HashEmbedder, make_embedder
from coach.errors import StoreError
from coach.lexical import IndexedChunk, LexicalIndex, tokenize
from coach.store import ChunkStore, StoredChunk, window_id
from coach.types import DocumentIngest, IngestSummary

log = logging.getLogger("coach.ingest")
LOCK_WAIT_SECONDS = 60.0
LEASE_SECONDS = 300.0  # a shared-server ingest renews its lease well within this; clocks may differ by less
EMBED_BATCH = 32

Progress = Callable[[str, int, int], None]


@contextmanager
def ingest_lock(settings: Settings, store: ChunkStore) -> Iterator[Callable[[], None]]:
    """One ingest at a time per store; yields a keep-alive to call as the ingest makes progress.

    A local store is locked with a file in COACH_HOME. A shared Chroma server is written by other
    machines, whose COACH_HOME this one cannot see, so there the lock is a lease record in the server
    itself, renewed as the ingest advances and taken over once expired (a client that died mid-ingest).
    """
    if settings.chroma_url:
        with _server_lease(settings, store) as keep_alive:
            yield keep_alive
        return
    settings.home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.home / "ingest.lock")  # flock on POSIX, msvcrt on Windows: freed when the process dies
    try:
        lock.acquire(timeout=LOCK_WAIT_SECONDS, poll_interval=0.2)
    except Timeout:
        raise StoreError(
            f"another `coach ingest` has held {settings.home} for {LOCK_WAIT_SECONDS:.0f} s",
            "wait for it to finish, then run this ingest again",
        ) from None
    try:
        yield lambda: None
    finally:
        lock.release()


_HELD_LEASES: set[str] = set()  # owners of the leases this process holds now


def _dead_on_this_machine(holder: str) -> bool:
    """A lease of this machine whose process is gone, or of this process but no longer held (an ingest
    that failed while the server was away could not release it): waiting out its expiry helps nobody."""
    host, _, rest = holder.partition(" pid ")
    pid = rest.split(" ")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return holder not in _HELD_LEASES
    # psutil, not os.kill(pid, 0): on Windows os.kill terminates the process it is asked about.
    return not psutil.pid_exists(int(pid))


@contextmanager
def _server_lease(settings: Settings, store: ChunkStore) -> Iterator[Callable[[], None]]:
    owner = f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while (holder := store.take_lease(owner, LEASE_SECONDS, _dead_on_this_machine))[0] != owner:
        if time.monotonic() > deadline:
            raise StoreError(
                f"another `coach ingest` ({holder[0]}) is writing to the shared store at {settings.chroma_url}; "
                f"waited {LOCK_WAIT_SECONDS:.0f} s",
                "wait for it to finish, then run this ingest again (a lease left by a dead client expires "
                f"{LEASE_SECONDS:.0f} s after its last renewal)",
            )
        time.sleep(0.5)
    renewed = time.monotonic()

    def keep_alive() -> None:
        nonlocal renewed
        if time.monotonic() - renewed > LEASE_SECONDS / 4:
            store.renew_lease(owner, LEASE_SECONDS)
            renewed = time.monotonic()

    _HELD_LEASES.add(owner)
    try:
        yield keep_alive
    finally:
        _HELD_LEASES.discard(owner)
        try:
            store.release_lease(owner)
        except StoreError as exc:  # the server is away: the ingest's own error is the one to report
            log.warning("could not release the ingest lease (%s); it expires in %.0f s", exc.message, LEASE_SECONDS)


def lexical_path(settings: Settings) -> Path:
    """Local file of the lexical index; one per Chroma server, tenant, database and collection in shared mode."""
    if not settings.chroma_url:
        return settings.lexical_path
    where = f"{settings.chroma_url}|{settings.chroma_tenant}|{settings.chroma_database}|{settings.collection}"
    key = hashlib.sha256(where.encode()).hexdigest()[:12]
    return settings.home / f"lexical-{key}.sqlite3"


def _chunk_metadata(chunk: Chunk, doc: PreparedDocument, tokens: str) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "position": chunk.position,
        "kind": chunk.kind,
        "domain": doc.meta.domain,
        "serves": ",".join(doc.meta.serves),
        "doc_hash": doc.content_hash,
        "origin": doc.origin,
        "tokens": tokens,
    }


@dataclass
class _Changes:
    documents: list[DocumentIngest]
    lexical_add: list[IndexedChunk]
    lexical_remove: list[str]
    added: int = 0
    removed: int = 0


def _add_chunks(store: ChunkStore, embedder: Embedder, doc: PreparedDocument, batch: list[Chunk], tokens: dict) -> None:
    """Windows first, then the chunk records: a chunk that exists always has its windows."""
    per_chunk = [c.windows for c in batch]  # a property that converts and splits the text: read it once
    texts = [w for windows in per_chunk for w in windows]
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    parents = [c.chunk_id for c, windows in zip(batch, per_chunk, strict=True) for _ in windows]
    window_ids = [window_id(c.chunk_id, n) for c, windows in zip(batch, per_chunk, strict=True)
                  for n in range(len(windows))]
    store.add_windows(window_ids, texts, parents, doc.meta.id, vectors.tolist())
    means, offset = [], 0
    for windows in per_chunk:
        mean = vectors[offset : offset + len(windows)].mean(axis=0)
        means.append((mean / (float(np.linalg.norm(mean)) or 1.0)).tolist())
        offset += len(windows)
    store.add(
        [c.chunk_id for c in batch],
        [c.text for c in batch],
        [_chunk_metadata(c, doc, tokens[c.chunk_id]) for c in batch],
        means,
    )


def _write_document(
    store: ChunkStore, embedder: Embedder, doc: PreparedDocument, changes: _Changes, report: Callable[[int], None]
) -> None:
    """Add the document's new chunks, delete its stale ones, then sweep windows left without a chunk.

    A stored chunk without any window (its windows lost to a fault) counts as new: it is written again,
    windows first, so dense search sees it after this run.
    """
    existing = store.ids_for_document(doc.meta.id)
    with_windows = set(store.window_parents(doc.meta.id).values())
    current = {c.chunk_id for c in doc.chunks}
    new = [c for c in doc.chunks if c.chunk_id not in existing or c.chunk_id not in with_windows]
    stale = sorted(existing - current)
    tokens = {c.chunk_id: " ".join(tokenize(c.index_text)) for c in new}
    for start in range(0, len(new), EMBED_BATCH):
        _add_chunks(store, embedder, doc, new[start : start + EMBED_BATCH], tokens)
        report(min(start + EMBED_BATCH, len(new)))
    store.delete(stale)
    store.delete_orphan_windows(doc.meta.id, current)
    relabelled = _relabel(store, doc, current - {c.chunk_id for c in new})
    added = [
        indexed_chunk(c.chunk_id, c.text, _chunk_metadata(c, doc, tokens[c.chunk_id]))
        for c in new if c.chunk_id not in existing
    ]
    changes.lexical_add += added
    changes.lexical_remove += stale
    changes.added, changes.removed = changes.added + len(added), changes.removed + len(stale)
    # The index keeps display fields too: a relabelled chunk is written again there (remove, then add).
    changes.lexical_remove += [c.chunk_id for c in relabelled]
    changes.lexical_add += [indexed_chunk(c.chunk_id, c.text, c.metadata) for c in relabelled]
    status: Literal["added", "changed", "unchanged"] = (
        "added" if not existing else ("changed" if new or stale or relabelled else "unchanged")
    )
    changes.documents.append(
        DocumentIngest(
            doc_id=doc.meta.id, title=doc.meta.title, status=status, chunks=len(doc.chunks),
            in_manifest=doc.in_manifest, unplaced_questions=doc.unplaced_questions,
        )
    )


def _relabel(store: ChunkStore, doc: PreparedDocument, kept: set[str]) -> list[StoredChunk]:
    """A manifest edit (title, domain, serves) or a moved file (origin) leaves chunk ids as they are: update
    what they carry. Returns the chunks as they are now stored."""
    fields = {"title": doc.meta.title, "domain": doc.meta.domain, "serves": ",".join(doc.meta.serves),
              "origin": doc.origin}
    stale = [c for c in store.chunks_of(doc.meta.id) if c.chunk_id in kept and any(
        c.metadata.get(key) != value for key, value in fields.items())]
    updated = [StoredChunk(c.chunk_id, c.text, {**c.metadata, **fields}) for c in stale]
    store.update_metadata([c.chunk_id for c in updated], [c.metadata for c in updated])
    return updated


def indexed_chunk(chunk_id: str, text: str, metadata: dict) -> IndexedChunk:
    def field(key: str) -> str:
        return str(metadata.get(key, ""))

    return IndexedChunk(chunk_id, field("doc_id"), field("tokens"), text, field("title"), field("section"),
                        field("kind") or "principle", field("serves"))


def _write_lexical(
    settings: Settings, store: ChunkStore, changes: _Changes, before: dict[str, object], generation: str
) -> None:
    """This run's changes only if the index matched the store as this run found it; else a full rebuild
    (an earlier ingest was interrupted, or another machine ingested): chunks an interrupted run wrote
    count as unchanged now, so no delta would ever bring them into the index."""
    index = LexicalIndex(lexical_path(settings))
    try:
        if before.get("state") != "clean" or index.generation != before.get("generation", ""):
            rebuild_lexical(store, index, generation)
        else:
            index.apply(add=changes.lexical_add, remove=changes.lexical_remove, generation=generation)
    finally:
        index.close()


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    *,
    reset: bool = False,
    replace: bool = False,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """``replace``: let a document whose id comes from its file name replace one of that id read from
    another file (see refuse_collisions)."""
    started = time.perf_counter()
    skipped: list[str] = []
    prepared = prepare(discover(paths or [], skipped))
    embedder = embedder or make_embedder(settings)
    total = sum(len(doc.chunks) for doc in prepared)
    changes = _Changes([], [], [])
    store = ChunkStore(settings, embedder)
    with ingest_lock(settings, store) as keep_alive:
        if reset:
            store.reset()
            lexical_path(settings).unlink(missing_ok=True)
        store.open(create=True)
        if not replace:
            refuse_collisions(store, prepared)
        before = store.metadata()
        # A fresh generation now, not only at the end: a run killed from here on leaves the store stamped
        # with a generation no keyword index has, so every reader, and the re-run, rebuilds the index.
        store.set_state(state="ingesting", generation=f"ingesting-{uuid.uuid4().hex}")
        done = 0
        for doc in prepared:
            report = functools.partial(_tick, keep_alive, progress, doc, done, total)
            _write_document(store, embedder, doc, changes, report)
            done += len(doc.chunks)
            _tick(keep_alive, progress, doc, done, total)
        generation = uuid.uuid4().hex
        _write_lexical(settings, store, changes, before, generation)
        store.set_state(state="clean", generation=generation)
        store.record_graph_files()
    return IngestSummary(
        documents=changes.documents,
        added=changes.added,
        unchanged=total - changes.added,
        removed=changes.removed,
        seconds=round(time.perf_counter() - started, 2),
        embedding=embedder.name,
        notice=HASH_NOTICE if isinstance(embedder, HashEmbedder) else None,
        skipped=skipped,
    )


def _tick(
    keep_alive: Callable[[], None], progress: Progress | None, doc: PreparedDocument, base: int, total: int,
    done: int = 0,
) -> None:
    keep_alive()
    if progress:
        progress(doc.meta.id, base + done, total)


def rebuild_lexical(store: ChunkStore, index: LexicalIndex, generation: str) -> None:
    """Make the lexical index an exact copy of what Chroma holds."""
    rows = (indexed_chunk(c.chunk_id, c.text, c.metadata) for c in store.iter_all(include_text=True))
    index.apply(add=rows, generation=generation, replace_all=True)
