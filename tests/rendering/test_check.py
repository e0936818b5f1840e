"""The start-up check refuses broken, missing, unsafe or non-compliant templates, naming the file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest
from jinja2.sandbox import SecurityError

from config.errors import ConfigError
from scheduler.rendering import (
    REMINDER_STAGES,
    MessageRenderer,
    RenderError,
    TemplateCheckError,
    reminder_context,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the shipped templates to break."""
    target = tmp_path / "messages"
    shutil.copytree(Path(str(files("templates").joinpath("messages"))), target)
    return target


def check(folder: Path, stages: tuple[str, ...] = REMINDER_STAGES) -> str:
    with pytest.raises(TemplateCheckError) as info:
        MessageRenderer(folder).check_templates(stages)
    return str(info.value)


def test_copy_passes(folder: Path) -> None:
    MessageRenderer(folder).check_templates(REMINDER_STAGES)
    MessageRenderer(str(folder)).check_templates(REMINDER_STAGES)


def test_error_is_a_config_error() -> None:
    assert issubclass(TemplateCheckError, ConfigError)  # so start-up exits with code 3


def test_syntax_error(folder: Path) -> None:
    (folder / "due_today.sms.en.j2").write_text("{{ lender_name }: {% if %}\n", encoding="utf-8")
    message = check(folder)
    assert "due_today.sms.en.j2" in message
    assert "line 1: syntax error" in message


def test_syntax_error_in_a_partial(folder: Path) -> None:
    (folder / "_items.sms.en.j2").write_text("{% for i in items %}{{ i.amount }\n", encoding="utf-8")
    message = check(folder)
    assert "_items.sms.en.j2" in message
    assert "syntax error" in message


def test_undefined_variable(folder: Path) -> None:
    path = folder / "overdue_early.telegram.zh.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("borrower_name", "borower_name"), encoding="utf-8")
    message = check(folder)
    assert "overdue_early.telegram.zh.j2" in message
    assert "borower_name" in message


def test_undefined_variable_in_a_branch_samples_never_take(folder: Path) -> None:
    path = folder / "before_due.sms.en.j2"
    source = path.read_text(encoding="utf-8")
    path.write_text(
        source.replace("{{ due_date }}", "{% if days_to_due > 400 %}{{ due_dat }}{% endif %}{{ due_date }}", 1),
        encoding="utf-8",
    )
    message = check(folder)
    assert "before_due.sms.en.j2" in message
    assert "due_dat" in message


def test_missing_template(folder: Path) -> None:
    (folder / "overdue_late.telegram.zh.j2").unlink()
    message = check(folder)
    assert "overdue_late.telegram.zh.j2: missing" in message
    # a stage the policy does not use need not have templates
    MessageRenderer(folder).check_templates(["before_due", "due_today", "overdue_early", "overdue_middle"])


def test_missing_template_for_an_extra_stage(folder: Path) -> None:
    message = check(folder, (*REMINDER_STAGES, "courtesy_call"))
    for channel in ("sms", "telegram"):
        for locale in ("en", "zh"):
            assert f"courtesy_call.{channel}.{locale}.j2: missing" in message


def test_missing_reply_template(folder: Path) -> None:
    (folder / "help.sms.zh.j2").unlink()
    assert "help.sms.zh.j2: missing" in check(folder)


def test_every_problem_is_listed(folder: Path) -> None:
    (folder / "help.sms.zh.j2").unlink()
    (folder / "due_today.sms.en.j2").write_text("{{ oops }", encoding="utf-8")
    message = check(folder)
    assert "2 problems" in message
    assert "help.sms.zh.j2" in message and "due_today.sms.en.j2" in message


def test_printing_none_is_refused(folder: Path) -> None:
    # telegram_link may be None; a template that prints it unguarded would send "None".
    path = folder / "before_due.sms.en.j2"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Reply STOP", "Code {{ telegram_link }}. Reply STOP"), encoding="utf-8"
    )
    message = check(folder)
    assert "before_due.sms.en.j2" in message
    assert "None" in message


def test_unescaped_telegram_value(folder: Path) -> None:
    path = folder / "due_today.telegram.en.j2"
    path.write_text(
        path.read_text(encoding="utf-8").replace("{{ borrower_name }}", "{{ borrower_name|safe }}"), encoding="utf-8"
    )
    message = check(folder)
    assert "due_today.telegram.en.j2" in message
    assert "Telegram would refuse" in message


def test_reminder_sms_must_end_with_opt_out(folder: Path) -> None:
    path = folder / "overdue_middle.sms.zh.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("回复TD退订", ""), encoding="utf-8")
    message = check(folder)
    assert "overdue_middle.sms.zh.j2" in message
    assert "回复TD退订" in message


def test_help_must_carry_opt_out(folder: Path) -> None:
    (folder / "help.sms.en.j2").write_text("{{ lender_name }}: call {{ lender_contact }}.\n", encoding="utf-8")
    assert "help.sms.en.j2: the HELP answer must include" in check(folder)


def test_opt_out_confirmation_must_not_repeat_opt_out_line(folder: Path) -> None:
    path = folder / "opt_out_confirmed.sms.en.j2"
    path.write_text(path.read_text(encoding="utf-8") + " Reply STOP to opt out\n", encoding="utf-8")
    assert "opt_out_confirmed.sms.en.j2: must not repeat" in check(folder)


def test_public_answer_cannot_use_borrower_data(folder: Path) -> None:
    (folder / "neutral_unknown_sender.sms.en.j2").write_text(
        "This is {{ lender_name }}. Hello {{ borrower_name }}, you owe {{ total }}. Reply STOP to opt out\n",
        encoding="utf-8",
    )
    message = check(folder)
    assert "neutral_unknown_sender.sms.en.j2" in message
    assert "borrower_name" in message and "total" in message


# --- the sandbox --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ lender_name.__class__ }}",
        "{{ items.append(1) }}",  # the context is read-only
        "{{ items[0].update(amount='0.00') }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses(folder: Path, source: str) -> None:
    (folder / "due_today.sms.en.j2").write_text(source + " Reply STOP to opt out\n", encoding="utf-8")
    renderer = MessageRenderer(folder)
    context = reminder_context(
        lender_name="Northwind",
        lender_contact="help",
        borrower_name="Ana",
        locale="en",
        currency="USD",
        items=[("L1", 1, date(2026, 12, 1), Decimal("350.00"))],
        days_past_due=0,
    )
    with pytest.raises(RenderError, match=r"due_today\.sms\.en\.j2") as info:
        renderer.render("due_today", "sms", "en", context)
    assert isinstance(info.value.__cause__, SecurityError)
    assert context["items"][0]["amount"] == "$350.00"
    message = check(folder)
    assert "due_today.sms.en.j2" in message
    assert "sandbox" in message


def test_include_cannot_leave_the_folder(folder: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.j2").write_text("s3cret", encoding="utf-8")
    (folder / "clarify.sms.en.j2").write_text('{% include "../secret.j2" %} Reply STOP to opt out\n', encoding="utf-8")
    message = check(folder)
    assert "clarify.sms.en.j2" in message
    assert "template not found" in message


def test_undefined_variable_in_a_partial_branch(folder: Path) -> None:
    path = folder / "_items.telegram.en.j2"
    path.write_text(
        path.read_text(encoding="utf-8") + "{% if items|length > 99 %}{{ totl }}{% endif %}\n", encoding="utf-8"
    )
    message = check(folder)
    assert "_items.telegram.en.j2: undefined variable(s): totl" in message


def test_bad_stage_name(folder: Path) -> None:
    assert "stage 'Before Due'" in check(folder, ("Before Due",))


def test_rendering_imports_no_network_or_storage_code() -> None:
    code = (
        "import sys, scheduler.rendering, scheduler.money, scheduler.segments\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'aiohttp', 'aiogram', 'twilio', 'tortoise', 'bot', 'storage', 'apscheduler'}]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
