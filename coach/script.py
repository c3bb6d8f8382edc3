"""Chinese script conversion (OpenCC) and the template gaps a reply must never contain.

One OpenCC converter per configuration, built on first use and kept for the process: building one reads
its dictionaries (tens of milliseconds), converting is cheap. ``to_simplified`` (t2s) is how documents,
queries and customers' words are compared whatever script they came in; ``to_simplified_aligned`` is the
same conversion kept one code point for one, for the guard, whose offsets into the simplified copy must be
offsets into the text as received; ``to_traditional`` (s2tw, Taiwan characters) writes replies for
customers who wrote in traditional script. ``as_mandarin`` reads Cantonese words as Mandarin (coach/cantonese.yaml)
for the patterns written in Mandarin.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

if TYPE_CHECKING:
    import opencc

Conversion = Literal["t2s", "s2tw"]

# XX, ××, ＿＿, __, an empty 【】 or [], 某某, ＊＊, ***: the gaps of a template left unfilled. Masked personal data
# ([PHONE_1], coach.redact) is not a gap: it is put back before the reply is shown.
_PLACEHOLDERS = re.compile(r"(?<![A-Za-z])[Xx]{2,}(?![A-Za-z])|×{2,}|＿{2,}|_{2,}|【\s*】|\[\s*\]|某某|＊{2,}|\*{3,}")


@functools.cache
def _converter(conversion: Conversion) -> opencc.OpenCC:
    import opencc  # its dictionaries load on first use, not on `import coach`

    return opencc.OpenCC(conversion)


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s, phrase-aware); simplified text comes back unchanged."""
    if text.isascii():
        return text
    return str(_converter("t2s").convert(text))


@functools.lru_cache(maxsize=4096)
def _char_to_simplified(char: str) -> str:
    converted = str(_converter("t2s").convert(char))
    return converted if len(converted) == 1 else char


def to_simplified_aligned(text: str) -> str:
    """``to_simplified`` with exactly as many code points as ``text``: where a phrase conversion changes the
    length, each character is converted on its own (or kept, if even that changes the length)."""
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    return "".join(_char_to_simplified(c) for c in text)


@functools.cache
def _cantonese() -> tuple[dict[str, str], re.Pattern[str]]:
    readings = yaml.safe_load(Path(__file__).with_name("cantonese.yaml").read_text(encoding="utf-8"))
    return readings, re.compile("|".join(sorted(map(re.escape, readings), key=len, reverse=True)))


def as_mandarin(simplified: str) -> str:
    """Simplified text with its Cantonese words read as Mandarin (俾我 -> 给我, 佢 -> 他), for reading only."""
    readings, words = _cantonese()
    return words.sub(lambda m: readings[m.group()], simplified)


def to_traditional(text: str) -> str:
    """Simplified → traditional with Taiwan characters (OpenCC s2tw)."""
    if text.isascii():
        return text
    return str(_converter("s2tw").convert(text))


def find_placeholders(text: str) -> list[str]:
    """The unfilled template gaps in ``text`` (XX, ××, ＿＿, an empty 【】, 某某, …), in order."""
    return [m.group(0) for m in _PLACEHOLDERS.finditer(text)]
