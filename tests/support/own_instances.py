"""A test's OWN PostgreSQL and Redis, for the tests that stop, freeze or restart them (never the machine's).

PostgreSQL: `initdb` + `pg_ctl` on a free port in a folder of its own (run as the `postgres` user when the
tests run as root: the server refuses root), trust auth on 127.0.0.1 only. Redis: `redis-server` on a free
port without persistence (so a restart loses its queue, as a real one configured that way does). Each has
stop/start, freeze (SIGSTOP of every process of the server: it holds its connections but answers nothing)
and thaw (SIGCONT); `close()` always leaves nothing running and removes the folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.served import free_port
from tests.support.service import need


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_server_user() -> list[str]:
    """The prefix that runs a command as the `postgres` user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


class OwnPostgres:
    """A PostgreSQL server of the test's own on 127.0.0.1:port (database `postgres`, user `postgres`)."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        need(bin_dir is not None, "PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
        if os.geteuid() == 0:
            need(_user_exists("postgres"), "no `postgres` user to run an own PostgreSQL as")
        self.bin = bin_dir
        self.port = free_port()
        # not under pytest's tmp_path: its parents are private to root, and the server runs as `postgres`
        self.folder = Path(tempfile.mkdtemp(prefix="bilateral-pg-"))
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*_as_server_user(), str(self.bin / tool), *args], check=True, capture_output=True,
                       timeout=60)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{self.folder}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "start")

    def stop(self) -> None:
        """Stop at once (fast shutdown: open connections are cut, as when the server goes away)."""
        self.thaw()
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def _pids(self) -> list[int]:
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        main = int(pid_file.read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(main)], capture_output=True, text=True).stdout.split()
        return [main, *map(int, children)]

    def freeze(self) -> None:
        """Every process of the server stops answering (the sockets stay open: nothing is refused)."""
        for pid in self._pids():
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            _signal(pid, signal.SIGCONT)

    def close(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.thaw()
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        except (subprocess.SubprocessError, OSError):
            for pid in self._pids():
                _signal(pid, signal.SIGKILL)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


class OwnRedis:
    """A Redis server of the test's own on 127.0.0.1:port, with no persistence."""

    def __init__(self) -> None:
        need(shutil.which("redis-server") is not None, "redis-server is not installed")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="bilateral-redis-"))
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("the test's own redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        """Stop and start again on the same port: without persistence, every queued message is gone."""
        self.stop()
        self.start()

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
