"""A lender's own templates (``DUEBOT_TEMPLATES_DIR``): replacing built-in ones, adding variants,
and ``duebot templates check`` / ``list`` refusing a broken one with the file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from scheduler.rendering import REMINDER_STAGES, MessageRenderer, TemplateCheckError, reminder_context

ROOT = Path(__file__).resolve().parents[2]
CHANGED = (
    "{{ lender_name }}: {{ borrower_name }}, {{ total }} is due on {{ due_date }}. "
    "Thank you for paying on time. Reply STOP to opt out"
)
FIRM = "{{ lender_name }}: {{ borrower_name }}, pay {{ total }} by {{ due_date }}. Reply STOP to opt out"


@pytest.fixture
def lender(tmp_path: Path) -> Path:
    folder = tmp_path / "lender"
    folder.mkdir()
    (folder / "before_due.sms.en.j2").write_text(CHANGED, encoding="utf-8")
    (folder / "before_due.sms.en@firm.j2").write_text(FIRM, encoding="utf-8")
    return folder


def context() -> dict[str, object]:
    return reminder_context(
        lender_name="Northwind",
        lender_contact="+1 800",
        borrower_name="Ana",
        locale="en",
        currency="USD",
        items=[("L1", 1, date(2026, 12, 10), Decimal("350.00"))],
        days_past_due=-3,
    )


def test_the_lenders_file_replaces_the_builtin_and_adds_a_variant(lender: Path) -> None:
    renderer = MessageRenderer(lender_dir=lender)
    renderer.check_templates(REMINDER_STAGES)
    own = renderer.render("before_due", "sms", "en", context())
    assert own.text.startswith("Northwind: Ana, $350.00 is due on") and "Thank you" in own.text
    firm = renderer.render("before_due", "sms", "en", context(), variant="firm")
    assert firm.text.startswith("Northwind: Ana, pay $350.00 by")
    # Everything the lender did not replace is still the built-in text.
    assert renderer.render("before_due", "sms", "en", context(), variant="control").text == own.text
    assert renderer.render("before_due", "telegram", "en", context()).text != own.text
    assert renderer.variants("before_due") == {"firm"}
    assert renderer.has_template("before_due", "sms", "en", "firm")
    assert not renderer.has_template("before_due", "sms", "zh", "firm")
    sources = {s.name: s for s in renderer.sources()}
    assert sources["before_due.sms.en.j2"].lenders and sources["before_due.sms.en.j2"].replaces_builtin
    assert sources["before_due.sms.en@firm.j2"].lenders and not sources["before_due.sms.en@firm.j2"].replaces_builtin
    assert not sources["due_today.sms.en.j2"].lenders


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("before_due.sms.en@firm.j2", "{{ lender_name }} pay {{ totl }}. Reply STOP to opt out", "line 1: undefined"),
        ("before_due.sms.en@firm.j2", "{{ lender_name }}\n{% if %}", "line 2: syntax error"),
        ("before_due.sms.en@firm.j2", "{{ lender_name }}: pay {{ total }}.", "must end with 'Reply STOP to opt out'"),
        ("befor_due.sms.en.j2", "{{ lender_name }}", "unknown kind 'befor_due'"),
        ("before_due.fax.en.j2", "{{ lender_name }}", "unknown channel 'fax'"),
        ("before_due.sms.en@Loud.j2", "{{ lender_name }}", "bad variant 'Loud'"),
        ("before_due.sms.en@control.j2", "{{ lender_name }}", "'control' is the template itself"),
        ("notes.j2", "x", "not a template name"),
    ],
)
def test_a_broken_lender_file_is_named(lender: Path, name: str, text: str, expected: str) -> None:
    (lender / name).write_text(text, encoding="utf-8")
    with pytest.raises(TemplateCheckError) as info:
        MessageRenderer(lender_dir=lender).check_templates(REMINDER_STAGES)
    assert str(lender / name) in str(info.value) and expected in str(info.value)


def duebot(*args: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUEBOT_")}
    (folder.parent / "empty.env").write_text("")
    env.update(
        PYTHONPATH=str(ROOT),
        DUEBOT_TEMPLATES_DIR=str(folder),
        DUEBOT_ENV_FILE=str(folder.parent / "empty.env"),
        DUEBOT_DATABASE_URL=f"sqlite://{folder.parent / 'duebot.sqlite3'}",
        DUEBOT_SECRET_KEY="s" * 40,
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=folder.parent, env=env, capture_output=True, text=True, timeout=60
    )


def test_templates_check_and_list_from_the_command_line(lender: Path) -> None:
    listed = duebot("templates", "list", folder=lender)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "lender" in lines["before_due.sms.en.j2"] and "replaces the built-in one" in lines["before_due.sms.en.j2"]
    assert "lender" in lines["before_due.sms.en@firm.j2"]
    assert "built-in" in lines["due_today.sms.zh.j2"]
    checked = duebot("templates", "check", folder=lender)
    assert checked.returncode == 0, checked.stderr
    assert any(
        line.startswith("ok  before_due.sms.en@firm.j2") and "SMS 1 segment" in line
        for line in checked.stdout.splitlines()
    )

    (lender / "due_today.sms.en.j2").write_text("{{ lender_name }}: pay now\n{{ amount_due }}", encoding="utf-8")
    broken = duebot("templates", "check", folder=lender)
    assert broken.returncode == 3
    assert f"{lender / 'due_today.sms.en.j2'}: line 2: undefined variable(s) for due_today: amount_due" in broken.stderr
    served = duebot("serve", "--port", "1", folder=lender)  # start-up refuses before it listens
    assert served.returncode == 3 and "due_today.sms.en.j2" in served.stderr


def test_a_missing_folder_is_a_bad_setting(tmp_path: Path) -> None:
    result = duebot("templates", "list", folder=tmp_path / "nowhere")
    assert result.returncode == 3 and "DUEBOT_TEMPLATES_DIR" in result.stderr
