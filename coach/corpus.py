"""Clean raw web/slide extractions into reviewable text, and cut that text into chunks.

Cleaning keeps the document's own script for display; chunks also carry a simplified form (opencc
t2s) so that simplified queries find traditional documents. Every rule here exists because one of the
seed documents needed it; tests/test_corpus.py shows each on a real excerpt.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from coach.errors import ConfigError, InputError
from coach.script import to_simplified
from coach.types import ChunkKind, StaffDomain
from coach.yaml_input import load_yaml

Layout = Literal["plain", "doubled", "slides"]
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class DocumentMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")
    file: str
    title: str = Field(min_length=1)
    domain: str = "general"
    script: Literal["simplified", "traditional"] = "simplified"
    layout: Layout = "plain"
    serves: list[StaffDomain] = Field(default_factory=list, description="Staff domains it was written for.")
    description: str = ""
    questions: str | None = Field(
        default=None,
        description="YAML file, beside the manifest, of staff questions each passage answers (see corpus/README).",
    )


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentMeta]


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str
    """The chunk as written in the document (original script)."""
    index_text: str
    """Simplified form with the section path prepended (and the questions appended): what keywords see."""
    position: int
    kind: ChunkKind = "principle"
    questions: tuple[str, ...] = ()
    """Staff questions this passage answers (the document's questions file): dense search matches them
    like windows, and the keyword index holds their words with the passage's (``index_text``)."""

    @property
    def windows(self) -> list[str]:
        """The units dense retrieval matches against: three-sentence windows of the simplified text,
        starting every second sentence, then the chunk's questions.

        A staff question paraphrases one or two sentences of a passage; a whole chunk mixes topics
        and its single vector matches paraphrases poorly. Windows of three sentences every second one
        cover each pair of neighbours with half the vectors of a window per sentence, and retrieve as
        well (bench/retrieval.py; fewer vectors is what makes a 100k-chunk store start in time).
        """
        simplified = to_simplified(self.text)
        sentences = [s for line in simplified.split("\n") for s in split_sentences(line) if len(s) >= 4]
        starts = range(0, max(len(sentences) - 1, 1), 2)
        spans = ["".join(sentences[i : i + 3]) for i in starts] if sentences else [simplified]
        return spans + [to_simplified(q) for q in self.questions]


class AnchoredQuestions(BaseModel):
    """Questions attached to the one chunk whose text contains ``anchor`` (a verbatim phrase)."""

    model_config = ConfigDict(extra="forbid")

    anchor: str = Field(min_length=4, description="A phrase copied from the passage, found in one chunk only.")
    questions: list[str] = Field(min_length=1)


_QUESTION_LIST = TypeAdapter(list[AnchoredQuestions])


# ---------------------------------------------------------------- manifest and reading


def first_error(path: Path, exc: ValidationError, fix: str) -> ConfigError:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    return ConfigError(f"{path}: {loc}: {first['msg']}", fix)


def load_manifest(path: Path) -> Manifest:
    data = load_yaml(path, "manifest", "create corpus/manifest.yaml")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise first_error(
            path, exc, "each entry needs id, file and title; optional domain, script, layout, description, questions"
        ) from exc


def load_questions(path: Path) -> list[AnchoredQuestions]:
    data = load_yaml(
        path, "questions file", "fix the questions file named in the manifest, or remove the entry's `questions`"
    )
    try:
        return _QUESTION_LIST.validate_python(data)
    except ValidationError as exc:
        raise first_error(
            path, exc, "the file is a list of {anchor: phrase from the passage, questions: [...]}"
        ) from exc


def read_document(path: Path) -> str:
    """Read a text file as UTF-8, UTF-16 (with or without a byte-order mark, as Windows Notepad saves
    "Unicode"), or GB18030 (the usual legacy encoding of Chinese files)."""
    if not path.is_file():
        raise InputError(f"document not found: {path}", "check the path, or the file name in the manifest")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path} is empty", "remove it from the manifest or add its text")
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{path} is {len(raw)} bytes, over the 5 MiB limit", "split the document")
    utf16 = _as_utf16(raw)
    if utf16 is not None:
        return utf16
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path} is a binary file, not text", "export it as UTF-8 .txt or .md first")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path} is neither UTF-8 nor GB18030 text", "re-save it as UTF-8")


def _as_utf16(raw: bytes) -> str | None:
    """The text, if these bytes are UTF-16 text; else None.

    Without a byte-order mark, GB18030 decodes UTF-16 bytes into plausible-looking garbage, so UTF-16 is
    tried first: decoded as UTF-16, Chinese or English text is almost all CJK ideographs, CJK and
    full-width punctuation and ASCII, while GB18030 or UTF-8 bytes read as UTF-16 land in Hangul, Yi,
    private-use code points or unpaired surrogates. ASCII read as UTF-16 does look like ideographs, hence
    the NUL bytes that ASCII in UTF-16 has, or the UTF-8 test, decide first.
    """
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if len(raw) % 2 or (b"\x00" not in raw and _is_utf8(raw)):
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_PLAIN_TEXT.sub("", text)) <= len(text) * _UTF16_FOREIGN_SHARE:
            return text
    return None


_PLAIN_TEXT = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\s]")
_UTF16_FOREIGN_SHARE = 0.05  # at most this share of other characters in real UTF-16 Chinese text


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ---------------------------------------------------------------- cleaning

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


# ---------------------------------------------------------------- chunking

_HEADING_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(r"^第[一二三四五六七八九十百\d]+[篇章天部]")),
    ("section", re.compile(r"^第[一二三四五六七八九十百\d]+[节節部分]")),
    ("step", re.compile(r"^第[一二三四五六七八九十百\d]+步")),
    ("principle", re.compile(r"^(原则|原則|步骤|步驟|模块|模塊)\s*[\d一二三四五六七八九十]")),
    ("cn_item", re.compile(r"^[一二三四五六七八九十]+、")),
    ("num_item", re.compile(r"^\d{1,2}[、.．](?!\d)")),
    ("ordinal", re.compile(r"^第[一二三四五六七八九十]+、")),
]
CHUNK_TARGET_CHARS = 360


def heading_kind(line: str) -> str | None:
    """Which heading pattern a line is, if it is a heading at all (short, not a full sentence)."""
    stripped = line.strip()
    if len(stripped) > 40 or stripped[-1:] in "。！？!?":
        return None
    for kind, pattern in _HEADING_PATTERNS:
        if pattern.match(stripped):
            return kind
    is_label = re.match(r"[\u4e00-\u9fff]", stripped) and not re.search(r"[，,、；;：:“”\"()（）]", stripped)
    if len(stripped) <= 12 and is_label:
        return "label"
    return None


def _sections(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """Split lines at headings: (heading path, lines starting with that heading).

    Heading levels follow the order in which each heading pattern first appears, as in the
    documents' own outlines. Headings stay in the text: in outline documents they are the content.
    """
    levels: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for line in lines:
        kind = heading_kind(line)
        if kind is not None:
            level = levels.setdefault(kind, len(levels))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, line.strip().rstrip(":：;；")))
            groups.append(([h for _, h in stack], []))
        groups[-1][1].append(line)
    return [group for group in groups if group[1]]


# ---------------------------------------------------------------- chunk kinds
# What a passage is decides what a draft may take from it: wording only from `script` and
# `principle`; `taboo` passages are examples of what never to say (shown to staff, labelled).

_LABEL = re.compile(r"[\u4e00-\u9fff]{2,9}[:：](?=-?)")
_DASH_LABEL = re.compile(r"[\u4e00-\u9fff]{2,9}[:：]-")
_OUTLINE = re.compile(r"培[训訓]|[课課]程|大[纲綱]|[学學]员|[讲講]师|[资資]深[导導]师|课时|課時")
_CASE = re.compile(r"^案例|事件回[顾顧]")
_SCRIPT_WORDS = re.compile(r"话术|話術|话述|用语[:：]|用語[:：]")
_QUOTED_STAFF_SPEECH = re.compile(r"“[^”]*您[^”]*(”|$)")
_POLITE = re.compile(r"您|请|請|对不起|對不起|谢谢|謝謝|抱歉")


def split_taboo_segments(line: str) -> list[str]:
    """Cut a slide line where it switches between forbidden examples (`招呼:-什么事?`) and good wording."""
    cuts = [m.start() for m in _LABEL.finditer(line)]
    if not _DASH_LABEL.search(line) or len(cuts) < 2:
        return [line]
    pieces, start, dashed = [], 0, None
    for cut in cuts:
        is_dashed = line[cut:].split("：")[0].split(":", 1)[-1].startswith("-")
        if dashed is not None and is_dashed != dashed and cut > start:
            pieces.append(line[start:cut])
            start = cut
        dashed = is_dashed
    pieces.append(line[start:])
    return pieces


def line_kind(line: str, section: str) -> ChunkKind:
    if _DASH_LABEL.search(line):
        return "taboo"
    if _CASE.search(line) or _CASE.search(section.split(" > ")[-1] if section else ""):
        return "case"
    if _OUTLINE.search(section) or _OUTLINE.search(line):
        return "outline"
    staff_speech = _QUOTED_STAFF_SPEECH.search(line) and "你们" not in line[:8]
    labelled_polite = _LABEL.match(line) and _POLITE.search(line)
    if _SCRIPT_WORDS.search(line) or staff_speech or labelled_polite:
        return "script"
    return "principle"


def _kind_runs(path: list[str], lines: list[str]) -> list[tuple[ChunkKind, list[str]]]:
    """Consecutive lines of one kind; a chunk never mixes kinds."""
    section = " > ".join(path)
    runs: list[tuple[ChunkKind, list[str]]] = []
    for line in lines:
        for piece in split_taboo_segments(line):
            kind = line_kind(piece, section)
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(piece)
            else:
                runs.append((kind, [piece]))
    return runs


def _common_prefix(a: list[str], b: list[str]) -> list[str]:
    prefix = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix.append(x)
    return prefix


def _merge_small_sections(
    groups: list[tuple[list[str], list[str]]],
) -> list[tuple[list[str], ChunkKind, str]]:
    """Join neighbouring runs of one kind within a top-level part while they fit in one chunk."""
    merged: list[tuple[list[str], ChunkKind, str]] = []
    for path, body in groups:
        for kind, lines in _kind_runs(path, body):
            text = "\n".join(lines)
            if merged and merged[-1][1] == kind:
                last_path, _, last_text = merged[-1]
                same_part = last_path[:1] == path[:1]
                fits = len(last_text) + len(text) <= CHUNK_TARGET_CHARS
                if (same_part and fits) or len(last_text) < CHUNK_TARGET_CHARS // 6:
                    merged[-1] = (_common_prefix(last_path, path) or last_path[:1], kind, last_text + "\n" + text)
                    continue
            merged.append((path, kind, text))
    return merged


def _split_long(text: str) -> list[str]:
    """Cut an over-long section at line and sentence ends (LangChain's recursive splitter)."""
    if len(text) <= CHUNK_TARGET_CHARS * 1.3:
        return [text]
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_TARGET_CHARS,
        chunk_overlap=0,
        separators=["\n", "。", "！", "？", "；", "!", "?", ";", "，", ","],
        keep_separator="end",
    )
    return [piece.strip() for piece in splitter.split_text(text) if piece.strip()]


def chunk_document(meta: DocumentMeta, cleaned: str) -> list[Chunk]:
    lines = [ln for ln in cleaned.split("\n") if ln.strip()]
    chunks: list[Chunk] = []
    seen_ids: set[str] = set()
    for path, kind, text in _merge_small_sections(_sections(lines)):
        section = " > ".join(path)
        for piece in _split_long(text):
            index_text = to_simplified(f"{meta.title} {section}\n{piece}")
            chunk_id = _chunk_id(meta.id, section, piece, seen_ids)
            chunks.append(Chunk(chunk_id, meta.id, meta.title, section, piece, index_text, len(chunks), kind))
    return chunks


def attach_questions(
    chunks: list[Chunk], question_sets: Sequence[AnchoredQuestions]
) -> tuple[list[Chunk], list[str]]:
    """Give each chunk the questions whose anchor it alone contains; also return the anchors that are in
    no chunk or in several (an edited document): their questions are left out, and ingest says so.

    The questions go into the chunk id, so editing them re-indexes that chunk like a text edit would.
    Anchors are compared in simplified form without spaces, so either script finds the passage."""
    flat = [re.sub(r"\s+", "", to_simplified(c.text)) for c in chunks]
    extra: dict[int, list[str]] = {}
    unplaced = []
    for entry in question_sets:
        anchor = re.sub(r"\s+", "", to_simplified(entry.anchor))
        holders = [i for i, text in enumerate(flat) if anchor in text]
        if len(holders) == 1:
            extra.setdefault(holders[0], []).extend(entry.questions)
        else:
            unplaced.append(entry.anchor)
    placed = []
    for i, chunk in enumerate(chunks):
        if i in extra:
            digest = hashlib.sha256("\n".join(extra[i]).encode()).hexdigest()[:8]
            chunk = replace(
                chunk,
                chunk_id=f"{chunk.chunk_id}-q{digest}",
                questions=tuple(extra[i]),
                index_text="\n".join([chunk.index_text, *map(to_simplified, extra[i])]),
            )
        placed.append(chunk)
    return placed, unplaced


def chunk_with_questions(meta: DocumentMeta, cleaned: str, folder: Path) -> tuple[list[Chunk], list[str]]:
    """The document's chunks as ingest indexes them, with the questions file named in its manifest entry
    (relative to ``folder``) attached; and the anchors that found no single chunk."""
    chunks = chunk_document(meta, cleaned)
    if not meta.questions:
        return chunks, []
    return attach_questions(chunks, load_questions(folder / meta.questions))


def _chunk_id(doc_id: str, section: str, text: str, seen: set[str]) -> str:
    """Stable across runs: a hash of the content, so unchanged chunks are recognised on re-ingest."""
    digest = hashlib.sha256(f"{doc_id}\n{section}\n{text}".encode()).hexdigest()[:16]
    chunk_id, n = f"{doc_id}-{digest}", 1
    while chunk_id in seen:
        n += 1
        chunk_id = f"{doc_id}-{digest}-{n}"
    seen.add(chunk_id)
    return chunk_id


def document_hash(cleaned: str) -> str:
    return hashlib.sha256(cleaned.encode()).hexdigest()[:16]
