"""Shared pieces of the dispatch tests: a synthetic loan book, planning it, settings for workers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from config.policy import DEFAULT_POLICY_PATH, Policy, _read_toml, deep_merge, parse_policy
from scheduler.cycle import PassSummary, ServicingPass
from storage.importer import import_loan_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv
from tests.flows.conftest import ACCOUNT_SID, AUTH_TOKEN, BOT_TOKEN, FROM, HEADER

__all__ = [
    "ACCOUNT_SID",
    "AUTH_TOKEN",
    "BOT_TOKEN",
    "FROM",
    "NOW",
    "book_rows",
    "import_book",
    "plan_only",
    "policy_data",
]

# 10:00 in New York on 7 Dec 2026, the T-3 day of installments due on 10 Dec.
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def policy_data(**overrides: Any) -> dict[str, Any]:
    """The default policy with sending paced out of the way (a plain dict: it crosses processes)."""
    # Telegram's pace is capped by policy validation at its published limits (30/s, 1/s per chat).
    fast = {"sending": {"twilio_per_second": 100_000.0, "backoff_base_seconds": 0.01}}
    return deep_merge(deep_merge(_read_toml(DEFAULT_POLICY_PATH), fast), overrides)


def make_policy(**overrides: Any) -> Policy:
    return parse_policy(policy_data(**overrides))


def phone(i: int) -> str:
    return f"+1212555{i:04d}"


def book_rows(count: int, due: str = "2026-12-10") -> str:
    """``count`` SMS borrowers in New York, one installment each, all due on ``due``."""
    return "".join(
        f"N{i:05d},Borrower {i},{phone(i)},,en,America/New_York,sms,LN{i:05d},card,USD,1,{due},{100 + i % 900}.00\n"
        for i in range(count)
    )


async def import_book(body: str, log: InteractionLog) -> Any:
    parsed = parse_loans_csv(HEADER + body)
    assert parsed.errors == [], parsed.errors[:5]
    return await import_loan_rows(parsed.rows, now=datetime(2026, 11, 1, tzinfo=UTC), log=log)


async def plan_only(servicing: ServicingPass, now: datetime = NOW) -> PassSummary:
    """The planning step of a pass alone (no dispatch): what a pass stores before it sends."""
    summary = PassSummary(now=now)
    await servicing._plan(now, summary)
    return summary
