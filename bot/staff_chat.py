"""The staff Telegram chat: new and overdue cases posted with "Take" and "Open" buttons.

A post says only what a colleague needs to pick a case up: the borrower's name, the queue, the
kind and the days past due. Never the borrower's message text, phone or amounts: the chat is a
group on a third-party service. Posts are plain text (no HTML), so no name can break them.

Pressing "Take" assigns the case to the staff member linked to that Telegram user (linked in the
console, "My account"), under the console's rules; an unlinked user is told so. aiogram is
imported only inside the functions that talk to Telegram (it costs seconds to import).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.services import Services
from storage.case_actions import CaseActionError, load_case, take
from storage.cases import routing_facts
from storage.models import Case, StaffUser
from storage.permissions import can_act

if TYPE_CHECKING:
    from aiogram import Bot, Router

log = logging.getLogger(__name__)
TAKE_PREFIX = "case:take:"
MAX_ANSWER = 200  # Telegram's limit for a callback answer


@dataclass(frozen=True, slots=True)
class Announcement:
    text: str
    buttons: tuple[tuple[str, str], ...]  # (label, "callback:<data>" or "url:<address>")


def announcement(
    *,
    reference: str,
    borrower_name: str | None,
    queue: str,
    kind: str,
    days_past_due: int,
    case_id: int,
    overdue: bool,
    console_base_url: str | None,
) -> Announcement:
    """The post for a case: the minimum a colleague needs (pure; tested without Telegram)."""
    head = "First response overdue" if overdue else "New case"
    lines = [
        f"{head}: {reference}",
        f"Borrower: {borrower_name or 'unknown sender'}",
        f"Queue: {queue} · {kind.replace('_', ' ')}",
        f"Days past due: {days_past_due}",
    ]
    buttons: list[tuple[str, str]] = [("Take", f"callback:{TAKE_PREFIX}{case_id}")]
    if console_base_url:
        buttons.append(("Open", f"url:{console_base_url.rstrip('/')}/console/cases/{case_id}"))
    return Announcement("\n".join(lines), tuple(buttons))


class StaffChat:
    """Posts to the staff chat. ``announce_case`` fits ``open_case(notify=...)`` and
    ``Escalations(notify=...)``; ``announce_overdue`` fits ``SlaWatch(announce=...)``."""

    def __init__(
        self,
        bot: Callable[[], Bot],
        chat_id: int,
        services: Services,
    ) -> None:
        self._bot = bot
        self.chat_id = chat_id
        self.services = services

    async def announce_case(self, case: Case, created: bool) -> None:
        if created:
            await self._post(case, overdue=False)

    async def announce_overdue(self, case: Case) -> None:
        await self._post(case, overdue=True)

    async def tell(self, text: str) -> None:
        """A plain notice (an experiment's arm stopped by a guardrail)."""
        try:
            await self._bot().send_message(chat_id=self.chat_id, text=text, parse_mode=None)
        except Exception:
            log.warning("could not post a notice to the staff chat", exc_info=True)

    async def _post(self, case: Case, *, overdue: bool) -> None:
        # A staff-chat failure must never stop a case from opening or a pass from finishing.
        try:
            post = await self._announcement(case, overdue)
            await self._send(post)
        except Exception:
            log.warning("could not post case %s to the staff chat", case.id, exc_info=True)

    async def _announcement(self, case: Case, overdue: bool) -> Announcement:
        await case.fetch_related("borrower")
        borrower = case.borrower
        dpd = 0
        if borrower is not None:
            facts = await routing_facts(borrower, case.loan_id, self.services.clock(), self.services.policy)
            dpd = facts.dpd
        return announcement(
            reference=case.reference,
            borrower_name=borrower.full_name if borrower else None,
            queue=case.queue,
            kind=case.kind,
            days_past_due=dpd,
            case_id=case.id,
            overdue=overdue,
            console_base_url=self.services.settings.public_base_url,
        )

    async def _send(self, post: Announcement) -> None:
        from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

        row = []
        for label, target in post.buttons:
            kind, _, value = target.partition(":")
            if kind == "url":
                row.append(InlineKeyboardButton(text=label, url=value))
            else:
                row.append(InlineKeyboardButton(text=label, callback_data=value))
        await self._bot().send_message(
            chat_id=self.chat_id,
            text=post.text,
            parse_mode=None,
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[row]),
        )


async def take_by_telegram(telegram_user_id: int, data: str, *, services: Services, now: datetime) -> str:
    """What pressing "Take" does; returns the answer shown to the presser."""
    if not data.startswith(TAKE_PREFIX):
        return "Unknown button."
    try:
        case_id = int(data.removeprefix(TAKE_PREFIX))
    except ValueError:
        return "Unknown button."
    staff = await StaffUser.get_or_none(telegram_user_id=telegram_user_id)
    if staff is None or staff.disabled:
        return "Your Telegram account is not linked to a staff account. Link it in the console under My account."
    case = await load_case(case_id)
    if case is None:
        return "That case no longer exists."
    if not can_act(staff.role, staff.queues, case.queue):
        return f"Your role may not work the {case.queue} queue."
    try:
        await take(case, staff, now=now, log=services.log)
    except CaseActionError as exc:
        return str(exc)[:MAX_ANSWER]
    return f"{case.reference} is yours, {staff.username}."[:MAX_ANSWER]


def build_staff_router(services: Services, staff_chat_id: int | None = None) -> Router:
    """An aiogram router answering the staff chat's "Take" buttons; include it in the dispatcher."""
    from aiogram import F, Router
    from aiogram.types import CallbackQuery

    router = Router(name="staff_chat")

    @router.callback_query(F.data.startswith(TAKE_PREFIX))
    async def on_take(query: CallbackQuery) -> Any:
        message = query.message
        if staff_chat_id is not None and message is not None and message.chat.id != staff_chat_id:
            return await query.answer("This button works in the staff chat only.")
        text = await take_by_telegram(query.from_user.id, query.data or "", services=services, now=services.clock())
        return await query.answer(text, show_alert=True)

    return router
