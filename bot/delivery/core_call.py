"""Runs one update's action against the synchronous core, in a worker thread, with retries.

The claim of the update id is in the same transaction as its effect, so a retry after a failure
(a database lock, say) can never apply an update twice."""

from __future__ import annotations

import asyncio
import logging
import time

from bot import metrics
from bot.delivery.actions import Action, PersonMessage, StaffPress, StaffView
from bot.delivery.core_queue import CoreQueue
from bot.service import Helpline
from flows.emergency import asks_for_help_now

log = logging.getLogger(__name__)
ATTEMPTS = 3


async def call_core(helpline: Helpline, update_id: int, action: Action, queue: CoreQueue) -> str | None:
    """The answer for the person who acted (a button answer or an officer's refusal), if any.
    ``queue``: the runtime's core threads, which take a person in danger first."""
    kind = _KINDS.get(type(action), "staff_reply")
    urgent = isinstance(action, PersonMessage) and asks_for_help_now(action.incoming)
    started = time.perf_counter()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            answer = await queue.run(lambda: _call(helpline, update_id, action), urgent=urgent)
        except Exception:
            if attempt == ATTEMPTS:
                metrics.UPDATES.labels(kind, "error").inc()
                raise
            log.warning("update=%s failed (attempt %d), retrying", update_id, attempt, exc_info=True)
            await asyncio.sleep(0.2 * attempt)
            continue
        metrics.UPDATES.labels(kind, "ok").inc()
        metrics.UPDATE_SECONDS.observe(time.perf_counter() - started)
        return answer
    return None


_KINDS: dict[type, str] = {PersonMessage: "message", StaffPress: "staff_button", StaffView: "staff_view"}


def _call(helpline: Helpline, update_id: int, action: Action) -> str | None:
    if isinstance(action, PersonMessage):
        helpline.handle(
            action.telegram_id,
            action.incoming,
            update_id=update_id,
            reply_to_message_id=action.reply_to_message_id,
            message_id=action.message_id,
            sent_at=action.sent_at,
        )
        return None
    if isinstance(action, StaffPress):
        answer, _ = helpline.staff_press(action.telegram_id, action.chat_id, action.data, update_id=update_id)
        return answer or None
    if isinstance(action, StaffView):
        error, _ = helpline.staff_view(action.telegram_id, action.chat_id, action.ref, update_id=update_id)
        return error
    error, _ = helpline.staff_reply(
        action.telegram_id,
        action.chat_id,
        action.text,
        reply_to_message_id=action.reply_to_message_id,
        ref=action.ref,
        update_id=update_id,
    )
    return error
