"""Experiments' stopped arms, and the reads behind an experiment's figures."""

from __future__ import annotations

from datetime import datetime

from storage.models import ExperimentStop


async def stopped_arms() -> frozenset[tuple[str, str]]:
    rows = await ExperimentStop.all().values_list("experiment", "arm")
    return frozenset((str(e), str(a)) for e, a in rows)


async def stop_arm(experiment: str, arm: str, now: datetime, reason: str) -> bool:
    """Stop an arm; False when it was already stopped."""
    _, created = await ExperimentStop.get_or_create(
        experiment=experiment, arm=arm, defaults={"stopped_at": now, "reason": reason}
    )
    return created
