"""What both Telegram adapters share and no Telegram library is needed for: the outbox sender,
rate limits, message splitting, per-person ordering, offset-after-handling polling, the core
call of an update and the webhook's checks. Adapters import this; this imports no adapter."""
