"""Calendar escalations, a follow-up step of the scheduler pass.

- An unpaid installment reaching ``escalation.collections_dpd`` days past due (borrower's calendar)
  opens an ``overdue_30`` case; reaching ``escalation.legal_dpd`` opens ``overdue_90`` (the legal
  queue by default) and closes the borrower's open ``overdue_30`` case as ``referred_to_legal``.
- A message whose send state is ``unknown`` opens a ``send_unknown`` case: someone must check
  with the provider before anything is resent.
- A borrower who owes overdue money and whom no channel can reach (number wrong or missing, and
  no usable Telegram chat) opens an ``unreachable`` case; reachable again, they may be escalated
  again later.

Each event is escalated once (``storage.escalations`` marks); a borrower holds at most one open case
per kind, so further events are added to it. Queue and priority come from the policy's routing
table (``storage.cases.open_case``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from config.policy import Policy
from scheduler.incremental import must_look_again
from storage.case_actions import resolve
from storage.cases import CaseNotifier, open_case, open_cases
from storage.escalations import (
    OverdueInstallment,
    mark,
    overdue_unmarked,
    unknown_unmarked,
    unmark,
    unreachable_overdue,
)
from storage.interaction_log import InteractionLog
from storage.models import Borrower
from storage.plan_inputs import book_version, seen_version, set_seen_version, zones_in_use
from storage.servicing import set_watermark, watermark

ACTOR = "system"
OVERDUE_WATERMARK = "escalations:overdue"


def by_borrower(items: list[OverdueInstallment]) -> dict[int, list[OverdueInstallment]]:
    """Installments grouped per borrower, oldest due date first (the case is about the oldest)."""
    groups: dict[int, list[OverdueInstallment]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.due_date, i.installment_id)):
        groups[item.borrower_pk].append(item)
    return dict(groups)


class Escalations:
    """``escalate(now)`` is the follow-up step: ``build_scheduler(follow_ups=[("escalations", e.escalate)])``."""

    def __init__(self, policy: Policy, log: InteractionLog, notify: CaseNotifier | None = None) -> None:
        self.policy = policy
        self.log = log
        self.notify = notify

    async def escalate(self, now: datetime) -> dict[str, int]:
        if now.tzinfo is None:
            raise ValueError("escalations need a timezone-aware instant")
        counts: Counter[str] = Counter()
        # Days past due grow only when a local date begins; new overdue rows come only with a
        # change to the book: between those, a minute's pass does not read the overdue book.
        previous, seen = await watermark(OVERDUE_WATERMARK), await seen_version("overdue")
        version = await book_version()
        if must_look_again(await zones_in_use(), previous, now, seen, version):
            await self._overdue(now, counts)
            await set_seen_version("overdue", version)
            if previous is None or now > previous:
                await set_watermark(OVERDUE_WATERMARK, now)
        await self._send_unknown(now, counts)
        await self._unreachable(now, counts)
        return dict(counts)

    async def _overdue(self, now: datetime, counts: Counter[str]) -> None:
        legal_dpd = self.policy.escalation.legal_dpd
        collections_dpd = self.policy.escalation.collections_dpd
        # Legal first: an installment imported already 120 days late goes straight to legal,
        # and marking it for both kinds keeps it from opening a collections case afterwards.
        legal = await overdue_unmarked("overdue_90", now, legal_dpd)
        for borrower_pk, items in by_borrower(legal).items():
            case_id = await self._open(borrower_pk, "overdue_90", items, now, counts)
            refs = [i.installment_id for i in items]
            await mark("overdue_90", refs, now, case_id)
            await mark("overdue_30", refs, now, case_id)
            await self._refer_collections_case(borrower_pk, now, counts)
        collections = await overdue_unmarked("overdue_30", now, collections_dpd)
        for borrower_pk, items in by_borrower(collections).items():
            case_id = await self._open(borrower_pk, "overdue_30", items, now, counts)
            await mark("overdue_30", [i.installment_id for i in items], now, case_id)

    async def _open(
        self, borrower_pk: int, kind: str, items: list[OverdueInstallment], now: datetime, counts: Counter[str]
    ) -> int:
        borrower = await Borrower.get(id=borrower_pk)
        oldest = items[0]
        case, created = await open_case(
            borrower=borrower,
            kind=kind,
            now=now,
            policy=self.policy,
            log=self.log,
            loan_pk=oldest.loan_pk,
            summary=f"{len(items)} installment(s) unpaid, the oldest {oldest.dpd} days past due",
            actor=ACTOR,
            details={"installment_ids": [i.installment_id for i in items], "days_past_due": oldest.dpd},
            notify=self.notify,
        )
        counts[f"{kind}.{'opened' if created else 'added'}"] += 1
        return case.id

    async def _refer_collections_case(self, borrower_pk: int, now: datetime, counts: Counter[str]) -> None:
        borrower = await Borrower.get(id=borrower_pk)
        for case in await open_cases(borrower, "overdue_30"):
            await case.fetch_related("borrower", "loan", "assignee")
            await resolve(
                case,
                "referred_to_legal",
                f"{self.policy.escalation.legal_dpd} days past due: moved to the legal queue",
                now=now,
                log=self.log,
                actor=ACTOR,
            )
            counts["overdue_30.referred_to_legal"] += 1

    async def _send_unknown(self, now: datetime, counts: Counter[str]) -> None:
        for message in await unknown_unmarked():
            assert message.borrower_id is not None
            borrower = await Borrower.get(id=message.borrower_id)
            case, created = await open_case(
                borrower=borrower,
                kind="send_unknown",
                now=now,
                policy=self.policy,
                log=self.log,
                summary=f"a {message.channel} message's send state is unknown: check with the provider "
                "before resending",
                actor=ACTOR,
                details={"message_id": message.id, "key": message.idempotency_key, "channel": message.channel},
                notify=self.notify,
            )
            await mark("send_unknown", [message.id], now, case.id)
            counts[f"send_unknown.{'opened' if created else 'added'}"] += 1

    async def _unreachable(self, now: datetime, counts: Counter[str]) -> None:
        newly, reachable_again = await unreachable_overdue(now)
        await unmark("unreachable", reachable_again)
        for borrower in newly:
            case, created = await open_case(
                borrower=borrower,
                kind="unreachable",
                now=now,
                policy=self.policy,
                log=self.log,
                summary="overdue and no channel can reach the borrower (phone wrong or missing, no usable Telegram)",
                actor=ACTOR,
                notify=self.notify,
            )
            await mark("unreachable", [borrower.id], now, case.id)
            counts[f"unreachable.{'opened' if created else 'added'}"] += 1
