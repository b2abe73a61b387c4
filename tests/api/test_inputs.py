"""Bad input to the service: 413 for large bodies, 422 naming the field, the CLI's lines for a bad contract
input, nothing stored; and what a liaison's view of the schedule leaves out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.settings import MIB
from scheduler.contract.problems import json_path
from tests.support.service import ROOT, Service, base_input, publish_a_schedule, settings_for


def test_a_body_over_two_mebibytes_is_413_whether_or_not_it_says_its_length(sqlite_service: Service) -> None:
    big = b'{"parties": ["A", "C"], "duration_minutes": 30, "padding": "' + b"x" * (2 * MIB) + b'"}'
    said = sqlite_service.post("A", "/events/conf/requests", content=big,
                               headers={"Content-Type": "application/json"})
    assert said.status_code == 413

    def chunks():
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]

    chunked = sqlite_service.post("A", "/events/conf/requests", content=chunks(),
                                  headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    assert [r["id"] for r in sqlite_service.get("A", "/events/conf/requests").json()] == ["A-B"]


@pytest.mark.slow
def test_a_bad_contract_input_gets_the_clis_lines_and_nothing_is_stored(sqlite_service: Service) -> None:
    data = base_input(event={**base_input()["event"], "id": "third"})
    data["requests"][0]["parties"] = ["A", "XYZ"]
    data["rooms"][0]["capacity"] = "ten"
    response = sqlite_service.post("admin", "/events", json=data)
    assert response.status_code == 422
    # each item is a CLI line: its path as `loc`, its message as `msg` (and nothing else: {loc, msg, type})
    lines = {f"{json_path(item['loc'][1:])}: {item['msg']}" for item in response.json()["detail"]}
    assert "rooms[0].capacity: Input should be a valid integer (got 'ten')" in lines
    assert {"loc": ["body", "rooms", 0, "capacity"]}.items() <= response.json()["detail"][0].items()
    source = Path(sqlite_service.settings.queue_path).parent / "bad.json"
    source.write_text(json.dumps(data))
    cli = subprocess.run([sys.executable, "-m", "api.cli", "check", str(source), str(source)], capture_output=True,
                         text=True, cwd=ROOT)
    for line in lines:
        assert line in cli.stderr + cli.stdout  # the CLI says the same, line for line
    assert sqlite_service.get("host", "/events/third").status_code == 404


def test_unknown_fields_and_out_of_range_values_are_422(sqlite_service: Service) -> None:
    unknown = sqlite_service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "A", "x": 1})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "x"]
    long = sqlite_service.post("host", "/events/conf/solves", json={"time_limit": 10**9})
    assert long.status_code == 422 and long.json()["detail"][0]["loc"] == ["body", "time_limit"]
    not_json = sqlite_service.post("host", "/events/conf/solves", content=b"{", headers={"Content-Type":
                                                                                         "application/json"})
    assert not_json.status_code == 422


@pytest.mark.slow
def test_a_liaisons_schedule_names_no_other_delegation(tmp_path: Path) -> None:
    # E asks for a whole morning with A, whose morning is taken by the host's A-B (priority 5) and A-C (4)
    from tests.support.service import start_service

    data = base_input(requests=[
        {"id": "A-B", "parties": ["A", "B"], "duration_minutes": 120, "priority": 5},
        {"id": "A-C", "parties": ["A", "C"], "duration_minutes": 120, "priority": 4},
        {"id": "A-E", "parties": ["A", "E"], "duration_minutes": 180, "priority": 1},
    ])
    service = start_service(settings_for(tmp_path), data)
    publish_a_schedule(service, tmp_path)
    office = service.get("host", "/events/conf/schedule").json()["document"]
    reason = next(u["reason"] for u in office["unscheduled"] if u["request"] == "A-E")
    assert "A-B" in reason or "B" in reason  # the office is told what is in the way ...
    mine = service.get("E", "/events/conf/schedule")
    seen = mine.text
    assert [u["request"] for u in mine.json()["unscheduled"]] == ["A-E"]
    for other in ("A-B", "A-C", "Delegation B", "Delegation C", '"B"', '"C"', "priority"):
        assert other not in seen, other  # ... E is not
    assert mine.json()["meetings"] == []


@pytest.mark.slow
def test_admin_keys_from_the_command_line(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    env = {**settings.to_env(), "PATH": "/usr/bin:/bin"}

    def admin(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "api.cli", "admin", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path)

    made = admin("create-key", "--role", "admin")
    assert made.returncode == 0, made.stderr
    key_id, secret = made.stdout.split()
    from fastapi.testclient import TestClient

    from api.app import create_app

    client = TestClient(create_app(settings))
    created = client.post("/events", json=base_input(), headers={"Authorization": f"Bearer {secret}"})
    assert created.status_code == 201
    assert admin("create-key", "--role", "liaison", "--event", "conf").returncode == 2
    assert admin("create-key", "--role", "liaison", "--event", "conf", "--delegation", "Q").returncode == 2
    assert admin("revoke-key", key_id).returncode == 0
    again = client.post("/events", json=base_input(), headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 401


@pytest.mark.slow
def test_serve_demo_prints_keys_that_work(tmp_path: Path) -> None:
    from tests.support.served import Served

    server = Served(settings_for(tmp_path), tmp_path, "--demo", "--no-worker")
    try:
        printed = server.log.read_text()
        host = next(line.split()[-1] for line in printed.splitlines() if line.startswith("host key:"))
        hun = next(line.split()[-1] for line in printed.splitlines() if line.startswith("liaison key HUN"))
        event = "minsk-2024-eurasian-security"
        assert httpx.get(f"{server.url}/events/{event}/requests", headers={"Authorization": f"Bearer {host}"}
                         ).status_code == 200
        mine = httpx.get(f"{server.url}/events/{event}/requests", headers={"Authorization": f"Bearer {hun}"}).json()
        assert mine and all("HUN" in r["parties"] for r in mine)
    finally:
        server.stop()


def test_the_host_replaces_the_setting_whole_and_a_bad_one_changes_nothing(sqlite_service: Service) -> None:
    read = sqlite_service.get("host", "/events/conf")
    setting = {k: read.json()[k] for k in ("event", "programme", "rooms", "delegations")}
    without_b = {**setting, "delegations": [d for d in setting["delegations"] if d["id"] != "B"]}
    etag = {"If-Match": read.headers["ETag"]}
    refused = sqlite_service.call("host", "PUT", "/events/conf", json=without_b, headers=etag)
    assert refused.status_code == 422
    assert any("unknown delegation 'B'" in item["msg"] for item in refused.json()["detail"])  # A-B still needs B
    longer = {**setting, "event": {**setting["event"], "days": [{"date": "2024-10-31", "start": "08:00",
                                                                  "end": "13:00"}]}}
    changed = sqlite_service.call("host", "PUT", "/events/conf", json=longer, headers=etag)
    assert changed.status_code == 200 and changed.json()["event"]["days"][0]["start"] == "08:00"
    stale = sqlite_service.call("host", "PUT", "/events/conf", json=setting, headers=etag)
    assert stale.status_code == 412
    assert sqlite_service.get("A", "/events/conf").json()["event"]["days"][0]["start"] == "08:00"


def test_nul_characters_and_out_of_range_numbers_are_refused_on_both_back_ends(service: Service) -> None:
    assert service.get("host", "/events/conf/requests/A%00B").status_code == 404
    assert service.get("host", "/events/conf/audit?before=1099511627776").status_code == 422
    label = service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "A", "label": "x\u0000"})
    assert label.status_code == 422
    key = service.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30},
                       headers={"Idempotency-Key": "has space"})
    assert key.status_code == 422
    assert len(service.get("host", "/events/conf/keys").json()) == 6  # the host and A-E: nothing stored


def test_the_installation_secret_is_never_read_half_written(tmp_path: Path) -> None:
    """Web processes starting at once on a new installation all get the one secret, never an empty one."""
    from concurrent.futures import ProcessPoolExecutor

    from api.settings import Settings

    for trial in range(5):
        settings = Settings(secret_file=str(tmp_path / f"secret-{trial}"))
        with ProcessPoolExecutor(8) as pool:
            secrets = list(pool.map(_read_secret, [settings] * 8))
        assert len(set(secrets)) == 1 and secrets[0]


def _read_secret(settings) -> bytes:
    return settings.installation_secret()


def test_taking_a_delegation_out_revokes_its_liaison_keys(sqlite_service: Service) -> None:
    read = sqlite_service.get("host", "/events/conf")
    setting = {k: read.json()[k] for k in ("event", "programme", "rooms", "delegations")}
    setting["delegations"] = [d for d in setting["delegations"] if d["id"] != "E"]
    assert sqlite_service.call("host", "PUT", "/events/conf", json=setting,
                               headers={"If-Match": read.headers["ETag"]}).status_code == 200
    for path in ("/events/conf", "/events/conf/requests", "/events/conf/feeds"):
        assert sqlite_service.get("E", path).status_code == 401
    assert sqlite_service.get("A", "/events/conf/requests").status_code == 200
