"""``data/agencies.json``: the shipped agencies (KP2MI, Polri PPA-PPO, Imigrasi) with sourced
contact lines only, the loader's refusal of a malformed file with one clear message, staff chats
read from the variable each agency names, ``helpline staff add`` taking any configured code, and
conditional routing rules (country, recruiter status) by agency code."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.agencies import AgenciesFileError, parse_agencies, shipped
from bot.config import Settings
from flows.agencies import SHIPPED, Agencies, is_agency
from flows.render import Renderer
from flows.routing import RoutingError, RoutingTable, route
from flows.staff import parse_action
from flows.vocab import ASSIST_CATEGORIES, REPORT_CATEGORIES, agency_name
from tests.e2e.conftest import HELPLINE, ROOT, base_env

DATA = Path(__file__).resolve().parents[1] / "data"
# Copied from shared/FACTS.md (which CI may not have): the only contact values an agency may carry.
FACTS_VALUES = {"0-800-1000", "+62 21 2924 4800", "0811-8080-141", "110"}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "agencies.json").read_text("utf-8"))
    return loaded


# -- the shipped file --------------------------------------------------------------------------
def test_the_shipped_agencies_and_their_default_owner() -> None:
    agencies = shipped()
    assert agencies.codes == SHIPPED == ("kp2mi", "ppa-ppo", "imigrasi")
    assert agencies.default_owner == "kp2mi"
    assert [agencies.get(c).kind for c in SHIPPED] == ["ministry", "police", "immigration"]  # type: ignore[union-attr]
    imigrasi = agencies.get("imigrasi")
    assert imigrasi is not None
    assert imigrasi.full_name["id"] == "Kementerian Imigrasi dan Pemasyarakatan"
    assert "25 Apr 2025" in imigrasi.source


def test_the_existing_staff_chat_variables_keep_their_names() -> None:
    variables = {a.code: a.staff_chat_env for a in shipped().items}
    assert variables == {
        "kp2mi": "HELPLINE_STAFF_CHAT_KP2MI",
        "ppa-ppo": "HELPLINE_STAFF_CHAT_PPA_PPO",
        "imigrasi": "HELPLINE_STAFF_CHAT_IMIGRASI",
    }


def test_contact_lines_are_facts_with_their_source() -> None:
    for agency in shipped().items:
        for line in agency.contacts:
            assert line.value in FACTS_VALUES, (agency.code, line.value)
            assert line.source.startswith("FACTS.md"), (agency.code, line.value)
            assert set(line.label) == {"id", "en"}
    # FACTS.md names no Imigrasi channel for reporters: none is shipped.
    assert shipped().get("imigrasi").contacts == ()  # type: ignore[union-attr]
    # The press-reported KP2MI channels are marked unverified, as in contacts.json.
    kp2mi = shipped().get("kp2mi")
    assert kp2mi is not None and not any(line.verified for line in kp2mi.contacts)


def test_contact_lines_agree_with_the_contacts_file() -> None:
    """The same numbers live in contacts.json (the emergency card, /cek): one must not drift."""
    national = {n["service"]: n for n in json.loads((DATA / "contacts.json").read_text("utf-8"))["national"]}
    kp2mi, polri = shipped().get("kp2mi"), shipped().get("ppa-ppo")
    assert kp2mi is not None and polri is not None
    assert [line.value for line in kp2mi.contacts] == [
        national[s]["number"] for s in ("kp2mi_tollfree", "kp2mi_abroad", "kp2mi_whatsapp")
    ]
    assert [line.verified for line in kp2mi.contacts] == [
        national[s]["verified"] for s in ("kp2mi_tollfree", "kp2mi_abroad", "kp2mi_whatsapp")
    ]
    assert [(line.value, line.verified) for line in polri.contacts] == [
        (national["polri"]["number"], national["polri"]["verified"])
    ]


def test_transfer_owners_per_category() -> None:
    agencies = shipped()
    every = [o.id for o in (*REPORT_CATEGORIES, *ASSIST_CATEGORIES)] + ["question", "emergency"]
    for category in every:
        owners = agencies.owners_for(category)
        assert owners[:2] == ("kp2mi", "ppa-ppo"), category
        assert ("imigrasi" in owners) == (category in ("fake_documents", "assist.documents")), category
    assert agencies.owners_for("tppo", besides="ppa-ppo") == ("kp2mi",)


def test_names_are_shown_in_the_readers_language() -> None:
    shipped()  # puts the shipped agencies in use
    plain = {lang: Renderer(lang, _Null(), "plain") for lang in ("id", "en")}
    assert plain["id"].text(agency_name("imigrasi")) == "Imigrasi"
    assert plain["en"].text(agency_name("imigrasi")) == "Immigration (Imipas)"
    assert plain["id"].text(agency_name("ppa-ppo")) == "Polri PPA-PPO"
    # A code no longer in the file (a removed desk's old rows) is shown as itself, not hidden.
    assert plain["en"].text(agency_name("bp3mi-old")) == "bp3mi-old"


# -- the loader --------------------------------------------------------------------------------
def changed(raw: dict[str, Any], edit: Any) -> dict[str, Any]:
    other = copy.deepcopy(raw)
    edit(other)
    return other


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["agencies"][2].update(kind="embassy"), "agencies.2.kind"),
        (lambda r: r["agencies"][2].update(code="Imigrasi"), "agencies.2.code"),
        (lambda r: r["agencies"][2].update(code="system"), "thread author"),
        (lambda r: r["agencies"][2].update(code="kp2mi"), "used twice: kp2mi"),
        (lambda r: r["agencies"][2].update(staff_chat_env="HELPLINE_STAFF_CHAT_KP2MI"), "two agencies"),
        (lambda r: r["agencies"][2].update(staff_chat_env="chat"), "staff_chat_env"),
        (lambda r: r["agencies"][2]["name"].pop("en"), "missing: en"),
        (lambda r: r["agencies"][0]["contacts"][0].pop("source"), "contacts.0.source"),
        (lambda r: r["agencies"][0]["contacts"][0].update(phone="1"), "Extra inputs"),
        (lambda r: r.update(default_owner="bnp2tki"), "default_owner 'bnp2tki'"),
        (lambda r: r.update(agencies=[]), "agencies"),
    ],
)
def test_a_malformed_file_is_refused_with_its_reason(raw: dict[str, Any], edit: Any, message: str) -> None:
    with pytest.raises(AgenciesFileError, match=r"agencies\.json is not valid") as refused:
        parse_agencies(changed(raw, edit))
    assert message in str(refused.value)


def test_a_desk_can_be_added_without_code(raw: dict[str, Any]) -> None:
    desk = {
        "code": "bp3mi-jatim",
        "kind": "provincial",
        "name": {"id": "BP3MI Jawa Timur", "en": "BP3MI East Java"},
        "full_name": {"id": "BP3MI Jawa Timur", "en": "BP3MI East Java"},
        "staff_chat_env": "HELPLINE_STAFF_CHAT_BP3MI_JATIM",
        "may_own": ["assist.wages"],
        "source": "example only (test)",
    }
    agencies = parse_agencies(changed(raw, lambda r: r["agencies"].append(desk)))
    assert "bp3mi-jatim" in agencies and is_agency("bp3mi-jatim")
    assert agencies.owners_for("assist.wages", besides="kp2mi") == ("ppa-ppo", "bp3mi-jatim")


# -- staff chats -------------------------------------------------------------------------------
def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_staff_chats_come_from_the_variable_each_agency_names(monkeypatch: pytest.MonkeyPatch) -> None:
    agencies = shipped()
    assert settings(helpline_staff_chat_kp2mi=-1).staff_chats(agencies) == {"kp2mi": -1}
    monkeypatch.setenv("HELPLINE_STAFF_CHAT_IMIGRASI", "-3")
    monkeypatch.setenv("HELPLINE_STAFF_CHAT_PPA_PPO", "-2")
    assert settings().staff_chats(agencies) == {"ppa-ppo": -2, "imigrasi": -3}


def test_two_agencies_cannot_share_a_staff_chat() -> None:
    same = settings(helpline_staff_chat_kp2mi=-5, helpline_staff_chat_imigrasi=-5)
    with pytest.raises(ValueError, match="HELPLINE_STAFF_CHAT_KP2MI and HELPLINE_STAFF_CHAT_IMIGRASI"):
        same.staff_chats(shipped())


def test_a_desk_added_in_the_data_reads_its_own_variable(
    raw: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    desk = {**raw["agencies"][2], "code": "kbri-kl", "staff_chat_env": "HELPLINE_STAFF_CHAT_KBRI_KL"}
    agencies = parse_agencies(changed(raw, lambda r: r["agencies"].append(desk)))
    monkeypatch.chdir(tmp_path)  # the optional .env is read from the working directory
    (tmp_path / ".env").write_text("HELPLINE_STAFF_CHAT_KBRI_KL=-100777\n", "utf-8")
    assert Settings().staff_chats(agencies)["kbri-kl"] == -100777
    monkeypatch.setenv("HELPLINE_STAFF_CHAT_KBRI_KL", "not a chat")
    with pytest.raises(ValueError, match="HELPLINE_STAFF_CHAT_KBRI_KL must be a Telegram chat id"):
        settings().staff_chats(agencies)


# -- cards and buttons -------------------------------------------------------------------------
def test_parse_action_reads_a_transfer_target() -> None:
    ref = "PMI-AB12-CD34"
    assert parse_action(f"s.take.{ref}") == ("take", ref, None)
    assert parse_action(f"s.transfer:imigrasi.{ref}") == ("transfer", ref, "imigrasi")
    for forged in (f"s.close:imigrasi.{ref}", f"s.transfer:IMI.{ref}", f"s.transfer:a.b.{ref}"):
        assert parse_action(forged) is None, forged


# -- conditional routing rules -----------------------------------------------------------------
@pytest.fixture
def routing_raw() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "routing.json").read_text("utf-8"))
    return loaded


def test_conditional_rules_route_by_country_and_recruiter_status(routing_raw: dict[str, Any]) -> None:
    routing_raw["when"] = [
        {"if": {"country": ["KH", "MM"]}, "copied": ["imigrasi"], "priority": "high"},
        {"if": {"category": ["illegal_recruitment"], "recruiter_status": ["revoked"]}, "owner": "ppa-ppo"},
    ]
    table = RoutingTable.from_dict(routing_raw, shipped())
    assert route(table, "other", country="KH") == route(table, "other", country="MM")
    calm, compound = route(table, "other"), route(table, "other", country="KH")
    assert (calm.copied, calm.priority) == ((), "normal")
    assert (compound.copied, compound.priority) == (("imigrasi",), "high")
    revoked = route(table, "illegal_recruitment", recruiter_status="revoked")
    assert (revoked.owner, revoked.copied) == ("ppa-ppo", ("kp2mi",))  # the first owner keeps a copy
    assert route(table, "illegal_recruitment", recruiter_status="active").owner == "kp2mi"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"if": {"country": ["KH"]}, "copied": ["interpol"]}, "unknown agency 'interpol'"),
        ({"if": {"province": ["Jatim"]}, "copied": ["kp2mi"]}, "unknown keys"),
        ({"if": {"country": ["KH"]}, "priority": "asap"}, "unknown priority"),
    ],
)
def test_a_wrong_conditional_rule_is_refused(routing_raw: dict[str, Any], rule: Any, message: str) -> None:
    routing_raw["when"] = [rule]
    with pytest.raises(RoutingError, match=message):
        RoutingTable.from_dict(routing_raw, shipped())


def test_the_shipped_routing_names_only_configured_agencies(routing_raw: dict[str, Any]) -> None:
    RoutingTable.from_dict(routing_raw, shipped())
    two = Agencies(shipped().items[:2], "kp2mi")
    with pytest.raises(RoutingError, match="unknown agency 'imigrasi'"):
        RoutingTable.from_dict(routing_raw, two)


def test_the_default_owner_is_the_agencies_files(routing_raw: dict[str, Any]) -> None:
    assert "owner" not in routing_raw["default"]
    assert route(RoutingTable.from_dict(routing_raw, shipped()), "no-such-category").owner == "kp2mi"
    ppa_first = Agencies(shipped().items, "ppa-ppo")
    assert route(RoutingTable.from_dict(routing_raw, ppa_first), "no-such-category").owner == "ppa-ppo"
    routing_raw["default"] = {**routing_raw["default"], "owner": "imigrasi"}
    with pytest.raises(RoutingError, match="default_owner 'kp2mi'"):
        RoutingTable.from_dict(routing_raw, shipped())


# -- the command line --------------------------------------------------------------------------
def test_staff_add_takes_any_configured_code_and_lists_them_otherwise(tmp_path: Path) -> None:
    import subprocess

    env = {**base_env(tmp_path / "h.db"), "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HELPLINE, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
        )

    added = run("staff", "add", "--agency", "imigrasi", "--telegram-id", "7003", "--name", "Sari")
    assert added.returncode == 0, added.stdout + added.stderr
    listed = run("staff", "list", "--agency", "imigrasi")
    assert "7003" in listed.stdout and "Sari" in listed.stdout
    wrong = run("staff", "add", "--agency", "polri", "--telegram-id", "7004", "--name", "X")
    assert wrong.returncode == 2
    assert "kp2mi, ppa-ppo, imigrasi" in " ".join((wrong.stdout + wrong.stderr).split())


class _Null:
    def gettext(self, message: str, /) -> str:
        return message


def test_a_command_stops_at_start_on_a_malformed_agencies_file(tmp_path: Path) -> None:
    import shutil
    import subprocess

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    broken = json.loads((data / "agencies.json").read_text("utf-8"))
    broken["agencies"][2]["kind"] = "embassy"
    (data / "agencies.json").write_text(json.dumps(broken), "utf-8")
    env = {**base_env(tmp_path / "h.db"), "HELPLINE_DATA_DIR": str(data), "COLUMNS": "200"}
    done = subprocess.run(
        [HELPLINE, "staff", "list"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    said = " ".join(done.stdout.split())
    assert "agencies.json is not valid: agencies.2.kind" in said
    assert "Traceback" not in done.stdout + done.stderr
