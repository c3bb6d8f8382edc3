"""The keyword half of hybrid retrieval: a persistent SQLite FTS5 index over jieba tokens.

Why FTS5 (measured in bench/retrieval_scale.py): it is in the standard library, opens in
milliseconds, and answers from an inverted index, so a query costs what its terms' posting lists cost,
not a pass over every chunk as rank-bm25 does; rank-bm25 must also be rebuilt at every start.

The index is a derived copy of the Chroma collection. It stores the collection's ingest
``generation``; whenever that differs from Chroma's (another client ingested into a shared server, or
an ingest was killed halfway), the index is rebuilt from Chroma, which is the source of truth.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np

from coach.errors import StoreError

# Version 2 keeps each chunk's text and display fields beside its tokens, so that a query reads its
# passages from this file instead of a second Chroma round trip (bench/retrieval_scale.py: the fetch
# cost as much as the vector search). Version 3 keeps each term's document frequency in ``terms``:
# FTS5's own vocabulary table counts a term's documents by reading its whole posting list, which for
# the common bigrams of a 100k-chunk corpus cost more than the search itself. An index of another
# version is derived data: it is dropped and rebuilt.
# Version 4 keeps each chunk's token count and the corpus total, and reads term instances through an
# fts5vocab table: search() scores BM25 itself (see there).
SCHEMA_VERSION = "4"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL,
    text TEXT NOT NULL, title TEXT NOT NULL, section TEXT NOT NULL, kind TEXT NOT NULL, serves TEXT NOT NULL,
    length INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_instances USING fts5vocab(chunks_fts, instance);
"""
_DROP_ALL = "".join(
    f"DROP TABLE IF EXISTS {table};" for table in ("chunks_instances", "chunks", "chunks_fts", "terms", "meta")
)


class IndexedChunk(NamedTuple):
    """One chunk as the lexical index holds it: its search tokens and what a passage shows."""

    chunk_id: str
    doc_id: str
    tokens: str
    text: str = ""
    title: str = ""
    section: str = ""
    kind: str = "principle"
    serves: str = ""


# Function words that carry no topic; dropping them keeps OR-queries short at 100k chunks.
_STOPWORDS = frozenset(
    """
    的 了 是 我 你 他 她 它 们 我们 你们 他们 这 那 这个 那个 就 都 也 还 又 在 和 与 及 或 吗 呢 吧 啊 呀 嘛
    有 没 没有 要 会 能 可以 怎么 怎么办 怎样 如何 什么 为什么 哪 哪些 一个 一些 该 应该 对 把 被 让 给 从 到
    上 下 中 里 时 时候 后 前 说 想 很 太 再 才 么 呗 得 地 着 过 之 其 而 但 但是 如果 因为 所以
    a an the to of and or is are be i you he she it we they my your what how why do does can should
    """.split()
)
MIN_TERM_DOCS, MAX_TERM_SHARE, MIN_TERMS = 200, 0.02, 3
MAX_QUERY_CHARS, MAX_TERM_CHARS = 400, 8
MAX_POSTINGS = 3000  # postings a query walks at most (beyond its rarest MIN_TERMS terms), whatever its length
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() constants
_CJK_CHARS = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_TOKEN_OK = re.compile(r"\w", re.UNICODE)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


@cache
def load_jieba() -> ModuleType:
    """jieba, with its dictionary-loading banner (printed on stderr at first use) silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize(simplified_text: str) -> list[str]:
    """Search tokens of simplified text: jieba's search-mode words plus Chinese character bigrams.

    Bigrams catch paraphrases that share a morpheme but not a word (赔不是 / 道歉 share nothing,
    but 倾诉 / 诉苦 share 诉); bench/retrieval.py measures the gain.
    """
    lowered = simplified_text.lower()
    words = [w for w in (w.strip() for w in load_jieba().cut_for_search(lowered)) if w and _TOKEN_OK.search(w)]
    bigrams = [run[i : i + 2] for run in _CJK_RUN.findall(lowered) for i in range(len(run) - 1)]
    return [t for t in words + bigrams if t not in _STOPWORDS]


def query_candidates(simplified_text: str) -> list[str]:
    """Every piece of a query that could be an indexed term: Chinese substrings of 1-8 characters
    and whole ASCII words, stopwords dropped.

    The index itself answers which of them it holds (``selective_terms``), so a query needs no
    segmenter: jieba's dictionary load (about a second) stays off the path to the first answer,
    while the index is still built from jieba's words and bigrams.
    """
    lowered = simplified_text.lower()[:MAX_QUERY_CHARS]
    pieces = {
        run[i : i + n]
        for run in _CJK_CHARS.findall(lowered)
        for n in range(1, MAX_TERM_CHARS + 1)
        for i in range(len(run) - n + 1)
    }
    pieces.update(_ASCII_WORD.findall(lowered))
    return sorted(p for p in pieces if p not in _STOPWORDS)


class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._length_by_row = np.zeros(0)
        self._length_generation: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"the keyword index {path} cannot be opened: {type(exc).__name__}: {exc}",
                f"it is derived from the store: `coach doctor --repair` sets {path.name} aside and rebuilds it",
            ) from exc

    def _migrate(self) -> None:
        """Create the tables, or drop an index of another version: its generation goes with it, so
        the next reader rebuilds it from Chroma."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" in tables and self._meta("schema") != SCHEMA_VERSION:
            self._db.executescript(_DROP_ALL)
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else ""

    @property
    def generation(self) -> str:
        return self._meta("generation")

    def count(self) -> int:
        """Chunks indexed, as stamped by the last write (count(*) would scan the table)."""
        return int(self._meta("chunks") or 0)

    def chunk_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks")}

    def apply(
        self,
        *,
        add: Iterable[IndexedChunk | tuple[str, ...]] = (),
        remove: Iterable[str] = (),
        generation: str,
        replace_all: bool = False,
    ) -> None:
        """One transaction: remove ids, add chunks (a removed id may be added back), stamp the generation."""
        db = self._db
        self._length_generation = None
        db.execute("BEGIN IMMEDIATE")
        try:
            if replace_all:
                for table in ("chunks", "chunks_fts", "terms"):
                    db.execute(f"DELETE FROM {table}")
            docs: Counter[str] = Counter()  # change in each term's document count
            for chunk_id in remove:
                row = db.execute(
                    "SELECT c.rowid, f.tokens FROM chunks c JOIN chunks_fts f ON f.rowid = c.rowid "
                    "WHERE c.chunk_id = ?",
                    (chunk_id,),
                ).fetchone()
                if row:
                    docs.subtract(set(row[1].split()))
                    db.execute("DELETE FROM chunks_fts WHERE rowid = ?", row[:1])
                    db.execute("DELETE FROM chunks WHERE rowid = ?", row[:1])
            for row in add:
                chunk = IndexedChunk(*row)
                terms = chunk.tokens.split()
                cursor = db.execute(
                    "INSERT OR IGNORE INTO chunks(chunk_id, doc_id, text, title, section, kind, serves, length) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (chunk.chunk_id, chunk.doc_id, chunk.text, chunk.title, chunk.section, chunk.kind, chunk.serves,
                     len(terms)),
                )
                if cursor.rowcount:
                    db.execute("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)", (cursor.lastrowid, chunk.tokens))
                    docs.update(set(terms))
            db.executemany(
                "INSERT INTO terms(term, docs) VALUES (?, ?) "
                "ON CONFLICT(term) DO UPDATE SET docs = docs + excluded.docs",
                ((term, n) for term, n in docs.items() if n),
            )
            db.executemany("DELETE FROM terms WHERE term = ? AND docs <= 0", ((t,) for t, n in docs.items() if n < 0))
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)", (generation,))
            db.execute("INSERT OR REPLACE INTO meta(key, value) SELECT 'chunks', count(*) FROM chunks")
            db.execute("INSERT OR REPLACE INTO meta(key, value) SELECT 'tokens', total(length) FROM chunks")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def passages(self, chunk_ids: list[str]) -> dict[str, IndexedChunk]:
        """The stored chunks among these ids (tokens left empty: a passage does not show them)."""
        if not chunk_ids:
            return {}
        rows = self._db.execute(
            "SELECT chunk_id, doc_id, '', text, title, section, kind, serves FROM chunks "
            f"WHERE chunk_id IN ({','.join('?' * len(chunk_ids))})",
            chunk_ids,
        )
        return {row[0]: IndexedChunk(*row) for row in rows}

    def selective_terms(self, tokens: list[str]) -> dict[str, int]:
        """The query terms worth a posting-list walk, rarest first, with their document counts.

        A term in more than max(200, 2 %) of chunks adds almost nothing to BM25 (its IDF is near zero)
        but makes an OR query touch most of the index, so it is dropped; then terms are taken rarest
        first while their postings fit MAX_POSTINGS. The rarest terms
        carry most of the BM25 score, and the budget keeps a query's cost flat as the corpus grows
        (bench/retrieval_scale.py); a small corpus never reaches it. The rarest few are always kept, so a
        query of common words still answers.
        """
        terms = sorted(set(tokens))
        if not terms:
            return {}
        frequency = dict(
            self._db.execute(f"SELECT term, docs FROM terms WHERE term IN ({','.join('?' * len(terms))})", terms)
        )
        known = sorted((t for t in terms if t in frequency), key=lambda t: frequency[t])
        limit = max(MIN_TERM_DOCS, self.count() * MAX_TERM_SHARE)
        selective = [t for t in known if frequency[t] <= limit]
        if len(selective) < MIN_TERMS:
            return {t: frequency[t] for t in known[:MIN_TERMS]}
        chosen: dict[str, int] = {}
        postings = 0
        for term in selective:
            if len(chosen) >= MIN_TERMS and postings + frequency[term] > MAX_POSTINGS:
                break
            chosen[term] = frequency[term]
            postings += frequency[term]
        return chosen

    def search(self, tokens: list[str], n: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score, higher is better) for chunks holding any selective token.

        The score is FTS5's bm25() — idf = ln((N - df + 0.5) / (df + 0.5)), at least 1e-6, times
        tf·(k1 + 1) / (tf + k1·(1 - b + b·length / mean length)), summed over the query's terms — but
        computed here with numpy from the terms' instances (fts5vocab): FTS5 evaluates bm25() per matching
        row and per query term, which at 100k chunks cost twice the whole vector search
        (bench/retrieval_scale.py). tests/test_lexical.py holds the two rankings equal.
        """
        frequency = self.selective_terms(tokens)
        chunks = self.count()
        if not frequency or not chunks:
            return []
        rows, tf, idf = [], [], []
        for term, docs in frequency.items():
            # One string per term, joined inside SQLite: a Python tuple per instance cost twice as much.
            (joined,) = self._db.execute(
                "SELECT group_concat(doc) FROM chunks_instances WHERE term = ?", (term,)
            ).fetchone()
            instances = np.fromstring(joined or "", dtype=np.int64, sep=",")
            term_rows, counts = np.unique(instances, return_counts=True)
            rows.append(term_rows)
            tf.append(counts)
            idf.append(np.full(len(term_rows), max(math.log((chunks - docs + 0.5) / (docs + 0.5)), 1e-6)))
        row, term_frequency, term_idf = (np.concatenate(parts) for parts in (rows, tf, idf))
        if not len(row):
            return []
        mean_length = float(self._meta("tokens") or 1) / chunks
        length = self._lengths(row)
        weight = term_idf * term_frequency * (BM25_K1 + 1) / (
            term_frequency + BM25_K1 * (1 - BM25_B + BM25_B * length / mean_length)
        )
        matched, position = np.unique(row, return_inverse=True)
        score = np.bincount(position, weights=weight)
        top = np.lexsort((matched, -score))[:n]  # best first; ties by rowid, a stable order
        ids = dict(
            self._db.execute(
                f"SELECT rowid, chunk_id FROM chunks WHERE rowid IN ({','.join('?' * len(top))})",
                matched[top].tolist(),
            )
        )
        return [(ids[int(r)], float(v)) for r, v in zip(matched[top], score[top], strict=True) if int(r) in ids]

    def _lengths(self, rows: np.ndarray) -> np.ndarray:
        """Token counts of these rowids, from an array read once per generation of the index."""
        generation = self.generation
        if self._length_generation != generation or int(rows.max()) >= len(self._length_by_row):
            pairs = np.array(self._db.execute("SELECT rowid, length FROM chunks").fetchall(), dtype=np.int64)
            by_row = np.zeros(int(pairs[:, 0].max()) + 1 if len(pairs) else 1, dtype=np.float64)
            if len(pairs):
                by_row[pairs[:, 0]] = pairs[:, 1]
            self._length_by_row, self._length_generation = by_row, generation
        return self._length_by_row[rows]
