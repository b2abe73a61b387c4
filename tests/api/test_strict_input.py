"""Strict input (issue 20): JSON that Python reads but JSON does not allow (NaN, Infinity, 1e400, unpaired
surrogates) is 422 naming its field on every route that takes a body; a 422 holds exactly `{loc, msg, type}`
and never the input; dates outside 2000-01-01..2100-12-31 and ids made only of dots are bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from tests.support.service import DAY, Service, base_input, settings_for, start_service

# the values Python's json accepts and JSON does not (as written in a body)
NOT_JSON = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "huge-integer": "9" * 5000,
    "lone-surrogate": '"\\ud800"',
    "lone-low-surrogate": '"x\\udc00y"',
}
BAD = '"@@bad@@"'  # where a body below takes the bad value
KEY = '"@@key@@"'  # where it takes a key holding a lone surrogate


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running(request, tmp_path_factory) -> Iterator[Service]:
    service = start_service(settings_for(tmp_path_factory.mktemp("strict"), database=request.param))
    yield service
    service.client.close()
    service.client.app.state.db.dispose()


def _setting(service: Service) -> dict:
    read = service.get("host", "/events/conf").json()
    return {k: read[k] for k in ("event", "programme", "rooms", "delegations")}


def _with(data: dict, *path_and_value) -> dict:
    *path, value = path_and_value
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return data


# every operation that takes a JSON body: who may call it, a valid body with the bad value in one field, that field
def _bodies(service: Service) -> dict[tuple[str, str], tuple[str, dict, list]]:
    third = base_input(event={**base_input()["event"], "id": "third"})
    return {
        ("post", "/events"): ("admin", _with(third, "rooms", 0, "capacity", "@@bad@@"), ["rooms", 0, "capacity"]),
        ("put", "/events/{event_id}"): ("host", _with(_setting(service), "rooms", 1, "capacity", "@@bad@@"),
                                        ["rooms", 1, "capacity"]),
        ("post", "/events/{event_id}/keys"): ("host", {"role": "liaison", "delegation": "A", "label": "@@bad@@"},
                                              ["label"]),
        ("post", "/events/{event_id}/requests"): ("A", {"parties": ["A", "C"], "duration_minutes": "@@bad@@"},
                                                  ["duration_minutes"]),
        ("patch", "/events/{event_id}/requests/{request_id}"): ("host", {"priority": "@@bad@@"}, ["priority"]),
        ("post", "/events/{event_id}/solves"): ("host", {"time_limit": "@@bad@@"}, ["time_limit"]),
        ("put", "/events/{event_id}/delegations/{delegation_id}"): ("host", {**_setting(service)["delegations"][0],
                                                                             "size": "@@bad@@"}, ["size"]),
        ("put", "/events/{event_id}/rooms/{room_id}"): ("host", {**_setting(service)["rooms"][0],
                                                                 "capacity": "@@bad@@"}, ["capacity"]),
        ("put", "/events/{event_id}/programme/{item_id}"): ("host", {**_setting(service)["programme"][0],
                                                                     "title": "@@bad@@"}, ["title"]),
        ("post", "/events/{event_id}/rooms"): ("host", {"id": "R9", "name": "Room 9", "capacity": "@@bad@@"},
                                               ["capacity"]),
        ("post", "/events/{event_id}/programme"): ("host", {"id": "photo", "title": "@@bad@@",
                                                            "start": f"{DAY}T11:00", "end": f"{DAY}T11:15"},
                                                   ["title"]),
    }


def _operations_with_a_body(service: Service) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in service.client.app.openapi()["paths"].items()
            for method, operation in methods.items() if "requestBody" in operation}


def _send(service: Service, who: str, method: str, path: str, text: str):
    url = path.format(event_id="conf", request_id="A-B", delegation_id="A", room_id="R1", item_id="lunch")
    headers = {"Content-Type": "application/json"}
    if method in ("put", "patch"):
        headers["If-Match"] = service.etag("host", url if "/requests/" in url else "/events/conf")
    elif path.endswith(("/rooms", "/programme")):
        headers["If-Match"] = service.etag("host", "/events/conf")
    return service.call(who, method.upper(), url, content=text.encode(), headers=headers)


def assert_documented_422(response, loc: list | None = None) -> list[dict]:
    """422 whose items hold exactly loc, msg and type (no input, no ctx); one of them at `loc`, if given."""
    assert response.status_code == 422, (response.status_code, response.text[:300])
    detail = response.json()["detail"]
    assert detail and all(set(item) == {"loc", "msg", "type"} for item in detail), detail
    assert all(isinstance(item["msg"], str) and isinstance(item["loc"], list) for item in detail)
    if loc is not None:
        assert loc in [item["loc"] for item in detail], detail
    return detail


@pytest.mark.parametrize("value", list(NOT_JSON), ids=list(NOT_JSON))
def test_what_json_does_not_allow_is_422_naming_the_field_on_every_route(running: Service, value: str) -> None:
    assert set(_bodies(running)) == _operations_with_a_body(running)  # every one of them
    before = {who: running.get(who, "/events/conf/requests").json() for who in ("host", "A")}
    for (method, path), (who, body, field) in _bodies(running).items():
        text = json.dumps(body).replace(BAD, NOT_JSON[value])
        assert_documented_422(_send(running, who, method, path, text), ["body", *field])
        # the same value deeper in a field no route knows: still named where it is
        deep = json.dumps({"probe": [0, {"inner": "@@bad@@"}]}).replace(BAD, NOT_JSON[value])
        assert_documented_422(_send(running, who, method, path, deep), ["body", "probe", 1, "inner"])
    assert {who: running.get(who, "/events/conf/requests").json() for who in ("host", "A")} == before
    assert running.get("host", "/events/third").status_code == 404
    assert len(running.get("host", "/events/conf/keys").json()) == 6


def test_a_key_holding_a_lone_surrogate_is_422_naming_it_on_every_route(running: Service) -> None:
    for (method, path), (who, body, _) in _bodies(running).items():
        text = json.dumps({**body, "@@key@@": 1}).replace(KEY, '"\\ud800"').replace(BAD, "1")
        detail = assert_documented_422(_send(running, who, method, path, text), ["body", "\\ud800"])
        assert "surrogate" in detail[0]["msg"]


def test_a_422_holds_loc_msg_and_type_and_never_the_input(running: Service) -> None:
    json_body = {"Content-Type": "application/json"}
    cases = [
        running.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": "A", "x": "secret-ish"}),
        running.post("host", "/events/conf/solves", json={"time_limit": 10**9, "stability": "loose"}),
        running.post("A", "/events/conf/requests", json={"parties": "A", "duration_minutes": "long"}),
        running.post("host", "/events/conf/solves", content=b'{"time_limit": ', headers=json_body),
        running.post("host", "/events/conf/solves", content=b'{"time_limit": "\xff"}', headers=json_body),
        running.post("host", "/events/conf/solves", content=b"[" * 100_000, headers=json_body),
        running.post("host", "/events/conf/solves", content=b'{"time_limit": 5}'),  # no content type
        running.post("admin", "/events", json=_with(base_input(), "rooms", 0, "capacity", "ten")),  # the contract's
        running.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30},
                     headers={"Idempotency-Key": "has space"}),
        running.get("host", "/events/conf/audit?before=-1"),
    ]
    for response in cases:
        assert_documented_422(response)
        assert "secret-ish" not in response.text and "loose" not in response.text  # (the contract's own lines
        # quote a short value, as the CLI does: "rooms[0].capacity: ... (got 'ten')")


# --- dates ---------------------------------------------------------------------------------------------------------

OUT_OF_RANGE = ["9999-12-31", "1999-12-31", "2101-01-01"]


def _contract_with(day: str) -> list[tuple[dict, list]]:
    """Contract inputs (event `third`) each holding `day` in one place, and that place."""
    def third(**changes) -> dict:
        return base_input(event={**base_input()["event"], "id": "third"}, **changes)

    window = [{"start": f"{day}T09:00", "end": f"{day}T10:00"}]
    data = third()
    data["event"]["days"][0]["date"] = day
    requests = base_input()["requests"]
    return [
        (data, ["event", "days", 0, "date"]),
        (third(programme=[{"id": "p", "title": "Plenary", "start": f"{DAY}T09:00", "end": f"{day}T10:00"}]),
         ["programme", 0, "end"]),
        (_with(third(), "rooms", 0, "available", window), ["rooms", 0, "available", 0, "start"]),
        (_with(third(), "delegations", 2, "available", window), ["delegations", 2, "available", 0, "start"]),
        (third(requests=[{**requests[0], "window": window}]), ["requests", 0, "window", 0, "start"]),
        (third(requests=[{**requests[0], "fixed": {"start": f"{day}T09:00"}}]), ["requests", 0, "fixed", "start"]),
    ]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_date_outside_2000_to_2100_is_422_naming_the_field(running: Service, day: str) -> None:
    for data, field in _contract_with(day):
        detail = assert_documented_422(running.post("admin", "/events", json=data), ["body", *field])
        assert any("2000-01-01 to 2100-12-31" in item["msg"] for item in detail if item["loc"] == ["body", *field])
    setting = _with(_setting(running), "event", "days", 0, "date", day)
    assert_documented_422(running.call("host", "PUT", "/events/conf", json=setting,
                                       headers={"If-Match": running.etag("host", "/events/conf")}),
                          ["body", "event", "days", 0, "date"])
    window = [{"start": f"{day}T09:00", "end": f"{day}T10:00"}]
    for who, body, field in [
        ("A", {"parties": ["A", "C"], "duration_minutes": 30, "preferred": window}, ["preferred", 0, "start"]),
        ("host", {"parties": ["A", "C"], "duration_minutes": 30, "window": window}, ["window", 0, "start"]),
        ("host", {"parties": ["A", "C"], "duration_minutes": 30, "fixed": {"start": f"{day}T09:00"}},
         ["fixed", "start"]),
    ]:
        assert_documented_422(running.post(who, "/events/conf/requests", json=body), ["body", *field])
    for instant in (f"{day}T09:00:00Z", f"{day}T23:59:59-12:00"):
        detail = assert_documented_422(running.post("host", "/events/conf/solves", json={"freeze_before": instant}),
                                       ["body", "freeze_before"])
        assert "2000-01-01 to 2100-12-31" in detail[0]["msg"]
    assert running.get("host", "/events/third").status_code == 404
    assert [r["id"] for r in running.get("host", "/events/conf/requests").json()] == ["A-B", "C-D"]


def test_the_first_and_the_last_date_accepted(tmp_path) -> None:
    days = [{"date": d, "start": "09:00", "end": "13:00"} for d in ("2000-01-01", "2100-12-31")]
    data = base_input(event={**base_input()["event"], "days": days}, programme=[])
    service = start_service(settings_for(tmp_path), data)
    try:
        assert service.get("host", "/events/conf").json()["event"]["days"][1]["date"] == "2100-12-31"
        pinned = {"parties": ["A", "C"], "duration_minutes": 30, "fixed": {"start": "9999-12-31T09:00"}}
        refused = service.post("host", "/events/conf/requests", json=pinned)
        assert "2000-01-01 to 2100-12-31" in assert_documented_422(refused, ["body", "fixed", "start"])[0]["msg"]
    finally:
        service.client.close()


# --- ids made only of dots -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dots", [".", "..", "..."])
def test_an_id_made_only_of_dots_is_422(running: Service, dots: str) -> None:
    third = base_input(event={**base_input()["event"], "id": "third"})
    for data, field in [
        (_with(base_input(), "event", "id", dots), ["event", "id"]),
        (_with(json.loads(json.dumps(third)), "rooms", 2, "id", dots), ["rooms", 2, "id"]),
        (_with(json.loads(json.dumps(third)), "delegations", 4, "id", dots), ["delegations", 4, "id"]),
        (_with(json.loads(json.dumps(third)), "programme", 0, "id", dots), ["programme", 0, "id"]),
        (_with(json.loads(json.dumps(third)), "requests", 1, "id", dots), ["requests", 1, "id"]),
    ]:
        detail = assert_documented_422(running.post("admin", "/events", json=data), ["body", *field])
        assert any("only of dots" in item["msg"] for item in detail)
    for who, body, field in [
        ("host", {"id": dots, "parties": ["A", "C"], "duration_minutes": 30}, ["id"]),
        ("host", {"parties": ["A", dots], "duration_minutes": 30}, ["parties", 1]),
        ("A", {"parties": ["A", "C"], "duration_minutes": 30, "host": dots}, ["host"]),
    ]:
        assert_documented_422(running.post(who, "/events/conf/requests", json=body), ["body", *field])
    key = running.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": dots})
    assert_documented_422(key, ["body", "delegation"])
    assert_documented_422(running.call("host", "PATCH", "/events/conf/requests/A-B", json={"host": dots},
                                       headers={"If-Match": running.etag("host", "/events/conf/requests/A-B")}),
                          ["body", "host"])
    assert [r["id"] for r in running.get("host", "/events/conf/requests").json()] == ["A-B", "C-D"]


# --- the desk's forms ----------------------------------------------------------------------------------------------

def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


@contextmanager
def _signed_in(service: Service, who: str) -> Iterator[TestClient]:
    """The service's client holding a desk session of `who` (signed in through the sign-in form)."""
    client = service.client
    client.cookies.clear()
    form = client.get("/desk/sign-in")
    signed = client.post("/desk/sign-in", data={"csrf": _csrf(form.text), "key": service.keys[who]},
                         follow_redirects=False)
    assert signed.status_code == 303, signed.text[:300]
    try:
        yield client
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("typed", ["nan", "inf", "1e400", "abc"])
def test_the_desks_solve_form_names_a_time_limit_that_is_no_number(running: Service, typed: str) -> None:
    with _signed_in(running, "host") as client:
        page = client.get("/desk/solve")
        assert page.status_code == 200, page.text[:300]
        answer = client.post("/desk/solve", data={"csrf": _csrf(page.text), "time_limit": typed},
                             follow_redirects=False)
        assert answer.status_code == 422, answer.text[:500]


@pytest.mark.parametrize("typed", ["abc", "\u00b2", "9" * 5000], ids=["letters", "superscript-two", "huge"])
def test_the_desks_request_forms_name_minutes_that_are_no_number(running: Service, typed: str) -> None:
    # "²".isdigit() is true and int("²") raises; so does int() of 5000 digits
    with _signed_in(running, "host") as client:
        page = client.get("/desk/requests/A-B")
        revision = re.search(r'name="revision" value="(\d+)"', page.text).group(1)
        edited = client.post("/desk/requests/A-B", data={"csrf": _csrf(page.text), "revision": revision,
                                                         "duration_minutes": typed, "priority": "5"},
                             follow_redirects=False)
        assert edited.status_code == 422, edited.text[:500]
        assert client.get("/desk/requests", params={"priority": typed}).status_code == 200
    with _signed_in(running, "A") as client:
        page = client.get("/desk/proposals")
        proposed = client.post("/desk/requests", data={"csrf": _csrf(page.text), "party": "C",
                                                       "duration_minutes": typed, "priority": "1"},
                               follow_redirects=False)
        assert proposed.status_code == 422, proposed.text[:500]
    assert [r["id"] for r in running.get("host", "/events/conf/requests").json()] == ["A-B", "C-D"]
