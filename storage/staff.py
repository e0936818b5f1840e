"""Staff accounts: passwords (scrypt), roles and queues, disabling, Telegram links, login throttling.

Every change is one function that also appends the interaction-log event (system chain) naming
who made it. Passwords are never logged or returned; only their scrypt hashes are stored.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from config.policy import Policy
from storage.interaction_log import InteractionLog, LogEvent
from storage.models import Borrower, Case, LoginThrottle, StaffUser
from storage.permissions import check_queues, check_role

# scrypt cost: 32 MiB and ~80 ms per hash here; stored with each hash, so it can be raised later.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# Compared against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH: str | None = None


class StaffError(Exception):
    """A refused account change; the message says why (shown to the operator)."""


# --- passwords ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, *, n: int | None = None, r: int | None = None, p: int | None = None) -> str:
    # The cost is read at call time so tests can lower it for speed (tests/staff/conftest.py).
    n, r, p = n or SCRYPT_N, r or SCRYPT_R, p or SCRYPT_P
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(key)
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM, dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


async def verify_password_async(password: str, stored: str) -> bool:
    # scrypt holds the CPU for tens of milliseconds: keep it off the event loop.
    return await asyncio.to_thread(verify_password, password, stored)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise StaffError("a password must not start or end with spaces")
    return password


def check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise StaffError(
            "a username is 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return username


# --- accounts ---------------------------------------------------------------------------------


def _staff_event(kind: str, now: datetime, actor: str, staff: StaffUser, **data: object) -> LogEvent:
    return LogEvent(kind, now, None, actor, {"staff": staff.username, **data})


async def get_staff(username: str) -> StaffUser | None:
    return await StaffUser.get_or_none(username=username)


async def list_staff() -> list[StaffUser]:
    return await StaffUser.all().order_by("username")


async def create_staff(
    username: str,
    role: str,
    queues: Iterable[str],
    password: str,
    *,
    now: datetime,
    log: InteractionLog,
    actor: str,
) -> StaffUser:
    check_username(username)
    try:
        role = check_role(role)
        queue_list = check_queues(queues)
    except ValueError as exc:
        raise StaffError(str(exc)) from None
    check_password(password)
    password_hash = await asyncio.to_thread(hash_password, password)
    try:
        staff = await StaffUser.create(
            username=username, password_hash=password_hash, role=role, queues=queue_list, created_at=now
        )
    except IntegrityError:
        raise StaffError(f"a staff account named {username!r} already exists") from None
    await log.append(_staff_event("staff.created", now, actor, staff, role=role, queues=queue_list))
    return staff


async def _require(username: str) -> StaffUser:
    staff = await get_staff(username)
    if staff is None:
        raise StaffError(f"no staff account named {username!r}")
    return staff


async def disable_staff(username: str, *, now: datetime, log: InteractionLog, actor: str) -> StaffUser:
    """Disable an account: its sessions end (epoch bumped) and its open cases go back to their queues."""
    staff = await _require(username)
    if staff.disabled:
        return staff
    await StaffUser.filter(id=staff.id).update(disabled=True, session_epoch=staff.session_epoch + 1)
    staff.disabled, staff.session_epoch = True, staff.session_epoch + 1
    returned = await Case.filter(assignee_id=staff.id).exclude(status="resolved").prefetch_related("borrower")
    events = [_staff_event("staff.disabled", now, actor, staff, cases_returned=[c.reference for c in returned])]
    for case in returned:
        await Case.filter(id=case.id).update(assignee_id=None, status="open")
        borrower: Borrower | None = case.borrower
        events.append(
            LogEvent(
                "case.unassigned",
                now,
                borrower.borrower_id if borrower else None,
                actor,
                {"case_id": case.id, "reference": case.reference, "from": staff.username, "why": "account disabled"},
            )
        )
    await log.append_many(events)
    return staff


async def enable_staff(username: str, *, now: datetime, log: InteractionLog, actor: str) -> StaffUser:
    staff = await _require(username)
    if staff.disabled:
        await StaffUser.filter(id=staff.id).update(disabled=False)
        staff.disabled = False
        await log.append(_staff_event("staff.enabled", now, actor, staff))
    return staff


async def reset_password(username: str, password: str, *, now: datetime, log: InteractionLog, actor: str) -> StaffUser:
    """A new password; every session of the account ends."""
    staff = await _require(username)
    check_password(password)
    password_hash = await asyncio.to_thread(hash_password, password)
    await StaffUser.filter(id=staff.id).update(password_hash=password_hash, session_epoch=staff.session_epoch + 1)
    staff.password_hash, staff.session_epoch = password_hash, staff.session_epoch + 1
    await LoginThrottle.filter(key=f"user:{username}").delete()
    await log.append(_staff_event("staff.password_reset", now, actor, staff))
    return staff


async def set_queues(
    username: str, queues: Iterable[str], *, now: datetime, log: InteractionLog, actor: str
) -> StaffUser:
    staff = await _require(username)
    try:
        queue_list = check_queues(queues)
    except ValueError as exc:
        raise StaffError(str(exc)) from None
    await StaffUser.filter(id=staff.id).update(queues=queue_list)
    old, staff.queues = staff.queues, queue_list
    await log.append(_staff_event("staff.queues_set", now, actor, staff, queues=queue_list, previous=old))
    return staff


async def set_available(staff: StaffUser, available: bool, *, now: datetime, log: InteractionLog, actor: str) -> None:
    await StaffUser.filter(id=staff.id).update(available=available)
    staff.available = available
    await log.append(_staff_event("staff.availability_set", now, actor, staff, available=available))


async def link_telegram(
    staff: StaffUser, telegram_user_id: int | None, *, now: datetime, log: InteractionLog, actor: str
) -> None:
    """Link (or with None unlink) the Telegram user whose "Take" presses act as this member."""
    if telegram_user_id is not None:
        other = await StaffUser.filter(telegram_user_id=telegram_user_id).exclude(id=staff.id).first()
        if other is not None:
            raise StaffError("that Telegram user is already linked to another staff account")
    previous = staff.telegram_user_id
    try:
        await StaffUser.filter(id=staff.id).update(telegram_user_id=telegram_user_id)
    except IntegrityError:
        raise StaffError("that Telegram user is already linked to another staff account") from None
    staff.telegram_user_id = telegram_user_id
    await log.append(
        _staff_event("staff.telegram_linked", now, actor, staff, telegram_user_id=telegram_user_id, previous=previous)
    )


# --- login throttling (pure) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThrottleState:
    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


def locked_until(state: ThrottleState, now: datetime) -> datetime | None:
    """The end of a lock in force at ``now``, else None."""
    return state.locked_until if state.locked_until is not None and now < state.locked_until else None


def after_failure(state: ThrottleState, now: datetime, max_failures: int, lock: timedelta) -> ThrottleState:
    """Count one more failure. Failures older than ``lock`` are forgotten; reaching
    ``max_failures`` locks the key for ``lock`` and starts the count afresh."""
    lock_over = state.locked_until is not None and now >= state.locked_until
    forgotten = state.first_failure_at is None or now - state.first_failure_at > lock
    if lock_over or forgotten:
        state = ThrottleState(0, now, None)
    failures = state.failures + 1
    if failures >= max_failures:
        return ThrottleState(0, None, now + lock)
    return replace(state, failures=failures)


# --- login ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginResult:
    staff: StaffUser | None
    locked_until: datetime | None = None


def _throttle_keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username[:100]}", f"addr:{address[:100]}"


async def _state(key: str) -> ThrottleState:
    row = await LoginThrottle.get_or_none(key=key)
    if row is None:
        return ThrottleState()
    return ThrottleState(row.failures, row.first_failure_at if row.failures else None, row.locked_until)


async def _save(key: str, state: ThrottleState, now: datetime) -> None:
    await LoginThrottle.update_or_create(
        key=key,
        defaults={
            "failures": state.failures,
            "first_failure_at": state.first_failure_at or now,
            "locked_until": state.locked_until,
        },
    )


async def authenticate(
    username: str, password: str, address: str, *, now: datetime, policy: Policy, log: InteractionLog
) -> LoginResult:
    """Check a login. A locked account or address is refused before the password is looked at."""
    global _DUMMY_HASH
    settings = policy.console
    lock = timedelta(minutes=settings.login_lock_minutes)
    user_key, addr_key = _throttle_keys(username, address)
    user_state, addr_state = await _state(user_key), await _state(addr_key)
    # One address may try several names: it is locked only after several accounts' worth of failures.
    addr_max = settings.login_max_failures * 4
    until = max(
        (t for t in (locked_until(user_state, now), locked_until(addr_state, now)) if t is not None), default=None
    )
    if until is not None:
        return LoginResult(None, until)
    staff = await StaffUser.get_or_none(username=username)
    if staff is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = await asyncio.to_thread(hash_password, secrets.token_hex(8))
        await verify_password_async(password, _DUMMY_HASH)
        ok = False
    else:
        ok = await verify_password_async(password, staff.password_hash) and not staff.disabled
    if ok:
        assert staff is not None
        await LoginThrottle.filter(key=user_key).delete()
        await log.append(LogEvent("staff.login", now, None, f"staff:{staff.username}", {"staff": staff.username}))
        return LoginResult(staff)
    user_state = after_failure(user_state, now, settings.login_max_failures, lock)
    addr_state = after_failure(addr_state, now, addr_max, lock)
    await _save(user_key, user_state, now)
    await _save(addr_key, addr_state, now)
    until = max((t for t in (user_state.locked_until, addr_state.locked_until) if t is not None), default=None)
    if until is not None:
        await log.append(
            LogEvent(
                "staff.login_locked", now, None, "system", {"username": username[:100], "until": until.isoformat()}
            )
        )
    return LoginResult(None, until)
