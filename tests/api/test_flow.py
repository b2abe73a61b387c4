"""The whole flow with a real worker process: propose, accept, solve (watching progress), publish, subscribe,
change, republish. On SQLite with the SQLite queue, and on PostgreSQL with Redis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.service import (
    Service,
    Worker,
    events_of,
    publish_a_schedule,
    settings_for,
    solve_and_wait,
    start_service,
    wait_for,
)


def feed_url(service: Service, who: str, subject: str) -> str:
    feeds = service.get(who, "/events/conf/feeds").json()
    link = next(f for f in feeds if f["subject"] == subject)
    assert link["webcal"].startswith("webcal://bilateral.example.org/feeds/")
    return link["https"].removeprefix("https://bilateral.example.org")




@pytest.mark.slow
@pytest.mark.parametrize("backend", [("sqlite", "sqlite"), ("postgresql", "redis")], ids=["sqlite", "postgres-redis"])
def test_propose_accept_solve_publish_subscribe_republish(tmp_path: Path, backend: tuple[str, str], workers) -> None:
    database, queue = backend
    service = start_service(settings_for(tmp_path, database=database, queue=queue))
    workers.append(Worker(service.settings))
    # two liaisons agree on a meeting
    proposal = service.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 45,
                                                                  "priority": 4})
    ac = proposal.json()["id"]
    accepted = service.post("C", f"/events/conf/requests/{ac}/accept",
                            headers={"If-Match": service.etag("C", f"/events/conf/requests/{ac}")})
    assert accepted.json()["status"] == "accepted"
    # the host weighs it (A wished 4; the scheduled priority is the host's)
    etag = service.etag("host", f"/events/conf/requests/{ac}")
    service.call("host", "PATCH", f"/events/conf/requests/{ac}", json={"priority": 4}, headers={"If-Match": etag})
    # the host solves and watches it converge
    started = service.post("host", "/events/conf/solves", json={"time_limit": 4})
    assert started.status_code == 202 and started.json()["state"] == "queued"
    solve_path = f"/events/conf/solves/{started.json()['id']}"
    seen = wait_for(lambda: service.get("host", solve_path).json()["progress"])
    assert seen["phase"]
    done = wait_for(lambda: (s := service.get("host", solve_path).json())["state"] == "done" and s)
    assert done["status"] == "optimal" and done["meetings"] == 3 and done["upper_bound"] == 12
    # publish version 1; A's calendar shows A-B and A-C
    first = service.post("host", f"{solve_path}/publish").json()
    assert first["version"] == 1 and first["new"] == 3
    url = feed_url(service, "A", "A")
    feed = service.get(None, url)
    assert feed.status_code == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.headers["cache-control"].startswith("private")
    assert set(events_of(feed.content)) == {"A-B", ac}
    assert service.get(None, url, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    # C declines A-C after all; the host solves again and publishes version 2
    etag = service.etag("C", f"/events/conf/requests/{ac}")
    service.post("C", f"/events/conf/requests/{ac}/decline", headers={"If-Match": etag})
    again = solve_and_wait(service, time_limit=3)
    second = service.post("host", f"/events/conf/solves/{again['id']}/publish").json()
    assert second["version"] == 2 and second["cancelled"] == 1 and second["new"] == 0
    after = service.get(None, url, headers={"If-None-Match": feed.headers["ETag"]})
    assert after.status_code == 200
    events, before = events_of(after.content), events_of(feed.content)
    assert events[ac]["status"] == "CANCELLED" and events[ac]["sequence"] == 1
    # A-B keeps its SEQUENCE if it kept its time and room, and gets SEQUENCE+1 if the re-solve moved it
    kept = all(events["A-B"][k] == before["A-B"][k] for k in ("start", "room"))
    assert events["A-B"]["sequence"] == (0 if kept else 1)
    room = feed_url(service, "host", "R2")
    assert service.get(None, room).status_code == 200
    # a liaison's schedule shows only its own meetings
    mine = service.get("E", "/events/conf/schedule").json()
    assert mine["version"] == 2 and mine["meetings"] == [] and mine["unscheduled"] == []
    assert "document" not in mine


@pytest.mark.slow
def test_rotating_a_feed_url_stops_the_old_one(sqlite_service: Service, tmp_path: Path) -> None:
    publish_a_schedule(sqlite_service, tmp_path)
    old = feed_url(sqlite_service, "A", "A")
    assert sqlite_service.get(None, old).status_code == 200
    rotated = sqlite_service.post("A", "/events/conf/delegations/A/feed-token")
    assert rotated.status_code == 201
    assert sqlite_service.get(None, old).status_code == 404
    new = rotated.json()["https"].removeprefix("https://bilateral.example.org")
    assert sqlite_service.get(None, new).status_code == 200
    assert feed_url(sqlite_service, "A", "A") == new


def test_a_feed_before_the_first_publication_is_404(sqlite_service: Service) -> None:
    assert sqlite_service.get(None, feed_url(sqlite_service, "A", "A")).status_code == 404
    assert sqlite_service.get(None, "/feeds/not-a-token.ics").status_code == 404


@pytest.mark.slow
def test_cancel_a_running_solve(tmp_path: Path, workers) -> None:
    from tests.support.service import big_input

    service = start_service(settings_for(tmp_path), big_input())
    workers.append(Worker(service.settings))
    started = service.post("host", "/events/conf/solves", json={"time_limit": 120}).json()
    path = f"/events/conf/solves/{started['id']}"
    wait_for(lambda: service.get("host", path).json()["state"] == "running")
    cancel = service.call("host", "DELETE", path)
    assert cancel.status_code == 202
    ended = wait_for(lambda: (s := service.get("host", path).json())["state"] != "running" and s, timeout=20,
                     every=0.1)
    assert ended["state"] == "cancelled"  # long before its 120 s (the benchmark measures how long it takes)
