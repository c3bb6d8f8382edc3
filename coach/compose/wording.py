"""The composer's wording, read once from ``wording.yaml`` and checked (extra fields are errors)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from coach.script import as_mandarin
from coach.types import Channel

WORDING_FILE = Path(__file__).with_name("wording.yaml")
CHANNELS: tuple[Channel, ...] = ("counter", "phone", "chat", "letter")
Step = Literal["稳", "道歉及感谢", "问", "动", "传", "换", "结", "安全优先"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Both(_Strict):
    zh: str
    en: str


class Phrase(_Strict):
    key: str
    step: Step
    zh: str
    en: str
    doc: str | None = Field(description="Corpus document the sentence follows; None = letter formality, not cited.")
    quote: str = Field(description="The passage it follows, verbatim in the document's script.")
    channels: tuple[Channel, ...] = CHANNELS
    domains: tuple[str, ...] = Field(default=(), description="Where it fits (bank, ecommerce …); empty: any domain.")


class Ask(_Strict):
    given: str = Field(description="Pattern showing the customer already said it; &kind = a fact_kinds pattern.")
    when: str = Field(default="", description="Pattern the words must match for the ask to fit; empty: always.")
    zh: str
    en: str


class QuestionWords(_Strict):
    """How the customer's own questions are found and said back (questions.py)."""

    interrogative: str = Field(description="Pattern a clause needs to ask something (吗, 能不能, 什么, 多久 …).")
    without_mark: str = Field(description="Pattern of a question even without a question mark (能不能, 是否 …).")
    asking: str = Field(default="", description="Pattern of a sentence that asks without a question mark (告诉我…).")
    left_out: str = Field(description="Pattern of a question never said back: rhetorical, accusing, about money.")
    lead: str = Field(description="Pattern of leading words dropped (请问, 还有, 第一 …).")
    filler: str = Field(description="Pattern of words dropped inside (到底, 究竟).")
    yes_no: dict[str, str] = Field(description="Verb of a 吗 question -> its A-not-A form (能 -> 能不能).")
    plain: dict[str, str] = Field(default={}, description="Spoken word -> the word said back (啥 -> 什么).")

    @property
    def interrogative_pattern(self) -> re.Pattern[str]:
        return _compiled((), self.interrogative)

    @property
    def left_out_pattern(self) -> re.Pattern[str]:
        return _compiled((), self.left_out)

    @property
    def lead_pattern(self) -> re.Pattern[str]:
        return _compiled((), self.lead)

    @property
    def filler_pattern(self) -> re.Pattern[str]:
        return _compiled((), self.filler)

    def asks_without_mark(self, clause: str) -> bool:
        return bool(_compiled((), self.without_mark).search(clause))

    def asking_sentence(self, sentence: str) -> bool:
        return bool(self.asking) and bool(_compiled((), self.asking).search(sentence))


class ListedWords(_Strict):
    """How a letter's numbered requests are read (listed.py): which run is the list of requests, what each asks."""

    trigger: str = Field(description="Pattern of words just before a list of requests (要求, 函请, asking for).")
    priority: list[str] = Field(description="Kinds that win wherever they match, in this order.")
    kinds: dict[str, str] = Field(description="Answer kind -> pattern of a request needing it.")
    time_limit: str = Field(description="Pattern of a time limit set anywhere in their words (十五个工作日内, 月底前).")
    by_date: str = Field(description="Pattern of a request that sets a date or time limit (周五前, within 5 days).")
    request: str = Field(description="Pattern of a clause that asks for something, read where nothing is numbered "
                                     "(把…给我打出来, 能不能退给我, can you…).")
    subjects: dict[str, str] = Field(default_factory=dict,
                                     description="Kind -> what a spoken point that cannot be named is about (钱的事).")
    named: list[str] = Field(default_factory=list, description="Kinds whose spoken answer names what was asked for.")

    def asks(self, before: str) -> bool:
        return bool(_compiled((), self.trigger).search(before))

    def kind(self, item: str) -> str:
        """The first priority kind it matches, else the kind matched earliest in it (its main verb), else "other"."""
        found = {kind: match.start() for kind, pattern in self.kinds.items()
                 if (match := _compiled((), pattern).search(item))}
        ranked = [kind for kind in self.priority if kind in found]
        return ranked[0] if ranked else min(found, key=lambda kind: found[kind], default="other")

    def requests(self, clause: str) -> bool:
        return bool(_compiled((), self.request).search(clause))

    def sets_date(self, item: str) -> bool:
        return bool(_compiled((), self.by_date).search(item))

    def limits_time(self, words: str) -> bool:
        return bool(_compiled((), self.time_limit).search(words))


class Wording(_Strict):
    claims: dict[str, Both]
    demands: dict[str, Both]
    refund_by_issue: dict[str, Both]
    full_refund: Both
    window_en: dict[str, str]
    places: dict[str, Both]
    phrases: list[Phrase]
    asks: dict[str, list[Ask]]
    requests: dict[str, str] = Field(description="Phrase key -> pattern of the customer's explicit request it answers.")
    supersedes: dict[str, list[str]] = Field(
        default_factory=dict, description="Request key -> request keys its line already covers (not said beside it).")
    fact_kinds: dict[str, str]
    grievance: str = Field(default="", description="Pattern of a grievance inside a question (凭什么, 难道, ？！).")
    asking: str = Field(default="", description="Pattern of a request in the customer's own words (能不能…, 麻烦…).")
    calm_words: str = Field(default="", alias="calm",
                            description="Pattern of a calm, courteous customer (不急, 谢谢, 请问).")
    praise: str = Field(default="", description="Pattern of praise for a colleague (表扬, 点赞, commend).")
    no_complaint: str = Field(default="", description="Pattern of a customer saying it is no complaint (不是投诉, "
                                                      "just want to ask).")
    registration_refused: str = Field(default="", description="Pattern of a customer refusing being registered or "
                                                             "passed on again (你莫又跟我说登记).")
    comfort_refused: str = Field(default="", description="Pattern of a customer refusing scripted comfort "
                                                          "(别跟我说理解, 道歉有什么用).")
    questions: QuestionWords
    listed: ListedWords

    def phrase(self, key: str, channel: Channel, domain: str | None = None) -> Phrase:
        """The first phrase called ``key`` that may be said on ``channel`` in ``domain`` (a phrase with no
        domains fits any; an unknown domain gets the first phrase without domains)."""
        for phrase in self.phrases:
            if phrase.key == key and channel in phrase.channels and (not phrase.domains or domain in phrase.domains):
                return phrase
        raise KeyError(f"no phrase {key!r} for channel {channel!r}")

    def has_phrase(self, key: str, channel: Channel, domain: str | None = None) -> bool:
        try:
            self.phrase(key, channel, domain)
        except KeyError:
            return False
        return True

    def given_pattern(self, ask: Ask) -> re.Pattern[str]:
        """The ask's pattern with each ``&kind`` replaced by that fact kind's pattern."""
        return _compiled(self.fact_kinds_items(), ask.given)

    def aggrieved(self, norm: str) -> bool:
        """Whether the customer's question carries a grievance (a complaint, not a plain question)."""
        return bool(self.grievance) and bool(_compiled((), self.grievance).search(norm))

    def asks_for_something(self, norm: str) -> bool:
        """Whether the customer says what they want (能不能给我…, 麻烦…, could you…): never ask them again."""
        return bool(self.asking) and bool(_compiled((), self.asking).search(as_mandarin(norm)))

    def praises(self, norm: str) -> bool:
        """Whether the customer praises a colleague (表扬表扬她, 给小李点个赞): thanked, never apologised to."""
        return bool(self.praise) and bool(_compiled((), self.praise).search(norm))

    def disclaims_complaint(self, norm: str) -> bool:
        """Whether the customer says they are not complaining, only asking (这不是投诉，就想问一下)."""
        return bool(self.no_complaint) and bool(_compiled((), self.no_complaint).search(norm))

    def refuses_comfort(self, norm: str) -> bool:
        """Whether the customer refuses the scripted comfort (你别跟我说理解理解, 不用道歉了): no empathy line, no
        apology."""
        return bool(self.comfort_refused) and bool(_compiled((), self.comfort_refused).search(norm))

    def refuses_registration(self, norm: str) -> bool:
        """Whether the customer refuses being registered or passed on again (你莫又跟我说登记, don't just log it)."""
        return bool(self.registration_refused) and bool(_compiled((), self.registration_refused).search(norm))

    def calm(self, norm: str) -> bool:
        """Whether the customer speaks calmly and courteously (不着急, 麻烦您, 谢谢): no "don't worry" for them."""
        return bool(self.calm_words) and bool(_compiled((), self.calm_words).search(norm))

    def requested(self, norm: str, channel: Channel | None = None, domain: str | None = None) -> tuple[str, ...]:
        """The phrase keys answering what the customer explicitly asks staff to do, in the table's order; with a
        channel, only those with a line for it (and the domain), and none another found key supersedes."""
        found = [key for key, pattern in self.requests.items() if _compiled((), pattern).search(norm)
                 and (channel is None or self.has_phrase(key, channel, domain))]
        covered = {k for key in found for k in self.supersedes.get(key, ())}
        return tuple(k for k in found if k not in covered)

    def fact_kinds_items(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.fact_kinds.items())


@cache
def _compiled(kinds: tuple[tuple[str, str], ...], pattern: str) -> re.Pattern[str]:
    table = dict(kinds)
    return re.compile(re.sub(r"&(\w+)", lambda m: f"(?:{table[m.group(1)]})", pattern))


@cache
def wording() -> Wording:
    with open(WORDING_FILE, encoding="utf-8") as handle:
        return Wording.model_validate(yaml.safe_load(handle))
