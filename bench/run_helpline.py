"""``helpline run``, unchanged; bench/live.py sets its environment. With TELEGRAM_OVERALL_RATE
raised above Telegram's 30/s, the bot is not held to 30 replies a second whatever its speed, which
measures what the pipeline itself can do (the fake Bot API does not enforce limits in those runs)."""

from __future__ import annotations

import sys


def main() -> None:
    from bot.cli import app

    sys.argv = ["helpline", "run"]
    app()


if __name__ == "__main__":
    main()
