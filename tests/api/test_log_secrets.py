"""No key, desk session token or feed token in any log line, whatever shape the request took.

A real `scheduler serve` (two web processes and the embedded worker, its whole output in one file) is asked
every route of its OpenAPI document and every desk page, with real secrets in every position: the path (as
the route's own parameter and in odd forms: dot segments, extra and doubled slashes, percent-encoded once and
twice, another case), the query, the Authorization header and the session cookie. Requests go out on a raw
socket, so that no client library tidies the path first. Then the whole log is searched for every secret.
"""

from __future__ import annotations

import itertools
import re
import socket
import time
from pathlib import Path

import httpx
import pytest

from api.cli import _add_key
from api.identity import SESSION_PREFIX
from api.storage.db import Database
from tests.support.served import Served, served_with_keys

DESK_PAGES = ["/", "/desk", "/desk/sign-in", "/desk/requests", "/desk/requests/{id}", "/desk/solve",
              "/desk/solves/{id}", "/desk/solves/{id}/state", "/desk/plan", "/desk/plan/grid", "/desk/keys",
              "/desk/feeds", "/desk/proposals", "/desk/agenda", "/desk/feed", "/desk/requests/{id}/accept",
              "/desk/solves/{id}/cancel", "/desk/keys/{id}/revoke", "/desk/feed/rotate", "/desk/sign-out",
              "/desk/event", "/desk/event/delegations/{id}", "/desk/event/rooms/{id}", "/desk/event/programme/{id}"]


def encoded(text: str, lower: bool = False) -> str:
    """Every character percent-encoded."""
    return "".join((f"%{b:02x}" if lower else f"%{b:02X}") for b in text.encode())


def raw(server: Served, method: str, target: str, headers: dict[str, str] | None = None,
        body: bytes = b"") -> int:
    """One request on a raw socket, the target exactly as given; its status (0: no HTTP answer)."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Connection: close",
             *(f"{k}: {v}" for k, v in (headers or {}).items()), f"Content-Length: {len(body)}"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    match = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return int(match.group(1)) if match else 0


def desk_session(server: Served, key: str) -> str:
    """Sign in at the desk with a key, as a browser does; the session's token."""
    with httpx.Client(base_url=server.url) as browser:
        page = browser.get("/desk/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        signed_in = browser.post("/desk/sign-in", data={"csrf": csrf, "key": key})
        assert signed_in.status_code == 303, signed_in.text
        return next(v for v in browser.cookies.values() if v.startswith(SESSION_PREFIX))


def feed_tokens(server: Served, host: str) -> list[str]:
    links = httpx.get(f"{server.url}/events/conf/feeds", headers={"Authorization": f"Bearer {host}"}).json()
    return [link["https"].rsplit("/", 1)[1].removesuffix(".ics") for link in links]


def publish(server: Served, host: str) -> str:
    """Solve on the embedded worker and publish (so that feeds answer, and the worker has logged)."""
    auth = {"Authorization": f"Bearer {host}"}
    solve = httpx.post(f"{server.url}/events/conf/solves", json={"time_limit": 2}, headers=auth).json()
    deadline = time.monotonic() + 120
    while (state := httpx.get(f"{server.url}/events/conf/solves/{solve['id']}", headers=auth).json())[
            "state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.3)
    assert state["state"] == "done", state
    assert httpx.post(f"{server.url}/events/conf/solves/{solve['id']}/publish", headers=auth).status_code == 201
    return solve["id"]


def odd_feed_paths(token: str) -> list[str]:
    return [f"/feeds/./{token}.ics", f"/feeds/x/{token}.ics", f"//feeds/{token}.ics", f"/feeds//{token}.ics",
            f"/feeds/{token}.ics?x={token}", f"/feeds/{token}.ics?{token}", f"/feeds/{encoded(token)}.ics",
            f"/feeds/{encoded(token, lower=True)}.ics", f"/feeds/{encoded(encoded(token))}.ics",
            f"/%66eeds/{token}.ics", f"/FEEDS/{token}.ics", f"/Feeds/{token}.ics", f"/feeds/{token}",
            f"/x/../feeds/{token}.ics", f"/feeds/{token}.ics/", f"/feeds/{token}.ics;v=1", f"/feeds%2F{token}.ics",
            f"/feeds/{token}.ICS", f"/feeds/{token}.ics#x", f"/feeds/..%2F{token}.ics", f"/feeds\\{token}.ics",
            f"/events/conf/feeds/{token}.ics", f"/{token}", f"/{token}.ics", f"/x{token}y",
            f"/events/conf/requests?token={token}", f"/events/conf/requests?{token}=1",
            f"/events/conf/requests?a=1&feed=%2Ffeeds%2F{token}.ics", f"/events/{encoded(token)}"]


def routes(server: Served) -> list[tuple[str, str]]:
    document = httpx.get(f"{server.url}/openapi.json").json()
    return [(method.upper(), path) for path, methods in document["paths"].items() for method in methods]


def fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), values["*"]), template)


@pytest.mark.slow
def test_no_secret_in_any_log_line(tmp_path: Path) -> None:
    server, keys = served_with_keys(tmp_path)  # two web processes and the embedded worker
    secrets: set[str] = set(keys.values())
    try:
        db = Database(server.settings.database_url)
        admin = _add_key(db, "admin", None, None, "log test")[1]
        spare_id, spare = _add_key(db, "liaison", "conf", "E", "to be revoked")
        db.dispose()
        host = keys["host"]
        solve_id = publish(server, host)
        tokens = feed_tokens(server, host)
        assert raw(server, "GET", f"/feeds/{tokens[0]}.ics") == 200
        sessions = [desk_session(server, host), desk_session(server, keys["A"])]
        secrets |= {admin, spare, *tokens, *sessions}
        every = itertools.cycle(sorted(secrets))

        # every route of the API: real values with the secrets around them, then secrets as every parameter
        real = {"event_id": "conf", "request_id": "A-B", "solve_id": solve_id, "key_id": spare_id,
                "kind": "delegations", "subject": "E", "token": tokens[0], "*": "x"}
        for method, template in routes(server):
            for values in (real, {"*": next(every)}, {"*": encoded(next(every))}):
                target = fill(template, values) + f"?key={next(every)}&token={next(every)}&x={encoded(next(every))}"
                headers = {"Authorization": f"Bearer {host}", "Cookie": f"bilateral_session={next(every)}",
                           "If-Match": "*", "Content-Type": "application/json", "X-Api-Key": next(every)}
                body = b'{"token": "%s", "time_limit": NaN}' % next(every).encode()  # bad input: 422 or 500
                raw(server, method, target, headers, body if method in ("POST", "PUT", "PATCH") else b"")
            raw(server, method, fill(template, {"*": next(every)}), {"Authorization": f"Bearer {next(every)}"})

        # the feeds' URLs in odd forms, and secrets anywhere in paths and queries
        for token in (tokens[0], tokens[-1], keys["A"], sessions[0]):  # a delegation's, a room's, a key, a session
            for target in odd_feed_paths(token):
                raw(server, "GET", target)
            raw(server, "HEAD", f"/feeds/./{token}.ics")
            raw(server, "GET", f"/feeds/{token} .ics")  # not even HTTP: uvicorn refuses it
        # the desk's pages: signed in (cookie), with a key in the query, with secrets as their parameters
        for page, session in itertools.product(DESK_PAGES, sessions):
            target = fill(page, {"*": next(every)}) + f"?key={next(every)}&session={next(every)}"
            raw(server, "GET", target, {"Cookie": f"bilateral_session={session}"})
            raw(server, "POST", target, {"Cookie": f"bilateral_session={session}",
                                         "Content-Type": "application/x-www-form-urlencoded"},
                f"csrf={next(every)}&key={next(every)}".encode())
        secrets |= set(feed_tokens(server, host))  # rotations above made new ones
    finally:
        output = server.stop()

    assert "GET /feeds/" in output and "GET /desk/" in output  # the access log is on ...
    leaks = [s for s in secrets for form in (s, encoded(s), encoded(s, lower=True)) if form in output]
    assert leaks == [], [line for line in output.splitlines() if any(s in line for s in leaks)][:5]
