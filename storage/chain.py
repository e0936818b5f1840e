"""Pure hashing for the interaction log: canonical form, seals, and chain verification.

Each entry's ``hash`` is an HMAC-SHA256 over its canonical form *and* the previous entry's
hash in the same chain. Without the key, an edit, insertion or deletion inside a chain
cannot be re-sealed, and one borrower's chain verifies on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
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
        return f"entry {self.entry_id} ({self.chain} #{self.seq}): {self.problem}"


class ChainVerifier:
    """Checks entries fed in (chain, seq) order; remembers the first break."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._chain: str | None = None
        self._expected_prev = GENESIS
        self._expected_seq = 1
        self.checked = 0
        self.first_break: ChainBreak | None = None

    def feed(self, entry: StoredEntry) -> ChainBreak | None:
        f = entry.fields
        if f.chain != self._chain:
            self._chain, self._expected_prev, self._expected_seq = f.chain, GENESIS, 1
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
        self._expected_prev = entry.hash
        self._expected_seq += 1
        return None
