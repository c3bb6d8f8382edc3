"""Cut a cleaned document into chunks at its headings, each with a simplified index text, its kind and the
staff questions it answers.

Chunks carry a simplified form (opencc t2s) so that simplified queries find traditional documents.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from coach.corpus.clean import split_sentences
from coach.corpus.manifest import AnchoredQuestions, DocumentMeta, load_questions
from coach.script import to_simplified
from coach.types import ChunkKind


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
