"""One scheduler pass at a logical instant: recover, expire, plan, dispatch, follow up.

``serve`` runs it every minute; ``duebot tick --now`` runs it once at a chosen instant. Extra
follow-up steps (promise checks, escalations) are handed in by the caller as callables, so this
package never imports ``bot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from config.policy import Policy
from scheduler.dispatch import Dispatcher, DispatchEvent, DispatchSummary
from scheduler.planning import (
    CapacityWarning,
    DueInstallment,
    MissedTier,
    Plan,
    PlannedReminder,
    plan_reminders,
    reminder_key,
    window_capacity,
)
from storage.counters import CounterBatch
from storage.delivery import apply_pending_receipts
from storage.interaction_log import InteractionLog, LogEvent
from storage.leases import acquire_lease, release_lease
from storage.outbox import NewOutbound, count_waiting, expire_stale, recover_abandoned, store_outbound
from storage.servicing import InstallmentRecord, installments_near_tiers, set_watermark, watermark

if TYPE_CHECKING:
    from storage.models import Message

log = logging.getLogger(__name__)
PLAN_WATERMARK = "plan"
PLANNER_LEASE = "pass:planner"
FOLLOW_UPS_LEASE = "pass:follow-ups"
# Longer than any planning step or follow-up run; a process that dies holding one frees it after this.
STEP_LEASE_SECONDS = 600
FollowUp = Callable[[datetime], Awaitable[dict[str, int]]]


@dataclass
class PassSummary:
    now: datetime
    planned: int = 0
    missed: int = 0
    expired: int = 0
    recovered: int = 0
    unknown_after_crash: int = 0
    waiting: int = 0  # planned, their send window opens later
    receipts_applied: int = 0  # delivery receipts that had arrived before their send was recorded
    dispatch: DispatchSummary = field(default_factory=DispatchSummary)
    warnings: list[str] = field(default_factory=list)
    follow_ups: Counter[str] = field(default_factory=Counter)
    skipped_events: list[DispatchEvent] = field(default_factory=list)
    planned_elsewhere: bool = False  # another process was planning: this pass only dispatched

    def lines(self, *, dry_run: bool = False) -> list[str]:
        planned = (
            "  planning: another process was planning; this pass dispatched only"
            if self.planned_elsewhere
            else f"  planned {self.planned} new message(s); "
            f"{self.missed} tier(s) missed while down (skipped, never late)"
        )
        out = [
            f"pass at {self.now.isoformat()}",
            planned,
            f"  expired {self.expired} message(s) whose window closed (skipped: stale)",
        ]
        if self.recovered or self.unknown_after_crash:
            out.append(
                f"  recovered {self.recovered} abandoned claim(s); "
                f"{self.unknown_after_crash} left unknown after a crash"
            )
        for label, count in sorted(self.dispatch.outcomes.items()):
            out.append(f"  {'would be ' if dry_run else ''}{label}: {count}")
        for label, count in sorted(self.dispatch.rules.items()):
            out.append(f"    {label}: {count}")
        if self.waiting:
            out.append(f"  {self.waiting} message(s) waiting for their send window to open")
        for label, count in sorted(self.follow_ups.items()):
            out.append(f"  follow-up {label}: {count}")
        for warning in self.warnings:
            out.append(f"  WARNING: {warning}")
        return out


def to_due(record: InstallmentRecord) -> DueInstallment:
    return DueInstallment(
        installment_id=record.installment_id,
        borrower_id=record.borrower_id,
        loan_id=record.loan_id,
        installment_no=record.installment_no,
        timezone=record.timezone,
        due_date=record.due_date,
        amount_outstanding=max(record.outstanding, Decimal(0)),
        currency=record.currency,
        paid=record.state in ("paid", "waived") or record.outstanding <= 0,
        locale=record.locale,
    )


def _outbound_for(reminder: PlannedReminder, borrower_pk: int, channel: str) -> NewOutbound:
    return NewOutbound(
        key=reminder.key,
        borrower_pk=borrower_pk,
        kind=reminder.tier.stage,
        channel=channel,
        tier=reminder.tier.name,
        local_date=reminder.local_date,
        not_before=reminder.not_before,
        not_after=reminder.not_after,
        item_keys=reminder.item_keys,
        installment_ids=tuple(i.installment_id for i in reminder.items),
        payload={"offset_days": reminder.tier.offset_days, "loan_ids": sorted(reminder.loan_ids)},
    )


def _missed_outbound(missed: Sequence[MissedTier], borrower_pk: dict[str, int]) -> list[NewOutbound]:
    groups: dict[str, list[MissedTier]] = {}
    for m in missed:
        groups.setdefault(reminder_key(m.item.borrower_id, m.tier, m.local_date), []).append(m)
    out = []
    for key, group in groups.items():
        first = group[0]
        out.append(
            NewOutbound(
                key=key,
                borrower_pk=borrower_pk[first.item.borrower_id],
                kind=first.tier.stage,
                channel="sms",
                tier=first.tier.name,
                local_date=first.local_date,
                not_before=None,
                not_after=None,
                item_keys=tuple(m.item_key for m in group),
                installment_ids=tuple(m.item.installment_id for m in group),
                status="skipped",
                guard_rule="stale",
                guard_reason=first.reason,
                payload={"offset_days": first.tier.offset_days},
            )
        )
    return out


class ServicingPass:
    """Everything one pass needs, built once by the composition root."""

    def __init__(
        self,
        *,
        policy: Policy,
        dispatcher: Dispatcher,
        log: InteractionLog,
        counters: CounterBatch,
        preferred_channel_pace: dict[str, float] | None = None,
        follow_ups: Sequence[tuple[str, FollowUp]] = (),
        lease_clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.policy = policy
        # Leases are judged on the clock of live processes, not on the pass's logical ``now``.
        self.lease_clock = lease_clock or dispatcher.lease_clock
        self.dispatcher = dispatcher
        self.log = log
        self.counters = counters
        self.pace = preferred_channel_pace or {
            "sms": policy.sending.twilio_per_second,
            "telegram": policy.sending.telegram_per_second,
        }
        self.follow_ups = list(follow_ups)

    async def run(self, now: datetime) -> PassSummary:
        if now.tzinfo is None:
            raise ValueError("a pass needs a timezone-aware instant")
        summary = PassSummary(now=now)
        requeued, lost = await recover_abandoned(self.lease_clock())
        summary.recovered, summary.unknown_after_crash = len(requeued), len(lost)
        await self._expire(now, summary)
        # Several processes (serve, workers, a tick from cron) may run a pass at once: one plans,
        # every one dispatches (claims are per message), one runs the follow-ups.
        async with self._alone(PLANNER_LEASE) as planning:
            if planning:
                plan, preferred = await self._plan(now, summary)
                self._check_capacity(plan, preferred, now, summary)
            else:
                summary.planned_elsewhere = True
        summary.dispatch = await self.dispatcher.run(now)
        async with self._alone(FOLLOW_UPS_LEASE) as following_up:
            if following_up:
                for name, step in self.follow_ups:
                    for label, count in (await step(now)).items():
                        if count:
                            summary.follow_ups[f"{name}.{label}"] += count
        summary.receipts_applied = await apply_pending_receipts(now, log=self.log)
        summary.waiting = await count_waiting(now)
        await self.counters.flush()
        return summary

    @contextlib.asynccontextmanager
    async def _alone(self, name: str) -> AsyncIterator[bool]:
        """Yields True while this process holds the lease ``name`` (False: another process has it)."""
        owner = self.dispatcher.owner
        if not await acquire_lease(name, owner, self.lease_clock(), STEP_LEASE_SECONDS):
            yield False
            return
        try:
            yield True
        finally:
            await release_lease(name, owner)

    async def _expire(self, now: datetime, summary: PassSummary) -> None:
        stale = await expire_stale(now)
        summary.expired = len(stale)
        if not stale:
            return
        from storage.models import Borrower

        ids = {m.borrower_id for m in stale}
        names = dict(await Borrower.filter(id__in=list(ids)).values_list("id", "borrower_id"))
        await self.log.append_many(
            [
                LogEvent(
                    "message.skipped",
                    now,
                    names.get(m.borrower_id or 0),
                    data={
                        "key": m.idempotency_key,
                        "rule": "stale",
                        "tier": m.tier,
                        "reason": "the tier's send window closed before it could go; never sent late",
                    },
                )
                for m in stale
            ]
        )
        self.counters.add("duebot_stale_skips_total", len(stale))
        self.counters.add("duebot_guard_decisions_total", len(stale), rule="stale", decision="never")
        for m in stale:
            summary.skipped_events.append(
                DispatchEvent(
                    now,
                    names.get(m.borrower_id or 0, ""),
                    m.idempotency_key or "",
                    "skipped",
                    None,
                    "stale",
                    "the tier's send window closed before it could go; never sent late",
                )
            )

    async def _plan(self, now: datetime, summary: PassSummary) -> tuple[Plan, dict[str, str]]:
        reminders = self.policy.reminders
        since = await watermark(PLAN_WATERMARK)
        lookback = max(reminders.days_past_due, default=0)
        if since is not None:
            lookback += max(0, (now - since).days) + 1
        records = await installments_near_tiers(now, max(reminders.days_before_due, default=0), lookback)
        borrower_pk = {r.borrower_id: r.borrower_pk for r in records}
        preferred = await _preferred_channels(borrower_pk)
        # Planning is CPU work over every row near a tier (seconds for a large book's first pass of
        # the day): in a worker thread, so that in serve the event loop keeps answering webhooks.
        previous = since if since and since < now else None
        plan, due, stale = await asyncio.to_thread(
            _planned_outbound, records, now, self.policy, previous, borrower_pk, preferred
        )
        created = await store_outbound(due, now)
        missed = await store_outbound(stale, now)
        summary.planned, summary.missed = len(created), len(missed)
        names = {pk: bid for bid, pk in borrower_pk.items()}
        events = await asyncio.to_thread(_planned_events, created, missed, names, now)
        await self.log.append_many(events)
        if missed:
            self.counters.add("duebot_stale_skips_total", len(missed))
        if since is None or now > since:
            await set_watermark(PLAN_WATERMARK, now)
        return plan, preferred

    def _check_capacity(self, plan: Plan, preferred: dict[str, str], now: datetime, summary: PassSummary) -> None:
        """Say loudly when today's due volume cannot go inside the window at the configured pace."""
        for channel, pace in self.pace.items():
            open_now = [r for r in plan.due if r.not_after > now and preferred.get(r.borrower_id, "sms") == channel]
            if not open_now:
                continue
            close = max(r.not_after for r in open_now)
            warning: CapacityWarning | None = window_capacity(len(open_now), now, close, pace)
            if warning is not None:
                message = f"{channel}: {warning.message}"
                summary.warnings.append(message)
                log.warning("capacity: %s", message)
                self.counters.add("duebot_capacity_warnings_total", channel=channel)


def _planned_outbound(
    records: Sequence[InstallmentRecord],
    now: datetime,
    policy: Policy,
    since: datetime | None,
    borrower_pk: dict[str, int],
    preferred: dict[str, str],
) -> tuple[Plan, list[NewOutbound], list[NewOutbound]]:
    """The plan and the messages to store for it (pure: runs in a worker thread)."""
    plan = plan_reminders((to_due(r) for r in records), now, policy, since=since)
    due = [_outbound_for(r, borrower_pk[r.borrower_id], preferred.get(r.borrower_id, "sms")) for r in plan.due]
    return plan, due, _missed_outbound(plan.missed, borrower_pk)


def _planned_events(
    created: Sequence[Message], missed: Sequence[Message], names: dict[int, str], now: datetime
) -> list[LogEvent]:
    """What the log records of a plan's stored messages (pure: runs in a worker thread)."""
    return [
        LogEvent(
            "message.planned",
            now,
            names.get(m.borrower_id or 0),
            data={
                "key": m.idempotency_key,
                "tier": m.tier,
                "local_date": m.local_date.isoformat() if m.local_date else None,
                "not_before": m.not_before.isoformat() if m.not_before else None,
                "not_after": m.not_after.isoformat() if m.not_after else None,
            },
        )
        for m in created
    ] + [
        LogEvent(
            "message.skipped",
            now,
            names.get(m.borrower_id or 0),
            data={
                "key": m.idempotency_key,
                "tier": m.tier,
                "rule": "stale",
                "reason": m.guard_reason,
            },
        )
        for m in missed
    ]


async def _preferred_channels(borrower_pk: dict[str, int]) -> dict[str, str]:
    """Each borrower's preferred channel, in plain SQL: building a query of thousands of ids through
    the ORM cost a large book's pass more than a second of CPU (on serve's event loop)."""
    from storage.database import connection, is_postgres_connection

    conn = connection()
    ids = list(borrower_pk.values())
    result: dict[str, str] = {}
    if is_postgres_connection(conn):
        sql = "SELECT borrower_id, preferred_channel FROM borrowers WHERE id = ANY($1::int[])"
        for start in range(0, len(ids), 50_000):
            for row in await conn.execute_query_dict(sql, [ids[start : start + 50_000]]):
                result[row["borrower_id"]] = row["preferred_channel"]
        return result
    for start in range(0, len(ids), 500):  # within any SQLite's limit on a statement's variables
        part = ids[start : start + 500]
        sql = f"SELECT borrower_id, preferred_channel FROM borrowers WHERE id IN ({','.join('?' * len(part))})"
        for row in await conn.execute_query_dict(sql, part):
            result[row["borrower_id"]] = row["preferred_channel"]
    return result
