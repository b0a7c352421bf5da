"""Tests of the fake Telegram Bot API server used by the end-to-end tests.

The fake is driven with raw HTTP (httpx) and with the two real client libraries the bot uses,
python-telegram-bot and aiogram, so that what passes here also holds for the bot process.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import telegram
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile
from aiogram.types import InlineKeyboardButton as AiogramButton
from aiogram.types import InlineKeyboardMarkup as AiogramMarkup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from tests.fakebotapi import DEFAULT_TOKEN, FakeBotApi, load_spec
from tests.fakebotapi.markup import EntityParseError, format_text, parse_html
from tests.fakebotapi.spec import Limit

USER = 1001
OTHER_USER = 1002
GROUP = -1001234567890
KEYBOARD = {"inline_keyboard": [[{"text": "Ya", "callback_data": "yes"}]]}


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        fake.add_private_chat(USER, "Siti", language_code="id")
        yield fake


@pytest.fixture
def client(api: FakeBotApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{api.base_url}/bot{api.token}/", timeout=5) as http:
        yield http


@pytest.fixture
def ptb_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns on int time periods (e.g. RetryAfter.retry_after) unless opted in.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def ptb_bot(api: FakeBotApi, ptb_env: None) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(api.token, base_url=f"{api.base_url}/bot", base_file_url=f"{api.base_url}/file/bot")
    async with bot:
        yield bot


@pytest.fixture
async def aiogram_bot(api: FakeBotApi) -> AsyncIterator[AiogramBot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
    bot = AiogramBot(api.token, session=session)
    try:
        yield bot
    finally:
        await session.close()


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


def result(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    return body["result"]


# -- formatted text ---------------------------------------------------------------------


def test_html_entities_use_utf16_offsets_and_decode_entities() -> None:
    parsed = parse_html(
        '😀 <b>bold <i>both</i></b> &lt;&#x41;&#66;&gt; <a href="https://a.b/?x=1&amp;y=2">l</a>'
    )
    assert parsed.text == "😀 bold both <AB> l"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 18, "length": 1, "url": "https://a.b/?x=1&y=2"},
    ]


def test_html_pre_code_language_spoiler_blockquote_and_emoji() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><span class="tg-spoiler">s</span>'
        "<tg-spoiler>t</tg-spoiler><blockquote expandable>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><code>c</code><u>u</u><s>s</s>'
    )
    kinds = [(entity["type"], entity.get("language")) for entity in parsed.entities]
    assert kinds == [
        ("pre", "python"),
        ("spoiler", None),
        ("spoiler", None),
        ("expandable_blockquote", None),
        ("custom_emoji", None),
        ("code", None),
        ("underline", None),
        ("strikethrough", None),
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<b>open", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped'),
        ("&nbsp;", 'Character "&" at byte offset 0 must be escaped'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_bad_html_is_rejected_like_telegram(source: str, message: str) -> None:
    with pytest.raises(EntityParseError, match=message.replace("(", r"\(")):
        parse_html(source)


def test_text_is_trimmed_and_entities_follow() -> None:
    formatted = format_text("\n  <b> hi</b> there \n", "HTML", None)
    assert formatted.text == "hi there"
    assert formatted.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert format_text("*raw*", "MarkdownV2", None).text == "*raw*"  # not parsed, see docs


# -- the spec ---------------------------------------------------------------------------


def test_limits_are_read_from_the_spec_descriptions() -> None:
    spec = load_spec()
    assert spec.version == "Bot API 10.1"
    button = spec.types["InlineKeyboardButton"]
    assert button.fields["callback_data"].length == Limit(1, 64, "bytes")
    assert spec.types["BotCommand"].fields["description"].length == Limit(1, 256, "characters")
    send = spec.methods["sendmessage"]
    assert send.fields["text"].after_entities
    assert send.fields["text"].length == Limit(1, 4096, "characters")
    assert spec.methods["setmycommands"].fields["commands"].items == Limit(0, 100, "items")
    assert spec.methods["editmessagetext"].fields["chat_id"].required_unless == ("inline_message_id",)


def test_objects_returned_by_the_fake_match_the_spec(api: FakeBotApi, client: httpx.Client) -> None:
    spec = load_spec()
    spec.validate_object("User", result(client.get("getMe")))
    message = result(
        client.post(
            "sendMessage",
            json={"chat_id": USER, "text": "<b>x</b>", "parse_mode": "HTML", "reply_markup": KEYBOARD},
        )
    )
    spec.validate_object("Message", message)
    api.push_text(USER, "/start", reply_to_message_id=message["message_id"])
    api.push_button(USER, message["message_id"], "Ya")
    api.push_photo(USER, caption="foto")
    api.push_document(USER)
    api.push_voice(USER)
    api.push_location(USER, -6.2, 106.8)
    api.push_contact(USER, "+628123456789")
    api.block_user(USER)
    for update in result(client.post("getUpdates")):
        spec.validate_object("Update", update)
    spec.validate_object("ChatFullInfo", result(client.post("getChat", json={"chat_id": USER})))
    spec.validate_object("WebhookInfo", result(client.post("getWebhookInfo")))
    with pytest.raises(ValueError, match="unknown field"):
        spec.validate_object("User", {"id": 1, "is_bot": False, "first_name": "x", "bogus": 1})


# -- HTTP basics ------------------------------------------------------------------------


def test_tokens_methods_and_encodings(api: FakeBotApi, client: httpx.Client) -> None:
    with httpx.Client(base_url=api.base_url) as raw:
        assert error(raw.post("/bot999:WRONG/getMe")) == (401, "Unauthorized")
        assert error(raw.get("/somewhere")) == (404, "Not Found")
    assert error(client.post("sendMessages", json={})) == (404, "Not Found")
    assert result(client.get("GETME"))["username"] == "pmi_helpline_test_bot"
    # JSON body, url-encoded form, multipart without files and the query string all work.
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "json"}))
    assert result(client.post("sendmessage", data={"chat_id": str(USER), "text": "form"}))
    assert result(client.post("sendMessage", files={"chat_id": (None, str(USER)), "text": (None, "multi")}))
    assert result(client.get("sendMessage", params={"chat_id": USER, "text": "query"}))
    assert [m["text"] for m in api.messages(USER)] == ["json", "form", "multi", "query"]
    assert [m["message_id"] for m in api.messages(USER)] == [1, 2, 3, 4]


def test_form_posts_json_decode_objects(api: FakeBotApi, client: httpx.Client) -> None:
    message = result(
        client.post(
            "sendMessage",
            data={"chat_id": str(USER), "text": "pilih", "reply_markup": json.dumps(KEYBOARD)},
        )
    )
    assert message["reply_markup"] == KEYBOARD
    call = api.sent(method="sendMessage")[-1]
    assert call.params == {"chat_id": USER, "text": "pilih", "reply_markup": KEYBOARD}


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"chat_id": USER}, "Bad Request: message text is empty"),
        ({"chat_id": USER, "text": "  \n "}, "Bad Request: message text is empty"),
        ({"text": "x"}, "Bad Request: chat_id is empty"),
        ({"chat_id": USER, "text": "x", "colour": "red"}, 'Bad Request: unknown parameter "colour"'),
        ({"chat_id": USER, "text": "x" * 4097}, "Bad Request: message is too long"),
        ({"chat_id": USER, "text": "1 < 2", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"chat_id": USER, "text": "x", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        ({"chat_id": {"id": 1}, "text": "x"}, 'field "chat_id" must be of type Integer or String'),
        ({"chat_id": USER, "text": "x", "disable_notification": "nope"}, 'field "disable_notification"'),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": {"message_id": "abc"}},
            'field "reply_parameters.message_id" must be of type Integer',
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": "{oops"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {
                "chat_id": USER,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            # 33 two-byte characters are 66 bytes: the limit counts bytes, not characters.
            {
                "chat_id": USER,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "é" * 33}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a"}]]}},
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {
                "chat_id": USER,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b", "colour": 1}]]},
            },
            'unknown field "reply_markup.inline_keyboard[0][0].colour"',
        ),
        ({"chat_id": 777, "text": "x"}, "Bad Request: chat not found"),
        ({"chat_id": "@nobody", "text": "x"}, "Bad Request: chat not found"),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": {"message_id": 99}},
            "Bad Request: message to be replied not found",
        ),
    ],
)
def test_send_message_validation(client: httpx.Client, params: dict[str, Any], description: str) -> None:
    status, text = error(client.post("sendMessage", json=params))
    assert status == 400
    assert description in text


def test_limits_hold_after_entity_parsing(api: FakeBotApi, client: httpx.Client) -> None:
    exact = "<b>" + "a" * 4096 + "</b>"  # 4103 characters of markup, 4096 of text
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": exact, "parse_mode": "HTML"}))
    assert result(
        client.post(
            "sendMessage",
            json={
                "chat_id": USER,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "é" * 32}]]},
            },
        )
    )
    caption = {"chat_id": str(USER), "caption": "c" * 1025}
    status, text = error(client.post("sendPhoto", data=caption, files={"photo": ("p.png", b"png")}))
    assert (status, text) == (400, "Bad Request: message caption is too long")
    status, text = error(
        client.post("answerCallbackQuery", json={"callback_query_id": "1", "text": "t" * 201})
    )
    assert (status, text) == (400, "Bad Request: MESSAGE_TOO_LONG")


def test_set_my_commands_limits_and_scopes(api: FakeBotApi, client: httpx.Client) -> None:
    start = {"command": "start", "description": "Mulai"}
    assert result(client.post("setMyCommands", json={"commands": [start], "language_code": "id"}))
    scope = {"type": "chat", "chat_id": USER}
    help_cmd = {"command": "help", "description": "Help"}
    assert result(client.post("setMyCommands", json={"commands": [help_cmd], "scope": scope}))
    assert api.commands(language_code="id") == [start]
    assert api.commands() == []
    assert result(client.post("getMyCommands", json={"scope": scope})) == [help_cmd]
    assert result(client.post("deleteMyCommands", json={"language_code": "id"}))
    assert api.commands(language_code="id") == []
    bad = [
        ({"commands": [{"command": "Start", "description": "x"}]}, "BOT_COMMAND_INVALID"),
        ({"commands": [{"command": "c" * 33, "description": "x"}]}, "BOT_COMMAND_INVALID"),
        ({"commands": [{"command": "ok", "description": ""}]}, "BOT_COMMAND_DESCRIPTION_INVALID"),
        ({"commands": [{"command": "ok", "description": "d" * 257}]}, "BOT_COMMAND_DESCRIPTION_INVALID"),
        (
            {"commands": [{"command": f"c{i}", "description": "d"} for i in range(101)]},
            "BOT_COMMANDS_TOO_MUCH",
        ),
        ({"commands": [start], "scope": {"type": "everyone"}}, 'field "scope.type" must be one of'),
        ({"commands": [start], "language_code": "id-ID"}, "invalid language code"),
    ]
    for params, description in bad:
        assert description in error(client.post("setMyCommands", json=params))[1]


# -- messages: send, edit, delete, copy, forward ------------------------------------------


def test_edit_and_delete_messages(api: FakeBotApi, client: httpx.Client) -> None:
    sent = result(
        client.post("sendMessage", json={"chat_id": USER, "text": "Halo", "reply_markup": KEYBOARD})
    )
    target = {"chat_id": USER, "message_id": sent["message_id"]}
    same = {**target, "text": "Halo", "reply_markup": KEYBOARD}
    status, text = error(client.post("editMessageText", json=same))
    assert status == 400
    assert text.startswith("Bad Request: message is not modified: specified new message content")
    edited = result(
        client.post("editMessageText", json={**same, "text": "<i>Halo lagi</i>", "parse_mode": "HTML"})
    )
    assert edited["text"] == "Halo lagi"
    assert edited["entities"] == [{"type": "italic", "offset": 0, "length": 9}]
    assert "edit_date" in edited
    # An edit without reply_markup drops the keyboard, as on Telegram.
    result(client.post("editMessageText", json={**target, "text": "tanpa tombol"}))
    assert "reply_markup" not in api.messages(USER)[0]
    result(client.post("editMessageReplyMarkup", json={**target, "reply_markup": KEYBOARD}))
    assert api.messages(USER)[0]["reply_markup"] == KEYBOARD
    assert error(client.post("editMessageReplyMarkup", json={**target, "reply_markup": KEYBOARD}))[
        1
    ].startswith("Bad Request: message is not modified")
    missing = {"chat_id": USER, "message_id": 42, "text": "x"}
    assert error(client.post("editMessageText", json=missing)) == (
        400,
        "Bad Request: message to edit not found",
    )
    assert error(client.post("editMessageText", json={"message_id": 1, "text": "x"})) == (
        400,
        "Bad Request: chat_id is empty",
    )
    user_update = api.push_text(USER, "dari pengguna")
    assert user_update
    assert error(client.post("editMessageText", json={"chat_id": USER, "message_id": 2, "text": "x"})) == (
        400,
        "Bad Request: message can't be edited",
    )
    assert result(client.post("deleteMessage", json=target)) is True
    assert error(client.post("deleteMessage", json=target)) == (
        400,
        "Bad Request: message to delete not found",
    )
    assert api.messages(USER) == []
    assert result(client.post("deleteMessages", json={"chat_id": USER, "message_ids": [2, 77]})) is True
    assert "1-100 items" in error(client.post("deleteMessages", json={"chat_id": USER, "message_ids": []}))[1]


def test_deleting_follows_telegrams_rules(api: FakeBotApi, client: httpx.Client) -> None:
    api.push_text(USER, "dari pengguna")  # message 1
    for text in ("satu", "dua"):  # messages 2 and 3
        result(client.post("sendMessage", json={"chat_id": USER, "text": text}))
    assert [m["message_id"] for m in api.history(USER)] == [1, 2, 3]
    assert [m["message_id"] for m in api.messages(USER)] == [2, 3]  # the bot's only
    too_many = {"chat_id": USER, "message_ids": list(range(1, 102))}
    assert "1-100 items" in error(client.post("deleteMessages", json=too_many))[1]
    # The person's own message in a private chat can be deleted; unknown ids are skipped.
    assert result(client.post("deleteMessages", json={"chat_id": USER, "message_ids": [1, 2, 99]}))
    assert [m["message_id"] for m in api.history(USER)] == [3]
    # 48 hours on, Telegram refuses, and one such message fails the whole call.
    api.age_messages(USER, 48 * 3600)
    result(client.post("sendMessage", json={"chat_id": USER, "text": "baru"}))  # message 4
    cant = (400, "Bad Request: message can't be deleted")
    assert error(client.post("deleteMessages", json={"chat_id": USER, "message_ids": [3, 4]})) == cant
    assert error(client.post("deleteMessage", json={"chat_id": USER, "message_id": 3})) == cant
    assert [m["message_id"] for m in api.history(USER)] == [3, 4]
    assert result(client.post("deleteMessage", json={"chat_id": USER, "message_id": 4})) is True
    assert [m["message_id"] for m in api.history(USER)] == [3]


def test_replies_copies_forwards_media_and_actions(api: FakeBotApi, client: httpx.Client) -> None:
    api.add_private_chat(OTHER_USER, "Budi")
    api.push_text(USER, "pesan asli")  # message 1 in the user's chat
    reply = result(
        client.post(
            "sendMessage", json={"chat_id": USER, "text": "balas", "reply_parameters": {"message_id": 1}}
        )
    )
    assert reply["reply_to_message"]["text"] == "pesan asli"
    legacy = result(
        client.post("sendMessage", data={"chat_id": USER, "text": "lama", "reply_to_message_id": "1"})
    )
    assert legacy["reply_to_message"]["message_id"] == 1
    copied = result(
        client.post("copyMessage", json={"chat_id": OTHER_USER, "from_chat_id": USER, "message_id": 1})
    )
    assert copied == {"message_id": 1}
    forwarded = result(
        client.post("forwardMessage", json={"chat_id": OTHER_USER, "from_chat_id": USER, "message_id": 1})
    )
    assert forwarded["forward_origin"]["sender_user"]["id"] == USER
    assert [m["text"] for m in api.messages(OTHER_USER)] == ["pesan asli", "pesan asli"]
    assert error(
        client.post("copyMessage", json={"chat_id": OTHER_USER, "from_chat_id": USER, "message_id": 50})
    )[1] == ("Bad Request: message to copy not found")
    location = result(
        client.post("sendLocation", json={"chat_id": USER, "latitude": -6.2, "longitude": "106.8"})
    )
    assert location["location"] == {"latitude": -6.2, "longitude": 106.8}
    voice = result(
        client.post(
            "sendVoice",
            data={"chat_id": str(USER), "duration": "2"},
            files={"voice": ("v.ogg", b"OggS", "audio/ogg")},
        )
    )
    assert voice["voice"]["duration"] == 2
    photo = result(
        client.post(
            "sendPhoto",
            json={
                "chat_id": USER,
                "photo": voice["voice"]["file_id"],
                "caption": "<b>x</b>",
                "parse_mode": "HTML",
            },
        )
    )
    assert photo["caption_entities"] == [{"type": "bold", "offset": 0, "length": 1}]
    assert error(client.post("sendPhoto", json={"chat_id": USER, "photo": "no-such-file"}))[1] == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )
    assert result(client.post("sendChatAction", json={"chat_id": USER, "action": "typing"})) is True
    assert error(client.post("sendChatAction", json={"chat_id": USER, "action": "dancing"}))[0] == 400
    assert result(
        client.post("setChatMenuButton", json={"chat_id": USER, "menu_button": {"type": "commands"}})
    )
    assert result(client.post("getChatMenuButton", json={"chat_id": USER})) == {"type": "commands"}
    # Any other method of the spec is validated and then simply succeeds.
    assert result(client.post("setMyDescription", json={"description": "Bantuan PMI"})) is True
    assert "0-512 characters" in error(client.post("setMyDescription", json={"description": "d" * 513}))[1]


def test_groups_and_users_who_never_started_the_bot(api: FakeBotApi, client: httpx.Client) -> None:
    api.add_group(GROUP, "Relawan", username="relawan_pmi")
    update_id = api.push_text_in_group(GROUP, OTHER_USER, "/lapor@pmi_helpline_test_bot halo")
    message = result(client.post("sendMessage", json={"chat_id": "@relawan_pmi", "text": "ok"}))
    assert message["chat"] == {
        "id": GROUP,
        "type": "supergroup",
        "title": "Relawan",
        "username": "relawan_pmi",
    }
    update = result(client.post("getUpdates"))[0]
    assert update["update_id"] == update_id
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 28}]
    # The user exists but never opened a private chat with the bot.
    assert error(client.post("sendMessage", json={"chat_id": OTHER_USER, "text": "hai"})) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )


# -- updates ----------------------------------------------------------------------------


def test_get_updates_offset_limit_and_allowed_updates(api: FakeBotApi, client: httpx.Client) -> None:
    first = api.push_text(USER, "satu")
    second = api.push_text(USER, "dua")
    third = api.push_text(USER, "tiga")
    assert [u["update_id"] for u in result(client.post("getUpdates", json={"limit": 2}))] == [first, second]
    # Without an offset nothing is confirmed, so the same updates come again.
    assert [u["update_id"] for u in result(client.post("getUpdates"))] == [first, second, third]
    assert [u["update_id"] for u in result(client.post("getUpdates", json={"offset": third}))] == [third]
    assert result(client.post("getUpdates", json={"offset": third + 1})) == []
    api.push_text(USER, "empat")
    sent = result(client.post("sendMessage", json={"chat_id": USER, "text": "q", "reply_markup": KEYBOARD}))
    callback = api.push_callback(USER, "yes", sent["message_id"])
    updates = result(client.post("getUpdates", data={"allowed_updates": '["callback_query"]'}))
    assert [u["update_id"] for u in updates] == [callback]
    assert updates[0]["callback_query"]["message"]["text"] == "q"
    # A button on a deleted or unknown message arrives as an InaccessibleMessage.
    result(client.post("getUpdates", json={"offset": callback + 1}))
    api.push_callback(USER, "old", 999)
    assert result(client.post("getUpdates"))[0]["callback_query"]["message"]["date"] == 0


def test_long_polling_returns_as_soon_as_an_update_arrives(api: FakeBotApi, client: httpx.Client) -> None:
    timer = threading.Timer(0.2, api.push_text, args=(USER, "halo"))
    started = time.monotonic()
    timer.start()
    updates = result(client.post("getUpdates", json={"timeout": 5}))
    elapsed = time.monotonic() - started
    timer.join()
    assert [u["message"]["text"] for u in updates] == ["halo"]
    # After the push, well before the 5 s timeout (an upper bound near the push flakes under load).
    assert 0.15 < elapsed < 4.5


def test_a_newer_get_updates_terminates_the_waiting_one(api: FakeBotApi) -> None:
    url = f"{api.base_url}/bot{api.token}/getUpdates"
    responses: list[httpx.Response] = []
    with httpx.Client(timeout=5) as first, httpx.Client(timeout=5) as second:
        poller = threading.Thread(target=lambda: responses.append(first.post(url, json={"timeout": 5})))
        poller.start()
        # Poll again until the waiting request gives way (it may not have arrived at first).
        while poller.is_alive():
            assert second.post(url, json={"timeout": 0}).json()["ok"] is True
            poller.join(0.05)
    assert error(responses[0]) == (
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    )


def test_redelivery_returns_the_same_update_id_again(api: FakeBotApi, client: httpx.Client) -> None:
    update_id = api.push_text(USER, "/start")
    assert [u["update_id"] for u in result(client.post("getUpdates"))] == [update_id]
    assert result(client.post("getUpdates", json={"offset": update_id + 1})) == []
    api.redeliver(update_id)
    again = result(client.post("getUpdates", json={"offset": update_id + 1}))
    assert [u["update_id"] for u in again] == [update_id]
    assert again[0]["message"]["text"] == "/start"
    assert result(client.post("getUpdates", json={"offset": update_id + 1})) == []
    raw_id = api.push_raw({"message": {"text": "no chat, no date"}})
    assert result(client.post("getUpdates"))[0] == {
        "message": {"text": "no chat, no date"},
        "update_id": raw_id,
    }


def test_webhook_blocks_get_updates(api: FakeBotApi, client: httpx.Client) -> None:
    assert error(client.post("setWebhook", json={"url": "http://example.org/hook"}))[1] == (
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert result(
        client.post("setWebhook", json={"url": "https://example.org/hook", "secret_token": "s3cr3t"})
    )
    info = result(client.post("getWebhookInfo"))
    assert info["url"] == "https://example.org/hook"
    assert error(client.post("getUpdates")) == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )
    assert (
        "not allowed"
        in error(client.post("setWebhook", json={"url": "https://x.org", "secret_token": "no way"}))[1]
    )
    api.push_text(USER, "pending")
    assert result(client.post("deleteWebhook", json={"drop_pending_updates": True}))
    assert result(client.post("getUpdates")) == []


def test_blocked_user_gets_403_and_bot_a_my_chat_member_update(api: FakeBotApi, client: httpx.Client) -> None:
    api.block_user(USER)
    assert error(client.post("sendMessage", json={"chat_id": USER, "text": "halo"})) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    update = result(client.post("getUpdates"))[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    api.unblock_user(USER)
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "halo"}))


# -- files ------------------------------------------------------------------------------


def test_uploads_get_file_and_downloads(api: FakeBotApi, client: httpx.Client) -> None:
    document = result(
        client.post(
            "sendDocument",
            data={"chat_id": str(USER), "caption": "laporan"},
            files={"document": ("laporan.pdf", b"%PDF-1.4 isi", "application/pdf")},
        )
    )["document"]
    assert document["file_name"] == "laporan.pdf"
    assert api.file_content(document["file_id"]) == b"%PDF-1.4 isi"
    # aiogram style: the file is a part referenced as attach://<name>.
    attached = result(
        client.post(
            "sendDocument",
            data={"chat_id": str(USER), "document": "attach://f1"},
            files={"f1": ("a.txt", b"attached", "text/plain")},
        )
    )["document"]
    file = result(client.post("getFile", json={"file_id": attached["file_id"]}))
    with httpx.Client(base_url=api.base_url) as raw:
        download = raw.get(f"/file/bot{api.token}/{file['file_path']}")
        assert download.content == b"attached"
        assert error(raw.get(f"/file/bot{api.token}/documents/nothing.txt")) == (404, "Not Found")
    registered = api.register_file(b"test data", file_name="data.csv")
    assert result(client.post("getFile", json={"file_id": registered}))["file_size"] == 9
    assert error(client.post("getFile", json={"file_id": "nope"})) == (400, "Bad Request: invalid file_id")
    unused = client.post(
        "sendMessage", data={"chat_id": str(USER), "text": "x"}, files={"extra": ("e", b"e")}
    )
    assert 'unknown parameter "extra"' in error(unused)[1]


# -- fault injection and rate limits ------------------------------------------------------


def test_injected_failures(api: FakeBotApi, client: httpx.Client) -> None:
    api.fail_next("sendMessage", 429, retry_after=3)
    api.fail_next("*", 502, times=2)
    body = client.post("sendMessage", json={"chat_id": USER, "text": "x"}).json()
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert error(client.post("getMe")) == (502, "Bad Gateway")
    assert error(client.post("sendMessage", json={"chat_id": USER, "text": "x"})) == (502, "Bad Gateway")
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "x"}))
    assert api.count_429 == 1
    assert [call.status for call in api.sent(chat_id=USER, method="sendmessage")] == [429, 502, 200]


def test_failures_and_crashes_can_pick_a_call_by_its_text(api: FakeBotApi, client: httpx.Client) -> None:
    api.fail_next("sendMessage", 500, contains="piece 2")
    crashed: list[int] = []
    api.crash_after_next("sendMessage", lambda: crashed.append(len(api.messages(USER))), contains="piece 3")
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "piece 1"}))
    assert error(client.post("sendMessage", json={"chat_id": USER, "text": "piece 2"})) == (
        500,
        "Internal Server Error",
    )
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "piece 2"}))
    assert result(client.post("sendMessage", json={"chat_id": USER, "text": "piece 3"}))
    # The message was delivered before the hook ran, and the call is recorded as answered.
    assert crashed == [3]
    assert [m["text"] for m in api.messages(USER)] == ["piece 1", "piece 2", "piece 3"]
    assert [call.status for call in api.sent(USER, "sendMessage")] == [200, 500, 200, 200]


def test_stalls_simulate_client_timeouts(api: FakeBotApi, client: httpx.Client) -> None:
    api.stall_next("sendMessage", seconds=0.3, process=True)
    with pytest.raises(httpx.ReadTimeout):
        client.post("sendMessage", json={"chat_id": USER, "text": "hilang"}, timeout=0.1)
    # The answer was lost but the message went out, as can happen with Telegram.
    assert api.wait_for_message(USER, "hilang", timeout=2)["message_id"] == 1
    api.stall_next("sendMessage", seconds=0.2)
    with pytest.raises(httpx.ReadTimeout):
        client.post("sendMessage", json={"chat_id": USER, "text": "dibuang"}, timeout=0.1)
    api.wait_for(lambda: len(api.sent(method="sendMessage")) == 2, timeout=2)
    assert api.sent(method="sendMessage")[-1].status == 504
    assert len(api.messages(USER)) == 1


def test_latency_is_added_to_every_call(api: FakeBotApi, client: httpx.Client) -> None:
    api.latency(0.15)
    started = time.monotonic()
    result(client.get("getMe"))
    assert time.monotonic() - started >= 0.15
    assert api.sent()[-1].duration >= 0.15
    api.latency(0)


def test_rate_limits(api: FakeBotApi, client: httpx.Client) -> None:
    api.add_group(GROUP, "Relawan")
    api.rate_limits(group_per_minute=2)
    statuses = [
        client.post("sendMessage", json={"chat_id": USER, "text": f"{i}"}).status_code for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # a burst of three, then one per second
    limited = api.sent(method="sendMessage")[-1]
    assert limited.response["parameters"] == {"retry_after": 1}
    assert client.post("sendChatAction", json={"chat_id": USER, "action": "typing"}).status_code == 200
    group = [client.post("sendMessage", json={"chat_id": GROUP, "text": "g"}).status_code for _ in range(3)]
    assert group == [200, 200, 429]
    assert api.sent(method="sendMessage")[-1].response["parameters"]["retry_after"] == 30
    assert api.count_429 == 2
    api.rate_limits(enabled=False)
    assert client.post("sendMessage", json={"chat_id": USER, "text": "bebas"}).status_code == 200


def test_wait_for_message_reports_what_happened(api: FakeBotApi, client: httpx.Client) -> None:
    client.post("sendMessage", json={"chat_id": USER, "text": "<b>rusak", "parse_mode": "HTML"})
    with pytest.raises(AssertionError) as caught:
        api.wait_for_message(USER, "Selamat datang", timeout=0.2)
    report = str(caught.value)
    assert "text containing 'Selamat datang'" in report
    assert "sendMessage chat_id=1001 '<b>rusak' -> 400 Bad Request: can't parse entities" in report
    first = result(client.post("sendMessage", json={"chat_id": USER, "text": "Selamat datang"}))
    assert api.wait_for_message(USER, "datang")["message_id"] == first["message_id"]
    timer = threading.Timer(
        0.1, lambda: client.post("sendMessage", json={"chat_id": USER, "text": "Selamat datang 2"})
    )
    timer.start()
    later = api.wait_for_message(USER, "Selamat", after_message_id=first["message_id"], timeout=3)
    timer.join()
    assert later["text"] == "Selamat datang 2"


def test_control_endpoints_for_manual_trials(api: FakeBotApi) -> None:
    with httpx.Client(base_url=f"{api.base_url}/_fake/") as control:
        assert control.post("push_text", json={"user_id": USER, "text": "hi"}).json()["ok"]
        assert control.post("push_text", json={"text": "no user"}).status_code == 400
        assert control.post("shutdown").status_code == 404
        with httpx.Client(base_url=f"{api.base_url}/bot{api.token}/") as bot:
            result(bot.post("sendMessage", json={"chat_id": USER, "text": "balasan"}))
        assert control.get("messages", params={"chat_id": USER}).json()[0]["text"] == "balasan"
        assert control.get("calls").json()[0]["method"] == "sendMessage"


async def test_async_mode_runs_on_the_current_loop() -> None:
    async with FakeBotApi() as api, httpx.AsyncClient(base_url=f"{api.base_url}/bot{api.token}/") as client:
        api.add_private_chat(USER)
        poll = asyncio.create_task(client.post("getUpdates", json={"timeout": 5}))
        await asyncio.sleep(0.05)
        api.push_text(USER, "halo")
        assert (await poll).json()["result"][0]["message"]["text"] == "halo"
        with pytest.raises(RuntimeError, match="wait_for_async"):
            api.wait_for_message(USER)
        task = asyncio.create_task(client.post("sendMessage", json={"chat_id": USER, "text": "ok"}))
        assert (await api.wait_for_message_async(USER, "ok"))["text"] == "ok"
        await task


# -- real client libraries ----------------------------------------------------------------


async def test_python_telegram_bot_round_trip(api: FakeBotApi, ptb_bot: telegram.Bot) -> None:
    me = await ptb_bot.get_me()
    assert me.id == 123456789
    assert me.username == "pmi_helpline_test_bot"
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes")]])
    sent = await ptb_bot.send_message(USER, "<b>Halo</b>", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Halo"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == markup
    edited = await ptb_bot.edit_message_text(
        "Halo lagi", chat_id=USER, message_id=sent.message_id, reply_markup=markup
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Halo lagi"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await ptb_bot.edit_message_text(
            "Halo lagi", chat_id=USER, message_id=sent.message_id, reply_markup=markup
        )

    api.push_text(USER, "/start")
    updates = await ptb_bot.get_updates(timeout=0)
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    api.push_button(USER, sent.message_id, "Ya")
    updates = await ptb_bot.get_updates(offset=updates[-1].update_id + 1, timeout=2)
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "yes"
    assert await ptb_bot.answer_callback_query(query.id, text="Terima kasih")

    commands = [telegram.BotCommand("start", "Mulai"), telegram.BotCommand("bantuan", "Bantuan")]
    assert await ptb_bot.set_my_commands(commands, language_code="id")
    assert await ptb_bot.get_my_commands(language_code="id") == tuple(commands)

    message = await ptb_bot.send_document(
        USER, io.BytesIO(b"isi laporan"), filename="laporan.txt", caption="Laporan"
    )
    assert message.document is not None
    file = await ptb_bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"isi laporan"
    api.push_photo(USER)
    photo_update = (await ptb_bot.get_updates(offset=updates[-1].update_id + 1))[0]
    assert photo_update.message is not None
    photo_file = await photo_update.message.photo[-1].get_file()
    assert bytes(await photo_file.download_as_bytearray()).startswith(b"\x89PNG")


async def test_python_telegram_bot_errors(api: FakeBotApi, ptb_bot: telegram.Bot) -> None:
    bad_button = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await ptb_bot.send_message(USER, "x", reply_markup=bad_button)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await ptb_bot.send_message(USER, "a < b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await ptb_bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Chat not found"):
        await ptb_bot.send_message(4242, "x")
    api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as retry:
        await ptb_bot.send_message(USER, "x")
    assert retry.value.retry_after == dtm.timedelta(seconds=7)
    api.block_user(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await ptb_bot.send_message(USER, "x")
    await ptb_bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await ptb_bot.get_updates()
    await ptb_bot.delete_webhook()


async def test_python_telegram_bot_application_polling(api: FakeBotApi, ptb_env: None) -> None:
    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Selamat datang di PMI Helpline", do_quote=True)

    app = (
        Application.builder()
        .token(api.token)
        .base_url(f"{api.base_url}/bot")
        .base_file_url(f"{api.base_url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
        try:
            update_id = api.push_text(USER, "/start")
            reply = await api.wait_for_message_async(USER, "Selamat datang", timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
    assert reply["reply_to_message"]["text"] == "/start"
    polls = api.sent(method="getUpdates")
    assert any(call.params.get("offset") == update_id + 1 for call in polls)
    assert api.sent(method="deleteWebhook")


async def test_aiogram_round_trip(api: FakeBotApi, aiogram_bot: AiogramBot) -> None:
    me = await aiogram_bot.get_me()
    assert me.username == "pmi_helpline_test_bot"
    markup = AiogramMarkup(inline_keyboard=[[AiogramButton(text="Ya", callback_data="yes")]])
    sent = await aiogram_bot.send_message(USER, "<i>Halo</i>", parse_mode="HTML", reply_markup=markup)
    assert sent.text == "Halo"
    edited = await aiogram_bot.edit_message_text(text="Halo lagi", chat_id=USER, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.reply_markup is None
    api.push_callback(USER, "yes", sent.message_id)
    updates = await aiogram_bot.get_updates(timeout=1)
    assert updates[0].callback_query is not None
    assert await aiogram_bot.answer_callback_query(updates[0].callback_query.id)
    upload = BufferedInputFile(b"aiogram upload", filename="a.txt")
    message = await aiogram_bot.send_document(USER, upload)
    assert message.document is not None
    downloaded = await aiogram_bot.download(message.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == b"aiogram upload"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await aiogram_bot.send_message(USER, "<b>x", parse_mode="HTML")
    api.fail_next("sendMessage", 429, retry_after=2)
    with pytest.raises(TelegramRetryAfter) as retry:
        await aiogram_bot.send_message(USER, "x")
    assert retry.value.retry_after == 2


def test_default_token_and_bot_identity() -> None:
    api = FakeBotApi()
    assert api.token == DEFAULT_TOKEN
    assert api.bot_user["id"] == 123456789
    with pytest.raises(RuntimeError, match="not running"):
        _ = api.base_url
    with pytest.raises(ValueError, match="bot token"):
        FakeBotApi("not-a-token")
