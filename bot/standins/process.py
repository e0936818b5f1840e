"""Run a stand-in in a child process (benchmarks; a demo that wants the stand-in off its loop)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def spawned_standin(kind: str, *args: str, ready_within: float = 30.0) -> AsyncIterator[str]:
    """Start ``python -m bot.standins KIND ARGS...``; yield its base URL; stop it on exit."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.standins", kind, *args, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(ready_within):
            line = (await process.stdout.readline()).decode().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"stand-in {kind} did not start (said {line!r})")
        yield line.removeprefix("READY ")
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(5):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
