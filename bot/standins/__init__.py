"""Local stand-ins for Twilio and the Telegram Bot API (tests, ``duebot demo``, benchmarks).

Never used by ``duebot serve``: the service only ever talks to the URLs in its settings.
"""

from bot.standins._common import Drop, Hang, RecordedRequest, StandinControl, running_standin, start_standin
from bot.standins.telegram import TelegramStandin
from bot.standins.twilio import TwilioStandin, twilio_signature

__all__ = [
    "Drop",
    "Hang",
    "RecordedRequest",
    "StandinControl",
    "TelegramStandin",
    "TwilioStandin",
    "running_standin",
    "start_standin",
    "twilio_signature",
]
