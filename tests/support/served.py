"""`scheduler serve` as a real process on 127.0.0.1, for the tests that need the real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from api.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A running `scheduler serve`; `restart()` stops it and starts it again on the same port and files."""

    def __init__(self, settings: Settings, folder: Path, *args: str):
        self.settings, self.folder, self.args = settings, folder, args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "serve.log"
        self.process: subprocess.Popen | None = None
        self.output = ""
        self.start()

    def start(self) -> None:
        env = {**os.environ, **self.settings.to_env()}
        env.pop("BILATERAL_PUBLIC_URL", None)  # --public-url below, so feed URLs name this server
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--public-url", self.url, *self.args]
        with self.log.open("a") as log:  # a file, not a pipe: a full pipe would stall the server
            self.process = subprocess.Popen(command, env=env, cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120  # a loaded 2-core machine imports slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                break
        self.stop()
        raise AssertionError(f"scheduler serve did not start:\n{self.output[-3000:]}")

    def stop(self, sig: int = signal.SIGINT) -> str:
        """Stop the server and its embedded worker; returns what it printed."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output = self.log.read_text() if self.log.exists() else ""
        return self.output

    def restart(self) -> None:
        self.stop()
        self.start()


def served_with_keys(tmp_path: Path, *args: str, database: str = "sqlite", queue: str = "sqlite",
                     settings: Settings | None = None):
    """`scheduler serve` on event `conf` of `base_input()`: (the server, keys of the host and liaisons A-E);
    on `settings` when given (e.g. a test's own PostgreSQL), else on fresh ones of `database` and `queue`."""
    # imported here: benchmarks.api uses `Served` without pytest and the test fixtures
    from api.cli import _add_key
    from api.storage.db import Database
    from tests.support.service import base_input, settings_for

    settings = settings or settings_for(tmp_path, database=database, queue=queue)
    db = Database(settings.database_url)
    db.migrate()
    admin = _add_key(db, "admin", None, None, "test")[1]
    db.dispose()
    server = Served(settings, tmp_path, *args)
    try:
        created = httpx.post(f"{server.url}/events", json=base_input(), headers={"Authorization": f"Bearer {admin}"})
        assert created.status_code == 201, created.text
        host = created.json()["host_key"]["key"]
        keys = {"host": host}
        for d in "ABCDE":
            issued = httpx.post(f"{server.url}/events/conf/keys", json={"role": "liaison", "delegation": d},
                                headers={"Authorization": f"Bearer {host}"})
            keys[d] = issued.json()["key"]
    except BaseException:
        server.stop()  # a setup that fails must not leave a server running
        raise
    return server, keys
