"""What handlers and commands are given: settings, policy, the log and a clock. Built once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from config.policy import Policy
from config.settings import Settings
from storage.interaction_log import InteractionLog


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    policy: Policy
    log: InteractionLog
    clock: Callable[[], datetime] = field(default=system_clock)
    # The time leases are judged on (claims of live processes): the wall clock, even when ``clock``
    # is a pass's logical ``--now``. Tests and the demo, which move time themselves, pass theirs.
    lease_clock: Callable[[], datetime] = field(default=system_clock)
