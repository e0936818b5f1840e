"""Message rendering: Jinja2 templates per kind, channel and locale, checked at start-up.

Templates live in ``templates/messages/`` and are named ``{kind}.{channel}.{locale}.j2``;
files whose name starts with ``_`` are partials for ``{% include %}``. A lender's own folder
(``DUEBOT_TEMPLATES_DIR``) is read first: a file of the same name replaces the built-in one, and
``{kind}.{channel}.{locale}@{variant}.j2`` adds a variant (experiments' arms, risk strategies). Templates are edited by
lenders' staff, so they run in an immutable sandbox (no attribute tricks, no mutating the
context) with ``StrictUndefined`` (a typo fails loudly instead of sending an empty gap).
Telegram templates are HTML and autoescaped: Telegram refuses a message with a stray ``<`` or
``&``, and a borrower's name is not ours to trust. SMS templates are plain text, never escaped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from config.errors import ConfigError
from scheduler.money import format_date, format_money
from scheduler.segments import SegmentInfo, sms_segments

REMINDER_STAGES: Final = ("before_due", "due_today", "overdue_early", "overdue_middle", "overdue_late")
# The SMS reminders that may invite a borrower who prefers Telegram to link a chat: only these
# have room for the link within two segments (the overdue ones say more about what to do).
INVITING_STAGES: Final = frozenset({"before_due", "due_today"})
REPLY_KINDS: Final = (
    "promise_confirmed",
    "promise_ask_date",
    "promise_beyond_horizon",
    "already_paid_ack",
    "hardship_ack",
    "complaint_ack",
    "dispute_ack",
    "complaint_ack_opt_out",
    "dispute_ack_opt_out",
    "opt_out_confirmed",
    "opt_in_confirmed",
    "help",
    "wrong_number_ack",
    "human_request_ack",
    "balance",
    "clarify",
    "neutral_unknown_sender",
    "staff_reply",
)
CHANNELS: Final = ("sms", "telegram")
LOCALES: Final = ("en", "zh")
OPT_OUT_CONFIRMATIONS: Final = frozenset({"opt_out_confirmed", "complaint_ack_opt_out", "dispute_ack_opt_out"})
OPT_OUT_LINES: Final[Mapping[str, str]] = MappingProxyType({"en": "Reply STOP to opt out", "zh": "回复TD退订"})

# The variables each kind may use (the contract with whoever builds the context). Money and
# dates arrive pre-formatted for the locale (see reminder_context / balance_context,
# scheduler.money); values documented as optional may be None and are tested with {% if %}.
_PUBLIC: Final = ("lender_name", "lender_contact")
_COMMON: Final = (*_PUBLIC, "borrower_name")
REMINDER_VARIABLES: Final = (
    *_COMMON,
    "currency",
    "items",  # [{loan_id, installment_no, due_date, amount}], oldest first
    "total",
    "due_date",  # the earliest due date among the items
    "days_past_due",  # 0 before and on the due date
    "days_to_due",  # 0 on and after the due date
    "telegram_link",  # optional, SMS of INVITING_STAGES only: a t.me deep link that links the borrower's chat
    "owed_total",  # optional: all the borrower owes now in the currency, other loans included, when more than total
)
REPLY_VARIABLES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "promise_confirmed": (*_COMMON, "promise_date", "amount"),  # amount optional
        "promise_ask_date": (*_COMMON, "latest_date"),
        "promise_beyond_horizon": (*_COMMON, "latest_date"),
        "already_paid_ack": (*_COMMON, "pause_days"),  # pause_days optional: reminders paused meanwhile
        "hardship_ack": _COMMON,
        "complaint_ack": (*_COMMON, "reference", "first_response_due"),
        "dispute_ack": (*_COMMON, "reference"),  # reference optional
        # The acknowledgement and the opt-out confirmation in one, the last message on the channel.
        "complaint_ack_opt_out": (*_COMMON, "reference", "first_response_due"),
        "dispute_ack_opt_out": (*_COMMON, "reference"),
        "opt_out_confirmed": _PUBLIC,
        "opt_in_confirmed": _PUBLIC,
        "help": _PUBLIC,
        "wrong_number_ack": _PUBLIC,
        "human_request_ack": _COMMON,
        "balance": (*_COMMON, "currency", "items", "total", "next_due_date"),
        "clarify": _COMMON,
        "neutral_unknown_sender": _PUBLIC,
        "staff_reply": (*_COMMON, "text"),
    }
)
# Answers that may reach someone who is not (or not known to be) the borrower: STOP/START/HELP
# from any number, a wrong number, an unknown sender. They are rendered from the lender's name
# and contact alone, whatever the caller passes, so no edit of a template can disclose a debt.
PUBLIC_KINDS: Final = frozenset(k for k, v in REPLY_VARIABLES.items() if v == _PUBLIC)

_KIND_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_VARIANT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_FILE_NAME = re.compile(r"^(_?[a-z][a-z0-9_]*)\.([a-z]+)\.([a-z]+)(?:@([^.@/]+))?\.j2$")
# The arm of an experiment that gets the template otherwise in force.
CONTROL: Final = "control"
InstallmentRow = tuple[str, int, date, Decimal]  # loan_id, installment_no, due_date, amount still owed


class TemplateCheckError(ConfigError):
    """A message template is missing or broken: the service does not start."""


class RenderError(Exception):
    """A message could not be rendered (unknown template, undefined or unsafe value)."""


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    text: str
    segments: SegmentInfo | None  # SMS only
    template: str = ""  # the file it came from, for the interaction log


def template_name(kind: str, channel: str, locale: str, variant: str | None = None) -> str:
    """``before_due.sms.en.j2``; with a variant ``before_due.sms.en@firm.j2`` (``control``: none)."""
    if not _KIND_NAME.match(kind):
        raise RenderError(f"bad message kind {kind!r}")
    if channel not in CHANNELS:
        raise RenderError(f"unknown channel {channel!r}; allowed: {', '.join(CHANNELS)}")
    if locale not in LOCALES:
        raise RenderError(f"unknown locale {locale!r}; allowed: {', '.join(LOCALES)}")
    if variant is None or variant == CONTROL:
        return f"{kind}.{channel}.{locale}.j2"
    if not _VARIANT_NAME.match(variant):
        raise RenderError(f"bad variant name {variant!r} (lower-case letters, digits, '-' and '_')")
    return f"{kind}.{channel}.{locale}@{variant}.j2"


@dataclass(frozen=True, slots=True)
class TemplateName:
    """What a file name says: kind, channel, locale and variant (None: the template itself)."""

    kind: str
    channel: str
    locale: str
    variant: str | None

    @property
    def partial(self) -> bool:
        return self.kind.startswith("_")


def parse_template_name(name: str) -> TemplateName | None:
    match = _FILE_NAME.match(name)
    if match is None:
        return None
    kind, channel, locale, variant = match.groups()
    return TemplateName(kind, channel, locale, variant)


@dataclass(frozen=True, slots=True)
class TemplateSource:
    """A template in force: its name, the file it is read from, and whether that is the lender's
    (replacing a built-in file of the same name or adding one)."""

    name: str
    path: str
    lenders: bool
    replaces_builtin: bool


def default_templates_dir() -> Traversable:
    return files("templates").joinpath("messages")


# --- context builders -------------------------------------------------------------------------


def _items_context(
    rows: Iterable[InstallmentRow], currency: str, locale: str
) -> tuple[list[dict[str, Any]], str, date]:
    ordered = sorted(rows, key=lambda r: (r[2], r[0], r[1]))
    if not ordered:
        raise ValueError("a message about installments needs at least one installment")
    items = [
        {
            "loan_id": loan_id,
            "installment_no": installment_no,
            "due_date": format_date(due, locale),
            "amount": format_money(amount, currency, locale),
        }
        for loan_id, installment_no, due, amount in ordered
    ]
    total = format_money(sum((r[3] for r in ordered), Decimal(0)), currency, locale)
    return items, total, ordered[0][2]


def reminder_context(
    *,
    lender_name: str,
    lender_contact: str,
    borrower_name: str,
    locale: str,
    currency: str,
    items: Iterable[InstallmentRow],
    days_past_due: int,
    telegram_link: str | None = None,
    owed: Decimal | None = None,
) -> dict[str, Any]:
    """The context of a reminder. ``days_past_due`` is signed: -3 three days before the due
    date, 0 on it, 7 a week after; the templates get it split into two non-negative counts.
    ``owed``: everything the borrower owes now in ``currency`` across loans (shown when it is more
    than the installments the reminder is about)."""
    rows = list(items)
    rendered_items, total, first_due = _items_context(rows, currency, locale)
    about = sum((r[3] for r in rows), Decimal(0))
    return {
        "lender_name": lender_name,
        "lender_contact": lender_contact,
        "borrower_name": borrower_name,
        "currency": currency,
        "items": rendered_items,
        "total": total,
        "due_date": format_date(first_due, locale),
        "days_past_due": max(0, days_past_due),
        "days_to_due": max(0, -days_past_due),
        "telegram_link": telegram_link,
        "owed_total": format_money(owed, currency, locale) if owed is not None and owed > about else None,
    }


def balance_context(
    *,
    lender_name: str,
    lender_contact: str,
    borrower_name: str,
    locale: str,
    currency: str,
    items: Iterable[InstallmentRow],
) -> dict[str, Any]:
    """The context of a ``balance`` reply: the unpaid installments, their total and the
    earliest due date among them (what should be paid next)."""
    rendered_items, total, first_due = _items_context(items, currency, locale)
    return {
        "lender_name": lender_name,
        "lender_contact": lender_contact,
        "borrower_name": borrower_name,
        "currency": currency,
        "items": rendered_items,
        "total": total,
        "next_due_date": format_date(first_due, locale),
    }


# --- the environment --------------------------------------------------------------------------


class _TraversableLoader(jinja2.BaseLoader):
    """Loads flat template names from folders that may sit inside a wheel or zip, which jinja2's
    FileSystemLoader cannot read. The first folder holding a name wins (the lender's first)."""

    def __init__(self, *roots: Traversable) -> None:
        self.roots = roots

    def find(self, template: str) -> Traversable | None:
        if "/" in template or "\\" in template or template.startswith("."):
            return None  # flat folders: no way out of them
        for root in self.roots:
            node = root.joinpath(template)
            if node.is_file():
                return node
        return None

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        node = self.find(template)
        if node is None:
            raise jinja2.TemplateNotFound(template)
        filename = str(node) if isinstance(node, Path) else None
        return node.read_text(encoding="utf-8"), filename, lambda: True

    def names_in(self, root: Traversable) -> set[str]:
        if not root.is_dir():
            return set()
        return {n.name for n in root.iterdir() if n.is_file() and n.name.endswith(".j2")}

    def list_templates(self) -> list[str]:
        return sorted(set().union(*(self.names_in(root) for root in self.roots)))


def _is_telegram_template(name: str | None) -> bool:
    return name is not None and ".telegram." in name


class _NoneValueError(jinja2.TemplateRuntimeError):
    pass


def _refuse_none(value: Any) -> Any:
    # "None" in a message to a borrower is always a template bug: optional values must be
    # tested with {% if %}. StrictUndefined cannot see this, the value is defined.
    if value is None:
        raise _NoneValueError("a value printed is None (test optional values with {% if %})")
    return value


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"line {exc.lineno}: syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name}"
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined variable: {exc.message}"
    if isinstance(exc, SecurityError):
        return f"refused by the sandbox: {exc}"
    return f"{type(exc).__name__}: {exc}"


class MessageRenderer:
    """Built once at start-up; ``render`` is then safe to call from any task."""

    def __init__(
        self,
        templates_dir: Traversable | str | os.PathLike[str] | None = None,
        lender_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if templates_dir is None:
            self.root: Traversable = default_templates_dir()
        elif isinstance(templates_dir, str | os.PathLike):
            self.root = Path(templates_dir)
        else:
            self.root = templates_dir
        self.lender_root: Traversable | None = Path(lender_dir) if lender_dir is not None else None
        roots = (self.root,) if self.lender_root is None else (self.lender_root, self.root)
        self._env = ImmutableSandboxedEnvironment(
            loader=_TraversableLoader(*roots),
            undefined=jinja2.StrictUndefined,
            autoescape=_is_telegram_template,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_refuse_none,
            auto_reload=False,
        )

    def has_template(self, kind: str, channel: str, locale: str, variant: str | None = None) -> bool:
        return _loader(self._env).find(template_name(kind, channel, locale, variant)) is not None

    def variants(self, kind: str) -> frozenset[str]:
        """The variants some file offers for ``kind`` (on any channel or locale)."""
        found = (parse_template_name(n) for n in _loader(self._env).list_templates())
        return frozenset(t.variant for t in found if t is not None and t.kind == kind and t.variant is not None)

    def sources(self) -> list[TemplateSource]:
        """Every template in force and where it is read from."""
        loader = _loader(self._env)
        lenders = loader.names_in(self.lender_root) if self.lender_root is not None else set()
        builtin = loader.names_in(self.root)
        return [
            TemplateSource(name, self._display(name), name in lenders, name in lenders and name in builtin)
            for name in loader.list_templates()
        ]

    def render(
        self, kind: str, channel: str, locale: str, context: Mapping[str, Any], variant: str | None = None
    ) -> RenderedMessage:
        name = template_name(kind, channel, locale, variant)
        if kind in PUBLIC_KINDS:
            context = {key: context[key] for key in _PUBLIC if key in context}
        try:
            raw = self._env.get_template(name).render(context)
        except Exception as exc:  # any template failure is this message's failure, named
            raise RenderError(f"{self._display(name)}: {_describe(exc)}") from exc
        text = _tidy(raw)
        return RenderedMessage(text=text, segments=sms_segments(text) if channel == "sms" else None, template=name)

    def _display(self, name: str) -> str:
        return str(_loader(self._env).find(name) or self.root.joinpath(name))

    # --- start-up check -----------------------------------------------------------------------

    def check_templates(self, stages_needed: Iterable[str] = REMINDER_STAGES) -> None:
        """Render every template the service needs with awkward sample data; raise
        ``TemplateCheckError`` listing every problem, each with its file."""
        problems: list[str] = []
        loader = _loader(self._env)
        every_variable = {*REMINDER_VARIABLES, *(v for names in REPLY_VARIABLES.values() for v in names)}
        for name in loader.list_templates():  # a broken partial or spare file is still broken
            try:
                unknown = sorted(self._undeclared(loader.get_source(self._env, name)[0]) - every_variable)
            except jinja2.TemplateSyntaxError as exc:
                problems.append(f"{self._display(exc.name or name)}: {_describe(exc)}")
                continue
            if unknown and name.startswith("_"):  # partials: whole templates are checked per kind below
                problems.append(f"{self._display(name)}: undefined variable(s): {', '.join(unknown)}")
        stages = tuple(dict.fromkeys(stages_needed))
        known_kinds = {*REMINDER_STAGES, *stages, *REPLY_KINDS}
        for kind in (*stages, *REPLY_KINDS):
            for channel in CHANNELS:
                for locale in LOCALES:
                    problem = self._check_one(kind, channel, locale)
                    if problem is not None:
                        problems.append(problem)
        for name in loader.list_templates():
            problem = self._check_file_name(name, known_kinds)
            if problem is not None:
                problems.append(problem)
                continue
            parsed = parse_template_name(name)
            if parsed is not None and parsed.variant is not None:
                problem = self._check_one(parsed.kind, parsed.channel, parsed.locale, parsed.variant)
                if problem is not None:
                    problems.append(problem)
        problems = list(dict.fromkeys(problems))  # a broken partial shows once
        if problems:
            count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
            raise TemplateCheckError(f"message templates: {count}:\n" + "\n".join(f"  {p}" for p in problems))

    def _check_file_name(self, name: str, known_kinds: set[str]) -> str | None:
        """A file whose name duebot would never look up is a typo waiting to be found in production."""
        parsed = parse_template_name(name)
        where = self._display(name)
        if parsed is None:
            return f"{where}: not a template name (<kind>.<channel>.<locale>[@<variant>].j2)"
        if parsed.channel not in CHANNELS:
            return f"{where}: unknown channel {parsed.channel!r}; allowed: {', '.join(CHANNELS)}"
        if parsed.locale not in LOCALES:
            return f"{where}: unknown locale {parsed.locale!r}; allowed: {', '.join(LOCALES)}"
        if not parsed.partial and parsed.kind not in known_kinds:
            return f"{where}: unknown kind {parsed.kind!r}; duebot never sends it"
        if parsed.variant is not None and (parsed.partial or not _VARIANT_NAME.match(parsed.variant)):
            return f"{where}: bad variant {parsed.variant!r} (lower-case letters, digits, '-' and '_'; not on partials)"
        if parsed.variant == CONTROL:
            return f"{where}: 'control' is the template itself, not a variant"
        return None

    def check_one(self, kind: str, channel: str, locale: str, variant: str | None = None) -> list[RenderedMessage]:
        """The template rendered with every sample (``templates check`` shows their SMS length);
        raises ``TemplateCheckError`` naming the file (and line) when it is broken."""
        problem = self._check_one(kind, channel, locale, variant)
        if problem is not None:
            raise TemplateCheckError(problem)
        return [self.render(kind, channel, locale, sample, variant) for sample in _samples(kind, locale)]

    def _check_one(self, kind: str, channel: str, locale: str, variant: str | None = None) -> str | None:
        try:
            name = template_name(kind, channel, locale, variant)
        except RenderError as exc:  # a stage name from the policy that cannot name a file
            return f"stage {kind!r}: {exc}"
        where = self._display(name)
        if not self.has_template(kind, channel, locale, variant):
            return f"{where}: missing"
        try:
            source = _loader(self._env).get_source(self._env, name)[0]
            unknown = sorted(self._undeclared(source) - set(_allowed_variables(kind)))
        except jinja2.TemplateSyntaxError as exc:
            return f"{self._display(exc.name or name)}: {_describe(exc)}"
        if unknown:
            line = _line_of(source, unknown[0])
            return f"{where}: line {line}: undefined variable(s) for {kind}: {', '.join(unknown)}"
        for sample in _samples(kind, locale):
            try:
                text = self.render(kind, channel, locale, sample, variant).text
            except RenderError as exc:
                return str(exc)
            problem = _output_problem(kind, channel, locale, text)
            if problem is not None:
                return f"{where}: {problem}"
        return None

    def _undeclared(self, source: str) -> set[str]:
        # Static check: catches a misspelt variable in a branch the samples never take.
        found = meta.find_undeclared_variables(self._env.parse(source))
        return found - set(self._env.globals)


def _line_of(source: str, variable: str) -> int:
    """The first line that names ``variable`` (for a message that points at it)."""
    pattern = re.compile(rf"\b{re.escape(variable)}\b")
    for number, line in enumerate(source.splitlines(), start=1):
        if pattern.search(line):
            return number
    return 1


def _loader(env: jinja2.Environment) -> _TraversableLoader:
    loader = env.loader
    if not isinstance(loader, _TraversableLoader):  # set in __init__; narrows the type for mypy
        raise TypeError("unexpected template loader")
    return loader


def _allowed_variables(kind: str) -> tuple[str, ...]:
    return REPLY_VARIABLES.get(kind, REMINDER_VARIABLES)


def _output_problem(kind: str, channel: str, locale: str, text: str) -> str | None:
    if not text:
        return "renders to an empty message"
    if channel == "telegram":
        problem = telegram_html_problem(text)
        return None if problem is None else f"Telegram would refuse the HTML: {problem}"
    opt_out = OPT_OUT_LINES[locale]
    if kind in OPT_OUT_CONFIRMATIONS:
        return f"must not repeat the opt-out line {opt_out!r}" if opt_out in text else None
    if kind not in REPLY_VARIABLES and not text.endswith(opt_out):
        return f"a reminder SMS must end with {opt_out!r}"
    if kind == "help" and opt_out not in text:
        return f"the HELP answer must include {opt_out!r}"
    return None


# --- Telegram HTML ------------------------------------------------------------------------------

# The tags Telegram's HTML parse mode knows; any other tag makes it refuse the message.
_TELEGRAM_TAGS: Final = frozenset(
    "a b blockquote code del em i ins pre s span strike strong tg-emoji tg-spoiler u".split()
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")


def _data_problem(data: str, offset: int) -> str | None:
    for i, ch in enumerate(data):
        if ch in "<>":
            return f"unescaped {ch!r} at character {offset + i}"
        if ch == "&" and not _ENTITY.match(data, i):
            return f"unescaped '&' at character {offset + i}"
    return None


def telegram_html_problem(text: str) -> str | None:
    """What Telegram's HTML parse mode would reject in ``text``, or None: unsupported or
    unbalanced tags, a ``<``, ``>`` or ``&`` that is not part of a tag or entity."""
    open_tags: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        problem = _data_problem(text[pos : match.start()], pos)
        if problem is not None:
            return problem
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _TELEGRAM_TAGS:
            return f"tag <{tag}> is not supported"
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return f"</{tag}> closes nothing"
        pos = match.end()
    problem = _data_problem(text[pos:], pos)
    if problem is None and open_tags:
        problem = f"<{open_tags[-1]}> is never closed"
    return problem


# --- sample data for the start-up check ---------------------------------------------------------

# Long names with markup characters: they catch a template that forgets to escape, or one whose
# layout only works for short names.
_SAMPLE_LENDER = "Northwind Consumer Finance & Leasing <Retail>"
_SAMPLE_CONTACT = "+1 (800) 555-0199 & help@northwind.example"
_SAMPLE_BORROWER = "Alexandra <b>Tom & Jerry</b> Montgomery-Whitfield"
# (full, sparse) days past due per stage: both ends of each stage, so "1 day" and "tomorrow"
# wordings are rendered as well as the general ones.
_SAMPLE_DAYS_PAST_DUE: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "before_due": (-3, -1),
        "due_today": (0, 0),
        "overdue_early": (1, 30),
        "overdue_middle": (31, 90),
        "overdue_late": (91, 999),
    }
)
_SAMPLE_DUE = date(2026, 12, 31)


def _sample_rows(count: int) -> list[InstallmentRow]:
    rows: list[InstallmentRow] = [
        ("L-2026-000123", 3, _SAMPLE_DUE, Decimal("12345.67")),
        ("L-2026-000123", 4, _SAMPLE_DUE + timedelta(days=31), Decimal("1200.00")),
        ("CAR<&>88", 12, _SAMPLE_DUE + timedelta(days=3), Decimal("350.05")),
    ]
    return rows[:count]


def _samples(kind: str, locale: str) -> list[dict[str, Any]]:
    """Both currencies, a full variant (3 installments, every optional value set) and a sparse
    one (1 installment, optional values None)."""
    samples = []
    for currency in ("USD", "CNY"):
        for full in (True, False):
            context = reminder_context(
                lender_name=_SAMPLE_LENDER,
                lender_contact=_SAMPLE_CONTACT,
                borrower_name=_SAMPLE_BORROWER,
                locale=locale,
                currency=currency,
                items=_sample_rows(3 if full else 1),
                days_past_due=_SAMPLE_DAYS_PAST_DUE.get(kind, (-3, 10))[0 if full else 1],
                telegram_link="t.me/northwind_finance_bot?start=ABCDEFGHJK" if full else None,
                owed=Decimal("98765.43") if full else None,
            )
            context.update(
                next_due_date=context["due_date"],
                promise_date=format_date(date(2027, 1, 10), locale),
                amount=format_money(Decimal("12345.67"), currency, locale) if full else None,
                latest_date=format_date(date(2027, 1, 14), locale),
                reference="C-20261231-<&>0042" if full or not kind.startswith("dispute_ack") else None,
                first_response_due=format_date(date(2027, 1, 4), locale),
                pause_days=5 if full else None,
                text="Hello <Alexandra> & family,\n\n\n\nwe have received your 350.05 & thank you.",
            )
            samples.append(context)
    return samples
