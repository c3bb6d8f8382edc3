"""A commitment by its structure: the speaker commits × to an outcome the customer wants × in no scope that
takes it back. The three axes are vocabularies in ``commitment.yaml`` beside this module, read and compiled
once per process, so a policy owner extends them without touching a regex.

Seven ways the speaker commits, each read within one clause or the next:

- an undertaking in their own name (我保证/我担保/答应您/就按您说的/I'll make sure) before an outcome;
- staff's own act for the customer (我直接帮您, 我给您, 本公司将, we'll) before an outcome: what they will do,
  unless hedged ("我尽量帮您…") or a process ("我帮您申请…");
- certainty (一定/肯定/百分百) before an outcome;
- a time before a deadline outcome ("明天给您送到", "88888号前到账": anonymised numbers read as values);
- reassurance about the outcome itself (应该没问题, 一般都会同意的, 放心回去等), which needs no outcome named
  and is not taken back by a hedge: it sets the customer's expectation all the same;
- an amount paid to the customer ("给您返88888元差价", Taobao's 返/补 X 元差价);
- said in staff's or the company's own name, what commits by itself (``by_itself``): fault admitted ("责任全在我们",
  "that's on us"), a colleague's sanction ("给他记个大过"), a rule set aside ("材料下周再补过来就行").

The scopes (negated, hedged, conditional, published policy, reported speech, past fact, question) are
searched around the match; the existing scope checks of ``text`` apply as well.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from coach.errors import ConfigError
from coach.guard import text as gt
from coach.guard.base import GuardContext
from coach.types import Violation

VOCABULARY_PATH = Path(__file__).with_name("commitment.yaml")
_NUMBERED_TIME = r"|[\d一二两三四五六七八九十]+\s*(?:个)?(?:号|日|点|小时|天|工作日)"  # "88888号", "五点前"
_WINDOW = 24  # how far after the commitment its outcome may be named (one clause or the next)
_GAP = "…"


def _alternation(entries: list[str]) -> str:
    """Literal entries (``gt.literal``) as one regex alternation, longest first; "…" stands for up to six characters."""
    parts = sorted({gt.normalise(str(e)).strip() for e in entries if str(e).strip()}, key=len, reverse=True)
    return "|".join(".{0,6}?".join(gt.literal(piece) if i == 0 else re.escape(piece)
                                   for i, piece in enumerate(part.split(_GAP))) for part in parts) or r"(?!)"

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: a faster cold start

@dataclass(frozen=True)
class Vocabulary:
    """The compiled axes of ``commitment.yaml``."""

    undertaking: re.Pattern[str]
    own_act: re.Pattern[str]
    certainty: re.Pattern[str]
    reassurance: re.Pattern[str]
    payment: re.Pattern[str]
    will: re.Pattern[str]  # a plain future act: commits only to the outcome the customer asked for (open demand)
    asserted_fault: re.Pattern[str]  # the customer's assertion of the company's fault, to be confirmed
    by_itself: tuple[tuple[str, re.Pattern[str]], ...]  # (category, pattern): a commitment with no outcome after it
    time: re.Pattern[str]
    outcomes: tuple[tuple[str, re.Pattern[str]], ...]  # (category, pattern), in the file's order
    deadline_outcome: re.Pattern[str]
    scope: dict[str, re.Pattern[str]]


def read_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, Any]:
    """The vocabulary file's data, before compiling (coach/guard/vocabularies.py applies a policy's edits to it)."""
    try:
        data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"the commitment vocabulary {path} cannot be read: {exc}",
                          f"fix {path.name} (lists under commitment, outcomes, time, scope; see its header)") from exc
    return data


def compile_vocabulary(data: dict[str, Any], where: str) -> Vocabulary:
    """The compiled axes; ``where`` names the file (and edits) they came from, for the error."""
    try:
        commit, scope, outcomes = data["commitment"], data["scope"], data["outcomes"]
        return Vocabulary(
            undertaking=re.compile(_alternation(commit["undertaking"])),
            own_act=re.compile(_alternation(commit["own_act"])),
            certainty=re.compile(_alternation(commit["certainty"])),
            reassurance=re.compile(_alternation(commit["reassurance"])),
            payment=re.compile(_alternation(data["payment"])),
            will=re.compile(_alternation(commit.get("will") or [])),
            asserted_fault=re.compile(_alternation(data.get("asserted_fault") or [])),
            by_itself=tuple((category, re.compile(_alternation(words)))
                            for category, words in data["by_itself"].items()),
            time=re.compile(_alternation(data["time"]) + _NUMBERED_TIME),
            outcomes=tuple((category, re.compile(_alternation(words))) for category, words in outcomes.items()
                           if category != "deadline"),
            deadline_outcome=re.compile(_alternation(outcomes["deadline"])),
            scope={name: re.compile(_alternation(words)) for name, words in scope.items()},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"the commitment vocabulary {where} cannot be read: {exc!r}",
                          "lists under commitment, outcomes, time, scope; see coach/guard/commitment.yaml") from exc


@functools.cache
def shipped_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    return compile_vocabulary(read_vocabulary(path), str(path))


# The vocabulary of the policy being checked: coach.guard.check sets it for the length of one check, so the
# scope helpers below (also called by the hand-written rules) read the policy owner's words. A ContextVar
# keeps concurrent checks of different policies (API threads) apart.
_ACTIVE: ContextVar[Vocabulary | None] = ContextVar("coach_guard_vocabulary", default=None)


def vocabulary() -> Vocabulary:
    """The vocabulary in force: the checked policy's, else the shipped one."""
    return _ACTIVE.get() or shipped_vocabulary()


@contextmanager
def in_force(vocab: Vocabulary) -> Iterator[None]:
    token = _ACTIVE.set(vocab)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


# "88888-88888个工作日", "3-5天": a range of days (or any count of working days) is a published processing
# window, not a date anyone promised (a clock window, "[数字x]-[数字x]点之间送到", is a promise); "8月18日
# 18点00" (a date then a time) is a status line's timestamp; "T+3" is a settlement rule. Certainty in the
# sentence ("三个工作日内保证解决") keeps it a promise (see ``published``).
_RANGE = re.compile(r"\d+\s*[-~～至到]\s*\d+\s*(?:个)?(?:工作日|天|小时|周)|\d+月\d+日\s*\d+点|\bt\s*\+\s*\d|\d+点\d\d"
                    r"|\d+\s*(?:个)?工作日")


def published(norm: str) -> bool:
    """The sentence restates a published window or rule (a range of days, a channel's refund time, 价保,
    N天无理由) or reads out a status line: what it names is not promised by the speaker."""
    if _OWN_TURN.search(norm) or any(not _COURTESY.match(norm, max(0, m.start() - 2))
                                      for m in vocabulary().certainty.finditer(norm)):  # "不过我给您加急", "保证…"
        return False
    return bool(_RANGE.search(norm) or _CHANNELS.search(norm) or _OTHER_PARTY.search(norm)
                or _EVENT_WINDOW.search(norm)
                or vocabulary().scope["published"].search(norm))


# A window counted from an event the customer or the process reaches, not from now: the policy's clock, not a
# date staff set ("签收后88888天内都可以的哦", "商品到达站点后会在88888小时内为您配送", "申请通过88888小时到账").
_EVENT_WINDOW = re.compile(r"(?:签收|收货|收到货|收到商品|到达站点|到站|下单|付款|支付|出库|审核通过|申请通过|退款完成"
                           r"|退款成功)(?:后|之后|以后)?[^,，。]{0,6}[\d一二两三四五六七八九十]+\s*(?:个)?(?:小时|天|日|工作日)")


def claimed(norm: str, start: int, end: int) -> bool:
    """The clause claims something about the goods sold ("层层质检，保证正品", "一定不会让您失望"), not an outcome of
    the customer's case (`scope.product_claim`); a case outcome in the clause keeps it a promise."""
    left = gt.clause_start(norm, start)
    stop = gt.CLAUSE_BREAK.search(norm, end)
    clause = norm[left:stop.start() if stop else len(norm)]
    return bool(vocabulary().scope["product_claim"].search(clause)) and not _CASE_OUTCOME.search(clause)


def limited(norm: str, start: int, end: int) -> bool:
    """The outcome is named as a limit ("只能退88888包的钱", "只能退货处理呢"), not granted (`scope.limited`, just
    before it in its clause); 全额/全部 or certainty keeps it a promise."""
    left = max(gt.clause_start(norm, start), start - 12)
    region = norm[left:end + 2]
    return (bool(vocabulary().scope["limited"].search(region)) and not _WHOLE.search(region)
            and not vocabulary().certainty.search(region))


_CASE_OUTCOME = re.compile(r"解决|退|赔|换|修|到账|送到|送达|补")
_WHOLE = re.compile(r"全额|全部|全款|全数")


def refund_timetable(norm: str) -> bool:
    """The sentence reads out the refund-time table of the payment channels: no rule promises from it."""
    return bool(_CHANNELS.search(norm))


# The outcomes an explanation of how things work can name; an inducement ("好评的话返您5元") is a private deal
# whatever its wording.
EXPLAINABLE = frozenset({"refund_outcome", "compensation", "deadline", "guaranteed_outcome"})


def explained(norm: str, start: int, end: int) -> bool:
    """The clause explains how things work rather than commits: where a refund lands ("是会退回到您的白条额度上面
    的呢", "差价原返您支付方式") or what follows a step the customer takes ("拒收的话都是会退的"). Certainty in the
    clause, staff's own act after the customer's step ("您同意的话我马上给您退"), or a step staff may not pay for
    ("好评的话给您返5元"), keeps it a promise."""
    scope = vocabulary().scope
    left = gt.clause_start(norm, start)
    stop = gt.CLAUSE_BREAK.search(norm, end)
    clause = norm[left:stop.start() if stop else len(norm)]
    if vocabulary().certainty.search(clause):
        return False
    if scope["destination"].search(clause):
        return True
    if scope["inducement"].search(clause):
        return False
    steps = list(scope["customer_step"].finditer(norm, left, start))
    return bool(steps) and not _OWN_ACT.search(norm, steps[-1].end(), start)


def asked(norm: str, end: int) -> bool:
    """The clause of the match is a question ("[数字x]个都返回了么", "只收到返还88888的券是吧?")."""
    stop = gt.CLAUSE_BREAK.search(norm, end)
    tail = norm[end:stop.start() if stop else len(norm)].rstrip(" 。.!！~")
    return bool(_ASKED.search(tail))


def past(norm: str, start: int, end: int) -> bool:
    """The match reports what has happened ("已经[日期x]退回您卡里了", "今天上午已经取出来了"), not what will: a
    past marker inside it or just before it (further back, "退款已经审核通过了 48小时内到账" still promises)."""
    marker = vocabulary().scope["past"].search(norm, max(gt.clause_start(norm, start), start - 4), end)
    # "我已经给您免了": staff's own act, done without authority, is no report of the past; the bank's own record is
    # ("我行已于8月18日收到").
    return marker is not None and not _OWN_ACT_BEFORE.search(norm, max(0, marker.start() - 4), marker.start())


# Two payment channels named together are the refund-time table ("白条是…;余额/京豆/京东卡…"); a time in
# another party's process is theirs to keep ("财务也会在88888个工作日内退款至银行", "商家会在…审核").
_CHANNELS = re.compile(r"(?:白条|储蓄卡|信用卡|余额|京豆|京东卡|e卡|零钱|微信|支付宝|优惠券)[^。]{0,30}"
                       r"(?:白条|储蓄卡|信用卡|余额|京豆|京东卡|e卡|零钱|微信|支付宝|优惠券)")
_OTHER_PARTY = re.compile(r"(?:财务|银行|商家|卖家|厂家|系统|库房|仓库)(?:也|都|那边)?(?:会|将|是|在|审核|处理)")
_COURTESY = re.compile(r"请您放心|您请放心")  # a closing courtesy ("…一年保修的呢 请您放心"), no certainty
_ASKED = re.compile(r"(?:吗|么|嘛|是吧|对吧|对吗|是吗)[呢哦啊呀]*[?？]?$|[?？]$")
_OWN_ACT = re.compile(r"我|我们|这边|小妹|妹子")
_OWN_ACT_BEFORE = re.compile(r"我(?![行司])|这边|小妹|妹子")  # 我们 included; 我行/我司 name the company
_OWN_TURN = re.compile(r"(?:但|不过|可是)[^。]{0,8}(?:我|我们|这边)"
                       r"|(?:我|我们)(?:这边)?(?:给|帮|替)(?:您|你)(?:特殊|加急|特批|破例|免|补|赔|返)")


class Commitment:
    """Flags the structure above; the category is the outcome's (reassurance: guaranteed_outcome)."""

    rule = "commitment.structure"

    def check(self, text: str, ctx: GuardContext) -> list[Violation]:
        vocab = vocabulary()
        found: list[Violation] = []
        for sentence in ctx.sentences:
            hit = self._first(vocab, sentence.norm, ctx, sentence)
            if hit is not None:
                category, start, end = hit
                violation = ctx.violation("unauthorized_promise", category, sentence, start, end)
                if violation:
                    found.append(violation)
        return found

    def _first(self, vocab: Vocabulary, norm: str, ctx: GuardContext,
               sentence: gt.Sentence) -> tuple[str, int, int] | None:
        for match in vocab.reassurance.finditer(norm):
            if not self._excused(vocab, norm, match.start(), match.end(), ctx, sentence, hedge=False, own=True):
                return "guaranteed_outcome", match.start(), match.end()
        for match in vocab.payment.finditer(norm):
            if not self._excused(vocab, norm, match.start(), match.end(), ctx, sentence, hedge=True, own=True):
                return "compensation", match.start(), match.end()
        for category, pattern in vocab.by_itself:
            for match in pattern.finditer(norm):
                if not self._excused(vocab, norm, match.start(), match.end(), ctx, sentence, hedge=True, own=True):
                    return category, match.start(), match.end()
        for marker in (vocab.undertaking, vocab.certainty, vocab.own_act):
            for match in marker.finditer(norm):
                outcome = self._outcome(vocab, norm, match.end())
                if outcome is None:
                    continue
                category, end = outcome
                if not self._excused(vocab, norm, match.start(), end, ctx, sentence,
                                     hedge=marker is not vocab.undertaking):
                    return category, match.start(), end
        return self._deadline(vocab, norm, ctx, sentence) or self._will(vocab, norm, ctx, sentence)

    def _will(self, vocab: Vocabulary, norm: str, ctx: GuardContext,
              sentence: gt.Sentence) -> tuple[str, int, int] | None:
        """A plain future act ("会给您拦截的哦") naming the very outcome the customer asked for earlier in the
        conversation (``ctx.open_demand``): the reply grants the demand in its body, not only at its head."""
        demand = ctx.open_demand
        category = getattr(demand, "category", None)
        if category is None:
            return None
        for match in vocab.will.finditer(norm):
            outcome = self._outcome(vocab, norm, match.end())
            if outcome is None or outcome[0] != category or ctx.in_quote(sentence.at(match.start())):
                continue
            # Chat writes clauses apart with a space ("…等待出库状态 会给您拦截的哦 商家已收到…"): the scopes are read
            # in the space-delimited clause of the act, not in its neighbours' 等待/审核.
            left = max((m.end() for m in _CHAT_BREAK.finditer(norm, 0, match.start())), default=0)
            stop = _CHAT_BREAK.search(norm, outcome[1])
            right = stop.start() if stop else len(norm)
            part = gt.Sentence(sentence.at(left), sentence.after(right), norm[left:right])
            if not self._excused(vocab, part.norm, match.start() - left, outcome[1] - left, ctx, part, hedge=True):
                return category, match.start(), outcome[1]
        return None

    def _deadline(self, vocab: Vocabulary, norm: str, ctx: GuardContext,
                  sentence: gt.Sentence) -> tuple[str, int, int] | None:
        """A time, then a deadline outcome in the same clause ("明天给您送到")."""
        for match in vocab.time.finditer(norm):
            window = norm[match.end():match.end() + 14]
            outcome = vocab.deadline_outcome.search(window)
            if outcome is None or gt.CLAUSE_BREAK.search(window, 0, outcome.start()):
                continue
            end = match.end() + outcome.end()
            if vocab.scope["callback"].match(norm, end):  # "稍后有结果回复您": when staff report back
                continue
            # Run 8: a date stated as the whole chat clause ("都是88888号送达哦 …详情页有预计时间"): the scopes are
            # read in its space-delimited clause, as for `will`, not in the neighbouring clauses' 预计/详情页.
            clause = self._chat_clause(norm, sentence, match.start(), end)
            if clause is None or _DISCLAIMER.search(norm):  # "…以页面显示为准" takes back every clause
                continue
            part, left = clause
            if not self._excused(vocab, part.norm, match.start() - left, end - left, ctx, part, hedge=True, dated=True):
                return "deadline", match.start(), end
        return None

    @staticmethod
    def _chat_clause(norm: str, sentence: gt.Sentence, start: int, end: int) -> tuple[gt.Sentence, int] | None:
        """The chat clause (between spaces) of [start, end), when the sentence is chat written with spaces; the
        whole sentence otherwise, with the clause's offset in ``norm``. None when the match spans a space."""
        spaces = list(_SPACE_BREAK.finditer(norm))
        if not spaces:
            return sentence, 0
        if any(start < m.start() < end for m in spaces):
            return None
        left = max((m.end() for m in spaces if m.end() <= start), default=0)
        right = min((m.start() for m in spaces if m.start() >= end), default=len(norm))
        return gt.Sentence(sentence.at(left), sentence.after(right), norm[left:right]), left

    @staticmethod
    def _outcome(vocab: Vocabulary, norm: str, after: int) -> tuple[str, int] | None:
        """The first outcome named within the window after ``after``, before the sentence ends."""
        window = norm[after:after + _WINDOW]
        best: tuple[int, str, int] | None = None
        for category, pattern in vocab.outcomes:
            hit = pattern.search(window)
            if hit and (best is None or hit.start() < best[0]):
                best = (hit.start(), category, after + hit.end())
        return None if best is None else (best[1], best[2])

    @staticmethod
    def _excused(vocab: Vocabulary, norm: str, start: int, end: int, ctx: GuardContext, sentence: gt.Sentence,
                 *, hedge: bool, dated: bool = False, own: bool = False) -> bool:
        """A scope takes the match back. ``hedge``: a hedge does; ``dated``: a date range or timestamp does;
        ``own``: the match is one vocabulary entry, negators and all ("不会让您吃亏")."""
        scope = vocab.scope
        clause = gt.clause_start(norm, start)
        before = norm[max(clause, start - 4):start]  # "我不能保证"; not "没收到的话您放心"
        inside = norm[start:end]
        if ctx.in_quote(sentence.at(start)):
            return True
        if scope["negated"].search(before) or gt.negated(norm, start, end):
            return True
        if not (own or dated) and scope["negated"].search(inside) and not _OWN_NEGATION.search(inside):
            return True
        if hedge and (scope["hedged"].search(norm[clause:end]) or gt.hedged(norm, start, end)):
            return True
        if scope["conditional"].search(norm[clause:start]) or gt.conditional(norm, start, end):
            return True
        if scope["reported"].search(norm[:start]) or gt.restated(norm, start):
            return True
        stop = gt.CLAUSE_BREAK.search(norm, end)
        process_end = min(end + _PROCESS_AFTER, stop.start() if stop else len(norm))
        if past(norm, start, end) or any(norm[m.end():m.end() + 2] not in _OUTCOME_AFTER_PROCESS
                                         for m in scope["process"].finditer(norm, clause, process_end)):
            return True
        if scope["question"].search(norm[clause:start]) or asked(norm, end) or scope["failure"].search(norm, end):
            return True
        if hedge and explained(norm, start, end):
            return True
        if hedge and published(norm):  # reassurance and undertakings stand even beside policy
            return True
        if claimed(norm, start, end) or limited(norm, start, end):
            return True
        return gt.pending(norm, end)


_CHAT_BREAK = re.compile(r"[\s,，。!！?？;；~]+")
_SPACE_BREAK = re.compile(r"\s+")
_DISCLAIMER = re.compile(r"为准|以实际")
# Outcomes that are themselves worded with a negator ("不会让您吃亏", "不会派送"): the negator is the outcome.
_OWN_NEGATION = re.compile(r"不会|不扣|没有损失|送不出去")
_OUTCOME_AFTER_PROCESS = {"下来", "成功", "通过"}  # "价保肯定能申请下来": the outcome, not the process
_PROCESS_AFTER = 4  # a process named right after the outcome, in its clause, is the outcome's request ("退保申请")
