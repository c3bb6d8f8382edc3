"""jieba's dictionary for the composer's part-of-speech cut, looked up in a SQLite file in the data dir.

A cold ``coach draft`` cuts a few clauses, yet jieba loads its whole prefix dictionary for them (0.6 s from
its marshal cache) and ``jieba.posseg`` parses all of dict.txt again at import for the word tags (0.2 s).
Here both tables live in one SQLite file, written once from jieba's own dict.txt (its ``gen_pfdict`` and
the tag column ``POSTokenizer.load_word_tag`` reads), and each word the cut asks about is one indexed
lookup: the same counts and tags, so the same cut. The file is named by jieba's version and rewritten
(atomically) when missing or unreadable.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

from coach.lexical import load_jieba

_SCHEMA = """
CREATE TABLE words (word TEXT PRIMARY KEY, freq INTEGER NOT NULL, tag TEXT) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_home = {"dir": Path(tempfile.gettempdir())}  # where jieba itself keeps its cache, until use_data_dir says
_lock = threading.Lock()


class _Column:
    """One column of the words table as the read-only mapping jieba's code uses (``in``, ``[]``, ``get``)."""

    def __init__(self, db: sqlite3.Connection, column: str) -> None:
        self._db = db
        self._sql = f"SELECT {column} FROM words WHERE word = ?"

    def _row(self, word: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._db.execute(self._sql, (word,)).fetchone()
        return row if row is not None and row[0] is not None else None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._row(word) is not None

    def __getitem__(self, word: str) -> Any:
        row = self._row(word)
        if row is None:
            raise KeyError(word)
        return row[0]

    def get(self, word: str, default: Any = None) -> Any:
        row = self._row(word)
        return default if row is None else row[0]


def use_data_dir(path: Path) -> None:
    """Keep the dictionary file in coach's data dir, not in /tmp where it may be wiped."""
    _home["dir"] = path


def _path() -> Path:
    return _home["dir"] / f"jieba-{load_jieba().__version__}-dict.sqlite3"


def _write(path: Path) -> None:
    """Both tables from jieba's dict.txt, parsed by jieba's own code, into ``path`` (replaced whole)."""
    jieba = load_jieba()
    source = jieba.Tokenizer()
    freq, total = source.gen_pfdict(source.get_dict_file())
    tags: dict[str, str] = {}
    with source.get_dict_file() as lines:  # as POSTokenizer.load_word_tag reads them: a later line wins
        for line in lines:
            fields = line.strip().decode("utf-8").split(" ")
            if len(fields) == 3:
                tags[fields[0]] = fields[2]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        with sqlite3.connect(scratch) as db:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO words VALUES (?, ?, ?)", ((w, f, tags.get(w)) for w, f in freq.items()))
            db.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
        db.close()
        os.replace(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def _open(path: Path) -> tuple[sqlite3.Connection, int]:
    # Read only, shared by the server's worker threads: SQLite serialises the lookups itself.
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    (total,) = db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
    return db, int(total)


@cache
def pos_tokenizer() -> Any:
    """A ``jieba.posseg.POSTokenizer`` whose counts and tags come from the dictionary file."""
    # One thread at a time (the server drafts on several): the file is written once, and jieba.posseg is
    # imported whole before any thread uses it.
    with _lock:
        path = _path()
        try:
            db, total = _open(path)
        except (sqlite3.Error, TypeError):  # missing (the first draft in this data dir), or damaged
            _write(path)
            db, total = _open(path)
        words = load_jieba().Tokenizer()
        words.FREQ, words.total, words.initialized = _Column(db, "freq"), total, True
        tags = _Column(db, "tag")
        posseg = _import_posseg(tags)
        tagger = posseg.POSTokenizer.__new__(posseg.POSTokenizer)  # its __init__ would read dict.txt for the tags
        tagger.tokenizer, tagger.word_tag_tab = words, tags
        return tagger


def _import_posseg(tags: _Column) -> Any:
    """``jieba.posseg``, whose import builds a module-level tagger over ``jieba.dt`` by reading that
    dictionary's every line for the tags (0.2 s). Pointed at an empty file for the import, that tagger gets
    the tags from the dictionary file instead, as ours does; ``jieba.dt`` itself is left as it was."""
    if "jieba.posseg" not in sys.modules:
        words = load_jieba().dt
        default = words.dictionary
        words.dictionary = os.devnull
        try:
            import jieba.posseg
        finally:
            words.dictionary = default
        jieba.posseg.dt.word_tag_tab = tags
    return sys.modules["jieba.posseg"]
