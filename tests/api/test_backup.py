"""A backup of one event (`scheduler admin export`) and its restore (`scheduler admin import`): on SQLite and
PostgreSQL the restored event answers every read as the original did, its keys open it, and its feed URLs
serve the same bytes; a file that is not a backup, or an event that exists, is refused with nothing written."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app
from api.services import backup
from api.settings import Settings
from api.storage.db import Database
from api.storage.models import Base, EventRow, VersionFileRow, VersionRow
from tests.support.paths import ROOT
from tests.support.service import Service, Worker, settings_for, solve_and_wait, start_service

PUBLIC = "https://bilateral.example.org"
runner = CliRunner()


def admin(settings: Settings, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`scheduler admin …` as its own process, with the installation's settings."""
    env = {**os.environ, **settings.to_env()}
    return subprocess.run([sys.executable, "-m", "api.cli", "admin", *args], input=stdin, capture_output=True,
                          env=env, cwd=ROOT)


def admin_here(settings: Settings, *args: str, stdin: bytes | None = None):
    """The same command in this process (quicker, for the many refusals)."""
    env = {k: v for k, v in settings.to_env().items()}
    return runner.invoke(app, ["admin", *args], input=stdin, env=env)


def installation(folder: Path, database: str = "sqlite", **changes) -> Settings:
    """The settings of an installation of its own, in `folder` (its SQLite file, queue and feed secret)."""
    folder.mkdir(parents=True, exist_ok=True)
    return settings_for(folder, database=database, **changes)


def build_event(service: Service) -> dict:
    """Event `conf` as a season leaves it: proposals accepted and declined, wishes, a reply to an
    Idempotency-Key, two publications, a rotated feed URL, a revoked key. Returns what the test needs later."""
    proposed = service.post("A", "/events/conf/requests", headers={"Idempotency-Key": "first-try"},
                            json={"parties": ["A", "C"], "duration_minutes": 45, "priority": 4})
    assert proposed.status_code == 201, proposed.text
    ac = proposed.json()["id"]
    # each party writes with the ETag of its own view (a request's ETag is per viewer)
    accepted = service.post("C", f"/events/conf/requests/{ac}/accept",
                            headers={"If-Match": service.etag("C", f"/events/conf/requests/{ac}")})
    assert accepted.status_code == 200, accepted.text
    wish = service.call("C", "PATCH", f"/events/conf/requests/{ac}", json={"priority": 2},
                        headers={"If-Match": accepted.headers["ETag"]})
    assert wish.status_code == 200, wish.text
    bd = service.post("B", "/events/conf/requests", json={"parties": ["B", "D"], "duration_minutes": 30})
    bd_path = f"/events/conf/requests/{bd.json()['id']}"
    declined = service.post("D", f"{bd_path}/decline", headers={"If-Match": service.etag("D", bd_path)})
    assert declined.status_code == 200, declined.text
    first = solve_and_wait(service, time_limit=3)
    assert service.post("host", f"/events/conf/solves/{first['id']}/publish").status_code == 201
    old_url = feed_path(service, "A")
    assert service.post("A", "/events/conf/delegations/A/feed-token").status_code == 201
    added = service.post("host", "/events/conf/requests", json={"id": "E-A", "parties": ["E", "A"],
                                                                "duration_minutes": 30, "priority": 2})
    assert added.status_code == 201, added.text
    second = solve_and_wait(service, time_limit=3)
    assert service.post("host", f"/events/conf/solves/{second['id']}/publish").status_code == 201
    e_key = next(k["id"] for k in service.get("host", "/events/conf/keys").json() if k["delegation"] == "E")
    assert service.call("host", "DELETE", f"/events/conf/keys/{e_key}").status_code == 204
    return {"rotated_away": old_url}


def feed_path(service: Service, subject: str) -> str:
    link = next(f for f in service.get("host", "/events/conf/feeds").json() if f["subject"] == subject)
    return link["https"].removeprefix(PUBLIC)


def observe(service: Service, rotated_away: str) -> dict:
    """Every read of the event, as its host and liaisons see it, and every feed's bytes and headers."""
    seen: dict = {}
    for who in ("host", "A", "C"):
        for path in ("", "/requests", "/schedule"):
            answer = service.get(who, f"/events/conf{path}")
            seen[who, path] = (answer.status_code, answer.headers.get("ETag"), answer.json())
    for path in ("/solves", "/keys", "/feeds"):
        seen["host", path] = service.get("host", f"/events/conf{path}").json()
    seen["grid"] = service.get("host", "/events/conf/grid").content
    for link in seen["host", "/feeds"]:
        feed = service.get(None, link["https"].removeprefix(PUBLIC))
        seen[link["https"]] = (feed.status_code, feed.content, feed.headers["ETag"], feed.headers["Last-Modified"])
        assert feed.status_code == 200
    seen["rotated away"] = service.get(None, rotated_away).status_code
    seen["revoked key"] = service.get("E", "/events/conf").status_code
    seen["audit"] = [{k: v for k, v in e.items() if k != "id"}
                     for e in service.get("host", "/events/conf/audit", params={"limit": 1000}).json()]
    return seen


def versions(settings: Settings) -> dict:
    """Every published version of `conf` and its files, as the database holds them (the service reads only
    the latest; the earlier ones must come back too)."""
    db = Database(settings.database_url)
    with db.reading() as session:
        found = {
            v.number: (v.solve_id, v.published_at, v.published_by, v.document)
            for v in session.scalars(select(VersionRow).where(VersionRow.event_id == "conf"))
        }
        found["files"] = {(f.number, f.name): (f.content, f.etag, f.last_modified)
                          for f in session.scalars(select(VersionFileRow).where(VersionFileRow.event_id == "conf"))}
    db.dispose()
    return found


def without_restore(document: dict) -> dict:
    """A backup without what a restore adds: its own audit entry (the last), and the export's time."""
    assert document["tables"]["audit"][-1]["action"] == "event.restore"
    tables = {**document["tables"], "audit": document["tables"]["audit"][:-1]}
    return {**document, "tables": tables, "exported_at": None}


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_restored_event_reads_as_the_original_and_serves_the_same_feeds(tmp_path: Path, database: str,
                                                                           workers) -> None:
    original = start_service(installation(tmp_path / "original", database=database))
    workers.append(Worker(original.settings))
    built = build_event(original)
    before = observe(original, built["rotated_away"])
    assert before["rotated away"] == 404 and before["revoked key"] == 401
    file = tmp_path / "conf.backup.json"
    exported = admin(original.settings, "export", "conf", "--output", str(file))
    assert exported.returncode == 0, exported.stderr
    document = json.loads(file.read_text())
    # every column of every table of the event is in the document (a column added later is too, or this fails)
    for name in backup.EXPORTED:
        rows = document["tables"][name]
        assert rows, f"the event built here has no {name}: the test would not see its columns"
        wanted = {c.name for c in Base.metadata.tables[name].columns} - {c for t, c in backup.OMITTED if t == name}
        assert all(set(row) == wanted for row in rows), name
    # a fresh installation: another database, no feed secret yet (it takes the backup's)
    fresh = installation(tmp_path / "fresh", database=database)
    assert not Path(fresh.secret_file).exists()
    imported = admin(fresh, "import", str(file))
    assert imported.returncode == 0, imported.stderr
    assert Path(fresh.secret_file).read_text().strip() == original.settings.installation_secret().decode()
    restored = Service(fresh, TestClient(create_app(fresh)), original.keys)  # the same keys open it
    after = observe(restored, built["rotated_away"])
    audit = after.pop("audit")
    assert audit[1:] == before.pop("audit")  # the same entries, in the same order, and then the restore's
    assert audit[0] | {"at": None} == {"at": None, "key_id": None, "role": "admin", "delegation": None,
                                       "action": "event.restore", "target": "conf", "detail": {
                                           "exported_at": document["exported_at"], "replaced": False,
                                           "solves_failed": []}}
    assert after == before
    assert versions(fresh) == versions(original.settings) and {1, 2} <= set(versions(fresh))
    # export -> import -> export: the same document, but for the restore's own audit entry and time
    again = admin(fresh, "export", "conf")
    assert again.returncode == 0, again.stderr
    assert without_restore(json.loads(again.stdout)) == {**document, "exported_at": None}
    restored.client.close()


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Service, dict]:
    """Event `conf` as `start_service` makes it (and `other` beside it), and its backup."""
    service = start_service(installation(tmp_path / "original"))
    result = admin_here(service.settings, "export", "conf")
    assert result.exit_code == 0, result.output
    yield service, json.loads(result.stdout)
    service.client.close()


@pytest.fixture(scope="module")
def a_backup(tmp_path_factory) -> dict:
    """A backup of `conf` as `start_service` makes it, for the cases that only spoil a copy of it."""
    service = start_service(installation(tmp_path_factory.mktemp("original")))
    result = admin_here(service.settings, "export", "conf")
    assert result.exit_code == 0, result.output
    service.client.close()
    return json.loads(result.stdout)


def test_the_backup_names_every_table_it_leaves_out(a_backup: dict) -> None:
    tables = set(Base.metadata.tables)
    assert tables == set(backup.EXPORTED) | set(backup.LEFT_OUT), "a table neither in the backup nor left out"
    assert all(c in Base.metadata.tables[t].columns for t, c in backup.OMITTED)
    # every column of the tables this event has rows in (the round trips below see all of them filled)
    for name in ("events", "api_keys", "requests", "feed_tokens", "audit"):
        wanted = {c.name for c in Base.metadata.tables[name].columns} - {c for t, c in backup.OMITTED if t == name}
        assert a_backup["tables"][name] and all(set(row) == wanted for row in a_backup["tables"][name]), name


def test_an_event_that_exists_is_replaced_only_when_asked(exported: tuple[Service, dict], tmp_path: Path) -> None:
    service, document = exported
    file = tmp_path / "conf.json"
    file.write_text(json.dumps(document))
    later = service.post("host", "/events/conf/requests", json={"id": "LATER", "parties": ["A", "E"],
                                                                "duration_minutes": 30})
    assert later.status_code == 201
    refused = admin_here(service.settings, "import", str(file))
    assert refused.exit_code == 2
    assert "event 'conf' exists" in refused.stderr and "--replace" in refused.stderr
    assert service.get("host", "/events/conf/requests/LATER").status_code == 200
    replaced = admin_here(service.settings, "import", "--replace", str(file))
    assert replaced.exit_code == 0, replaced.output
    assert service.get("host", "/events/conf/requests/LATER").status_code == 404
    assert service.get("A", "/events/conf").status_code == 200  # the same keys
    assert service.get("host", "/events/conf/audit").json()[0]["detail"]["replaced"] is True
    assert service.get("host2", "/events/other").status_code == 200  # the event beside it is untouched


def _tables(**changes) -> callable:
    def change(document: dict) -> None:
        for path, value in changes.items():
            target = document["tables"]
            *steps, last = path.split(".")
            for step in steps:
                target = target[int(step)] if step.isdigit() else target[step]
            if value is DELETE:
                del target[last]
            else:
                target[last] = value
    return change


DELETE = object()


def _raw(text: str) -> callable:
    def change(document: dict) -> bytes:
        return text.encode()
    return change


BAD = {
    "not JSON": (_raw('{"format": '), "not a JSON document"),
    "NaN": (_raw('{"format": "bilateral-event-backup", "version": NaN}'), "NaN is not a JSON number"),
    "not a backup": (lambda d: d.update(format="bilateral-input"), "format: expected 'bilateral-event-backup'"),
    "a later version": (lambda d: d.update(version=2), "version: this service reads version 1"),
    "no secret": (lambda d: d["installation"].pop("feed_secret"), "installation.feed_secret"),
    "a padded secret": (lambda d: d["installation"].update(feed_secret=" x\n"), "installation.feed_secret"),
    "a table missing": (lambda d: d["tables"].pop("requests"), "tables.requests: expected a list of rows"),
    "a table unknown": (lambda d: d["tables"].update(sessions=[]), "tables.sessions: not a table"),
    "a column unknown": (_tables(**{"requests.0.colour": "red"}), "tables.requests[0].colour: not a column"),
    "a column missing": (_tables(**{"requests.0.status": DELETE}), "tables.requests[0].status: missing"),
    "a null": (_tables(**{"requests.0.priority": None}), "tables.requests[0].priority: must not be null"),
    "a wrong type": (_tables(**{"requests.0.revision": "2"}), "tables.requests[0].revision: expected a whole number"),
    "a huge number": (_tables(**{"requests.0.revision": 2**70}), "tables.requests[0].revision: 11805916207174113"),
    "the end of time": (_tables(**{"audit.0.at": "9999-12-31T23:00:00-05:00"}), "tables.audit[0].at: '9999-12-31"),
    "a bad time": (_tables(**{"events.0.created_at": "yesterday"}), "tables.events[0].created_at: expected an ISO"),
    "a naive time": (_tables(**{"audit.0.at": "2026-01-01T10:00:00"}), "tables.audit[0].at: expected a time with"),
    "another event's row": (_tables(**{"feed_tokens.0.event_id": "other"}), "is not the backup's event 'conf'"),
    "a lone surrogate": (_tables(**{"audit.0.target": "\ud800"}), "a lone surrogate"),
    "a broken setting": (_tables(**{"events.0.setting.delegations": []}), "tables.events[0].setting with the requ"),
    "a version missing": (_tables(**{"events.0.published_version": 3}), "version 3 is not in the backup"),
    "an admin key": (_tables(**{"api_keys.0.role": "admin"}), "tables.api_keys[0].role"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_backup_is_refused_naming_what_is_wrong(a_backup: dict, tmp_path: Path, case: str) -> None:
    document = copy.deepcopy(a_backup)
    spoil, message = BAD[case]
    spoilt = spoil(document)
    raw = spoilt if isinstance(spoilt, bytes) else json.dumps(document, ensure_ascii=True).encode()
    fresh = installation(tmp_path / "fresh")
    refused = admin_here(fresh, "import", stdin=raw)
    assert refused.exit_code == 2, refused.output
    assert message in refused.stderr, refused.stderr
    assert "Traceback" not in refused.output
    assert not Path(fresh.database_url.removeprefix("sqlite:///")).exists()  # the file is checked first
    assert not Path(fresh.secret_file).exists()


def test_a_backup_the_database_refuses_writes_nothing(a_backup: dict, tmp_path: Path) -> None:
    """Two requests whose ids differ only in case: the second row breaks a unique index, after the event and
    the first rows went in. Nothing of it stays, and the installation keeps its own feed secret file (none)."""
    document = copy.deepcopy(a_backup)
    first = document["tables"]["requests"][0]
    twin = {**first, "id": first["id"].swapcase(), "status": "declined"}  # declined: not in the contract check
    document["tables"]["requests"].append(twin)
    fresh = installation(tmp_path / "fresh")
    refused = admin_here(fresh, "import", stdin=json.dumps(document).encode())
    assert refused.exit_code == 2, refused.output
    assert "the database refused the backup" in refused.stderr
    db = Database(fresh.database_url)
    with db.reading() as session:
        assert session.scalars(select(EventRow)).all() == []
    db.dispose()
    assert not Path(fresh.secret_file).exists()


def test_feed_urls_are_never_restored_under_another_secret(exported: tuple[Service, dict], tmp_path: Path) -> None:
    """An installation whose secret makes other events' feed URLs keeps it, and refuses the backup; one
    started with another BILATERAL_SECRET refuses it too."""
    service, document = exported
    busy = start_service(installation(tmp_path / "busy"))  # its own secret, and feeds of its own events
    raw = json.dumps(document).encode()
    secret_before = Path(busy.settings.secret_file).read_bytes()
    for settings in (busy.settings, installation(tmp_path / "env", secret="another secret")):
        refused = admin_here(settings, "import", "--replace", stdin=raw)
        assert refused.exit_code == 2, refused.output
        assert "would not be the ones delegates subscribed to" in refused.stderr
    assert Path(busy.settings.secret_file).read_bytes() == secret_before
    assert busy.get("host", "/events/conf/requests").status_code == 200  # its own `conf`, as it was
    busy.client.close()
    # an installation whose secret file makes nothing yet (no event) takes the backup's
    unused = installation(tmp_path / "unused")
    Path(unused.secret_file).write_text("made at its first start\n")
    taken = admin_here(unused, "import", stdin=raw)
    assert taken.exit_code == 0, taken.output
    assert Path(unused.secret_file).read_text().strip() == document["installation"]["feed_secret"]
    # the same secret given as BILATERAL_SECRET: restored
    secret = service.settings.installation_secret().decode()
    same = admin_here(installation(tmp_path / "same", secret=secret), "import", stdin=raw)
    assert same.exit_code == 0, same.output


def test_a_backup_file_is_for_its_owner_only(exported: tuple[Service, dict], tmp_path: Path) -> None:
    service, _ = exported
    file = tmp_path / "backups" / "conf.json"
    written = admin_here(service.settings, "export", "conf", "-o", str(file))
    assert written.exit_code == 0, written.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert json.loads(file.read_text())["installation"]["feed_secret"]
    to_stdout = admin_here(service.settings, "export", "conf")
    assert "feed secret" in to_stdout.stderr  # a warning beside the document, never in it
    json.loads(to_stdout.stdout)
    unknown = admin_here(service.settings, "export", "nope", "-o", str(tmp_path / "nope.json"))
    assert unknown.exit_code == 2 and "no event 'nope'" in unknown.stderr
    assert not (tmp_path / "nope.json").exists()
    missing = admin_here(service.settings, "import", str(tmp_path / "no-such-backup.json"))
    assert missing.exit_code == 2 and "No such file" in missing.stderr
    elsewhere = admin_here(installation(tmp_path / "elsewhere"), "export", "conf")
    assert elsewhere.exit_code == 2 and "no database at" in elsewhere.stderr


def test_a_solve_unfinished_in_the_backup_is_failed_on_restore(exported: tuple[Service, dict],
                                                                tmp_path: Path) -> None:
    """No worker has it and no queue holds its message any more: left `queued`, it would wait forever."""
    service, _ = exported
    queued = service.post("host", "/events/conf/solves", json={"time_limit": 5})  # no worker: it stays queued
    assert queued.status_code == 202 and queued.json()["state"] == "queued"
    document = admin_here(service.settings, "export", "conf").stdout
    fresh = installation(tmp_path / "fresh")
    restored = admin_here(fresh, "import", stdin=document.encode())
    assert restored.exit_code == 0, restored.output
    assert f"unfinished solves marked failed: {queued.json()['id']}" in restored.stdout
    client = TestClient(create_app(fresh))
    solve = client.get(f"/events/conf/solves/{queued.json()['id']}", headers=service.headers("host")).json()
    assert solve["state"] == "failed" and "backup" in solve["message"]
    client.close()


def test_a_database_out_of_reach_is_a_message(a_backup: dict, tmp_path: Path) -> None:
    nowhere = installation(tmp_path / "nowhere", database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    refused = admin_here(nowhere, "import", stdin=json.dumps(a_backup).encode())
    assert refused.exit_code == 2 and "the database cannot be reached" in refused.stderr, refused.output
    assert not Path(nowhere.secret_file).exists()
