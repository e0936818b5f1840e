"""Settings in the test session: the developer's environment and ``.env`` never reach the tests, and
reading settings writes no file."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.commands.runtime import setup_logging
from config.errors import ConfigError
from config.settings import ENV_FILE_VARIABLE, Settings, load_settings, prepare_signing_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def leaky_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A developer's ``.env`` in the working directory that would switch sending off."""
    (tmp_path / ".env").write_text("DUEBOT_SENDING_ENABLED=false\nDUEBOT_LENDER_NAME=Leaky Lender\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_no_service_setting_of_the_developer_reaches_the_tests() -> None:
    settings = {f"DUEBOT_{name.upper()}" for name in Settings.model_fields}
    assert [name for name in os.environ if name.upper() in settings] == []
    assert os.environ[ENV_FILE_VARIABLE] == ""


def test_a_dotenv_in_the_working_directory_changes_nothing(leaky_dotenv: Path) -> None:
    for settings in (load_settings(), Settings()):
        assert settings.sending_enabled is True
        assert settings.lender_name == "Your lender"


def test_outside_the_tests_the_dotenv_is_read(leaky_dotenv: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The control: the same file is what production reads, so the test above proves the isolation.
    monkeypatch.delenv(ENV_FILE_VARIABLE)
    settings = load_settings()
    assert settings.sending_enabled is False
    assert settings.lender_name == "Leaky Lender"


def test_a_subprocess_does_not_read_the_dotenv_of_its_working_directory(leaky_dotenv: Path) -> None:
    code = "from config.settings import load_settings; print(load_settings().sending_enabled)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=leaky_dotenv, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"


def test_the_env_file_variable_names_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "staging.env"
    other.write_text("DUEBOT_LENDER_CONTACT=400-800-1234\n")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(other))
    assert load_settings().lender_contact == "400-800-1234"
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(tmp_path / "missing.env"))
    with pytest.raises(ConfigError, match=ENV_FILE_VARIABLE):
        load_settings()


def test_reading_settings_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    for name in type(settings).model_fields:
        getattr(settings, name)
    assert not settings.sms_configured and not settings.telegram_configured
    assert settings.channel_report()
    repr(settings)
    with pytest.raises(ConfigError, match="DUEBOT_SECRET_KEY"):
        settings.signing_key()
    assert list(tmp_path.iterdir()) == []


def test_a_command_creates_the_key_at_start_once(tmp_path: Path) -> None:
    settings = load_settings(secret_key_file=str(tmp_path / "duebot.secret"))
    key = prepare_signing_key(settings)
    path = tmp_path / "duebot.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 32
    assert prepare_signing_key(settings) == key
    assert settings.signing_key() == key


def test_a_configured_key_needs_no_file(tmp_path: Path) -> None:
    settings = load_settings(secret_key="configured", secret_key_file=str(tmp_path / "duebot.secret"))
    assert prepare_signing_key(settings) == settings.signing_key() == b"configured"
    assert list(tmp_path.iterdir()) == []


def test_the_log_level_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().log_level == "INFO"
    monkeypatch.setenv("DUEBOT_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"
    monkeypatch.setenv("DUEBOT_LOG_LEVEL", "chatty")
    with pytest.raises(ConfigError, match="DUEBOT_LOG_LEVEL"):
        load_settings()


def test_a_commands_own_level_gives_way_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(load_settings(), default="WARNING")
        assert root.level == logging.WARNING
        monkeypatch.setenv("DUEBOT_LOG_LEVEL", "ERROR")
        setup_logging(load_settings(), default="WARNING")
        assert root.level == logging.ERROR
        setup_logging(load_settings(log_level="DEBUG"))
        assert root.level == logging.DEBUG
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
