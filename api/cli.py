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
from api.processes import SERVE_PID, die_with_serve
from api.settings import Settings
from api.storage.db import Database
from api.storage.models import EventRow, KeyRow
from api.storage.writable import unwritable
from scheduler.cli import app, err, out

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "minsk-2024.json"
admin = typer.Typer(help="Bootstrap the service: keys, migrations.", no_args_is_help=True)
app.add_typer(admin, name="admin")


def _log_config() -> dict:
    """uvicorn's logging, with keys and tokens masked in every line (`api.log_masking`); other libraries'
    warnings go through the same masked handler rather than Python's bare last resort."""
    from uvicorn.config import LOGGING_CONFIG

    config = json.loads(json.dumps(LOGGING_CONFIG))
    config["filters"] = {"secrets": {"()": "api.log_masking.SecretFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["secrets"]
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
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

    settings = Settings.from_env(public_url=public_url or f"http://{host}:{port}")
    problem = unwritable(settings)
    if problem:  # before any process starts: a web process that cannot write would be restarted forever
        err.print(problem)
        raise typer.Exit(2)
    db = Database(settings.database_url)
    db.migrate()  # once, here: the web processes start on a database that is up to date
    if demo:
        _demo(db, settings)
    db.dispose()
    # uvicorn re-raises the SIGTERM it shut down on, which would end serve before `finally` stops the worker
    signal.signal(signal.SIGTERM, _exit_quietly)
    os.environ.update(settings.to_env())  # each web process reads the same settings
    os.environ[SERVE_PID] = str(os.getpid())  # and dies with serve, however serve ends (api.processes)
    worker = _start_worker(settings) if embedded_worker else None
    try:
        if processes == 1:
            from api.app import create_app

            uvicorn.run(create_app(settings, migrate=False), host=host, port=port, log_config=_log_config())
        else:
            uvicorn.run("api.app:app_from_env", factory=True, workers=processes, host=host, port=port,
                        log_config=_log_config(), timeout_worker_healthcheck=HEALTHCHECK_SECONDS)
    finally:
        if worker is not None:  # at once (huey's SIGTERM): a solve it was running is failed by the stale sweep
            worker.terminate()
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()


# uvicorn kills a web process that does not answer its health check in time (5 s by default), and a web
# process answers only once Python has started and read api.cli: on a busy 2-core machine that took more
# than 5 s, and web processes were killed and restarted over and over while they started. (uvicorn's
# supervisor handles signals between two checks: a web process that hangs delays a SIGTERM this long.)
HEALTHCHECK_SECONDS = 30


def _exit_quietly(signum: int, _frame: object) -> None:
    raise SystemExit(0)


WORKER_NICENESS = 10  # the embedded worker yields the cores to the web processes (measured: benchmarks.api)


def _start_worker(settings: Settings) -> subprocess.Popen:
    """The embedded solve worker, at a lower CPU priority than the web processes: a solve takes what they
    leave (its solver and helper processes inherit it), so a listing does not wait in line behind CP-SAT."""
    env = {**os.environ, **settings.to_env()}
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], env=env, preexec_fn=_worker_process)


def _worker_process() -> None:
    """In the embedded worker, before it runs: a lower CPU priority, and Ctrl-C (SIGINT to the terminal's
    whole process group) left to serve, which stops the worker itself; a worker still importing when Ctrl-C
    came printed a KeyboardInterrupt traceback."""
    os.nice(WORKER_NICENESS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@app.command("worker")
def worker(threads: int = typer.Option(1, "--threads", min=1, help="solves run at once by this process")) -> None:
    """Run solve workers: take queued solves and run them (DATABASE_URL and REDIS_URL as the API's)."""
    from api.log_masking import SecretFilter
    from api.queue import make_queue

    die_with_serve()  # the embedded worker of `scheduler serve` ends with it, even when serve is killed
    import api.worker  # noqa: F401  (the solver, loaded now rather than at the first solve)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger().handlers[0].addFilter(SecretFilter())  # a worker's lines are masked as serve's are
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


# who the audit names for a key issued or revoked here: the installation's administrator, with no key of theirs
ADMIN_CLI = Identity(None, "admin", None, None)  # type: ignore[arg-type]


def _add_key(db: Database, role: str, event: str | None, delegation: str | None, label: str) -> tuple[str, str]:
    """A new key, in the audit of its event (an admin key, of no event, in the installation's: event None)."""
    from api.storage import repo  # here: it loads OR-Tools, which no other scheduler command needs at start

    key_id, secret, digest = new_key()
    at = now()
    with db.writing() as session:
        session.add(KeyRow(id=key_id, secret_hash=digest, role=role, event_id=event, delegation=delegation,
                           label=label, created_at=at, created_by=None))
        repo.record(session, ADMIN_CLI, event, "key.issue", key_id, at, role=role, delegation=delegation,
                    by="admin CLI")
    return key_id, secret


@admin.command("revoke-key")
def revoke_key(key_id: str = typer.Argument(..., help="the key's id (k_…)")) -> None:
    """Revoke a key at once."""
    from api.storage import repo  # here: it loads OR-Tools, which no other scheduler command needs at start

    db = Database(Settings.from_env().database_url)
    with db.writing() as session:
        row = session.get(KeyRow, key_id)
        if row is None:
            err.print(f"no key {key_id!r}")
            raise typer.Exit(2)
        if row.revoked_at is None:  # revoking it again changes nothing, and records nothing
            row.revoked_at = now()
            repo.record(session, ADMIN_CLI, row.event_id, "key.revoke", key_id, row.revoked_at, by="admin CLI")
    out.print(f"{key_id} revoked")


@admin.command("export")
def export_event(
    event: str = typer.Argument(..., help="the event's id"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write to this file (mode 0600), not stdout"),
) -> None:
    """Write a backup of one event (JSON) to restore with `import`. It is a secret: it holds the
    installation's feed secret (the feed URLs) and the keys' hashes."""
    from api.services import backup

    settings = Settings.from_env()
    try:
        document = backup.export_event(_existing_database(settings), settings, event)
    except backup.BackupRefused as exc:
        err.print("\n".join(exc.problems))
        raise typer.Exit(2) from None
    if output is None:
        sys.stdout.write(backup.dumps(document))
        err.print("this backup holds the installation's feed secret: keep it as safe as the keys (chmod 600)")
        return
    backup.write_secret_file(output, backup.dumps(document))
    err.print(f"{output}: event {event!r} (mode 0600: it holds the installation's feed secret)")


@admin.command("import")
def import_event(
    file: Path | None = typer.Argument(None, help="a backup made by `export` (default: standard input)"),
    replace: bool = typer.Option(False, "--replace", help="discard the event if it exists, and restore it"),
) -> None:
    """Restore an event from a backup, in one transaction: its keys work again, its feed URLs are the same."""
    from sqlalchemy.exc import DBAPIError

    from api.services import backup

    try:
        raw = sys.stdin.buffer.read() if file is None or str(file) == "-" else file.read_bytes()
    except OSError as exc:
        err.print(f"{file}: {exc.strerror}")
        raise typer.Exit(2) from None
    settings = Settings.from_env()
    try:
        loaded = backup.load(raw)  # the whole file is checked before the database is touched
        db = Database(settings.database_url)
        db.migrate()
        restored = backup.restore(db, settings, loaded, replace)
    except backup.BackupRefused as exc:
        err.print("\n".join([f"{file or 'stdin'}: the backup is not restored", *exc.problems]))
        raise typer.Exit(2) from None
    except DBAPIError as exc:  # the migration's: the database is not there or refuses us
        err.print(f"the backup is not restored: the database cannot be reached ({type(exc.orig).__name__})")
        raise typer.Exit(2) from None
    rows = ", ".join(f"{n} {name}" for name, n in restored.rows.items())
    out.print(f"event {restored.event_id!r} restored{' (replaced)' if restored.replaced else ''}: {rows}")
    if restored.secret_adopted:
        out.print(f"the installation's feed secret is now the backup's ({settings.secret_file})")
    if restored.solves_failed:
        out.print(f"unfinished solves marked failed: {', '.join(restored.solves_failed)}")


def _existing_database(settings: Settings) -> Database:
    """The service's database; a SQLite file that is not there is not made (a wrong folder, not an empty one)."""
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        err.print(f"no database at {url.removeprefix('sqlite:///')} (DATABASE_URL): run in the service's folder")
        raise typer.Exit(2)
    return Database(url)


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
