"""Mask personal data before any text leaves the process, with placeholders that can be put back.

What is masked: Chinese resident ID numbers (18 characters, 17 digits and a check character, and the old
15-digit form), mainland mobile and landline numbers, bank-card numbers (13–19 digits), any other run of 10
or more digits (an account, a policy, a mistyped phone), e-mail addresses, licence plates and street
addresses where they are recognisable. Checksums (ISO 7064 for IDs, Luhn for cards) never decide whether a
number is masked, since staff and customers mistype: they only choose the label, so a 19-digit run failing
Luhn becomes ``[ACCOUNT_1]``, not ``[CARD_1]``. Each value becomes a placeholder such as ``[PHONE_1]``;
the same value always gets the same placeholder in one Redactor, so a model can still refer to "the card"
and the reply shown to staff gets the number back.

Order matters: an ID number is also a long digit run, so IDs are taken first; phones come before cards
because ``+8613912345678`` is 13 digits; each pass only sees what earlier passes left.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_DIGITS_EDGE = r"(?<![0-9A-Za-z])"
_DIGITS_END = r"(?![0-9A-Za-z])"
_ID18 = re.compile(_DIGITS_EDGE + r"[1-9]\d{16}[0-9Xx]" + _DIGITS_END)
_ID18_SHAPE = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]")
_ID15 = re.compile(_DIGITS_EDGE + r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}" + _DIGITS_END)
_CARD = re.compile(_DIGITS_EDGE + r"(?:\d[ -]?){12,18}\d" + _DIGITS_END)
_PHONE = re.compile(r"(?<![0-9])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[1-9]\d{1,2}[ -]?[2-9]\d{6,7}(?![0-9])")  # area code, then 7–8 digits
_ACCOUNT = re.compile(_DIGITS_EDGE + r"\d{10,}" + _DIGITS_END)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE = re.compile(rf"[{_PROVINCES}][A-HJ-NP-Z][·•\-\s]?(?:[A-HJ-NP-Z0-9]{{5}}|[DF][A-HJ-NP-Z0-9]{{5}}|[A-HJ-NP-Z0-9]{{4}}[挂学警港澳])"  # noqa: E501
                    r"(?![A-Za-z0-9])")
# An address: optional province/city/district, then a road/street/village with a number. A place name holds
# none of the words a sentence uses around it (的/在/到/送/给/您/保证/退款…): without that limit the road part
# swallowed the clause before it, so "我们保证明天把钱送到中山路5号" left the model only "我们[ADDRESS_1]".
_PLACE = r"(?:(?![的在把到送给我您你他她们是了就要从去住寄打退款保证派])[\u4e00-\u9fff])"
_ADDRESS = re.compile(
    rf"(?:{_PLACE}{{2,8}}(?:省|自治区|市|区|县|镇|乡)){{0,4}}"
    rf"(?:{_PLACE}|[0-9]){{1,12}}(?:路|街|大道|道|巷|胡同|弄|村|小区|花园|大厦)"
    r"[0-9一二三四五六七八九十百零〇]{1,5}(?:号|號|弄)"
    # then compound, building, unit and room (院3号楼2单元501): all of it identifies the home
    r"(?:院|号院)?(?:[0-9一二三四五六七八九十百零〇A-Za-z-]{1,6}(?:号楼|號樓|栋|幢|座|单元|楼|层|室|号|號))*"
    r"(?:[0-9]{2,5}(?:室|房)?)?"
)

PLACEHOLDER = re.compile(r"\[(ID|PHONE|CARD|ACCOUNT|EMAIL|PLATE|ADDRESS)_(\d+)\]")


def valid_id_number(value: str) -> bool:
    """An 18-digit resident ID with a correct check digit (GB 11643, ISO 7064 MOD 11-2)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def looks_like_id_number(value: str) -> bool:
    """18 characters ending in X, or shaped like one (region, birth date, sequence), or with a valid check digit."""
    return value[-1] in "Xx" or bool(_ID18_SHAPE.fullmatch(value)) or valid_id_number(value)


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass
class Redactor:
    """Masks text and remembers the originals, so ``restore`` can put them back."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder -> original
    _by_value: dict[tuple[str, str], str] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    def mask(self, text: str) -> str:
        passes: list[tuple[re.Pattern[str], Callable[[str], str | None]]] = [
            (_EMAIL, _kind("EMAIL")),
            (_ID18, lambda v: "ID" if looks_like_id_number(v) else None),  # else a card or account below
            (_ID15, _kind("ID")),
            (_PHONE, _kind("PHONE")),
            (_LANDLINE, _kind("PHONE")),
            (_CARD, lambda v: "CARD" if luhn_valid(re.sub(r"[ -]", "", v)) else "ACCOUNT"),
            (_ACCOUNT, _kind("ACCOUNT")),
            (_PLATE, _kind("PLATE")),
            (_ADDRESS, _kind("ADDRESS")),
        ]
        for pattern, kind_of in passes:
            text = pattern.sub(partial(self._replace, kind_of), text)
        return text

    def _replace(self, kind_of: Callable[[str], str | None], match: re.Match[str]) -> str:
        return self._swap(kind_of(match.group(0)), match.group(0))

    def _swap(self, kind: str | None, value: str) -> str:
        if kind is None:  # not this pass's kind: a later pass may take it
            return value
        key = (kind, value)
        if key not in self._by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self._by_value[key] = placeholder
            self.values[placeholder] = value
        return self._by_value[key]

    def restore(self, text: str) -> str:
        """Put the originals back for every placeholder this Redactor made; unknown ones stay."""
        return PLACEHOLDER.sub(lambda m: self.values.get(m.group(0), m.group(0)), text)

    def unknown_placeholders(self, text: str) -> list[str]:
        """Placeholders in ``text`` that this Redactor never made (a model inventing them)."""
        return [m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) not in self.values]


def _kind(kind: str) -> Callable[[str], str]:
    return lambda _: kind


def mask(text: str) -> str:
    """One-shot masking, e.g. for a log line: the originals are not kept."""
    return Redactor().mask(text)


class MaskingFilter(logging.Filter):
    """Masks personal data in every record that passes through (message and arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Mask every log line of ``logger`` (default: the ``coach`` logger tree) once."""
    target = logger or logging.getLogger("coach")
    if not any(isinstance(f, MaskingFilter) for f in target.filters):
        target.addFilter(MaskingFilter())
