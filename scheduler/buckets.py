"""Days-past-due buckets of a loan: ``current``, ``1-30``, ``31-60``, ``61-90``, ``91+``.

A loan's bucket follows its most overdue unpaid installment. The bucket edges are the industry's
fixed reporting buckets, not policy: reports and the ``dpd_jump`` warning compare them over time.
"""

from __future__ import annotations

from typing import Final

BUCKETS: Final = ("current", "1-30", "31-60", "61-90", "91+")
_FLOORS: Final = ((91, "91+"), (61, "61-90"), (31, "31-60"), (1, "1-30"))


def bucket_for(dpd: int) -> str:
    """The bucket of ``dpd`` days past due (0 or less: ``current``)."""
    for floor, name in _FLOORS:
        if dpd >= floor:
            return name
    return "current"


def bucket_rank(bucket: str) -> int:
    """0 for ``current`` up to 4 for ``91+``."""
    return BUCKETS.index(bucket)
