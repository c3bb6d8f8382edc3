"""The Chroma collections that hold the chunks: embedded by default, a server by URL.

``COACH_CHROMA_URL`` switches from the embedded ``PersistentClient`` (in ``COACH_HOME``) to an
``HttpClient``: that is how a team shares one store. The chunk collection's metadata records the
embedder that built it and an ingest ``generation`` that the lexical index follows (see lexical.py).

Dense retrieval matches a question against windows of each chunk (three sentences, every second one,
and the staff questions the corpus attaches to it; corpus.py), kept in a second
collection (``<name>_windows``, metadata ``parent`` = chunk id). A separate collection rather than a
metadata filter: Chroma answers a filtered query by scanning, 100x slower at 10k chunks.

Faults (docs/operations.md): every Chroma call goes through ``ChunkStore._call``. A server that goes
away mid-run (connection refused or dropped) is retried with backoff for about 8 s, so a restart of
``chroma run`` is ridden out; writes are upserts and deletes, so a retried write cannot duplicate.
Anything else Chroma raises, or a server that stays away, becomes a StoreError with the recovery command.
A server that was never reached fails at once: that is a wrong URL, not a blip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

from coach.config import Settings
from coach.embeddings import CoachEmbeddingFunction, Embedder
from coach.errors import CoachError, ConfigError, EmptyStoreError, StoreError
from coach.graph_files import check_graph_files, record_graph_files

INGEST_FIX = "run `coach ingest` to index the bundled corpus (or `coach ingest PATH`)"
_PAGE = 2000
_ID_BATCH = 500
_LEASE_ID = "ingest"
_WINDOW_MARK = "#w"  # window ids are <chunk id>#w<n>, so a query result names its parent
WINDOWS_PER_CHUNK = 3  # over-fetch windows so that about n distinct parent chunks survive the mapping
RETRY_DELAYS = (0.25, 0.5, 1.0, 2.0, 4.0)  # seconds between tries when a Chroma server drops: ~8 s in all
SERVER_FIX = "start the Chroma server again (`chroma run --host 127.0.0.1 --port 8000`) and re-run the command"

log = logging.getLogger("coach.store")
T = TypeVar("T")


def _transient(exc: BaseException) -> bool:
    """A connection to the server refused, reset or cut: worth another try once the server is back."""
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return True
    return isinstance(exc, ValueError) and "Could not connect" in str(exc)  # chromadb's own wording


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    text: str
    metadata: dict[str, Any]


def _client(settings: Settings) -> Any:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return _http_client(settings, chroma_settings)
    if settings.chroma_dir.exists() and not settings.chroma_dir.is_dir():
        raise StoreError(
            f"the store at {settings.chroma_dir} cannot be opened: it is a file, not a folder",
            f"move {settings.chroma_dir} aside and run `coach ingest` (nothing else is touched)",
        )
    check_graph_files(settings.chroma_dir)
    try:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"the store at {settings.chroma_dir} cannot be opened: {exc}",
            f"move {settings.chroma_dir} aside and run `coach ingest --reset`",
        ) from exc


def _http_client(settings: Settings, chroma_settings: ChromaSettings) -> Any:
    """A client of the Chroma server, whose every request gives up after ``chroma_timeout`` seconds.

    Chroma's HTTP client waits forever (its httpx session has no timeout), so a frozen server (stopped,
    swapping, a half-open connection) hung `coach retrieve` for good. Its session gets the timeout once
    built; building it already asks the server about the tenant, so one heartbeat with the timeout goes
    first and a server frozen from the start fails the same way.
    """
    base_url = (settings.chroma_url or "").rstrip("/")
    url = urlparse(base_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(
            f"COACH_CHROMA_URL is not an http(s) URL: {settings.chroma_url!r}",
            "set it like http://127.0.0.1:8000",
        )
    headers = _auth_headers(settings)
    try:
        httpx.get(f"{base_url}/api/v2/heartbeat", headers=headers,
                  timeout=settings.chroma_timeout)
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            headers=headers,
            settings=chroma_settings,
            tenant=settings.chroma_tenant,
            database=settings.chroma_database,
        )
    except httpx.TimeoutException as exc:
        raise timeout_error(settings) from exc
    except Exception as exc:
        raise StoreError(
            f"cannot reach the Chroma server at {settings.chroma_url}: {exc}",
            "start it (`chroma run --host 127.0.0.1 --port 8000`) or unset COACH_CHROMA_URL; a secured server "
            "needs COACH_CHROMA_TOKEN (and COACH_CHROMA_TENANT / COACH_CHROMA_DATABASE if not the defaults)",
        ) from exc
    # chromadb 1.5: no setting for it, and ClientAPI does not declare the private _server it reaches
    client._server._session.timeout = httpx.Timeout(settings.chroma_timeout)  # type: ignore[attr-defined]
    return client


def _auth_headers(settings: Settings) -> dict[str, str]:
    if not settings.chroma_token:
        return {}
    if settings.chroma_token_header == "Authorization":
        return {"Authorization": f"Bearer {settings.chroma_token}"}
    return {settings.chroma_token_header: settings.chroma_token}


def timeout_error(settings: Settings) -> StoreError:
    return StoreError(
        f"the Chroma server at {settings.chroma_url} did not answer within {settings.chroma_timeout:g} s",
        "check that the server is running and not stopped or overloaded (`curl "
        f"{settings.chroma_url}/api/v2/heartbeat`); if it is only slow, raise COACH_CHROMA_TIMEOUT; an "
        "interrupted `coach ingest` completes when run again",
    )


class ChunkStore:
    """One Chroma collection of chunks; every call names the embedder, never Chroma's default."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.location = settings.chroma_url or str(settings.chroma_dir)
        self._client = _client(settings)
        self._function = CoachEmbeddingFunction(embedder)
        self._collection: Any = None
        self._windows: Any = None

    # ------------------------------------------------------------ opening

    def open(self, *, create: bool = False) -> ChunkStore:
        """Open the collection; with ``create`` make it if missing. Checks the embedder matches."""
        name = self.settings.collection
        existing = self._collection_names()
        if name not in existing:
            if not create:
                raise EmptyStoreError(f"the store at {self.location} has no chunks yet", INGEST_FIX)
            # get_or_create, not create: a retried call whose first try did create it must not fail
            self._collection = self._call(
                self._client.get_or_create_collection,
                name,
                embedding_function=self._function,
                metadata={"embedder": self.embedder.name, "generation": "", "state": "clean"},
                configuration={"hnsw": {"space": "cosine"}},
            )
        else:
            self._check_embedder(name)
            self._collection = self._call(self._client.get_collection, name, embedding_function=self._function)
        self._windows = self._call(
            self._client.get_or_create_collection,
            self._windows_name,
            embedding_function=self._function,
            metadata={"embedder": self.embedder.name},
            configuration={"hnsw": {"space": "cosine"}},
        )
        return self

    @property
    def _windows_name(self) -> str:
        return f"{self.settings.collection}_windows"

    def _collection_names(self) -> set[str]:
        return {c.name for c in self._call(self._client.list_collections)}

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one Chroma call: retry a dropped server connection, turn any other failure into StoreError."""
        delays = RETRY_DELAYS if self.settings.chroma_url else ()
        for delay in (*delays, None):
            try:
                return fn(*args, **kwargs)
            except CoachError:
                raise
            except httpx.TimeoutException as exc:  # a frozen server: waiting again would only double the wait
                raise timeout_error(self.settings) from exc
            except Exception as exc:
                if delay is None or not _transient(exc):
                    raise self._failure(exc, retried=bool(delays) and _transient(exc)) from exc
                log.warning("chroma server at %s dropped (%s); retrying in %.2f s", self.location,
                            type(exc).__name__, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _failure(self, exc: Exception, *, retried: bool) -> StoreError:
        if retried:
            waited = sum(RETRY_DELAYS)
            return StoreError(
                f"the Chroma server at {self.location} stopped answering ({type(exc).__name__}; "
                f"retried for {waited:.0f} s)",
                f"{SERVER_FIX}; an interrupted `coach ingest` completes when run again",
            )
        return StoreError(f"the store at {self.location} failed: {type(exc).__name__}: {exc}"[:500], self._recovery())

    def _check_embedder(self, name: str) -> None:
        raw = self._call(self._client.get_collection, name, embedding_function=self._function)
        built_with = (raw.metadata or {}).get("embedder")
        if built_with != self.embedder.name:
            raise StoreError(
                f"the store was built with {built_with}, but coach is set to {self.embedder.name}",
                "re-ingest with `coach ingest --reset`, or set COACH_EMBEDDINGS to match the store",
            )

    def _recovery(self) -> str:
        if self.settings.chroma_url:
            return f"check that the Chroma server at {self.settings.chroma_url} is running, then run `coach doctor`"
        return (
            f"run `coach doctor`; if the store is damaged, move {self.settings.chroma_dir} aside "
            "and run `coach ingest --reset` (nothing else is touched)"
        )

    # ------------------------------------------------------------ the shared store's ingest lease

    def take_lease(
        self, owner: str, seconds: float, is_dead: Callable[[str], bool] = lambda holder: False
    ) -> tuple[str, float]:
        """Try to become the one ingest writing to this store; returns the holder and its expiry.

        Chroma ignores an ``add`` whose id exists, so of two clients adding the lease record at once
        the first one written wins, and both read back the same holder. A holder past its expiry (its
        machine died mid-ingest), or one ``is_dead`` knows to be gone, is removed, conditionally on that
        same expiry, then the lease is retaken.
        """
        leases = self._leases()
        record = {"ids": [_LEASE_ID], "embeddings": [[1.0]]}
        self._call(leases.add, **record, documents=[owner], metadatas=[{"expires": time.time() + seconds}])
        found = self._call(leases.get, ids=[_LEASE_ID], include=["documents", "metadatas"])
        if not found["ids"]:
            return self.take_lease(owner, seconds, is_dead)  # released between our add and our read
        holder, expires = str(found["documents"][0]), float(found["metadatas"][0]["expires"])
        if holder != owner and (expires < time.time() or is_dead(holder)):
            log.warning("taking over the ingest lease of %s (expired or its process is gone)", holder)
            self._call(leases.delete, ids=[_LEASE_ID], where={"expires": expires})
            return self.take_lease(owner, seconds, is_dead)
        return holder, expires

    def renew_lease(self, owner: str, seconds: float) -> None:
        leases = self._leases()
        found = self._call(leases.get, ids=[_LEASE_ID], include=["documents"])
        if found["documents"] != [owner]:
            raise StoreError(
                f"this ingest lost its lease on the shared store at {self.location}: it stalled longer than "
                f"{seconds:.0f} s and another ingest took over",
                "run `coach ingest` again once the other one has finished; it completes what this one left",
            )
        self._call(leases.update, ids=[_LEASE_ID], metadatas=[{"expires": time.time() + seconds}])

    def release_lease(self, owner: str) -> None:
        self._call(self._leases().delete, ids=[_LEASE_ID], where_document={"$contains": owner})

    def _leases(self) -> Any:
        return self._call(
            self._client.get_or_create_collection, f"{self.settings.collection}_lease",
            embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
        )

    def reset(self) -> None:
        """Drop both collections: chunks first, so an interruption leaves orphan windows (swept), never
        chunks without windows (invisible to dense search)."""
        existing = self._collection_names()
        for name in (self.settings.collection, self._windows_name):
            if name in existing:
                self._call(self._client.delete_collection, name)
        self._collection = self._windows = None

    @property
    def collection(self) -> Any:
        if self._collection is None:
            raise StoreError("the store is not open", INGEST_FIX)
        return self._collection

    @property
    def windows(self) -> Any:
        if self._windows is None:
            raise StoreError("the store is not open", INGEST_FIX)
        return self._windows

    # ------------------------------------------------------------ state shared with the lexical index

    def metadata(self) -> dict[str, Any]:
        self._collection = self._call(
            self._client.get_collection, self.settings.collection, embedding_function=self._function
        )
        return dict(self._collection.metadata or {})

    def set_state(self, **changes: str) -> None:
        metadata = {**self.metadata(), **changes}
        self._call(self.collection.modify, metadata=metadata)

    def record_graph_files(self) -> None:
        """After an ingest: the graph files this process wrote need no link check at the next start."""
        if not self.settings.chroma_url:
            record_graph_files(self.settings.chroma_dir)

    # ------------------------------------------------------------ chunks

    def count(self) -> int:
        return int(self._call(self.collection.count))

    def window_count(self) -> int:
        return int(self._call(self.windows.count))

    def ids_for_document(self, doc_id: str) -> set[str]:
        return set(self._call(self.collection.get, where={"doc_id": doc_id}, include=[])["ids"])

    def window_parents(self, doc_id: str) -> dict[str, str]:
        """window id -> parent chunk id, for one document's windows."""
        found = self._call(self.windows.get, where={"doc_id": doc_id}, include=["metadatas"])
        pairs = zip(found["ids"], found["metadatas"], strict=True)
        return {wid: str((meta or {}).get("parent", "")) for wid, meta in pairs}

    def origins(self, doc_ids: list[str]) -> dict[str, set[str]]:
        """doc id -> the files its stored chunks were read from ("" for chunks stored before coach kept it),
        for the stored ones among these ids."""
        origins: dict[str, set[str]] = {}
        for start in range(0, len(doc_ids), _ID_BATCH):  # an $in of thousands of ids would pass SQLite's limit
            batch = doc_ids[start : start + _ID_BATCH]
            found = self._call(self.collection.get, where={"doc_id": {"$in": batch}}, include=["metadatas"])
            for meta in found["metadatas"]:
                origins.setdefault(str(meta["doc_id"]), set()).add(str(meta.get("origin", "")))
        return origins

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        found = self._call(self.collection.get, where={"doc_id": doc_id}, include=["documents", "metadatas"])
        return [
            StoredChunk(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        ]

    def add_windows(self, ids: list[str], texts: list[str], parents: list[str], doc_id: str, vectors: list) -> None:
        """Upsert: windows left by an interrupted ingest are simply overwritten."""
        metadatas = [{"doc_id": doc_id, "parent": parent} for parent in parents]
        self._call(self.windows.upsert, ids=ids, documents=texts, metadatas=metadatas, embeddings=vectors)

    def add(
        self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]], vectors: list[list[float]]
    ) -> None:
        """Upsert too: a retried call, or a chunk re-added because its windows were lost, never duplicates."""
        self._call(self.collection.upsert, ids=ids, documents=texts, metadatas=metadatas, embeddings=vectors)

    def update_metadata(self, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        if ids:
            self._call(self.collection.update, ids=ids, metadatas=metadatas)

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._call(self.collection.delete, ids=ids)

    def delete_windows(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self._call(self.windows.delete, ids=ids[start : start + _PAGE])

    def delete_orphan_windows(self, doc_id: str, live_chunks: set[str]) -> int:
        """Windows of this document whose chunk is gone (replaced, or lost to an interrupted ingest)."""
        orphans = [wid for wid, parent in self.window_parents(doc_id).items() if parent not in live_chunks]
        self.delete_windows(orphans)
        return len(orphans)

    def iter_window_parents(self) -> Iterator[tuple[str, str]]:
        """(window id, parent chunk id) of every window, a page at a time (consistency checks)."""
        offset = 0
        while True:
            page = self._call(self.windows.get, include=["metadatas"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            for wid, meta in zip(page["ids"], page["metadatas"], strict=True):
                yield wid, str((meta or {}).get("parent", ""))
            offset += len(page["ids"])

    def get(self, ids: list[str]) -> list[StoredChunk]:
        if not ids:
            return []
        found = self._call(self.collection.get, ids=ids, include=["documents", "metadatas"])
        by_id = {
            cid: StoredChunk(cid, doc or "", dict(meta or {}))
            for cid, doc, meta in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        }
        return [by_id[cid] for cid in ids if cid in by_id]

    def iter_all(self, include_text: bool = False) -> Iterator[StoredChunk]:
        """Every chunk, a page at a time (rebuilding the lexical index, consistency checks)."""
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        offset = 0
        while True:
            page = self._call(self.collection.get, include=include, limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            docs = page.get("documents") or [""] * len(page["ids"])
            for cid, doc, meta in zip(page["ids"], docs, page["metadatas"], strict=True):
                yield StoredChunk(cid, doc or "", dict(meta or {}))
            offset += len(page["ids"])

    def nearest(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the n chunks whose best unit is nearest the vector."""
        # Distances only: the parent is read off the window id, and fetching 90 metadata records
        # would cost three times the vector search itself (bench/retrieval_scale.py).
        result = self._call(
            self.windows.query, query_embeddings=[vector], n_results=n * WINDOWS_PER_CHUNK, include=["distances"]
        )
        best: dict[str, float] = {}
        for window, dist in zip(result["ids"][0], result["distances"][0], strict=True):
            best.setdefault(window_parent(window), 1.0 - float(dist))
        return list(best.items())[:n]


def window_id(chunk_id: str, n: int) -> str:
    return f"{chunk_id}{_WINDOW_MARK}{n}"


def window_parent(window: str) -> str:
    return window.rsplit(_WINDOW_MARK, 1)[0]


def quiet_chroma_logs() -> None:
    """Chroma logs telemetry and migration chatter at INFO; staff need none of it."""
    logging.getLogger("chromadb").setLevel(logging.WARNING)
