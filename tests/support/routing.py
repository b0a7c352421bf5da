"""The shipped routing data (``data/routing.json``) as raw JSON and as a loaded table, for the
routing tests: module-scoped fixtures, since no test changes what they return (tests that change
the data change a deep copy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.agencies import shipped
from flows.routing import RoutingTable

ROUTING_FILE = Path(__file__).resolve().parents[2] / "data" / "routing.json"
PPA, KP2MI = "ppa-ppo", "kp2mi"
AGENCIES = shipped()


# Named apart from their fixture names so that a test module can import them without its
# parameters ``raw`` and ``table`` shadowing the import.
@pytest.fixture(scope="module", name="raw")
def raw_fixture() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(ROUTING_FILE.read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module", name="table")
def table_fixture(raw: dict[str, Any]) -> RoutingTable:
    return RoutingTable.from_dict(raw, AGENCIES)
