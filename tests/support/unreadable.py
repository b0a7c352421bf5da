"""Parts of updates Telegram sends that the pinned libraries cannot read (fields they require
are missing), for the salvage tests: bot/delivery/salvage.py and the webhook e2e test."""

from __future__ import annotations

NAME = "Siti Rahayu"  # personal data: must never reach the log
UNIQUE_GIFT = {
    "gift": {"base_name": "Cap", "name": "cap-1", "number": 1, "model": {}, "symbol": {}, "backdrop": {}},
    "origin": "upgrade",
}
POLL = {
    "id": "p1",
    "question": "Siapa?",
    "options": [{"text": NAME, "voter_count": 0}],
    "total_voter_count": 0,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
}
