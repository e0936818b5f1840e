"""SMS segment counting at every boundary carriers bill on."""

from __future__ import annotations

import pytest

from scheduler.segments import GSM7_BASIC, GSM7_EXTENSION, SegmentInfo, is_gsm7, sms_segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SegmentInfo("GSM-7", 0, 0)),
        ("a", SegmentInfo("GSM-7", 1, 1)),
        # GSM-7: 160 in one message, 153 per part after that
        ("a" * 160, SegmentInfo("GSM-7", 160, 1)),
        ("a" * 161, SegmentInfo("GSM-7", 161, 2)),
        ("a" * 306, SegmentInfo("GSM-7", 306, 2)),
        ("a" * 307, SegmentInfo("GSM-7", 307, 3)),
        ("a" * 459, SegmentInfo("GSM-7", 459, 3)),
        ("a" * 460, SegmentInfo("GSM-7", 460, 4)),
        # extension characters cost two septets each
        ("€" * 80, SegmentInfo("GSM-7", 160, 1)),
        ("€" * 80 + "a", SegmentInfo("GSM-7", 161, 2)),
        ("a" * 159 + "€", SegmentInfo("GSM-7", 161, 2)),
        ("^{}\\[~]|€", SegmentInfo("GSM-7", 18, 1)),
        ("a" * 158 + "{", SegmentInfo("GSM-7", 160, 1)),
        # an escape pair is never split across parts: 306 septets but three parts
        ("a" * 152 + "€" + "a" * 152, SegmentInfo("GSM-7", 306, 3)),
        ("a" * 151 + "€" + "a" * 153, SegmentInfo("GSM-7", 306, 2)),
        # basic-set characters outside ASCII stay GSM-7 and cost one septet
        ("¥£§¿ÄÖÑÜäöñüàèéùìòÇØøÅåÆæßÉΔΦΓΛΩΠΨΣΘΞ¡¤\n\r", SegmentInfo("GSM-7", 41, 1)),
        # UCS-2: 70 in one message, 67 per part
        ("中" * 70, SegmentInfo("UCS-2", 70, 1)),
        ("中" * 71, SegmentInfo("UCS-2", 71, 2)),
        ("中" * 134, SegmentInfo("UCS-2", 134, 2)),
        ("中" * 135, SegmentInfo("UCS-2", 135, 3)),
        ("中" * 201, SegmentInfo("UCS-2", 201, 3)),
        ("中" * 202, SegmentInfo("UCS-2", 202, 4)),
        # one non-GSM character turns the whole text into UCS-2
        ("a" * 69 + "中", SegmentInfo("UCS-2", 70, 1)),
        ("a" * 70 + "’", SegmentInfo("UCS-2", 71, 2)),
        ("Don’t", SegmentInfo("UCS-2", 5, 1)),
        ("a — b", SegmentInfo("UCS-2", 5, 1)),
        # emoji outside the BMP are surrogate pairs: 2 code units
        ("😀", SegmentInfo("UCS-2", 2, 1)),
        ("😀" * 35, SegmentInfo("UCS-2", 70, 1)),
        ("😀" * 35 + "a", SegmentInfo("UCS-2", 71, 2)),
        ("a" * 69 + "😀", SegmentInfo("UCS-2", 71, 2)),
        # a surrogate pair is never split: 33 emoji per 67-unit part
        ("😀" * 66, SegmentInfo("UCS-2", 132, 2)),
        ("😀" * 67, SegmentInfo("UCS-2", 134, 3)),
        # € is GSM-7 extension but costs one unit once the text is UCS-2
        ("中€", SegmentInfo("UCS-2", 2, 1)),
    ],
)
def test_sms_segments(text: str, expected: SegmentInfo) -> None:
    assert sms_segments(text) == expected


def test_tables() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points minus the escape
    assert "\x1b" not in GSM7_BASIC
    assert GSM7_BASIC.isdisjoint(GSM7_EXTENSION)
    assert set("^{}\\[~]|€") <= GSM7_EXTENSION


@pytest.mark.parametrize("ch", ["ç", "á", "`", "\t", "\u00a0", "“", "…", "\x1b"])
def test_not_gsm7(ch: str) -> None:
    assert not is_gsm7(ch)
    assert sms_segments(ch).encoding == "UCS-2"
