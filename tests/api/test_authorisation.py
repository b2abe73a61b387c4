"""Who may call what: every route of the OpenAPI × every kind of caller, with the status each must get.

Each call runs on a fresh copy of one prepared database (event `conf` with a published schedule, a
request A-C proposed by A, a finished solve), so a successful write never changes what the next caller
sees. A route missing from the table fails the test, so a new route is an authorisation question first.
Probes that must fail change nothing: the database is compared before and after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.support.service import Service, base_input, publish_a_schedule, settings_for, start_service

CALLERS = ("none", "bad", "revoked", "feed_token", "admin", "host", "host_other", "party", "non_party")
UNAUTHENTICATED = {"none": 401, "bad": 401, "revoked": 401, "feed_token": 401}


def row(admin: int, host: int, host_other: int, party: int, non_party: int, anyone: int | None = None) -> dict:
    if anyone is not None:
        return dict.fromkeys(CALLERS, anyone)
    return {**UNAUTHENTICATED, "admin": admin, "host": host, "host_other": host_other, "party": party,
            "non_party": non_party}


# (method, path) -> expected status per caller; "party" is A (proposer of A-C), "non_party" is E.
EXPECTED = {
    ("POST", "/events"): row(201, 403, 403, 403, 403),
    ("GET", "/events/{event_id}"): row(404, 200, 404, 200, 200),
    ("PUT", "/events/{event_id}"): row(404, 200, 404, 403, 403),
    ("PUT", "/events/{event_id}/delegations/{delegation_id}"): row(404, 200, 404, 403, 403),
    ("PUT", "/events/{event_id}/rooms/{room_id}"): row(404, 200, 404, 403, 403),
    ("PUT", "/events/{event_id}/programme/{item_id}"): row(404, 200, 404, 403, 403),
    ("POST", "/events/{event_id}/rooms"): row(404, 201, 404, 403, 403),
    ("POST", "/events/{event_id}/programme"): row(404, 201, 404, 403, 403),
    ("POST", "/events/{event_id}/keys"): row(404, 201, 404, 403, 403),
    ("GET", "/events/{event_id}/keys"): row(404, 200, 404, 403, 403),
    ("DELETE", "/events/{event_id}/keys/{key_id}"): row(404, 204, 404, 403, 403),
    ("POST", "/events/{event_id}/requests"): row(404, 201, 404, 201, 403),
    ("GET", "/events/{event_id}/requests"): row(404, 200, 404, 200, 200),
    ("GET", "/events/{event_id}/requests/{request_id}"): row(404, 200, 404, 200, 404),
    ("PATCH", "/events/{event_id}/requests/{request_id}"): row(404, 200, 404, 200, 404),
    ("DELETE", "/events/{event_id}/requests/{request_id}"): row(404, 204, 404, 204, 404),
    ("POST", "/events/{event_id}/requests/{request_id}/accept"): row(404, 200, 404, 200, 404),
    ("POST", "/events/{event_id}/requests/{request_id}/decline"): row(404, 200, 404, 200, 404),
    # A-C is only proposed, so not in the published version: its parties and the host may ask (409 says so)
    ("GET", "/events/{event_id}/requests/{request_id}/why"): row(404, 409, 404, 409, 404),
    ("POST", "/events/{event_id}/solves"): row(404, 202, 404, 403, 403),
    ("GET", "/events/{event_id}/solves"): row(404, 200, 404, 403, 403),
    ("GET", "/events/{event_id}/solves/{solve_id}"): row(404, 200, 404, 403, 403),
    ("GET", "/events/{event_id}/solves/{solve_id}/schedule"): row(404, 200, 404, 403, 403),
    # the prepared solve is a plain one: no choices to show the host (409)
    ("GET", "/events/{event_id}/solves/{solve_id}/choices"): row(404, 409, 404, 403, 403),
    # what publishing the solve would show: its room plan and a delegation's agenda (the office's, before it
    # decides; a liaison reads only what is published)
    ("GET", "/events/{event_id}/solves/{solve_id}/grid"): row(404, 200, 404, 403, 403),
    ("GET", "/events/{event_id}/solves/{solve_id}/agendas/{delegation}"): row(404, 200, 404, 403, 403),
    ("DELETE", "/events/{event_id}/solves/{solve_id}"): row(404, 200, 404, 403, 403),
    # the prepared solve is already published: the host may publish, but not the same solve twice (409)
    ("POST", "/events/{event_id}/solves/{solve_id}/publish"): row(404, 409, 404, 403, 403),
    ("GET", "/events/{event_id}/schedule"): row(404, 200, 404, 200, 200),
    ("GET", "/events/{event_id}/grid"): row(404, 200, 404, 403, 403),
    ("GET", "/events/{event_id}/feeds"): row(404, 200, 404, 200, 200),
    ("POST", "/events/{event_id}/{kind}/{subject}/feed-token"): row(404, 201, 404, 201, 403),
    ("POST", "/events/{event_id}/feed-token"): row(404, 201, 404, 403, 403),  # the event-wide feed: the host's
    ("GET", "/events/{event_id}/audit"): row(404, 200, 404, 403, 403),
    ("GET", "/feeds/{token}.ics"): row(0, 0, 0, 0, 0, anyone=200),  # the URL is the secret; keys don't matter
}


# the writes of the event's setting: If-Match is the event's ETag
SETTING_WRITES = {"/events/{event_id}", "/events/{event_id}/delegations/{delegation_id}", "/events/{event_id}/rooms",
                  "/events/{event_id}/rooms/{room_id}", "/events/{event_id}/programme",
                  "/events/{event_id}/programme/{item_id}"}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict:
    """The template database and what the calls need (keys, ids, a feed token)."""
    folder = tmp_path_factory.mktemp("template")
    settings = settings_for(folder)
    service = start_service(settings)
    proposal = service.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30})
    assert proposal.status_code == 201
    solve_id = publish_a_schedule(service, folder)
    revoked = service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "B"}).json()
    assert service.call("host", "DELETE", f"/events/conf/keys/{revoked['id']}").status_code == 204
    spare = service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "D"}).json()
    feeds = service.get("host", "/events/conf/feeds").json()
    token = next(f for f in feeds if f["subject"] == "A")["https"].rsplit("/", 1)[1].removesuffix(".ics")
    keys = {**service.keys, "revoked": revoked["key"], "feed_token": token, "bad": "bk_not-a-key",
            "party": service.keys["A"], "non_party": service.keys["E"], "host_other": service.keys["host2"]}
    service.client.close()
    service.client.app.state.db.dispose()
    _checkpoint(settings.database_url)
    return {"folder": folder, "keys": keys, "solve_id": solve_id, "spare_key": spare["id"], "token": token,
            "request_id": proposal.json()["id"]}


def _checkpoint(url: str) -> None:
    """Move the write-ahead log into the database file, so that copying the file copies everything."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


def fresh(prepared: dict, tmp_path: Path) -> Service:
    """A copy of the template's files (database, queue, secret) and an app on it."""
    for name in ("bilateral.db", "bilateral.secret"):
        shutil.copy(prepared["folder"] / name, tmp_path / name)
    settings = settings_for(tmp_path)
    return Service(settings, TestClient(create_app(settings)), dict(prepared["keys"]))


def _call(service: Service, prepared: dict, method: str, template: str, caller: str):
    path = template.format(event_id="conf", key_id=prepared["spare_key"], request_id=prepared["request_id"],
                           solve_id=prepared["solve_id"], kind="delegations", subject="A", token=prepared["token"],
                           delegation="A", delegation_id="A", room_id="R1", item_id="lunch")
    headers = {}
    if "/requests/{request_id}" in template and method != "GET":
        # the ETag of the caller's own view (a caller who may not read it gets the host's: still refused)
        request_path = f"/events/conf/requests/{prepared['request_id']}"
        own = service.get(None if caller == "none" else caller, request_path)
        headers["If-Match"] = own.headers["ETag"] if own.status_code == 200 else service.etag("host", request_path)
    if template in SETTING_WRITES:  # the event's ETag (the host's view: a liaison's is refused anyway)
        headers["If-Match"] = service.etag("host", "/events/conf")
    body = _body(service, method, template, caller)
    who = None if caller == "none" else caller
    return service.call(who, method, path, json=body, headers=headers)


def _body(service: Service, method: str, template: str, caller: str) -> dict | None:
    if (method, template) == ("POST", "/events"):
        return base_input(event={**base_input()["event"], "id": f"third-{caller}"})
    if (method, template) == ("PUT", "/events/{event_id}"):
        setting = service.get("host", "/events/conf").json()
        return {k: setting[k] for k in ("event", "programme", "rooms", "delegations")}
    if method == "PUT" and template in SETTING_WRITES:
        kind, item_id = template.split("/")[3], template.split("/")[4]
        item_id = {"{delegation_id}": "A", "{room_id}": "R1", "{item_id}": "lunch"}[item_id]
        return next(i for i in service.get("host", "/events/conf").json()[kind] if i["id"] == item_id)
    if (method, template) == ("POST", "/events/{event_id}/rooms"):
        return {"id": "R9", "name": "Room 9", "capacity": 4}
    if (method, template) == ("POST", "/events/{event_id}/programme"):
        return {"id": "photo", "title": "Family photo", "start": "2024-10-31T11:00", "end": "2024-10-31T11:15"}
    if (method, template) == ("POST", "/events/{event_id}/keys"):
        return {"role": "liaison", "delegation": "B"}
    if (method, template) == ("POST", "/events/{event_id}/requests"):
        return {"parties": ["A", "B"], "duration_minutes": 30}
    if method == "PATCH":
        return {"priority": 2}
    if (method, template) == ("POST", "/events/{event_id}/solves"):
        return {"time_limit": 1}
    return None


def test_every_route_is_in_the_table(sqlite_service: Service) -> None:
    paths = sqlite_service.client.app.openapi()["paths"]
    routes = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert routes == set(EXPECTED), {"missing from the table": routes - set(EXPECTED),
                                     "no longer routes": set(EXPECTED) - routes}


@pytest.mark.slow
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "template"), sorted(EXPECTED), ids=lambda r: str(r))
def test_who_may_call_what(prepared: dict, tmp_path: Path, method: str, template: str, caller: str) -> None:
    service = fresh(prepared, tmp_path)
    expected = EXPECTED[method, template][caller]
    before = _snapshot(service)
    response = _call(service, prepared, method, template, caller)
    assert response.status_code == expected, (caller, method, template, response.text[:300])
    if expected >= 400:
        assert _snapshot(service) == before, "a refused call changed the database"
    service.client.close()


def _snapshot(service: Service) -> str:
    """Everything but the audit trail, which may record reads of nothing."""
    from sqlalchemy import MetaData, select

    db = service.client.app.state.db
    metadata = MetaData()
    metadata.reflect(db.read_engine)
    out = {}
    with db.read_engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in ("alembic_version",):
                continue
            rows = connection.execute(select(table)).all()
            out[name] = sorted(repr(tuple(r)) for r in rows)
    return json.dumps(out)
