"""Portfolio figures as pure data: days-past-due buckets, report periods and the indicators.

What a loan looked like at the end of a date comes from ``storage.portfolio`` already summed
per combination of (bucket at the start, bucket at the end, classification, stage, currency and
the group keys): a few hundred rows for a whole book. Everything here turns those rows, and
the period's event counts, into the named indicators of ``duebot report``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from scheduler.buckets import BUCKETS as DPD_BUCKETS
from scheduler.buckets import bucket_for as dpd_bucket

Bucket = Literal["current", "1-30", "31-60", "61-90", "91+", "paid_off"]
BUCKETS: tuple[Bucket, ...] = get_args(Bucket)
OVERDUE_BUCKETS: frozenset[str] = frozenset(DPD_BUCKETS[1:])
Every = Literal["day", "week", "month"]
EVERY: tuple[Every, ...] = get_args(Every)
GroupBy = Literal["tier", "stage", "product", "channel", "classification", "arm"]
GROUP_BY: tuple[GroupBy, ...] = get_args(GroupBy)
NPL_CLASSES: frozenset[str] = frozenset({"substandard", "doubtful", "loss"})
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
REPLY_WINDOW_HOURS = 72


def bucket_for(dpd: int | None, outstanding: int) -> Bucket:
    """A loan's bucket: ``paid_off`` when nothing is unpaid, else by the days past due of its most
    overdue unpaid installment (None: nothing unpaid is due yet)."""
    if outstanding <= 0:
        return "paid_off"
    return dpd_bucket(dpd or 0)  # type: ignore[return-value]  # one of BUCKETS


class ReportError(ValueError):
    """A report asked for something that cannot be answered (a usage error: exit 2, HTTP 400)."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    since: date
    until: date
    every: Every | None = None
    by: GroupBy | None = None
    experiment: str | None = None  # with by="arm": whose arms

    def __post_init__(self) -> None:
        if self.since > self.until:
            raise ReportError(f"--since {self.since} is after --until {self.until}")
        if self.every is not None and self.every not in EVERY:
            raise ReportError(f"unknown --every {self.every!r}; allowed: {', '.join(EVERY)}")
        if self.by is not None and self.by not in GROUP_BY:
            raise ReportError(f"unknown --by {self.by!r}; allowed: {', '.join(GROUP_BY)}")
        if (self.by == "arm") != (self.experiment is not None):
            raise ReportError("--by arm and --experiment NAME go together")


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def report_request(
    *,
    since: str | None,
    until: str | None,
    every: str | None,
    by: str | None,
    today: date,
    experiment: str | None = None,
    experiments: Iterable[str] = (),
) -> ReportRequest:
    """Defaults: the last 30 days up to yesterday, no series, no grouping."""
    end = parse_day(until, "--until") if until else today - timedelta(days=1)
    # Thirty days in all: up to yesterday, or up to --until when only that is given.
    start = parse_day(since, "--since") if since else end - timedelta(days=29)
    if experiment is not None and experiment not in set(experiments):
        known = ", ".join(sorted(experiments)) or "none in the policy"
        raise ReportError(f"no experiment {experiment!r} (known: {known})")
    return ReportRequest(start, end, every, by, experiment)  # type: ignore[arg-type]  # checked by ReportRequest


def periods(since: date, until: date, every: Every) -> list[tuple[date, date]]:
    """Consecutive (first day, last day) periods covering since..until: days, ISO weeks (Monday
    first) or calendar months, the first and last cut to the range."""
    out: list[tuple[date, date]] = []
    start = since
    while start <= until:
        if every == "day":
            end = start
        elif every == "week":
            end = start + timedelta(days=6 - start.weekday())
        else:
            following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = following - timedelta(days=1)
        end = min(end, until)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


@dataclass(frozen=True, slots=True)
class LoanCell:
    """Loans sharing a start bucket, an end state, a currency and group keys, summed (cents)."""

    start_bucket: Bucket
    end_bucket: Bucket
    classification: str
    stage: str
    currency: str
    keys: dict[str, str]
    loans: int
    outstanding_start: int
    overdue_start: int
    outstanding_end: int
    overdue_end: int


@dataclass(frozen=True, slots=True)
class EventCell:
    """One counted figure of the period for a group (``keys``), e.g. ("messages_sent", "sms")."""

    indicator: str
    part: str | None
    keys: dict[str, str]
    value: int


@dataclass(frozen=True, slots=True)
class CaseTiming:
    kind: str
    keys: dict[str, str]
    hours_to_first_response: float | None


@dataclass
class PortfolioData:
    """What storage read for one period: loan cells, counted events, first-response times."""

    loans: list[LoanCell] = field(default_factory=list)
    events: list[EventCell] = field(default_factory=list)
    timings: list[CaseTiming] = field(default_factory=list)


def money(cents: int) -> str:
    return f"{(Decimal(cents) / 100).quantize(Decimal('0.01')):.2f}"


def rate(part: int | float, whole: int | float) -> float | None:
    """A share rounded to four places; None when there is nothing to divide by."""
    return None if not whole else round(part / whole, 4)


def _per_currency(cells: Iterable[LoanCell], value: Callable[[LoanCell], int]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for cell in cells:
        totals[cell.currency] += value(cell)
    return dict(sorted(totals.items()))


def _money_map(cents: dict[str, int]) -> dict[str, str]:
    return {currency: money(amount) for currency, amount in sorted(cents.items())}


def loan_indicators(cells: Sequence[LoanCell]) -> dict[str, Any]:
    """Stock figures at the end, roll rates and cure from the start, per currency where money."""
    outstanding = [c for c in cells if c.end_bucket != "paid_off"]
    overdue = [c for c in cells if c.overdue_end > 0]
    loans_outstanding = sum(c.loans for c in outstanding)
    loans_overdue = sum(c.loans for c in overdue)
    outstanding_cents = _per_currency(cells, lambda c: c.outstanding_end)
    buckets = {b: sum(c.loans for c in cells if c.end_bucket == b) for b in BUCKETS}
    classification: dict[str, Any] = {}
    for name in CLASSES:
        mine = [c for c in outstanding if c.classification == name]
        classification[name] = {
            "loans": sum(c.loans for c in mine),
            "amount": _money_map(_per_currency(mine, lambda c: c.outstanding_end)),
        }
    npl_cents = _per_currency((c for c in outstanding if c.classification in NPL_CLASSES), lambda c: c.outstanding_end)
    roll_rates = {
        start: {end: sum(c.loans for c in cells if c.start_bucket == start and c.end_bucket == end) for end in BUCKETS}
        for start in BUCKETS
    }
    overdue_at_start = [c for c in cells if c.start_bucket in OVERDUE_BUCKETS]
    cured = sum(c.loans for c in overdue_at_start if c.end_bucket in ("current", "paid_off"))
    return {
        "loans_outstanding": loans_outstanding,
        "loans_overdue": loans_overdue,
        "overdue_rate": rate(loans_overdue, loans_outstanding),
        "outstanding_amount": _money_map(outstanding_cents),
        "overdue_amount": _money_map(_per_currency(cells, lambda c: c.overdue_end)),
        "buckets": buckets,
        "classification": classification,
        "npl_ratio": {cur: rate(npl_cents.get(cur, 0), whole) for cur, whole in outstanding_cents.items()},
        "roll_rates": roll_rates,
        "cure_rate": rate(cured, sum(c.loans for c in overdue_at_start)),
    }


def _counted(events: Sequence[EventCell], indicator: str) -> int:
    return sum(e.value for e in events if e.indicator == indicator)


def _parts(events: Sequence[EventCell], indicator: str, known: Iterable[str] = ()) -> dict[str, int]:
    out: dict[str, int] = dict.fromkeys(known, 0)
    for e in events:
        if e.indicator == indicator and e.part is not None:
            out[e.part] = out.get(e.part, 0) + e.value
    return dict(sorted(out.items()))


def event_indicators(
    events: Sequence[EventCell], timings: Sequence[CaseTiming], overdue_start: dict[str, int]
) -> dict[str, Any]:
    """Flows of the period: money collected, contact, promises, complaints and cases."""
    collected = _parts(events, "collected_amount")
    recovered = _parts(events, "recovered_amount")
    sent = _parts(events, "messages_sent", ("sms", "telegram"))
    delivered = _parts(events, "messages_delivered", ("sms", "telegram"))
    reminded = _counted(events, "borrowers_reminded")
    replied = _counted(events, "borrowers_replied")
    checked = {s: _counted(events, f"promises_{s}") for s in ("kept", "partly_kept", "broken")}
    opt_outs = _counted(events, "opt_outs")
    hours = [t.hours_to_first_response for t in timings if t.hours_to_first_response is not None]
    currencies = sorted(set(collected) | set(overdue_start))
    return {
        "collected_amount": {cur: money(collected.get(cur, 0)) for cur in currencies if cur in collected},
        "recovery_rate": {cur: rate(recovered.get(cur, 0), overdue_start.get(cur, 0)) for cur in currencies},
        "messages_sent": sent,
        "messages_delivered": delivered,
        "delivery_rate": rate(sum(delivered.values()), sum(sent.values())),
        "borrowers_reminded": reminded,
        "borrowers_replied": replied,
        "reply_rate": rate(replied, reminded),
        "promises_made": _counted(events, "promises_made"),
        "promises_kept": checked["kept"],
        "promises_partly_kept": checked["partly_kept"],
        "promises_broken": checked["broken"],
        "promise_kept_rate": rate(checked["kept"], sum(checked.values())),
        "opt_outs": opt_outs,
        "opt_out_rate": rate(opt_outs, reminded),
        "complaints_received": _counted(events, "complaints_received"),
        "complaints_first_response_on_time": _counted(events, "complaints_first_response_on_time"),
        "complaints_resolved_on_time": _counted(events, "complaints_resolved_on_time"),
        "complaints_overdue_open": _counted(events, "complaints_overdue_open"),
        "cases_opened": _parts(events, "cases_opened"),
        "cases_resolved": _parts(events, "cases_resolved"),
        "median_hours_to_first_response": round(statistics.median(hours), 2) if hours else None,
    }


def indicators(data: PortfolioData) -> dict[str, Any]:
    overdue_start = _per_currency(data.loans, lambda c: c.overdue_start)
    return {**loan_indicators(data.loans), **event_indicators(data.events, data.timings, overdue_start)}


def group_keys(data: PortfolioData, by: str) -> list[str]:
    keys = {c.keys[by] for c in data.loans} | {e.keys[by] for e in data.events} | {t.keys[by] for t in data.timings}
    return sorted(keys)


def only_group(data: PortfolioData, by: str, key: str) -> PortfolioData:
    return PortfolioData(
        [c for c in data.loans if c.keys[by] == key],
        [e for e in data.events if e.keys[by] == key],
        [t for t in data.timings if t.keys[by] == key],
    )


def grouped(data: PortfolioData, by: str) -> list[dict[str, Any]]:
    return [{"key": {by: key}, "indicators": indicators(only_group(data, by, key))} for key in group_keys(data, by)]


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested indicators as (``buckets.1-30``, 4) pairs, in the document's order (CSV columns)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value
