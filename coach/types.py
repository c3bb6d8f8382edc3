"""One Pydantic result per job, shared by the CLI (``--json``), the API and the evals.

Kept free of heavy imports: ``coach check`` loads this module and must start fast.
"""

from __future__ import annotations

import re
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

GUARD_VERSION = "rules-v2"
StaffDomain = Literal["bank", "insurance", "telecom", "wine_retail", "cosmetics", "car_aftersales", "ecommerce",
                      "delivery"]
ChunkKind = Literal["principle", "script", "taboo", "case", "outline"]


class _Result(BaseModel):
    # Each result builds its validator at first use, not at import: `coach check` uses two of the
    # results, and building them all made importing this module take 140 ms instead of 110.
    model_config = ConfigDict(defer_build=True)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_MESSAGE = "含有无法编码的字符（孤立的 UTF-16 代理项，多为复制或转码时损坏的文字）"
SURROGATE_FIX = "重新复制原文，或把内容另存为 UTF-8 后再发送"


class _Request(BaseModel):
    # Built at import: FastAPI wraps request bodies in fields of its own, which warn on a deferred model.
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_lone_surrogates(cls, data: object) -> object:
        """JSON's "\\ud800" escape decodes to a lone surrogate, which no later step can encode (the guard crashed
        on one with a 500): refused here, for every request type, naming the field."""
        where = _surrogate_path(data, ())
        if where is not None:
            raise PydanticCustomError("lone_surrogate", "{field} " + SURROGATE_MESSAGE,
                                      {"field": ".".join(where) or "文本"})
        return data


def _surrogate_path(value: object, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where in a decoded JSON value the first lone surrogate is, in a key or a string; None when nowhere."""
    if isinstance(value, str):
        return path if LONE_SURROGATE.search(value) else None
    if isinstance(value, list):
        value = dict(enumerate(value))
    if not isinstance(value, dict):
        return None
    for key, item in value.items():
        if isinstance(key, str) and LONE_SURROGATE.search(key):  # an unknown key is echoed in its error
            return path
        found = _surrogate_path(item, (*path, str(key)))
        if found is not None:
            return found
    return None


class Passage(_Result):
    text: str = Field(description="The chunk in the document's original script.")
    source: str = Field(description="Document id from corpus/manifest.yaml.")
    title: str
    section: str = Field(description="Heading path inside the document, ' > ' separated.")
    score: float = Field(description="Fused relevance score; higher is better.")
    chunk_id: str
    kind: ChunkKind = Field(
        default="principle",
        description="principle | script (wording staff may use) | taboo (what not to say) | case | outline.",
    )


class Retrieval(_Result):
    query: str
    passages: list[Passage]
    notice: str | None = Field(default=None, description="Set when a test-only embedding answered.")


class RetrievalRequest(_Request):
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=5, ge=1, le=50)


class DocumentIngest(_Result):
    doc_id: str
    title: str
    status: Literal["added", "changed", "unchanged"]
    chunks: int
    in_manifest: bool = True
    unplaced_questions: list[str] = Field(
        default_factory=list, description="Anchors of the questions file found in no chunk or in several."
    )


class IngestSummary(_Result):
    documents: list[DocumentIngest]
    added: int
    unchanged: int
    removed: int
    seconds: float
    embedding: str
    notice: str | None = None
    skipped: list[str] = Field(
        default_factory=list, description="Files under the folders given that were not read, and why (symlink loops)."
    )


class Violation(_Result):
    kind: Literal["unauthorized_promise", "forbidden_phrase"]
    category: str
    span: str
    start: int = Field(description="Code-point offset into the text as received: text[start:end] == span.")
    end: int
    explanation: str = Field(description="Why this breaks policy, in Chinese.")
    suggestion: str = Field(description="A safe rewrite of the offending sentence.")
    source: str = Field(description="Corpus citation of the principle behind the rule.")
    detector: Literal["rules", "model"] = Field(
        default="rules", description="Who raised it: the guard's rules, or a model (the learned stage, "
                                     "COACH_GUARD_MODEL, or the optional second opinion).")
    score: float | None = Field(
        default=None, description="The learned stage's probability for this flag; None when the rules raised it.")


class ContextTurn(_Request):
    speaker: str = Field(default="customer", description="customer/客户 or staff/客服; anything else = customer.")
    text: str


class CheckRequest(_Request):
    """A text to guard, with the customer's words it answers: one `coach check` batch line or one API body."""

    text: str
    context: str | list[ContextTurn] | None = None
    role: str | None = None
    id: str | int | None = Field(default=None, description="Echoed back for matching results to inputs.")


class GuardReport(_Result):
    ok: bool
    violations: list[Violation]
    role: str = "frontline"
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, description="Traces this result in logs and reports.")
    checker: str = Field(default=GUARD_VERSION, description="The guard's rule-set version.")
    policy_hash: str = Field(default="", description="The policy the text was checked against.")
    second_opinion: str | None = Field(
        default=None, description="The model that read the text after the rules and may have added flags; "
                                  "None = rules only (COACH_GUARD_SECOND_OPINION).")


class DoctorCheck(_Result):
    name: str
    ok: bool
    detail: str
    fix: str = ""


class DoctorReport(_Result):
    ok: bool
    checks: list[DoctorCheck]
    repaired: list[str] = Field(default_factory=list)


# ------------------------------------------------------------------------------------------- drafting

RiskFlag = Literal[
    "media", "regulator", "lawyer", "group_visit", "threat", "vulnerable", "former_agent", "demand_manager",
    "injection",
    # safety flags (coach/safety.yaml): dangers that come before the complaint
    "self_harm", "violence", "fraud_in_progress", "injury", "privacy_breach", "minor",
]
Channel = Literal["counter", "phone", "chat", "letter"]
CustomerType = Literal["情绪发泄型", "补偿型", "表现型", "报复型", "求助型", "彬彬有礼型", "盛气凌人型"]
DemandName = Literal["refund", "compensation", "interest", "apology", "deadline", "discipline", "see_manager"]
Language = Literal["zh-Hans", "zh-Hant", "en"]


class Turn(_Request):
    speaker: Literal["customer", "staff"] = "customer"
    text: str = Field(min_length=1)


class EscalationAdvice(_Result):
    """Advice for STAFF (never shown to the customer): who to call, where to go, what not to do."""

    flag: RiskFlag
    who_to_call: str
    where: str
    do_not: str
    source: str = Field(description="Corpus document id and a quote of the rule behind the advice.")


class Analysis(_Result):
    language: Language
    customer_type: CustomerType
    type_reason: str
    intensity: Literal["low", "medium", "high"]
    intensity_score: int
    issue: str = Field(description="Issue key from coach.analyze.ISSUES, e.g. mis_selling.")
    issue_label: str
    demands: list[DemandName]
    risk_flags: list[RiskFlag]
    escalate: bool
    escalation_advice: list[EscalationAdvice]


class Citation(_Result):
    chunk_id: str
    source: str = Field(description="Document id of the chunk.")
    quote: str = Field(description="Text of that chunk, verbatim.")


class Attempt(_Result):
    """One raw answer from a backend and what the checks made of it."""

    backend: str
    model: str | None = None
    prompt_version: str
    raw: str | None = Field(default=None, description="The model's text as returned (PII still masked).")
    reply: str | None = Field(default=None, description="The text after unmasking and script conversion.")
    guard: GuardReport | None = None
    problems: list[str] = Field(default_factory=list, description="Placeholders, wrong language, leftover tokens.")
    error: str | None = None
    ok: bool = False


class Draft(_Result):
    id: str
    reply: str
    backend: str
    model: str | None = None
    attempts: list[Attempt]
    customer_type: CustomerType
    risk_flags: list[RiskFlag]
    escalate: bool
    escalation_advice: list[EscalationAdvice]
    demands: list[DemandName]
    citations: list[Citation]
    guard: GuardReport
    issue: str
    language: Language
    steps: list[str] = Field(description="The documented steps the reply takes, in order (稳/道歉/问/动/传/换).")
    prompt_version: str
    policy_hash: str
    corpus_version: str
    fell_back: bool = False
    fallback_reason: str | None = None
    notice: str | None = None
    channel: Channel = Field(default="counter", description="The channel the reply was written for.")


class DraftRequest(_Request):
    message: str = Field(min_length=1, max_length=20_000)
    conversation: list[Turn] | None = None
    role: str | None = None
    domain: StaffDomain | None = Field(default=None, description="Where the staff member works: favours its documents.")
    channel: Channel | None = Field(
        default=None, description="counter | phone | chat (≤120 characters a message) | letter; "
                                  "None = COACH_CHANNEL (default counter).")
    show_rejected: bool = Field(
        default=False, description="Keep the text of rejected model answers in Draft.attempts (trainers, evals); "
                                   "by default staff see only why an answer was rejected.")


class CallbackCase(_Request):
    customer_name: str = Field(min_length=1)
    customer_title: str = Field(default="", description="先生 / 女士 / 阿姨 …; empty = name only.")
    summary: str = Field(min_length=1, description="What the customer complained about.")
    actions: list[str] = Field(
        min_length=1, description="What was done, one fact per item; one text is split at line breaks and semicolons."
    )
    result: str = Field(min_length=1, description="Current status or result.")
    next_step: str = Field(min_length=1, description="The agreed next step.")
    staff_name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    company: str = ""
    complaint_date: str | None = None
    callback_date: str | None = None
    role: str | None = None

    @field_validator("actions", mode="before")
    @classmethod
    def _one_text_is_a_list_of_facts(cls, value: object) -> object:
        # A team lead writing YAML by hand often gives one sentence, or a block of lines, not a list.
        if isinstance(value, str):
            return [part.strip() for part in re.split(r"[\n；;]+", value) if part.strip()]
        return value


class ScriptPart(_Result):
    part: Literal["greeting", "recap", "actions", "apology", "next_steps", "closing"]
    title: str
    text: str


class CallbackScript(_Result):
    id: str
    parts: list[ScriptPart]
    text: str = Field(description="The whole script rendered in the requested format.")
    format: Literal["markdown", "text"]
    backend: str
    model: str | None = None
    prompt_version: str
    policy_hash: str
    corpus_version: str | None = None
    guard: GuardReport
    adjustments: list[str] = Field(
        default_factory=list, description="Case wording replaced because the guard refused it."
    )
