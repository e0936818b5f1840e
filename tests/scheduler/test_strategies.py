"""A risk tier's cadence: a borrower moving from tier B to C follows C's days from the next day
on, with no tier sent twice, and every reminder records the tier and words it was planned under."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from scheduler.plan_step import PlanStep
from storage.counters import CounterBatch
from storage.importer import import_loan_rows
from storage.interaction_log import InteractionLog
from storage.loanbook import parse_loans_csv
from storage.models import Borrower, BorrowerRisk, Message
from tests.conftest import SECRET
from tests.dispatch.support import make_policy
from tests.flows.conftest import HEADER

BOOK = HEADER + (
    "B1,Li Wei,+8613800138001,,zh,Asia/Shanghai,sms,L1,consumer,CNY,1,2026-12-01,100.00\n"
    "B2,Ana Ruiz,+12125550102,,en,America/New_York,sms,L2,consumer,USD,1,2026-12-01,100.00\n"
)


def ten_am(day: date, offset_hours: int) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC) - timedelta(hours=offset_hours)


async def test_a_borrower_moving_to_tier_c_gets_cs_cadence_from_the_next_day(db: str) -> None:
    policy = make_policy(
        strategies={"C": {"days_past_due": [2, 5], "variants": {"overdue_early": "stern"}}},
        experiments={
            "t1": {
                "kinds": ["before_due"],
                "arms": {"control": 50, "firm": 50},
                "start": date(2026, 11, 1),
                "end": date(2026, 12, 31),
            }
        },
    )
    log = InteractionLog(SECRET)
    parsed = parse_loans_csv(BOOK)
    await import_loan_rows(parsed.rows, now=datetime(2026, 11, 1, tzinfo=UTC), log=log)
    variants = {("before_due", "firm"), ("overdue_early", "stern")}
    planner = PlanStep(
        policy=policy,
        log=log,
        counters=CounterBatch(),
        pace={"sms": 1000.0},
        has_variant=lambda kind, channel, locale, variant: (kind, variant) in variants,
    )
    b1 = await Borrower.get(borrower_id="B1")
    day = date(2026, 11, 27)
    while day <= date(2026, 12, 8):
        await planner.run(ten_am(day, 8))  # 10:00 in Shanghai
        if day == date(2026, 12, 2):  # the daily risk pass, after that day's planning
            await BorrowerRisk.create(borrower_id=b1.id, tier="C", score=70, computed_at=ten_am(day, 8))
        day += timedelta(days=1)

    sent = await Message.filter(borrower_id=b1.id).order_by("local_date").values_list("tier", "local_date", "payload")
    assert [(tier, str(local)) for tier, local, _ in sent] == [
        ("T-3", "2026-11-28"),
        ("T-1", "2026-11-30"),
        ("T0", "2026-12-01"),
        ("D+1", "2026-12-02"),  # still B that morning
        ("D+2", "2026-12-03"),  # C's days from the next day: no D+3 or D+7 of B's
        ("D+5", "2026-12-06"),
    ]
    tiers = [payload["risk_tier"] for _, _, payload in sent]
    assert tiers == ["B", "B", "B", "B", "C", "C"]
    # Words: B1's experiment arm on before_due, and tier C's own variant after the move.
    before_due = [payload for tier, _, payload in sent if tier in ("T-3", "T-1")]
    # sha256("t1:B1") -> bucket 5254: the firm arm, whose variant exists for before_due.
    assert [(p["experiment"], p["arm"], p["variant"]) for p in before_due] == [("t1", "firm", "firm")] * 2
    assert sent[4][2]["variant"] == "stern" and "variant" not in sent[3][2]
    assert len({(t, d) for t, d, _ in sent}) == len(sent)
    # The borrower's timeline (API and console) says which words each reminder was planned with.
    from bot.conversation.timeline import borrower_timeline
    from storage.case_views import timeline

    await Message.filter(borrower_id=b1.id, tier="T-3").update(status="sent", sent_at=ten_am(date(2026, 11, 28), 8))
    api = [i for i in await borrower_timeline(b1) if i["direction"] == "out"]
    assert {"risk_tier": "B", "variant": "firm", "experiment": "t1", "arm": "firm"} in [i.get("words") for i in api]
    console = [i for i in await timeline(b1) if i.type == "message"]
    assert any(i.data.get("experiment") == "t1" and i.data.get("arm") == "firm" for i in console)
