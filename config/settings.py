"""Service settings from the environment (and a ``.env`` file), loaded once and frozen.

Secrets are ``SecretStr``: they print as ``**********`` in reprs, logs and errors. Reading settings
writes nothing: the generated secret key is created by the commands at start (``prepare_signing_key``).

``DUEBOT_ENV_FILE`` names the file read instead of ``./.env``; set to the empty string, no file is read
(the test suite does this, so a developer's ``.env`` never changes what the tests see).
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from config.errors import ConfigError

ENV_FILE_VARIABLE = "DUEBOT_ENV_FILE"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="DUEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    database_url: str = "sqlite://duebot.sqlite3"
    policy_file: str | None = None
    # The lender's own message templates: same names replace the built-in ones; name@variant adds variants.
    templates_dir: str | None = None
    public_base_url: str | None = None
    api_token: SecretStr | None = None

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    twilio_manages_opt_out: bool = False

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    staff_telegram_chat_id: int | None = None

    secret_key: SecretStr | None = None
    lender_name: str = "Your lender"
    lender_contact: str = "our customer service"
    sending_enabled: bool = True
    log_level: str = "INFO"

    # Where an auto-generated secret key is kept when DUEBOT_SECRET_KEY is unset (demo, dev).
    secret_key_file: str = Field("duebot.secret")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Looked up at every load (not at import), so a test session can switch the file off at any time.
        env_file = os.environ.get(ENV_FILE_VARIABLE)
        if env_file is None:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        if not env_file:
            return init_settings, env_settings, file_secret_settings
        if not Path(env_file).is_file():
            raise ConfigError(f"setting {ENV_FILE_VARIABLE}: {env_file} is not a file")
        return init_settings, env_settings, DotEnvSettingsSource(settings_cls, env_file=env_file), file_secret_settings

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not v.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise ValueError("expected sqlite://PATH or postgres://USER@HOST:PORT/DB")
        return v

    @field_validator("staff_telegram_chat_id", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: object) -> object:
        # "DUEBOT_STAFF_TELEGRAM_CHAT_ID=" in a .env file means "no staff chat", not a bad number.
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, v: str) -> str:
        level = v.strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("templates_dir")
    @classmethod
    def _a_folder(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not Path(v).is_dir():
            raise ValueError(f"{v} is not a folder")
        return v

    @field_validator("public_base_url", "twilio_api_base", "telegram_api_base")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if not v.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return v.rstrip("/")

    @property
    def sms_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from)

    @property
    def channels_on(self) -> frozenset[str]:
        """The channels whose credentials are set."""
        return frozenset(n for n, on in (("sms", self.sms_configured), ("telegram", self.telegram_configured)) if on)

    @property
    def telegram_configured(self) -> bool:
        return self.telegram_bot_token is not None and bool(self.telegram_bot_token.get_secret_value())

    def signing_key(self) -> bytes:
        """The key material behind console sessions and the interaction log's signatures.

        ``DUEBOT_SECRET_KEY``, or else the key kept in ``secret_key_file``. Only reads: the file is
        created by the commands at start (``prepare_signing_key``); without either this is a ConfigError.
        """
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        path = Path(self.secret_key_file)
        try:
            return path.read_text().strip().encode()
        except FileNotFoundError:
            raise ConfigError(
                f"setting DUEBOT_SECRET_KEY: unset, and no generated key in {path} "
                "(duebot serve, tick, demo and the other commands create one at start)"
            ) from None

    def channel_report(self) -> list[str]:
        """One line per channel saying whether it is on, for start-up."""
        lines = []
        lines.append(
            "SMS (Twilio): on"
            if self.sms_configured
            else "SMS (Twilio): off (DUEBOT_TWILIO_ACCOUNT_SID, DUEBOT_TWILIO_AUTH_TOKEN and "
            "DUEBOT_TWILIO_FROM are needed)"
        )
        lines.append(
            "Telegram: on" if self.telegram_configured else "Telegram: off (DUEBOT_TELEGRAM_BOT_TOKEN is unset)"
        )
        if self.api_token is None or not self.api_token.get_secret_value():
            lines.append("HTTP API: off (DUEBOT_API_TOKEN is unset, so /api/v1 refuses every request)")
        if not self.sending_enabled:
            lines.append("DUEBOT_SENDING_ENABLED=false: nothing will be sent; everything is held back")
        return lines


def prepare_signing_key(settings: Settings) -> bytes:
    """The signing key, for a command at start: without ``DUEBOT_SECRET_KEY`` a random key is
    generated once and kept in ``secret_key_file`` (mode 0600), so a demo works without credentials
    and the log stays verifiable across restarts."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.signing_key()
    path = Path(settings.secret_key_file)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return settings.signing_key()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key.encode()


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = []
        for err in exc.errors():
            name = "DUEBOT_" + ".".join(str(p) for p in err["loc"]).upper()
            parts.append(f"setting {name}: {str(err['msg']).removeprefix('Value error, ')}")
        raise ConfigError("\n".join(parts)) from None
