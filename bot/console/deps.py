"""What the console and the case-action API need besides ``Services``, wired by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from bot.api.common import SERVICES
from bot.services import Services
from storage.cases import CaseNotifier
from storage.models import Case, StaffUser

if TYPE_CHECKING:
    from scheduler.staff_reply import ReplyOutcome

Kick = Callable[[datetime], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class StaffDeps:
    """``kick(now)`` sends a stored reply at once (the answer lane's ``kick``, which never waits for
    the send); without it, and without a scheduler on the app, a reply waits for the next pass.
    ``notify`` announces new cases to the staff chat. ``channels``: the configured channel names
    (None: ask the scheduler)."""

    kick: Kick | None = None
    notify: CaseNotifier | None = None
    channels: Collection[str] | None = None


STAFF_DEPS = web.AppKey("staff_deps", StaffDeps)


class SessionKey:
    """The console's session key, derived on first use: ``signing_key()`` may read the key file,
    which an app that never serves the console need not do."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._key: bytes | None = None

    def get(self) -> bytes:
        if self._key is None:
            from bot.console.session import derive_session_key

            self._key = derive_session_key(self._services.settings.signing_key())
        return self._key


SESSION_KEY = web.AppKey("console_session_key", SessionKey)
# Set by the console middleware for a signed-in member.
CURRENT_STAFF = web.RequestKey("console_staff", StaffUser)
CSRF_TOKEN = web.RequestKey("console_csrf", str)


def services_of(request: web.Request) -> Services:
    return request.app[SERVICES]


def deps_of(request: web.Request) -> StaffDeps:
    return request.app.get(STAFF_DEPS) or StaffDeps()


def kick_of(request: web.Request) -> Kick | None:
    deps = deps_of(request)
    if deps.kick is not None:
        return deps.kick
    from bot.wiring import SCHEDULER

    scheduler = request.app.get(SCHEDULER)
    return scheduler.answers.kick if scheduler is not None else None


async def reply_as(request: web.Request, case: Case, staff: StaffUser, text: str) -> ReplyOutcome:
    """A staff member's reply to the case's borrower, through the contact guard (console and API)."""
    from scheduler.staff_reply import reply_to_borrower
    from storage.case_actions import actor_for

    services = services_of(request)
    return await reply_to_borrower(
        case,
        text,
        actor=actor_for(staff),
        now=services.clock(),
        policy=services.policy,
        log=services.log,
        sending_enabled=services.settings.sending_enabled,
        lender_name=services.settings.lender_name,
        lender_contact=services.settings.lender_contact,
        channels=channels_of(request),
        kick=kick_of(request),
    )


def channels_of(request: web.Request) -> Collection[str] | None:
    deps = deps_of(request)
    if deps.channels is not None:
        return deps.channels
    from bot.wiring import SCHEDULER

    scheduler = request.app.get(SCHEDULER)
    return set(scheduler.channels) if scheduler is not None else None
