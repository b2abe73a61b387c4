"""The desk's templates escape what they show: a delegation named `<script>` is text, not a script."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.desk import sign_in
from tests.support.service import base_input, settings_for, start_service

HOSTILE = '<script>alert("x")</script>'




def test_a_delegation_named_script_is_shown_as_text(tmp_path: Path) -> None:
    data = base_input()
    data["delegations"][2]["name"] = HOSTILE  # C
    data["requests"].append({"id": "A-C", "parties": ["A", "C"], "duration_minutes": 30})
    service = start_service(settings_for(tmp_path), data)
    sign_in(service, "A")
    for path in ("/desk/proposals", "/desk/feed"):
        html = service.client.get(path).text
        assert HOSTILE not in html
    proposals = service.client.get("/desk/proposals").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in proposals
    service.client.cookies.clear()
    sign_in(service, "host")
    table = service.client.get("/desk/requests").text
    assert HOSTILE not in table and "&lt;script&gt;" in table


def test_pages_need_a_session_and_forms_need_their_token(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    away = service.client.get("/desk/requests", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/desk/sign-in"
    no_token = service.client.post("/desk/sign-in", data={"key": service.keys["host"]})
    assert no_token.status_code == 403
    wrong = service.client.get("/desk/sign-in")
    token = re.search(r'name="csrf" value="([^"]+)"', wrong.text).group(1)
    refused = service.client.post("/desk/sign-in", data={"csrf": token, "key": "bk_wrong"})
    assert refused.status_code == 401 and "unknown or revoked" in refused.text
    sign_in(service, "A")
    assert service.client.get("/desk/requests", follow_redirects=False).headers["location"] == "/desk"  # host page
    forged = service.client.post("/desk/requests", data={"party": ["C"], "duration_minutes": "30"})
    assert forged.status_code == 403
    assert [r["id"] for r in service.get("A", "/events/conf/requests").json()] == ["A-B"]  # nothing stored


def test_signing_out_ends_the_session_on_the_server(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    sign_in(service, "host")
    cookie = service.client.cookies.get("bilateral_session")
    page = service.client.get("/desk/requests").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert service.client.post("/desk/sign-out", data={"csrf": csrf}).status_code == 200
    service.client.cookies.set("bilateral_session", cookie)  # a copy of the old cookie is worth nothing
    assert service.client.get("/desk/requests", follow_redirects=False).status_code == 303
    assert service.get(cookie, "/events/conf").status_code == 401  # nor as a bearer token


# Every page of the desk and who may open it: "host" pages send a liaison home, "liaison" pages send the
# host home, everyone else goes to the sign-in page. Posts need a session and their CSRF token.
DESK_PAGES = {
    "/desk/home": "host", "/desk/requests": "host", "/desk/requests/A-B": "host", "/desk/solve": "host",
    "/desk/plan": "host", "/desk/solves/s_x": "host", "/desk/solves/s_x/state": "host",
    "/desk/solves/s_x/publish": "host", "/desk/solves/s_x/plan": "host", "/desk/solves/s_x/agendas/A": "host",
    "/desk/plan/grid": "host", "/desk/keys": "host", "/desk/feeds": "host",
    "/desk/event": "host", "/desk/event/delegations/A": "host", "/desk/event/rooms/R1": "host",
    "/desk/event/programme/lunch": "host", "/desk/event/new-room": "host", "/desk/event/new-programme": "host",
    "/desk/proposals": "liaison", "/desk/agenda": "liaison", "/desk/feed": "liaison",
}
DESK_POSTS = ["/desk/requests", "/desk/requests/A-B", "/desk/requests/A-B/accept", "/desk/solve",
              "/desk/solves/s_x/cancel", "/desk/solves/s_x/publish", "/desk/solves/s_x/again", "/desk/keys",
              "/desk/keys/k_x/revoke", "/desk/feed/rotate", "/desk/sign-out", "/desk/event/delegations/A",
              "/desk/event/rooms/R1", "/desk/event/programme/lunch", "/desk/event/new-room",
              "/desk/event/new-programme"]


def test_every_desk_route_is_in_the_table(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    paths = {getattr(r, "path", "") for r in service.client.app.routes}
    templates = {p for p in paths if p.startswith("/desk")}
    known = {"/desk", "/desk/sign-in", "/desk/static", "/desk/requests/{request_id}",
             "/desk/requests/{request_id}/{action}", "/desk/solves/{solve_id}", "/desk/solves/{solve_id}/state",
             "/desk/solves/{solve_id}/cancel",
             "/desk/solves/{solve_id}/publish", "/desk/solves/{solve_id}/again", "/desk/solves/{solve_id}/plan",
             "/desk/solves/{solve_id}/agendas/{delegation}", "/desk/keys/{key_id}/revoke", "/desk/sign-out",
             "/desk/feed/rotate", "/desk/event/delegations/{delegation_id}", "/desk/event/rooms/{room_id}",
             "/desk/event/programme/{item_id}",
             *(p for p in DESK_PAGES if "A-B" not in p and p.count("/") < 4)}
    assert templates <= known, templates - known


def test_who_may_open_which_desk_page(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    for who in (None, "host", "A"):
        service.client.cookies.clear()
        if who:
            sign_in(service, who)
        for path, owner in DESK_PAGES.items():
            response = service.client.get(path, follow_redirects=False)
            if who is None:
                assert (response.status_code, response.headers["location"]) == (303, "/desk/sign-in"), path
            elif (owner == "host") == (who == "host"):
                assert response.status_code in (200, 404), (who, path, response.text[:200])  # 404: nothing published
            else:
                assert (response.status_code, response.headers["location"]) == (303, "/desk"), (who, path)
        for path in DESK_POSTS:  # without a session: sign in; with one: 403 without the token (or home, if not yours)
            response = service.client.post(path, data={}, follow_redirects=False)
            if who is None:
                assert response.headers.get("location") == "/desk/sign-in", path
            else:
                assert response.status_code == 403 or response.headers.get("location") == "/desk", (who, path)
