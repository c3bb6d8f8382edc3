"""Read a document file as text, whatever encoding a Windows or Chinese-locale editor saved it in."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from coach.errors import InputError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


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
