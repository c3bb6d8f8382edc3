"""Clean raw web/slide extractions into reviewable text: one statement per line, each said once.

Cleaning keeps the document's own script for display (chunk.py adds the simplified form). Every rule here
exists because one of the seed documents needed it; tests/test_corpus.py shows each on a real excerpt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import islice

from coach.corpus.manifest import Layout

_BREADCRUMB = r"^(?:当前位置[:：]|主頁\s*>|主页\s*>)"
_BREADCRUMB_LINE = re.compile(_BREADCRUMB)
# How far down a page's breadcrumb may sit and still mark what is above it as the site's header.
_HEADER_LINES = 5
_BOILERPLATE = re.compile(
    "|".join(
        [
            r"^上传人[:：]",
            r"文档编号[:：]",
            r"^下载\s*相关\s*举报$",
            r"_第\d+页$",
            r"^第\s*\d+\s*页\s*/\s*共\s*\d+\s*页$",
            r"^点击查看更多",
            r"^(下载资源|资源描述|展开阅读全文|相关资源|猜你喜欢|相关搜索)$",
            r"由会员分享.*可在线阅读",
            _BREADCRUMB,
            r"copyright@|版權所有|版权所有|經營許可證|经营许可证|ICP备",
            r"^(熱門標簽|热门标签|標簽|标签)[:：]",
            r"本文標題《|本文标题《|本文關鍵詞",
            r"^•",
            r"相關文章|相关文章|推薦文章|推荐文章|下面列出與本文章|本頁收集關於",
            r"\.(ppt|pptx|doc|docx|pdf)$",
        ]
    )
)
# Site footers list dozens of place names separated by "|"; real text never does.
_PLACE_LIST = re.compile(r"^(?:[^|\s]{1,8}\s*\|\s*){5,}")
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*\)"
)
# A lost multi-byte character shows as `??`, or as `?` plus the tail of a pinyin annotation (`?shù)`).
_MOJIBAKE_RUN = re.compile(
    r"(\?\?|\?[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\))([^\s?，。、；：,.;:]{1,60})"
)
_SENTENCE_END = "。！？；!?;"


def strip_boilerplate(lines: Iterable[str]) -> list[str]:
    """Drop web-page chrome: known boilerplate lines, place-name footers, and a page's header (the site
    or uploader name above its breadcrumb, as in seed 002's first line)."""
    lines = list(lines)
    heads = islice((i for i, ln in enumerate(lines) if ln.strip()), _HEADER_LINES)
    crumb = next((i for i in heads if _BREADCRUMB_LINE.match(lines[i].strip())), 0)
    return [ln for ln in lines[crumb:] if not (_BOILERPLATE.search(ln.strip()) or _PLACE_LIST.match(ln.strip()))]


def remove_pinyin(text: str) -> str:
    """`網(wǎng)` → `網`: the extraction annotated some characters with their reading."""
    return _PINYIN.sub("", text)


def repair_mojibake(text: str) -> str:
    """Repair GBK text that lost a byte (`??蛻舴Q` → `。客戶稱`); drop what cannot be repaired.

    The lost lead byte shifts every following byte pair by one until an ASCII byte re-syncs them.
    Re-adding each possible lead byte and keeping the decoding whose character pairs occur elsewhere
    in the document recovers the text. ``??`` stood for the lost bytes of a sentence end.
    """
    known_pairs = {text[i : i + 2] for i in range(len(text) - 1)}
    char_counts = Counter(text)

    def fix(match: re.Match[str]) -> str:
        marks, run = match.group(1), match.group(2)
        prefix = "。" if marks == "??" else ""
        end = next((i + 1 for i, ch in enumerate(run) if ch.isascii()), None)
        if end is None:
            return prefix
        before = match.string[max(match.start() - 1, 0) : match.start()]
        decoded = _best_realignment(run[:end], before, run[end : end + 1], known_pairs, char_counts)
        return prefix + decoded + run[end:]

    text = _MOJIBAKE_RUN.sub(fix, text)
    return text.replace("??", "").replace("\ufffd", "")


def _best_realignment(
    run: str, before: str, following: str, known_pairs: set[str], char_counts: Counter[str]
) -> str:
    """The decoding of ``lead byte + run`` that best fits the document; the undecodable tail is dropped."""
    shifted = b"".join(_gbk_bytes(ch) for ch in run)
    best, best_score = "", 0
    for lead in range(0x81, 0xFF):
        candidate = (bytes([lead]) + shifted).decode("gbk", errors="replace")
        candidate = re.split(r"[\ufffd?？]", candidate)[0]
        probe = before + candidate + following
        pairs = sum(probe[i : i + 2] in known_pairs for i in range(len(probe) - 1))
        score = 1000 * pairs + sum(min(char_counts[ch], 50) for ch in candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _gbk_bytes(ch: str) -> bytes:
    """GBK bytes of a character, including the user-defined area decoders map to U+E000–U+E765."""
    offset = ord(ch) - 0xE000
    if 0 <= offset < 0x234:
        return bytes([0xAA + offset // 94, 0xA1 + offset % 94])
    if 0x234 <= offset < 0x4C6:
        return bytes([0xF8 + (offset - 0x234) // 94, 0xA1 + (offset - 0x234) % 94])
    if 0x4C6 <= offset < 0x766:
        row, col = divmod(offset - 0x4C6, 96)
        return bytes([0xA1 + row, 0x40 + col + (col >= 0x3F)])
    return ch.encode("gbk", errors="replace")


def collapse_tandem_repeats(text: str) -> str:
    """`ABAB` → `AB`: slide extractions print each text box twice, often spliced mid-sentence."""
    text = re.sub(r"(\d+)\1(?=\D)", r"\1", text)  # doubled numbering: 22、 → 2、, 1010余人 → 10余人
    pattern = re.compile(r"(.{3,300}?)\1|(.{1,2}[" + _SENTENCE_END + r"：:])\2")
    previous = None
    while previous != text:
        previous = text
        text = pattern.sub(lambda m: m.group(1) or m.group(2), text)
    return text


def drop_repeated_sentences(sentences: Iterable[str]) -> list[str]:
    """Keep each statement once: a sentence already said (or contained in what was said) is dropped."""
    kept: list[str] = []
    seen = ""
    for sentence in sentences:
        sentence = sentence.strip().lstrip("、,，")
        key = re.sub(r"\s+", "", sentence)
        if not key or (len(key) >= 2 and key in seen):
            continue
        kept.append(sentence)
        seen += key + "\n"
    return kept


def split_slide_numbers(text: str) -> str:
    """Break a one-line slide dump at its running page numbers (…展现出来。5客户服务的理念…).

    Page numbers are found as an increasing sequence (each 1–3 above the last), which tells them
    apart from numbers in the text such as 3人以上 or 10余人.
    """
    out: list[str] = []
    last, cursor = 1, 0
    for match in re.finditer(r"(?<=\D)\d{1,3}(?=\D)", text):
        number = int(match.group())
        if last < number <= last + 3:
            out.append(text[cursor : match.start()])
            out.append("\n")
            cursor, last = match.end(), number
    out.append(text[cursor:])
    return "".join(out)


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[" + _SENTENCE_END + r"])", text)
    return [p for p in (part.strip() for part in parts) if p]


def clean_text(raw: str, layout: Layout = "plain") -> str:
    """The cleaned document: one statement per line, each said once, in the original script."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", " ")
    text = remove_pinyin(repair_mojibake(remove_pinyin(text)))
    lines = strip_boilerplate(text.split("\n"))
    if layout == "doubled":
        body = collapse_tandem_repeats("".join(ln.strip() for ln in lines))
        lines = split_sentences(body)
    elif layout == "slides":
        lines = [part for ln in lines for part in split_slide_numbers(ln).split("\n")]
    # Outline bullets (·, o, §) mark list levels; one item per line keeps headings findable.
    lines = [item for ln in lines for item in re.split(r"\s+[·o§]\s+|^\s*[·o§]\s+", ln)]
    lines = [s for ln in lines for s in _split_long_line(ln)]
    return "\n".join(drop_repeated_sentences(lines)) + "\n"


def _split_long_line(line: str) -> list[str]:
    return split_sentences(line) if len(line) > 200 else [line]
