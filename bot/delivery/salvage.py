"""Updates the Telegram library cannot parse (a field Telegram added or changed before the
library caught up: a ``unique_gift`` without ``gift_id``, poll options without
``persistent_id``). Refusing one with a non-2xx answer makes Telegram deliver it again and
again, and the person gets nothing; so the update is cut down to the fields the core reads and
handled from those, or, when even that fails, logged by id and kind only (never its content)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from storage.inbox import Inbox

log = logging.getLogger(__name__)
U = TypeVar("U")
# What the core reads of a message (bot/ptb/translate.py, bot/aiogram_rt/translate.py): who,
# where, and the words. Attachments are left out: a new kind of one is what usually breaks.
MESSAGE_FIELDS = ("message_id", "date", "chat", "from", "text", "caption", "message_thread_id")
QUERY_FIELDS = ("id", "from", "chat_instance", "data")
KIND_LIMIT = 40


def update_kind(raw: Mapping[str, Any]) -> str:
    """The update's kind (``message``, ``callback_query``…): its first key after the id, a field
    name of Telegram's and never personal data; ``?`` for a key that is no field name."""
    for key in raw:
        if key != "update_id":
            ok = isinstance(key, str) and key.isidentifier() and len(key) <= KIND_LIMIT
            return key if ok else "?"
    return "?"


def core_update(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The update with only what the core reads of it, or None when it holds nothing the core
    handles."""
    message = raw.get("message")
    if isinstance(message, Mapping):
        return {"update_id": raw["update_id"], "message": _core_message(message)}
    query = raw.get("callback_query")
    if isinstance(query, Mapping):
        core: dict[str, Any] = {key: query[key] for key in QUERY_FIELDS if key in query}
        if isinstance(query.get("message"), Mapping):
            core["message"] = _core_message(query["message"])
        return {"update_id": raw["update_id"], "callback_query": core}
    return None


def _core_message(message: Mapping[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in MESSAGE_FIELDS if key in message}


def parse_or_salvage(
    raw: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], U]
) -> tuple[U | None, bool]:
    """``parse`` (the library's) of the update, else of its core part, else None (logged); and
    whether the whole update was read."""
    try:
        return parse(raw), True
    except Exception as exc:  # each library raises its own kinds (TypeError, ValidationError…)
        first = type(exc).__name__
    core = core_update(raw)
    if core is not None:
        try:
            update = parse(core)
        except Exception:  # noqa: S110 (logged below, by id and kind only)
            pass
        else:
            log.warning(
                "update=%s kind=%s not readable by the library (%s): handled from its core fields",
                raw["update_id"],
                update_kind(raw),
                first,
            )
            return update, False
    log.warning(
        "update=%s kind=%s not readable by the library (%s): stored, not handled",
        raw["update_id"],
        update_kind(raw),
        first,
    )
    return None, False


async def read_stored(inbox: Inbox, update_ids: Sequence[int]) -> tuple[list[tuple[int, str]], list[int]]:
    """The stored updates ``update_ids``, and the ids of those that cannot be read (decrypted with
    another key, say). One such row must not hold up everyone else's updates, in webhook mode's
    handler (bot/delivery/stored.py) or at long polling's start: after a failed batch each is read
    alone, and one that fails alone is logged by id and left stored for an operator; it is handled
    on a later start once the cause is fixed."""
    try:
        return await asyncio.to_thread(inbox.some, update_ids), []
    except Exception:
        log.exception("reading %d stored updates failed; reading them one by one", len(update_ids))
    rows: list[tuple[int, str]] = []
    unreadable: list[int] = []
    for update_id in update_ids:
        try:
            rows += await asyncio.to_thread(inbox.some, [update_id])
        except Exception:
            log.error("stored update=%s cannot be read, left stored", update_id, exc_info=True)
            unreadable.append(update_id)
    return rows, unreadable
