"""Tortoise ORM models: the loan book, messages, promises, cases, staff and the interaction log.

Times are stored timezone-aware (UTC). Calendar dates that belong to a borrower (due dates,
promise dates, local tier dates) are plain dates in the borrower's own time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.models import Model


class UtcDatetimeField(fields.DatetimeField):
    """An instant, written in UTC whatever offset it came with.

    SQLite keeps datetimes as text and compares them as text, so ``15:02+00:00`` and
    ``10:03-05:00`` would order by their characters, not by the instants they name. Writing (and
    filtering) every instant in one offset makes text order and time order the same.
    """

    def to_db_value(self, value: Any, instance: Any) -> Any:
        value = super().to_db_value(value, instance)
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


class SchemaMeta(Model):
    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.CharField(max_length=255)

    class Meta:
        table = "schema_meta"


class Borrower(Model):
    id = fields.IntField(primary_key=True)
    borrower_id = fields.CharField(max_length=64, unique=True)
    full_name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=20, db_index=True)
    telegram_chat_id = fields.BigIntField(null=True, db_index=True)
    locale = fields.CharField(max_length=5)
    timezone = fields.CharField(max_length=64)
    preferred_channel = fields.CharField(max_length=10)
    sms_opted_out = fields.BooleanField(default=False)
    telegram_opted_out = fields.BooleanField(default=False)
    # False after Telegram says the bot was blocked or the chat is gone, until the borrower writes again.
    telegram_usable = fields.BooleanField(default=True)
    phone_wrong = fields.BooleanField(default=False)
    created_at = UtcDatetimeField(auto_now_add=True)
    updated_at = UtcDatetimeField(auto_now=True)

    class Meta:
        table = "borrowers"


class Restriction(Model):
    """A hold on collection contact: do_not_contact, cease, attorney, bankruptcy, deceased."""

    id = fields.IntField(primary_key=True)
    borrower_id: int
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="restrictions", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=20)
    note = fields.TextField(default="")
    created_at = UtcDatetimeField()
    created_by = fields.CharField(max_length=100, default="")
    lifted_at = UtcDatetimeField(null=True)
    lifted_by = fields.CharField(max_length=100, null=True)

    class Meta:
        table = "restrictions"


class ContactPause(Model):
    """Reminders paused for a borrower (or one loan) over local dates, both ends inclusive."""

    id = fields.IntField(primary_key=True)
    borrower_id: int
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="pauses", on_delete=fields.CASCADE
    )
    loan_id = fields.CharField(max_length=64, null=True)
    reason = fields.CharField(max_length=20)  # promise, hardship, manual
    start_date = fields.DateField()
    end_date = fields.DateField()
    note = fields.TextField(default="")
    created_at = UtcDatetimeField()
    cancelled_at = UtcDatetimeField(null=True)

    class Meta:
        table = "contact_pauses"


class Loan(Model):
    id = fields.IntField(primary_key=True)
    borrower_id: int
    loan_id = fields.CharField(max_length=64, unique=True)
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="loans", on_delete=fields.RESTRICT
    )
    product = fields.CharField(max_length=64)
    currency = fields.CharField(max_length=3)
    status = fields.CharField(max_length=10, default="active")  # active, paid_off, closed
    created_at = UtcDatetimeField(auto_now_add=True)
    updated_at = UtcDatetimeField(auto_now=True)

    class Meta:
        table = "loans"


class Installment(Model):
    id = fields.IntField(primary_key=True)
    loan_id: int
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="installments", on_delete=fields.CASCADE
    )
    installment_no = fields.IntField()
    due_date = fields.DateField(db_index=True)
    amount_due = fields.DecimalField(max_digits=14, decimal_places=2)
    amount_paid = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Stored states: open, partially_paid, paid, waived. "pending" vs "overdue" is derived
    # from the borrower's local date when read, so it never goes stale in the database.
    state = fields.CharField(max_length=16, default="open", db_index=True)
    paid_at = UtcDatetimeField(null=True)

    class Meta:
        table = "installments"
        unique_together = (("loan", "installment_no"),)


class Payment(Model):
    id = fields.IntField(primary_key=True)
    loan_id: int
    payment_id = fields.CharField(max_length=64, unique=True)
    loan: fields.ForeignKeyRelation[Loan] = fields.ForeignKeyField(
        "models.Loan", related_name="payments", on_delete=fields.RESTRICT
    )
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    paid_at = UtcDatetimeField()
    recorded_at = UtcDatetimeField()

    class Meta:
        table = "payments"


class Message(Model):
    """One logical message in or out. Outbound rows are the outbox the dispatcher claims from."""

    id = fields.IntField(primary_key=True)
    borrower_id: int | None
    borrower: fields.ForeignKeyRelation[Borrower] | None = fields.ForeignKeyField(
        "models.Borrower", related_name="messages", null=True, on_delete=fields.RESTRICT
    )
    direction = fields.CharField(max_length=3)  # in, out
    channel = fields.CharField(max_length=10)  # sms, telegram
    kind = fields.CharField(max_length=32)  # reminder stage, reply kind, staff_reply, inbound
    tier = fields.CharField(max_length=10, null=True)
    local_date = fields.DateField(null=True)
    # Outbound: unique per logical message. Fallback attempts carry "<key>#<n>".
    idempotency_key = fields.CharField(max_length=200, unique=True, null=True)
    attempt_of = fields.IntField(null=True)
    # Outbound: planned, sending, sent, delivered, read, partially_delivered, undelivered, failed,
    # canceled, unknown, skipped. Inbound: received, handling, handled, failed, ignored (can never
    # be handled: the reason is in error_code and payload["ignored"]).
    status = fields.CharField(max_length=24, db_index=True)
    provider_message_id = fields.CharField(max_length=64, null=True)
    # Inbound de-duplication: MessageSid or "tg:<update_id>".
    provider_event_id = fields.CharField(max_length=80, unique=True, null=True)
    address = fields.CharField(max_length=64, default="")  # phone or chat id, as used
    body = fields.TextField(default="")
    segments = fields.IntField(null=True)
    intent = fields.CharField(max_length=32, null=True)
    guard_rule = fields.CharField(max_length=40, null=True)
    guard_reason = fields.TextField(null=True)
    not_before = UtcDatetimeField(null=True)
    not_after = UtcDatetimeField(null=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = UtcDatetimeField(null=True)
    lease_until = UtcDatetimeField(null=True)
    lease_owner = fields.CharField(max_length=64, null=True)
    counts_toward_caps = fields.BooleanField(default=True)
    error_code = fields.CharField(max_length=40, null=True)
    actor = fields.CharField(max_length=100, default="system")
    created_at = UtcDatetimeField()
    sent_at = UtcDatetimeField(null=True)
    updated_at = UtcDatetimeField()
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # An answer to the borrower's own message (an automatic answer, a staff reply): claimed ahead
    # of reminders and sent by its own lane, so a morning's reminders never hold it up.
    urgent = fields.BooleanField(default=False)

    class Meta:
        table = "messages"
        # (status, urgent) is indexed by storage.database.EXTRA_INDEXES: a table created by an older
        # schema has no such column until its upgrade runs, and tortoise creates indexes first.
        indexes = (("status", "not_before"), ("borrower", "sent_at"))


class MessageItem(Model):
    """Which installments a reminder covers; the unique key makes one reminder per installment,
    due date and tier a database guarantee, not only a habit of the planner."""

    id = fields.IntField(primary_key=True)
    message_id: int
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="items", on_delete=fields.CASCADE
    )
    installment_id = fields.IntField(db_index=True)
    item_key = fields.CharField(max_length=120, unique=True)

    class Meta:
        table = "message_items"


class Promise(Model):
    id = fields.IntField(primary_key=True)
    borrower_id: int
    loan_id: int | None
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="promises", on_delete=fields.RESTRICT
    )
    loan: fields.ForeignKeyRelation[Loan] | None = fields.ForeignKeyField(
        "models.Loan", related_name="promises", null=True, on_delete=fields.RESTRICT
    )
    promised_date = fields.DateField()
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    # Total paid on the loan when the promise was made: the check compares payments since.
    paid_before = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    status = fields.CharField(max_length=12, default="open")  # open, kept, partly_kept, broken, cancelled
    source = fields.CharField(max_length=20, default="borrower")
    created_at = UtcDatetimeField()
    settled_at = UtcDatetimeField(null=True)

    class Meta:
        table = "promises"


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=12)  # agent, supervisor, complaints, admin
    queues: fields.JSONField[list[str]] = fields.JSONField(default=list)
    disabled = fields.BooleanField(default=False)
    telegram_user_id = fields.BigIntField(null=True, unique=True)
    # Bumped on disable or password reset so existing console sessions end.
    session_epoch = fields.IntField(default=0)
    # Off while away (leave, off shift): automatic assignment skips the member.
    available = fields.BooleanField(default=True)
    created_at = UtcDatetimeField()

    class Meta:
        table = "staff_users"


class LoginThrottle(Model):
    """Failed console logins per key ("user:<name>" or "addr:<ip>"); a full count locks the key."""

    key = fields.CharField(max_length=200, primary_key=True)
    failures = fields.IntField(default=0)
    first_failure_at = UtcDatetimeField()
    locked_until = UtcDatetimeField(null=True)

    class Meta:
        table = "login_throttle"


class EscalationMark(Model):
    """One row per event already escalated (an installment crossing 30 days past due, a message
    left unknown, a missed first response), so a scheduler pass never escalates it twice."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=40)  # overdue_30, overdue_90, send_unknown, unreachable, sla_first_response
    ref = fields.BigIntField()  # the installment, message, borrower or case it is about
    case_id = fields.IntField(null=True)
    created_at = UtcDatetimeField()

    class Meta:
        table = "escalation_marks"
        unique_together = (("kind", "ref"),)


class Case(Model):
    id = fields.IntField(primary_key=True)
    borrower_id: int | None
    loan_id: int | None
    assignee_id: int | None
    reference = fields.CharField(max_length=32, unique=True)
    borrower: fields.ForeignKeyRelation[Borrower] | None = fields.ForeignKeyField(
        "models.Borrower", related_name="cases", null=True, on_delete=fields.RESTRICT
    )
    loan: fields.ForeignKeyRelation[Loan] | None = fields.ForeignKeyField(
        "models.Loan", related_name="cases", null=True, on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=20)
    queue = fields.CharField(max_length=20)
    status = fields.CharField(max_length=10, default="open")  # open, assigned, waiting, resolved
    priority = fields.CharField(max_length=10, default="normal")
    category = fields.CharField(max_length=40, null=True)
    opened_at = UtcDatetimeField()
    first_response_due = UtcDatetimeField(null=True)
    first_response_at = UtcDatetimeField(null=True)
    acknowledged_at = UtcDatetimeField(null=True)
    resolve_due = UtcDatetimeField(null=True)
    resolved_at = UtcDatetimeField(null=True)
    outcome = fields.CharField(max_length=24, null=True)
    assignee: fields.ForeignKeyRelation[StaffUser] | None = fields.ForeignKeyField(
        "models.StaffUser", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    summary = fields.TextField(default="")
    # Set while the case is open so a borrower holds at most one open case per kind.
    open_key = fields.CharField(max_length=120, unique=True, null=True)

    class Meta:
        table = "cases"


class LogEntry(Model):
    """The interaction log: append-only, hash-chained per borrower, each entry signed (HMAC)."""

    id = fields.BigIntField(primary_key=True)
    chain = fields.CharField(max_length=80)  # "borrower:<borrower_id>" or "system"
    seq = fields.IntField()
    at = UtcDatetimeField()
    kind = fields.CharField(max_length=40)
    actor = fields.CharField(max_length=100)
    data = fields.TextField()  # canonical JSON
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "interaction_log"
        unique_together = (("chain", "seq"),)


class LogHead(Model):
    """The signed end of each chain: a deletion of its last entries (or of the whole chain) leaves
    a head that no longer matches, which cannot be re-signed without the key."""

    chain = fields.CharField(max_length=80, primary_key=True)
    seq = fields.IntField()
    hash = fields.CharField(max_length=64)
    seal = fields.CharField(max_length=64)

    class Meta:
        table = "interaction_log_heads"


class AddressOptOut(Model):
    """A phone or chat we cannot name that asked us to stop: nothing but HELP and START answers go
    to it (borrowers' own opt-outs are on the borrower)."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=10)
    address = fields.CharField(max_length=64)
    opted_out_at = UtcDatetimeField()

    class Meta:
        table = "address_opt_outs"
        unique_together = (("channel", "address"),)


class PendingReceipt(Model):
    """A delivery receipt for a message whose provider id we have not recorded yet: the provider
    called back before our own record of the send committed. Applied as soon as it is."""

    id = fields.BigIntField(primary_key=True)
    provider_message_id = fields.CharField(max_length=64, db_index=True)
    status = fields.CharField(max_length=24)
    error_code = fields.CharField(max_length=16, null=True)
    received_at = UtcDatetimeField()

    class Meta:
        table = "pending_receipts"


class TickWatermark(Model):
    """When the last scheduler pass ran, so a pass after downtime knows which tiers went stale."""

    name = fields.CharField(max_length=32, primary_key=True)
    at = UtcDatetimeField()

    class Meta:
        table = "tick_watermarks"


class Counter(Model):
    """Monotonic counters shared by every process (serve, tick), exported at /metrics."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64)
    labels = fields.CharField(max_length=255)  # canonical "k=v,k=v"
    value = fields.BigIntField(default=0)

    class Meta:
        table = "counters"
        unique_together = (("name", "labels"),)


class LinkCode(Model):
    """A one-time code that links a Telegram chat to a borrower through ``/start CODE``.

    Issued for SMS reminders or by staff; single use (``used_at``) and expiring (``expires_at``).
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    borrower_id: int
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="link_codes", on_delete=fields.CASCADE
    )
    created_at = UtcDatetimeField()
    expires_at = UtcDatetimeField()
    issued_by = fields.CharField(max_length=100, default="system")
    used_at = UtcDatetimeField(null=True)
    used_chat_id = fields.BigIntField(null=True)

    class Meta:
        table = "link_codes"


class ConversationContext(Model):
    """What the bot last asked a borrower ("on what date?", "what do you need?"), for a limited
    time: the next reply within it is read in that context. One row per borrower at most."""

    id = fields.IntField(primary_key=True)
    borrower_id: int
    borrower: fields.ForeignKeyRelation[Borrower] = fields.ForeignKeyField(
        "models.Borrower", related_name="conversation_contexts", unique=True, on_delete=fields.CASCADE
    )
    awaiting = fields.CharField(max_length=20)  # promise_date, clarification
    channel = fields.CharField(max_length=10)
    expires_at = UtcDatetimeField()
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = UtcDatetimeField()

    class Meta:
        table = "conversation_contexts"


class ServiceLease(Model):
    """A named lease one process holds at a time (e.g. the Telegram long poller)."""

    name = fields.CharField(max_length=64, primary_key=True)
    owner = fields.CharField(max_length=100)
    until = UtcDatetimeField()

    class Meta:
        table = "service_leases"


class PlanMark(Model):
    """A borrower whose loans changed (an import, a payment) since the planner last looked: the
    next pass plans that borrower again. A pass over a book that did not change reads no more."""

    id = fields.BigIntField(primary_key=True)
    borrower_id = fields.IntField()  # borrowers.id, without a foreign key: a mark outlives nothing

    class Meta:
        table = "plan_marks"


class ChangeVersion(Model):
    """How many times something a follow-up step depends on has changed (``book``: loans,
    installments, borrowers), and what a step last saw (``seen:<step>``): a step whose inputs did
    not change since it last looked skips its scan of the book."""

    name = fields.CharField(max_length=64, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "change_versions"


class BorrowerRisk(Model):
    """A borrower's risk tier (A good, B watch, C high risk) as the last daily risk pass scored it:
    the score, each signal's points and the early warnings in force. Reports group by ``tier``; a
    borrower with no row yet counts as ``B``."""

    borrower_id = fields.IntField(primary_key=True)  # borrowers.id
    tier = fields.CharField(max_length=1, db_index=True)
    score = fields.IntField()
    reasons: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    warnings: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    computed_at = UtcDatetimeField()

    class Meta:
        table = "borrower_risk"


class ExperimentStop(Model):
    """An experiment's arm stopped by a guardrail: its borrowers get control from then on."""

    id = fields.IntField(primary_key=True)
    experiment = fields.CharField(max_length=64)
    arm = fields.CharField(max_length=32)
    stopped_at = UtcDatetimeField()
    reason = fields.TextField()

    class Meta:
        table = "experiment_stops"
        unique_together = (("experiment", "arm"),)


class ReportCache(Model):
    """A report as computed for one question (period, series, grouping) on one reporting day: the
    dashboard answers a repeated view from here instead of reading the whole book again."""

    key = fields.CharField(max_length=200, primary_key=True)
    day = fields.DateField()  # the reporting zone's date it was computed on
    computed_at = UtcDatetimeField()
    body: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "report_cache"


class LoanWatch(Model):
    """What the daily risk pass last saw of a loan: its days-past-due bucket, and a jump of two or
    more buckets (the ``dpd_jump`` warning) while the loan stays at or above the bucket it jumped to."""

    loan_id = fields.IntField(primary_key=True)  # loans.id
    bucket = fields.CharField(max_length=8)
    jump_from = fields.CharField(max_length=8, null=True)
    jump_to = fields.CharField(max_length=8, null=True)
    jumped_at = UtcDatetimeField(null=True)
    seen_at = UtcDatetimeField()

    class Meta:
        table = "loan_watch"
