"""What the benchmarks share: a throw-away PostgreSQL database, and the environment of a duebot child.

The benchmarks run as scripts (``python bench/NAME.py``), so this folder is on their import path.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def scratch_database(url: str, label: str) -> Iterator[str]:
    """A throw-away database beside the one ``url`` names (nothing in that one is touched), dropped
    afterwards; yields its URL."""
    import asyncpg

    parsed = urlparse(url)
    name = f"duebot_bench_{label}_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            database=parsed.path.lstrip("/") or "postgres",
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield urlunparse(parsed._replace(path=f"/{name}"))
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def duebot_env(database_url: str, policy: Path, **settings: str) -> dict[str, str]:
    """The environment of a duebot child process: this one's, less any ``DUEBOT_*`` setting of the
    developer's (and no ``.env``), with the database, a secret key, the policy and ``settings``
    (``TWILIO_API_BASE="…"`` for ``DUEBOT_TWILIO_API_BASE``)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")},
        "PYTHONPATH": str(ROOT),
        "DUEBOT_ENV_FILE": "",
        "DUEBOT_DATABASE_URL": database_url,
        "DUEBOT_SECRET_KEY": "bench",
        "DUEBOT_POLICY_FILE": str(policy),
        "DUEBOT_LOG_LEVEL": "WARNING",
        **{f"DUEBOT_{name}": value for name, value in settings.items()},
    }


async def best_of(runs: int, call: Callable[[], Awaitable[object]]) -> float:
    """The fastest of ``runs`` awaits of ``call()``, in seconds (in-process timings of one query)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        best = min(best, time.perf_counter() - started)
    return best
