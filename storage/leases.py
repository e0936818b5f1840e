"""Named leases one process holds at a time (the Telegram poller, the planner, the follow-ups).

A lease is taken or renewed until ``now + seconds`` and is free again once that instant has passed
on the holder's clock (the wall clock: leases are about live processes), or when released.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from storage.models import ServiceLease


async def acquire_lease(name: str, owner: str, now: datetime, seconds: float) -> bool:
    """Take or renew ``name`` for ``owner`` until now + seconds; False while another owner holds it."""
    until = now + timedelta(seconds=seconds)
    renewed = await ServiceLease.filter(Q(owner=owner) | Q(until__lt=now), name=name).update(owner=owner, until=until)
    if renewed:
        return True
    try:
        await ServiceLease.create(name=name, owner=owner, until=until)
    except IntegrityError:  # someone else holds it (or took it just now)
        return False
    return True


async def release_lease(name: str, owner: str) -> None:
    await ServiceLease.filter(name=name, owner=owner).delete()
