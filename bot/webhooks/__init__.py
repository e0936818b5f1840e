"""Webhooks from Twilio and Telegram: verified first, stored before the 200, then handled."""
