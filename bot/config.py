"""Every setting of the helpline in one object, read from the environment and an optional ``.env``."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.agencies import Agencies

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_duration(text: str) -> timedelta:
    """``30m``, ``4h``, ``48h``, ``10s``, ``7d`` -> timedelta; anything else is a configuration error."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration like 30m, 4h or 10s: {text!r}")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


class Settings(BaseSettings):
    """Names are the environment variables (case-insensitive); README documents each one."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///helpline.db"
    telegram_bot_token: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8080
    # Messages per second to one private chat after a burst of 3 (Telegram: about 1/s). Tests
    # raise it so a scripted conversation is not paced like a person's.
    telegram_private_chat_rate: float = Field(default=1.0, gt=0)
    # Messages per second the bot sends in all, every chat together (Telegram: about 30/s;
    # Telegram raises it for some bots on request).
    telegram_overall_rate: int = Field(default=30, gt=0)
    # Several bot processes share Telegram's limits through Redis (bot/delivery/shared_limiter.py);
    # without it, processes on one PostgreSQL database elect one sender. May hold a password.
    redis_url: str | None = Field(default=None, repr=False)
    helpline_redis_prefix: str = "helpline:rate:"  # Redis keys of the shared limits start so
    # A name for this bot process, unique among those sharing the database and kept across its
    # restarts (docker/entrypoint.sh names each slot): a restarted process takes back at once what
    # its predecessor was sending, instead of waiting for the claims to run out (60 s).
    helpline_instance: str | None = Field(default=None, max_length=64)
    # Which Telegram library runs the bot; both adapters drive the same core (README).
    helpline_telegram_library: Literal["python-telegram-bot", "aiogram"] = "python-telegram-bot"
    # Staff chats: each agency in data/agencies.json names its variable (staff_chat_env). The
    # shipped agencies' are fields here; a desk added to the data file later is read from the
    # environment or .env by its name (staff_chats), without a code change.
    helpline_staff_chat_kp2mi: int | None = None
    helpline_staff_chat_ppa_ppo: int | None = None
    helpline_staff_chat_imigrasi: int | None = None
    helpline_escalation_chat: int | None = None
    helpline_default_lang: str = Field(default="id", pattern="^(id|en)$")
    helpline_sla_urgent: str = "30m"
    helpline_sla_high: str = "4h"
    helpline_sla_normal: str = "48h"
    # Time-driven care (bot/scheduler.py): how often due work is looked for, and its delays.
    helpline_scheduler_tick: str = "5s"
    helpline_remind_after: str = "24h"
    helpline_remind_again_after: str = "72h"
    helpline_autoclose_after: str = "7d"
    helpline_checkin_interval: str = "6h"
    helpline_checkin_grace: str = "1h"
    helpline_data_dir: Path = DATA_DIR
    # `helpline run` brings the schema up to date first. A deployment with a one-shot migration
    # step (compose.yaml) turns it off, so that bots of a new version never migrate themselves.
    helpline_migrate_on_start: bool = True
    helpline_log_level: str = "INFO"
    # Privacy (SECURITY.md). production refuses to start without a data key.
    helpline_env: str = Field(default="development", pattern="^(development|production)$")
    # Fernet keys, comma-separated, newest first (helpline keys new / keys rotate). A secret:
    # repr=False keeps it out of any printed or logged Settings.
    helpline_data_key: str | None = Field(default=None, repr=False)
    helpline_retention: str = "365d"  # closed tickets older than this are anonymised (purge)
    # Flood limit per person: more than this many updates within the window, and the bot says
    # "slow down" once and ignores them for the cool-down.
    helpline_flood_limit: int = Field(default=20, gt=0)
    helpline_flood_window: str = "10s"
    helpline_flood_cooldown: str = "30s"
    # The staff web console (``helpline console``, console/): where it listens, the secret that
    # keys its session tokens and duplicate index (required in production), whether cookies are
    # sent over HTTPS only, the idle timeout and lockout after failed logins.
    helpline_console_listen: str = "127.0.0.1"
    helpline_console_port: int = Field(default=8090, gt=0, lt=65536)
    helpline_console_secret: str | None = Field(default=None, repr=False)
    helpline_console_cookie_secure: bool = True
    helpline_console_idle_timeout: str = "30m"
    helpline_console_session_max: str = "12h"
    helpline_console_lockout_after: int = Field(default=5, gt=0)
    helpline_console_lockout_for: str = "15m"

    @field_validator("helpline_sla_urgent", "helpline_sla_high", "helpline_sla_normal")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @field_validator(
        "helpline_scheduler_tick",
        "helpline_remind_after",
        "helpline_remind_again_after",
        "helpline_autoclose_after",
        "helpline_checkin_interval",
        "helpline_checkin_grace",
    )
    @classmethod
    def _care_duration(cls, value: str) -> str:
        if parse_duration(value).total_seconds() <= 0:
            raise ValueError(f"a care delay must be longer than zero: {value!r}")
        return value

    @field_validator(
        "helpline_retention",
        "helpline_flood_window",
        "helpline_flood_cooldown",
        "helpline_console_idle_timeout",
        "helpline_console_session_max",
        "helpline_console_lockout_for",
    )
    @classmethod
    def _privacy_duration(cls, value: str) -> str:
        if parse_duration(value).total_seconds() <= 0:
            raise ValueError(f"must be longer than zero: {value!r}")
        return value

    def sla(self) -> dict[str, timedelta]:
        """First-response target per priority."""
        return {
            "urgent": parse_duration(self.helpline_sla_urgent),
            "high": parse_duration(self.helpline_sla_high),
            "normal": parse_duration(self.helpline_sla_normal),
        }

    def staff_chats(self, agencies: Agencies) -> dict[str, int]:
        """Agency code -> staff group chat id, for the agencies that have one configured (each
        agency's variable is named in data/agencies.json)."""
        chats: dict[str, int] = {}
        named: dict[int, str] = {}
        for agency in agencies.items:
            chat = self._staff_chat(agency.staff_chat_env)
            if chat is None:
                continue
            if chat in named:
                # A chat stands for one agency: its buttons act for that agency alone.
                raise ValueError(f"{named[chat]} and {agency.staff_chat_env} name the same chat")
            chats[agency.code], named[chat] = chat, agency.staff_chat_env
        return chats

    def _staff_chat(self, variable: str) -> int | None:
        field = variable.lower()
        if field in type(self).model_fields:
            value = getattr(self, field)
            return value if isinstance(value, int) else None
        raw = os.environ.get(variable)
        if raw is None:
            env_file = self.model_config.get("env_file")
            if isinstance(env_file, str) and Path(env_file).is_file():
                raw = dotenv_values(env_file).get(variable)
        if raw is None or not raw.strip():
            return None
        try:
            return int(raw.strip())
        except ValueError:
            raise ValueError(f"{variable} must be a Telegram chat id (a whole number), not {raw!r}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
