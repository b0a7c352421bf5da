"""In-memory state and method behaviour of one fake bot: chats, messages, updates, files.

:class:`BotEngine` is deliberately synchronous and guarded by one re-entrant lock: the HTTP
handlers run on the server's event loop while tests push updates and inspect state from
their own thread (or the same loop), so every public method takes the lock and returns deep
copies. Nothing here waits; long polling and injected delays live in :mod:`.server`.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .markup import FormattedText, utf16_len
from .spec import ApiError, UploadedFile, bad_request, clone_json

__all__ = ["BotEngine", "StoredFile"]

JSON = dict[str, Any]
Handler = Callable[[JSON, dict[str, FormattedText]], Any]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CANT_DELETE = "message can't be deleted"
# "A message can only be deleted if it was sent less than 48 hours ago."
DELETABLE_FOR = 48 * 3600
# Telegram refuses to hand out files above this size through getFile.
MAX_DOWNLOAD = 20 * 1024 * 1024
# Update kinds a bot receives when it never set allowed_updates (or set an empty list).
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Message fields that carry content, i.e. what copyMessage/forwardMessage reproduce.
CONTENT_KEYS = (
    "text",
    "entities",
    "link_preview_options",
    "photo",
    "document",
    "voice",
    "location",
    "contact",
    "caption",
    "caption_entities",
    "show_caption_above_media",
)
MEDIA_KEYS = frozenset({"photo", "document", "voice"})
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})


def _tiny_png() -> bytes:
    """A valid 1x1 PNG, the default payload of pushed photos."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


TINY_PNG = _tiny_png()


def _image_size(data: bytes) -> tuple[int, int]:
    # PNG keeps its dimensions at a fixed place; anything else gets a plausible default.
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 320, 320


@dataclass(frozen=True)
class StoredFile:
    """A file the fake can serve: uploaded by the bot or registered/pushed by a test."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str
    file_name: str | None


def _without_reply(message: JSON) -> JSON:
    # Telegram never nests reply_to_message inside a reply_to_message.
    copied = clone_json(message)
    copied.pop("reply_to_message", None)
    return copied


def _inline_markup(markup: Any) -> JSON | None:
    # Messages only echo inline keyboards; reply keyboards are not part of a Message object.
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _apply_formatted(message: JSON, key: str, entities_key: str, text: FormattedText) -> None:
    message[key] = text.text
    if text.entities:
        message[entities_key] = text.entities
    else:
        message.pop(entities_key, None)


class BotEngine:
    """State and Bot API method implementations for one bot token."""

    def __init__(self, token: str, *, first_name: str, username: str) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError(f"a bot token looks like '123456:ABC-DEF', got {token!r}")
        self.token = token
        self.lock = threading.RLock()
        self.bot_user: JSON = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, JSON]] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._pending: list[JSON] = []
        self._redeliveries: list[JSON] = []
        self._history: dict[int, JSON] = {}
        self._next_update_id = 10_000
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._webhook: JSON | None = None
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._callbacks: dict[str, bool] = {}  # callback query id -> answered
        self._counter = 0
        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "logout": self._ok,
            "close": self._ok,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendvoice": self._send_voice,
            "sendlocation": self._send_location,
            "sendcontact": self._send_contact,
            "sendchataction": self._send_chat_action,
            "copymessage": self._copy_message,
            "forwardmessage": self._forward_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "getfile": self._get_file,
            "getchat": self._get_chat,
        }

    # -- dispatch ----------------------------------------------------------------------

    def call(self, method: str, params: JSON, formatted: dict[str, FormattedText]) -> Any:
        """Run an already validated method; other spec methods simply succeed with ``True``."""
        handler = self._handlers.get(method.lower())
        with self.lock:
            return self._ok(params, formatted) if handler is None else handler(params, formatted)

    def unanswered_callbacks(self) -> list[str]:
        """The ids of pushed button presses nobody answered yet (a spinner still turning)."""
        with self.lock:
            return [query_id for query_id, answered in self._callbacks.items() if not answered]

    def limited_chat_type(self, chat_id: Any) -> str | None:
        """The type of a known chat (for rate limiting), or ``None``."""
        with self.lock:
            chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
            return None if chat is None else str(chat["type"])

    # -- helpers -------------------------------------------------------------------------

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    @staticmethod
    def _now() -> int:
        return int(time.time())

    def _ok(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        return True

    def _chat(self, chat_id: int | str, *, sending: bool) -> JSON:
        if isinstance(chat_id, str):
            wanted = chat_id.lower()
            for chat in self._chats.values():
                if chat.get("username") and f"@{chat['username']}".lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        known = self._chats.get(chat_id)
        if known is None:
            if chat_id in self._users:
                raise ApiError(403, CANT_INITIATE)
            raise bad_request("chat not found")
        if sending and known["type"] == "private" and chat_id in self._blocked:
            raise ApiError(403, BLOCKED)
        return known

    def _store(self, chat_id: int, sender: JSON, content: JSON) -> JSON:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": clone_json(sender),
            "chat": clone_json(self._chats[chat_id]),
            "date": self._now(),
            **content,
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _find(self, chat_id: int, message_id: int) -> JSON | None:
        return self._messages.get(chat_id, {}).get(message_id)

    def _push_update(self, kind: str, payload: JSON) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: clone_json(payload)}
        self._pending.append(update)
        self._history[update_id] = update
        return update_id

    # -- test side -----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """Register (or update) a Telegram user the bot may see."""
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({key: value for key, value in optional.items() if value is not None})
        with self.lock:
            self._users[user_id] = user
            return clone_json(user)

    def add_private_chat(self, user_id: int, **user_fields: Any) -> JSON:
        """Register a user who has started the bot, so the bot may message them."""
        with self.lock:
            user = self.add_user(user_id, **user_fields)
            chat: JSON = {"id": user_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            self._chats[user_id] = chat
            return clone_json(chat)

    def ensure_private_chat(self, user_id: int) -> None:
        """Make a private chat known, with placeholder names if the test did not add it."""
        with self.lock:
            if user_id not in self._chats:
                known = self._users.get(user_id, {})
                self.add_private_chat(
                    user_id,
                    first_name=known.get("first_name", f"User {user_id}"),
                    last_name=known.get("last_name"),
                    username=known.get("username"),
                    language_code=known.get("language_code", "id"),
                )

    def ensure_user(self, user_id: int) -> None:
        """Make a user known (e.g. a group member) without opening a private chat."""
        with self.lock:
            if user_id not in self._users:
                self.add_user(user_id, f"User {user_id}", language_code="id")

    def add_group(
        self, chat_id: int, title: str, *, chat_type: str | None = None, username: str | None = None
    ) -> JSON:
        """Register a group; ids starting with -100 are supergroups unless told otherwise."""
        if chat_type is None:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        if chat_type not in {"group", "supergroup", "channel"}:
            raise ValueError(f"unsupported chat type {chat_type!r}")
        chat: JSON = {"id": chat_id, "type": chat_type, "title": title}
        if username:
            chat["username"] = username
        with self.lock:
            self._chats[chat_id] = chat
            return clone_json(chat)

    def push_message(self, chat_id: int, user_id: int, content: JSON, reply_to_message_id: int | None) -> int:
        """Store a message from a user and queue it as a ``message`` update."""
        with self.lock:
            if chat_id not in self._chats:
                raise ValueError(f"chat {chat_id} is unknown: add it first")
            reply = None
            if reply_to_message_id is not None:
                target = self._find(chat_id, reply_to_message_id)
                if target is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id}")
                reply = _without_reply(target)
            extra = {"reply_to_message": reply} if reply else {}
            message = self._store(chat_id, self._users[user_id], {**extra, **content})
            return self._push_update("message", message)

    def text_content(self, text: str) -> JSON:
        """Content of a typed text message; a leading /command gets its bot_command entity."""
        content: JSON = {"text": text}
        if text.startswith("/") and len(text) > 1:
            command = re.split(r"\s", text, maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return content

    def register_file(
        self,
        data: bytes,
        *,
        folder: str,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Store bytes under a fresh file_id and a downloadable file_path."""
        with self.lock:
            number = self._next()
            guessed = mimetypes.guess_type(file_name)[0] if file_name else None
            mime = mime_type or guessed or "application/octet-stream"
            extension = mimetypes.guess_extension(mime) or ".bin"
            if file_name and "." in file_name:
                extension = "." + file_name.rsplit(".", 1)[1]
            stored = StoredFile(
                file_id=f"FAKE-{folder}-{number:06d}-{self.bot_user['id']}",
                file_unique_id=f"U{number:06d}",
                file_path=f"{folder}/file_{number}{extension}",
                data=data,
                mime_type=mime,
                file_name=file_name,
            )
            self._files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
            return stored

    def file_by_path(self, path: str) -> StoredFile | None:
        with self.lock:
            return self._files_by_path.get(path)

    def file_by_id(self, file_id: str) -> StoredFile | None:
        with self.lock:
            return self._files.get(file_id)

    def user(self, user_id: int) -> JSON:
        with self.lock:
            return clone_json(self._users[user_id])

    @staticmethod
    def photo_sizes(stored: StoredFile) -> list[JSON]:
        width, height = _image_size(stored.data)
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "width": width,
                "height": height,
            }
        ]

    @staticmethod
    def document(stored: StoredFile) -> JSON:
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        return document

    @staticmethod
    def voice(stored: StoredFile, duration: int) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }

    def push_callback(self, user_id: int, data: str, message_id: int, chat_id: int) -> int:
        """Queue a ``callback_query`` for a button on the given message."""
        with self.lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise ValueError(f"chat {chat_id} is unknown: add it first")
            found = self._find(chat_id, message_id)
            # A deleted/unknown message reaches the bot as an InaccessibleMessage (date 0).
            message = (
                clone_json(found)
                if found
                else {"chat": clone_json(chat), "message_id": message_id, "date": 0}
            )
            query_id = str(7_000_000_000_000_000 + self._next())
            self._callbacks[query_id] = False
            return self._push_update(
                "callback_query",
                {
                    "id": query_id,
                    "from": self._users[user_id],
                    "message": message,
                    "chat_instance": str(abs(chat_id) * 2_654_435_761 % 2**62),
                    "data": data,
                },
            )

    def find_button(self, chat_id: int, message_id: int, label: str) -> str:
        """The callback_data of the inline button labelled ``label`` on a bot message."""
        with self.lock:
            message = self._find(chat_id, message_id)
            if message is None:
                raise AssertionError(f"no message {message_id} in chat {chat_id}")
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            buttons = [button for row in rows for button in row]
            for button in buttons:
                if button.get("text") == label and "callback_data" in button:
                    return str(button["callback_data"])
            labels = [button.get("text") for button in buttons]
            raise AssertionError(
                f"message {message_id} in chat {chat_id} has no callback button {label!r}; buttons: {labels}"
            )

    def push_raw(self, update: JSON) -> int | None:
        """Queue an arbitrary (possibly malformed) update, numbering it if needed."""
        with self.lock:
            update = copy.deepcopy(update)  # anything a test passes, cycles included
            update.setdefault("update_id", self._next_update_id)
            self._pending.append(update)
            update_id = update["update_id"]
            if not isinstance(update_id, int):
                return None
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._history[update_id] = update
            return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an already delivered update once more (at-least-once delivery)."""
        with self.lock:
            if update_id not in self._history:
                raise ValueError(f"update {update_id} was never pushed")
            self._redeliveries.append(clone_json(self._history[update_id]))

    def set_blocked(self, user_id: int, blocked: bool, *, notify: bool) -> int | None:
        """Block/unblock the bot for a user; Telegram then sends a ``my_chat_member`` update."""
        with self.lock:
            if blocked:
                self._blocked.add(user_id)
            else:
                self._blocked.discard(user_id)
            chat = self._chats.get(user_id)
            if not notify or chat is None:
                return None
            member = {"status": "member", "user": self.bot_user}
            kicked = {"status": "kicked", "user": self.bot_user, "until_date": 0}
            old, new = (member, kicked) if blocked else (kicked, member)
            return self._push_update(
                "my_chat_member",
                {
                    "chat": chat,
                    "from": self._users[user_id],
                    "date": self._now(),
                    "old_chat_member": old,
                    "new_chat_member": new,
                },
            )

    def chat_messages(self, chat_id: int) -> list[JSON]:
        with self.lock:
            stored = self._messages.get(chat_id, {})
            return [clone_json(stored[message_id]) for message_id in sorted(stored)]

    def age_messages(self, chat_id: int, seconds: int) -> None:
        """Pretend the chat's messages so far were sent ``seconds`` earlier."""
        with self.lock:
            for message in self._messages.get(chat_id, {}).values():
                message["date"] -= seconds

    def bot_messages(self, chat_id: int) -> list[JSON]:
        with self.lock:
            return [
                clone_json(message)
                for message in self._messages.get(chat_id, {}).values()
                if message.get("from", {}).get("id") == self.bot_user["id"]
            ]

    def commands(self, scope: JSON | None, language_code: str) -> list[JSON]:
        with self.lock:
            key = self._scope_key({"scope": scope} if scope else {}, language_code)
            return clone_json(self._commands.get(key, []))

    def take_updates(
        self, offset: int | None, limit: int, allowed_updates: Iterable[str] | None
    ) -> list[JSON]:
        """Confirm updates below ``offset`` and return up to ``limit`` deliverable ones."""
        with self.lock:
            if self._webhook is not None:
                raise ApiError(409, WEBHOOK_CONFLICT)
            if allowed_updates is not None:
                self._allowed_updates = frozenset(allowed_updates) or None
            if offset is not None and offset < 0:
                # "Negative offset ... retrieve updates starting from -offset update from the
                # end of the updates queue. All previous updates will be forgotten."
                self._pending = self._pending[offset:]
            elif offset is not None:
                self._pending = [update for update in self._pending if not self._confirmed(update, offset)]
            batch = self._redeliveries[:limit]
            del self._redeliveries[:limit]
            batch += [u for u in self._pending if self._deliverable(u)][: limit - len(batch)]
            return clone_json(batch)

    def pop_update(self, update_id: int) -> JSON:
        """Take a pushed update out of the queue whatever the webhook: for a test that delivers
        updates to webhook servers itself, as Telegram does."""
        with self.lock:
            for index, update in enumerate(self._pending):
                if update.get("update_id") == update_id:
                    del self._pending[index]
                    return clone_json(update)
        raise KeyError(f"no pending update {update_id}")

    @staticmethod
    def _confirmed(update: JSON, offset: int) -> bool:
        update_id = update.get("update_id")
        return isinstance(update_id, int) and update_id < offset

    def _deliverable(self, update: JSON) -> bool:
        kind = next((key for key in update if key != "update_id"), None)
        if kind is None:
            return True  # malformed raw updates are delivered as they are
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATES
        return kind in self._allowed_updates

    # -- methods: bot and webhook ----------------------------------------------------------

    def _get_me(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_webhook(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        url = params["url"]
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if not url:
            self._webhook = None
            return True
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        webhook: JSON = {
            "url": url,
            "has_custom_certificate": "certificate" in params,
            "max_connections": params.get("max_connections", 40),
        }
        for key in ("ip_address", "allowed_updates"):
            if key in params:
                webhook[key] = params[key]
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        self._webhook = webhook
        return True

    def _delete_webhook(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        info: JSON = {"url": "", "has_custom_certificate": False}
        if self._webhook is not None:
            info.update(self._webhook)
        info["pending_update_count"] = len(self._pending)
        return info

    # -- methods: sending ----------------------------------------------------------------

    def _reply_target(self, chat: JSON, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if reply is None and "reply_to_message_id" in params:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        target_chat = chat
        if "chat_id" in reply:
            target_chat = self._chat(reply["chat_id"], sending=False)
        found = self._find(target_chat["id"], reply["message_id"])
        if found is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        # Replies into another chat become external_reply in Telegram; not modelled here.
        return _without_reply(found) if target_chat["id"] == chat["id"] else None

    def _send(self, params: JSON, content: JSON) -> JSON:
        chat = self._chat(params["chat_id"], sending=True)
        extra: JSON = {}
        reply = self._reply_target(chat, params)
        if reply is not None:
            extra["reply_to_message"] = reply
        if params.get("protect_content"):
            extra["has_protected_content"] = True
        markup = _inline_markup(params.get("reply_markup"))
        if markup is not None:
            content = {**content, "reply_markup": markup}
        message = self._store(chat["id"], self.bot_user, {**extra, **content})
        return clone_json(message)

    def _caption(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        content: JSON = {}
        if "caption" in formatted and formatted["caption"].text:
            _apply_formatted(content, "caption", "caption_entities", formatted["caption"])
            if params.get("show_caption_above_media"):
                content["show_caption_above_media"] = True
        return content

    def _input_file(self, value: Any, folder: str, default_name: str) -> StoredFile:
        if isinstance(value, UploadedFile):
            content_type = value.content_type
            return self.register_file(
                value.data,
                folder=folder,
                file_name=value.filename or default_name,
                mime_type=None if content_type == "application/octet-stream" else content_type,
            )
        if value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            # Telegram would download the URL; the fake never leaves 127.0.0.1, so it keeps
            # an empty placeholder file instead.
            name = urlsplit(value).path.rsplit("/", 1)[-1] or default_name
            return self.register_file(b"", folder=folder, file_name=name)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_message(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        content: JSON = {}
        _apply_formatted(content, "text", "entities", formatted["text"])
        if "link_preview_options" in params:
            content["link_preview_options"] = params["link_preview_options"]
        return self._send(params, content)

    def _send_photo(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        stored = self._input_file(params["photo"], "photos", "photo.jpg")
        content = {"photo": self.photo_sizes(stored), **self._caption(params, formatted)}
        return self._send(params, content)

    def _send_document(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        stored = self._input_file(params["document"], "documents", "document")
        content = {"document": self.document(stored), **self._caption(params, formatted)}
        return self._send(params, content)

    def _send_voice(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        stored = self._input_file(params["voice"], "voice", "voice.ogg")
        voice = self.voice(stored, int(params.get("duration", 1)))
        return self._send(params, {"voice": voice, **self._caption(params, formatted)})

    def _send_location(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        keys = ("latitude", "longitude", "horizontal_accuracy", "live_period", "heading")
        location = {key: params[key] for key in (*keys, "proximity_alert_radius") if key in params}
        return self._send(params, {"location": location})

    def _send_contact(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        keys = ("phone_number", "first_name", "last_name", "vcard")
        return self._send(params, {"contact": {key: params[key] for key in keys if key in params}})

    def _send_chat_action(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        self._chat(params["chat_id"], sending=True)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _source(self, params: JSON, missing: str) -> JSON:
        chat = self._chat(params["from_chat_id"], sending=False)
        found = self._find(chat["id"], params["message_id"])
        if found is None:
            raise bad_request(missing)
        return found

    def _copy_message(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        source = self._source(params, "message to copy not found")
        content = {key: clone_json(source[key]) for key in CONTENT_KEYS if key in source}
        if "caption" in params and MEDIA_KEYS & content.keys():
            for key in ("caption", "caption_entities", "show_caption_above_media"):
                content.pop(key, None)
            content.update(self._caption(params, formatted))
        return {"message_id": self._send(params, content)["message_id"]}

    def _forward_message(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        source = self._source(params, "message to forward not found")
        if "from" in source:
            origin: JSON = {"type": "user", "date": source["date"], "sender_user": source["from"]}
        else:
            origin = {"type": "chat", "date": source["date"], "sender_chat": source["chat"]}
        content = {key: clone_json(source[key]) for key in CONTENT_KEYS if key in source}
        return self._send(params, {"forward_origin": clone_json(origin), **content})

    # -- methods: editing and deleting -----------------------------------------------------

    def _edit(self, params: JSON, change: Callable[[JSON], None]) -> JSON | bool:
        if "inline_message_id" in params and "chat_id" not in params:
            return True  # inline messages are not tracked by the fake
        chat = self._chat(params["chat_id"], sending=True)
        message = self._find(chat["id"], params["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        edited = clone_json(message)
        edited.pop("edit_date", None)
        change(edited)
        current = {key: value for key, value in message.items() if key != "edit_date"}
        if edited == current:
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = self._now()
        self._messages[chat["id"]][message["message_id"]] = edited
        return clone_json(edited)

    @staticmethod
    def _set_markup(message: JSON, params: JSON) -> None:
        # An edit without reply_markup removes the inline keyboard, as on Telegram.
        markup = _inline_markup(params.get("reply_markup"))
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup

    def _edit_message_text(self, params: JSON, formatted: dict[str, FormattedText]) -> Any:
        def change(message: JSON) -> None:
            if "text" not in message:
                raise bad_request("there is no text in the message to edit")
            if "text" in formatted:
                _apply_formatted(message, "text", "entities", formatted["text"])
            if "link_preview_options" in params:
                message["link_preview_options"] = params["link_preview_options"]
            self._set_markup(message, params)

        return self._edit(params, change)

    def _edit_message_caption(self, params: JSON, formatted: dict[str, FormattedText]) -> Any:
        def change(message: JSON) -> None:
            if not MEDIA_KEYS & message.keys():
                raise bad_request("there is no caption in the message to edit")
            for key in ("caption", "caption_entities", "show_caption_above_media"):
                message.pop(key, None)
            message.update(self._caption(params, formatted))
            self._set_markup(message, params)

        return self._edit(params, change)

    def _edit_message_reply_markup(self, params: JSON, formatted: dict[str, FormattedText]) -> Any:
        return self._edit(params, lambda message: self._set_markup(message, params))

    def _deletable(self, message: JSON) -> bool:
        # Bots may delete their own messages and, in private chats, the user's; admin rights in
        # groups are not modelled, so only the age limit is checked.
        return bool(message["date"] > self._now() - DELETABLE_FOR)

    def _delete_message(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        chat = self._chat(params["chat_id"], sending=True)
        stored = self._messages.get(chat["id"], {})
        message = stored.get(params["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        if not self._deletable(message):
            raise bad_request(CANT_DELETE)
        del stored[params["message_id"]]
        return True

    def _delete_messages(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        chat = self._chat(params["chat_id"], sending=True)
        stored = self._messages.get(chat["id"], {})
        # "If some of the specified messages can't be found, they are skipped"; one that may not
        # be deleted fails the whole call before anything is deleted, as in Telegram.
        found = [message_id for message_id in params["message_ids"] if message_id in stored]
        if not all(self._deletable(stored[message_id]) for message_id in found):
            raise bad_request(CANT_DELETE)
        for message_id in found:
            stored.pop(message_id, None)
        return True

    # -- methods: callbacks, commands, menu, files, chats ------------------------------------

    def _answer_callback_query(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        query_id = params["callback_query_id"]
        if self._callbacks.get(query_id, True):  # unknown or already answered
            raise bad_request(QUERY_INVALID)
        self._callbacks[query_id] = True
        return True

    def _scope_key(self, params: JSON, language_code: str) -> tuple[str, str]:
        scope = dict(params.get("scope") or {"type": "default"})
        if "chat_id" in scope:
            scope["chat_id"] = self._chat(scope["chat_id"], sending=False)["id"]
        if language_code and not re.fullmatch(r"[a-z]{2}", language_code):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language_code

    def _set_my_commands(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        key = self._scope_key(params, params.get("language_code", ""))
        if params["commands"]:
            self._commands[key] = clone_json(params["commands"])
        else:
            self._commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSON, formatted: dict[str, FormattedText]) -> list[JSON]:
        key = self._scope_key(params, params.get("language_code", ""))
        return clone_json(self._commands.get(key, []))

    def _delete_my_commands(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        self._commands.pop(self._scope_key(params, params.get("language_code", "")), None)
        return True

    def _set_chat_menu_button(self, params: JSON, formatted: dict[str, FormattedText]) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._chat(chat_id, sending=False)
        self._menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _get_chat_menu_button(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        chat_id = params.get("chat_id")
        button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return clone_json(button) if button else {"type": "default"}

    def _get_file(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _get_chat(self, params: JSON, formatted: dict[str, FormattedText]) -> JSON:
        chat = self._chat(params["chat_id"], sending=False)
        return {
            **clone_json(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
