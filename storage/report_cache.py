"""Reports kept for the day they were computed on (the dashboard's repeated views)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage.models import ReportCache


async def cached_report(key: str, day: date) -> tuple[dict[str, Any], datetime] | None:
    """The report stored under ``key`` on ``day`` and when it was computed, or None."""
    row = await ReportCache.get_or_none(key=key)
    if row is None or row.day != day:
        return None
    return row.body, row.computed_at


async def keep_report(key: str, day: date, at: datetime, body: dict[str, Any]) -> None:
    await ReportCache.update_or_create(key=key, defaults={"day": day, "computed_at": at, "body": body})
