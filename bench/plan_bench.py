"""Time ``plan_reminders`` over a large synthetic loan book.

    python bench/plan_bench.py [--rows 1000000] [--seed 7]

Due dates are spread evenly over 80 days around the pass so that about one row in ten reaches
a tier on the borrower's local date (8 tiers in 80 offsets); 5% of rows are paid. Borrowers live
in six zones on both sides of UTC, so "today" differs between them at the chosen instant.
The plan is timed without tracing, then run again under tracemalloc for its peak allocation.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from config.policy import Policy, load_policy
from scheduler.planning import DueInstallment, Plan, plan_reminders

ZONES = (
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Pacific/Auckland",
)
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # already Dec 2 in Auckland, still Dec 1 elsewhere
SPREAD_DAYS = 80  # due dates from 45 days ago to 34 days ahead
INSTALLMENTS_PER_BORROWER = 3
PAID_SHARE = 0.05


def build_rows(count: int, seed: int) -> list[DueInstallment]:
    rng = random.Random(seed)
    first_due = date(2026, 12, 1) - timedelta(days=45)
    amounts = [Decimal(f"{cents // 100}.{cents % 100:02d}") for cents in range(5_000, 105_000, 250)]
    rows = []
    for index in range(count):
        borrower = index // INSTALLMENTS_PER_BORROWER
        rows.append(
            DueInstallment(
                installment_id=index + 1,
                borrower_id=f"B{borrower:07d}",
                loan_id=f"L{borrower:07d}-{index % 2}",
                installment_no=index % INSTALLMENTS_PER_BORROWER + 1,
                timezone=ZONES[borrower % len(ZONES)],
                due_date=first_due + timedelta(days=rng.randrange(SPREAD_DAYS)),
                amount_outstanding=rng.choice(amounts),
                currency="CNY",
                paid=rng.random() < PAID_SHARE,
            )
        )
    return rows


def timed(label: str, action: Callable[[], Plan]) -> tuple[Plan, float]:
    gc.collect()
    started = time.perf_counter()
    plan = action()
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {elapsed:7.3f} s")
    return plan, elapsed


def traced_peak(action: Callable[[], Plan]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def report(rows: list[DueInstallment], policy: Policy) -> None:
    plan, elapsed = timed("plan_reminders (no previous pass)", lambda: plan_reminders(rows, NOW, policy))
    due_rows = sum(len(reminder.items) for reminder in plan.due)
    print(f"  {len(rows) / elapsed:,.0f} rows/s; {len(plan.due):,} messages listing {due_rows:,} installments")
    since = NOW - timedelta(days=3)
    missed_plan, missed_elapsed = timed(
        "plan_reminders (down for 3 days)", lambda: plan_reminders(rows, NOW, policy, since=since)
    )
    print(f"  {len(rows) / missed_elapsed:,.0f} rows/s; {len(missed_plan.missed):,} missed tiers reported")
    peak = traced_peak(lambda: plan_reminders(rows, NOW, policy))
    print(f"peak allocated by one plan (tracemalloc): {peak / 2**20:,.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    policy = load_policy()
    started = time.perf_counter()
    rows = build_rows(args.rows, args.seed)
    print(f"built {len(rows):,} rows in {time.perf_counter() - started:.1f} s ({len(ZONES)} zones)")
    report(rows, policy)
    # ru_maxrss is in KiB on Linux: the whole process, rows included.
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
