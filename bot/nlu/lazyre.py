"""Regular expressions compiled on first use.

The rule tables hold a few hundred patterns; compiling them all at import would cost
tens of milliseconds of start-up for every process that merely imports duebot (CLI,
workers, tests). A LazyPattern compiles itself the first time it is used instead.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator


class LazyPattern:
    """The subset of ``re.Pattern`` the NLU uses, compiled on first call."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str) -> str:
        return self.compiled.sub(repl, string)

    def findall(self, string: str) -> list[str]:
        return self.compiled.findall(string)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r})"


def lazy(source: str) -> LazyPattern:
    """A pattern that compiles when first used."""
    return LazyPattern(source)
