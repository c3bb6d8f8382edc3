"""The requests a customer numbers (我的要求：一、…；二、…; 我就三个要求：第一…第二…), or makes one after another
without numbers (你给我把这些都关了，把前三个月的账单给我打出来…), each read for what it asks.

A customer who lists what they want expects each point answered; the blind panels scored replies that answered none
of them 2 ("none of the three demands or the 17 Jan deadline is addressed", letters; "the simplest ask is not done",
phone). A list is a run of markers of one style counting up from one (一、二、 / 1. 2. / (1) (2) / ① ② / 第一 第二 /
一是 二是 / First, Second, / 一个是 另一个是). Where a letter numbers both its facts and its demands, the run after a
request word (要求, 三件事, 函请, asking for …) is taken; a run after none is an account of what happened. Each item
keeps the customer's own words (a letter quotes them back verbatim, never re-voiced) and gets the kind of answer it
needs (wording.yaml ``listed``: money to review, a thing to replace or repair, records to look out …), and whether
it sets a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from coach.compose.wording import wording
from coach.script import as_mandarin, to_simplified

_ORDINALS = "一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
# (style, pattern whose group 1 is the ordinal); each style is one way of numbering
_MARKERS = (
    ("hanzi", re.compile(rf"(?<![\u4e00-\u9fff])([{_ORDINALS}])\s*[、．.]")),
    ("digit", re.compile(r"(?<![\d./\-(（])([1-9])\s*(?:[、．)）]|\.(?!\d))")),
    ("paren", re.compile(rf"[（(]([1-9{_ORDINALS}])[)）]")),
    ("circled", re.compile(rf"([{_CIRCLED}])")),
    # 第一个，… and a clause opening on 第一个 count; 第一个月 / 第一次 inside a clause do not
    ("di", re.compile(rf"第([{_ORDINALS}])(?:点|条|项|个要求|件事?|是|个(?=\s*[，,：:、是])"
                      rf"|(?<![^：:，,；;。\s]第.)个)?(?![次天年个位名家期步眼印手时批轮回季届])")),
    ("shi", re.compile(rf"(?<![\u4e00-\u9fff])([{_ORDINALS}])是")),  # 两件事：一是…二是…
    ("english", re.compile(r"\b(first|second|third|fourth|fifth)(?:ly)?\s*[,:]", re.I)),
    # 两件事：一个是…，另一个是… / 再一个，… / 一个是…，一个是…: each after the first is the next
    ("yige", re.compile(r"(?<![\u4e00-\u9fff])(一个|再一个|另一个|另外一个|二个|第二个|还有一个)(?:是|[，,：:])")),
)
_ENGLISH = ("first", "second", "third", "fourth", "fifth")
_COUNT = {"两": 2, "二": 2, "三": 3, "two": 2, "three": 3}
_ANNOUNCED = re.compile(r"([两二三])\s*(?:个|件|样|点)(?:事情|事儿?|东西|要求|问题)?\s*[：:，,]"
                        r"|\b(two|three) (?:things|requests|questions)\s*[:：]", re.I)
_SEPARATOR = re.compile(r"\s*[；;]\s*(?:还有|另外|再就是|再一个|然后|and\b)?|[，,]\s*(?:还有|另外|再就是|再一个)[，,]?")
_SENTENCE = re.compile(r"(?:[^。！？!?\n.]|\.(?!\s|$))+[。！？!?.]*")
# a clause: up to a comma or semicolon, a space between two hanzi (那你给我说清楚 一是多少钱), or "and" before a verb
# with an object ("and refund the 50", not "taste it and confirm?")
_CLAUSE = re.compile(r"(?:(?!\s+and\s+(?:also\s+|please\s+|then\s+)?(?:refund|replace|swap|exchange|send|give|tell|"
                     r"confirm|get|pick|cancel|fix|repair|explain|pay|return|deliver|call|stop|remove|delete)\b\s+\w)"
                     r"(?:[^，,；;\s]|(?<![\u4e00-\u9fff])\s|\s(?![\u4e00-\u9fff])))+", re.I)
# what someone said or what was already done is no request (当时说发票一周内开出来, 钱你们也都给我退回来了); nor a
# threat of what they will do (我会把监控视频…发出来)
_TOLD = re.compile(r"^(?:当时|他|她|你们?|客服|那边)?(?:说|讲|答应)|说(?:要|会|给)|也都|已经|早就|之前|上次"
                   r"|^我(?:会|就会|也会|还会|自己)")
_REFUSAL = re.compile(r"^(?:那|就|也|都|可|你|你们|我)*(?:别|不要|不用|不需要|甭|莫)|\b(?:don'?t|do not|no need)\b")
_END = re.compile(r"[。\n]|\.(?=\s|$)|(?<=[？?])")
# the last numbered item also ends where another matter is added without a number (…开了吧 另外别给我推…)
_ITEM_END = re.compile(rf"{_END.pattern}|[，,\s]+(?:另外|还有|再就是)")
_HEAD = re.compile(r"^(?:(?:and|also|then)\b|另外|还有|仲有|再就是|然后|也|并且?|而且|同时)\s*[，,]?\s*", re.I)
_CONDITION = re.compile(r"[，,]\s*(?:如果|要是|否则|不然)[^，,]*$")  # a dangling "，如果不能" ends no request
_TRIM = " \t\r\n；;，,。.、：:"
_TAIL = re.compile(r"(?:\s*(?:并且|并|以及|及|和|and|also))+$", re.I)
MAX_ITEMS = 6
MAX_QUOTED = {"zh": 36, "en": 110}


@dataclass(frozen=True)
class Listed:
    nth: int  # 1, 2, 3 … as the customer numbered it
    text: str  # their words, as written (script and voice unchanged)
    kind: str  # the answer it needs: a key of wording.yaml listed.kinds, or "other"
    by_date: bool  # it sets a date or a time limit (周五前, 十五日内, by 17 January)


def listed_requests(words: str) -> tuple[Listed, ...]:
    """The customer's numbered requests, in their order; () when they number fewer than two."""
    runs = [run for style, pattern in _MARKERS for run in _runs(words, pattern, style)]
    table = wording().listed
    # a numbered account of what happened is no list of requests: only a run right after a request word is
    asked = [run for run in runs
             if table.asks(_read(words[max(0, run[0].start() - 40):run[0].start()]))]
    if not asked:
        return _counted(words) or _joined(words)
    chosen = min(asked, key=lambda run: run[0].start())
    items: list[Listed] = []
    for i, marker in enumerate(chosen):
        stop = chosen[i + 1].start() if i + 1 < len(chosen) else _item_end(words, marker.end())
        text = _TAIL.sub("", words[marker.end():stop].strip(_TRIM)).strip(_TRIM)
        if text:
            items.append(_listed(i + 1, text))
    return tuple(items) if len(items) >= 2 else ()


def _counted(words: str) -> tuple[Listed, ...]:
    """Requests announced by their number and separated without markers (我今天就两个事：钱今天必须让我取到；
    还有…道个歉): read only when exactly that many pieces follow."""
    for match in _ANNOUNCED.finditer(words):
        wanted = _COUNT[(match.group(1) or match.group(2)).lower()]
        rest = words[match.end():]
        # the list may run over a sentence end: it ends at the first end after which that many pieces are found
        stop = next((e.start() for e in _END.finditer(rest) if len(_SEPARATOR.split(rest[:e.start()])) >= wanted),
                    len(rest))
        pieces = [p.strip(_TRIM) for p in _SEPARATOR.split(rest[:stop]) if p.strip(_TRIM)]
        if len(pieces) == wanted:
            return tuple(_listed(i + 1, p) for i, p in enumerate(pieces))
    return ()


def _joined(words: str) -> tuple[Listed, ...]:
    """Requests made one after another without numbers (你给我把这些都关了，把前三个月的账单给我打出来……多扣的钱能
    不能退给我？): each clause that asks for something (wording.yaml ``listed.request``) starts a request, and the
    clauses after it in the same sentence belong to it (今天一定要把卡补好，我明天早上的飞机) but do not change what it
    asks for. Read only when two or more requests of a known kind are made; a refusal (别给我推…, 我不要券) is a request
    only when it asks for a stop."""
    table = wording().listed
    spans: list[list[int]] = []  # [start, end of the asking clause, end with the clauses that belong to it]
    for sentence in _SENTENCE.finditer(words):
        current: list[int] | None = None
        for clause in _CLAUSE.finditer(sentence.group()):
            read = _read(clause.group().strip(_TRIM))
            if not read:
                continue
            start, end = sentence.start() + clause.start(), sentence.start() + clause.end()
            if (table.requests(read) and not _TOLD.search(read)
                    and (not _REFUSAL.search(read) or table.kind(read) == "stop")):
                current = [start, end, end]
                spans.append(current)
            elif current is not None:
                current[2] = end
    merged: list[Listed] = []
    for start, asking, end in spans:
        text, kind = _bare(words[start:end]), table.kind(_read(_bare(words[start:asking])))
        # a request of no known kind (把我打发走了, 请你们帮我查查) is not counted off: it would be answered "记下了";
        # one of the kind just before is that request said twice (退钱，把钱退给我)
        if kind != "other" and not (merged and merged[-1].kind == kind):
            merged.append(Listed(nth=0, text=text, kind=kind, by_date=table.sets_date(_read(text))))
    if not 2 <= len(merged) <= MAX_ITEMS:
        return ()
    return tuple(replace(item, nth=i + 1) for i, item in enumerate(merged))


def _read(text: str) -> str:
    """Their words as the patterns read them: simplified, lower case, Cantonese read as Mandarin (俾我 -> 给我)."""
    return as_mandarin(to_simplified(text).lower())


def _bare(text: str) -> str:
    return _HEAD.sub("", _CONDITION.sub("", _TAIL.sub("", text.strip(_TRIM)).strip(_TRIM)))


def _listed(nth: int, text: str) -> Listed:
    """One request, read for its kind and its date in simplified lower case."""
    table, read = wording().listed, _read(text)
    return Listed(nth=nth, text=text, kind=table.kind(read), by_date=table.sets_date(read))


# what a request is for, said back in a spoken answer (第一，多扣的30块钱，…): the object of 把 before its verb, or the
# money named before 退/赔 (这个月的座机费不能收, 定金先给我退了)
_OBJECT = (
    re.compile(r"把([^，,。；;！？!?把]{2,14}?)(?:都|全|全部|先|也|重新|重|再|马上|赶紧|尽快|立刻|今天)?(?=给|退|打|发|换|修|关|改|补|复印|调|拿|开|寄|送|弄|处理|"
               r"取消|删|停|叫|盖|出|还)"),
    re.compile(r"([^，,。；;！？!?\s]{0,10}?(?:钱|费|款|定金|押金))(?:先|都|全|也)?(?:给我|要|得|必须|能不能|可不可以)?"
               r"(?:退|赔|免|不能收|别收)"),
)
_VOICE = str.maketrans({"我": "您", "你": "我"})


def object_of(item: Listed) -> str:
    """What they asked for, in staff's voice (我那张收据 -> 您那张收据, 你们的账单 -> 我们的账单), or "" if it cannot
    be named in a few words. Chinese only."""
    for pattern in _OBJECT:
        found = pattern.search(item.text)
        if not found:
            continue
        thing = found.group(1).strip(_TRIM)
        simple = to_simplified(thing)
        if len(simple) >= 2 and not re.search(r"[a-zA-Z]{3}|他们|她们|我们|^[这那](?:些|个|样|种)?$|^[这那]\d", simple):
            return thing.translate(_VOICE).replace("您们", "我们")
    return ""


def quotable(item: Listed, english: bool) -> str:
    """Their words as quoted back: whole when short, else up to a clause boundary with an ellipsis; "" if neither."""
    limit = MAX_QUOTED["en" if english else "zh"]
    if len(item.text) <= limit:
        return item.text
    # never inside a number (共计86,400元 quoted as "共计86……" looked broken to a business client, panel -p)
    cut = max((m.start() for m in re.finditer(r"[，；;]|,(?!\d)", item.text[:limit])), default=0)
    if cut < limit // 3:
        return ""
    return item.text[:cut] + ("…" if english else "……")


def _runs(words: str, pattern: re.Pattern[str], style: str) -> list[list[re.Match[str]]]:
    """Runs of markers counting up from one (1, 2, 3 …), each at least two long."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for match in pattern.finditer(words):
        value = _value(match.group(1), style) or len(current) + 1  # 0: the next one (另一个是…)
        if value == len(current) + 1 and len(current) < MAX_ITEMS:
            current.append(match)
        elif value == 1:
            if len(current) >= 2:
                runs.append(current)
            current = [match]
    if len(current) >= 2:
        runs.append(current)
    return runs


def _value(ordinal: str, style: str) -> int:
    """The marker's number; 0 for a marker that only says "the next one" (一个是…，另一个是…)."""
    if style == "yige":
        return 0
    if ordinal in "123456789":
        return int(ordinal)
    if style == "english":
        return _ENGLISH.index(ordinal.lower()) + 1
    if style == "circled":
        return _CIRCLED.index(ordinal) + 1
    return _ORDINALS.index(ordinal) + 1


def _item_end(words: str, start: int) -> int:
    end = _ITEM_END.search(words, start)
    return end.start() if end else len(words)
