"""The Telegram adapter built on python-telegram-bot: updates in, outbox messages out."""
