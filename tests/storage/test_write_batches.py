"""Long writes in short transactions, and SQLite transactions that wait for the write lock instead
of failing: what keeps a webhook's INSERT from waiting behind a pass (bench/webhook_latency.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from storage import interaction_log, outbox
from storage.database import close_database, database, open_database, sqlite_path
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Installment, Loan, LogEntry, LogHead, Message, MessageItem
from storage.outbox import NewOutbound, store_outbound
from storage.sqlite_backend import StatementsFirstLock
from tests.conftest import SECRET

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def test_a_sqlite_transaction_holds_the_write_lock_from_its_start(sqlite_url: str) -> None:
    # A deferred BEGIN would read without the lock, and its first write would fail at once if
    # another process had written meanwhile; BEGIN IMMEDIATE takes the lock first (or waits for it).
    async with database(sqlite_url):
        other = sqlite3.connect(sqlite_path(sqlite_url), timeout=0)
        try:
            async with in_transaction():
                assert await Borrower.all().count() == 0  # a read first
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("INSERT INTO schema_meta (key, value) VALUES ('probe', '1')")
                await Borrower.create(
                    borrower_id="B1", full_name="Li Wei", phone="+8613800138000", locale="zh",
                    timezone="Asia/Shanghai", preferred_channel="sms",
                )  # fmt: skip
            other.execute("INSERT INTO schema_meta (key, value) VALUES ('probe', '1')")  # free again
            other.commit()
        finally:
            other.close()
        assert await Borrower.all().count() == 1


async def test_single_statements_go_before_waiting_transactions() -> None:
    lock = StatementsFirstLock()
    order: list[str] = []

    async def take(name: str, first: bool) -> None:
        await lock.acquire(first=first)
        order.append(name)
        await asyncio.sleep(0)
        lock.release()

    await lock.acquire()  # a transaction in progress
    waiting = [
        asyncio.create_task(take("transaction 1", False)),
        asyncio.create_task(take("transaction 2", False)),
        asyncio.create_task(take("statement 1", True)),
        asyncio.create_task(take("statement 2", True)),
    ]
    await asyncio.sleep(0)
    lock.release()
    await asyncio.gather(*waiting)
    assert order == ["statement 1", "statement 2", "transaction 1", "transaction 2"]
    assert not lock.locked()


async def test_a_waiter_cancelled_as_the_lock_reaches_it_passes_it_on() -> None:
    lock = StatementsFirstLock()
    await lock.acquire()
    cancelled = asyncio.create_task(lock.acquire())
    later = asyncio.create_task(lock.acquire(first=False))
    await asyncio.sleep(0)
    lock.release()  # handed to ``cancelled``, which is cancelled before it runs
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await asyncio.wait_for(later, 1)
    lock.release()
    assert not lock.locked()


async def test_back_to_back_statements_do_not_starve_a_transaction() -> None:
    lock = StatementsFirstLock(max_overtakes=3)
    order: list[str] = []
    await lock.acquire()  # a statement in progress
    transaction = asyncio.create_task(lock.acquire(first=False))
    await asyncio.sleep(0)

    async def statement(n: int) -> None:
        await lock.acquire()
        order.append(f"statement {n}")
        lock.release()

    statements = [asyncio.create_task(statement(n)) for n in range(6)]  # always one waiting
    await asyncio.sleep(0)
    lock.release()
    await transaction
    order.append("transaction")
    lock.release()
    await asyncio.gather(*statements)
    assert order.index("transaction") == 3  # after three statements went ahead of it, not six


def test_a_waiter_left_by_a_closed_event_loop_is_skipped() -> None:
    lock = StatementsFirstLock()
    old = asyncio.new_event_loop()
    old.run_until_complete(lock.acquire())
    orphan = old.create_task(lock.acquire())
    old.run_until_complete(asyncio.sleep(0))  # the waiter is queued, then its loop goes away
    old.close()
    assert not orphan.done()

    async def later() -> None:
        lock.release()  # skips the orphan: nobody can take the lock from a closed loop
        assert not lock.locked()
        assert await asyncio.wait_for(lock.acquire(first=False), 1)
        lock.release()

    asyncio.run(later())


async def test_a_pass_sized_append_keeps_every_chain(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interaction_log, "_BATCH", 10)
    log = InteractionLog(SECRET)
    await log.append(LogEvent("first", T0, "B0"))
    events = [LogEvent("message.planned", T0, f"B{n % 25}", data={"n": n}) for n in range(60)]
    events += [LogEvent("message.planned", T0, "LONG", data={"n": n}) for n in range(23)]  # longer than a batch
    await log.append_many(events)
    result = await log.verify()
    assert (result.checked, result.first_break) == (84, None)
    assert await LogEntry.filter(chain="borrower:LONG").order_by("seq").values_list("seq", flat=True) == list(
        range(1, 24)
    )
    assert (await LogHead.get(chain="borrower:B0")).seq == 4  # "first", then n = 0, 25, 50


async def test_a_pass_sized_append_inside_a_transaction_stays_in_it(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interaction_log, "_BATCH", 2)
    log = InteractionLog(SECRET)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await log.append_many([LogEvent("x", T0, f"B{n}") for n in range(7)])
            raise RuntimeError("roll back")
    assert await LogEntry.all().count() == 0


async def test_messages_stored_in_batches_each_with_its_items(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "_STORE_BATCH", 4)
    borrower = await Borrower.create(
        borrower_id="B1", full_name="Ana Ruiz", phone="+14155550123", locale="en",
        timezone="America/Los_Angeles", preferred_channel="sms",
    )  # fmt: skip
    loan = await Loan.create(loan_id="L1", borrower=borrower, product="auto", currency="USD")
    installments = [
        await Installment.create(loan=loan, installment_no=n, due_date=date(2026, 12, n), amount_due="10.00")
        for n in range(1, 11)
    ]
    planned = [
        NewOutbound(
            key=f"reminder:B1:T0:2026-12-{i.installment_no:02d}",
            borrower_pk=borrower.id,
            kind="reminder",
            channel="sms",
            not_before=T0,
            not_after=T0 + timedelta(hours=8),
            item_keys=(f"{i.id}:T0",),
            installment_ids=(i.id,),
        )
        for i in installments
    ]
    stored = await store_outbound(planned, T0)
    assert len(stored) == 10
    items = dict(await MessageItem.all().values_list("item_key", "message_id"))
    assert {row.idempotency_key: row.id for row in stored} == {
        m.key: items[m.item_keys[0]] for m in planned
    }  # every message commits with its item, and the ids handed back are the stored ones
    assert await store_outbound(planned, T0) == []  # the keys are known: nothing new
    assert await Message.all().count() == 10


async def test_after_an_import_sqlite_looks_a_borrowers_installments_up_by_borrower(sqlite_url: str) -> None:
    # Without statistics SQLite walks installments' state index over the whole book for each reply.
    await open_database(sqlite_url)
    await close_database()
    with sqlite3.connect(sqlite_path(sqlite_url)) as raw:  # an import, from another process
        at = "2026-11-01 00:00:00+00:00"
        raw.executemany(
            "INSERT INTO borrowers (id, borrower_id, full_name, phone, locale, timezone, preferred_channel, "
            "sms_opted_out, telegram_opted_out, telegram_usable, phone_wrong, created_at, updated_at) "
            "VALUES (?, ?, 'x', '+12125550000', 'en', 'UTC', 'sms', 0, 0, 1, 0, ?, ?)",
            [(n, f"B{n}", at, at) for n in range(1, 2001)],
        )
        raw.executemany(
            "INSERT INTO loans (id, loan_id, product, currency, status, created_at, updated_at, borrower_id) "
            "VALUES (?, ?, 'card', 'USD', 'active', ?, ?, ?)",
            [(n, f"L{n}", at, at, n) for n in range(1, 2001)],
        )
        raw.executemany(
            "INSERT INTO installments (installment_no, due_date, amount_due, amount_paid, state, loan_id) "
            "VALUES (?, '2026-12-01', '10.00', '0.00', 'open', ?)",
            [(k, n) for n in range(1, 2001) for k in (1, 2)],
        )
    await open_database(sqlite_url)  # the next start
    await close_database()
    with sqlite3.connect(sqlite_path(sqlite_url)) as raw:
        plan = " ".join(
            str(row)
            for row in raw.execute(
                "EXPLAIN QUERY PLAN SELECT i.id FROM installments i JOIN loans l ON l.id = i.loan_id "
                "WHERE l.borrower_id = 1 AND i.state IN ('open', 'partially_paid')"
            )
        )
    assert "idx_loans_borrower" in plan
