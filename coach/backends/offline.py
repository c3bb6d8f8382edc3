"""The offline backend: a deterministic composer that writes the reply from the documented method.

It follows the steps of the course (稳 → 道歉及感谢 → 问 → 动 → 传/换 → 结) and picks, for each step, the
sentence that fits this complaint: the opening by customer type, intensity and vulnerability; the
restated demand by issue and demands; the questions by issue; the next steps by demand, only from the
policy's allowed commitments (record, review under the rules, forward, call back within the policy's
window, best effort, ownership); escalation wording by risk flag. Where two sentences fit equally,
the one whose corpus passage was retrieved for this complaint wins. Traditional-script customers get
the same composition converted with opencc (s2tw); English customers get the English wording.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from string import Template

from coach import safety
from coach.analyze import GENERAL, ISSUES, analyse
from coach.backends import phrases as ph
from coach.backends.base import Message
from coach.config import Settings
from coach.corpus import to_simplified
from coach.guard import check
from coach.lexical import load_jieba
from coach.policy import Policy, load_policy
from coach.types import Analysis, Channel, Language, Passage

COMPOSER_VERSION = "offline-composer-v1"
OFFLINE_NOTICE = "离线生成 / composed offline: 由离线规则根据培训资料编写，未使用大模型。"
_ISSUES = {i.key: i for i in (*ISSUES, GENERAL)}
_DATA = re.compile(r"<<<CUSTOMER_DATA\n(.*?)\nCUSTOMER_DATA>>>", re.S)


@dataclass(frozen=True)
class Composition:
    text: str
    steps: list[str]
    phrases: list[ph.Phrase]
    language: Language


class OfflineBackend:
    """Backend protocol over the composer: reads the customer's words from the prompt's data block."""

    name = "offline"
    model: str | None = COMPOSER_VERSION

    def __init__(self, settings: Settings | None = None, policy: Policy | None = None) -> None:
        self.policy = policy or load_policy(settings.policy if settings else None)

    def complete(self, messages: list[Message], *, temperature: float = 0.0) -> str:
        user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        found = _DATA.search(user)
        message = found.group(1) if found else user
        return compose(analyse(message), [], self.policy, words=message).text


# ------------------------------------------------------------------------------------------ choice


def _opening(a: Analysis) -> ph.Phrase:
    if "vulnerable" in a.risk_flags:
        return ph.OPENINGS["open_vulnerable"]
    if a.customer_type == "情绪发泄型" or a.intensity == "high":
        return ph.OPENINGS["open_vent"]
    key = {"补偿型": "open_compensation", "盛气凌人型": "open_dominant", "彬彬有礼型": "open_polite",
           "求助型": "open_help", "表现型": "open_feedback", "报复型": "open_revenge"}[a.customer_type]
    return ph.OPENINGS[key]


def _apology(a: Analysis) -> ph.Phrase:
    if a.customer_type == "表现型":
        return ph.APOLOGIES["apology_feedback"]
    if a.issue == "service":
        return ph.APOLOGIES["apology_service"]
    return ph.APOLOGIES["apology_default"]


def _questions(a: Analysis) -> list[ph.Phrase]:
    first = ph.RESTATE if a.demands else ph.ASK_WANT
    facts = ph.FACTS.get(a.issue, ph.FACTS["general"])
    return [first, *(facts[:1] if a.intensity == "high" else facts)]


def _actions(a: Analysis) -> list[ph.Phrase]:
    chosen = [ph.RECORD]
    if a.issue == "mis_selling":
        chosen.append(ph.VERIFY_SALE)
    if a.issue == "surrender" and "refund" in a.demands and a.intensity == "low" and "vulnerable" not in a.risk_flags:
        chosen.append(ph.SURRENDER_RULE)
    if any(d in ph.MONEY for d in a.demands):
        chosen.append(ph.MONEY_REVIEW)
    if "discipline" in a.demands:
        chosen.append(ph.DISCIPLINE)
    if "deadline" in a.demands:
        chosen.append(ph.DEADLINE)
    chosen.append(ph.FORWARD)
    if "demand_manager" not in a.risk_flags:
        chosen.append(ph.OWNERSHIP)
    return chosen


def _moves(a: Analysis) -> tuple[list[ph.Phrase], list[ph.Phrase]]:
    """(换 sentences said early, 传 sentences said after the next steps)."""
    flags = set(a.risk_flags)
    early = [ph.ESCALATIONS["group_visit"]] if "group_visit" in flags else (
        [ph.ESCALATIONS["threat"]] if "threat" in flags else [])
    if "former_agent" in flags:
        early.append(ph.ESCALATIONS["former_agent"])
    late = [ph.ESCALATIONS["media"]] if "media" in flags else []
    if flags & {"regulator", "lawyer"}:
        late.append(ph.ESCALATIONS["regulator"])
    if "demand_manager" in flags:
        late.append(ph.ESCALATIONS["demand_manager"])
    if "vulnerable" in flags:
        late.append(ph.ESCALATIONS["vulnerable"])
    return early, late


def _closing(a: Analysis, retrieved: str) -> ph.Phrase:
    if a.customer_type == "表现型":
        return ph.CLOSINGS["close_feedback"]
    if a.customer_type in ("报复型", "情绪发泄型") or a.intensity == "high":
        return ph.CLOSINGS["close_effort"]
    # Neutral types: the closing whose passage was retrieved for this complaint, else thanks for trust.
    for phrase in ph.CLOSINGS.values():
        if _compact(to_simplified(phrase.quote)) in retrieved:
            return phrase
    return ph.CLOSINGS["close_trust"]


# ------------------------------------------------------------------------------ the customer's facts

_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋"
                "余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾韦夏付方邹熊白孟秦邱侯江尹薛闫段"
                "雷龙黎史陶贺毛郝顾龚邵万覃武钱严莫孔向常汤康易乔赖文")
_NOUNISH = ("n", "nz", "vn", "nr", "nrt", "nrfg", "j", "ns", "nt", "nw", "eng")
_QUOTED = re.compile(r"[“\"「『《]([\u4e00-\u9fffA-Za-z0-9]{2,8})[”\"」』》]")
_CLAUSE_END = re.compile(r"[。！？!?；;，,:：\n]+|(?<=[A-Za-z])\.(?:\s+|$)")
_MASKED = re.compile(r"\[(?:ID|PHONE|CARD|EMAIL|PLATE|ADDRESS)_\d+\]")
_BANNED = re.compile(ph.FACT_BANNED, re.I)
_INJECTED = re.compile(ph.INJECTION_CLAUSE, re.I)
_QUANTITY = re.compile(ph.FACT_QUANTITY)
_FACT_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9][\u4e00-\u9fffA-Za-z0-9 '-]*")
_IDF: dict[str, float] | None = None


def _clauses(words: str) -> list[str]:
    """The customer's clauses minus masked personal data and anything addressed to the assistant."""
    text = _MASKED.sub("，", words)
    return [c for c in _CLAUSE_END.split(text) if c.strip() and not _INJECTED.search(c)]


def _acceptable(fact: str) -> bool:
    return (bool(_FACT_CHARS.fullmatch(fact)) and not _BANNED.search(fact) and fact not in ph.FACT_GENERIC
            and not re.search(r"\d{5,}", fact) and not find_placeholder(fact)
            and not re.search(ph.FACT_FRAGMENT, fact))


def find_placeholder(text: str) -> bool:
    return bool(re.search(r"(?<![A-Za-z])[Xx]{2,}(?![A-Za-z])|×|＿|_|【|】|\[|\]|某某|\*", text))


def _zh_candidates(clauses: list[str]) -> list[tuple[str, float, int]]:
    """(term, weight, position) from jieba: merged noun runs, complaint verbs, quantities, quoted names."""
    global _IDF
    load_jieba()
    import jieba.analyse
    import jieba.posseg

    if _IDF is None:
        _IDF = jieba.analyse.default_tfidf.idf_freq
    median = 12.0
    found: list[tuple[str, float, int]] = []
    pos = 0
    for clause in clauses:
        found += [(q, 16.0, pos) for q in _QUOTED.findall(clause)]
        found += [(m.group(0), 13.0, pos) for m in _QUANTITY.finditer(clause)]
        run: list[str] = []
        for word, flag in [*jieba.posseg.cut(clause), ("", "x")]:
            pos += 1
            is_name = flag.startswith("nr") and (word[:1] in _SURNAMES or re.match(ph.NAME_PREFIX, word))
            if flag.startswith("nr") and run and run[-1][-1:] in _SURNAMES:
                run = []  # "客户王" + "阿姨": the surname ends the run before, so the run goes too
            keep = (flag in _NOUNISH or word in ph.FACT_VERBS) and word not in ph.FACT_GENERIC and not is_name
            if keep and len("".join(run) + word) <= 6:
                run.append(word)
                continue
            if run:
                term = "".join(run)
                weight = max(_IDF.get(w, median) for w in run) + 2.0 * (len(run) - 1)
                weight += 4.0 if any(w in ph.FACT_VERBS for w in run) else 0.0
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
            if word and word.lower() not in ph.EN_STOP and len(run) < 3:
                run.append(word)
                continue
            if run and not (len(run) == 1 and len(run[0]) < 4):
                found.append((" ".join(run), 10.0 + 3.0 * len(run) + min(len(run[-1]), 8) / 4, pos))
            run = [word] if word and word.lower() not in ph.EN_STOP else []
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
        is_quantity = bool(_QUANTITY.fullmatch(term))
        if is_quantity and quantities:
            continue
        quantities += is_quantity
        chosen.append(term)
        if len(chosen) == limit:
            break
    return chosen


# ----------------------------------------------------------------------------------------- render


def _compact(text: str) -> str:
    return re.sub(r"[\s,，。.!！?？:：;；、\"“”「」]", "", text)


def join_zh(items: list[str]) -> str:
    if len(items) <= 2:
        return "并".join(items)
    return "、".join(items[:-1]) + "，并" + items[-1]


def join_and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "和" + items[-1]


def join_en(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def slot_values(issue: str, demands: list[str], policy: Policy) -> dict[str, str]:
    """The values a phrase's $slots take for this complaint (all drawn from finite tables)."""
    zh = [ph.REFUND_ZH.get(issue, ph.DEMANDS_ZH["refund"]) if d == "refund" else ph.DEMANDS_ZH[d] for d in demands]
    en = [ph.REFUND_EN.get(issue, ph.DEMANDS_EN["refund"]) if d == "refund" else ph.DEMANDS_EN[d] for d in demands]
    money_zh = [z for d, z in zip(demands, zh, strict=True) if d in ph.MONEY]
    money_en = [e for d, e in zip(demands, en, strict=True) if d in ph.MONEY]
    window = policy.callback_window
    return {
        "topic": _ISSUES[issue].zh, "topic_en": _ISSUES[issue].en,
        "claim": ph.CLAIMS[issue][0], "claim_en": ph.CLAIMS[issue][1],
        "demands": join_zh(zh) if zh else "", "demands_en": join_en(en) if en else "",
        "money": join_and(money_zh) if money_zh else "", "money_en": join_en(money_en) if money_en else "",
        "window": window, "window_en": ph.WINDOW_EN.get(window, "within the time our procedure sets"),
        "facts": "", "facts_en": "",
    }


def render(phrase: ph.Phrase, values: dict[str, str], language: Language) -> str:
    if language == "en":
        en_values = {k.removesuffix("_en"): v for k, v in values.items() if k.endswith("_en")}
        return Template(phrase.en).substitute({**en_values, "window_en": values["window_en"]})
    text = Template(phrase.zh).substitute(values)
    return to_traditional(text) if language == "zh-Hant" else text


_S2T = None


def to_traditional(text: str) -> str:
    global _S2T
    if _S2T is None:
        import opencc

        _S2T = opencc.OpenCC("s2tw")
    return str(_S2T.convert(text))


def compose(analysis: Analysis, passages: list[Passage], policy: Policy, words: str = "",
            channel: Channel = "counter") -> Composition:
    """The reply for this complaint, the steps it takes, and the phrases (for citations).

    ``words``: what the customer said, personal data already masked (the chain's Redactor); its key
    terms are named back in the restatement and the record step. Without it, the topic wording.
    A danger (self-harm, violence, fraud in progress, injury) replaces the complaint reply.
    """
    danger = safety.override(analysis.risk_flags)
    if danger:
        return safety_composition(danger, analysis.language, channel)
    retrieved = _compact(to_simplified("".join(p.text for p in passages if p.kind in ("script", "principle"))))
    early, late = _moves(analysis)
    ordered = [_opening(analysis), *early, _apology(analysis), *_questions(analysis), *_actions(analysis), *late,
               _closing(analysis, retrieved)]
    demands = [d for d in ph.DEMAND_ORDER if d in analysis.demands]
    values = slot_values(analysis.issue, demands, policy)
    facts = [f for f in key_facts(words, analysis.language)
             if f not in values["demands"] and f.lower() not in values["demands_en"].lower()]
    sentences = []
    for i, phrase in enumerate(ordered):
        named = _with_facts(phrase, facts, values, analysis.language, words, policy)
        if named is not None:
            ordered[i], sentence = named
        else:
            sentence = render(phrase, values, analysis.language)
        sentences.append(sentence)
    text = (" " if analysis.language == "en" else "").join(sentences)
    steps = list(dict.fromkeys(p.step for p in ordered))
    return Composition(text=text, steps=steps, phrases=ordered, language=analysis.language)


def safety_composition(flag: safety.SafetyFlag, language: Language, channel: Channel) -> Composition:
    """The short reply staff say while they escalate: the flag's lines for this channel, nothing else."""
    said = [line.en if language == "en" else line.zh for line in safety.lines(flag, channel)]
    text = (" " if language == "en" else "").join(said)
    if language == "zh-Hant":
        text = to_traditional(text)
    return Composition(text=text, steps=["安全优先", "传"], phrases=[], language=language)


_NAMED = {"restate": ph.RESTATE_FACTS, "ask_want": ph.ASK_WANT_FACTS, "record": ph.RECORD_FACTS}


def fact_values(facts: list[str]) -> dict[str, str]:
    return {"facts": "、".join(facts), "facts_en": join_en([f'"{f}"' for f in facts]) if facts else ""}


def _with_facts(phrase: ph.Phrase, facts: list[str], values: dict[str, str], language: Language, words: str,
                policy: Policy) -> tuple[ph.Phrase, str] | None:
    """The phrase's version naming the customer's facts (question: the first three; record: the rest),
    keeping only facts with which the sentence passes the guard for every role; None: no such version."""
    named = _NAMED.get(phrase.key)
    if named is None or not facts:
        return None
    chosen = facts[:3] if phrase.key != "record" else (facts[3:] or facts[:1])

    def passes(items: list[str]) -> bool:
        sentence = render(named, {**values, **fact_values(items)}, language)
        return not find_placeholder(sentence) and all(
            check(sentence, role=role, context=words or None, policy=policy).ok for role in policy.roles)

    kept = [f for f in chosen if passes([f])]
    if not kept or not passes(kept):
        return None
    return named, render(named, {**values, **fact_values(kept)}, language)


# ----------------------------------------------------------------------------- every emittable text


def emittable(policy: Policy) -> Iterator[tuple[str, str]]:
    """(phrase key, sentence) for every sentence the composer can emit, in every language and script.

    The $facts slot takes the customer's terms, so it is filled from ``ph.FACT_SAMPLES`` here; at run
    time compose also checks each named sentence with the guard for every role before using it.
    """
    demand_sets = [list(c) for n in range(len(ph.DEMAND_ORDER) + 1) for c in itertools.combinations(ph.DEMAND_ORDER, n)]
    for phrase in ph.all_phrases():
        seen: set[str] = set()
        slots = set(re.findall(r"\$(\w+)", phrase.zh + phrase.en))
        issues = _ISSUES if slots & {"topic", "claim", "demands", "money"} else {"general": GENERAL}
        samples = [list(s) for s in ph.FACT_SAMPLES] if "facts" in slots else [[]]
        for issue, demands, facts in itertools.product(issues, demand_sets if slots & {"demands", "money"} else [[]],
                                                        samples):
            values = {**slot_values(issue, demands, policy), **fact_values(facts)}
            if (("demands" in slots and not values["demands"]) or ("money" in slots and not values["money"])):
                continue
            for language in ("zh-Hans", "zh-Hant", "en"):
                sentence = render(phrase, values, language)  # type: ignore[arg-type]
                if sentence not in seen:
                    seen.add(sentence)
                    yield phrase.key, sentence
