"""A progress bar on stderr when it is a terminal; silent otherwise (pipes, CI, tests)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._open = False  # a bar is on the line, not yet ended

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * min(done, self.total) / self.total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {min(done, self.total)}/{self.total}")
        self._open = done < self.total
        if not self._open:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line (when the work stopped short), so what is printed next starts afresh."""
        if self.enabled and self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
