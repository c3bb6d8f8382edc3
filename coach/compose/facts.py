"""The case's object: the customer's key terms (叠加包, 发动机舱盖, robot vacuum), never a clause of theirs.

Terms are 2–8 characters (up to three English words): jieba noun runs, complaint verbs, one quantity,
short quoted names. Masked personal data, likely personal names, promises, insults, instructions and the
words every complaint has are left out (``terms.yaml``). The composer names at most one term, in a sentence
(关于这次的叠加包，……), and prefers restating a clause that already holds one.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import yaml

from coach.compose.dictionary import pos_tokenizer
from coach.script import find_placeholders, to_simplified
from coach.types import Language

with open(Path(__file__).with_name("terms.yaml"), encoding="utf-8") as _handle:
    _TERMS: dict[str, str] = yaml.safe_load(_handle)
_VERBS = frozenset(_TERMS["verbs"].split())
_GENERIC = frozenset(_TERMS["generic"].split())
_EN_STOP = frozenset(_TERMS["en_stop"].split())
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋"
                "余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾韦夏付方邹熊白孟秦邱侯江尹薛闫段"
                "雷龙黎史陶贺毛郝顾龚邵万覃武钱严莫孔向常汤康易乔赖文")
_NOUNISH = ("n", "nz", "vn", "nr", "nrt", "nrfg", "j", "ns", "nt", "nw", "eng")
_QUOTED = re.compile(r"[“\"「『《]([\u4e00-\u9fffA-Za-z0-9]{2,8})[”\"」』》]")
_CLAUSE_END = re.compile(r"[。！？!?；;，,:：\n]+|(?<=[A-Za-z])\.(?:\s+|$)")
_MASKED = re.compile(r"\[(?:ID|PHONE|CARD|EMAIL|PLATE|ADDRESS)_\d+\]")
_BANNED = re.compile(_TERMS["banned"], re.I)
_INJECTED = re.compile(_TERMS["injection_clause"], re.I)
QUANTITY = re.compile(_TERMS["quantity"])
_FACT_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9][\u4e00-\u9fffA-Za-z0-9 '-]*")


def _clauses(words: str) -> list[str]:
    """The customer's clauses minus masked personal data and anything addressed to the assistant."""
    text = _MASKED.sub("，", words)
    return [c for c in _CLAUSE_END.split(text) if c.strip() and not _INJECTED.search(c)]


def _acceptable(fact: str) -> bool:
    return (bool(_FACT_CHARS.fullmatch(fact)) and not _BANNED.search(fact) and fact not in _GENERIC
            and not re.search(r"\d{5,}", fact) and not find_placeholders(fact)
            and not re.search(_TERMS["fragment"], fact))


def _idf(word: str, unknown: float = 12.0) -> float:
    """Inverse frequency from jieba's own dictionary counts (coach/compose/dictionary.py): jieba.analyse's
    IDF table would cost another file load on the draft path for the same ranking job."""
    words = pos_tokenizer().tokenizer
    count = words.FREQ.get(word, 0)
    return math.log(words.total / count) if count else unknown


def _zh_candidates(clauses: list[str]) -> list[tuple[str, float, int]]:
    """(term, weight, position) from jieba: merged noun runs, complaint verbs, quantities, quoted names."""
    tagger = pos_tokenizer()
    found: list[tuple[str, float, int]] = []
    pos = 0
    for clause in clauses:
        found += [(q, 16.0, pos) for q in _QUOTED.findall(clause)]
        found += [(m.group(0), 13.0, pos) for m in QUANTITY.finditer(clause)]
        run: list[str] = []
        for word, flag in [*tagger.cut(clause), ("", "x")]:
            pos += 1
            is_name = flag.startswith("nr") and (word[:1] in _SURNAMES or re.match(_TERMS["name_prefix"], word))
            if flag.startswith("nr") and run and run[-1][-1:] in _SURNAMES:
                run = []  # "客户王" + "阿姨": the surname ends the run before, so the run goes too
            keep = (flag in _NOUNISH or word in _VERBS) and word not in _GENERIC and not is_name
            if keep and len("".join(run) + word) <= 6:
                run.append(word)
                continue
            if run:
                term = "".join(run)
                weight = max(_idf(w) for w in run) + 2.0 * (len(run) - 1)
                weight += 4.0 if any(w in _VERBS for w in run) else 0.0
                found.append((term, weight, pos))
            run = [word] if keep else []
    return found


def _en_candidates(clauses: list[str]) -> list[tuple[str, float, int]]:
    """(phrase, weight, position): runs of up to three content words."""
    found: list[tuple[str, float, int]] = []
    pos = 0
    for clause in clauses:
        run: list[str] = []
        for word in [*re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]", clause), ""]:
            pos += 1
            if word and word.lower() not in _EN_STOP and len(run) < 3:
                run.append(word)
                continue
            if run and not (len(run) == 1 and len(run[0]) < 4):
                found.append((" ".join(run), 10.0 + 3.0 * len(run) + min(len(run[-1]), 8) / 4, pos))
            run = [word] if word and word.lower() not in _EN_STOP else []
    return found


def key_facts(words: str, language: Language, limit: int = 5) -> list[str]:
    """The customer's key terms, most telling first: what the reply names back to them.

    Terms, never sentences: each is 2–8 characters (up to three English words), taken from clauses that
    do not address the assistant, with masked personal data, names, promises, insults and generic words
    left out. Repeated terms weigh more; a term inside a longer kept one is dropped.
    """
    if not words.strip():
        return []
    clauses = _clauses(words if language == "en" else to_simplified(words))
    candidates = _en_candidates(clauses) if language == "en" else _zh_candidates(clauses)
    score: dict[str, float] = {}
    first: dict[str, int] = {}
    for term, weight, pos in candidates:
        if _acceptable(term) and len(term) >= 2:
            key = term.lower() if language == "en" else term
            score[key] = score.get(key, 0.0) + (weight if key not in score else 2.0)
            first.setdefault(key, pos)
    ranked = sorted(score, key=lambda t: (-score[t], first[t]))
    chosen: list[str] = []
    quantities = 0
    for term in ranked:
        if any(term in c or c in term for c in chosen):
            continue
        is_quantity = bool(QUANTITY.fullmatch(term))
        if is_quantity and quantities:
            continue
        quantities += is_quantity
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen
