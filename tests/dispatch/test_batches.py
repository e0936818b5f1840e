"""Batch dispatch has the outcomes of one-by-one dispatch: the same book dispatched in batches of
1, 4 and 50 (one message at a time, a few, all at once) ends in the same rows, the same sends and
the same log, whatever each borrower's situation."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from storage.models import Borrower, LogEntry, Message, Restriction
from tests.dispatch.support import NOW, make_policy, plan_only
from tests.flows.conftest import World, make_world

BOOK = "".join(
    f"{row}\n"
    for row in (
        "B1,Ann One,+12125550101,,en,America/New_York,sms,L1,card,USD,1,2026-12-10,100.00",
        "B2,Bo Two,+12125550102,502,en,America/New_York,telegram,L2,card,USD,1,2026-12-10,200.00",
        "B3,Cy Three,+12125550103,,en,America/New_York,telegram,L3,card,USD,1,2026-12-10,300.00",
        # Two loans reaching T-3 together: one message listing both.
        "B4,Di Four,+12125550104,,en,America/New_York,sms,L4,card,USD,1,2026-12-10,40.00",
        "B4,Di Four,+12125550104,,en,America/New_York,sms,L4b,auto,USD,1,2026-12-10,41.00",
        # T-3 of one loan and T-1 of another on the same local day: the daily cap lets one go.
        "B5,Ed Five,+12125550105,,en,America/New_York,sms,L5,card,USD,1,2026-12-10,50.00",
        "B5,Ed Five,+12125550105,,en,America/New_York,sms,L5b,card,USD,1,2026-12-08,51.00",
        "B6,Flo Six,+12125550106,,en,America/New_York,sms,L6,card,USD,1,2026-12-10,60.00",
        "B7,Gus Seven,+12125550107,,en,America/New_York,sms,L7,card,USD,1,2026-12-10,70.00",
        "B8,Hal Eight,+12125550108,508,en,America/New_York,sms,L8,card,USD,1,2026-12-10,80.00",
        "B9,Ida Nine,+12125550109,509,en,America/New_York,sms,L9,card,USD,1,2026-12-10,90.00",
        "B10,Jo Ten,+12125550110,,en,America/New_York,sms,L10,card,USD,1,2026-12-10,10.00",
        "B11,Kim Eleven,+12125550111,,en,America/New_York,sms,L11,card,USD,1,2026-12-10,11.00",
        "B12,Lu Twelve,+8613800138012,,zh,Asia/Shanghai,sms,L12,card,CNY,1,2026-12-10,1200.00",
    )
)
# borrower → sorted (status, guard_rule, channel) of their logical messages after the pass.
EXPECTED = {
    "B1": [("sent", "clear", "sms")],
    "B2": [("sent", "clear", "telegram")],
    "B3": [("sent", "clear", "sms")],  # prefers Telegram, no chat: SMS in the same pass
    "B4": [("sent", "clear", "sms")],
    "B5": [("sent", "clear", "sms"), ("skipped", "cap_daily", "sms")],
    "B6": [("skipped", "paid", "sms")],
    "B7": [("skipped", "restricted:cease", "sms")],
    "B8": [("sent", "clear", "telegram")],  # opted out of SMS: the chat instead
    "B9": [("sent", "clear", "telegram")],  # Twilio says unsubscribed: Telegram at once
    "B10": [("skipped", "no_address", "sms")],  # Twilio says unsubscribed, no chat to fall back on
    "B11": [("unknown", None, "sms")],  # a 5xx after the request left: never resent
    "B12": [("skipped", "stale", "sms")],  # 23:00 in Shanghai: the tier's window closed, never late
}


@pytest.fixture(params=[1, 4, 50], ids=lambda n: f"batch={n}")
async def batch_world(request: pytest.FixtureRequest, db: str) -> AsyncIterator[World]:
    async for world in make_world(db, make_policy(sending={"batch_size": request.param})):
        yield world


async def test_batches_end_as_one_by_one(batch_world: World) -> None:
    world = batch_world
    await world.import_loans(BOOK)
    world.lease_time[0] = NOW
    assert (await plan_only(world.scheduler.servicing)).planned == 13
    await world.import_payments("P6,L6,60.00,2026-12-07T09:00:00-05:00\n", NOW)
    b7 = await Borrower.get(borrower_id="B7")
    await Restriction.create(borrower_id=b7.id, kind="cease", created_at=NOW)
    await Borrower.filter(borrower_id="B8").update(sms_opted_out=True)
    world.twilio.reject("+12125550109", 21610, 400)
    world.twilio.reject("+12125550110", 21610, 400)
    world.twilio.server_error("+12125550111", 500)

    summary = await world.scheduler.dispatcher.run(NOW)

    got: dict[str, list[tuple[str, str | None, str]]] = {}
    for borrower_id, status, rule, channel in await Message.filter(
        direction="out", attempt_of__isnull=True
    ).values_list("borrower__borrower_id", "status", "guard_rule", "channel"):
        got.setdefault(borrower_id, []).append((status, rule, channel))
    assert {b: sorted(rows, key=str) for b, rows in got.items()} == EXPECTED
    assert summary.outcomes == Counter({"sent:sms": 4, "sent:telegram": 3, "failed:sms": 2, "skipped": 5, "unknown": 1})
    # Each went once; the message about two loans lists both; the invitation rides on B3's SMS.
    reached = Counter(r.form.get("To") for r in world.twilio.creates())
    assert max(reached.values()) == 1 and len(reached) == 7
    assert "L4b" in world.sms_to("+12125550104")[0] or "41.00" in world.sms_to("+12125550104")[0]
    assert "t.me/" in world.sms_to("+12125550103")[0]
    assert [len(world.telegram_to(chat)) for chat in (502, 508, 509)] == [1, 1, 1]
    # The refusals are recorded: the numbers opted out, a failed attempt each.
    assert await Borrower.filter(borrower_id__in=["B9", "B10"], sms_opted_out=True).count() == 2
    assert await Message.filter(attempt_of__isnull=False, status="failed", error_code="twilio:21610").count() == 2
    rows = await Message.filter(direction="out", status__in=["sent", "unknown"], attempt_of__isnull=True).all()
    assert all(r.lease_owner is None and r.sent_at == NOW and r.body for r in rows)
    assert all(r.provider_message_id for r in rows if r.status == "sent")
    assert (await world.services.log.verify()).first_break is None
    kinds = Counter(
        k
        for k in await LogEntry.filter(kind__startswith="message.")
        .exclude(kind__in=["message.planned"])
        .values_list("kind", flat=True)
    )
    assert kinds == Counter({"message.sent": 7, "message.failed": 2, "message.skipped": 5, "message.unknown": 1})
    # A second pass an hour later sends nothing again.
    world.lease_time[0] = datetime(2026, 12, 7, 16, tzinfo=UTC)
    await world.scheduler.dispatcher.run(datetime(2026, 12, 7, 16, tzinfo=UTC))
    assert max(Counter(r.form.get("To") for r in world.twilio.creates()).values()) == 1
