"""The Telegram adapter built on aiogram 3: updates in, outbox messages out."""
