"""Running duebot's own commands as real processes against a database of each backend."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Cli:
    url: str
    env: dict[str, str]
    cwd: Path

    async def run(self, *args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", *args, cwd=self.cwd, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite://"):
            import sqlite3

            with sqlite3.connect(self.url.removeprefix("sqlite://")) as conn:
                return conn.execute(query, params).fetchall()
        import asyncpg

        conn = await asyncpg.connect(self.url)
        try:
            if query.lstrip().upper().startswith("SELECT"):
                return [tuple(r) for r in await conn.fetch(query.replace("?", "$1"), *params)]
            await conn.execute(query.replace("?", "$1"), *params)
            return []
        finally:
            await conn.close()

    async def counts(self) -> tuple[int, int, int]:
        [(messages,)] = await self.sql("SELECT count(*) FROM messages")
        [(entries,)] = await self.sql("SELECT count(*) FROM interaction_log")
        [(counters,)] = await self.sql("SELECT count(*) FROM counters")
        return messages, entries, counters
