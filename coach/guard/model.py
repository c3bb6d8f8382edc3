"""The guard's learned second stage: after the rules, a linear model over each sentence adds the flags the
rules missed, each with a score, a category and the nearest labelled example as its reason.

Features (``sentence_features``), hashed into one space with CRC-32 so they are the same in every process:
character 1-3-grams of the sentence (squeezed), its English words and word pairs, the rule guard's structure on
the sentence (which axes of ``commitment.yaml`` match, which categories the rules flagged), and the customer's
side (a demand the rules read in the context, its category, and character bigrams of the customer's last words).

The weights are a plain ``.npz`` (no pickle) built by ``scripts/build_guard_model.py`` from the repo's
labelled sets; inference is numpy only, so ``coach check`` never imports scikit-learn. The rules keep
precedence: the stage only adds flags of a kind the rules did not raise on that sentence, with
``detector="model"``.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coach.errors import ConfigError
from coach.guard import text as gt
from coach.guard.base import GuardContext, Kind
from coach.guard.commitment import claimed, vocabulary
from coach.guard.service import model_gate, refusal_reasons
from coach.types import Violation

MODEL_PATH = Path(__file__).with_name("guard_model.npz")
BUCKETS = 1 << 18
KINDS: tuple[str, ...] = ("ok", "unauthorized_promise", "forbidden_phrase")  # the model's classes, in order
_KIND_ZH = {"unauthorized_promise": "越权承诺", "forbidden_phrase": "服务忌语"}
_CUSTOMER_TAIL = 40  # how many of the customer's last squeezed characters are read


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (BUCKETS - 1)


def text_grams(squeezed: str) -> set[str]:
    """Character 1-, 2- and 3-grams: what the nearest example is judged by."""
    grams = set(squeezed)
    grams.update(squeezed[i:i + 2] for i in range(len(squeezed) - 1))
    grams.update(squeezed[i:i + 3] for i in range(len(squeezed) - 2))
    return grams


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def words(norm: str) -> set[str]:
    """English words and adjacent word pairs: character n-grams of squeezed English ("illwaiveit") blur word
    boundaries, so "waive", "I'll" and "our fault" are read as words too (a06's and the code-switching desks'
    wording). A Chinese character between two words breaks the pair."""
    named: set[str] = set()
    for run in re.split(r"[^a-z' ]+", norm):
        tokens = _WORD.findall(run)
        named.update(f"w:{t}" for t in tokens)
        named.update(f"w:{a} {b}" for a, b in itertools.pairwise(tokens))
    return named


def structure(norm: str, rule_categories: set[str], demand: object | None, customer_tail: str) -> set[str]:
    """The rule guard's reading of the sentence and of the customer's turn, as named features."""
    vocab = vocabulary()
    named = {f"rule:{c}" for c in rule_categories}
    if rule_categories:
        named.add("rule:any")
    axes = {"undertaking": vocab.undertaking, "own_act": vocab.own_act, "certainty": vocab.certainty,
            "reassurance": vocab.reassurance, "payment": vocab.payment, "time": vocab.time,
            "deadline": vocab.deadline_outcome}
    named.update(f"axis:{name}" for name, pattern in axes.items() if pattern.search(norm))
    named.update(f"outcome:{name}" for name, pattern in vocab.outcomes if pattern.search(norm))
    named.update(f"by_itself:{name}" for name, pattern in vocab.by_itself if pattern.search(norm))
    named.update(f"scope:{name}" for name, pattern in vocab.scope.items() if pattern.search(norm))
    if demand is not None:
        named.update(("demand", f"demand:{getattr(demand, 'category', '')}"))
    named.update("c:" + customer_tail[i:i + 2] for i in range(len(customer_tail) - 1))
    named.add(f"len:{min(len(norm) // 10, 8)}")
    return named


def sentence_features(sentence: gt.Sentence, ctx: GuardContext, rule_categories: set[str]) -> list[int]:
    """The hashed feature indices of one sentence read in its context (sorted, unique)."""
    tail = ctx.customer_words[-_CUSTOMER_TAIL:]
    named = text_grams(sentence.squeezed) | structure(sentence.norm, rule_categories, ctx.demand, tail)
    if sentence.latin:
        named |= words(sentence.norm)
    return sorted({_bucket(f) for f in named})


_APOLOGY = re.compile(r"抱歉|对不起|歉意|不好意思|sorry|apolog")
_TROUBLE = re.compile(r"带来|造成|添(?:了)?麻烦|困扰|不便|久等|不愉快|受累|费心|inconvenience|trouble")
_CHECK_BACK = re.compile(r"(?:我理解得?(?:对|没错)吗|是吗|对吗|是这样吗|对吧|是吧|没错吧)[呢啊吧]*[?？]?$")
# A letter's or a chat's salutation alone ("尊敬的客户：您好！", "Dear Ms Tan,"): its register is the formal
# letters' of the labelled sets, where most sentences promise, but it says nothing.
_SALUTATION = re.compile(r"(?:(?:尊敬的|亲爱的|dear )[^,，。!?:：]{0,12}[,，:：]?\s*)?"
                         r"(?:您好|你好|hello|hi)?[,，.!！\s]*")
_QUESTION_END = re.compile(r"(?:吗|么|嘛|是吧|对吧|对吗|是吗)[呢哦啊呀]*[?？]?$|[?？]$")


def sentence_latin(norm: str) -> bool:
    """Mostly English: the chat-register gate reads Chinese cues only."""
    return len(_WORD.findall(norm)) >= 3


def taken_back(norm: str, kind: str) -> bool:
    """Scopes the rules honour, which the stage's score does not see: a salutation alone ("尊敬的客户：您好！"),
    the customer's words read back to them
    ("您是说…，我理解得对吗？"); for a promise also a question back ("是还有一个站点不收货么"), a hedge (预计, 一般,
    尽快) with no certainty, undertaking, reassurance or payment beside it, and a sentence
    that names no outcome and no commitment and only apologises for the trouble ("给您带来了这样的困扰，我们深表
    歉意", whatever the customer demanded before it; "…是我们 system 的 bug 导致…，sorry 啊" admits a fault
    besides) or offers a process ("I will pass your views on so that we improve", "我帮您反馈一下"), or whose
    only outcome words are the customer's, quoted back; for a forbidden phrase, a question back opened politely
    ("请问是仓库发错了吗?"), a sentence whose only taboo-like words are the customer's, quoted back, or a sentence in
    chat register (呢/哦/亲/~, a thank-you) with no cue of the phrase taxonomy
    (``model_gate`` in service_phrases.yaml): a question back ("…是么"), a softened explanation ("差距不是很大呢~
    亲亲"), "不客气 充值成功 短信告知"."""
    norm = norm.rstrip(" 。.!！~")
    vocab = vocabulary()
    if _SALUTATION.fullmatch(norm):
        return True
    if (vocab.scope["reported"].match(norm) and _CHECK_BACK.search(norm)) or gt.restated(norm, len(norm)):
        return True
    if kind == "forbidden_phrase":
        if _POLITE_QUESTION.match(norm):
            return True  # "请问是仓库发错了吗?": a question back opened politely is no taboo
        register, cues = model_gate()
        said = _QUOTED.sub("", norm)
        if said != norm and not cues.search(said):
            return True  # its taboo-like words are the customer's own, quoted back (关于“…可不可以直接找真人接听？”)
        return bool(register.search(norm)) and not sentence_latin(norm) and not cues.search(norm)
    if kind != "unauthorized_promise":
        return False
    if _QUESTION_END.search(norm):
        return True
    if vocab.scope["hedged"].search(norm) and not any(
            pattern.search(norm) for pattern in (vocab.undertaking, vocab.certainty, vocab.reassurance, vocab.payment)):
        return True  # "您的订单预计…送达": hedged as the rules read it, and nothing keeps it a promise
    if _only_claims(norm):
        return True  # "海外直采，您精心挑选的商品一定不会让您失望哒": the goods' quality, not the case's outcome
    committing = (vocab.undertaking, vocab.certainty, vocab.reassurance, vocab.payment, vocab.deadline_outcome,
                  *(pattern for _, pattern in (*vocab.outcomes, *vocab.by_itself)))
    said = _QUOTED.sub("", norm)  # the customer's words in balanced quotes ("您提到的“全额退保”…我都记下来了")
    if any(pattern.search(said) for pattern in committing):
        return False
    if said != norm:
        return True  # its only outcome words are the customer's, quoted back
    clauses = [c for c in gt.CLAUSE_BREAK.split(norm) if c.strip()]
    only_sorry = all(_APOLOGY.search(c) or _TROUBLE.search(c) for c in clauses) and _APOLOGY.search(norm)
    return bool(only_sorry or vocab.scope["process"].search(norm))


_POLITE_QUESTION = re.compile(r"(?:您好[,，\s]*)?(?:请问|麻烦问一下|想跟您确认|跟您确认一下)[^。!！]*"
                              r"(?:吗|么|呢)?[?？]?$")
_QUOTED = re.compile(r"“[^“”]*”|\"[^\"]*\"|「[^「」]*」|『[^『』]*』")


def _only_claims(norm: str) -> bool:
    """Every clause that commits (certainty, undertaking, reassurance, payment) claims the goods' quality
    (``scope.product_claim``, as the rules read it) and at least one does."""
    vocab = vocabulary()
    markers = (vocab.undertaking, vocab.certainty, vocab.reassurance, vocab.payment)
    starts, seen = [0, *(m.end() for m in gt.CLAUSE_BREAK.finditer(norm))], False
    for start in starts:
        stop = gt.CLAUSE_BREAK.search(norm, start)
        clause = norm[start:stop.start() if stop else len(norm)]
        if any(pattern.search(clause) for pattern in markers):
            if not claimed(norm, start, start):
                return False
            seen = True
    return seen


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    category: str


def _reasoned_refusal(norm: str, ctx: GuardContext) -> bool:
    """A refusal told with its case's reason, in the reply or staff's turn before it (run 9; ``refusal_reasons``
    in service_phrases.yaml): the rules let it pass, so the stage does too ("确实这么晚了无法联系到配送了")."""
    reasons = refusal_reasons()
    return bool(reasons.refusal.search(norm)) and reasons.given(ctx)


class ModelStage:
    """The loaded weights; ``flags(ctx, violations)`` returns the flags it adds to the rules' report."""

    def __init__(self, path: Path = MODEL_PATH) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                self.weights = data["weights"].astype(np.float32)  # (BUCKETS, len(KINDS))
                self.bias = data["bias"].astype(np.float32)
                self.thresholds = {kind: float(t) for kind, t in zip(KINDS[1:], data["thresholds"], strict=True)}
                self.example_text = data["example_text"]
                self.example_kind = data["example_kind"]
                self.example_category = data["example_category"]
                self.example_ptr = data["example_ptr"]
                self.example_idx = data["example_idx"]
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"the guard model {path} cannot be read: {exc}", "rebuild it: python "
                              "scripts/build_guard_model.py, or set COACH_GUARD_MODEL=false") from exc
        if self.weights.shape != (BUCKETS, len(KINDS)):
            raise ConfigError(f"the guard model {path} has weights of shape {self.weights.shape}",
                              "rebuild it: python scripts/build_guard_model.py")
        self.label = path.name
        self._index: _Inverted | None = None

    def scores(self, features: list[int]) -> np.ndarray:
        """The probability of each of KINDS for one sentence's features."""
        logits = self.weights[features].sum(axis=0) + self.bias
        odds = np.exp(logits - logits.max())
        probabilities: np.ndarray = odds / odds.sum()
        return probabilities

    def flags(self, ctx: GuardContext, violations: list[Violation]) -> list[Violation]:
        added: list[Violation] = []
        for sentence in ctx.sentences:
            found = [v for v in violations if v.start < sentence.end and sentence.start < v.end]
            probabilities = self.scores(sentence_features(sentence, ctx, {v.category for v in found}))
            kinds = {v.kind for v in found}
            for column, kind in enumerate(KINDS[1:], start=1):
                score = float(probabilities[column])
                if kind in kinds or score < self.thresholds[kind] or taken_back(sentence.norm, kind):
                    continue
                if kind == "forbidden_phrase" and _reasoned_refusal(sentence.norm, ctx):
                    continue
                violation = self._flag(ctx, sentence, kind, score)  # type: ignore[arg-type]
                if violation is not None:
                    added.append(violation)
        return added

    def _flag(self, ctx: GuardContext, sentence: gt.Sentence, kind: Kind, score: float) -> Violation | None:
        example = self.nearest(text_grams(sentence.squeezed), kind)
        if example is None:
            return None
        lead = f"模型第二道检查（得分 {score:.2f}）：与已标注的{_KIND_ZH[kind]}例句相似：“{example.text}”。"
        violation = ctx.violation(kind, example.category, sentence, 0, len(sentence.norm), lead=lead)
        return violation.model_copy(update={"detector": "model", "score": round(score, 3)}) if violation else None

    def nearest(self, grams: set[str], kind: str) -> Example | None:
        """The labelled example of ``kind`` sharing most n-grams with ``grams`` (cosine over the sets)."""
        if self._index is None:  # built on the first flag: most checks raise none
            self._index = _Inverted.build(self.example_ptr.astype(np.int64), self.example_idx.astype(np.int64))
        index = self._index
        query = np.unique(np.fromiter((_bucket(g) for g in grams), dtype=np.int64, count=len(grams)))
        rows = np.concatenate([index.rows[index.ptr[b]:index.ptr[b + 1]] for b in query] or [np.empty(0, np.int64)])
        overlap = np.bincount(rows, minlength=len(self.example_text)).astype(np.float64)
        similarity = overlap / np.sqrt(np.maximum(index.sizes, 1) * max(len(query), 1))
        similarity[self.example_kind != kind] = -1.0
        best = int(similarity.argmax()) if len(similarity) else -1
        if best < 0 or similarity[best] < 0:
            return None
        return Example(str(self.example_text[best]), kind, str(self.example_category[best]))


@dataclass(frozen=True)
class _Inverted:
    ptr: np.ndarray  # for each bucket, where its example rows start in ``rows``
    rows: np.ndarray
    sizes: np.ndarray  # n-grams per example

    @classmethod
    def build(cls, example_ptr: np.ndarray, example_idx: np.ndarray) -> _Inverted:
        row_of = np.repeat(np.arange(len(example_ptr) - 1), np.diff(example_ptr))
        order = np.argsort(example_idx, kind="stable")
        counts = np.bincount(example_idx, minlength=BUCKETS)
        return cls(np.concatenate([[0], np.cumsum(counts)]), row_of[order], np.diff(example_ptr))


@functools.cache
def load_stage(path: Path = MODEL_PATH) -> ModelStage:
    """The model stage, loaded once per process."""
    return ModelStage(path)
