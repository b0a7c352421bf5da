"""Run the fake Bot API standalone for manual trials: ``python -m tests.fakebotapi``.

Point a bot at the printed base URL, then play the user through the control endpoints, e.g.
``curl -d '{"user_id": 42, "text": "/start"}' http://127.0.0.1:8081/_fake/push_text`` and
``curl 'http://127.0.0.1:8081/_fake/messages?chat_id=42'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import DEFAULT_TOKEN, FakeBotApi


async def _serve(api: FakeBotApi, users: list[int]) -> None:
    async with api:
        for user_id in users:
            api.add_private_chat(user_id)
        print(f"Fake Bot API listening on {api.base_url}", flush=True)
        print(f"token: {api.token}", flush=True)
        print(f"  bot base URL:  {api.base_url}/bot{api.token}/<method>", flush=True)
        print(f"  control API:   {api.base_url}/_fake/<action>  (Ctrl+C to stop)", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakebotapi", description=__doc__)
    parser.add_argument("--port", type=int, default=8081, help="port on 127.0.0.1 (0: any)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the only accepted bot token")
    parser.add_argument("--user", type=int, action="append", default=[], help="pre-register a private chat")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(FakeBotApi(args.token, port=args.port), args.user))


if __name__ == "__main__":
    main()
