"""Telegram updates -> the core's incoming messages and staff actions, through both adapters
(bot/ptb/translate.py and bot/aiogram_rt/translate.py): the same updates, the same results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import aiogram.types
import pytest
import telegram

from bot.aiogram_rt import translate as aiogram_translate
from bot.delivery.actions import PersonMessage, StaffPress, StaffReply, StaffView
from bot.ptb import translate as ptb_translate
from flows.incoming import AttachmentIn, ChoiceIn, CommandIn, ContactIn, LocationIn, TextIn

BOT_ID = 999
STAFF = -100123
STAFF_CHATS = frozenset({STAFF})
USER = {"id": 42, "is_bot": False, "first_name": "Ani"}
OFFICER = {"id": 7, "is_bot": False, "first_name": "Sari"}
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "Helpline"}
PRIVATE = {"id": 42, "type": "private", "first_name": "Ani"}
GROUP = {"id": STAFF, "type": "supergroup", "title": "PPA-PPO"}


def message(chat: dict[str, Any] = PRIVATE, sender: dict[str, Any] = USER, **content: Any) -> dict[str, Any]:
    return {"message_id": 10, "date": 1_700_000_000, "chat": chat, "from": sender, **content}


def ptb_act(**fields: Any) -> Any:
    update = telegram.Update.de_json({"update_id": 1, **fields}, None)
    assert update is not None
    return ptb_translate.translate(update, STAFF_CHATS, BOT_ID)


def ptb_key(**fields: Any) -> int | None:
    update = telegram.Update.de_json({"update_id": 1, **fields}, None)
    assert update is not None
    return ptb_translate.ordering_key(update)


def aiogram_act(**fields: Any) -> Any:
    update = aiogram.types.Update.model_validate({"update_id": 1, **fields})
    return aiogram_translate.translate(update, STAFF_CHATS, BOT_ID)


def aiogram_key(**fields: Any) -> int | None:
    return aiogram_translate.ordering_key(aiogram.types.Update.model_validate({"update_id": 1, **fields}))


Act = Callable[..., Any]
ADAPTERS = {"python-telegram-bot": (ptb_act, ptb_key), "aiogram": (aiogram_act, aiogram_key)}


@pytest.fixture(params=list(ADAPTERS))
def adapter(request: pytest.FixtureRequest) -> tuple[Act, Callable[..., int | None]]:
    return ADAPTERS[request.param]


@pytest.fixture
def act(adapter: tuple[Act, Callable[..., int | None]]) -> Act:
    return adapter[0]


def test_private_text_and_reply_to(act: Act) -> None:
    replied = message(sender=BOT, text="Petugas: ...")
    assert act(message=message(text="halo <b>", reply_to_message=replied)) == PersonMessage(
        42, TextIn("halo <b>"), 10
    )
    assert act(message=message(text="halo")) == PersonMessage(42, TextIn("halo"), None)


def test_private_message_carries_its_id_and_date_for_hapus(act: Act) -> None:
    for content in ({"text": "halo"}, {"location": {"latitude": 1.5, "longitude": 103.7}}):
        action = act(message=message(**content))
        assert isinstance(action, PersonMessage)
        assert action.message_id == 10
        assert action.sent_at == datetime.fromtimestamp(1_700_000_000, UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", CommandIn("start")),
        ("/CEK PT Maju", CommandIn("cek", "PT Maju")),
        ("/lapor@pmi_helpline_bot", CommandIn("lapor")),
        ("/status@pmi_helpline_bot  PMI-ABCD-EFGH ", CommandIn("status", "PMI-ABCD-EFGH")),
    ],
)
def test_commands(text: str, expected: CommandIn, act: Act) -> None:
    assert act(message=message(text=text)).incoming == expected


def test_button_in_private_chat_is_a_choice(act: Act) -> None:
    query = {
        "id": "q1",
        "from": USER,
        "chat_instance": "c",
        "data": "4.tppo",
        "message": message(sender=BOT, text="What happened?"),
    }
    assert act(callback_query=query) == PersonMessage(42, ChoiceIn("4.tppo"))


def test_location_contact_and_files_are_kept_by_reference(act: Act) -> None:
    assert act(message=message(location={"latitude": 3.1, "longitude": 101.7})).incoming == LocationIn(
        3.1, 101.7
    )
    assert act(message=message(contact={"phone_number": "+60123", "first_name": "A"})).incoming == ContactIn(
        "+60123"
    )
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 10},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": 9000},
    ]
    assert act(message=message(photo=photo, caption="paspor")).incoming == AttachmentIn(
        "photo", "big", "image/jpeg", 9000, caption="paspor"
    )
    document = {
        "file_id": "d",
        "file_unique_id": "d",
        "file_name": "kontrak.pdf",
        "mime_type": "application/pdf",
        "file_size": 500,
    }
    assert act(message=message(document=document)).incoming == AttachmentIn(
        "document", "d", "application/pdf", 500, "kontrak.pdf"
    )
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}
    assert act(message=message(voice=voice)).incoming == AttachmentIn("voice", "v", "audio/ogg")
    video = {"file_id": "vi", "file_unique_id": "vi", "width": 1, "height": 1, "duration": 1}
    assert act(message=message(video=video)).incoming == AttachmentIn("video", "vi")
    audio = {"file_id": "a", "file_unique_id": "a", "duration": 1, "file_name": "x.mp3"}
    assert act(message=message(audio=audio)).incoming == AttachmentIn("audio", "a", None, None, "x.mp3")


def test_unsupported_messages_are_ignored(act: Act) -> None:
    sticker = {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    assert act(message=message(sticker=sticker)) is None
    assert act(message=message(text="hi", sender=BOT)) is None
    assert act(message=message(chat={"id": -5, "type": "group", "title": "x"}, text="hi")) is None


def test_staff_button_in_staff_group(act: Act) -> None:
    query = {
        "id": "q",
        "from": OFFICER,
        "chat_instance": "c",
        "data": "s.take.PMI-ABCD-EFGH",
        "message": message(chat=GROUP, sender=BOT, text="card"),
    }
    assert act(callback_query=query) == StaffPress(7, STAFF, "s.take.PMI-ABCD-EFGH")
    other = {**query, "data": "4.tppo"}
    assert act(callback_query=other) is None
    elsewhere = {
        **query,
        "message": message(chat={"id": -5, "type": "group", "title": "x"}, sender=BOT, text="card"),
    }
    assert act(callback_query=elsewhere) is None


def test_staff_answers(act: Act) -> None:
    card = message(chat=GROUP, sender=BOT, text="card")
    reply = message(chat=GROUP, sender=OFFICER, text="Kami hubungi majikan", reply_to_message=card)
    assert act(message=reply) == StaffReply(7, STAFF, "Kami hubungi majikan", 10)
    command = message(chat=GROUP, sender=OFFICER, text="/reply pmi-abcd-efgh Sudah aman?\nYa")
    assert act(message=command) == StaffReply(7, STAFF, "Sudah aman?\nYa", ref="pmi-abcd-efgh")
    chatter = message(chat=GROUP, sender=OFFICER, text="rapat jam 3")
    assert act(message=chatter) is None
    to_colleague = message(
        chat=GROUP, sender=OFFICER, text="ok", reply_to_message=message(chat=GROUP, sender=USER, text="x")
    )
    assert act(message=to_colleague) is None


def test_staff_view_command(act: Act) -> None:
    for text in ("/lihat PMI-ABCD-EFGH", "/view@helpline_bot pmi-abcd-efgh ", "/LIHAT PMI-ABCD-EFGH"):
        view = act(message=message(chat=GROUP, sender=OFFICER, text=text))
        assert isinstance(view, StaffView)
        assert (view.telegram_id, view.chat_id, view.ref.upper()) == (7, STAFF, "PMI-ABCD-EFGH")
    # No reference: still a view request, which the core refuses with how to ask.
    assert act(message=message(chat=GROUP, sender=OFFICER, text="/lihat")) == StaffView(7, STAFF, "")
    # Only in staff groups: in a private chat /lihat is a person's (unknown) command.
    assert act(message=message(text="/lihat PMI-ABCD-EFGH")) == PersonMessage(
        42, CommandIn("lihat", "PMI-ABCD-EFGH")
    )


def test_ordering_key_is_the_person(adapter: tuple[Act, Callable[..., int | None]]) -> None:
    key = adapter[1]
    assert key(message=message(text="x")) == 42
    query = {
        "id": "q",
        "from": OFFICER,
        "chat_instance": "c",
        "data": "s.take.X",
        "message": message(chat=GROUP, sender=BOT, text="card"),
    }
    assert key(callback_query=query) == 7
