"""What would go to whom on a day, and what is held back and why, recording nothing.

The preview runs the pass's own code: ``plan_reminders`` plans each zone's reminders for the day
(on each borrower's cadence, with the same words: ``plan_step.Words``), and ``prepare.choose``
asks the contact guard about each one at the moment its send window opens, on the channels in
the order dispatch would try them. It assumes nothing happens until then (no reply, no payment):
reminders earlier in the day count toward a borrower's caps as they would once sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from config.policy import Policy
from scheduler.experiments import HasVariant
from scheduler.guard import ContactGuard, ContactState, CountedKind, PriorSend, SendHistory, Verdict
from scheduler.plan_step import Words, to_due
from scheduler.planning import PlannedReminder, plan_reminders
from scheduler.prepare import Job, choose, contact_state, guard_kind, send_history
from scheduler.rendering import template_name
from scheduler.tiers import all_tiers
from storage.plan_inputs import installments_due_on, preferred_channels_and_tiers, zones_in_use
from storage.records import ContactSnapshot, MessageInstallment, OutboxRecord
from storage.servicing import InstallmentRecord, contact_snapshots


class PreviewError(ValueError):
    """A day that cannot be previewed (one in the past)."""


@dataclass(frozen=True, slots=True)
class PreviewItem:
    borrower_id: str
    loan_ids: list[str]
    tier: str
    channel: str
    local_time: str
    template: str
    arm: str | None
    amount: str
    outcome: str  # send, held
    rule: str | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "borrower_id": self.borrower_id,
            "loan_ids": list(self.loan_ids),
            "tier": self.tier,
            "channel": self.channel,
            "local_time": self.local_time,
            "template": self.template,
            "arm": self.arm,
            "amount": self.amount,
            "outcome": self.outcome,
            "rule": self.rule,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Preview:
    day: date
    items: tuple[PreviewItem, ...]

    def totals(self) -> dict[str, Any]:
        sends = [i for i in self.items if i.outcome == "send"]
        held = [i for i in self.items if i.outcome == "held"]
        return {
            "send": len(sends),
            "held": len(held),
            "by_tier": dict(sorted(Counter(i.tier for i in sends).items())),
            "by_channel": dict(sorted(Counter(i.channel for i in sends).items())),
            "by_rule": dict(sorted(Counter(i.rule or "" for i in held).items())),
        }

    def as_json(self) -> dict[str, Any]:
        # Not ``asdict``: it deep-copies every field (1.2 s of CPU for 100,000 items).
        return {"date": self.day.isoformat(), "items": [i.as_dict() for i in self.items], "totals": self.totals()}


def _noon(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(zone))


async def preview_day(
    day: date,
    *,
    policy: Policy,
    now: datetime,
    channels: Collection[str],
    sending_enabled: bool,
    has_variant: HasVariant,
    stopped: frozenset[tuple[str, str]] = frozenset(),
) -> Preview:
    today = now.astimezone(ZoneInfo(policy.sla.timezone)).date()
    if day < today:
        raise PreviewError(f"{day} is in the past (today is {today} in {policy.sla.timezone}); a preview looks ahead")
    zones = await zones_in_use()
    offsets = sorted({tier.offset_days for tier in all_tiers(policy)})
    rows: list[InstallmentRecord] = []
    for offset in offsets:
        rows.extend(await installments_due_on(day - timedelta(days=offset), zones))
    if not rows:
        return Preview(day, ())
    pks = {r.borrower_id: r.borrower_pk for r in rows}
    preferred, risk = {}, {}
    for borrower_id, channel, tier in await preferred_channels_and_tiers(sorted(set(pks.values()))):
        preferred[borrower_id] = channel
        if tier is not None:
            risk[borrower_id] = tier
    words = Words(policy, risk, has_variant, stopped)
    reminders: list[PlannedReminder] = []
    by_zone: dict[str, list[InstallmentRecord]] = {}
    for r in rows:
        by_zone.setdefault(r.timezone, []).append(r)
    for zone, zone_rows in by_zone.items():
        plan = plan_reminders((to_due(r) for r in zone_rows), _noon(day, zone), policy, risk_tiers=risk)
        reminders.extend(plan.due)
    # The order the planner stores them in, which is the order dispatch claims them in.
    reminders.sort(key=lambda m: (m.not_before, m.borrower_id, -m.tier.offset_days))
    snapshots = await contact_snapshots(set(pks.values()), now)
    records = {r.installment_id: r for r in rows}
    judge = _Judge(policy, channels, sending_enabled, now, snapshots)
    items = []
    for reminder in reminders:
        channel = preferred.get(reminder.borrower_id, "sms")
        items.append(judge.item(reminder, pks[reminder.borrower_id], channel, words, records))
    return Preview(day, tuple(items))


class _Judge:
    """Asks the guard about each reminder in turn, remembering what the day has sent so far."""

    def __init__(
        self,
        policy: Policy,
        channels: Collection[str],
        sending_enabled: bool,
        now: datetime,
        snapshots: dict[int, ContactSnapshot],
    ) -> None:
        self.guard = ContactGuard(policy)
        self.channels = channels
        self.sending_enabled = sending_enabled
        self.now = now
        self.snapshots = snapshots
        self.sent: dict[int, list[PriorSend]] = {}
        self.states: dict[int, tuple[ContactState, SendHistory]] = {}

    def item(
        self,
        reminder: PlannedReminder,
        borrower_pk: int,
        channel: str,
        words: Words,
        records: dict[int, InstallmentRecord],
    ) -> PreviewItem:
        wording = words.of(reminder, channel)
        message = OutboxRecord(
            id=0,
            borrower_pk=borrower_pk,
            channel=channel,
            kind=reminder.tier.stage,
            tier=reminder.tier.name,
            local_date=reminder.local_date,
            not_before=reminder.not_before,
            not_after=reminder.not_after,
            key=reminder.key,
            attempt_of=None,
            payload={
                "offset_days": reminder.tier.offset_days,
                "loan_ids": sorted(reminder.loan_ids),
                **wording.payload(),
            },
            urgent=False,
            attempts=0,
            guard_rule=None,
            status="planned",
            lease_owner=None,
        )
        snapshot = self.snapshots[borrower_pk]
        installments = tuple(_installment(records[i.installment_id]) for i in reminder.items)
        job = Job(message=message, base=message, borrower=snapshot.borrower, items=installments)
        at = max(reminder.not_before, self.now)
        # A borrower's state and past sends do not change during the preview: built once each.
        known = self.states.get(borrower_pk)
        if known is None:
            known = self.states[borrower_pk] = (contact_state(snapshot), send_history(snapshot))
        state, history = known
        if borrower_pk in self.sent:
            history = SendHistory(history.sends + tuple(self.sent[borrower_pk]))
        step = choose(
            job,
            state,
            history,
            guard=self.guard,
            channels=self.channels,
            now=at,
            sending_enabled=self.sending_enabled,
        )
        zone = ZoneInfo(snapshot.borrower.timezone)
        locale = snapshot.borrower.locale
        if isinstance(step, Verdict):
            used, outcome, rule, reason = channel, "held", step.rule, step.reason
        else:
            used, outcome, rule, reason = step.channel, "send", None, None
            counted: CountedKind = "followup" if guard_kind(message) == "followup" else "reminder"
            self.sent.setdefault(borrower_pk, []).append(PriorSend(at, counted, reminder.key))
        variant = (
            wording.variant
            if wording.variant and words.has_variant(message.kind, used, locale, wording.variant)
            else None
        )
        return PreviewItem(
            borrower_id=reminder.borrower_id,
            loan_ids=sorted(reminder.loan_ids),
            tier=reminder.tier.name,
            channel=used,
            local_time=at.astimezone(zone).strftime("%H:%M"),
            template=template_name(message.kind, used, locale, variant),
            arm=wording.arm,
            amount=_amount(installments),
            outcome=outcome,
            rule=rule,
            reason=reason,
        )


def _installment(record: InstallmentRecord) -> MessageInstallment:
    return MessageInstallment(
        installment_id=record.installment_id,
        loan_id=record.loan_id,
        installment_no=record.installment_no,
        due_date=record.due_date,
        outstanding=record.outstanding,
        currency=record.currency,
        state=record.state,
    )


def _amount(items: Sequence[MessageInstallment]) -> str:
    """What the reminder would quote: the amount still owed in the first installment's currency."""
    owed = [i for i in items if i.outstanding > 0]
    if not owed:
        return "0.00"
    currency = owed[0].currency
    total = sum((i.outstanding for i in owed if i.currency == currency), Decimal(0))
    return f"{total.quantize(Decimal('0.01')):.2f}"


__all__ = ["Preview", "PreviewError", "PreviewItem", "preview_day"]
