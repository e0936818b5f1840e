"""One scheduler pass at a logical instant: recover, expire, plan, dispatch, follow up.

``serve`` runs it every minute; ``duebot tick --now`` runs it once at a chosen instant. Extra
follow-up steps (promise checks, escalations) are handed in by the caller as callables, so this
package never imports ``bot``.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from config.policy import Policy
from scheduler.dispatch import Dispatcher, DispatchEvent, DispatchSummary
from scheduler.plan_step import PLAN_WATERMARK, PlanStep
from storage.counters import CounterBatch
from storage.delivery import apply_pending_receipts
from storage.interaction_log import InteractionLog, LogEvent
from storage.leases import acquire_lease, release_lease
from storage.outbox import count_waiting, expire_stale, recover_abandoned

log = logging.getLogger(__name__)
__all__ = ["PLAN_WATERMARK", "FollowUp", "PassSummary", "ServicingPass"]
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
        self.planner = PlanStep(
            policy=policy, log=log, counters=counters, pace=self.pace, has_variant=dispatcher.renderer.has_template
        )

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
                await self._plan(now, summary)
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

    async def _plan(self, now: datetime, summary: PassSummary) -> None:
        outcome = await self.planner.run(now)
        summary.planned, summary.missed = outcome.planned, outcome.missed
        summary.warnings.extend(outcome.warnings)
