"""Guardrails act by themselves: a pass stops an experiment's arm whose borrowers opt out or
complain more than control's by more than the policy allows (both arms at ``min_borrowers``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.policy import Policy
from scheduler.experiment_stats import count_arms, guardrail_breach
from scheduler.experiments import CONTROL
from storage.experiments import experiment_reach, stop_arm, stopped_arms
from storage.interaction_log import InteractionLog, LogEvent
from storage.servicing import set_watermark, watermark

WATERMARK = "experiments:guardrails"
# Reading an experiment's figures is a few queries over its messages: not every minute.
EVERY = timedelta(minutes=15)
Notify = Callable[[str], Awaitable[None]]


class GuardrailWatch:
    def __init__(self, policy: Policy, log: InteractionLog, notify: Notify | None = None) -> None:
        self.policy = policy
        self.log = log
        self.notify = notify

    async def __call__(self, now: datetime) -> dict[str, int]:
        if not self.policy.experiments:
            return {}
        last = await watermark(WATERMARK)
        if last is not None and last <= now < last + EVERY:
            return {}
        today = now.astimezone(ZoneInfo(self.policy.sla.timezone)).date()
        stopped_now = 0
        already = await stopped_arms()
        for name, experiment in self.policy.experiments.items():
            if not experiment.running_on(today):
                continue
            stopped = {arm for exp, arm in already if exp == name}
            arms = count_arms(experiment, await experiment_reach(name, experiment.start), stopped)
            control = next(a for a in arms if a.arm == CONTROL)
            for arm in arms:
                why = guardrail_breach(arm, control, experiment)
                if why is None or not await stop_arm(name, arm.arm, now, why):
                    continue
                stopped_now += 1
                await self.log.append(
                    LogEvent("experiment.arm_stopped", now, None, data={"experiment": name, "arm": arm.arm, "why": why})
                )
                if self.notify is not None:
                    await self.notify(
                        f"Experiment {name}: arm {arm.arm} stopped by its guardrail ({why}). "
                        "Its borrowers get the control wording from now on."
                    )
        await set_watermark(WATERMARK, now)
        return {"arms_stopped": stopped_now}
