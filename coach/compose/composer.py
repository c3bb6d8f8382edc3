"""The offline composer: the documented method (稳 → 道歉及感谢 → 问 → 动 → 传/换 → 结) for THIS case.

It plans the sentences the case needs (the opening by customer type and intensity, the customer's own
account restated in staff's voice with only the demands they made, the facts still missing, the next steps
the policy allows, the documented handling of a journalist, lawyer, regulator, group or threat), then fits
them to the channel: a counter or phone reply is at most 200 spoken characters, a chat reply at most two
messages of 120, a letter is free. Lines that only make sense face to face (换个安静的地方坐下来) are
said only at the counter. A danger (coach/safety.yaml) replaces the complaint reply altogether. Wording
is data (wording.yaml); traditional-script customers get it converted with opencc (s2tw), English
customers the English wording.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from string import Template

from coach import safety
from coach.analyze import GENERAL, ISSUES
from coach.compose.case import Case, read_case
from coach.compose.listed import Listed, object_of, quotable
from coach.compose.questions import open_questions
from coach.compose.wording import Phrase, wording
from coach.guard import check
from coach.policy import Policy
from coach.script import find_placeholders, to_simplified, to_traditional
from coach.types import Analysis, Channel, Language, Passage

COMPOSER_VERSION = "offline-composer-v2"
OFFLINE_NOTICE = "离线生成 / composed offline: 由离线规则根据培训资料编写，未使用大模型。"
_ISSUES = {i.key: i for i in (*ISSUES, GENERAL)}
MONEY = ("refund", "compensation", "interest")
DEMAND_ORDER = ("refund", "compensation", "interest", "apology", "deadline", "discipline", "see_manager")
# Spoken or typed characters per channel (English: three times as many, a word being ~5 letters).
LIMITS: dict[Channel, int] = {"counter": 200, "phone": 200, "chat": 120, "letter": 0}
CHAT_MESSAGES = 2
_HELP_NOW = {"howto", "check"}
_NTH = "一二三四五六七八九"
_ORDINAL_EN = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")
_REFERRAL = re.compile(r"转办函|投诉转(?:办|交)"
                       r"|(?:本|我)(?:会|局|委|中心)(?:近期|日前|近日|于)?[^。！？!?]{0,12}(?:收到|受理|接到)[^。！？!?]{0,6}(?:消费者|投诉)"
                       r"|请贵(?:司|公司|单位|店|行|平台)[^。！？!?]{0,30}(?:反馈|回复|答复)(?:本|我)(?:会|局|委|中心)"
                       r"|\b(?:forward(?:ed|ing)?|refer(?:red|ring)?) (?:to you )?(?:a|the|this) complaint\b"
                       r"[^.!?]{0,40}\b(?:consumer|customer)\b")
_JOURNALIST = re.compile(r"我是[^，。！？]{0,10}(?:记者|媒体|报社|电视台|栏目)"
                         r"|(?:i'?m|i am) (?:a |an )?(?:journalist|reporter)"
                         r"|(?:i'?m|i am) (?:with|from) (?:the )?[a-z ]{0,30}(?:news|times|tv|paper|daily)")


@dataclass(frozen=True)
class Composition:
    text: str
    steps: list[str]
    phrases: list[Phrase]  # the phrases the reply holds, in order: what citations are drawn from
    language: Language
    danger: str | None = None  # the safety flag whose documented lines replaced the complaint reply


@dataclass(frozen=True)
class _Planned:
    phrase: Phrase
    keep: int  # when the channel is short, the lowest is dropped first
    point: tuple[str, str] = ("", "")  # (zh, en) lead of a numbered request's answer: "一、关于“…”，"


# ------------------------------------------------------------------------------------------ plan


def _opening(a: Analysis, case: Case, norm: str) -> str:
    if case.comfort_refused:
        return "open_direct"
    if (case.channel != "letter" and not a.risk_flags and a.intensity == "low" and not case.aggrieved
            and a.customer_type in ("求助型", "彬彬有礼型") and wording().calm(norm)):
        return "open_calm"
    if {"lawyer", "regulator"} & set(a.risk_flags):
        return "open_formal"
    if case.praised and not case.aggrieved:
        return "open_polite"  # "您提的意见帮我们发现服务的不足" is no answer to praise
    if "vulnerable" in a.risk_flags:
        return "open_vulnerable"
    if a.customer_type == "情绪发泄型" or a.intensity == "high":
        return "open_vent"
    return {"补偿型": "open_compensation", "盛气凌人型": "open_dominant", "彬彬有礼型": "open_polite",
            "求助型": "open_help", "表现型": "open_feedback", "报复型": "open_revenge"}[a.customer_type]


def _apology(a: Analysis, case: Case) -> str:
    if {"lawyer", "regulator"} & set(a.risk_flags):
        return "apology_formal"  # a formal reply: no admission in an apology to a lawyer or a regulator
    if case.praised and not case.aggrieved:
        return "thanks_praise"
    if a.customer_type == "表现型":
        return "apology_feedback"
    if not case.complaint or (a.customer_type == "求助型" and a.intensity == "low" and not a.demands
                              and not a.risk_flags and case.question and not case.aggrieved):
        # a question, not a complaint: thanks, no apology for trouble it never named (瞎扯淡 asked nothing:
        # "谢谢您来问我们" to it reads as mockery)
        return "apology_help"
    return "apology_service" if a.issue == "service" else "apology_default"


def _questions(case: Case, told_ok: bool, object_ok: bool) -> list[str]:
    """The restatement, then the facts still missing; the case's object is named once, where it fits."""
    if not told_ok:
        first = ("restate_demands" if case.restated else "ask_want") + ("_about" if object_ok else "")
        return [first, "ask_facts"] if case.missing else [first]
    first = "restate_told_demands" if case.restated else "restate_told"
    # "关于X，您说的这些我都记下了，还有需要补充的情况吗？" after a restatement was filler to the panel: not said
    return [first, "ask_facts_about" if object_ok else "ask_facts"] if case.missing else [first]


def _actions(a: Analysis, case: Case, answered: bool, object_ok: bool,
             acknowledged: bool = False) -> list[tuple[str, int]]:
    """The next steps (动); ``answered``: the customer's explicit request is answered with an action now;
    ``object_ok``: the case's object may be named (what they asked about); ``acknowledged``: what they wrote was
    said back and put on record."""
    flags = set(a.risk_flags)
    if case.channel == "letter" and not case.complaint:
        # a letter of questions is answered in writing, not registered as a complaint
        return [("answer_letter_questions" if case.questions else "answer_letter", 62)]
    # Spoken and chat replies are short: recording is what staff do, a letter says it.
    chosen = [("record", 30)] if case.channel == "letter" and not acknowledged else []
    if a.issue == "mis_selling":
        chosen.append(("verify_sale", 55))
    formal = bool(flags & {"lawyer", "regulator"})
    if (a.issue == "surrender" and "refund" in case.asked and a.intensity == "low" and not formal
            and "vulnerable" not in flags):
        chosen.append(("surrender_rule", 45))
    if any(d in MONEY for d in case.asked):
        chosen.append(("money_review", 60))
    if "discipline" in case.asked:
        chosen.append(("discipline", 50))
    elsewhere = _decided_elsewhere(a, case)
    # they need it now: a callback today with the progress, which staff can keep, not the three-day window
    # they had already been given (blind panel 2026-12-06-c: "the same runaround")
    urgent = "deadline" in case.asked and case.channel != "letter"
    if "deadline" in case.asked and elsewhere and case.channel == "letter":
        chosen.append(("deadline", 50))
    if "lawyer" in flags:
        chosen.append(("legal_docs", 84))
    asked_back = _asked_back(case)
    if asked_back:
        chosen.append((asked_back, 86))  # what they asked is named and answered, beside whatever else is done
    if elsewhere and "demand_manager" not in flags:
        # another department decides: forward, and call back (a supervisor brought in now says so already:
        # "we will call you within three working days" beside it contradicted it)
        chosen.append(("forward_today" if urgent else "forward", 62))
    elif not elsewhere and "demand_manager" not in flags and not answered and not asked_back:
        # staff can look into it now (a supervisor brought in now, the request answered or their questions
        # said back say so already): a three-day callback for it would be a deferral
        now = "answer_now" if case.question else "act_now"
        chosen.append((now + ("_about" if object_ok else ""), 62))
    return chosen


def _asked_back(case: Case) -> str:
    """The line that names their own questions back, or "" when none can be said back."""
    return ("answer_questions" if len(case.questions) > 1 else "answer_question") if case.questions else ""


def _decided_elsewhere(a: Analysis, case: Case) -> bool:
    """Whether the next step belongs to a department with the authority (money, discipline, a sale to
    verify, a formal complaint) or is a complaint letter: then forward and call back within the window."""
    flags = set(a.risk_flags)
    return (any(d in MONEY for d in case.asked) or "discipline" in case.asked or a.issue == "mis_selling"
            or bool(flags & {"lawyer", "regulator", "media"}) or (case.channel == "letter" and case.complaint))


def _moves(a: Analysis, norm: str, channel: Channel, complaint: bool) -> tuple[list[str], list[str]]:
    """(换 said early, 传 said after the next steps), by risk flag. Changing the place (换) is for the
    counter; elsewhere the same flags bring someone in (传), said after the apology."""
    flags = set(a.risk_flags)
    moves = ["group_visit"] if "group_visit" in flags else (["threat"] if "threat" in flags else [])
    if "former_agent" in flags:
        moves.append("former_agent")
    early = moves if channel == "counter" else []
    late = [] if channel == "counter" else moves
    if "media" in flags and _JOURNALIST.search(norm):
        late.append("media_journalist")
    elif "media" in flags and not flags & {"regulator", "lawyer"}:  # the formal line below says it already
        late.append("media_customer")
    if flags & {"regulator", "lawyer"}:
        late.append("formal")
    if "demand_manager" in flags:
        late.append("demand_manager")
    if "vulnerable" in flags and complaint:
        late.append("vulnerable")  # "我会如实向领导反映" to a widow asking how to change a beneficiary read as odd
    return early, late


def _closing(a: Analysis, retrieved: str) -> str:
    if a.customer_type == "表现型":
        return "close_feedback"
    if a.customer_type in ("报复型", "情绪发泄型") or a.intensity == "high":
        return "close_effort"
    for key in ("close_trust", "close_effort"):  # neutral types: the closing whose passage was retrieved
        if _compact(wording().phrase(key, "counter").quote) in retrieved:
            return key
    return "close_trust"


def plan(a: Analysis, case: Case, said: tuple[bool, bool], retrieved: str, norm: str,
         points: tuple[_Point, ...] = ()) -> list[_Planned]:
    """The sentences this case needs, in the method's order; ``said``: (told passes, object passes); ``points``: how
    each of their numbered requests is answered (``_points``)."""
    w, channel = wording(), case.channel
    if "media" in a.risk_flags and _JOURNALIST.search(norm):
        # a journalist is received by the office (000), not apologised to as a complainant
        keyed_press = [("letter_open", 100)] if channel == "letter" else []
        keyed_press += [("open_formal", 80), *_thanks("apology_formal", case), ("ask_press_contact", 70),
                        ("media_journalist", 95)]
        return [_Planned(w.phrase(k, channel), keep) for k, keep in keyed_press]
    if channel == "letter" and _REFERRAL.search(norm):
        # a body forwarding a complaint is thanked and told what is done and how it will hear back; the
        # consumer's grievance is not answered to it as if it were theirs (panel -l: "treats the consumer council
        # as a customer")
        return [_Planned(w.phrase(k, channel), keep)
                for k, keep in (("referral_open", 100), ("referral_steps", 90), ("letter_close", 100))]
    if points:
        return _listed_plan(a, case, points, norm)
    early, late = _moves(a, norm, channel, case.complaint)
    planned = _calming(a, case, norm, early)
    # a plain question (how do I…, please check…) from a calm customer is answered now, not called back
    helped_now = bool(_HELP_NOW & set(case.requested)) and not a.risk_flags and not case.asked
    named_task = any(k.startswith("do_") for k in case.requested)
    keyed = _asking(case, said, helped_now, named_task)
    if "lawyer" in a.risk_flags:  # a lawyer's letter is answered through the formal procedure, not questioned
        keyed = [("ask_press_contact", 70) if k[0].startswith("ask_want") else k for k in keyed
                 if not k[0].startswith("ask_facts")]  # they said what they want: where to send the answer
    # their questions said back by the next step and nothing asked of them: they are asked whether the plan
    # suits them (below), the method's 问
    said_back = bool(case.questions) and not keyed
    # they asked for something or asked a question: "what would you like us to do?" re-asks it; the plan
    # is said and they are asked whether it suits them (below)
    settled = bool(keyed) and keyed[0][0].startswith("ask_want") and (
        case.question or bool(case.questions) or wording().asks_for_something(norm))
    if settled:
        keyed = keyed[1:]
    if "regulator" in a.risk_flags:  # details and papers: a lawyer's "方便留下您的联系方式吗" beside it asks twice
        keyed = [k for k in keyed if k[0] != "ask_press_contact"] + [("ask_contact", 68)]
    # checking in front of them explains; their questions named back say what the generic 查一下 line would
    answered = [(k, 88) for k in case.requested
                if (k not in _HELP_NOW or (helped_now and not named_task and not case.questions))
                and not (k == "explain" and "do_verify_here" in case.requested)]
    if any(k.startswith("do_") for k, _ in answered) and keyed and keyed[0][0].startswith("ask_want"):
        # they said what they want done: it is started now and they are asked whether that suits them,
        # never "what would you like us to do?"
        keyed = keyed[1:]
        answered = [*answered, ("confirm_plan", 70)]
    keyed += answered
    named = any(k.endswith("_about") for k, _ in keyed)  # the case's object is named once
    # a letter that says back what it wrote ends that line on "这些我们都已记录在案": the record line would say it twice
    acknowledged = any(k.startswith("restate") for k, _ in keyed)
    actions = _actions(a, case, bool(answered), said[1] and not named, acknowledged)
    keyed += [x for x in actions if x[0] != "forward"] if helped_now else actions
    if (settled or said_back) and (actions or answered) and not any(k == "confirm_plan" for k, _ in keyed):
        keyed.append(("confirm_plan", 70))  # "您看这样可以吗？" only after a plan was said
    keyed += [(k, 90) for k in late]
    if channel == "letter":
        keyed.append(("letter_close", 100))
    elif a.customer_type in ("表现型", "报复型") or a.intensity == "high":
        keyed.append((_closing(a, retrieved), 10))  # the types the course closes on thanks or effort
    return planned + [_Planned(w.phrase(k, channel, case.domain), keep) for k, keep in keyed]


def _calming(a: Analysis, case: Case, norm: str, early: list[str]) -> list[_Planned]:
    """What every complaint reply opens with: a letter's salutation, the opening (稳), the place changed (换), the
    apology or thanks, and the safety lines that add to the reply."""
    w, channel = wording(), case.channel
    opening = "letter_open_formal" if "lawyer" in a.risk_flags else "letter_open"  # a law firm is no customer
    keyed: list[tuple[str, int]] = [(opening, 100)] if channel == "letter" else []
    keyed += [(_opening(a, case, norm), 80), *((k, 90) for k in early), *_thanks(_apology(a, case), case)]
    planned = [_Planned(w.phrase(k, channel, case.domain), keep) for k, keep in keyed]
    return planned + [_Planned(p, 95) for p in _safety_lines(a, channel, norm)]


def _listed_plan(a: Analysis, case: Case, points: tuple[_Point, ...], norm: str) -> list[_Planned]:
    """Numbered requests answered point by point in their order. The stock restatement, record, review and
    follow-up lines are not said beside the answers: panel -m scored letters of eight stock lines that answered none
    of the three numbered demands 2, panel -n phone replies that answered one of three 2.36."""
    w, channel = wording(), case.channel
    early, late = _moves(a, norm, channel, case.complaint)
    planned = _calming(a, case, norm, early)
    planned.append(_Planned(w.phrase("listed_intro" if case.complaint else "listed_intro_questions", channel), 85))
    planned += [_Planned(w.phrase(f"listed_{point.kind}", channel), 88, (point.zh, point.en)) for point in points]
    if any(item.by_date for item in case.listed) or w.listed.limits_time(norm):
        planned.append(_Planned(w.phrase("listed_by_date", channel), 86))
    # "把你们经理叫出来" answered as a point: the flag's line would fetch the manager twice
    keyed = [(k, 90) for k in late if not (k == "demand_manager" and any(p.kind == "manager" for p in points))]
    if (case.complaint and "demand_manager" not in a.risk_flags and not w.refuses_registration(norm)
            and (channel == "letter" or _decided_elsewhere(a, case))):
        keyed.append(("forward", 62))
    keyed.append(("letter_close", 100) if channel == "letter" else ("confirm_plan", 70))  # the 问 of a spoken reply
    return planned + [_Planned(w.phrase(k, channel, case.domain), keep) for k, keep in keyed]


@dataclass(frozen=True)
class _Point:
    """How one numbered request is answered: its (zh, en) lead and the kind of answer (wording.yaml listed_<kind>);
    ``named``: the lead names what was asked (第一，多扣的30块钱，), not only its number."""

    zh: str
    en: str
    kind: str
    named: bool = False


def _points(case: Case, analysis: Analysis, policy: Policy, words: str) -> tuple[_Point, ...]:
    """How each numbered request is answered. A letter quotes their words verbatim ("一、关于“…”，"), or gives the
    number alone where the line quoting them would not pass the guard for every role. A spoken or chat reply counts
    them off (第一，…) and names a question back in staff's voice (第二，您问的…会不会也有问题，…); when more than one
    request could be neither named nor given an answer of its own, none is counted off ("第一，这一点我也记下了。
    第二，这一点我也记下了" says nothing): the usual reply is made instead."""
    if case.channel == "letter":
        return tuple(_quoted_point(item, analysis, policy, words) for item in case.listed)
    points = [_spoken_point(item, case.channel, analysis, policy, words) for item in case.listed]
    return _merged(points) if sum(p.kind == "other" for p in points) <= 1 else ()


def _merged(points: list[_Point]) -> tuple[_Point, ...]:
    """Points answered alike said once ("第一和第三，…"), their names dropped: the same line twice sounds recorded."""
    alike: dict[str, list[int]] = {}
    for index, point in enumerate(points):
        if point.kind != "question" or not point.named:  # each question named is its own
            alike.setdefault(point.kind, []).append(index)
    said: list[_Point] = []
    for index, point in enumerate(points):
        group = alike.get(point.kind, [])
        if index in group[1:]:
            continue
        if index in group and len(group) > 1:
            zh = "和".join(f"第{_NTH[i]}" for i in group) + "，" + wording().listed.subjects.get(point.kind, "")
            en = " and ".join(_ORDINAL_EN[i].lower() for i in group).capitalize() + ", "
            point = replace(point, zh=zh, en=en)
        said.append(point)
    return tuple(said)


def _quoted_point(item: Listed, analysis: Analysis, policy: Policy, words: str) -> _Point:
    bare = _Point(f"{_NTH[item.nth - 1]}、", f"({item.nth}) ", item.kind)
    quoted = quotable(item, analysis.language == "en")
    if not quoted:
        return bare
    lead = replace(bare, zh=f"{bare.zh}关于“{quoted}”，", en=f'({item.nth}) On "{quoted}", ')
    return lead if _passes(lead, "letter", analysis, policy, words) else bare


def _spoken_point(item: Listed, channel: Channel, analysis: Analysis, policy: Policy, words: str) -> _Point:
    """Counted off and named where it can be: a question said back (第二，您问的…，), else what was asked for
    (第一，多扣的30块钱，); else counted off with what it is about (第一，钱的事…)."""
    nth = f"第{_NTH[item.nth - 1]}，"
    counted = _Point(nth + wording().listed.subjects.get(item.kind, ""), f"{_ORDINAL_EN[item.nth - 1]}, ", item.kind)
    asked = open_questions(item.text, analysis.language) if item.kind in ("question", "other") else []
    thing = "" if analysis.language == "en" or asked else object_of(item)
    if asked:
        named = _Point(f"{nth}您问的{asked[0]}，", f"{counted.en}you asked {asked[0]}: ", "question", named=True)
    elif thing and item.kind in wording().listed.named:
        named = _Point(f"{nth}{thing}，", counted.en, item.kind, named=True)
    else:
        return counted
    return named if _passes(named, channel, analysis, policy, words) else counted


def _passes(point: _Point, channel: Channel, analysis: Analysis, policy: Policy, words: str) -> bool:
    line = render(wording().phrase(f"listed_{point.kind}", channel), {"point": {"zh": point.zh, "en": point.en}},
                  analysis.language)
    return _sayable_to_all(line, policy, words)


def _said(planned: _Planned, values: dict[str, dict[str, str]], language: Language) -> str:
    """The sentence as said: a numbered answer takes its lead; in English a bare number is followed by a capital."""
    zh, en = planned.point
    text = render(planned.phrase, {**values, "point": {"zh": zh, "en": en}}, language)
    if language == "en" and en.endswith(") "):
        return text[:len(en)] + text[len(en):len(en) + 1].upper() + text[len(en) + 1:]
    return text


def _asking(case: Case, said: tuple[bool, bool], helped_now: bool, named_task: bool) -> list[tuple[str, int]]:
    """The 问 of the method: the restatement and the facts still missing, or, for a question answered now,
    what to check (never re-asking what they named or asked)."""
    if helped_now and case.questions:
        # their questions are named by the next step: "您现在操作到哪一步了？" beside them re-asks
        return [("restate_told", 70)] if said[0] else []
    if helped_now and named_task:
        return []  # they named the task (update my number): "which item would you like me to check?" re-asks it
    if helped_now and "howto" not in case.requested and said[0] and not said[1]:
        return [("restate_told", 70)]  # what to check is in what they told: say it back, never "which item?"
    if helped_now:
        asked = "ask_help_step" if "howto" in case.requested else "ask_check_which"
        return [(asked + ("_about" if said[1] else ""), 70)]
    return [(k, 85 if k.startswith("restate") else 70) for k in _questions(case, *said)]


def _thanks(key: str, case: Case) -> list[tuple[str, int]]:
    """The apology or thanks; a letter's opening already thanks them for setting it out, so the formal
    thanks is not said twice (感谢您把情况告诉我们。……感谢您把情况清楚地告诉我们。), and a customer who refused
    the scripted comfort (道歉有什么用) gets none."""
    said_already = key == "apology_formal" and case.channel == "letter"
    return [] if said_already or (case.comfort_refused and key != "thanks_praise") else [(key, 75)]


def _safety_lines(a: Analysis, channel: Channel, norm: str) -> list[Phrase]:
    """The lines of safety flags that add to the complaint reply (privacy breach, a minor)."""
    return [Phrase(key=f"safety_{flag}_{i}", step="安全优先", zh=line.zh, en=line.en, doc=None, quote="")
            for flag in a.risk_flags if safety.is_safety(flag)
            for i, line in enumerate(safety.lines(flag, channel, norm))]  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- slot values


def _join(items: list[str], language: Language) -> str:
    if language == "en":
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return "、".join(items[:-1]) + "和" + items[-1] if len(items) > 1 else "".join(items)


def slot_values(issue: str, case: Case, policy: Policy, told: str = "", named: str = "") -> dict[str, dict[str, str]]:
    """{language-neutral slot: {"zh": value, "en": value}} for this case (tables, policy, their words)."""
    w = wording()
    demands = [d for d in DEMAND_ORDER if d in case.restated]

    def said(d: str) -> tuple[str, str]:
        base = w.refund_by_issue.get(issue, w.demands["refund"]) if d == "refund" else w.demands[d]
        if d == "refund" and case.full_refund:
            return w.full_refund.zh + base.zh, f"{base.en} {w.full_refund.en}"
        return base.zh, base.en

    pairs = [said(d) for d in demands]
    money = [said(d) for d in demands if d in MONEY]
    place = w.places.get(case.domain or "default", w.places["default"])
    asks = case.missing
    window = policy.callback_window
    return {
        "topic": {"zh": _ISSUES[issue].zh, "en": _ISSUES[issue].en},
        "claim": {"zh": w.claims[issue].zh, "en": w.claims[issue].en},
        "demands": {"zh": _join([z for z, _ in pairs], "zh-Hans"),
                    "en": _join([e for _, e in pairs], "en") if pairs else ""},
        "money": {"zh": _join([z for z, _ in money], "zh-Hans"),
                  "en": _join([e for _, e in money], "en") if money else ""},
        "window": {"zh": window, "en": w.window_en.get(window, "within the time our procedure sets")},
        "window_en": {"zh": window, "en": w.window_en.get(window, "within the time our procedure sets")},
        "asks": {"zh": "、".join(Template(a.zh).safe_substitute(place=place.zh) for a in asks),
                 "en": _join([Template(a.en).safe_substitute(place_en=place.en) for a in asks], "en") if asks else ""},
        "told": {"zh": told, "en": told},
        "object": {"zh": named, "en": named},
        "questions": {"zh": "、".join(case.questions),
                      "en": _join(list(case.questions), "en") if case.questions else ""},
    }


def render(phrase: Phrase, values: dict[str, dict[str, str]], language: Language) -> str:
    side = "en" if language == "en" else "zh"
    text = Template(getattr(phrase, side)).substitute({k: v[side] for k, v in values.items()})
    return to_traditional(text) if language == "zh-Hant" else text


def _compact(text: str) -> str:
    return re.sub(r"[\s,，。.!！?？:：;；、\"“”「」]", "", to_simplified(text))


# ----------------------------------------------------------------------------------------- fit


def fit(sentences: list[tuple[_Planned, str]], channel: Channel, language: Language) -> list[tuple[_Planned, str]]:
    """Drop the least needed sentences until the reply fits the channel; one next step always stays."""
    limit = LIMITS[channel] * (3 if language == "en" else 1)
    if not limit:
        return sentences
    kept = list(sentences)
    while not _fits(kept, channel, limit, language):
        droppable = [s for s in kept if s[0].keep < 95 and not _last_of_step(s, kept)]
        if not droppable:
            break
        kept.remove(min(droppable, key=lambda s: (s[0].keep, -kept.index(s))))
    return kept


def _last_of_step(item: tuple[_Planned, str], kept: list[tuple[_Planned, str]]) -> bool:
    """The only question or the only next step: the reply must keep one of each (稳/问/动 of the method)."""
    step = item[0].phrase.step
    return step in ("问", "动", "稳") and sum(s[0].phrase.step == step for s in kept) == 1


def _fits(kept: list[tuple[_Planned, str]], channel: Channel, limit: int, language: Language) -> bool:
    if channel != "chat":
        return len(_join_text([t for _, t in kept], language)) <= limit
    return len(chat_messages([t for _, t in kept], limit, language)) <= CHAT_MESSAGES


def chat_messages(sentences: list[str], limit: int, language: Language) -> list[str]:
    """Sentences packed, in order, into messages of at most ``limit`` characters."""
    messages: list[str] = []
    for sentence in sentences:
        if messages and len(_join_text([messages[-1], sentence], language)) <= limit:
            messages[-1] = _join_text([messages[-1], sentence], language)
        else:
            messages.append(sentence)
    return messages


def _join_text(parts: list[str], language: Language) -> str:
    return (" " if language == "en" else "").join(parts)


# ----------------------------------------------------------------------------------------- compose


def compose(analysis: Analysis, passages: list[Passage], policy: Policy, words: str = "",
            channel: Channel = "counter", domain: str | None = None, latest: str | None = None) -> Composition:
    """The reply for this case on this channel, the steps it takes, and the phrases it used (for citations).

    ``words``: what the customer said, personal data already masked (the chain's Redactor); ``latest``: their last
    turn, masked the same way (default: ``words``), whose questions the reply names back.
    """
    from coach.analyze import normalise

    norm = normalise(words)
    danger = safety.override(analysis.risk_flags, norm, channel)
    if danger:
        return safety_composition(danger, analysis.language, channel, norm)

    case = read_case(analysis, words, channel, domain, latest)
    case = replace(case, questions=_checked_questions(case, analysis, policy, words))
    language = analysis.language
    told = _checked(case, analysis, policy, words, "restate_told_demands" if case.restated else "restate_told",
                    told=case.told)
    named = _checked(case, analysis, policy, words, "ask_want_about", named=case.object)
    retrieved = _compact("".join(p.text for p in passages if p.kind in ("script", "principle")))
    planned = plan(analysis, case, (bool(told), bool(named)), retrieved, norm, _points(case, analysis, policy, words))
    values = slot_values(analysis.issue, case, policy, told, named)
    sentences = fit([(p, _said(p, values, language)) for p in planned], channel, language)
    texts = [t for _, t in sentences]
    if channel == "chat":
        text = "\n".join(chat_messages(texts, LIMITS["chat"] * (3 if language == "en" else 1), language))
    else:
        text = _join_text(texts, language)
    phrases = [p.phrase for p, _ in sentences]
    return Composition(text=text, steps=list(dict.fromkeys(p.step for p in phrases)), phrases=phrases,
                       language=language)


def _checked(case: Case, analysis: Analysis, policy: Policy, words: str, key: str, told: str = "",
             named: str = "") -> str:
    """The customer's words (restated, or their term) if the sentence naming them passes the guard for
    every role with their words as context; else ""."""
    value = told or named
    if not value:
        return ""
    sentence = render(wording().phrase(key, case.channel), slot_values(analysis.issue, case, policy, told, named),
                      analysis.language)
    return value if _sayable_to_all(sentence, policy, words) else ""


def _sayable_to_all(sentence: str, policy: Policy, words: str) -> bool:
    """Whether a sentence holding the customer's words passes the placeholder check and the guard for every role,
    with their words as context. Their words may hold a gap of their own (闽D·5Q8xx): said back, the whole draft
    failed the placeholder check and fell back to the three-line minimal reply."""
    return not find_placeholders(sentence) and all(
        check(sentence, role=role, context=words or None, policy=policy).ok for role in policy.roles.values())


def _checked_questions(case: Case, analysis: Analysis, policy: Policy, words: str) -> tuple[str, ...]:
    """Their questions whose line, said back alone, passes the guard for every role (a question of theirs
    may read as our promise: 能不能今天就给您办好)."""
    def passes(question: str) -> bool:
        return _line_passes(replace(case, questions=(question,)), analysis, policy, words)

    if not case.questions or _line_passes(case, analysis, policy, words):
        return case.questions
    return tuple(q for q in case.questions if passes(q))


def _line_passes(case: Case, analysis: Analysis, policy: Policy, words: str) -> bool:
    """Whether the line naming the case's questions may be said (``_sayable_to_all``)."""
    sentence = render(wording().phrase(_asked_back(case), case.channel), slot_values(analysis.issue, case, policy),
                      analysis.language)
    return _sayable_to_all(sentence, policy, words)


def safety_composition(flag: safety.SafetyFlag, language: Language, channel: Channel, norm: str = "") -> Composition:
    """The short reply staff say while they escalate: the flag's lines for this channel, nothing else.

    ``norm``: the customer's normalised words, which tell a victim of the danger from its author."""
    said = [line.en if language == "en" else line.zh for line in safety.lines(flag, channel, norm)]
    limit = LIMITS["chat"] * (3 if language == "en" else 1)
    text = "\n".join(chat_messages(said, limit, language)) if channel == "chat" else _join_text(said, language)
    if language == "zh-Hant":
        text = to_traditional(text)
    return Composition(text=text, steps=["安全优先", "传"], phrases=[], language=language, danger=flag)


def minimal(analysis: Analysis, policy: Policy, channel: Channel) -> str:
    """The last resort: apology, record, forward: sentences the emittable test covers."""
    case = Case(told="", object="", asked=[], full_refund=False, missing=[], channel=channel, domain=None)
    values = slot_values("general", case, policy)
    keys = ("apology_default", "record", "forward")
    return _join_text([render(wording().phrase(k, channel), values, analysis.language) for k in keys],
                      analysis.language)


# ----------------------------------------------------------------------------- every emittable text

TOLD_SAMPLES = ("排了一个多小时的队，就开了一个窗口", "您上个月换了新套餐", "you waited two hours at the branch", "")
OBJECT_SAMPLES = ("叠加包", "robot vacuum", "")
# (zh, en) leads of a numbered request's answer: their words quoted, and the number alone
POINT_SAMPLES = (("一、关于“提供当时的录音录像”，", '(1) On "a copy of the recording", '), ("二、", "(2) "),
                 ("第三，", "Third, "))
# (Chinese, English) questions said back, one and several
QUESTION_SAMPLES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("首保是不是免费的",), ("whether the first service is free",)),
    (("今天几点能修好", "我们有没有代步车"), ("whether you can swap it for a lighter one", "how long it will take")))


def emittable(policy: Policy) -> Iterator[tuple[str, str]]:
    """(phrase key, sentence) for every sentence the composer can emit, in every language and script.

    Slots from tables are enumerated (demand sets: every single demand and pair, and all of them);
    $told takes ``TOLD_SAMPLES``: at run time a restatement is used only if it passes the guard.
    """
    w = wording()
    singles = [[d] for d in DEMAND_ORDER]
    demand_sets = [[], *singles, *(list(c) for c in itertools.combinations(DEMAND_ORDER, 2)), list(DEMAND_ORDER)]
    for phrase in w.phrases:
        seen: set[str] = set()
        slots = set(re.findall(r"\$(\w+)", phrase.zh + phrase.en))
        issues = list(_ISSUES) if slots & {"topic", "claim", "demands", "money", "asks"} else ["general"]
        demands_for = demand_sets if slots & {"demands", "money"} else [[]]
        tolds = TOLD_SAMPLES if "told" in slots else ("",)
        objects = OBJECT_SAMPLES if "object" in slots else ("",)
        questions = QUESTION_SAMPLES if "questions" in slots else (((), ()),)
        points = POINT_SAMPLES if "point" in slots else (("", ""),)
        for issue, demands, told, named, full, asked, point in itertools.product(
                issues, demands_for, tolds, objects, (False, True), questions, points):
            asks_sets = _ask_sets(issue) if "asks" in slots else [[]]
            for asks in asks_sets:
                case = Case(told=told, object=named, asked=demands, full_refund=full, missing=asks,  # type: ignore[arg-type]
                            channel=phrase.channels[0], domain=None, questions=asked[0])
                values = slot_values(issue, case, policy, told, named)
                if any(s in slots and not values[s]["zh"]
                       for s in ("demands", "money", "told", "asks", "object", "questions")):
                    continue
                in_english = slot_values(issue, replace(case, questions=asked[1]), policy, told, named)
                for language in ("zh-Hans", "zh-Hant", "en"):
                    said = _Planned(phrase, 0, point)
                    sentence = _said(said, in_english if language == "en" else values, language)
                    if sentence not in seen:
                        seen.add(sentence)
                        yield phrase.key, sentence


def _ask_sets(issue: str) -> list[list]:
    asks = wording().asks.get(issue, wording().asks["general"])
    return [list(c) for n in range(1, len(asks) + 1) for c in itertools.combinations(asks, n)]
