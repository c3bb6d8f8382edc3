"""Forbidden service phrases by their structure: the families of ``service_phrases.yaml`` beside this module.

Each family's patterns are literal text with slots ("{you}自己…{careless}"), gaps (…) and either-or groups
("(说|讲)"), compiled once per process into one regex per family. A family flags the first match per sentence
that is not inside a quote of someone else's words nor attributed to the customer, unless wording the family
names (an offer to help) appears anywhere in the reply. The rule framework is the one the hand-written
phrase rules use (coach.guard.rules).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from coach.errors import ConfigError
from coach.guard import text as gt
from coach.guard.base import GuardContext, Scope
from coach.guard.rules import SentenceRule
from coach.types import Violation

PHRASES_PATH = Path(__file__).with_name("service_phrases.yaml")
_TOKEN = re.compile(r"(\{\w+\}|…|\$|\([^()]*\)\??)")
_GAP = r"[^。!?！？;]{0,10}?"
# "$": the end of the reply, of a sentence or of a chat clause (chat separates clauses with a space or "~").
_END = r"(?=$|[。!?！？;；,，\s~])"

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: a faster cold start

@dataclass(frozen=True)
class Family:
    id: str  # the category it is flagged under: the family's key, or its ``category:``
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None
    sources: tuple[str, ...]  # titles and addresses of the published lists it follows
    key: str = ""  # the family's key in the file (names the rule; several keys may share one category)
    reasoned: bool = False  # a refusal family: a reason from ``refusal_reasons`` told with it makes it fine
    unless_before: re.Pattern[str] | None = None  # wording that, in staff's turn just before, makes it fine


def _words(words: list[Any]) -> str:
    parts = sorted({gt.normalise(str(w)).strip() for w in words if str(w).strip()}, key=len, reverse=True)
    return "(?:" + "|".join(gt.literal(p) for p in parts) + ")" if parts else r"(?!)"


def _compile_entry(entry: str, slots: dict[str, str]) -> str:
    out: list[str] = []
    for piece in _TOKEN.split(gt.normalise(entry).strip()):
        if not piece:
            continue
        escape = re.escape if out else gt.literal  # only the entry's first word must start a word
        if piece == "…":
            out.append(_GAP)
        elif piece == "$":
            out.append(_END)
        elif piece.startswith("{"):
            name = piece[1:-1]
            if name not in slots:
                raise KeyError(f"unknown slot {piece} in {entry!r}")
            out.append(slots[name])
        elif piece.startswith("("):
            optional = piece.endswith("?")
            inner = piece[1:-2] if optional else piece[1:-1]
            out.append("(?:" + "|".join(escape(w) for w in inner.split("|")) + ")" + ("?" if optional else ""))
        else:
            out.append(escape(piece))
    return "".join(out)


def read_phrases(path: Path = PHRASES_PATH) -> dict[str, Any]:
    """The taxonomy file's data, before compiling (coach/guard/vocabularies.py applies a policy's edits to it)."""
    try:
        data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"the service-phrase vocabulary {path} cannot be read: {exc}",
                          f"fix {path.name} (slots, sources and families with patterns; see its header)") from exc
    return data


def compile_families(data: dict[str, Any], where: str) -> tuple[Family, ...]:
    """The compiled families; ``where`` names the file (and edits) they came from, for the error."""
    try:
        slots = {name: _words(words) for name, words in data["slots"].items()}
        sources = data["sources"]
        return tuple(
            Family(
                id=str(spec.get("category") or family_id),
                key=family_id,
                pattern=re.compile("|".join(_compile_entry(str(p), slots) for p in spec["patterns"]) or r"(?!)"),
                unless=re.compile(_words(spec["unless"])) if spec.get("unless") else None,
                sources=tuple(f"{sources[s]['title']} ({sources[s]['url']})" for s in spec.get("sources", [])),
                reasoned=bool(spec.get("reasoned", False)),
                unless_before=re.compile(_words(spec["unless_before"])) if spec.get("unless_before") else None,
            )
            for family_id, spec in data["families"].items()
        )
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise ConfigError(f"the service-phrase vocabulary {where} cannot be read: {exc!r}",
                          "slots, sources and families with patterns; see coach/guard/service_phrases.yaml") from exc


@functools.cache
def families(path: Path = PHRASES_PATH) -> tuple[Family, ...]:
    """The shipped families, compiled once per process."""
    return compile_families(read_phrases(path), str(path))


@functools.cache
def model_gate(path: Path = PHRASES_PATH) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(chat register, taxonomy cues) of ``model_gate`` in the shipped file: a model-only phrase flag on a
    sentence in chat register needs a cue."""
    data = read_phrases(path)
    try:
        gate = data["model_gate"]
        return re.compile(_words(gate["register"])), re.compile(_words(gate["cues"]))
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"the service-phrase vocabulary {path} cannot be read: {exc!r}",
                          "model_gate needs register and cues lists; see its header") from exc


@dataclass(frozen=True)
class RefusalReasons:
    """``refusal_reasons`` of the shipped file: what makes a sentence a refusal, and the reasons that make a
    refusal an explanation when told in the reply or in staff's own turn just before it (run 9)."""

    refusal: re.Pattern[str]
    connectives: re.Pattern[str]  # "因为", "由于": a reason told, in the reply only
    reasons: re.Pattern[str]  # the case's own reason, in the reply or in staff's turn just before it
    help_before: re.Pattern[str]  # a way forward offered in staff's turn just before
    final: re.Pattern[str]  # closing the door ("就这样"): no reason helps then

    def given(self, ctx: GuardContext) -> bool:
        """A reason is told in the reply, or the case's reason or a way forward in staff's turn just before it,
        and the reply does not close the door anyway."""
        if self.final.search(ctx.norm):
            return False
        if self.connectives.search(ctx.norm) or self.reasons.search(ctx.norm):
            return True
        before = ctx.staff_before
        if not before:
            return False
        return bool(self.reasons.search(before)) or any(
            not _NEGATED_OFFER.search(before, max(0, m.start() - 3), m.start())
            for m in self.help_before.finditer(before))


_NEGATED_OFFER = re.compile(r"没|无法|不能|不")  # "这边没法帮您联系站点" offers nothing


@functools.cache
def refusal_reasons(path: Path = PHRASES_PATH) -> RefusalReasons:
    data = read_phrases(path)
    try:
        spec = data["refusal_reasons"]
        slots = {name: _words(words) for name, words in data["slots"].items()}
        reasons = "|".join(_compile_entry(str(p), slots) for p in spec["reasons"]) or r"(?!)"
        return RefusalReasons(refusal=re.compile(_words(spec["refusal"])),
                              connectives=re.compile(_words(spec["connectives"])), reasons=re.compile(reasons),
                              help_before=re.compile(_words(spec["help_before"])),
                              final=re.compile(_words(spec["final"])))
    except (KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"the service-phrase vocabulary {path} cannot be read: {exc!r}",
                          "refusal_reasons needs refusal and reasons lists; see its header") from exc


_PHRASE_SCOPES: frozenset[Scope] = frozenset({"quote"})


class ServicePhrase(SentenceRule):
    """One family of ``service_phrases.yaml``."""

    kind = "forbidden_phrase"
    scopes = _PHRASE_SCOPES

    def __init__(self, family: Family) -> None:
        self.category = family.id  # type: ignore[misc]
        self.rule = f"phrase.{family.key or family.id}.structure"  # type: ignore[misc]
        self.pattern = family.pattern  # type: ignore[misc]
        self.unless = family.unless
        self.reasoned = family.reasoned
        self.unless_before = family.unless_before

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        if self.unless is not None and self.unless.search(ctx.norm):
            return []
        if self.unless_before is not None and ctx.staff_before and self.unless_before.search(ctx.staff_before):
            return []
        if self.reasoned and refusal_reasons().given(ctx):
            return []
        return super().check(text, ctx)

    def exempt(self, norm: str, start: int, end: int) -> bool:
        """Attributed to the customer in the same clause ("您说客服让您找银行去"); an attribution in an
        earlier clause does not cover staff's own retort ("您说经理承诺保本，有证据吗?")."""
        clause = gt.clause_start(norm, start)
        return gt.restated(norm[clause:], start - clause)


def service_rules(compiled: tuple[Family, ...] | None = None) -> list[ServicePhrase]:
    """One rule per family: the shipped families, or a policy's edited ones."""
    return [ServicePhrase(family) for family in (families() if compiled is None else compiled)]
