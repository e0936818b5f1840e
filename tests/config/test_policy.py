from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.policy import load_policy
from config.settings import load_settings


def test_defaults_follow_the_design() -> None:
    policy = load_policy()
    assert policy.reminders.days_before_due == (3, 1, 0)
    assert policy.reminders.days_past_due == (1, 3, 7, 15, 30)
    assert (policy.windows.send_start, policy.windows.send_end) == (time(9), time(20))
    assert (policy.windows.hard_start, policy.windows.hard_end) == (time(8), time(21))
    assert (policy.caps.reminders_per_local_day, policy.caps.initiated_per_7_local_days) == (1, 7)
    assert policy.promises.horizon_days == 14
    assert (policy.escalation.collections_dpd, policy.escalation.legal_dpd) == (30, 90)
    assert (policy.complaints.first_response_working_days, policy.complaints.resolution_calendar_days) == (
        1,
        15,
    )


def test_override_file_is_deep_merged(tmp_path: Path) -> None:
    override = tmp_path / "policy.toml"
    override.write_text(
        '[windows]\nsend_end = "19:00"\n[windows.by_timezone."America/New_York"]\nsend_start = "10:00"\n'
    )
    policy = load_policy(override)
    assert policy.windows.send_end == time(19)
    assert policy.windows.send_start == time(9)  # untouched keys keep their defaults
    assert policy.windows.for_borrower("en", "America/New_York").send_start == time(10)
    assert policy.windows.for_borrower("en", "Europe/London").send_start == time(9)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[caps]\nper_day = 2\n", "caps.per_day"),
        ("[reminders]\ndays_before_due = [3, 3]\n", "reminders.days_before_due"),
        ('[windows]\nsend_start = "7pm"\n', "windows.send_start"),
        ('[windows]\nsend_start = "07:00"\n', "windows"),
        ("[promises]\nhorizon_days = -1\n", "promises.horizon_days"),
        ("[surprise]\nx = 1\n", "surprise"),
        ('[complaints]\nholiday_country = "China"\n', "complaints.holiday_country"),
        ('[windows.by_timezone."Mars/Base"]\nsend_start = "09:00"\n', "windows.by_timezone"),
    ],
)
def test_a_bad_policy_names_the_key(tmp_path: Path, toml: str, named: str) -> None:
    override = tmp_path / "policy.toml"
    override.write_text(toml)
    with pytest.raises(ConfigError) as exc:
        load_policy(override)
    assert f"'{named}" in str(exc.value)


def test_unreadable_policy_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("[caps\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_policy(tmp_path / "missing.toml")


def test_secrets_are_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUEBOT_API_TOKEN", "sekrit-api")
    monkeypatch.setenv("DUEBOT_TWILIO_AUTH_TOKEN", "sekrit-twilio")
    settings = load_settings()
    assert "sekrit" not in repr(settings) and "sekrit" not in str(settings)
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "sekrit-api"


def test_bad_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUEBOT_SENDING_ENABLED", "perhaps")
    with pytest.raises(ConfigError, match="DUEBOT_SENDING_ENABLED"):
        load_settings()


def test_channels_without_credentials_are_off() -> None:
    settings = load_settings(twilio_account_sid=None, telegram_bot_token=None)
    report = "\n".join(settings.channel_report())
    assert "SMS (Twilio): off" in report and "Telegram: off" in report
