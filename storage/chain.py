"""Pure hashing for the interaction log: canonical form, seals, and chain verification.

Each entry's ``hash`` is an HMAC-SHA256 over its canonical form *and* the previous entry's
hash in the same chain. Without the key, an edit, insertion or deletion inside a chain
cannot be re-sealed, and one borrower's chain verifies on its own. Each chain's last (seq, hash)
is also kept as a signed head, so cutting entries off its end, or removing the chain whole, shows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64
_KEY_CONTEXT = b"duebot interaction log v1"


def derive_log_key(secret: bytes) -> bytes:
    """A key used only for the log, so console sessions and the log never share one."""
    return hmac.new(secret, _KEY_CONTEXT, hashlib.sha256).digest()


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_for(borrower_id: str | None) -> str:
    return f"borrower:{borrower_id}" if borrower_id else "system"


@dataclass(frozen=True, slots=True)
class SealedFields:
    chain: str
    seq: int
    at: datetime
    kind: str
    actor: str
    data: str  # canonical JSON
    prev_hash: str

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("log entries need a timezone-aware time")
        if self.seq < 1:
            raise ValueError("sequence numbers start at 1")


def seal(key: bytes, fields: SealedFields) -> str:
    # The instant is normalised to UTC microseconds so the seal survives any database's
    # choice of offset when it hands the time back.
    at = fields.at.timestamp()
    message = "\x1f".join(
        (
            fields.chain,
            str(fields.seq),
            f"{at:.6f}",
            fields.kind,
            fields.actor,
            fields.data,
            fields.prev_hash,
        )
    ).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_head(key: bytes, chain: str, seq: int, digest: str) -> str:
    message = "\x1f".join(("head", chain, str(seq), digest)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredHead:
    seq: int
    hash: str
    seal: str


@dataclass(frozen=True, slots=True)
class StoredEntry:
    id: int
    fields: SealedFields
    hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    entry_id: int
    chain: str
    seq: int
    problem: str

    def describe(self) -> str:
        if self.entry_id == 0:  # nothing left to name but the chain
            return f"chain {self.chain}: {self.problem}"
        return f"entry {self.entry_id} ({self.chain} #{self.seq}): {self.problem}"


class ChainVerifier:
    """Checks entries fed in (chain, seq) order against their seals and their chain's signed head;
    remembers the first break. Call ``finish()`` after the last entry."""

    def __init__(self, key: bytes, heads: Mapping[str, StoredHead] | None = None) -> None:
        self._key = key
        self._heads = heads
        self._chain: str | None = None
        self._last: StoredEntry | None = None
        self._expected_prev = GENESIS
        self._expected_seq = 1
        self._seen: set[str] = set()
        self.checked = 0
        self.first_break: ChainBreak | None = None

    def feed(self, entry: StoredEntry) -> ChainBreak | None:
        f = entry.fields
        if f.chain != self._chain:
            if self._end_of_chain() is not None:
                return self.first_break
            self._chain, self._expected_prev, self._expected_seq = f.chain, GENESIS, 1
            self._seen.add(f.chain)
        self.checked += 1
        problem = None
        if f.seq != self._expected_seq:
            problem = f"sequence gap: expected #{self._expected_seq}"
        elif f.prev_hash != self._expected_prev:
            problem = "previous-hash link does not match"
        elif not hmac.compare_digest(seal(self._key, f), entry.hash):
            problem = "content does not match its seal"
        if problem is not None:
            self.first_break = ChainBreak(entry.id, f.chain, f.seq, problem)
            return self.first_break
        self._last = entry
        self._expected_prev = entry.hash
        self._expected_seq += 1
        return None

    def finish(self, chains: set[str] | None = None) -> ChainBreak | None:
        """The end of the entries: the last chain's head, then heads whose chain had no entry at all
        (of ``chains`` when one chain was checked, else of every head)."""
        if self.first_break is not None or self._end_of_chain() is not None:
            return self.first_break
        for chain in sorted(set(self._heads or {}) if chains is None else chains):
            head = (self._heads or {}).get(chain)
            if chain not in self._seen and head is not None:
                problem = f"its signed head is at #{head.seq} but the chain has no entries: it was removed"
                self.first_break = ChainBreak(0, chain, head.seq, problem)
                return self.first_break
        return None

    def expect_chains(self, chains: set[str], heads: set[str]) -> ChainBreak | None:
        """Every one of ``chains`` (borrowers known to exist) must have been seen or have a head."""
        for chain in sorted(chains - self._seen - heads):
            problem = "the borrower has no interaction log: their chain was removed"
            self.first_break = ChainBreak(0, chain, 0, problem)
            return self.first_break
        return None

    def _end_of_chain(self) -> ChainBreak | None:
        last, self._last = self._last, None
        if self._heads is None or last is None:
            return None
        f = last.fields
        head = self._heads.get(f.chain)
        problem = None
        if head is None:
            problem = "the chain has no signed head: its latest entries may have been removed"
        elif not hmac.compare_digest(seal_head(self._key, f.chain, head.seq, head.hash), head.seal):
            problem = "the chain's head does not match its seal"
        elif head.seq > f.seq:
            problem = f"the chain's signed head is at #{head.seq}: the entries after this one were removed"
        elif head.seq != f.seq or head.hash != last.hash:
            problem = f"the chain's signed head (#{head.seq}) does not match its last entry"
        if problem is not None:
            self.first_break = ChainBreak(last.id, f.chain, f.seq, problem)
        return self.first_break
