"""The log redactor: what python-telegram-bot, aiogram, httpx and the helpline log at every level
keeps ids and references and loses what people wrote, their names, phones and the token."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.log_privacy import Redactor, install, redact_record, uninstall

TOKEN = "987654321:AAHsecret-token-value_0123456789abc"
STORY = "Paspor saya A1234567 ditahan majikan, telepon saya +62 812-3456-7890"
PRIVATE = ("Paspor", "A1234567", "812-3456", "+62", "Siti", "secret-token")


def _clean(line: str) -> str:
    for private in PRIVATE:
        assert private not in line, line
    return line


@pytest.fixture
def redact() -> Redactor:
    return Redactor([TOKEN])


def test_ptb_api_calls_and_results_keep_ids_only(redact: Redactor) -> None:
    # python-telegram-bot's ExtBot at DEBUG: parameters and return value as Python reprs.
    call = (
        "Calling Bot API endpoint `sendMessage` with parameters "
        f"`{{'chat_id': -1001000000002, 'text': {STORY!r}, 'parse_mode': 'HTML'}}`"
    )
    line = _clean(redact(call))
    assert "-1001000000002" in line and "sendMessage" in line and "'text': '<redacted>'" in line
    update = {"update_id": 5, "message": {"from": {"first_name": "Siti", "id": 42}, "text": f"it's {STORY}"}}
    result = f"Call to Bot API endpoint `getUpdates` finished with return value `[{update!r}]`"
    assert "'update_id': 5" in _clean(redact(result))


def test_json_bodies_reprs_urls_and_query_strings(redact: Redactor) -> None:
    body = json.dumps({"chat_id": 42, "text": STORY, "reply_markup": json.dumps({"text": "Siti"})})
    assert '"chat_id": 42' in _clean(redact(body))
    assert _clean(redact(f"b'{json.dumps({'caption': STORY}, ensure_ascii=True)}'"))
    assert "message_id=7" in _clean(
        redact(f"Message(message_id=7, text={STORY!r}, chat=Chat(first_name='Siti'))")
    )
    url = (
        f"HTTP Request: POST https://api.telegram.org/bot{TOKEN}/sendMessage?chat_id=4&text=Paspor%20A1234567"
    )
    assert "/bot<secret>/sendMessage?chat_id=4" in _clean(redact(url))
    # Another bot's token, unknown to the settings, and the token URL-encoded.
    assert _clean(
        redact(
            "bot123456:AAAAAAAAAAAAAAAAAAAAsecret-token and 987654321%3AAAHsecret-token-value_0123456789abc"
        )
    )
    # A string the library cut off: everything after the key goes.
    assert _clean(redact(f"parameters `{{'text': '{STORY[:30]}")) == "parameters `{'text': '<redacted>'"


def test_phone_numbers_anywhere_but_not_ids_or_times(redact: Redactor) -> None:
    # Free text is the helpline's own log lines, which never quote a person; a phone still goes.
    assert redact("call +62 812-3456-7890 or 0812 3456 7890") == "call <phone> or <phone>"
    for kept in ("update 123456789 handled", "chat -1001000000002", "2026-12-02 14:25:18,123", "took 0.5 s"):
        assert redact(kept) == kept


@pytest.fixture
def installed() -> Iterator[Redactor]:
    factory = logging.getLogRecordFactory()
    yield install([TOKEN])
    uninstall()
    logging.setLogRecordFactory(factory)


@pytest.mark.usefixtures("installed")
def test_records_of_every_logger_and_level_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in (
        "telegram.ext.ExtBot",
        "telegram.request",
        "aiogram.event",
        "httpx",
        "aiohttp.access",
        "tornado.access",
        "bot.service",
    ):
        logging.getLogger(name).debug("sent %s with %s", {"text": STORY}, TOKEN)
    try:
        raise ValueError(f"Bad Request: can't parse {{'text': {STORY!r}}}")
    except ValueError:
        logging.getLogger("telegram.ext.Application").exception(
            "Error while handling %s", f"Update(message=Message(text={STORY!r}))"
        )
    assert len(caplog.records) == 8
    _clean(caplog.text)
    assert "Error while handling" in caplog.text and "ValueError" in caplog.text


def test_a_malformed_library_record_still_logs_without_its_arguments(redact: Redactor) -> None:
    record = logging.LogRecord("aiohttp", logging.DEBUG, __file__, 1, "%d items %s", ("x", STORY), None)
    redact_record(record, redact)
    assert record.getMessage() == "%d items %s"
