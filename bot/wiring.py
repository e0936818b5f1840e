"""The composition root: channels, renderer, dispatcher and the scheduler pass, built from settings."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.services import Services
from config.errors import ConfigError
from config.policy import Policy
from scheduler.answers import AnswerLane
from scheduler.channel import Channel
from scheduler.cycle import FollowUp, ServicingPass
from scheduler.dispatch import Dispatcher, DispatchSettings, TelegramInvite
from scheduler.experiments import missing_variants
from scheduler.rendering import MessageRenderer
from scheduler.tiers import all_tiers
from storage.counters import CounterBatch

if TYPE_CHECKING:
    from bot.staff_chat import StaffChat


def build_channels(services: Services) -> dict[str, Channel]:
    """A channel whose credentials are missing is simply absent (off)."""
    settings, sending = services.settings, services.policy.sending
    channels: dict[str, Channel] = {}
    if settings.sms_configured:
        from bot.channels.sms import TwilioSmsChannel

        assert settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from
        channels["sms"] = TwilioSmsChannel(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_from,
            api_base=settings.twilio_api_base or "https://api.twilio.com",
            per_second=sending.twilio_per_second,
        )
    if settings.telegram_configured:
        from bot.channels.telegram import TelegramChannel

        assert settings.telegram_bot_token is not None
        channels["telegram"] = TelegramChannel(
            settings.telegram_bot_token.get_secret_value(),
            api_base=settings.telegram_api_base or "https://api.telegram.org",
            per_second=sending.telegram_per_second,
            per_chat_per_second=sending.telegram_per_chat_per_second,
        )
    return channels


def build_staff_chat(services: Services, channels: Mapping[str, Channel]) -> StaffChat | None:
    """The staff Telegram chat, when DUEBOT_STAFF_TELEGRAM_CHAT_ID is set and Telegram is on."""
    chat_id = services.settings.staff_telegram_chat_id
    get_bot = getattr(channels.get("telegram"), "get_bot", None)
    if chat_id is None or get_bot is None:
        return None
    from bot.staff_chat import StaffChat

    return StaffChat(get_bot, chat_id, services)


def build_invites(services: Services, channels: Mapping[str, Channel]) -> TelegramInvite | None:
    """Telegram invitations in SMS reminders, when Telegram is on."""
    get_bot = getattr(channels.get("telegram"), "get_bot", None)
    if get_bot is None:
        return None
    from bot.telegram_invites import TelegramInvites

    return TelegramInvites(get_bot, services.log)


def build_follow_ups(services: Services, chat: StaffChat | None) -> list[tuple[str, FollowUp]]:
    """The steps every pass runs after dispatch: promise checks, escalations by days past due (and
    unreachable borrowers, unknown sends), SLA breaches, the daily risk review (tiers, early
    warnings), experiments' guardrails and the dashboard's daily figures. New and overdue cases go
    to ``chat``."""
    from scheduler.experiment_watch import GuardrailWatch
    from scheduler.promises import PromiseCheck
    from scheduler.report import DashboardWarmup
    from scheduler.risk_pass import RiskReview
    from scheduler.routing import Escalations
    from scheduler.sla import SlaWatch

    policy, log = services.policy, services.log
    notify = chat.announce_case if chat is not None else None
    return [
        ("promises", PromiseCheck(policy, log, notify)),
        ("escalations", Escalations(policy, log, notify).escalate),
        ("sla", SlaWatch(policy, log, chat.announce_overdue if chat is not None else None).check),
        # After promises and escalations: it scores the cases and broken promises they just recorded.
        ("risk", RiskReview(policy, log, notify)),
        ("experiments", GuardrailWatch(policy, log, chat.tell if chat is not None else None)),
        # Last: the day's figures see the day's tiers.
        ("reports", DashboardWarmup(policy)),
    ]


def build_renderer(services: Services) -> MessageRenderer:
    """Every template is rendered with sample data now: a broken one stops start-up (exit 3)."""
    renderer = MessageRenderer(lender_dir=services.settings.templates_dir)
    check_renderer(renderer, services.policy)
    return renderer


def check_renderer(renderer: MessageRenderer, policy: Policy) -> None:
    """The templates render, and every variant a strategy or an experiment names exists (exit 3)."""
    renderer.check_templates({tier.stage for tier in all_tiers(policy)})
    problems = missing_variants(policy, renderer.variants)
    if problems:
        raise ConfigError("policy: " + "\n".join(problems))


def status_callback_url(services: Services) -> str | None:
    base = services.settings.public_base_url
    return f"{base}/webhooks/twilio/status" if base else None


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Scheduler:
    """What a running pass needs; one per process."""

    servicing: ServicingPass
    dispatcher: Dispatcher
    channels: Mapping[str, Channel]
    counters: CounterBatch
    answers: AnswerLane

    async def close(self) -> None:
        await self.answers.close()
        for channel in self.channels.values():
            await channel.close()


def build_scheduler(
    services: Services,
    *,
    channels: Mapping[str, Channel] | None = None,
    renderer: MessageRenderer | None = None,
    follow_ups: list[tuple[str, FollowUp]] | None = None,
) -> Scheduler:
    channels = dict(channels) if channels is not None else build_channels(services)
    counters = CounterBatch()
    dispatcher = Dispatcher(
        policy=services.policy,
        settings=DispatchSettings(
            sending_enabled=services.settings.sending_enabled,
            lender_name=services.settings.lender_name,
            lender_contact=services.settings.lender_contact,
            status_callback_url=status_callback_url(services),
        ),
        channels=channels,
        renderer=renderer or build_renderer(services),
        log=services.log,
        counters=counters,
        owner=process_owner(),
        invite=build_invites(services, channels),
        lease_clock=services.lease_clock,
    )
    servicing = ServicingPass(
        policy=services.policy, dispatcher=dispatcher, log=services.log, counters=counters, follow_ups=follow_ups or []
    )
    answers = AnswerLane(dispatcher, services.clock)
    return Scheduler(servicing=servicing, dispatcher=dispatcher, channels=channels, counters=counters, answers=answers)


SCHEDULER = web.AppKey("scheduler", Scheduler)
