"""Channel adapters: the real Twilio and aiogram clients behind ``scheduler.channel.Channel``.

Importing this package is cheap: the Telegram adapter imports aiogram (5–7 s) only when it first
builds its ``Bot``.
"""

from bot.channels.sms import TwilioSmsChannel
from bot.channels.telegram import TelegramChannel

__all__ = ["TelegramChannel", "TwilioSmsChannel"]
