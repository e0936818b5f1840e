"""The complaint register's topics: the first row of the table that matches wins."""

from __future__ import annotations

import pytest

from bot.conversation.complaint_category import complaint_category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I'm reporting you to the CFPB", "regulator"),
        ("your agent was rude and I will report you to the regulator", "regulator"),  # the regulator first
        ("我要去银保监投诉你们", "regulator"),
        ("Your collector yelled at me", "staff_conduct"),
        ("客服态度太差了，我要投诉", "staff_conduct"),
        ("you called my employer, I want to complain", "contact_practice"),
        ("天天打电话骚扰我家人，投诉", "contact_practice"),
        ("the late fee is a rip-off, complaint", "fees_charges"),
        ("利息太高了 我要投诉", "fees_charges"),
        ("you leaked my personal data, complaint", "data_privacy"),
        ("I want to file a complaint", "other"),
        ("我要投诉", "other"),
    ],
)
def test_complaint_category(text: str, category: str) -> None:
    assert complaint_category(text) == category
