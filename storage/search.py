"""Finding a borrower from what a caller or a colleague has at hand: a name (Chinese too), a phone
number in any format, a loan id, a borrower id or a case or complaint reference."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.database import connection, is_postgres_connection

_DIGITS = re.compile(r"\D")
LIMIT = 50


@dataclass(frozen=True, slots=True)
class Found:
    borrower_id: str
    full_name: str
    phone: str
    timezone: str
    open_cases: int
    why: str  # what matched: name, phone, borrower id, loan id, case reference


def _phone_tail(text: str) -> str | None:
    """The digits a stored E.164 number would end with: a national form drops the country code and
    may carry a trunk 0 ("07400 123456" is +44 7400 123456)."""
    digits = _DIGITS.sub("", text).lstrip("0")
    return digits if len(digits) >= 6 else None


async def find_borrowers(query: str, limit: int = LIMIT) -> list[Found]:
    text = query.strip()
    if not text:
        return []
    conn = connection()
    postgres = is_postgres_connection(conn)
    arg = (lambda n: f"${n}") if postgres else (lambda n: "?")
    like = "ILIKE" if postgres else "LIKE"  # SQLite's LIKE ignores ASCII case already
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    parts = [
        (f"SELECT id, 'borrower id' FROM borrowers WHERE borrower_id = {arg(1)}", text),
        (f"SELECT borrower_id, 'loan id' FROM loans WHERE loan_id = {arg(1)}", text),
        (f"SELECT borrower_id, 'case reference' FROM cases WHERE reference = {arg(1)}", text.upper()),
        (f"SELECT id, 'name' FROM borrowers WHERE full_name {like} {arg(1)} ESCAPE '\\'", f"%{escaped}%"),
    ]
    tail = _phone_tail(text)
    if tail is not None:
        parts.append((f"SELECT id, 'phone' FROM borrowers WHERE phone LIKE {arg(1)}", f"%{tail}"))
    why: dict[int, str] = {}
    for sql, value in parts:
        _, rows = await conn.execute_query(f"{sql} LIMIT {int(limit)}", [value])
        for pk, reason in rows:
            if pk is not None:
                why.setdefault(int(pk), str(reason))
    if not why:
        return []
    ids = sorted(why)[:limit]
    marks = ", ".join(arg(i + 1) for i in range(len(ids)))
    _, rows = await conn.execute_query(
        "SELECT b.id, b.borrower_id, b.full_name, b.phone, b.timezone, "
        "(SELECT COUNT(*) FROM cases c WHERE c.borrower_id = b.id AND c.status <> 'resolved') "
        f"FROM borrowers b WHERE b.id IN ({marks}) ORDER BY b.full_name, b.borrower_id",
        ids,
    )
    return [Found(r[1], r[2], r[3], r[4], int(r[5]), why[int(r[0])]) for r in rows]
