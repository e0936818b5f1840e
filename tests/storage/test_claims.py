"""Claims take a batch, never more: several dispatchers share a due queue by taking batches of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.models import Message
from storage.outbox import claim_due

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


async def _planned(count: int, *, urgent: bool = False, start: int = 0) -> None:
    await Message.bulk_create(
        [
            Message(direction="out", channel="sms", kind="before_due", status="planned",
                    idempotency_key=f"k{start + i}", not_before=NOW - timedelta(minutes=1),
                    not_after=NOW + timedelta(hours=1), created_at=NOW, updated_at=NOW, urgent=urgent)
            for i in range(count)
        ]
    )  # fmt: skip


async def test_a_claim_takes_at_most_its_batch_and_the_next_takes_others(db: str) -> None:
    # A fresh table has no statistics: PostgreSQL once re-ran the claim's LIMIT subquery for every
    # row it updated, and one claim took the whole queue.
    await _planned(300)
    first = await claim_due("a/1", NOW, 20, 300)
    second = await claim_due("b/1", NOW, 20, 300)
    assert len(first) == 20 and len(second) == 20
    assert not set(first) & set(second)
    assert await Message.filter(status="claimed").count() == 40
    assert await Message.filter(status="claimed", lease_owner="a/1").count() == 20


async def test_answers_are_claimed_before_reminders_and_not_yet_due_rows_never(db: str) -> None:
    await _planned(5)
    await _planned(3, urgent=True, start=100)
    await Message.filter(idempotency_key="k0").update(not_before=NOW + timedelta(minutes=5))
    claimed = await claim_due("a/1", NOW, 4, 300)
    urgent = await Message.filter(id__in=claimed, urgent=True).count()
    assert (len(claimed), urgent) == (4, 3)
    rest = await claim_due("a/2", NOW, 100, 300)
    assert len(rest) == 3  # k1..k4 less the one claimed first; k0 waits for its window
    assert await Message.get(idempotency_key="k0").values_list("status", flat=True) == "planned"
