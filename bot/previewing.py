"""The preview of a day with what the service is configured with: its channels, kill switch,
templates (the lender's variants) and the experiments' stopped arms. Used by ``duebot preview``
and ``/console/preview``."""

from __future__ import annotations

from datetime import date, datetime

from config.policy import Policy
from config.settings import Settings
from scheduler.preview import Preview, preview_day
from scheduler.rendering import MessageRenderer
from storage.experiments import stopped_arms


async def preview_as_configured(
    day: date, *, settings: Settings, policy: Policy, now: datetime, renderer: MessageRenderer | None = None
) -> Preview:
    renderer = renderer or MessageRenderer(lender_dir=settings.templates_dir)
    return await preview_day(
        day,
        policy=policy,
        now=now,
        channels=settings.channels_on,
        sending_enabled=settings.sending_enabled,
        has_variant=renderer.has_template,
        stopped=await stopped_arms(),
    )
