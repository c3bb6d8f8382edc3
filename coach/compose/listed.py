"""The requests a customer numbers (我的要求：一、…；二、…; 我就三个要求：第一…第二…), each read for what it asks.

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
from dataclasses import dataclass

from coach.compose.wording import wording
from coach.script import to_simplified

_ORDINALS = "一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
# (style, pattern whose group 1 is the ordinal); each style is one way of numbering
_MARKERS = (
    ("hanzi", re.compile(rf"(?<![\u4e00-\u9fff])([{_ORDINALS}])\s*[、．.]")),
    ("digit", re.compile(r"(?<![\d./\-(（])([1-9])\s*(?:[、．)）]|\.(?!\d))")),
    ("paren", re.compile(rf"[（(]([1-9{_ORDINALS}])[)）]")),
    ("circled", re.compile(rf"([{_CIRCLED}])")),
    ("di", re.compile(rf"第([{_ORDINALS}])(?:点|条|项|个要求|件事?|是)?(?![次天年个位名家期步眼印手时批轮回季届])")),
    ("shi", re.compile(rf"(?<![\u4e00-\u9fff])([{_ORDINALS}])是")),  # 两件事：一是…二是…
    ("english", re.compile(r"\b(first|second|third|fourth|fifth)(?:ly)?\s*[,:]", re.I)),
    # 两件事：一个是…，另一个是… / 再一个，… / 一个是…，一个是…: each after the first is the next
    ("yige", re.compile(r"(?<![\u4e00-\u9fff])(一个|再一个|另一个|另外一个|二个|第二个|还有一个)(?:是|[，,：:])")),
)
_ENGLISH = ("first", "second", "third", "fourth", "fifth")
_COUNT = {"两": 2, "二": 2, "三": 3}
_ANNOUNCED = re.compile(r"([两二三])\s*(?:个|件|样|点)(?:事情|事儿?|东西|要求|问题)?\s*[：:，,]")
_SEPARATOR = re.compile(r"\s*[；;]\s*(?:还有|另外|再就是|再一个|然后)?|[，,]\s*(?:还有|另外|再就是|再一个)[，,]?")
_END = re.compile(r"[。\n]|\.(?=\s|$)|(?<=[？?])")
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
             if table.asks(to_simplified(words[max(0, run[0].start() - 40):run[0].start()]).lower())]
    if not asked:
        return _counted(words)
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
        wanted = _COUNT[match.group(1)]
        rest = words[match.end():]
        # the list may run over a sentence end: it ends at the first end after which that many pieces are found
        stop = next((e.start() for e in _END.finditer(rest) if len(_SEPARATOR.split(rest[:e.start()])) >= wanted),
                    len(rest))
        pieces = [p.strip(_TRIM) for p in _SEPARATOR.split(rest[:stop]) if p.strip(_TRIM)]
        if len(pieces) == wanted:
            return tuple(_listed(i + 1, p) for i, p in enumerate(pieces))
    return ()


def _listed(nth: int, text: str) -> Listed:
    """One request, read for its kind and its date in simplified lower case."""
    table, read = wording().listed, to_simplified(text).lower()
    return Listed(nth=nth, text=text, kind=table.kind(read), by_date=table.sets_date(read))


def quotable(item: Listed, english: bool) -> str:
    """Their words as quoted back: whole when short, else up to a clause boundary with an ellipsis; "" if neither."""
    limit = MAX_QUOTED["en" if english else "zh"]
    if len(item.text) <= limit:
        return item.text
    cut = max((m.start() for m in re.finditer(r"[，,；;]", item.text[:limit])), default=0)
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
    end = _END.search(words, start)
    return end.start() if end else len(words)
