"""The deployment files (Dockerfile, compose.yaml, docker/entrypoint.sh). No container engine runs
here, so what can be checked without one is: the entrypoint script, run with a stand-in for
``helpline``, and the keys and wiring of compose.yaml and the Dockerfile."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
# A stand-in for the helpline command: says how it was called, then runs until told to stop
# (``run``) or ends at once with HELPLINE_FAKE_STATUS.
FAKE = """#!/usr/bin/env bash
echo "$$ $* metrics=${PROMETHEUS_MULTIPROC_DIR:-} instance=${HELPLINE_INSTANCE:-}" >> "$HELPLINE_FAKE_LOG"
if [[ "$1" == run ]]; then
    trap 'echo "$$ stopped" >> "$HELPLINE_FAKE_LOG"; exit 0' TERM
    # The first process (mkdir succeeds once) dies soon after starting.
    if [[ -n "${HELPLINE_FAKE_DIES:-}" ]] && mkdir "$HELPLINE_FAKE_DIES" 2>/dev/null; then
        sleep 0.2; exit 3
    fi
    while true; do sleep 0.05; done
fi
exit "${HELPLINE_FAKE_STATUS:-0}"
"""


@pytest.fixture
def fake(tmp_path: Path) -> dict[str, str]:
    helpline = tmp_path / "helpline"
    helpline.write_text(FAKE)
    helpline.chmod(0o755)
    return {
        **os.environ,
        "HELPLINE_BIN": str(helpline),
        "HELPLINE_FAKE_LOG": str(tmp_path / "calls.log"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }


def _calls(env: dict[str, str]) -> list[str]:
    path = Path(env["HELPLINE_FAKE_LOG"])
    return path.read_text().splitlines() if path.exists() else []


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def test_migrate_is_one_step_that_ends(fake: dict[str, str]) -> None:
    done = subprocess.run([str(ENTRYPOINT), "migrate"], env=fake, timeout=20, check=False)
    assert done.returncode == 0
    [call] = _calls(fake)
    assert call.split(" ", 1)[1].startswith("db migrate")
    failed = subprocess.run(
        [str(ENTRYPOINT), "migrate"], env={**fake, "HELPLINE_FAKE_STATUS": "2"}, timeout=20, check=False
    )
    assert failed.returncode == 2  # the bots, waiting for it to succeed, do not start


def test_bot_starts_its_processes_and_stops_them_all(fake: dict[str, str], tmp_path: Path) -> None:
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_123.db").write_text("from an earlier start")
    proc = subprocess.Popen([str(ENTRYPOINT), "bot"], env={**fake, "HELPLINE_PROCESSES": "3"})
    try:
        _wait_for(lambda: len(_calls(fake)) == 3, "three bot processes")
        assert all(f"run --webhook metrics={metrics} " in call for call in _calls(fake))
        # Each slot has a lasting name of its own (a restarted process takes over its work).
        assert len({call.split("instance=")[1] for call in _calls(fake)}) == 3
        assert list(metrics.iterdir()) == []  # the earlier start's counters are gone
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
    assert sum(call.endswith(" stopped") for call in _calls(fake)) == 3


def test_one_process_ending_ends_the_container(fake: dict[str, str], tmp_path: Path) -> None:
    env = {**fake, "HELPLINE_PROCESSES": "2", "HELPLINE_FAKE_DIES": str(tmp_path / "died")}
    done = subprocess.run([str(ENTRYPOINT), "bot"], env=env, timeout=20, check=False)
    assert done.returncode == 3
    assert sum(call.endswith(" stopped") for call in _calls(fake)) == 1  # the other was stopped


def test_a_wrong_process_count_is_refused(fake: dict[str, str]) -> None:
    done = subprocess.run(
        [str(ENTRYPOINT), "bot"],
        env={**fake, "HELPLINE_PROCESSES": "three"},
        timeout=20,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 64
    assert "HELPLINE_PROCESSES" in done.stderr
    assert _calls(fake) == []


# Compose file keys (compose-spec.io); anything else is a typo compose would refuse or ignore.
TOP_LEVEL = {"name", "services", "volumes", "networks", "secrets", "configs"}
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "restart", "depends_on",
    "volumes", "ports", "expose", "healthcheck", "tmpfs", "networks", "secrets", "user", "deploy",
    "read_only", "stop_grace_period", "logging",
}  # fmt: skip


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_keys_are_compose_keys() -> None:
    compose = _compose()
    assert {key for key in compose if not key.startswith("x-")} <= TOP_LEVEL
    for name, service in compose["services"].items():
        assert set(service) <= SERVICE_KEYS, name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith(".") or source in compose["volumes"], (name, volume)
        for dependency in service.get("depends_on", []):
            assert dependency in compose["services"], (name, dependency)


def test_compose_runs_the_helpline_as_the_issue_says() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "bot", "console", "caddy"} <= set(services)
    bot, migrate = services["bot"], services["migrate"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert bot["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert int(bot["environment"]["HELPLINE_PROCESSES"]) > 1
    assert bot["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert bot["environment"]["HELPLINE_MIGRATE_ON_START"] == "false"
    assert "/readyz" in " ".join(bot["healthcheck"]["test"])
    assert "443:443" in services["caddy"]["ports"]
    # Secrets come from .env, never written here.
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("TOKEN", "SECRET", "DATA_KEY", "PASSWORD")):
                assert str(value).startswith("${"), key


def test_dockerfile_final_image_is_slim_and_not_root() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) >= 2  # build tools stay in the build stage
    final = lines[stages[-1] :]
    assert "slim" in final[0]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    run = " ".join(line for line in final if line.startswith("RUN "))
    for tool in ("gcc", "build-essential", "apt-get install", "pip install"):
        assert tool not in run
    assert 'ENTRYPOINT ["/usr/local/bin/helpline-entrypoint"]' in final
    assert any("docker/entrypoint.sh" in line for line in final)
