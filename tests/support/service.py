"""Helpers for the service under test on real parts: a SQLite file or PostgreSQL, a SQLite or Redis queue, real workers.

PostgreSQL (127.0.0.1:5432, database `test`) and Redis (127.0.0.1:6379) run on the project's machines; a
test that needs one skips with the reason when it is not there, and fails under CI=true.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.app import create_app
from api.cli import _add_key
from api.settings import Settings
from api.storage.db import Database
from benchmarks.generator import generate
from tests.support.paths import IN_CI, ROOT

PG_URL = os.environ.get("BILATERAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

REDIS_URL = os.environ.get("BILATERAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

DAY = "2024-10-31"

def need(ok: bool, reason: str) -> None:
    """Skip without the server, except under CI, where it must be there."""
    if not ok:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the server must be running)")
        pytest.skip(reason)

def postgres_up() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=2):
            return True
    except Exception:
        return False

def redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False

RUN = uuid.uuid4().hex[:6]

RUN_SCHEMAS: list[str] = []

def on_postgres(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()

def fresh_postgres() -> str:
    """A URL of an empty schema of its own in the `test` database (so that test runs never share tables);
    the schemas of this run are dropped at its end."""
    schema = f"t_{int(time.time())}_{RUN}_{uuid.uuid4().hex[:6]}"
    on_postgres(f"CREATE SCHEMA {schema}")
    RUN_SCHEMAS.append(schema)
    return f"{PG_URL}?options=-csearch_path%3D{schema}"

def settings_for(tmp_path: Path, database: str = "sqlite", queue: str = "sqlite", **changes) -> Settings:
    if database == "postgresql":
        need(postgres_up(), f"PostgreSQL is not reachable at {PG_URL}")
        url = fresh_postgres()
    else:
        url = f"sqlite:///{tmp_path / 'bilateral.db'}"
    redis_url = None
    if queue == "redis":
        need(redis_up(), f"Redis is not reachable at {REDIS_URL}")
        redis_url = REDIS_URL
    values = dict(
        database_url=url,
        redis_url=redis_url,
        queue_path=str(tmp_path / "queue.db"),
        queue_name=f"test-{uuid.uuid4().hex[:8]}",  # no message of another test reaches this one's workers
        public_url="https://bilateral.example.org",
        secret_file=str(tmp_path / "bilateral.secret"),
        stale_after_seconds=3.0,
        heartbeat_seconds=0.5,
        solver_workers=1,
    )
    values.update(changes)
    return Settings(**values)

def base_input(**changes) -> dict:
    """One day 09:00-13:00, three rooms, delegations A-E; two accepted requests (the host's)."""
    data = {
        "event": {"id": "conf", "name": "Test conference", "timezone": "Europe/Minsk", "slot_minutes": 15,
                  "days": [{"date": DAY, "start": "09:00", "end": "13:00"}]},
        "programme": [{"id": "lunch", "title": "Lunch", "start": f"{DAY}T12:00", "end": f"{DAY}T13:00"}],
        "rooms": [
            {"id": "R1", "name": "Room 1", "capacity": 10, "features": ["interpretation"], "level": 2},
            {"id": "R2", "name": "Room 2", "capacity": 10, "features": ["interpretation"], "level": 2},
            {"id": "salon-A", "name": "Salon of A", "capacity": 8, "features": ["interpretation"], "level": 2,
             "reserved_for": "A"},
        ],
        "delegations": [{"id": d, "name": f"Delegation {d}", "head": f"Minister {d}", "size": 2,
                         "languages": ["ru"]} for d in "ABCDE"],
        "requests": [
            {"id": "A-B", "parties": ["A", "B"], "duration_minutes": 60, "priority": 5},
            {"id": "C-D", "parties": ["C", "D"], "duration_minutes": 45, "priority": 3},
        ],
    }
    data.update(copy.deepcopy(changes))
    return data

@dataclass
class Service:
    """The app under test, with keys by name: admin, host, host2 (another event), liaison A..E."""

    settings: Settings
    client: TestClient
    keys: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, **extra: str) -> dict[str, str]:
        out = dict(extra)
        if who is not None:
            out["Authorization"] = f"Bearer {self.keys.get(who, who)}"
        return out

    def call(self, who: str | None, method: str, path: str, **kwargs):
        headers = self.headers(who, **kwargs.pop("headers", {}))
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, who, path, **kw):
        return self.call(who, "GET", path, **kw)

    def post(self, who, path, **kw):
        return self.call(who, "POST", path, **kw)

    def etag(self, who: str, path: str) -> str:
        response = self.get(who, path)
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

def start_service(settings: Settings, data: dict | None = None) -> Service:
    """A fresh app with event `conf` (and `other`, to probe across events) and a key for every role."""
    db = Database(settings.database_url)
    db.migrate()
    admin = _add_key(db, "admin", None, None, "test admin")[1]
    db.dispose()
    client = TestClient(create_app(settings))
    service = Service(settings, client, {"admin": admin})
    created = service.post("admin", "/events", json=data or base_input())
    assert created.status_code == 201, created.text
    service.keys["host"] = created.json()["host_key"]["key"]
    other = base_input(event={**base_input()["event"], "id": "other", "name": "Other conference"})
    created = service.post("admin", "/events", json=other)
    assert created.status_code == 201, created.text
    service.keys["host2"] = created.json()["host_key"]["key"]
    ids = {d["id"] for d in (data or base_input())["delegations"]}
    for d in (d for d in "ABCDE" if d in ids):
        issued = service.post("host", "/events/conf/keys", json={"role": "liaison", "delegation": d})
        assert issued.status_code == 201, issued.text
        service.keys[d] = issued.json()["key"]
    return service

class Worker:
    """A real `scheduler worker` process on the service's database and queue."""

    def __init__(self, settings: Settings):
        env = {**os.environ, **settings.to_env()}
        self.process = subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.started = threading.Event()
        # read its log as it comes, so that a full pipe never stalls the worker
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        for line in iter(self.process.stderr.readline, b""):
            if b"consumer started" in line:
                self.started.set()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the consumer says it has started (it reads the queue from then on)."""
        assert self.started.wait(timeout), "the worker did not start"

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

def wait_for(predicate, timeout: float = 60.0, every: float = 0.2):
    """Poll until predicate() is truthy (returns it) or fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout} s")

def solve_and_wait(service: Service, time_limit: float = 5.0, timeout: float = 90.0) -> dict:
    started = service.post("host", "/events/conf/solves", json={"time_limit": time_limit})
    assert started.status_code == 202, started.text
    solve_id = started.json()["id"]

    def finished():
        state = service.get("host", f"/events/conf/solves/{solve_id}").json()
        return state if state["state"] in ("done", "failed", "cancelled") else None

    return wait_for(finished, timeout)


def publish_a_schedule(service: Service, folder: Path) -> str:
    """Solve event `conf` on a worker and publish the result; returns the solve's id."""
    worker = Worker(service.settings)
    try:
        done = solve_and_wait(service, time_limit=3)
    finally:
        worker.stop()
    assert done["state"] == "done" and done["status"] in ("optimal", "feasible"), done
    published = service.post("host", f"/events/conf/solves/{done['id']}/publish")
    assert published.status_code == 201, published.text
    return done["id"]


def events_of(content: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(content)
    return {
        str(e["UID"]).split("@")[0]: {"start": e.decoded("DTSTART"), "room": str(e.get("LOCATION")),
                                      "sequence": int(e.get("SEQUENCE", 0)), "status": str(e.get("STATUS"))}
        for e in calendar.walk("VEVENT")
    }


def big_input() -> dict:
    """A conference whose solve runs for its whole time limit (not proven optimal in seconds)."""
    data = generate("big", 60, 300, 10, seed=5)
    data["event"]["id"] = "conf"
    return data
