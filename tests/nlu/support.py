"""Shared test support: the labelled reply files in tests/nlu/data and how to check one."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# Every line of the shared sample was labelled as if received on this day (a Wednesday).
SAMPLE_TODAY = dt.date(2026, 12, 2)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled reply: what classify() must say about ``text`` received on ``today``."""

    line: int
    text: str
    intent: str
    promise_date: dt.date | None
    amount: Decimal | None
    today: dt.date

    @property
    def id(self) -> str:
        return f"L{self.line}:{self.text[:40]}"


def load(name: str) -> list[Labelled]:
    """The labelled lines of ``data/<name>`` (JSON Lines; "today" is optional per line)."""
    cases = []
    for number, line in enumerate((DATA / name).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Labelled(
                line=number,
                text=row["text"],
                intent=row["intent"],
                promise_date=dt.date.fromisoformat(row["promise_date"]) if row["promise_date"] else None,
                amount=Decimal(str(row["amount"])) if row["amount"] is not None else None,
                today=dt.date.fromisoformat(row["today"]) if row.get("today") else SAMPLE_TODAY,
            )
        )
    return cases
