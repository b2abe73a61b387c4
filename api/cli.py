"""The service's commands, joined to the one `scheduler` command: serve, worker, admin.

`scheduler serve` runs the API and one solve worker (a child process, so a solve never runs in the web
process), on a SQLite file and a SQLite queue by default. `scheduler worker` adds workers (on other
machines with DATABASE_URL and REDIS_URL). `scheduler admin` bootstraps keys.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import typer

from api.identity import Identity, new_key, now
from api.settings import Settings
from api.storage.db import Database
from api.storage.models import EventRow, KeyRow
from scheduler.cli import app, err, out

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minsk-2024.json"
admin = typer.Typer(help="Bootstrap the service: keys, migrations.", no_args_is_help=True)
app.add_typer(admin, name="admin")


def _log_config() -> dict:
    """uvicorn's logging, with feed tokens masked in every line."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {"secrets": {"()": "api.app.SecretPathFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets"]
    return config


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    public_url: str | None = typer.Option(
        None, "--public-url", help="base of feed URLs (default: the address served)"
    ),
    demo: bool = typer.Option(
        False, "--demo", help="load examples/minsk-2024.json and print a host and two liaison keys"
    ),
    embedded_worker: bool = typer.Option(True, "--worker/--no-worker", help="run one solve worker beside the API"),
    processes: int = typer.Option(2, "--processes", min=1, help="web processes (each with its own GIL)"),
) -> None:
    """Run the HTTP API (and one solve worker) on this machine."""
    import uvicorn

    from api.app import create_app

    settings = Settings.from_env(public_url=public_url or f"http://{host}:{port}")
    db = Database(settings.database_url)
    db.migrate()
    if demo:
        _demo(db, settings)
    worker = _start_worker(settings) if embedded_worker else None
    os.environ.update(settings.to_env())  # each web process reads the same settings
    try:
        if processes == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_config=_log_config())
        else:
            uvicorn.run("api.app:app_from_env", factory=True, workers=processes, host=host, port=port,
                        log_config=_log_config())
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()


WORKER_NICENESS = 10  # the embedded worker yields the cores to the web processes (measured: benchmarks.api)


def _start_worker(settings: Settings) -> subprocess.Popen:
    """The embedded solve worker, at a lower CPU priority than the web processes: a solve takes what they
    leave (its solver and helper processes inherit it), so a listing does not wait in line behind CP-SAT."""
    env = {**os.environ, **settings.to_env()}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env,
                            preexec_fn=lambda: os.nice(WORKER_NICENESS))


@app.command("worker")
def worker(threads: int = typer.Option(1, "--threads", min=1, help="solves run at once by this process")) -> None:
    """Run solve workers: take queued solves and run them (DATABASE_URL and REDIS_URL as the API's)."""
    from api.queue import make_queue

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    queue = make_queue(settings)
    queue.huey.create_consumer(workers=threads, worker_type="thread", periodic=False).run()


@admin.command("migrate")
def migrate() -> None:
    """Create or update the database's tables (serve does this at every start)."""
    Database(Settings.from_env().database_url).migrate()
    out.print("the database is up to date")


@admin.command("create-key")
def create_key(
    role: str = typer.Option(..., "--role", help="admin | host | liaison"),
    event: str | None = typer.Option(None, "--event", help="the event (host and liaison keys)"),
    delegation: str | None = typer.Option(None, "--delegation", help="the delegation (liaison keys)"),
    label: str = typer.Option("", "--label"),
) -> None:
    """Create an API key and print it (it is shown only this once)."""
    problem = _key_problem(role, event, delegation)
    if problem:
        err.print(problem)
        raise typer.Exit(2)
    db = Database(Settings.from_env().database_url)
    db.migrate()
    if event is not None:
        with db.reading() as session:
            row = session.get(EventRow, event)
            if row is None:
                err.print(f"--event: no event {event!r}")
                raise typer.Exit(2)
            if delegation is not None and delegation not in {d["id"] for d in row.setting["delegations"]}:
                err.print(f"--delegation: no delegation {delegation!r} in event {event!r}")
                raise typer.Exit(2)
    key_id, secret = _add_key(db, role, event, delegation, label)
    out.print(f"{key_id} {secret}")


def _key_problem(role: str, event: str | None, delegation: str | None) -> str | None:
    if role not in ("admin", "host", "liaison"):
        return f"--role: expected admin, host or liaison, not {role!r}"
    if role == "admin" and (event or delegation):
        return "--role admin: an admin key has no --event and no --delegation"
    if role in ("host", "liaison") and not event:
        return f"--role {role}: --event is required"
    if role == "liaison" and not delegation:
        return "--role liaison: --delegation is required"
    if role == "host" and delegation:
        return "--role host: a host key has no --delegation"
    return None


def _add_key(db: Database, role: str, event: str | None, delegation: str | None, label: str) -> tuple[str, str]:
    key_id, secret, digest = new_key()
    with db.writing() as session:
        session.add(KeyRow(id=key_id, secret_hash=digest, role=role, event_id=event, delegation=delegation,
                           label=label, created_at=now(), created_by=None))
    return key_id, secret


@admin.command("revoke-key")
def revoke_key(key_id: str = typer.Argument(..., help="the key's id (k_…)")) -> None:
    """Revoke a key at once."""
    db = Database(Settings.from_env().database_url)
    with db.writing() as session:
        row = session.get(KeyRow, key_id)
        if row is None:
            err.print(f"no key {key_id!r}")
            raise typer.Exit(2)
        row.revoked_at = row.revoked_at or now()
    out.print(f"{key_id} revoked")


def _demo(db: Database, settings: Settings) -> None:
    """The Minsk example as an event, with a host key and two liaison keys printed for trying every route."""
    from api.errors import ServiceError
    from api.services.events import add_event

    body = json.loads(EXAMPLE.read_text())
    installer = Identity("demo", "admin", None, None)
    try:
        created = add_event(db, settings, installer, body)
    except ServiceError:
        err.print("the demo event exists already; new keys for it:")
        event_id = body["event"]["id"]
        host = _add_key(db, "host", event_id, None, "demo host")[1]
    else:
        event_id, host = created.id, created.host_key.key
    liaisons = {d: _add_key(db, "liaison", event_id, d, f"demo liaison {d}")[1] for d in ("HUN", "KAZ")}
    out.print(f"demo event: {event_id}  (API on {settings.public_url}, docs at {settings.public_url}/docs)")
    out.print(f"host key:          {host}")
    for delegation, key in liaisons.items():
        out.print(f"liaison key {delegation}:   {key}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
