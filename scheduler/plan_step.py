"""The planning step of a pass: what changed since the last one becomes stored reminders.

Incremental (``scheduler/incremental.py`` says what a pass looks at): the borrowers marked since
the last pass, and the installments reaching a tier on a local date that began since. Stored
under keys, so a second look at anything stores nothing twice.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from config.policy import Policy
from scheduler.experiments import HasVariant, Wording, choose_wording
from scheduler.incremental import due_date_scans, local_days_since, new_local_days
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
from scheduler.tiers import all_tiers
from storage.counters import CounterBatch
from storage.experiments import stopped_arms
from storage.interaction_log import InteractionLog, LogEvent
from storage.outbox import NewOutbound
from storage.plan_inputs import (
    clear_marks,
    installments_due_on,
    installments_of_borrowers,
    pending_marks,
    preferred_channels_and_tiers,
    zones_in_use,
)
from storage.planned import store_plan
from storage.servicing import InstallmentRecord, set_watermark, watermark

log = logging.getLogger(__name__)
PLAN_WATERMARK = "plan"
# Up to this many changed borrowers are read by id; more (after a big import), by due date.
MARKED_BY_ID = 5_000
# Planned messages stored at a time (each store writes them in transactions of ``PLAN_BATCH``).
STORE_AT = 10_000


@dataclass
class PlanOutcome:
    planned: int = 0  # new reminders stored
    missed: int = 0  # tiers whose day passed while no pass ran (stored skipped, never sent late)
    warnings: list[str] = field(default_factory=list)


class PlanStep:
    """Plans, stores and logs reminders; built once with what it needs."""

    def __init__(
        self,
        *,
        policy: Policy,
        log: InteractionLog,
        counters: CounterBatch,
        pace: dict[str, float],
        has_variant: HasVariant | None = None,
    ) -> None:
        self.policy = policy
        self.log = log
        self.counters = counters
        self.pace = pace
        # Whether a template variant exists (the renderer's): without one, no variant is ever chosen.
        self.has_variant: HasVariant = has_variant or (lambda kind, channel, locale, variant: False)
        self.stopped: frozenset[tuple[str, str]] = frozenset()

    async def run(self, now: datetime) -> PlanOutcome:
        """Plan what changed since the last pass: the marked borrowers, and the installments that
        reach a tier on a local date that began since (``scheduler/incremental.py``)."""
        summary = PlanOutcome()
        reminders = self.policy.reminders
        since = await watermark(PLAN_WATERMARK)
        previous = since if since and since < now else None
        offsets = [tier.offset_days for tier in all_tiers(self.policy)]
        mark_ids, marked = await pending_marks()
        self.stopped = await stopped_arms() if self.policy.experiments else frozenset()
        zones = await zones_in_use()
        tally = CapacityTally(now)
        batch = PlannedBatch(summary)
        by_id = len(marked) <= MARKED_BY_ID
        if marked and by_id:
            lookback = max(reminders.days_past_due, default=0)
            if since is not None:
                lookback += max(0, (now - since).days) + 1
            before = max(reminders.days_before_due, default=0)
            for start in range(0, len(marked), MARKED_BY_ID):
                part = marked[start : start + MARKED_BY_ID]
                await self._plan_rows(
                    await installments_of_borrowers(part, now, before, lookback), now, previous, batch, tally
                )
        # A due date at a time: memory stays bounded by the largest day's installments.
        marked_set = frozenset(marked)
        marked_days = local_days_since(zones, previous, now) if marked and not by_id else ()
        for scan in due_date_scans(new_local_days(zones, previous, now), offsets, marked_days):
            rows = await installments_due_on(scan.due, zones if scan.marked else scan.zones)
            if by_id:  # the marked borrowers were planned above, from all their rows
                wanted = [r for r in rows if r.timezone in scan.zones and r.borrower_pk not in marked_set]
            else:
                wanted = [r for r in rows if r.timezone in scan.zones or (scan.marked and r.borrower_pk in marked_set)]
            await self._plan_rows(wanted, now, previous, batch, tally)
        await self._store(batch, now)
        await clear_marks(mark_ids)
        if since is None or now > since:
            await set_watermark(PLAN_WATERMARK, now)
        self._check_capacity(tally, summary)
        return summary

    async def _plan_rows(
        self,
        records: Sequence[InstallmentRecord],
        now: datetime,
        previous: datetime | None,
        batch: PlannedBatch,
        tally: CapacityTally,
    ) -> None:
        """Plan one set of installments (each reminder's installments all in it) into ``batch``,
        storing the batch once it is large."""
        if not records:
            return
        borrower_pk = {r.borrower_id: r.borrower_pk for r in records}
        preferred, risk = await _borrower_facts(borrower_pk)
        words = Words(self.policy, risk, self.has_variant, self.stopped)
        # Planning is CPU work (seconds for a large book's first pass of the day): in a worker
        # thread, so that in serve the event loop keeps answering webhooks.
        plan, due, stale = await asyncio.to_thread(
            _planned_outbound, records, now, self.policy, previous, borrower_pk, preferred, words
        )
        tally.add(plan, preferred)
        batch.add(due, stale, borrower_pk)
        if batch.size >= STORE_AT:
            await self._store(batch, now)

    async def _store(self, batch: PlannedBatch, now: datetime) -> None:
        due, stale, names = batch.take()
        created = await store_plan(due, now, self.log, functools.partial(_planned_events, names=names, now=now))
        missed = await store_plan(stale, now, self.log, functools.partial(_skipped_events, names=names, now=now))
        batch.outcome.planned += len(created)
        batch.outcome.missed += len(missed)
        if missed:
            self.counters.add("duebot_stale_skips_total", len(missed))

    def _check_capacity(self, tally: CapacityTally, summary: PlanOutcome) -> None:
        """Say loudly when today's due volume cannot go inside the window at the configured pace."""
        for channel, pace in self.pace.items():
            count, close = tally.open_now.get(channel, (0, tally.now))
            if not count:
                continue
            warning: CapacityWarning | None = window_capacity(count, tally.now, close, pace)
            if warning is not None:
                message = f"{channel}: {warning.message}"
                summary.warnings.append(message)
                log.warning("capacity: %s", message)
                self.counters.add("duebot_capacity_warnings_total", channel=channel)


class CapacityTally:
    """Per channel, the reminders a pass planned whose window is still open, and the latest close."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.open_now: dict[str, tuple[int, datetime]] = {}

    def add(self, plan: Plan, preferred: dict[str, str]) -> None:
        for reminder in plan.due:
            if reminder.not_after <= self.now:
                continue
            channel = preferred.get(reminder.borrower_id, "sms")
            count, close = self.open_now.get(channel, (0, reminder.not_after))
            self.open_now[channel] = (count + 1, max(close, reminder.not_after))


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


@dataclass(frozen=True, slots=True)
class Words:
    """What chooses a reminder's words: the policy, each borrower's risk tier, which template
    variants exist, and the experiments' stopped arms."""

    policy: Policy
    risk: dict[str, str]
    has_variant: HasVariant
    stopped: frozenset[tuple[str, str]]

    def of(self, reminder: PlannedReminder, channel: str) -> Wording:
        return choose_wording(
            policy=self.policy,
            kind=reminder.tier.stage,
            day=reminder.local_date,
            borrower_id=reminder.borrower_id,
            risk_tier=self.risk.get(reminder.borrower_id),
            channel=channel,
            locale=reminder.locale or "en",
            has_variant=self.has_variant,
            stopped=self.stopped,
        )


def _outbound_for(reminder: PlannedReminder, borrower_pk: int, channel: str, wording: Wording) -> NewOutbound:
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
        payload={
            "offset_days": reminder.tier.offset_days,
            "loan_ids": sorted(reminder.loan_ids),
            **wording.payload(),
        },
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


def _planned_outbound(
    records: Sequence[InstallmentRecord],
    now: datetime,
    policy: Policy,
    since: datetime | None,
    borrower_pk: dict[str, int],
    preferred: dict[str, str],
    words: Words,
) -> tuple[Plan, list[NewOutbound], list[NewOutbound]]:
    """The plan and the messages to store for it (pure: runs in a worker thread)."""
    plan = plan_reminders((to_due(r) for r in records), now, policy, since=since, risk_tiers=words.risk)
    due = []
    for r in plan.due:
        channel = preferred.get(r.borrower_id, "sms")
        due.append(_outbound_for(r, borrower_pk[r.borrower_id], channel, words.of(r, channel)))
    return plan, due, _missed_outbound(plan.missed, borrower_pk)


def _planned_events(created: Sequence[NewOutbound], *, names: dict[int, str], now: datetime) -> list[LogEvent]:
    """What the log records of a plan's stored reminders."""
    return [
        LogEvent(
            "message.planned",
            now,
            names.get(m.borrower_pk),
            data={
                "key": m.key,
                "tier": m.tier,
                "local_date": m.local_date.isoformat() if m.local_date else None,
                "not_before": m.not_before.isoformat() if m.not_before else None,
                "not_after": m.not_after.isoformat() if m.not_after else None,
            },
        )
        for m in created
    ]


def _skipped_events(missed: Sequence[NewOutbound], *, names: dict[int, str], now: datetime) -> list[LogEvent]:
    """What the log records of the tiers a plan found missed (stored skipped)."""
    return [
        LogEvent(
            "message.skipped",
            now,
            names.get(m.borrower_pk),
            data={"key": m.key, "tier": m.tier, "rule": "stale", "reason": m.guard_reason},
        )
        for m in missed
    ]


class PlannedBatch:
    """Planned messages waiting to be stored: a pass stores them in large batches (a due date's
    reminders may be few), and memory stays bounded by ``STORE_AT``."""

    def __init__(self, outcome: PlanOutcome) -> None:
        self.outcome = outcome
        self.due: list[NewOutbound] = []
        self.stale: list[NewOutbound] = []
        self.names: dict[int, str] = {}

    @property
    def size(self) -> int:
        return len(self.due) + len(self.stale)

    def add(self, due: Sequence[NewOutbound], stale: Sequence[NewOutbound], borrower_pk: dict[str, int]) -> None:
        self.due.extend(due)
        self.stale.extend(stale)
        self.names.update((pk, bid) for bid, pk in borrower_pk.items())

    def take(self) -> tuple[list[NewOutbound], list[NewOutbound], dict[int, str]]:
        taken = (self.due, self.stale, self.names)
        self.due, self.stale, self.names = [], [], {}
        return taken


async def _borrower_facts(borrower_pk: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """Each borrower's preferred channel and risk tier (when scored)."""
    preferred, risk = {}, {}
    for borrower_id, channel, tier in await preferred_channels_and_tiers(list(borrower_pk.values())):
        preferred[borrower_id] = channel
        if tier is not None:
            risk[borrower_id] = tier
    return preferred, risk
