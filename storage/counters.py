"""Counters kept in the database so every process (serve, a tick from cron) adds to the same totals."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Mapping

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from storage.models import Counter

Labels = tuple[tuple[str, str], ...]


def labels_text(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


class CounterBatch:
    """Collects increments during a pass and writes them in one transaction."""

    def __init__(self) -> None:
        self._tally: Tally[tuple[str, str]] = Tally()

    def add(self, name: str, amount: int = 1, **labels: str) -> None:
        self._tally[(name, labels_text(labels))] += amount

    def snapshot(self) -> dict[tuple[str, str], int]:
        return dict(self._tally)

    async def flush(self) -> None:
        if not self._tally:
            return
        items = sorted(self._tally.items())
        self._tally.clear()
        async with in_transaction() as conn:
            # Create missing rows first (racers' duplicates are ignored), then add atomically.
            await Counter.bulk_create(
                [Counter(name=name, labels=labels, value=0) for (name, labels), _ in items],
                ignore_conflicts=True,
                using_db=conn,
            )
            for (name, labels), amount in items:
                await Counter.filter(name=name, labels=labels).using_db(conn).update(value=F("value") + amount)


async def read_counters() -> list[tuple[str, dict[str, str], int]]:
    rows = await Counter.all().order_by("name", "labels").values_list("name", "labels", "value")
    out = []
    for name, labels, value in rows:
        parsed = dict(part.split("=", 1) for part in labels.split(",") if part)
        out.append((name, parsed, int(value)))
    return out
