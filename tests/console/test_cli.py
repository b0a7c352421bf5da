"""The console's commands: ``helpline staff passwd`` gives a registered officer a console account
(argon2 hash, a role, the password from a prompt or standard input), and ``helpline console``
refuses production settings without its secret."""

from __future__ import annotations

import subprocess
from pathlib import Path

from argon2 import PasswordHasher

from bot.config import Settings
from console.cli import console_problem
from storage.db import make_engine
from storage.desk import DeskRepository
from storage.uow import UnitOfWork
from tests.e2e.conftest import HELPLINE, ROOT, base_env


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HELPLINE, *args],
        env={**env, "COLUMNS": "200"},
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_staff_passwd_creates_an_account_for_a_registered_officer(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    env = base_env(db)
    officer = ("--agency", "kp2mi", "--telegram-id", "7002")
    assert run(env, "staff", "add", *officer, "--name", "Dewi").returncode == 0
    short = run(env, "staff", "passwd", *officer, "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 12" in short.stdout
    done = run(
        env,
        "staff",
        "passwd",
        *officer,
        "--username",
        "Dewi",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    stranger = run(
        env,
        "staff",
        "passwd",
        "--agency",
        "kp2mi",
        "--telegram-id",
        "9999",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )
    assert stranger.returncode == 1 and "No such officer" in stranger.stdout
    with UnitOfWork(make_engine(f"sqlite:///{db}")) as uow:
        account = DeskRepository(uow.session).account_by_username("dewi")
        assert account is not None and account.role == "supervisor"
        assert account.password_hash.startswith("$argon2id$")
        assert PasswordHasher().verify(account.password_hash, "a long enough passphrase")


def test_the_command_line_knows_the_roles_of_the_table() -> None:
    from console.cli import ROLES
    from storage.desk_tables import ROLES as TABLE_ROLES

    assert ROLES == TABLE_ROLES


def test_production_needs_the_console_secret_and_secure_cookies() -> None:
    key = "A" * 43 + "="
    base = {"_env_file": None, "helpline_env": "production", "helpline_data_key": key}
    assert "HELPLINE_CONSOLE_SECRET" in (console_problem(Settings(**base)) or "")  # type: ignore[arg-type]
    insecure = Settings(
        **base,
        helpline_console_secret="x" * 32,  # type: ignore[arg-type]
        helpline_console_cookie_secure=False,
    )
    assert "COOKIE_SECURE" in (console_problem(insecure) or "")
    assert console_problem(Settings(**base, helpline_console_secret="x" * 32)) is None  # type: ignore[arg-type]
