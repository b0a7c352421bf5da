"""Bot API 10.1 specification and request validation for the fake Bot API server.

The bundled ``bot-api-10.1.min.json`` (generated from the official documentation by the MIT
licensed PaulSonOfLars/telegram-bot-api-spec project, see ``LICENSE-bot-api-spec``) lists every
method and type with field names, types, required flags and descriptions. Everything this
module checks is derived from that file rather than hand-written per method:

* missing required fields (including "Required if X is not specified" in descriptions),
  unknown fields and wrong types, recursively through nested objects, arrays and unions;
* string limits such as "1-4096 characters after entities parsing" or "1-64 bytes", array
  limits such as "1-100 identifiers" or "At most 100 commands can be specified", character
  classes such as "only lowercase English letters, digits and underscores", and "Exactly one
  of the fields other than ... must be used";
* text fields "after entities parsing" are parsed with their sibling ``parse_mode`` /
  ``*_entities`` fields (see :mod:`tests.fakebotapi.markup`) before their length is checked.

Telegram's real messages are used where known ("message text is empty", "message is too
long", "BUTTON_DATA_INVALID", ...); other failures get a descriptive message naming the
offending field path. Two behaviours are stricter than Telegram on purpose, to catch bot bugs:
unknown parameters are rejected (Telegram ignores them) and so is a bare ``&`` in HTML.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from .markup import EntityParseError, FormattedText, UnsupportedParseModeError, format_text, utf16_len

__all__ = [
    "SPEC_FILE",
    "ApiError",
    "FieldSpec",
    "ObjectSpec",
    "Spec",
    "UploadedFile",
    "Validated",
    "clone_json",
    "load_spec",
]

SPEC_FILE = Path(__file__).with_name("bot-api-10.1.min.json")
T = TypeVar("T")
# Validated parameter values and parsed texts kept for reuse: a bot sends the same keyboards and
# texts over and over, and validating them anew was about half of the handler's time per send.
_MEMO_SIZE = 4096
_SCALARS = frozenset({str, int, float, bool, type(None)})

_PRIMITIVES = frozenset({"Integer", "String", "Boolean", "Float"})
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_STRING_LIMIT_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_ARRAY_RANGE_RE = re.compile(r"(\d+)-(\d+) (?!characters|bytes)[A-Za-z]")
_ARRAY_AT_MOST_RE = re.compile(r"At most (\d+) [\w ]+ can be specified")
_REQUIRED_IF_RE = re.compile(
    r"[Rr]equired if (\w+)(?: and (\w+))? (?:is|are) not specified"
    r"|[Rr]equired if (\w+) isn't specified"
)
_DISCRIMINATOR_RE = re.compile(r'(?:always "(\w+)"|must be (\w+))')
_EXCLUSIVE_RE = re.compile(r"(Exactly|At most) one of the fields other than (.+?) must be used")
# Character classes stated in prose in the documentation.
_PATTERNS = {
    "lowercase English letters, digits and underscores": re.compile(r"[a-z0-9_]+"),
    "A-Z, a-z, 0-9, _ and - are allowed": re.compile(r"[A-Za-z0-9_-]+"),
}

# Telegram's own descriptions for broken limits: (owner, field) -> (too short, too long).
_LIMIT_ERRORS: dict[tuple[str, str], tuple[str, str]] = {
    ("sendMessage", "text"): ("message text is empty", "message is too long"),
    ("editMessageText", "text"): ("message text is empty", "message is too long"),
    ("InlineKeyboardButton", "callback_data"): ("BUTTON_DATA_INVALID", "BUTTON_DATA_INVALID"),
    ("BotCommand", "command"): ("BOT_COMMAND_INVALID", "BOT_COMMAND_INVALID"),
    ("BotCommand", "description"): (
        "BOT_COMMAND_DESCRIPTION_INVALID",
        "BOT_COMMAND_DESCRIPTION_INVALID",
    ),
    ("answerCallbackQuery", "text"): ("MESSAGE_TOO_LONG", "MESSAGE_TOO_LONG"),
    ("setMyCommands", "commands"): ("BOT_COMMANDS_TOO_MUCH", "BOT_COMMANDS_TOO_MUCH"),
}
_PATTERN_ERRORS = {("BotCommand", "command"): "BOT_COMMAND_INVALID"}

# Parameters Telegram still accepts although the documentation dropped them in Bot API 7.0;
# python-telegram-bot and aiogram no longer send them, but older code paths might.
_LEGACY_PARAMS = {
    "reply_parameters": (
        ("reply_to_message_id", "Integer"),
        ("allow_sending_without_reply", "Boolean"),
    ),
    "link_preview_options": (("disable_web_page_preview", "Boolean"),),
}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A ``400 Bad Request: <detail>`` error."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request (an ``InputFile``)."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Limit:
    """An inclusive length range; ``unit`` says what is counted."""

    low: int
    high: int
    unit: Literal["characters", "bytes", "items"]


@dataclass(frozen=True)
class FieldSpec:
    """One field of a method or type, with the constraints parsed from its description."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    length: Limit | None = None
    items: Limit | None = None
    after_entities: bool = False
    # The field is required when none of these fields is given ("Required if X is not ...").
    required_unless: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class ObjectSpec:
    """A method (its parameters) or a type (its fields, or the subtypes of a union)."""

    name: str
    fields: dict[str, FieldSpec]
    subtypes: tuple[str, ...] = ()
    # (field, value) identifying this type among its union's subtypes, e.g. ("type", "chat").
    discriminator: tuple[str, str] | None = None
    # "Exactly/At most one of the fields other than <names> must be used".
    exclusive: tuple[frozenset[str], bool] | None = None
    returns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Validated:
    """A request that passed validation."""

    params: dict[str, Any]
    # Top-level "after entities parsing" fields (text, caption) as Telegram stores them.
    formatted: dict[str, FormattedText] = field(default_factory=dict)


class _Invalid(Exception):
    """A validation failure deep inside a value; turned into an :class:`ApiError` at the top."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class _Context:
    files: Mapping[str, UploadedFile]
    strict: bool  # outgoing objects: JSON types only, no form-post string coercion
    used_files: set[str] = field(default_factory=set)


def _field_spec(raw: Mapping[str, Any]) -> FieldSpec:
    description: str = raw["description"]
    types = tuple(raw["types"])
    length = items = None
    pattern = None
    if types[0].startswith("Array of"):
        if match := _ARRAY_RANGE_RE.search(description):
            items = Limit(int(match[1]), int(match[2]), "items")
        elif match := _ARRAY_AT_MOST_RE.search(description):
            items = Limit(0, int(match[1]), "items")
    elif "String" in types and (match := _STRING_LIMIT_RE.search(description)):
        unit: Literal["characters", "bytes"] = "bytes" if match[3] == "bytes" else "characters"
        length = Limit(int(match[1]), int(match[2]), unit)
    for phrase, regex in _PATTERNS.items():
        if phrase in description:
            pattern = regex
    required_unless: tuple[str, ...] = ()
    if match := _REQUIRED_IF_RE.search(description):
        required_unless = tuple(name for name in match.groups() if name)
    return FieldSpec(
        name=raw["name"],
        types=types,
        required=bool(raw["required"]),
        description=description,
        length=length,
        items=items,
        after_entities="after entities parsing" in description or "after entity parsing" in description,
        required_unless=required_unless,
        pattern=pattern,
    )


def _split_names(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in re.split(r",|\band\b", text) if part.strip())


def _object_spec(raw: Mapping[str, Any], *, is_method: bool) -> ObjectSpec:
    fields = {item["name"]: _field_spec(item) for item in raw.get("fields", [])}
    if is_method:
        for anchor, extras in _LEGACY_PARAMS.items():
            if anchor in fields:
                for name, type_name in extras:
                    fields[name] = FieldSpec(name, (type_name,), False, "legacy parameter")
    discriminator = None
    for key in ("type", "status", "source"):
        spec_field = fields.get(key)
        if spec_field and (match := _DISCRIMINATOR_RE.search(spec_field.description)):
            discriminator = (key, match[1] or match[2])
            break
    exclusive = None
    for sentence in raw.get("description", []):
        if match := _EXCLUSIVE_RE.search(sentence):
            exclusive = (_split_names(match[2]), match[1] == "Exactly")
    return ObjectSpec(
        name=raw["name"],
        fields=fields,
        subtypes=tuple(raw.get("subtypes", ())),
        discriminator=None if is_method else discriminator,
        exclusive=exclusive,
        returns=tuple(raw.get("returns", ())),
    )


def _type_label(types: tuple[str, ...]) -> str:
    return " or ".join(types)


def _is_structured(type_expr: str) -> bool:
    """Arrays and object types arrive JSON-encoded in form posts."""
    return type_expr.startswith("Array of ") or type_expr not in _PRIMITIVES | {"InputFile"}


def clone_json(value: T) -> T:
    """A deep copy of a JSON tree. ``copy.deepcopy`` keeps a memo of every object it visits to
    survive cycles, which JSON trees never have, and costs several times more: at three copies
    per sent message it was the largest single cost of a sendMessage. Anything that is not JSON
    still goes through it."""
    kind = type(value)
    if kind is dict:
        return cast(T, {key: clone_json(item) for key, item in cast(dict[str, Any], value).items()})
    if kind is list:
        return cast(T, [clone_json(item) for item in cast(list[Any], value)])
    if kind in _SCALARS:
        return value
    return copy.deepcopy(value)


class Spec:
    """The Bot API specification with validators for requests and outgoing objects."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = raw["version"]
        # (types, JSON text of a structured parameter) -> its normalised value; see _coerce_top.
        self._memo: dict[tuple[tuple[str, ...], str], Any] = {}
        self.methods = {
            name.lower(): _object_spec(item, is_method=True) for name, item in raw["methods"].items()
        }
        self.types = {name: _object_spec(item, is_method=False) for name, item in raw["types"].items()}

    def method(self, name: str) -> ObjectSpec | None:
        """The method called ``name``; Telegram matches method names case-insensitively."""
        return self.methods.get(name.lower())

    # -- public validators -------------------------------------------------------------

    def validate_call(
        self,
        method: ObjectSpec,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> Validated:
        """Validate a request's parameters; raise :class:`ApiError` (400) when invalid.

        ``params`` may come from a JSON body (typed values) or a form post / query string
        (all strings, objects JSON-encoded); both are normalised to JSON types. File parts of
        a multipart request are passed in ``files`` and may be used directly as a parameter
        (part name == field name) or referenced as ``attach://<part name>``.
        """
        ctx = _Context(files=files or {}, strict=False)
        merged: dict[str, Any] = {}
        for name, value in params.items():
            if value is None:
                continue
            spec_field = method.fields.get(name)
            if spec_field is None:
                raise bad_request(
                    f'unknown parameter "{name}" (not in {self.version} {method.name}; '
                    "Telegram would ignore it, the fake Bot API rejects it)"
                )
            merged[name] = self._decode_json_param(spec_field, value)
        for name, upload in ctx.files.items():
            if name in method.fields and name not in merged:
                merged[name] = upload
                ctx.used_files.add(name)
        try:
            normalized, formatted = self._validate_fields(method, merged, "", ctx, top=True)
        except _Invalid as exc:
            raise bad_request(exc.detail) from None
        unused = sorted(set(ctx.files) - ctx.used_files)
        if unused:
            raise bad_request(f'unknown parameter "{unused[0]}" (an unreferenced file part)')
        return Validated(normalized, formatted)

    def validate_object(self, type_name: str, value: Any) -> None:
        """Check an outgoing object (e.g. a ``Message`` the fake built) against the spec.

        Raises :class:`ValueError` naming the first problem. Used by the fake's own tests to
        prove that what it returns deserialises in any client library.
        """
        try:
            self._coerce(value, type_name, type_name, _Context(files={}, strict=True))
        except _Invalid as exc:
            raise ValueError(exc.detail) from None

    # -- internals ---------------------------------------------------------------------

    def _decode_json_param(self, spec_field: FieldSpec, value: Any) -> Any:
        """JSON-decode a string-encoded object/array parameter, as Telegram does."""
        if not isinstance(value, str) or not any(_is_structured(t) for t in spec_field.types):
            return value
        try:
            decoded = json.loads(value)
        except ValueError:
            if "String" in spec_field.types or "InputFile" in spec_field.types:
                return value
            # Telegram's wording for the most common case, a broken keyboard.
            what = "reply keyboard markup" if spec_field.name == "reply_markup" else spec_field.name
            raise bad_request(f"can't parse {what} JSON object") from None
        if isinstance(decoded, dict | list):
            return decoded
        return value

    def _validate_fields(
        self,
        spec: ObjectSpec,
        value: Mapping[str, Any],
        path: str,
        ctx: _Context,
        *,
        top: bool = False,
    ) -> tuple[dict[str, Any], dict[str, FormattedText]]:
        owner = spec.name
        result: dict[str, Any] = {}
        for name, item in value.items():
            item_path = f"{path}.{name}" if path else name
            spec_field = spec.fields.get(name)
            if spec_field is None:
                raise _Invalid(f'unknown field "{item_path}" in {owner}')
            if item is None:
                continue  # JSON null means "not given" to Telegram
            if top:
                result[name] = self._coerce_top(item, spec_field.types, item_path, ctx)
            else:
                result[name] = self._coerce_union(item, spec_field.types, item_path, ctx)
        for spec_field in spec.fields.values():
            if spec_field.name in result:
                continue
            missing = spec_field.required or (
                spec_field.required_unless
                and not any(other in result for other in spec_field.required_unless)
            )
            if missing:
                raise _Invalid(_missing_message(owner, spec_field.name, path, top))
        formatted: dict[str, FormattedText] = {}
        for name, item in result.items():
            spec_field = spec.fields[name]
            item_path = f"{path}.{name}" if path else name
            if spec_field.after_entities and isinstance(item, str):
                formatted[name] = self._format(spec, spec_field, result, item_path)
                self._check_length(owner, spec_field, formatted[name].text, item_path)
            elif isinstance(item, str):
                self._check_length(owner, spec_field, item, item_path)
            elif isinstance(item, list) and spec_field.items is not None:
                limit = spec_field.items
                if not limit.low <= len(item) <= limit.high:
                    special = _LIMIT_ERRORS.get((owner, name))
                    if special:
                        raise _Invalid(special[len(item) > limit.high])
                    raise _Invalid(
                        f'field "{item_path}" must contain {limit.low}-{limit.high} items, got {len(item)}'
                    )
            pattern = spec_field.pattern
            if pattern is not None and isinstance(item, str) and not pattern.fullmatch(item):
                raise _Invalid(
                    _PATTERN_ERRORS.get((owner, name))
                    or f'field "{item_path}" contains characters that are not allowed'
                )
        if spec.exclusive is not None:
            ignored, exactly = spec.exclusive
            chosen = sorted(set(result) - ignored)
            if len(chosen) > 1 or (exactly and not chosen):
                raise _Invalid(_exclusive_message(owner, path, ignored, exactly, chosen))
        return result, formatted

    def _format(
        self,
        spec: ObjectSpec,
        spec_field: FieldSpec,
        values: Mapping[str, Any],
        path: str,
    ) -> FormattedText:
        name = spec_field.name
        mode_field = f"{name}_parse_mode" if f"{name}_parse_mode" in spec.fields else "parse_mode"
        entities_field = f"{name}_entities" if f"{name}_entities" in spec.fields else "entities"
        parse_mode = values.get(mode_field) if mode_field in spec.fields else None
        entities = values.get(entities_field) if entities_field in spec.fields else None
        try:
            if entities:
                return format_text(values[name], parse_mode, entities)
            # Parsed once per distinct text; the entities are copied, as the engine keeps them.
            parsed = _format_plain(values[name], parse_mode)
            return FormattedText(parsed.text, [dict(entity) for entity in parsed.entities])
        except EntityParseError as exc:
            raise _Invalid(f"can't parse entities: {exc}") from None
        except UnsupportedParseModeError:
            raise _Invalid(f"unsupported parse_mode in {path}") from None

    def _check_length(self, owner: str, spec_field: FieldSpec, text: str, path: str) -> None:
        limit = spec_field.length
        if limit is None:
            return
        # Telegram counts characters as UTF-16 code units: an emoji beyond the BMP is two.
        size = len(text.encode("utf-8")) if limit.unit == "bytes" else utf16_len(text)
        if limit.low <= size <= limit.high:
            return
        too_long = size > limit.high
        special = _LIMIT_ERRORS.get((owner, spec_field.name))
        if special:
            raise _Invalid(special[too_long])
        if spec_field.name == "caption" and too_long:
            raise _Invalid("message caption is too long")
        raise _Invalid(f'field "{path}" must be {limit.low}-{limit.high} {limit.unit} long, got {size}')

    def _coerce_top(self, value: Any, types: tuple[str, ...], path: str, ctx: _Context) -> Any:
        """A request parameter, with structured values (keyboards, entities, ...) validated once
        per distinct JSON text. Only successes are kept, and only without file parts (whose
        attach:// references the context records); the stored value is handed out as a copy, as
        the engine keeps what it is given in its messages."""
        if not isinstance(value, dict | list) or ctx.files or ctx.strict:
            return self._coerce_union(value, types, path, ctx)
        try:
            key = (types, json.dumps(value))
        except (TypeError, ValueError):
            return self._coerce_union(value, types, path, ctx)
        found = self._memo.get(key)
        if found is None:
            found = self._coerce_union(value, types, path, ctx)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return clone_json(found)

    def _coerce_union(self, value: Any, types: tuple[str, ...], path: str, ctx: _Context) -> Any:
        if len(types) == 1:
            return self._coerce(value, types[0], path, ctx)
        failures: list[tuple[int, _Invalid]] = []
        for type_expr in types:
            try:
                return self._coerce(value, type_expr, path, ctx)
            except _Invalid as exc:
                failures.append((self._affinity(value, type_expr), exc))
        best_score, best = max(failures, key=lambda failure: failure[0])
        if best_score > 0:
            raise best  # the value clearly meant this type; report why it is invalid
        raise _Invalid(f'field "{path}" must be of type {_type_label(types)}')

    def _affinity(self, value: Any, type_expr: str) -> int:
        """How many keys of ``value`` belong to object type ``type_expr`` (for error choice)."""
        spec = self.types.get(type_expr)
        if spec is None or not isinstance(value, dict):
            return 0
        return sum(1 for key in value if key in spec.fields)

    def _coerce(self, value: Any, type_expr: str, path: str, ctx: _Context) -> Any:
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                raise _Invalid(f'field "{path}" must be of type {type_expr}')
            inner = type_expr.removeprefix("Array of ")
            return [self._coerce(item, inner, f"{path}[{i}]", ctx) for i, item in enumerate(value)]
        if type_expr in _PRIMITIVES:
            return _coerce_primitive(value, type_expr, path, ctx)
        if type_expr == "InputFile":
            return _coerce_file(value, path, ctx)
        spec = self.types.get(type_expr)
        if spec is None:
            raise _Invalid(f'field "{path}" has a type unknown to the spec: {type_expr}')
        if type_expr == "KeyboardButton" and isinstance(value, str):
            return value  # Telegram still accepts a plain string as a reply keyboard button
        if spec.subtypes:
            return self._coerce_subtype(value, spec, path, ctx)
        if not isinstance(value, dict):
            raise _Invalid(f'field "{path}" must be a JSON object of type {type_expr}')
        normalized, _ = self._validate_fields(spec, value, path, ctx)
        return normalized

    def _coerce_subtype(self, value: Any, spec: ObjectSpec, path: str, ctx: _Context) -> Any:
        tagged = {
            subtype.discriminator: subtype
            for name in spec.subtypes
            if (subtype := self.types.get(name)) is not None and subtype.discriminator
        }
        if isinstance(value, dict) and tagged and len(tagged) == len(spec.subtypes):
            key = next(iter(tagged))[0]
            chosen = tagged.get((key, str(value.get(key))))
            if chosen is None:
                allowed = ", ".join(tag for _, tag in tagged)
                raise _Invalid(f'field "{path}.{key}" must be one of: {allowed}')
            normalized, _ = self._validate_fields(chosen, value, path, ctx)
            return normalized
        # Unions without a tag field (e.g. MaybeInaccessibleMessage, RichText) are tried in turn.
        return self._coerce_union(value, spec.subtypes, path, ctx)


def _coerce_primitive(value: Any, type_name: str, path: str, ctx: _Context) -> Any:
    # Form posts carry every value as a string, so strings are converted like Telegram does;
    # outgoing objects (ctx.strict) must already use proper JSON types.
    lenient = not ctx.strict
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if lenient and isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
            return int(value)
    elif type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if lenient and isinstance(value, str) and _FLOAT_RE.fullmatch(value.strip()):
            return float(value)
    elif type_name == "Boolean":
        if isinstance(value, bool):
            return value
        if lenient and isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        if lenient and value in (0, 1) and not isinstance(value, float):
            return bool(value)
    elif isinstance(value, str):
        if value.startswith("attach://") and value[9:] in ctx.files:
            ctx.used_files.add(value[9:])
        return value
    elif lenient and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # Telegram stringifies numbers passed for String fields
    raise _Invalid(f'field "{path}" must be of type {type_name}')


def _coerce_file(value: Any, path: str, ctx: _Context) -> UploadedFile:
    if isinstance(value, UploadedFile):
        return value
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in ctx.files:
            raise _Invalid(f'field "{path}" refers to a missing file part "{name}"')
        ctx.used_files.add(name)
        return ctx.files[name]
    raise _Invalid(f'field "{path}" must be an uploaded file')


def _missing_message(owner: str, name: str, path: str, top: bool) -> str:
    if top and (owner, name) in _LIMIT_ERRORS:
        return _LIMIT_ERRORS[(owner, name)][0]
    if top and name == "chat_id":
        return "chat_id is empty"
    if top:
        return f'parameter "{name}" is required'
    return f'field "{path}.{name}" is required in {owner}' if path else f'field "{name}" is required'


def _exclusive_message(
    owner: str, path: str, ignored: frozenset[str], exactly: bool, chosen: list[str]
) -> str:
    if owner == "InlineKeyboardButton" and not chosen:
        return (
            f"can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard ({path})"
        )
    rule = "exactly one" if exactly else "at most one"
    others = ", ".join(sorted(ignored))
    return f"{owner} at {path or 'top level'} must use {rule} of the fields other than {others}; got {chosen}"


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _format_plain(text: str, parse_mode: str | None) -> FormattedText:
    """``format_text`` without explicit entities; failures raise again each time (not cached)."""
    return format_text(text, parse_mode, None)


@functools.cache
def load_spec() -> Spec:
    """The bundled Bot API specification (parsed once per process)."""
    with SPEC_FILE.open(encoding="utf-8") as handle:
        return Spec(json.load(handle))
