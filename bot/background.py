"""The work a long-running process does besides answering HTTP: the scheduler pass every minute
and the answer lane. ``serve`` and ``worker`` run it the same way, and stop it the same way.

APScheduler is only the clock (``coalesce``, one instance at a time); every claim and lease lives
in the database, so any number of processes can run this beside each other on one PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.wiring import Scheduler

log = logging.getLogger("duebot.background")
PASS_INTERVAL_SECONDS: Final = 60
# A stop lets requests already leaving finish for this long; what has not left goes back.
STOP_SENDS_SECONDS: Final = 5.0


class Background:
    def __init__(self, scheduler: Scheduler, *, interval: float = PASS_INTERVAL_SECONDS, run_passes: bool = True):
        self.scheduler = scheduler
        self.interval = interval
        self.run_passes = run_passes
        self._clock: AsyncIOScheduler | None = None
        self._passes: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self.scheduler.answers.start()
        if not self.run_passes:
            return
        self._clock = AsyncIOScheduler(timezone=UTC)
        self._clock.add_job(
            self.one_pass,
            "interval",
            seconds=self.interval,
            coalesce=True,
            max_instances=1,
            # A moment after start-up, once a server is listening (a port in use ends it first).
            next_run_time=datetime.now(UTC) + timedelta(seconds=2),
            id="servicing-pass",
        )
        self._clock.start()

    async def one_pass(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._passes.add(task)
        try:
            summary = await self.scheduler.servicing.run(datetime.now(UTC))
        except asyncio.CancelledError:
            log.info("scheduler pass stopped by shutdown")
            return
        except Exception:  # a failed pass is logged; the next one runs on time
            log.exception("scheduler pass failed")
            return
        finally:
            self._passes.discard(task)
        if summary.dispatch.outcomes or summary.planned or summary.warnings or summary.follow_ups:
            for line in summary.lines():
                log.info("%s", line)

    async def stop(self, grace: float = STOP_SENDS_SECONDS) -> None:
        """No new pass; messages that have not left go back to the queue, requests already leaving
        get ``grace`` seconds; a pass's remaining follow-ups are cut short (the next pass runs them)."""
        if self._clock is not None:
            self._clock.shutdown(wait=False)
            self._clock = None
        await self.scheduler.dispatcher.stop(grace=grace)
        for task in list(self._passes):
            task.cancel()
        await asyncio.gather(*self._passes, return_exceptions=True)
        await self.scheduler.answers.close()
