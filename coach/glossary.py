"""English staff words → the Chinese terms the corpus uses for them, appended to an English query.

Why: the keyword index holds the jieba words and bigrams of Chinese text, so an English question
("harassment calls on the hotline") matches only the corpus's few incidental English words, and
multilingual-e5-small alone often ranks the right Chinese passage below the top five. The glossary
(``corpus/glossary_en.yaml``, written from the passages alone) turns the English words of a query into
the corpus's own terms (骚扰, 热线), which both halves then search: the keyword half finds the words, and
e5 embeds the query closer to the Chinese passages (bench/retrieval.py).
Whole words only (a hyphen joins words: "de-escalation" is not "escalation"; "follow up" meets
"follow-up"), longest phrase first, no stemming: the file lists the inflections it knows.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from coach.corpus.manifest import first_error
from coach.paths import bundled
from coach.yaml_input import load_yaml

GLOSSARY_FILE = "glossary_en.yaml"
_MAPPING = TypeAdapter(dict[str, list[str]])
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")


class Glossary:
    def __init__(self, terms: dict[str, list[str]]) -> None:
        self.terms: dict[str, list[str]] = {}
        for key, values in terms.items():
            flat = _flat(key)
            if values:  # "follow-up call" is also written "follow up call"
                self.terms.setdefault(flat, []).extend(values)
                self.terms.setdefault(flat.replace("-", " "), []).extend(values)
        keys = sorted(self.terms, key=len, reverse=True)  # "follow-up call" before "call"
        # A hyphen joins a word: "escalation" is not read inside "de-escalation", nor "refund" in "non-refund".
        self._pattern = (re.compile(r"(?<![a-z0-9'-])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9'-])")
                         if keys else None)

    def chinese_terms(self, query: str) -> list[str]:
        """The corpus terms for the English words of ``query``, in order, each once."""
        if self._pattern is None or not _LATIN.search(query):
            return []
        found = [term for match in self._pattern.finditer(_flat(query)) for term in self.terms[match.group(0)]]
        return list(dict.fromkeys(found))


def _flat(text: str) -> str:
    """Lower case, full-width letters as ASCII, one kind of apostrophe, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").split())


def load_glossary(path: Path) -> Glossary:
    """The glossary at ``path``; an absent file is an empty glossary (a corpus may have none)."""
    if not path.is_file():
        return Glossary({})
    data = load_yaml(path, "glossary", "")
    try:
        return Glossary(_MAPPING.validate_python(data or {}))
    except ValidationError as exc:
        raise first_error(path, exc, "each entry is `english words: [中文词, …]`") from exc


@functools.cache
def bundled_glossary() -> Glossary:
    return load_glossary(bundled("corpus") / GLOSSARY_FILE)


def corpus_terms(query: str) -> list[str]:
    """The bundled glossary's terms for an English query; read at the first query with a Latin letter, so a
    Chinese-only process never loads it."""
    return bundled_glossary().chinese_terms(query) if _LATIN.search(query) else []
