"""The reads behind ``duebot report``: loan states as of any date, and the period's events.

A loan's state at the end of a date D is rebuilt from the book and the payments' ``paid_at``,
whether or not the service ran that day. Payments settle installments oldest first (by due
date, then number; waived ones are skipped: ``storage.allocation``), so an installment's unpaid
part at D is its share of the running total of installments the loan's payments up to D do not
cover::

    unpaid = clamp(cumulative_due_through_it - paid_by_D, 0, amount_due)

which SQL computes for a whole book with one window function. D ends at midnight in each
borrower's own time zone: the zones are few, so their cut-off instants travel as a VALUES list.
Every figure is summed in the database per combination of states and group keys, so a million
installments come back as a few hundred rows. Money is summed in integer cents (SQLite keeps
decimals as text).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.database import connection, is_postgres_connection

# Outbound states that mean the message was handed to a provider (a send we cannot take back).
HANDED_OVER = ("sent", "delivered", "read", "partially_delivered", "undelivered", "failed", "unknown")
# Telegram has no receipts: a sendMessage the Bot API accepted is in the chat, so "sent" counts there.
DELIVERED = "(m.status IN ('delivered', 'read') OR (m.channel = 'telegram' AND m.status = 'sent'))"
OPT_OUT_FIELDS = ("sms_opted_out", "telegram_opted_out")


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Dialect:
    """The few expressions SQLite and PostgreSQL spell differently, with literals inlined: every
    value here is a date, an instant or a zone name this module made or read itself."""

    postgres: bool

    def day(self, value: date) -> str:
        return f"DATE '{value.isoformat()}'" if self.postgres else _text(value.isoformat())

    def instant(self, value: datetime) -> str:
        text = value.astimezone(UTC).isoformat(sep=" ")
        return f"TIMESTAMPTZ '{text}'" if self.postgres else _text(text)

    def days_between(self, later: date, column: str) -> str:
        if self.postgres:
            return f"({self.day(later)} - {column})"
        return f"CAST(julianday({self.day(later)}) - julianday({column}) AS INTEGER)"

    def cents(self, column: str) -> str:
        return f"CAST(ROUND({column} * 100) AS BIGINT)"

    def hours_between(self, earlier: str, later: str) -> str:
        if self.postgres:
            return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"
        return f"((julianday({later}) - julianday({earlier})) * 24.0)"

    def within_hours(self, earlier: str, later: str, hours: int) -> str:
        """``later`` falls in [earlier, earlier + hours]."""
        if self.postgres:
            return f"{later} >= {earlier} AND {later} <= {earlier} + INTERVAL '{int(hours)} hours'"
        return (
            f"julianday({later}) >= julianday({earlier}) "
            f"AND julianday({later}) <= julianday({earlier}) + {hours / 24.0!r}"
        )


def midnight(day: date, zone: str) -> datetime:
    """The instant a local date begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Classing:
    """Days-past-due floors of the stages and the five-level classification (from the policy)."""

    middle_from_dpd: int
    late_from_dpd: int
    special_mention_from_dpd: int
    substandard_from_dpd: int
    doubtful_from_dpd: int
    loss_from_dpd: int

    def stage(self, dpd: str, outstanding: str) -> str:
        return (
            f"CASE WHEN {outstanding} <= 0 THEN 'paid_off' WHEN {dpd} IS NULL OR {dpd} < 0 THEN 'before_due' "
            f"WHEN {dpd} = 0 THEN 'due_today' WHEN {dpd} >= {int(self.late_from_dpd)} THEN 'overdue_late' "
            f"WHEN {dpd} >= {int(self.middle_from_dpd)} THEN 'overdue_middle' ELSE 'overdue_early' END"
        )

    def classification(self, dpd: str) -> str:
        return (
            f"CASE WHEN {dpd} IS NULL THEN 'normal' WHEN {dpd} >= {int(self.loss_from_dpd)} THEN 'loss' "
            f"WHEN {dpd} >= {int(self.doubtful_from_dpd)} THEN 'doubtful' "
            f"WHEN {dpd} >= {int(self.substandard_from_dpd)} THEN 'substandard' "
            f"WHEN {dpd} >= {int(self.special_mention_from_dpd)} THEN 'special_mention' ELSE 'normal' END"
        )


def _unpaid_part(paid: str) -> str:
    """What the payments ``paid`` leave unpaid of an installment (``o.amt``, due through ``o.cum``)."""
    left = f"o.cum - {paid}"
    return f"CASE WHEN {left} <= 0 THEN 0 WHEN {left} >= o.amt THEN o.amt ELSE {left} END"


def bucket_sql(dpd: str, outstanding: str) -> str:
    """``scheduler.portfolio.bucket_for`` in SQL (a test keeps the two in step)."""
    return (
        f"CASE WHEN {outstanding} <= 0 THEN 'paid_off' WHEN {dpd} IS NULL OR {dpd} <= 0 THEN 'current' "
        f"WHEN {dpd} <= 30 THEN '1-30' WHEN {dpd} <= 60 THEN '31-60' WHEN {dpd} <= 90 THEN '61-90' ELSE '91+' END"
    )


@dataclass(frozen=True, slots=True)
class Window:
    """A report period: states at the end of ``start_state`` and of ``end_state`` (local dates of
    each borrower), events between ``opens`` and ``closes`` (instants)."""

    start_state: date
    end_state: date
    opens: datetime
    closes: datetime


@dataclass(frozen=True, slots=True)
class LoanRow:
    start_bucket: str
    end_bucket: str
    classification: str
    stage: str
    currency: str
    key: str
    loans: int
    outstanding_start: int
    overdue_start: int
    outstanding_end: int
    overdue_end: int


@dataclass(frozen=True, slots=True)
class EventRow:
    indicator: str
    part: str | None
    key: str
    value: int


@dataclass(frozen=True, slots=True)
class TimingRow:
    kind: str
    key: str
    hours: float | None
    assignee: str | None


class PortfolioQueries:
    """The SQL of one report period, for one grouping (``by``: None, tier, stage, product,
    channel or classification)."""

    def __init__(
        self, window: Window, zones: Sequence[str], classing: Classing, by: str | None, experiment: str | None = None
    ) -> None:
        self.experiment = experiment
        self.w = window
        self.zones = list(zones) or ["UTC"]
        self.classing = classing
        self.by = by
        self.sql = Dialect(is_postgres_connection(connection()))

    # -- loan states -------------------------------------------------------------------------

    def _cutoffs(self) -> str:
        d = self.sql
        rows = ", ".join(
            f"({_text(z)}, {d.instant(midnight(self.w.start_state + timedelta(days=1), z))}, "
            f"{d.instant(midnight(self.w.end_state + timedelta(days=1), z))})"
            for z in self.zones
        )
        if d.postgres:  # VALUES columns need types PostgreSQL can compare against timestamptz
            return (
                "zc(tz, start_cut, end_cut) AS (SELECT column1::text, column2::timestamptz, column3::timestamptz "
                f"FROM (VALUES {rows}) v)"
            )
        return f"zc(tz, start_cut, end_cut) AS (SELECT column1, column2, column3 FROM (VALUES {rows}))"

    def loan_state_ctes(self) -> str:
        """``loan_state(loan_id, out_start, ovd_start, dpd_start, out_end, ovd_end, dpd_end)``."""
        d, w = self.sql, self.w
        cents_paid, cents_due = d.cents("p.amount"), d.cents("i.amount_due")
        latest_cut = max(midnight(w.end_state + timedelta(days=1), z) for z in self.zones)
        owed_start, owed_end = _unpaid_part("o.p_start"), _unpaid_part("o.p_end")
        return (
            f"{self._cutoffs()}, "
            "paid AS (SELECT p.loan_id, "
            f"SUM(CASE WHEN p.paid_at < zc.start_cut THEN {cents_paid} ELSE 0 END) AS p_start, "
            f"SUM(CASE WHEN p.paid_at < zc.end_cut THEN {cents_paid} ELSE 0 END) AS p_end "
            "FROM payments p JOIN loans l ON l.id = p.loan_id JOIN borrowers b ON b.id = l.borrower_id "
            f"JOIN zc ON zc.tz = b.timezone WHERE p.paid_at < {d.instant(latest_cut)} GROUP BY p.loan_id), "
            f"inst AS (SELECT i.loan_id, i.due_date, {cents_due} AS amt, SUM({cents_due}) OVER "
            "(PARTITION BY i.loan_id ORDER BY i.due_date, i.installment_no ROWS UNBOUNDED PRECEDING) AS cum "
            "FROM installments i WHERE i.state <> 'waived'), "
            "owed0 AS (SELECT inst.loan_id, inst.due_date, inst.amt, inst.cum, COALESCE(paid.p_start, 0) AS p_start, "
            "COALESCE(paid.p_end, 0) AS p_end FROM inst LEFT JOIN paid ON paid.loan_id = inst.loan_id), "
            f"owed AS (SELECT o.loan_id, o.due_date, {owed_start} AS u_start, {owed_end} AS u_end FROM owed0 o), "
            "loan_state AS (SELECT loan_id, SUM(u_start) AS out_start, "
            f"SUM(CASE WHEN due_date < {d.day(w.start_state)} THEN u_start ELSE 0 END) AS ovd_start, "
            f"MAX(CASE WHEN u_start > 0 THEN {d.days_between(w.start_state, 'due_date')} END) AS dpd_start, "
            "SUM(u_end) AS out_end, "
            f"SUM(CASE WHEN due_date < {d.day(w.end_state)} THEN u_end ELSE 0 END) AS ovd_end, "
            f"MAX(CASE WHEN u_end > 0 THEN {d.days_between(w.end_state, 'due_date')} END) AS dpd_end "
            "FROM owed GROUP BY loan_id)"
        )

    def _loan_key(self) -> str:
        return {
            None: "''",
            "tier": "COALESCE(r.tier, 'B')",
            "product": "l.product",
            "channel": "b.preferred_channel",
            "stage": self.classing.stage("ls.dpd_end", "ls.out_end"),
            "classification": self.classing.classification("ls.dpd_end"),
            "arm": self._arm_of("b.id"),
        }[self.by]

    def _arm_of(self, borrower: str) -> str:
        """The arm of experiment ``self.experiment`` the borrower's reminders went under, or 'outside'."""
        name = _text(self.experiment or "")
        if self.sql.postgres:
            arm, exp = "ma.payload->>'arm'", "ma.payload->>'experiment'"
        else:
            arm, exp = "json_extract(ma.payload, '$.arm')", "json_extract(ma.payload, '$.experiment')"
        return (
            f"COALESCE((SELECT MAX({arm}) FROM messages ma WHERE ma.borrower_id = {borrower} "
            f"AND ma.direction = 'out' AND ma.tier IS NOT NULL AND {exp} = {name}), 'outside')"
        )

    async def loan_rows(self) -> list[LoanRow]:
        c = self.classing
        sql = (
            f"WITH {self.loan_state_ctes()} "
            f"SELECT {bucket_sql('ls.dpd_start', 'ls.out_start')} AS sb, "
            f"{bucket_sql('ls.dpd_end', 'ls.out_end')} AS eb, {c.classification('ls.dpd_end')} AS cls, "
            f"{c.stage('ls.dpd_end', 'ls.out_end')} AS stg, l.currency, {self._loan_key()} AS k, COUNT(*), "
            "SUM(ls.out_start), SUM(ls.ovd_start), SUM(ls.out_end), SUM(ls.ovd_end) "
            "FROM loan_state ls JOIN loans l ON l.id = ls.loan_id JOIN borrowers b ON b.id = l.borrower_id "
            "LEFT JOIN borrower_risk r ON r.borrower_id = b.id "
            "GROUP BY sb, eb, cls, stg, l.currency, k"
        )
        _, rows = await connection().execute_query(sql)
        return [
            LoanRow(r[0], r[1], r[2], r[3], r[4], str(r[5]), int(r[6]), *(int(v or 0) for v in r[7:11])) for r in rows
        ]

    # -- events of the period ----------------------------------------------------------------

    def _borrower_ctes(self) -> str:
        """CTEs the borrower's group key needs: the state of each borrower's most overdue loan."""
        if self.by not in ("stage", "classification"):
            return ""
        return (
            f"{self.loan_state_ctes()}, bstate AS (SELECT l.borrower_id, SUM(ls.out_end) AS out_end, "
            "MAX(CASE WHEN ls.out_end > 0 THEN ls.dpd_end END) AS dpd_end FROM loan_state ls "
            "JOIN loans l ON l.id = ls.loan_id GROUP BY l.borrower_id)"
        )

    def _borrower_join(self, borrower: str) -> str:
        """Joins that give ``bk`` (the borrower's key) for rows carrying the borrower's pk."""
        if self.by == "tier":
            return f" LEFT JOIN borrower_risk r ON r.borrower_id = {borrower}"
        if self.by in ("stage", "classification"):
            return f" LEFT JOIN bstate bs ON bs.borrower_id = {borrower}"
        if self.by in ("product", "channel", "arm"):
            return f" JOIN borrowers bk_b ON bk_b.id = {borrower}"
        return ""

    def _borrower_key(self, channel: str | None = None) -> str:
        if self.by == "tier":
            return "COALESCE(r.tier, 'B')"
        if self.by == "stage":
            return self.classing.stage("bs.dpd_end", "COALESCE(bs.out_end, 0)")
        if self.by == "classification":
            return self.classing.classification("bs.dpd_end")
        if self.by == "product":
            return "(SELECT MIN(l2.product) FROM loans l2 WHERE l2.borrower_id = bk_b.id)"
        if self.by == "channel":
            return channel or "bk_b.preferred_channel"
        if self.by == "arm":
            return self._arm_of("bk_b.id")
        return "''"

    def _with(self, *ctes: str) -> str:
        present = [c for c in (self._borrower_ctes(), *ctes) if c]
        return f"WITH {', '.join(present)} " if present else ""

    async def _events(self, indicator: str, sql: str) -> list[EventRow]:
        """``sql`` selects (part, key, value) rows."""
        _, rows = await connection().execute_query(sql)
        return [EventRow(indicator, None if r[0] is None else str(r[0]), str(r[1]), int(r[2] or 0)) for r in rows]

    def _in_period(self, column: str) -> str:
        return f"{column} >= {self.sql.instant(self.w.opens)} AND {column} < {self.sql.instant(self.w.closes)}"

    async def event_rows(self) -> list[EventRow]:
        rows: list[EventRow] = []
        for indicator, sql in self._event_sql():
            rows.extend(await self._events(indicator, sql))
        return rows

    def _event_sql(self) -> list[tuple[str, str]]:
        """(indicator, SQL selecting its (part, key, value) rows), one row of the table each."""
        sent = (
            f"m.direction = 'out' AND m.borrower_id IS NOT NULL AND m.status IN {HANDED_OVER!r} "
            f"AND {self._in_period('m.sent_at')}"
        )
        reminder = f"{sent} AND m.tier IS NOT NULL"
        replied = (
            "EXISTS (SELECT 1 FROM messages i WHERE i.direction = 'in' AND i.borrower_id = m.borrower_id "
            f"AND {self.sql.within_hours('m.sent_at', 'i.created_at', 72)})"
        )
        opt_out = " OR ".join("e.data LIKE " + _text('%"field":"' + f + '"%') for f in OPT_OUT_FIELDS)
        opted_out = (
            f"e.kind = 'borrower.contact_changed' AND ({opt_out}) AND e.data LIKE '%\"value\":true%' "
            f"AND {self._in_period('e.at')}"
        )
        complaint = "c.kind = 'complaint'"
        answered_in_time = "c.first_response_at IS NOT NULL AND c.first_response_at <= c.first_response_due"
        resolved_in_time = "(c.resolve_due IS NULL OR c.resolved_at <= c.resolve_due)"
        log = "interaction_log e JOIN borrowers ob ON e.chain = 'borrower:' || ob.borrower_id"
        # indicator, part, value, table (alias), its borrower's pk, condition
        table: list[tuple[str, str, str, str, str, str]] = [
            ("messages_sent", "m.channel", "COUNT(*)", "messages m", "m.borrower_id", sent),
            ("messages_delivered", "m.channel", "COUNT(*)", "messages m", "m.borrower_id", f"{sent} AND {DELIVERED}"),
            ("borrowers_reminded", "NULL", "COUNT(DISTINCT m.borrower_id)", "messages m", "m.borrower_id", reminder),
            (
                "borrowers_replied", "NULL", "COUNT(DISTINCT m.borrower_id)", "messages m", "m.borrower_id",
                f"{reminder} AND {replied}",
            ),
            ("promises_made", "NULL", "COUNT(*)", "promises p", "p.borrower_id", self._in_period("p.created_at")),
            *(
                (
                    f"promises_{status}", "NULL", "COUNT(*)", "promises p", "p.borrower_id",
                    f"p.status = '{status}' AND {self._in_period('p.settled_at')}",
                )
                for status in ("kept", "partly_kept", "broken")
            ),
            ("opt_outs", "NULL", "COUNT(*)", log, "ob.id", opted_out),
            (
                "complaints_received", "NULL", "COUNT(*)", "cases c", "c.borrower_id",
                f"{complaint} AND {self._in_period('c.opened_at')}",
            ),
            (
                "complaints_first_response_on_time", "NULL", "COUNT(*)", "cases c", "c.borrower_id",
                f"{complaint} AND {self._in_period('c.opened_at')} AND {answered_in_time}",
            ),
            (
                "complaints_resolved_on_time", "NULL", "COUNT(*)", "cases c", "c.borrower_id",
                f"{complaint} AND {self._in_period('c.resolved_at')} AND {resolved_in_time}",
            ),
            ("complaints_overdue_open", "NULL", "COUNT(*)", "cases c", "c.borrower_id", self._overdue_open()),
            ("cases_opened", "c.kind", "COUNT(*)", "cases c", "c.borrower_id", self._in_period("c.opened_at")),
            ("cases_resolved", "c.kind", "COUNT(*)", "cases c", "c.borrower_id", self._in_period("c.resolved_at")),
        ]  # fmt: skip
        out = []
        for indicator, part, value, source, borrower, condition in table:
            key = self._borrower_key("m.channel" if part == "m.channel" else None)
            out.append(
                (
                    indicator,
                    f"{self._with()}SELECT {part}, {key}, {value} FROM {source}{self._borrower_join(borrower)} "
                    f"WHERE {condition} GROUP BY 1, 2",
                )
            )
        return out

    def _overdue_open(self) -> str:
        """A complaint open at the period's end with a deadline passed unmet by then."""
        end = self.sql.instant(self.w.closes)
        return (
            f"c.kind = 'complaint' AND c.opened_at < {end} AND (c.resolved_at IS NULL OR c.resolved_at >= {end}) AND "
            f"((c.resolve_due IS NOT NULL AND c.resolve_due < {end}) OR (c.first_response_due IS NOT NULL AND "
            f"c.first_response_due < {end} AND "
            "(c.first_response_at IS NULL OR c.first_response_at > c.first_response_due)))"
        )

    async def payment_rows(self) -> list[EventRow]:
        """Money collected in the period per currency, and the part of it that settled installments
        already past due when paid (each payment's own local date, in the borrower's zone)."""
        d = self.sql
        zone_days = self._zone_days()
        # Only loans paid in the period need their running totals (the money paid before each payment).
        prior = (
            "SUM(" + d.cents("p.amount") + ") OVER (PARTITION BY p.loan_id ORDER BY p.paid_at, p.id "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        )
        overdue_due = (
            f"(SELECT COALESCE(SUM({d.cents('i.amount_due')}), 0) FROM installments i WHERE i.loan_id = pp.loan_id "
            "AND i.state <> 'waived' AND i.due_date < pp.local_day)"
        )
        if self.by in ("stage", "classification", "product"):
            ctes = self.loan_state_ctes() + ", " if self.by != "product" else ""
            key = {
                "stage": self.classing.stage("ls.dpd_end", "ls.out_end"),
                "classification": self.classing.classification("ls.dpd_end"),
                "product": "l.product",
            }[self.by]
            key_join = " LEFT JOIN loan_state ls ON ls.loan_id = l.id" if self.by != "product" else ""
        else:
            ctes, key_join = "", self._borrower_join("l.borrower_id")
            key = self._borrower_key()
        sql = (
            f"WITH {ctes}{zone_days}, "
            f"pays AS (SELECT p.id, p.loan_id, p.paid_at, {d.cents('p.amount')} AS amt, "
            f"COALESCE({prior}, 0) AS paid_before "
            f"FROM payments p WHERE p.paid_at < {d.instant(self.w.closes)} AND p.loan_id IN "
            f"(SELECT p2.loan_id FROM payments p2 WHERE {self._in_period('p2.paid_at')})), "
            "pp AS (SELECT pays.*, zd.day AS local_day FROM pays JOIN loans pl ON pl.id = pays.loan_id "
            "JOIN borrowers pb ON pb.id = pl.borrower_id JOIN zd ON zd.tz = pb.timezone "
            "AND pays.paid_at >= zd.opens AND pays.paid_at < zd.closes "
            f"WHERE {self._in_period('pays.paid_at')}), "
            # Materialised on PostgreSQL: the final CASE names ``ovd`` three times, and an inlined
            # CTE would run its subquery once for each.
            f"pv AS {'MATERIALIZED ' if d.postgres else ''}(SELECT pp.loan_id, pp.amt, pp.paid_before, "
            f"{overdue_due} AS ovd FROM pp) "
            f"SELECT l.currency, {key}, SUM(pv.amt), SUM(CASE WHEN pv.ovd <= pv.paid_before THEN 0 "
            "WHEN pv.ovd >= pv.paid_before + pv.amt THEN pv.amt ELSE pv.ovd - pv.paid_before END) "
            f"FROM pv JOIN loans l ON l.id = pv.loan_id{key_join} GROUP BY 1, 2"
        )
        _, rows = await connection().execute_query(sql)
        out: list[EventRow] = []
        for currency, key_value, collected, recovered in rows:
            out.append(EventRow("collected_amount", str(currency), str(key_value), int(collected or 0)))
            out.append(EventRow("recovered_amount", str(currency), str(key_value), int(recovered or 0)))
        return out

    def _zone_days(self) -> str:
        """``zd(tz, day, opens, closes)``: each local day of the period (a day either side, for the
        zones ahead of and behind the reporting zone) in each zone."""
        d = self.sql
        first = self.w.opens.date() - timedelta(days=1)
        last = self.w.closes.date() + timedelta(days=1)
        rows = []
        day = first
        while day <= last:
            for z in self.zones:
                opens, closes = midnight(day, z), midnight(day + timedelta(days=1), z)
                rows.append(f"({_text(z)}, {d.day(day)}, {d.instant(opens)}, {d.instant(closes)})")
            day += timedelta(days=1)
        values = ", ".join(rows)
        if d.postgres:
            return (
                "zd(tz, day, opens, closes) AS (SELECT column1::text, column2::date, column3::timestamptz, "
                f"column4::timestamptz FROM (VALUES {values}) v)"
            )
        return f"zd(tz, day, opens, closes) AS (SELECT column1, column2, column3, column4 FROM (VALUES {values}))"

    async def timing_rows(self) -> list[TimingRow]:
        """Cases opened in the period: hours to their first response (None: none yet), and who has them."""
        hours = self.sql.hours_between("c.opened_at", "c.first_response_at")
        sql = (
            f"{self._with()}SELECT c.kind, {self._borrower_key()}, "
            f"CASE WHEN c.first_response_at IS NULL THEN NULL ELSE {hours} END, s.username "
            f"FROM cases c{self._borrower_join('c.borrower_id')} LEFT JOIN staff_users s ON s.id = c.assignee_id "
            f"WHERE {self._in_period('c.opened_at')}"
        )
        _, rows = await connection().execute_query(sql)
        return [TimingRow(str(r[0]), str(r[1]), None if r[2] is None else float(r[2]), r[3]) for r in rows]


async def staff_activity(opens: datetime, closes: datetime) -> list[tuple[str, int, int, list[float]]]:
    """Each staff member's cases taken and resolved in the period and hours to first response."""
    d = Dialect(is_postgres_connection(connection()))
    period = f">= {d.instant(opens)} AND {{c}} < {d.instant(closes)}"
    taken = f"SELECT e.data FROM interaction_log e WHERE e.kind = 'case.assigned' AND e.at {period.format(c='e.at')}"
    resolved = (
        "SELECT s.username, COUNT(*) FROM cases c JOIN staff_users s ON s.id = c.assignee_id "
        f"WHERE c.resolved_at {period.format(c='c.resolved_at')} GROUP BY s.username"
    )
    hours = d.hours_between("c.opened_at", "c.first_response_at")
    timing = (
        f"SELECT s.username, {hours} FROM cases c JOIN staff_users s ON s.id = c.assignee_id "
        f"WHERE c.first_response_at IS NOT NULL AND c.opened_at {period.format(c='c.opened_at')}"
    )
    conn = connection()
    _, taken_rows = await conn.execute_query(taken)
    _, resolved_rows = await conn.execute_query(resolved)
    _, timing_rows = await conn.execute_query(timing)
    _, names = await conn.execute_query("SELECT username FROM staff_users ORDER BY username")
    took: dict[str, int] = {}
    for (data,) in taken_rows:
        to = json.loads(data).get("to")
        if isinstance(to, str):
            took[to] = took.get(to, 0) + 1
    done = {str(r[0]): int(r[1]) for r in resolved_rows}
    times: dict[str, list[float]] = {}
    for name, value in timing_rows:
        times.setdefault(str(name), []).append(float(value))
    return [(str(n[0]), took.get(str(n[0]), 0), done.get(str(n[0]), 0), times.get(str(n[0]), [])) for n in names]


async def risk_counts() -> tuple[dict[str, int], dict[str, int]]:
    """(borrowers per risk tier, borrowers per highest warning level). A borrower the daily risk
    pass has not scored yet counts as ``B``."""
    conn = connection()
    warnings = "r.warnings::text" if is_postgres_connection(conn) else "r.warnings"
    _, tiers = await conn.execute_query("SELECT r.tier, COUNT(*) FROM borrower_risk r GROUP BY r.tier")
    _, everyone = await conn.execute_query("SELECT COUNT(*) FROM borrowers")
    level = (
        f"CASE WHEN {warnings} LIKE '%\"red\"%' THEN 'red' WHEN {warnings} LIKE '%\"orange\"%' THEN 'orange' "
        f"WHEN {warnings} LIKE '%\"yellow\"%' THEN 'yellow' END"
    )
    _, levels = await conn.execute_query(
        f"SELECT lvl, COUNT(*) FROM (SELECT {level} AS lvl FROM borrower_risk r) w WHERE lvl IS NOT NULL GROUP BY lvl"
    )
    per_tier = {"A": 0, "B": 0, "C": 0}
    for tier, count in tiers:
        per_tier[str(tier)] = per_tier.get(str(tier), 0) + int(count)
    per_tier["B"] += max(int(everyone[0][0]) - sum(per_tier.values()), 0)
    per_level = {"yellow": 0, "orange": 0, "red": 0}
    per_level.update({str(name): int(count) for name, count in levels})
    return per_tier, per_level
