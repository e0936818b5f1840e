"""The closed set of intents and the order in which they win.

The order is the README's precedence: when one reply carries several intents, the
earliest one here is the primary intent. Safety intents come first so that a
complaint, a dispute or an opt-out can never be hidden behind a promise.
"""

from __future__ import annotations

from typing import Final

INTENTS: Final[tuple[str, ...]] = (
    "complaint",
    "dispute",
    "opt_out",
    "wrong_number",
    "hardship",
    "already_paid",
    "promise_to_pay",
    "human_request",
    "balance_inquiry",
    "help",
    "opt_in",
    "acknowledge",
    "other",
)

# Rank of each intent: lower wins. A mapping (not just the tuple) so callers can sort with it.
PRECEDENCE: Final[dict[str, int]] = {intent: rank for rank, intent in enumerate(INTENTS)}

COMPLAINT: Final = "complaint"
OTHER: Final = "other"
PROMISE: Final = "promise_to_pay"
