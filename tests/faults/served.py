"""A real ``duebot serve`` process for the fault suite: started, fed signed webhooks, killed.

The service runs as it does in production (its own process, SQLite file, the real twilio client
pointed at an in-test Twilio stand-in); the test reads the database file directly to see what
happened, and the stand-in to see what reached a phone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot.standins import TwilioStandin
from bot.standins.twilio import twilio_signature
from tests.dispatch.support import ACCOUNT_SID, AUTH_TOKEN, FROM
from tests.flows.conftest import HEADER

ROOT = Path(__file__).resolve().parents[2]
API_TOKEN = "fault-suite-token"
# Zones tried, in order, for a borrower whose send window is open now (09:00-20:00 local).
ZONES = (
    "America/New_York", "Europe/London", "Asia/Shanghai", "America/Los_Angeles",
    "Asia/Kolkata", "Pacific/Auckland", "America/Sao_Paulo", "Asia/Tokyo", "Europe/Berlin",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def phone(i: int) -> str:
    return f"+1212555{i:04d}"


def zone_in_window(now: datetime | None = None) -> str | None:
    """A zone where it is now between 10:00 and 18:00, so a reminder may go at once."""
    now = now or datetime.now(UTC)
    for name in ZONES:
        if 10 <= now.astimezone(ZoneInfo(name)).hour < 18:
            return name
    return None


def book(count: int, *, zone: str = "America/New_York", due: str | None = None) -> str:
    """``count`` borrowers, one installment each, due on ``due`` (default: today in ``zone``)."""
    due = due or datetime.now(ZoneInfo(zone)).date().isoformat()
    rows = [f"B{i},Borrower {i},{phone(i)},,en,{zone},sms,L{i},auto,USD,1,{due},100.00" for i in range(count)]
    return HEADER + "\n".join(rows) + "\n"


@dataclass
class Served:
    tmp: Path
    twilio: TwilioStandin
    policy: str = ""
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    sids: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.tmp / "duebot.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        policy_file = self.tmp / "policy.toml"
        policy_file.write_text(self.policy)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
        env.update(
            PYTHONPATH=str(ROOT),
            DUEBOT_DATABASE_URL=f"sqlite://{self.db_path}",
            DUEBOT_POLICY_FILE=str(policy_file),
            DUEBOT_SECRET_KEY="fault-suite-secret-key-0123456789",
            DUEBOT_API_TOKEN=API_TOKEN,
            DUEBOT_PUBLIC_BASE_URL=self.base,
            DUEBOT_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            DUEBOT_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            DUEBOT_TWILIO_FROM=FROM,
            DUEBOT_TWILIO_API_BASE=self.twilio.base_url or "",
            DUEBOT_LENDER_NAME="Northwind Finance",
            DUEBOT_LENDER_CONTACT="+1 800 555 0199",
        )
        return env

    async def cli(self, *args: str, within: float = 120) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, cwd=self.tmp, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=within)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def import_book(self, text: str) -> None:
        path = self.tmp / "book.csv"
        path.write_text(text)
        code, _out, err = await self.cli("import", "loans", str(path))
        assert code == 0, err

    async def start(self, *, wait: bool = True) -> float:
        """Start ``duebot serve``; returns the seconds until it answered ``/healthz``."""
        log = (self.tmp / "serve.log").open("ab")
        started = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), cwd=self.tmp, env=self.env,
            stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        if not wait:
            return 0.0
        async with aiohttp.ClientSession() as session:
            while time.monotonic() - started < 30:
                if self.process.returncode is not None:
                    raise AssertionError(f"serve exited {self.process.returncode}:\n{self.log()[-3000:]}")
                try:
                    async with session.get(self.base + "/healthz", timeout=aiohttp.ClientTimeout(total=1)) as r:
                        if r.status in (200, 503):
                            return time.monotonic() - started
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"serve did not listen within 30 s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        path = self.tmp / "serve.log"
        return path.read_text(errors="replace") if path.exists() else ""

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None

    async def terminate(self, within: float = 30) -> tuple[float, int]:
        """SIGTERM; returns (seconds until it exited, exit code)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), timeout=within)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            code = -9
        self.process = None
        return time.monotonic() - started, code

    async def healthz(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session, session.get(self.base + "/healthz") as response:
            data: dict[str, Any] = await response.json()
            return data

    def signed_sms(self, sender: str, body: str) -> tuple[dict[str, str], dict[str, str]]:
        self.sids += 1
        form = {"MessageSid": f"SMfault{self.sids:08d}", "From": sender, "To": FROM, "Body": body}
        url = self.base + "/webhooks/twilio/sms"
        return form, {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, url, form)}

    async def sms(self, session: aiohttp.ClientSession, sender: str, body: str) -> int:
        form, headers = self.signed_sms(sender, body)
        async with session.post(self.base + "/webhooks/twilio/sms", data=form, headers=headers) as response:
            await response.read()
            return response.status

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path, timeout=30) as conn:
            return conn.execute(query, params).fetchall()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.terminate()


def policy(**sending: object) -> str:
    lines = ["[sending]", *(f"{key} = {value!r}" for key, value in sending.items())]
    return "\n".join(lines) + "\n"
