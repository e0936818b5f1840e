"""SLA clocks: which deadline a case is racing, how much time is left, and the watch that
re-announces cases whose first response is overdue (a scheduler follow-up step).

The deadlines themselves are set when a case opens (``storage.cases.sla_deadlines``: per queue,
in working or calendar days from the policy). Everything here except ``SlaWatch`` is pure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from config.policy import Policy
from storage.case_actions import raise_priority
from storage.escalations import first_response_missed, mark
from storage.interaction_log import InteractionLog
from storage.models import Case

ClockName = Literal["first_response", "resolution"]
OverdueNotifier = Callable[[Case], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SlaClock:
    """The deadline a case is racing now, and where it stands at ``now``."""

    name: ClockName
    due: datetime
    left: timedelta  # negative once overdue

    @property
    def breached(self) -> bool:
        return self.left < timedelta(0)

    @property
    def label(self) -> str:
        return "first response" if self.name == "first_response" else "resolution"

    def describe(self) -> str:
        """ "3h 05m left" / "overdue by 1d 2h", for the console's countdown column."""
        text = span_text(abs(self.left))
        return f"overdue by {text}" if self.breached else f"{text} left"


def span_text(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


def sla_clock(
    *,
    status: str,
    first_response_due: datetime | None,
    first_response_at: datetime | None,
    resolve_due: datetime | None,
    now: datetime,
) -> SlaClock | None:
    """The first response deadline until there is one, then the resolution deadline; none once resolved."""
    if status == "resolved":
        return None
    if first_response_at is None and first_response_due is not None:
        return SlaClock("first_response", first_response_due, first_response_due - now)
    if resolve_due is not None:
        return SlaClock("resolution", resolve_due, resolve_due - now)
    return None


def clock_of(case: Case, now: datetime) -> SlaClock | None:
    return sla_clock(
        status=case.status,
        first_response_due=case.first_response_due,
        first_response_at=case.first_response_at,
        resolve_due=case.resolve_due,
        now=now,
    )


def first_response_breached(case: Case, now: datetime) -> bool:
    clock = clock_of(case, now)
    return clock is not None and clock.name == "first_response" and clock.breached


class SlaWatch:
    """``check(now)`` is the follow-up step: ``build_scheduler(follow_ups=[("sla", watch.check)])``.

    A case past its first-response deadline is raised one priority step (logged) and re-announced
    to the staff chat, once.
    """

    def __init__(self, policy: Policy, log: InteractionLog, announce: OverdueNotifier | None = None) -> None:
        self.policy = policy
        self.log = log
        self.announce = announce

    async def check(self, now: datetime) -> dict[str, int]:
        if now.tzinfo is None:
            raise ValueError("the SLA watch needs a timezone-aware instant")
        missed = await first_response_missed(now)
        for case in missed:
            await raise_priority(case, "first response overdue", now=now, log=self.log, actor="system")
            await mark("sla_first_response", [case.id], now, case.id)
            if self.announce is not None:
                await self.announce(case)
        return {"first_response_missed": len(missed)} if missed else {}
