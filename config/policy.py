"""The servicing policy: tiers, windows, caps, SLAs. Loaded once, validated, frozen.

The defaults live in ``config/policy.toml``; a file named by ``DUEBOT_POLICY_FILE`` is
deep-merged over them. Any unknown key or bad value stops start-up naming the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from config.errors import ConfigError
from config.risk_policy import Risk, Warnings

DEFAULT_POLICY_PATH = Path(__file__).with_name("policy.toml")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# The vocabulary of cases. It lives here, the lowest layer, so the routing table can be validated
# when the policy loads; storage.cases re-exports it.
CASE_KINDS = (
    "hardship",
    "complaint",
    "dispute",
    "broken_promise",
    "promise_review",
    "human_request",
    "wrong_number",
    "payment_check",
    "unclear",
    "unreachable",
    "send_unknown",
    "overdue_30",
    "overdue_90",
    "early_warning",
)
QUEUES = ("collections", "hardship", "complaints", "disputes", "legal")
PRIORITIES = ("low", "normal", "high", "urgent")
# The five-level loan classification, lowest risk first (the routing table's "risk").
RISK_LEVELS = ("normal", "special_mention", "substandard", "doubtful", "loss")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _parse_hhmm(value: object) -> time:
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError('expected a local time "HH:MM" (00:00-23:59)')
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class Reminders(_Section):
    days_before_due: tuple[int, ...] = (3, 1, 0)
    days_past_due: tuple[int, ...] = (1, 3, 7, 15, 30)

    @field_validator("days_before_due", "days_past_due")
    @classmethod
    def _distinct_non_negative(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 for d in v):
            raise ValueError("days must be >= 0")
        if len(set(v)) != len(v):
            raise ValueError("days must not repeat")
        return tuple(sorted(v, reverse=True))

    @field_validator("days_past_due")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 1 for d in v):
            raise ValueError("days past due start at 1 (the due date itself is days_before_due = 0)")
        return tuple(sorted(v))


class Stages(_Section):
    middle_from_dpd: int = Field(31, ge=2)
    late_from_dpd: int = Field(91, ge=3)

    @model_validator(mode="after")
    def _ordered(self) -> Stages:
        if self.late_from_dpd <= self.middle_from_dpd:
            raise ValueError("late_from_dpd must be greater than middle_from_dpd")
        return self


class Window(_Section):
    send_start: time = time(9, 0)
    send_end: time = time(20, 0)
    hard_start: time = time(8, 0)
    hard_end: time = time(21, 0)

    _hhmm = field_validator("send_start", "send_end", "hard_start", "hard_end", mode="before")(
        lambda cls, v: _parse_hhmm(v)
    )

    @model_validator(mode="after")
    def _nested(self) -> Window:
        if not self.send_start < self.send_end:
            raise ValueError("send_start must be before send_end")
        if not self.hard_start < self.hard_end:
            raise ValueError("hard_start must be before hard_end")
        if self.send_start < self.hard_start or self.send_end > self.hard_end:
            raise ValueError("the send window must lie inside the hard window")
        return self


class Windows(Window):
    by_locale: dict[str, Window] = Field(default_factory=dict)
    by_timezone: dict[str, Window] = Field(default_factory=dict)

    @field_validator("by_locale")
    @classmethod
    def _known_locales(cls, v: dict[str, Window]) -> dict[str, Window]:
        for locale in v:
            if locale not in ("en", "zh"):
                raise ValueError(f"unknown locale {locale!r}; allowed: en, zh")
        return v

    @field_validator("by_timezone")
    @classmethod
    def _known_zones(cls, v: dict[str, Window]) -> dict[str, Window]:
        for name in v:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown IANA time zone {name!r}") from None
        return v

    def for_borrower(self, locale: str, timezone: str) -> Window:
        """The window in force: a time-zone rule beats a locale rule beats the default."""
        if timezone in self.by_timezone:
            return self.by_timezone[timezone]
        if locale in self.by_locale:
            return self.by_locale[locale]
        return Window(
            send_start=self.send_start,
            send_end=self.send_end,
            hard_start=self.hard_start,
            hard_end=self.hard_end,
        )


class Caps(_Section):
    reminders_per_local_day: int = Field(1, ge=0)
    initiated_per_7_local_days: int = Field(7, ge=0)
    reply_exempt_hours: float = Field(1, ge=0)
    staff_reply_uncounted_hours: float = Field(24, ge=0)


class Promises(_Section):
    horizon_days: int = Field(14, ge=0)
    posting_grace_days: int = Field(1, ge=0)
    date_question_minutes: int = Field(60, ge=1)


class Payments(_Section):
    # A borrower who says they have paid: collection contact about that loan pauses while the claim
    # is checked (until its payment_check case is resolved), at most this many days.
    claim_pause_days: int = Field(5, ge=0)


class Hardship(_Section):
    pause_days: int = Field(14, ge=0)


class Escalation(_Section):
    collections_dpd: int = Field(30, ge=1)
    legal_dpd: int = Field(90, ge=1)


class Complaints(_Section):
    first_response_working_days: int = Field(1, ge=0)
    resolution_calendar_days: int = Field(15, ge=1)
    holiday_country: str = "CN"

    @field_validator("holiday_country")
    @classmethod
    def _country(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError("expected an ISO 3166 alpha-2 country code such as CN, US, GB")
        return v


class Classification(_Section):
    special_mention_from_dpd: int = Field(1, ge=1)
    substandard_from_dpd: int = Field(91, ge=2)
    doubtful_from_dpd: int = Field(181, ge=3)
    loss_from_dpd: int = Field(361, ge=4)

    @model_validator(mode="after")
    def _ordered(self) -> Classification:
        bounds = [
            self.special_mention_from_dpd,
            self.substandard_from_dpd,
            self.doubtful_from_dpd,
            self.loss_from_dpd,
        ]
        if bounds != sorted(set(bounds)):
            raise ValueError("levels must start at strictly increasing days past due")
        return self


class Sending(_Section):
    twilio_per_second: float = Field(1.0, gt=0)
    telegram_per_second: float = Field(30.0, gt=0, le=30)
    telegram_per_chat_per_second: float = Field(1.0, gt=0, le=1)
    max_attempts: int = Field(5, ge=1)
    backoff_base_seconds: float = Field(2.0, gt=0)
    backoff_max_seconds: float = Field(300.0, gt=0)
    lease_seconds: int = Field(120, ge=5)
    batch_size: int = Field(50, ge=1, le=1000)


# A routing row's words and what each may be (the error names the word and lists the rest).
_VOCABULARY: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("case kind", CASE_KINDS),
    "queue": ("queue", QUEUES),
    "priority": ("priority", PRIORITIES),
    "risk": ("risk level", RISK_LEVELS),
}


class RouteRule(_Section):
    """A row of the routing table. A row without conditions is the kind's catch-all."""

    kind: str
    queue: str
    priority: str = "normal"
    min_dpd: int | None = Field(None, ge=0)
    max_dpd: int | None = Field(None, ge=0)
    min_amount: Decimal | None = Field(None, ge=0)
    risk: tuple[str, ...] = ()

    @field_validator("kind", "queue", "priority", "risk")
    @classmethod
    def _known(cls, v: str | tuple[str, ...], info: ValidationInfo) -> str | tuple[str, ...]:
        what, allowed = _VOCABULARY[info.field_name or ""]
        for value in (v,) if isinstance(v, str) else v:
            if value not in allowed:
                raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")
        return v

    @field_validator("min_amount", mode="before")
    @classmethod
    def _amount(cls, v: object) -> object:
        # TOML floats are binary; read them through their text so 0.1 stays 0.1.
        return str(v) if isinstance(v, float) else v

    @model_validator(mode="after")
    def _range(self) -> RouteRule:
        if self.min_dpd is not None and self.max_dpd is not None and self.max_dpd < self.min_dpd:
            raise ValueError("max_dpd must not be below min_dpd")
        return self

    @property
    def unconditional(self) -> bool:
        return self.min_dpd is None and self.max_dpd is None and self.min_amount is None and not self.risk

    def matches(self, kind: str, dpd: int, amount: Decimal, risk: str) -> bool:
        return (
            self.kind == kind
            and (self.min_dpd is None or dpd >= self.min_dpd)
            and (self.max_dpd is None or dpd <= self.max_dpd)
            and (self.min_amount is None or amount >= self.min_amount)
            and (not self.risk or risk in self.risk)
        )


class Routing(_Section):
    """Case kind, days past due, overdue amount and risk → queue and priority; the first matching row wins."""

    rules: tuple[RouteRule, ...] = ()

    @model_validator(mode="after")
    def _every_kind_routed(self) -> Routing:
        # Every kind needs a catch-all row, so no case can ever be left without a queue.
        missing = [k for k in CASE_KINDS if not any(r.kind == k and r.unconditional for r in self.rules)]
        if missing:
            raise ValueError(
                f"kind(s) {', '.join(missing)} have no row without conditions (min_dpd, max_dpd, "
                "min_amount, risk); every kind needs one as its catch-all"
            )
        return self

    def route(self, kind: str, *, dpd: int = 0, amount: Decimal = Decimal(0), risk: str = "normal") -> RouteRule:
        if kind not in CASE_KINDS:
            raise ValueError(f"unknown case kind {kind!r}; allowed: {', '.join(CASE_KINDS)}")
        for rule in self.rules:
            if rule.matches(kind, dpd, amount, risk):
                return rule
        raise AssertionError("unreachable: the validator guarantees a catch-all row per kind")


SpanUnit = Literal["working_days", "calendar_days", "hours"]
SPAN_UNITS: tuple[SpanUnit, ...] = get_args(SpanUnit)
_SPAN = re.compile(r"^\s*(\d+)\s+(working days?|calendar days?|days?|hours?)\s*$")


@dataclass(frozen=True, slots=True)
class Span:
    """An SLA allowance: so many working days, calendar days or hours."""

    amount: int
    unit: SpanUnit

    def describe(self) -> str:
        label = self.unit.replace("_", " ")
        return f"{self.amount} {label[:-1] if self.amount == 1 else label}"


@cache
def parse_span(text: str) -> Span:
    match = _SPAN.match(text)
    if match is None:
        raise ValueError('expected e.g. "1 working day", "15 calendar days" or "4 hours"')
    amount, word = int(match.group(1)), match.group(2)
    unit: SpanUnit = (
        "working_days" if word.startswith("working") else "hours" if word.startswith("hour") else ("calendar_days")
    )
    return Span(amount, unit)


def _span_text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError('expected a text such as "1 working day" or "15 calendar days"')
    parse_span(value)
    return value.strip()


class QueueSla(_Section):
    first_response: str = "1 working day"
    # "none": the queue has no resolution deadline.
    resolution: str = "none"

    _first = field_validator("first_response", mode="before")(lambda cls, v: _span_text(v))

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, v: object) -> str:
        return "none" if v == "none" else _span_text(v)

    @property
    def first_response_span(self) -> Span:
        return parse_span(self.first_response)

    @property
    def resolution_span(self) -> Span | None:
        return None if self.resolution == "none" else parse_span(self.resolution)


class SlaQueues(_Section):
    """Deadlines of every queue but complaints (whose deadlines are the ``complaints`` keys)."""

    collections: QueueSla = QueueSla(first_response="1 working day", resolution="10 working days")
    hardship: QueueSla = QueueSla(first_response="1 working day", resolution="10 working days")
    disputes: QueueSla = QueueSla(first_response="1 working day", resolution="30 calendar days")
    legal: QueueSla = QueueSla(first_response="2 working days", resolution="none")


class Sla(_Section):
    # Working days are counted in this zone's calendar (the servicing team's), with
    # complaints.holiday_country's public holidays off.
    timezone: str = "Asia/Shanghai"
    queues: SlaQueues = SlaQueues()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {v!r}") from None
        return v


class Console(_Section):
    login_max_failures: int = Field(5, ge=1)
    login_lock_minutes: int = Field(15, ge=1)
    session_hours: float = Field(12, gt=0, le=168)


# Reminder kinds (collection stages) a strategy or an experiment may give its own template variant.
MESSAGE_STAGES = ("before_due", "due_today", "overdue_early", "overdue_middle", "overdue_late")
RISK_TIERS = ("A", "B", "C")
_VARIANT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
EXPERIMENT_METRICS = ("paid_by_due", "paid_within_7_days", "promise_within_3_days")


def _variant_name(value: str) -> str:
    if not _VARIANT.match(value):
        raise ValueError(f"bad variant name {value!r}: lower-case letters, digits, '-' and '_'")
    return value


def _known_stages(kinds: Iterable[str]) -> None:
    for kind in kinds:
        if kind not in MESSAGE_STAGES:
            raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(MESSAGE_STAGES)}")


class Strategy(_Section):
    """A risk tier's own cadence and wording; what it leaves out follows ``reminders``."""

    days_before_due: tuple[int, ...] | None = None
    days_past_due: tuple[int, ...] | None = None
    # kind -> template variant (``before_due = "firm"`` renders before_due.<channel>.<locale>@firm.j2)
    variants: dict[str, str] = Field(default_factory=dict)

    @field_validator("days_before_due", "days_past_due")
    @classmethod
    def _days(cls, v: tuple[int, ...] | None, info: ValidationInfo) -> tuple[int, ...] | None:
        if v is None:
            return None
        checked = Reminders.model_validate({info.field_name or "": v})
        return tuple(getattr(checked, info.field_name or ""))

    @field_validator("variants")
    @classmethod
    def _variants(cls, v: dict[str, str]) -> dict[str, str]:
        _known_stages(v)
        for variant in v.values():
            _variant_name(variant)
        return v


class Strategies(_Section):
    A: Strategy = Strategy()
    B: Strategy = Strategy()
    C: Strategy = Strategy()

    def for_tier(self, tier: str | None) -> Strategy:
        """A borrower not scored yet is treated as ``B``."""
        return getattr(self, tier) if tier in RISK_TIERS else self.B


class Guardrails(_Section):
    opt_out_rate: float | None = Field(None, ge=0, le=1)
    complaint_rate: float | None = Field(None, ge=0, le=1)


class Experiment(_Section):
    """A champion/challenger test of template variants on some reminder kinds."""

    kinds: tuple[str, ...]
    arms: dict[str, int]
    start: date
    end: date
    metric: str = "paid_by_due"
    guardrails: Guardrails = Guardrails()
    min_borrowers: int = Field(200, ge=1)

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("name at least one kind")
        _known_stages(v)
        return v

    @field_validator("arms")
    @classmethod
    def _arms(cls, v: dict[str, int]) -> dict[str, int]:
        if "control" not in v:
            raise ValueError("an experiment needs a 'control' arm (the template otherwise used)")
        if len(v) < 2:
            raise ValueError("an experiment needs a challenger arm beside control")
        for name, weight in v.items():
            if name != "control":
                _variant_name(name)
            if not isinstance(weight, int) or isinstance(weight, bool) or weight <= 0:
                raise ValueError(f"arm {name!r}: weight must be a whole number above 0")
        if sum(v.values()) != 100:
            raise ValueError(f"weights must sum to 100, got {sum(v.values())}")
        return v

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: str) -> str:
        if v not in EXPERIMENT_METRICS:
            raise ValueError(f"unknown metric {v!r}; allowed: {', '.join(EXPERIMENT_METRICS)}")
        return v

    @model_validator(mode="after")
    def _dates(self) -> Experiment:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self

    def running_on(self, day: date) -> bool:
        return self.start <= day <= self.end


def _experiments_apart(experiments: dict[str, Experiment]) -> dict[str, Experiment]:
    names = sorted(experiments)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = experiments[first], experiments[second]
            shared = sorted(set(a.kinds) & set(b.kinds))
            if shared and a.start <= b.end and b.start <= a.end:
                raise ValueError(
                    f"experiments {first!r} and {second!r} both cover {', '.join(shared)} between "
                    f"{max(a.start, b.start)} and {min(a.end, b.end)}; one kind, one experiment at a time"
                )
    return experiments


# The built-in routing table (config/policy.toml repeats it; a policy file's rules replace it whole).
_DEFAULT_ROUTES: dict[str, Any] = {
    "rules": [
        {"kind": "complaint", "queue": "complaints", "priority": "high"},
        {"kind": "dispute", "queue": "disputes", "priority": "high"},
        {"kind": "hardship", "queue": "hardship", "priority": "normal"},
        {"kind": "overdue_90", "queue": "legal", "priority": "high"},
        {"kind": "overdue_30", "queue": "collections", "priority": "normal"},
        {"kind": "broken_promise", "queue": "collections", "priority": "normal"},
        {"kind": "promise_review", "queue": "collections", "priority": "normal"},
        {"kind": "human_request", "queue": "collections", "priority": "normal"},
        {"kind": "wrong_number", "queue": "collections", "priority": "normal"},
        {"kind": "payment_check", "queue": "collections", "priority": "normal"},
        {"kind": "unclear", "queue": "collections", "priority": "low"},
        {"kind": "unreachable", "queue": "collections", "priority": "normal"},
        {"kind": "send_unknown", "queue": "collections", "priority": "normal"},
        {"kind": "early_warning", "queue": "collections", "priority": "high"},
    ]
}


class Policy(_Section):
    reminders: Reminders = Reminders()
    stages: Stages = Stages()
    windows: Windows = Windows()
    caps: Caps = Caps()
    promises: Promises = Promises()
    hardship: Hardship = Hardship()
    payments: Payments = Payments()
    escalation: Escalation = Escalation()
    complaints: Complaints = Complaints()
    classification: Classification = Classification()
    sending: Sending = Sending()
    routing: Routing = Field(default_factory=lambda: Routing.model_validate(_DEFAULT_ROUTES))
    sla: Sla = Sla()
    console: Console = Console()
    risk: Risk = Risk()
    warnings: Warnings = Warnings()
    strategies: Strategies = Strategies()
    experiments: dict[str, Experiment] = Field(default_factory=dict)

    @field_validator("experiments")
    @classmethod
    def _experiments(cls, v: dict[str, Experiment]) -> dict[str, Experiment]:
        for name in v:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
                raise ValueError(f"bad experiment name {name!r}: lower-case letters, digits, '-' and '_'")
        return _experiments_apart(v)

    def sla_for(self, queue: str) -> tuple[Span, Span | None]:
        """(first response, resolution or None) for a queue; complaints follow the complaints keys."""
        if queue == "complaints":
            return (
                Span(self.complaints.first_response_working_days, "working_days"),
                Span(self.complaints.resolution_calendar_days, "calendar_days"),
            )
        queue_sla: QueueSla = getattr(self.sla.queues, queue)
        return queue_sla.first_response_span, queue_sla.resolution_span


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; any other value in ``override`` replaces the base value."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"policy file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"policy file {path}: not valid TOML: {exc}") from None


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: type[BaseModel] = model
    parts = list(loc[:-1])
    while parts:
        field = current.model_fields.get(str(parts.pop(0)))
        if field is None:
            return []
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
        else:  # a table keyed by name (windows) or a list of rows (routing): skip the name or index
            inner = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            current = inner[0] if inner else Window
            if parts:
                parts.pop(0)
    return sorted(current.model_fields)


def _is_signal(loc: tuple[int | str, ...]) -> bool:
    """A key naming a scorecard signal or a warning rule (the tables keyed by signal)."""
    return (len(loc) == 3 and loc[:2] == ("risk", "points")) or (len(loc) == 2 and loc[0] == "warnings")


def describe_errors(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden" and _is_signal(loc):
            allowed = ", ".join(_allowed_keys(Policy, loc))
            lines.append(f"{source}: key '{key}': unknown signal {str(loc[-1])!r}; allowed: {allowed}")
        elif err["type"] == "extra_forbidden":
            allowed = ", ".join(_allowed_keys(Policy, loc)) or "none"
            lines.append(f"{source}: key '{key}' is not a policy key; allowed here: {allowed}")
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{source}: key '{key}': {message} (got {err.get('input')!r})")
    return "\n".join(lines)


def parse_policy(data: dict[str, Any], source: str = "policy") -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source)) from None


def load_policy(override_path: str | Path | None = None) -> Policy:
    data = _read_toml(DEFAULT_POLICY_PATH)
    source = str(DEFAULT_POLICY_PATH)
    if override_path:
        data = deep_merge(data, _read_toml(Path(override_path)))
        source = str(override_path)
    return parse_policy(data, source)
