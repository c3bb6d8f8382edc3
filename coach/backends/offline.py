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

from coach.analyze import GENERAL, ISSUES, analyse
from coach.backends import phrases as ph
from coach.backends.base import Message
from coach.config import Settings
from coach.corpus import to_simplified
from coach.policy import Policy, load_policy
from coach.types import Analysis, Language, Passage

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
        return compose(analyse(message), [], self.policy).text


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


def compose(analysis: Analysis, passages: list[Passage], policy: Policy) -> Composition:
    """The reply for this complaint, the steps it takes, and the phrases (for citations)."""
    retrieved = _compact(to_simplified("".join(p.text for p in passages if p.kind in ("script", "principle"))))
    early, late = _moves(analysis)
    ordered = [_opening(analysis), *early, _apology(analysis), *_questions(analysis), *_actions(analysis), *late,
               _closing(analysis, retrieved)]
    demands = [d for d in ph.DEMAND_ORDER if d in analysis.demands]
    values = slot_values(analysis.issue, demands, policy)
    sentences = [render(p, values, analysis.language) for p in ordered]
    text = (" " if analysis.language == "en" else "").join(sentences)
    steps = list(dict.fromkeys(p.step for p in ordered))
    return Composition(text=text, steps=steps, phrases=ordered, language=analysis.language)


# ----------------------------------------------------------------------------- every emittable text


def emittable(policy: Policy) -> Iterator[tuple[str, str]]:
    """(phrase key, sentence) for every sentence the composer can emit, in every language and script."""
    demand_sets = [list(c) for n in range(len(ph.DEMAND_ORDER) + 1) for c in itertools.combinations(ph.DEMAND_ORDER, n)]
    for phrase in ph.all_phrases():
        seen: set[str] = set()
        slots = set(re.findall(r"\$(\w+)", phrase.zh + phrase.en))
        issues = _ISSUES if slots & {"topic", "claim", "demands", "money"} else {"general": GENERAL}
        for issue in issues:
            for demands in demand_sets if slots & {"demands", "money"} else [[]]:
                values = slot_values(issue, demands, policy)
                if (("demands" in slots and not values["demands"]) or ("money" in slots and not values["money"])):
                    continue
                for language in ("zh-Hans", "zh-Hant", "en"):
                    sentence = render(phrase, values, language)  # type: ignore[arg-type]
                    if sentence not in seen:
                        seen.add(sentence)
                        yield phrase.key, sentence
