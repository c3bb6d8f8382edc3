"""Safety flags: self-harm, violence, fraud in progress, injury, a privacy breach, a minor.

The vocabularies, the staff advice with its sources, and the customer-facing lines are data
(``coach/safety.yaml``), read and compiled once. Patterns run on the analyser's normalised copy
(simplified, lower case); each flag's ``not`` patterns are blanked out first, so everyday wordings that
look like a danger (气死我了, "kill time") never raise one.

A flag fires on one of its ``patterns`` (a wording that is a danger on its own: 不想活了) or on one of its
``together`` signal sets, every signal of which is somewhere in the message: dangers said indirectly are
recognised by their parts (giving away possessions + a farewell; a stranger's instruction + a transfer or
a code + now; a body symptom + a product or an accident), not by a list of whole sentences.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from coach.script import as_mandarin
from coach.types import Channel, EscalationAdvice, RiskFlag

SAFETY_FILE = Path(__file__).with_name("safety.yaml")
SafetyFlag = Literal["self_harm", "violence", "fraud_in_progress", "injury", "privacy_breach", "minor"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(_Strict):
    """One sentence the customer hears, simplified Chinese and English (traditional is converted)."""

    zh: str
    en: str


class Advice(_Strict):
    who_to_call: str
    where: str
    do_not: str


Replies = dict[Literal["any", "counter", "phone", "chat", "letter"], list[Line]]


class Situation(_Strict):
    """One telling of the danger that needs other words: the person it threatens (protect them, do not calm
    them down), a road accident rather than a product (no "stop using it"), a harasser with the
    customer's data (their safety before the data)."""

    name: str
    signals: list[str] = Field(default=[], description="Wordings that show this situation; the first situation "
                                                       "matched is used.")
    channels: list[Channel] = Field(default=[], description="Channels on which it holds whatever the words (a "
                                                            "letter is written after the event).")
    reply: Replies
    overrides: bool | None = Field(default=None, description="Replace the complaint reply (None: as the flag).")


class FlagRule(_Strict):
    escalate: bool
    overrides: bool
    patterns: list[str]
    together: list[list[str]] = Field(default=[], description="Signal sets: fires when every signal of one is found.")
    not_: list[str] = Field(default=[], alias="not")
    advice: Advice
    sources: list[str]
    reply: Replies
    situations: list[Situation] = []


class Region(_Strict):
    """Where a customer outside the mainland may be (Hong Kong, Macau, Taiwan): 110, 120 and 12356 do not
    reach help there, so the flag's reply adds the local numbers (added, not swapped: the signals are a guess)."""

    name: str
    signals: list[str] = Field(description="Wordings that place the customer there (a place, the local dialect).")
    lines: dict[SafetyFlag, Line] = Field(description="The line with the local numbers, per flag.")
    source: str


class SafetyRules(_Strict):
    flags: dict[SafetyFlag, FlagRule]
    regions: list[Region] = []


class _Compiled:
    """One flag's patterns, compiled."""

    def __init__(self, rule: FlagRule) -> None:
        self.found = re.compile("|".join(f"(?:{p})" for p in rule.patterns))
        self.ignored = re.compile("|".join(f"(?:{p})" for p in rule.not_)) if rule.not_ else None
        self.sets = [[re.compile(signal) for signal in signals] for signals in rule.together]
        self.situations = [(situation, re.compile("|".join(f"(?:{s})" for s in situation.signals))
                            if situation.signals else None) for situation in rule.situations]

    def situation(self, norm: str, channel: Channel | None = None) -> Situation | None:
        text = as_mandarin(_as_simplified(norm))
        return next((s for s, signals in self.situations
                     if channel in s.channels or (signals is not None and signals.search(text))), None)

    def search(self, norm: str) -> bool:
        text = self.ignored.sub(lambda m: " " * len(m.group(0)), norm) if self.ignored else norm
        return bool(self.found.search(text)) or any(all(s.search(text) for s in signals) for signals in self.sets)


@cache
def rules() -> SafetyRules:
    with open(SAFETY_FILE, encoding="utf-8") as handle:
        return SafetyRules.model_validate(yaml.safe_load(handle))


@cache
def _compiled() -> dict[SafetyFlag, _Compiled]:
    return {flag: _Compiled(rule) for flag, rule in rules().flags.items()}


@cache
def _regions() -> list[tuple[Region, re.Pattern[str]]]:
    return [(region, re.compile("|".join(f"(?:{s})" for s in region.signals))) for region in rules().regions]


def region(norm: str) -> Region | None:
    """The first region whose signals are in the customer's normalised words."""
    text = _as_simplified(norm)
    return next((r for r, signals in _regions() if signals.search(text)), None)


def detect(norm: str) -> list[RiskFlag]:
    """The safety flags in a normalised text, in priority order, its Cantonese read as Mandarin (佢搣住我条颈 as
    他掐住我条颈; and 冇人受伤 as 没有人受伤, which the look-alikes written in Mandarin then blank)."""
    text = as_mandarin(_as_simplified(norm))
    return [flag for flag, compiled in _compiled().items() if compiled.search(text)]


def _as_simplified(norm: str) -> str:
    # opencc's t2s keeps 著 (it is also simplified), but a traditional 活著 means 活着.
    return norm.replace("著", "着")


def is_safety(flag: str) -> bool:
    return flag in rules().flags


def escalates(flag: str) -> bool:
    rule = rules().flags.get(flag)  # type: ignore[call-overload]
    return rule.escalate if rule else True


def override(flags: list[RiskFlag], norm: str = "", channel: Channel | None = None) -> SafetyFlag | None:
    """The flag whose reply replaces the complaint reply: the first overriding one, by priority (a flag's
    situation, found in the customer's normalised words or the channel, may override where the flag alone
    does not, or not where it does)."""
    return next((f for f in rules().flags if f in flags and _overrides(f, norm, channel)), None)


def _overrides(flag: SafetyFlag, norm: str, channel: Channel | None) -> bool:
    situation = _compiled()[flag].situation(norm, channel)
    return situation.overrides if situation and situation.overrides is not None else rules().flags[flag].overrides


def advice(flag: SafetyFlag) -> EscalationAdvice:
    rule = rules().flags[flag]
    return EscalationAdvice(flag=flag, who_to_call=rule.advice.who_to_call, where=rule.advice.where,
                            do_not=rule.advice.do_not, source="；".join(rule.sources))


def lines(flag: SafetyFlag, channel: Channel, norm: str = "") -> list[Line]:
    """What the customer hears for this flag on this channel (the flag's ``any`` lines when none).

    ``norm``: the customer's normalised words; when they show one of the flag's ``situations`` (the
    customer is the one threatened, a road accident …), that situation's lines are used."""
    situation = _compiled()[flag].situation(norm, channel)
    reply = situation.reply if situation else rules().flags[flag].reply
    said = reply.get(channel) or reply.get("any") or []
    local = region(norm) if not situation or situation.overrides is not False else None  # no emergency: no 999
    return [*said, local.lines[flag]] if local and flag in local.lines else said


def every_line() -> list[Line]:
    """Every line a safety reply can say, on any channel, for the customer who threatens or is threatened."""
    replies = [r for rule in rules().flags.values() for r in (rule.reply, *(s.reply for s in rule.situations))]
    local = [line for r in rules().regions for line in r.lines.values()]
    return [line for reply in replies for channel_lines in reply.values() for line in channel_lines] + local
