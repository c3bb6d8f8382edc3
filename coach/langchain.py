"""coach inside a LangChain app: the hybrid retriever as a ``BaseRetriever`` and guarded drafting as a ``Runnable``.

Both open the store on first use, not when built, so a chain can be assembled before ``coach ingest`` has run
and fails with coach's own EmptyStoreError (message + fix) when it is first invoked.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict, PrivateAttr

from coach.config import Settings, load_settings
from coach.types import Draft, DraftRequest, Passage


def passage_document(passage: Passage) -> Document:
    """A passage as a LangChain Document: the text, and where it came from as metadata."""
    return Document(
        page_content=passage.text,
        id=passage.chunk_id,
        metadata={"source": passage.source, "title": passage.title, "section": passage.section,
                  "kind": passage.kind, "score": passage.score, "chunk_id": passage.chunk_id},
    )


class CoachRetriever(BaseRetriever):
    """coach's hybrid search (e5 vectors + keywords, fused by rank) over the ingested training material.

    ``k`` passages per query; ``domain`` (bank, telecom, …) favours the documents written for it.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: Settings | None = None
    k: int = 5
    domain: str | None = None
    _retriever: Any = PrivateAttr(default=None)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        if self._retriever is None:
            from coach.retrieval import Retriever

            self._retriever = Retriever(self.settings or load_settings())
        retrieval = self._retriever.retrieve(query, k=self.k, domain=self.domain)
        return [passage_document(p) for p in retrieval.passages]


def draft_runnable(settings: Settings | None = None) -> Runnable[dict[str, Any], Draft]:
    """A Runnable taking ``{"message", "conversation"?, "role"?, "domain"?, "channel"?}`` and returning the
    typed ``Draft``: retrieval, the configured backend (or the offline composer), the guard and the
    fallback all run inside, exactly as for ``coach draft``."""
    chain: Any = None

    def run(request: dict[str, Any]) -> Draft:
        nonlocal chain
        if chain is None:
            from coach.chain import DraftChain

            chain = DraftChain(settings or load_settings())
        return chain.draft(DraftRequest.model_validate(request))

    return RunnableLambda(run, name="coach_draft")
