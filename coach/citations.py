"""Citations that support the reply: each quote is verbatim text of the chunk it names.

Offline drafts cite the passage each sentence follows (looked up in the retrieved passages first,
then in the whole store); model drafts cite the retrieved sentences that share the most wording with
the reply. Only ``script`` and ``principle`` chunks are cited: a taboo example or a case story never
backs a reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coach.script import to_simplified
from coach.types import Citation, Passage

if TYPE_CHECKING:  # the store (and chromadb behind it) is imported only where a store is opened
    from coach.store import ChunkStore

ALLOWED_KINDS = ("script", "principle")
_SPACE = re.compile(r"\s")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_PUNCT = re.compile(r"[\s,，。.!！?？:：;；、\"“”「」()（）]")


@dataclass(frozen=True)
class _Chunk:
    chunk_id: str
    source: str
    text: str
    compact: str  # whitespace removed, simplified
    positions: tuple[int, ...]  # compact index -> text index

    @classmethod
    def of(cls, chunk_id: str, source: str, text: str) -> _Chunk | None:
        positions = tuple(i for i, c in enumerate(text) if not _SPACE.match(c))
        compact = to_simplified("".join(text[i] for i in positions))
        if len(compact) != len(positions):  # a conversion changed the length: offsets would lie
            return None
        return cls(chunk_id, source, text, compact, positions)

    def span(self, quote: str) -> str | None:
        """The chunk's own text for ``quote`` (matched ignoring whitespace and script)."""
        needle = to_simplified(_SPACE.sub("", quote))
        at = self.compact.find(needle)
        if at < 0 or not needle:
            return None
        return self.text[self.positions[at]: self.positions[at + len(needle) - 1] + 1]


class CitationIndex:
    """Every citable chunk of the store, for quotes the retrieval did not bring back."""

    def __init__(self, chunks: Iterable[tuple[str, str, str, str]]) -> None:
        self.chunks = [c for cid, source, kind, text in chunks if kind in ALLOWED_KINDS
                       for c in [_Chunk.of(cid, source, text)] if c]

    @classmethod
    def from_store(cls, store: ChunkStore) -> CitationIndex:
        items = store.iter_all(include_text=True)
        return cls((c.chunk_id, str(c.metadata.get("doc_id", "")), str(c.metadata.get("kind", "principle")), c.text)
                   for c in items)


def _passage_chunks(passages: list[Passage]) -> list[_Chunk]:
    return [c for p in passages if p.kind in ALLOWED_KINDS for c in [_Chunk.of(p.chunk_id, p.source, p.text)] if c]


def cite_quotes(quotes: list[tuple[str, str]], passages: list[Passage], index: CitationIndex | None) -> list[Citation]:
    """One citation per (doc, quote) found, retrieved passages first; order kept, duplicates dropped."""
    retrieved = _passage_chunks(passages)
    found: dict[tuple[str, str], Citation] = {}
    for doc, quote in quotes:
        pool = [c for c in retrieved if c.source == doc] + [c for c in (index.chunks if index else []) if c.source == doc]  # noqa: E501
        for chunk in pool:
            span = chunk.span(quote)
            if span:
                found.setdefault((chunk.chunk_id, span), Citation(chunk_id=chunk.chunk_id, source=chunk.source, quote=span))  # noqa: E501
                break
    return list(found.values())


def _bigrams(text: str) -> set[str]:
    compact = _PUNCT.sub("", to_simplified(text).lower())
    return {compact[i: i + 2] for i in range(len(compact) - 1)}


def cite_reply(reply: str, passages: list[Passage], index: CitationIndex | None = None, *,
               min_shared: int = 4, reproduces: float = 0.6, limit: int = 12) -> list[Citation]:
    """For each reply sentence, the corpus sentence it follows: retrieved passages first, then the store.

    A reply sentence follows a corpus sentence when it holds most of that sentence's wording (at least
    ``reproduces`` of its bigrams) or, failing that, the retrieved sentence sharing the most wording
    (at least ``min_shared`` bigrams). Quotes are verbatim chunk text.
    """
    pool = [(c.chunk_id, c.source, sentence) for c in _passage_chunks(passages) for sentence in _sentences(c.text)]
    retrieved = len(pool)
    stored = index.chunks if index else []
    pool += [(c.chunk_id, c.source, sentence) for c in stored for sentence in _sentences(c.text)]
    grams = [_bigrams(sentence) for _, _, sentence in pool]
    result: dict[str, Citation] = {}
    for match in _SENTENCE.finditer(reply):
        wanted = _bigrams(match.group(0))
        best, best_score = None, 0.0
        for i, (chunk_id, source, sentence) in enumerate(pool):
            shared = len(grams[i] & wanted)
            if not grams[i] or shared < min_shared:
                continue
            coverage = shared / len(grams[i])
            score = coverage if coverage >= reproduces else (shared / 1000 if i < retrieved else 0.0)
            if score > best_score:
                best, best_score = Citation(chunk_id=chunk_id, source=source, quote=sentence), score
        if best and best.quote not in result:
            result[best.quote] = best
    return list(result.values())[:limit]


def _sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
