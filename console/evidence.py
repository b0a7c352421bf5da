"""Evidence files for the console: fetched once through the Bot API (``getFile``, then the
download from ``TELEGRAM_API_BASE_URL``), kept encrypted in the database in pieces, and streamed
to an officer piece by piece from an address that needs their session. Never a public URL:
Telegram's download link carries the bot's token, so it never reaches a browser or a log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import aiohttp
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from storage.desk import DeskRepository
from storage.uow import UnitOfWork

CHUNK = 256 * 1024
MAX_BYTES = 20 * 1024 * 1024  # the most a bot may download through getFile
TIMEOUT = 60
# Shown inline; any other type (SVG, which can hold script, included) is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class EvidenceUnavailable(Exception):
    """Telegram did not give the file (no token configured, too big, expired, or an error)."""


async def download(base_url: str, token: str | None, file_id: str) -> list[bytes]:
    """The file behind ``file_id``, in pieces of at most ``CHUNK`` bytes."""
    if not token:
        raise EvidenceUnavailable("TELEGRAM_BOT_TOKEN is not set")
    base = base_url.rstrip("/")
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(f"{base}/bot{token}/getFile", json={"file_id": file_id}) as answer:
                body = await answer.json(content_type=None)
            result = body.get("result") if isinstance(body, dict) and body.get("ok") else None
            if not isinstance(result, dict) or not result.get("file_path"):
                raise EvidenceUnavailable("getFile gave no file")
            if int(result.get("file_size") or 0) > MAX_BYTES:
                raise EvidenceUnavailable("the file is larger than a bot may download")
            async with http.get(f"{base}/file/bot{token}/{result['file_path']}") as answer:
                if answer.status != 200:
                    raise EvidenceUnavailable(f"download answered {answer.status}")
                pieces: list[bytes] = []
                buffer, total = b"", 0
                async for data in answer.content.iter_chunked(CHUNK):
                    total += len(data)
                    if total > MAX_BYTES:
                        raise EvidenceUnavailable("the file is larger than a bot may download")
                    buffer += data
                    while len(buffer) >= CHUNK:
                        pieces.append(buffer[:CHUNK])
                        buffer = buffer[CHUNK:]
                if buffer or not pieces:
                    pieces.append(buffer)
                return pieces
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # The exception text may hold the URL, and so the token: only its type is kept.
        raise EvidenceUnavailable(type(exc).__name__) from None


def store(db: Engine, evidence_id: int, pieces: list[bytes], mime_type: str | None, now: datetime) -> None:
    with UnitOfWork(db) as uow:
        try:
            DeskRepository(uow.session).store_evidence(evidence_id, pieces, mime_type, now)
            uow.commit()
        except IntegrityError:
            uow.rollback()  # fetched at the same moment by another request: that copy stays


def stream(db: Engine, evidence_id: int, chunks: int) -> Iterator[bytes]:
    """The stored pieces one by one, each read in its own short transaction."""
    for seq in range(chunks):
        with UnitOfWork(db) as uow:
            data = DeskRepository(uow.session).evidence_chunk(evidence_id, seq)
        if data is None:
            return
        yield data
