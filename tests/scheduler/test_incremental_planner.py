"""The incremental planner stores exactly what a full pass would.

A full pass reads every installment near a tier and plans it (what duebot did before it planned
incrementally: ``full_pass`` below). The incremental pass reads only the borrowers marked since
the last pass and the installments reaching a tier on local dates that began since. Over random
books, imports (new loans, rescheduled and re-priced installments, borrowers moving zone),
payments and clock jumps (minutes, hours, days, and backwards), both must leave the same
messages in the outbox after every pass.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from config.policy import Policy
from scheduler import plan_step
from scheduler.plan_step import PlanStep, Words, _planned_outbound
from storage.counters import CounterBatch
from storage.database import close_database, open_database
from storage.importer import import_loan_rows, import_payment_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv, parse_payments_csv
from storage.models import Message, MessageItem
from storage.outbox import store_outbound
from storage.servicing import installments_near_tiers
from tests.conftest import SECRET, _truncate_all
from tests.dispatch.support import make_policy
from tests.flows.conftest import HEADER

# Zones on both sides of the date line, and one a quarter hour off the hour.
ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "America/New_York", "Europe/London")
START = datetime(2026, 12, 1, 6, 7, tzinfo=UTC)
STEPS = (
    timedelta(minutes=1),
    timedelta(minutes=13),
    timedelta(hours=1),
    timedelta(hours=5),
    timedelta(hours=11),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(hours=-2),  # a tick --now in the past
)
Snapshot = list[tuple[object, ...]]


@dataclass
class Book:
    """The loan book as the lender's file holds it: re-imported whole after each change."""

    rng: random.Random
    zone: dict[str, str] = field(default_factory=dict)  # borrower -> zone
    rows: dict[tuple[str, int], tuple[str, str, date, Decimal]] = field(default_factory=dict)
    next_borrower: int = 0
    payments: int = 0

    def add_borrower(self) -> None:
        bid = f"B{self.next_borrower:03d}"
        self.next_borrower += 1
        self.zone[bid] = self.rng.choice(ZONES)
        for loan in range(self.rng.randint(1, 2)):
            for number in range(1, self.rng.randint(1, 3) + 1):
                self.rows[(f"L{bid}{loan}", number)] = (bid, "USD", self.random_due(), self.random_amount())

    def random_due(self) -> date:
        return START.date() + timedelta(days=self.rng.randint(-32, 12))

    def random_amount(self) -> Decimal:
        return Decimal(self.rng.choice(["50.00", "120.00", "300.00"]))

    def change(self) -> None:
        """One import's worth of changes: new borrowers, rescheduled or re-priced rows, a move."""
        for _ in range(self.rng.randint(1, 3)):
            what = self.rng.random()
            if what < 0.3:
                self.add_borrower()
            elif what < 0.6:
                key = self.rng.choice(sorted(self.rows))
                bid, currency, _due, amount = self.rows[key]
                self.rows[key] = (bid, currency, self.random_due(), amount)
            elif what < 0.8:
                key = self.rng.choice(sorted(self.rows))
                bid, currency, due, _amount = self.rows[key]
                self.rows[key] = (bid, currency, due, self.random_amount())
            else:
                self.zone[self.rng.choice(sorted(self.zone))] = self.rng.choice(ZONES)

    def csv(self) -> str:
        lines = [HEADER]
        for (loan, number), (bid, currency, due, amount) in sorted(self.rows.items()):
            phone = f"+1212555{int(bid[1:]):04d}"
            borrower = f"{bid},Borrower {bid},{phone},,en,{self.zone[bid]},sms"
            lines.append(f"{borrower},{loan},card,{currency},{number},{due},{amount}\n")
        return "".join(lines)

    def payment(self, at: datetime) -> str:
        self.payments += 1
        loan = self.rng.choice(sorted({loan for loan, _ in self.rows}))
        amount = self.rng.choice(["50.00", "120.00", "1000.00"])
        return f"payment_id,loan_id,amount,paid_at\nP{self.payments},{loan},{amount},{at.isoformat()}\n"


def scenario(seed: int) -> list[tuple[str, object]]:
    """A book, then a random mix of imports, payments and passes at moving instants."""
    rng = random.Random(seed)
    book = Book(rng)
    for _ in range(rng.randint(4, 9)):
        book.add_borrower()
    steps: list[tuple[str, object]] = [("import", book.csv())]
    now = START
    for _ in range(14):
        what = rng.random()
        if what < 0.25:
            book.change()
            steps.append(("import", book.csv()))
        elif what < 0.35:
            steps.append(("payment", book.payment(now)))
        else:
            now += rng.choice(STEPS)
            steps.append(("pass", now))
    return steps


async def full_pass(policy: Policy, log: InteractionLog, now: datetime, since: datetime | None) -> None:
    """Every installment near a tier, planned and stored: the planner before it was incremental."""
    reminders = policy.reminders
    previous = since if since and since < now else None
    lookback = max(reminders.days_past_due) + (max(0, (now - since).days) + 1 if since else 0)
    records = await installments_near_tiers(now, max(reminders.days_before_due), lookback)
    borrower_pk = {r.borrower_id: r.borrower_pk for r in records}
    words = Words(policy, {}, lambda kind, channel, locale, variant: False, frozenset())
    _plan, due, stale = _planned_outbound(records, now, policy, previous, borrower_pk, {}, words)
    await store_outbound(due, now)
    await store_outbound(stale, now)


async def outbox() -> Snapshot:
    items: dict[int, list[str]] = {}
    for message_id, key in await MessageItem.all().values_list("message_id", "item_key"):
        items.setdefault(message_id, []).append(key)
    rows = await Message.filter(direction="out").values_list(
        "id", "idempotency_key", "tier", "local_date", "status", "not_before", "not_after", "guard_rule"
    )
    return sorted((*row[1:], tuple(sorted(items.get(row[0], [])))) for row in rows)


async def run(url: str, steps: list[tuple[str, object]], *, incremental: bool) -> list[Snapshot]:
    await open_database(url)
    await _truncate_all()
    try:
        policy, log = make_policy(), InteractionLog(SECRET)
        planner = PlanStep(policy=policy, log=log, counters=CounterBatch(), pace={"sms": 1000.0})
        since: datetime | None = None
        snapshots = []
        for kind, value in steps:
            if kind == "import":
                parsed = parse_loans_csv(str(value))
                assert parsed.errors == [], parsed.errors
                await import_loan_rows(parsed.rows, now=START, log=log)
            elif kind == "payment":
                payments = parse_payments_csv(str(value))
                assert payments.errors == [], payments.errors
                await import_payment_rows(payments.rows, now=START, log=log)
            else:
                assert isinstance(value, datetime)
                if incremental:
                    await planner.run(value)
                else:
                    await full_pass(policy, log, value, since)
                    since = value if since is None or value > since else since
                snapshots.append(await outbox())
        return snapshots
    finally:
        await close_database()


def _sqlite(tmp_path: Path, name: str) -> str:
    return f"sqlite://{tmp_path / name}"


@pytest.fixture(params=["by id", "by due date"])
def marked_reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Changed borrowers are read by id (a few) or by due date (after a big import): both paths."""
    if request.param == "by due date":
        monkeypatch.setattr(plan_step, "MARKED_BY_ID", 0)
    return str(request.param)


@pytest.mark.parametrize("seed", range(20))
async def test_incremental_passes_store_what_full_passes_store_sqlite(
    seed: int, tmp_path: Path, marked_reading: str
) -> None:
    steps = scenario(seed)
    full = await run(_sqlite(tmp_path, "full.sqlite3"), steps, incremental=False)
    incremental = await run(_sqlite(tmp_path, "incremental.sqlite3"), steps, incremental=True)
    assert any(full), "the scenario planned nothing: it tests nothing"
    for number, (want, got) in enumerate(zip(full, incremental, strict=True)):
        assert got == want, f"pass {number + 1} of seed {seed}: {_difference(want, got)}"


@pytest.mark.parametrize("seed", range(4))
async def test_incremental_passes_store_what_full_passes_store_postgres(
    seed: int, postgres_database: str, marked_reading: str
) -> None:
    steps = scenario(1000 + seed)
    full = await run(postgres_database, steps, incremental=False)
    incremental = await run(postgres_database, steps, incremental=True)
    assert any(full)
    for number, (want, got) in enumerate(zip(full, incremental, strict=True)):
        assert got == want, f"pass {number + 1} of seed {1000 + seed}: {_difference(want, got)}"


def _difference(want: Snapshot, got: Snapshot) -> str:
    missing = [row for row in want if row not in got]
    extra = [row for row in got if row not in want]
    return f"missing {missing[:3]} extra {extra[:3]}"
