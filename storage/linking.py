"""Telegram link codes: ``/start CODE`` links a chat to a borrower, once, before the code expires.

Codes are random (not derived from the borrower id) so nobody can guess another borrower's code,
and short enough to type from an SMS: 10 characters from an alphabet without look-alikes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from tortoise.exceptions import IntegrityError

from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, LinkCode

ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH: Final = 10
DEFAULT_TTL: Final = timedelta(days=14)
# Telegram deep links carry at most 64 characters of [A-Za-z0-9_-].
MAX_CODE_LENGTH: Final = 64


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return text.strip().upper()[:MAX_CODE_LENGTH]


async def issue_link_code(
    borrower: Borrower,
    now: datetime,
    *,
    log: InteractionLog,
    ttl: timedelta = DEFAULT_TTL,
    issued_by: str = "system",
) -> LinkCode:
    """A fresh code for ``borrower`` (for an SMS reminder, or staff), valid for ``ttl``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    for _ in range(5):
        try:
            code = await LinkCode.create(
                code=new_code(), borrower=borrower, created_at=now, expires_at=now + ttl, issued_by=issued_by
            )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - five collisions in a 32^10 space
        raise RuntimeError("could not allocate a link code")
    await log.append(
        LogEvent(
            "telegram.link_code_issued",
            now,
            borrower.borrower_id,
            issued_by,
            {"code_id": code.id, "expires_at": code.expires_at.isoformat()},
        )
    )
    return code


async def current_code(
    borrower: Borrower,
    now: datetime,
    *,
    log: InteractionLog,
    issued_by: str,
    min_left: timedelta = timedelta(days=2),
) -> LinkCode:
    """The borrower's unused code with at least ``min_left`` to run, or a fresh one: each reminder
    that invites a borrower to Telegram need not mint (and log) a code of its own."""
    code = await open_code(borrower, now + min_left)
    return code if code is not None else await issue_link_code(borrower, now, log=log, issued_by=issued_by)


async def open_code(borrower: Borrower, valid_at: datetime) -> LinkCode | None:
    """The borrower's newest unused code still valid at ``valid_at``, if any."""
    return (
        await LinkCode.filter(borrower_id=borrower.id, used_at__isnull=True, expires_at__gt=valid_at)
        .order_by("-expires_at")
        .first()
    )


@dataclass(frozen=True, slots=True)
class CodeLookup:
    """A code as the decision sees it: whose it is and whether it can still be used."""

    code_id: int
    borrower_pk: int
    usable: bool
    reason: str  # ok, used, expired


async def look_up_code(text: str, now: datetime) -> CodeLookup | None:
    code = await LinkCode.get_or_none(code=normalise_code(text))
    if code is None:
        return None
    if code.used_at is not None:
        return CodeLookup(code.id, code.borrower_id, False, "used")
    if code.expires_at <= now:
        return CodeLookup(code.id, code.borrower_id, False, "expired")
    return CodeLookup(code.id, code.borrower_id, True, "ok")


async def use_code(code_id: int, chat_id: int, now: datetime) -> bool:
    """Mark the code used by ``chat_id``; False if it was used (or expired) meanwhile."""
    updated = await LinkCode.filter(id=code_id, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now, used_chat_id=chat_id
    )
    return updated == 1
