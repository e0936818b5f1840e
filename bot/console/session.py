"""Console sessions and CSRF tokens: signed values, no server-side session table.

A session cookie carries ``staff id . session epoch . issued-at . nonce`` and an HMAC over them,
keyed from ``Settings.signing_key()`` through a derivation used for nothing else. The epoch is
compared with the account's on every request, so disabling an account, resetting its password
or logging out (all bump the epoch) ends every session it has. CSRF tokens are HMACs of the
session's nonce (or, before login, of a random pre-login cookie), so a page from another site can
neither read nor forge them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_COOKIE = "duebot_session"
PRELOGIN_COOKIE = "duebot_prelogin"
CSRF_FIELD = "csrf_token"
_CONTEXT = b"duebot console session v1"


def derive_session_key(secret: bytes) -> bytes:
    return hmac.new(secret, _CONTEXT, hashlib.sha256).digest()


def _mac(key: bytes, *parts: str) -> str:
    digest = hmac.new(key, "|".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class SessionToken:
    staff_id: int
    epoch: int
    issued_at: int  # unix seconds
    nonce: str


def issue(key: bytes, staff_id: int, epoch: int, now: datetime) -> tuple[str, SessionToken]:
    token = SessionToken(staff_id, epoch, int(now.timestamp()), secrets.token_urlsafe(16))
    body = f"{token.staff_id}.{token.epoch}.{token.issued_at}.{token.nonce}"
    return f"{body}.{_mac(key, 'session', body)}", token


def read(key: bytes, cookie: str | None, now: datetime, max_age: timedelta) -> SessionToken | None:
    """The session in a cookie, if its signature is ours and it has not expired."""
    if not cookie or len(cookie) > 300:
        return None
    body, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _mac(key, "session", body).encode()):
        return None
    try:
        staff_id, epoch, issued_at, nonce = body.split(".", 3)
        token = SessionToken(int(staff_id), int(epoch), int(issued_at), nonce)
    except ValueError:
        return None
    age = now.timestamp() - token.issued_at
    if age < -60 or age > max_age.total_seconds():  # a minute of clock skew between replicas
        return None
    return token


def csrf_for_session(key: bytes, token: SessionToken) -> str:
    return _mac(key, "csrf", token.nonce)


def new_prelogin_nonce() -> str:
    return secrets.token_urlsafe(16)


def csrf_for_login(key: bytes, prelogin_nonce: str) -> str:
    return _mac(key, "login-csrf", prelogin_nonce)


def same(supplied: str | None, expected: str) -> bool:
    return supplied is not None and hmac.compare_digest(supplied.encode(), expected.encode())
