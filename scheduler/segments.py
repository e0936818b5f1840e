"""How many SMS segments a text costs, the way carriers (and Twilio's calculator) count them.

A text made only of GSM 03.38 characters goes as GSM-7: 160 septets in one message, 153 per
part once it is split (the other 7 septets carry the concatenation header). Characters of the
extension table take 2 septets (an escape plus the character). Any other character switches the
whole message to UCS-2: 70 UTF-16 code units in one message, 67 per part; characters outside
the Basic Multilingual Plane (most emoji) take 2 code units (a surrogate pair).

Parts are filled greedily and a 2-unit character is never split across two parts (an escape
sequence or a surrogate pair must stay in one part), so a multipart count can be one higher than
a plain ``ceil(units / 153)``; this matches what is billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character set, in table order, without the escape (0x1B) which only
# introduces extension characters and never stands for itself in a text.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table (each costs 2 septets); \f is the extension table's page break.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[]~|€")

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int  # 0 for an empty text (nothing would be sent)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _widths(text: str, encoding: Encoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _parts(widths: list[int], part_size: int) -> int:
    parts, used = 1, 0
    for width in widths:
        if used + width > part_size:  # the character does not fit whole: it opens the next part
            parts += 1
            used = 0
        used += width
    return parts


def sms_segments(text: str) -> SegmentInfo:
    encoding: Encoding = "GSM-7" if is_gsm7(text) else "UCS-2"
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    widths = _widths(text, encoding)
    units = sum(widths)
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = _parts(widths, part)
    return SegmentInfo(encoding=encoding, units=units, segments=segments)
