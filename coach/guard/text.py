"""Text handling for the guard: a normalised copy with the same length, sentences, clauses, scope.

Matching runs on a copy that is simplified (OpenCC t2s), half-width and lower-case, built so that it
has exactly as many code points as the input: every offset found in the copy is an offset in the text
as received.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from coach.script import to_simplified_aligned

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


# Emoji, pictographs, variation selectors and joiners carry no commitment; as spaces (one code point
# for one) they stop splitting an assent such as 好的🙂，没问题 while offsets stay those of the input.
_PICTOGRAPHS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0E\uFE0F\u200D]")


# Punctuation variants chat and traditional text use, one code point for one: small-form and vertical
# commas, the midline ellipsis "⋯", the interpunct.
_FOLD = _FULL_WIDTH | str.maketrans({"﹐": ",", "﹑": "、", "﹒": ".", "﹔": ";", "﹕": ":", "﹖": "?", "﹗": "!",
                                    "︰": ":", "⋯": "…", "․": ".", "｡": "。", "､": "、"})

# Homophone typos of pinyin input, fixed one code point for one where the context leaves no doubt:
# 帐→账 (不是帐篷), "明天在来/下次在说/在也不/不在投诉" → 再, "来的及/办的到/拿的回来" → 得.
_TYPOS: tuple[tuple[re.Pattern[str], str], ...] = (  # group 1 is kept, the char after it is replaced
    (re.compile(r"()帐(?!篷|子|幕)"), "账"),
    (re.compile(r"(明天|改天|下次|回头|以后|后面|到时|两天|等会|待会|晚点|下午|明儿|后天)在(?=来|办|说|补|弄|给|帮|打"
                     r"|联系|处理|找)|(不)在(?=投诉|举报|追究|曝光|告|犯|出现|发生|麻烦|来找)"
                     r"|()在(?=也不|也没|次(?!确认))"), "再"),
    (re.compile(r"([来办做拿要赔退修弄搞])的(?=及|到(?=[,，。!?\s了的]|$)|回来|下来(?=[,，。!?\s了]|$))"), "得"),
)


_TYPO_HINT = re.compile(r"帐|在(?=[来办说补弄给帮打联处找投举追曝告犯出发麻也次])|的(?=[及到回下])")


def _rejoined(replacement: str, match: re.Match[str]) -> str:
    """A typo's match with its kept groups, then the correction."""
    return "".join(g for g in match.groups() if g) + replacement


def _fix_typos(text: str) -> str:
    if text.isascii() or not _TYPO_HINT.search(text):
        return text
    for pattern, replacement in _TYPOS:
        text = pattern.sub(functools.partial(_rejoined, replacement), text)
    return text


# Anonymised corpora hide numbers, amounts, dates and times as tokens ("[数字x]号", "补您[金额x]"; numbered in
# some exports: "[日期3]之前", "[金額5]元"); staff typed real values there, so each token reads as a value of its
# kind, as many code points as the token.
_ANONYMISED_TOKEN = re.compile(r"\[(数字|金额|金額|日期|时间|時間)(?:x|\d{1,3})\]")
_VALUE_TAIL = {"数字": "", "金额": "元", "金額": "元", "日期": "月18日", "时间": "点00", "時間": "点00"}


def _as_value(match: re.Match[str]) -> str:
    tail = _VALUE_TAIL[match.group(1)]
    value = "8" * (len(match.group()) - len(tail))
    return ("1" + value[1:] if tail == "点00" else value) + tail  # an hour of the day: 18点00


def normalise(text: str) -> str:
    """Simplified, half-width, lower-case, pictographs as spaces, typos fixed, anonymisation tokens read as
    values; same length as ``text``."""
    if "]" in text:
        text = _ANONYMISED_TOKEN.sub(_as_value, text)
    folded = _PICTOGRAPHS.sub(" ", to_simplified_aligned(text)).translate(_FOLD)
    lowered = folded.lower()
    if len(lowered) != len(folded):  # e.g. 'İ' lower-cases to two code points
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    return _fix_typos(lowered)


# Chat and phone noise between the parts of a phrase: hesitations (嗯, 呃), discourse fillers (那个,
# 就是说, 怎么说呢) and stuttered repeats ("保证保证", "这个这个"). Inside a sentence the rules read a copy
# without them ("我们那个嗯肯定给您退" reads as "我们肯定给您退"); each kept character remembers its offset,
# so spans still index the text as received. Sentence-final particles (啊, 吧, 哈…) stay: they mark the end
# of a phrase for several rules.
def literal(entry: str) -> str:
    """A vocabulary entry as a regex: escaped, and starting a word when it starts with a Latin letter ("once" is not
    in "concerned", "if" not in "notify"); its end stays open, so "refund" still reads "refunded".

    The check follows the first letter ("o(?<![a-z]o)nce", not "(?<![a-z])once"): an alternative that opens with a
    literal keeps the regex engine's fast scan for the alternation's first characters, which a leading lookbehind
    turns off for the whole pattern (the guard ran a third slower)."""
    first = entry[:1]
    if not (first.isascii() and first.isalpha()):
        return re.escape(entry)
    return f"{first}(?<![a-z]{first}){re.escape(entry[1:])}"


_NOISE = re.compile(  # every branch opens with a literal, so the scan skips ahead fast
    r"[嗯呃唔]+|额(?<![金限份定超余差总面数全]额)(?=[,，。!?\s嗯呃]|那个|就是|这个)"
    r"|就是说|怎么说呢|怎么讲呢|那个(?![月人时台家店部门单笔])|(?:这个)+(?=这个)"
    # a stuttered word ("保证保证", "一定一定") reads once; only these words: "爱找谁找谁" is an idiom
    r"|(?P<word>一定|肯定|保证|绝对|放心|没事|可以|就是|然后|我们|这边|马上|立刻|现在|今天|明天)(?P=word)+"
)


def denoise(piece: str) -> tuple[str, tuple[int, ...] | None]:
    """``piece`` without chat noise, and for each kept char its index in ``piece`` (None: nothing removed)."""
    if piece.isascii():
        return piece, None
    spans = [(m.end("word"), m.end()) if m.group("word") else m.span() for m in _NOISE.finditer(piece)]
    if not spans:
        return piece, None
    drop = [False] * len(piece)
    for start, end in spans:
        drop[start:end] = [True] * (end - start)
    kept = [i for i, d in enumerate(drop) if not d]
    return "".join(piece[i] for i in kept), tuple(kept)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offset of the sentence in the text
    end: int
    norm: str  # the normalised sentence, chat noise removed (see ``denoise``)
    squeezed: str = ""  # norm without punctuation and spaces (literal phrases, approved scripts)
    index: tuple[int, ...] = ()  # for each char of ``squeezed``, its offset in ``norm``
    offsets: tuple[int, ...] | None = None  # for each char of ``norm``, its offset from ``start`` (None: same)
    latin: bool = True  # holds a Latin letter (else the rules skip their English wording)

    def at(self, position: int) -> int:
        """The offset in the text of ``norm[position]``."""
        if self.offsets is None:
            return self.start + position
        return self.start + self.offsets[position] if position < len(self.offsets) else self.end

    def after(self, position: int) -> int:
        """The offset in the text just after ``norm[position - 1]`` (an exclusive end)."""
        if self.offsets is None or position <= 0:
            return self.start + position
        return self.start + self.offsets[position - 1] + 1


# A sentence ends at 。!?;… or a newline (closing quotes stay with it); an English full stop ends one
# only before a space or the end, so "1.5" and "e.g" stay whole.
_SENTENCE_END = re.compile(r"(?:[。!?;\n]+|…+|\.{3,}|\.(?=\s|$))[\"'”’」』)]*")
# Chat text often separates phrases with a space between Chinese characters: that is a clause break too.
CLAUSE_BREAK = re.compile(r"[,，、:：~～]+|\s{2,}|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff\[])")
_TRIM = " \t\r\n\u3000\"'“”‘’「」『』()（）[]【】,.，。!?！？;；:：、…~～-—*"


_LATIN = re.compile("[a-z]")


def sentences(norm: str) -> list[Sentence]:
    found: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(norm):
        _append(found, norm, start, match.end())
        start = match.end()
    _append(found, norm, start, len(norm))
    return found


def _append(found: list[Sentence], norm: str, start: int, end: int) -> None:
    piece = norm[start:end]
    if piece.strip(_TRIM):
        clean, offsets = denoise(piece)
        found.append(Sentence(start, end, clean, *compact(clean), offsets, bool(_LATIN.search(clean))))


def trimmed(text: str, left: int, right: int) -> tuple[int, int]:
    """[left, right) of ``text`` without the punctuation and spaces at either end (empty: left == right)."""
    while left < right and text[left] in _TRIM:
        left += 1
    while right > left and text[right - 1] in _TRIM:
        right -= 1
    return left, right


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) of ``text`` to whole clauses, trimmed of punctuation and spaces."""
    left = 0
    for match in CLAUSE_BREAK.finditer(text, 0, start):
        left = match.end()
    right_match = CLAUSE_BREAK.search(text, end)
    left, right = trimmed(text, left, right_match.start() if right_match else len(text))
    if left >= right:  # nothing but punctuation around: keep the match itself
        return start, end
    return min(left, start), max(right, end)


def clause_start(text: str, position: int) -> int:
    left = 0
    for match in CLAUSE_BREAK.finditer(text, 0, position):
        left = match.end()
    return left


def compact(text: str) -> tuple[str, tuple[int, ...]]:
    """``text`` without punctuation and spaces, and for each kept char its index in ``text``."""
    kept = [(i, c) for i, c in enumerate(text) if c.isalnum()]
    return "".join(c for _, c in kept), tuple(i for i, _ in kept)


def compact_text(text: str) -> str:
    return "".join(c for c in normalise(text) if c.isalnum())


# ------------------------------------------------------------------------------------------------- scope

_NEGATOR = re.compile(
    r"(?:不能|不可能|不会|不敢|不一定|不确定|不好说|不保证|不承诺|不可以|不得|无法|无权|没办法|没有办法|没法|"
    r"没有权限|没有|没(?=给|帮|为|赠|送|退|赔|补)|没权|难以|未必|不见得|暂时不|还不能|做不了主|不方便|不允许|不应该"
    r"|会不会|能不能|可不可以|是不是|有没有|是否|"
    r"\bnot\b|cannot|can't|can not|unable|won't|no guarantee|don't|isn't|never)"
)
_INSIDE = re.compile(r"不到|不了|不能|无法|没法|[收送到办修]不")
# "保证不了" negates; "跑不了/少不了/错不了" are idioms of certainty and do not.
_NEGATED_AFTER = re.compile(r"^(?![\s,，]*(?:跑|少|错)不了)[^,，。\s]{0,2}(?:不了|不到|不起|不来|不准)")
_ATTRIBUTION = re.compile(
    r"(?<![跟和对向给])(?:您|你|客户|顾客|业务员|商家|卖家|厂家|他|她)(?:是|刚才|的意思|之前|当初|一直|在来信中|在信中|信中|来信中)?(?:要求|希望|想要|想|是说|意思是|"
    r"的诉求|诉求|提出|说(?![得的](?:对|没错|是|有道理|在理))|提到|认为|觉得|担心|问|反映|期望|坚持|主张)|业务员.{0,8}(?:承诺|答应|说)|"
    r"当初.{0,8}(?:承诺|答应)|(?:您|你)的意思是|(?:您|你)的(?:要求|请求|诉求)是|(?:您|你)(?:要|想要)的是"
    r"|(?:您|你)是(?:要|想)|you mean|"
    r"you(?:'re| are)? (?:asking|want|said|asked|mentioned|would like|expect|request)|"
    r"your (?:request|demand)|you'd like"
)
_CONDITION = re.compile(
    r"(?:如果|若|假如|如经|倘若|一旦|(?<![比例])如|待|等|(?<!已)经|if|once|after|when|should)[^,，。]{0,14}"
    r"(?:核实|查实|核查|调查|审核|审查|鉴定|检测|确认|属实|确属|认定|批准|通过|verif|confirm|investigat|review"
    r"|approv)"
    r"|(?<!已)(?<!已经)(?:核实|调查|审核|鉴定|检测|查实)(?:后|之后|以后|通过|完毕|清楚|结果(?!(?:肯定|一定|绝对|保准"
    r"|百分之?百|铁定)))"
    r"|符合(?:条件|要求|规定)|满足条件"
)
_HEDGE = re.compile(
    r"预计|一般|大概|大约|估计|可能|应该|正常(?:情况下)?|通常|预估|尽量|争取|以.{1,12}为准|要看|得看|看情况|取决于|"
    r"estimated|usually|normally|probably|likely|expected to|should be"
    r"|\btry(?:ing)? (?:to|our|my)\b|do (?:my|our) best|aim(?:ing)? to\b"  # effort, as 尽量/争取
)
_POLICY_BASIS = re.compile(
    r"(?:按照|根据|依照|依据|按|符合)(?:公司|我们的?|国家|合同|相关|贵司)?.{0,6}(?:规定|政策|合同|合约|协议|约定|条款|流程|标准"
    r"|规则|制度|条例|章程|办法)"
    r"|三包|七天无理由|7天无理由|犹豫期(?:内|之内|以内)|价保|保价"
    r"|according to (?:the |our )?(?:policy|terms|contract|rules)"
    r"|(?:手册|合同|条款|说明书|协议|官网|保单)上?(?:有写|写着|写了|写的|注明|规定)|保修范围"
)


# "退不退款，我现在没法替公司表态": the sentence declines to commit, whatever it names.
# "我不会跟您打包票说…", "现在就说是我们的错还为时过早", "I can't promise …" decline as well.
_DECLINES = re.compile(
    r"(?:没法|没办法|不能|无法|不敢|不好|不方便|不会|不想)[^,，。]{0,6}(?:答应|承诺|保证|表态|确定"
    r"|答复|打包票|下结论|对外(?:说|讲|回应)|透露)|为时(?:过|尚)早|言之过早"
    r"|(?:can't|cannot|can not|won't|couldn't|unable to|not able to|not in a position to) "
    r"(?:\w+ )?(?:promise|guarantee|commit to|say for (?:sure|certain))|no guarantee")


# "不能退", "不会退的", "没给您退": a match that starts with its modal has the negator right before it.
_NEGATED_TAIL = re.compile(r"(?:不|没|别|未|甭)$")


def negated(norm: str, start: int, end: int) -> bool:
    """A negator earlier in the same clause, 不了/不到 right after the trigger, or a declining sentence."""
    window = 24 if start and norm[start - 1].isascii() else 10  # English negation sits further back
    before = norm[max(clause_start(norm, start), start - window):start]
    return bool(_NEGATOR.search(before) or _NEGATED_TAIL.search(before) or _NEGATED_AFTER.match(norm[end:])
                or _INSIDE.search(norm[start:end])
                or _DECLINES.search(norm))


_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_QUOTE_CLOSERS = {close: open_ for open_, close in _QUOTE_PAIRS.items()}


def quote_spans(norm: str) -> list[tuple[int, int]]:
    """The balanced quotes of ``norm``, outermost, as [open, close] offsets of their marks. An opening mark
    that never closes (or a closing mark never opened, or an odd straight quote) is no quote at all: it
    used to hide everything after it."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for i, char in enumerate(norm):
        if char in _QUOTE_PAIRS:
            stack.append((char, i))
        elif char in _QUOTE_CLOSERS:
            opened = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == _QUOTE_CLOSERS[char]), None)
            if opened is not None:
                if opened == 0:
                    spans.append((stack[0][1], i))
                del stack[opened:]
        elif char == '"':
            if straight is None:
                straight = i
            else:
                spans.append((straight, i))
                straight = None
    return sorted(spans)


# Whose words a quote holds: attributed to the customer or someone else just before it ("您说“…”",
# "业务员当时讲“…”", "页面上写着“…”"), or named as words after it ("“…”这种话", "“…”的说法").
_QUOTE_ATTRIBUTION = re.compile(
    r"(?:您|你|客户|顾客|他|她|对方|业务员|销售|理财经理|客户经理|师傅|快递员|页面|网上|广告|宣传|短信|合同|条款|通知)"
    r"[^,，。“”「」]{0,8}(?:说|讲|问|提到|提的|要求|认为|觉得|答应|承诺|写|标|注明|反映|的意思|的原话)"
    r"|you(?:'ve| have)? (?:said|asked|mentioned|wrote|told me)|(?:he|she|they) (?:said|told you|promised)")
# "…“全额退款”、“赔偿五千”和“爱找谁找谁”": a quote listed right after an exempt one is the same speaker's.
_LISTED = re.compile(r"[\s,，、;；]*(?:和|与|及|以及|还有|and|or)?[\s,，、]*$")
_QUOTE_AS_WORDS = re.compile(r"(?:这种|这样的?|这类|这句|那种|那句|之类的?|的)(?:话|说法|承诺|表述|字眼|用语|措辞)")


def exempt_quotes(norm: str, customer_words: str = "") -> list[tuple[int, int]]:
    """The balanced quotes of someone else's words (see above, or words the customer wrote in the
    conversation, ``customer_words`` squeezed): only inside these is a trigger not the speaker's own."""
    exempt: list[tuple[int, int]] = []
    previous_end = -1
    for start, end in quote_spans(norm):
        inner = "".join(c for c in norm[start + 1:end] if c.isalnum())
        window = norm[max(previous_end + 1, start - 40):start]  # back to the last quote, not into it
        previous_end = end
        listed = bool(exempt) and bool(_LISTED.match(norm[exempt[-1][1] + 1:start]))
        attributed = [m.end() for m in _QUOTE_ATTRIBUTION.finditer(window)]
        attributed_here = bool(attributed) and not _OWN_VOICE.search(window, attributed[-1])
        if (listed or attributed_here or _QUOTE_AS_WORDS.match(norm, end + 1)
                or (len(inner) >= 2 and inner in customer_words)):
            exempt.append((start, end))
    return exempt


def quoted(norm: str, start: int) -> bool:
    """``start`` lies inside a balanced quote."""
    return any(left < start < right for left, right in quote_spans(norm))


# After the customer's words are attributed, staff may turn to their own voice: "您说的那位理专，我跟您保证他
# …", "您说的乱扣费的事我还没看完，但基本可以确定就是我们…". What follows such a turn is not a restatement.
# A closing quote mark ends the attributed words too: "您说的“太慢了”我理解，“三天内一定…”".
_OWN_VOICE = re.compile(r"(?:但|不过|可是|然而|\bbut\b|\bhowever\b)|[”」』]"
                             r"|我(?:可以|能|敢)?(?:跟|向|给)?(?:您|你)?(?:保证|担保|打包票|承诺)|(?:可以|能|敢)(?:确定|肯定|断定)|(?:跟|和)(?:您|你)说(?:句)?实话|说实话|老实说"
                             r"|i (?:promise|guarantee)")


def restated(norm: str, start: int) -> bool:
    """The sentence attributes the words to the customer (or the salesperson) before the trigger, and
    staff have not turned to their own voice in between."""
    ends = [match.end() for match in _ATTRIBUTION.finditer(norm, 0, start)]
    return bool(ends) and not _OWN_VOICE.search(norm, ends[-1], start)


# The condition after the commitment: "We'll refund the fee if the investigation confirms the error",
# "会给您补偿，前提是核实确属我方责任".
_CONDITION_AFTER = re.compile(
    r"(?:\b(?:if|once|after|when|provided|as soon as|subject to)\b|前提是|条件是|只要"
    r"|(?<!不用)(?<!不必)(?<!无需)(?<!不需要)(?:等到?|待))[^.。;]{0,30}"
    r"(?:verif|confirm|investigat|review|approv|核实|查实|核查|调查|审核|鉴定|检测|确认|属实|批准)"
)


def conditional(norm: str, start: int, end: int | None = None) -> bool:
    return bool(_CONDITION.search(norm[:start]) or (end is not None and _CONDITION_AFTER.search(norm, end)))


# "应该会按天给您补上的，这个您放心": an assurance after the commitment takes the hedge back.
_ASSURANCE = re.compile(r"(?:这个|这点|这事)?(?:您|你)(?:就)?(?:放心|安心)(?!.{0,3}(?:我们会|会尽|等))"
                             r"|放心(?:吧|好了|好啦)|包(?:您|你)满意|rest assured|don't worry")


# "正常来说，吞卡第二个工作日就能取出来": a hedge that opens the sentence scopes all of it.
# A turn after the opening hedge, or staff stepping in ("正常要7天，您这单我亲自盯着"), ends its scope.
_TURN = re.compile(r"但|不过|可是|然而|只是|我(?:亲自|这边|给您|帮您|保证)|您这(?:个|单|次|笔)")
_OPENING_HEDGE = re.compile(r"[^,，]{0,4}(?:正常来说|一般来说|通常来说|正常情况下|一般情况下|通常情况下|一般而言"
                            r"|按以往经验)")


def hedged(norm: str, start: int, end: int) -> bool:
    if _ASSURANCE.search(norm, end):
        return False
    opening = _OPENING_HEDGE.match(norm)
    turned = opening is not None and _TURN.search(norm, opening.end(), start)
    return bool(_HEDGE.search(norm[clause_start(norm, start):end]) or "为准" in norm or (opening and not turned))


def policy_based(norm: str) -> bool:
    return bool(_POLICY_BASIS.search(norm))


# "全额退款需要厂家审批": the outcome is named as pending on someone else, not promised.
_PENDING_AFTER = re.compile(
    r"[^,，。]{0,3}(?:需要|需|要经过|要等|要看|得等|得看|还要|须|必须经过|由[^,，。]{1,6}(?:审|决定|确认)"
    r"|是?不(?:允许|可以|行|能)的?)"
)


def pending(norm: str, end: int) -> bool:
    return bool(_PENDING_AFTER.match(norm, end))


# ----------------------------------------------------------------------------------------------- amounts

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_AMOUNT = re.compile(
    r"(?:[¥￥$]|rmb|cny)\s*(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:元|块|圆|rmb|yuan|dollars?)"
    r"|([零〇一二两三四五六七八九十百千万]+)\s*(?:元|块)"
    r"|价值\s*(?:(\d[\d,]*(?:\.\d+)?)|([零〇一二两三四五六七八九十百千万]+))"  # "价值八百的空气净化器"
)


def _chinese_number(text: str) -> float:
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total += (section + digit) * 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _UNITS[char]
            digit = 0
    return float(total + section + digit)


def amounts(norm: str) -> list[float]:
    """Money amounts stated in a sentence, in 元 (or the currency named)."""
    found: list[float] = []
    for match in _AMOUNT.finditer(norm):
        digits = match.group(1) or match.group(2) or match.group(4)
        chinese = match.group(3) or match.group(5)
        found.append(float(digits.replace(",", "")) if digits else _chinese_number(chinese))
    return found
