"""``helpline run``, unchanged except that BENCH_OVERALL_RATE (messages per second) replaces the
built-in overall send limit of 30/s, Telegram's own cap. With the cap, the bot cannot send more
than 30 replies a second whatever its speed; lifting it measures what the pipeline itself can do
(the fake Bot API does not enforce limits in those runs)."""

from __future__ import annotations

import functools
import os
import sys


def lift_overall_cap(rate: int) -> None:
    import bot.telegram_runtime as runtime

    limits = getattr(runtime, "Limits", None)
    if limits is None:
        print("bench: cannot find the Limits of bot.telegram_runtime; running as shipped", flush=True)
        return
    runtime.Limits = functools.partial(limits, overall=(rate, 1.0))  # type: ignore[attr-defined]


def main() -> None:
    rate = os.environ.get("BENCH_OVERALL_RATE")
    if rate:
        lift_overall_cap(int(rate))
    from bot.cli import app

    sys.argv = ["helpline", "run"]
    app()


if __name__ == "__main__":
    main()
