"""The service's settings, read once from the environment (and the `scheduler serve` options).

One machine by default: a SQLite file and a SQLite-backed queue beside it, nothing to install. For an
event that outgrows it: `DATABASE_URL=postgresql+psycopg://…` and `REDIS_URL=redis://…`, and more
`scheduler worker` processes on other machines (they need the same two variables).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./bilateral.db"
    redis_url: str | None = None
    queue_path: str = "./bilateral-queue.db"  # the SQLite queue, when there is no Redis
    queue_name: str = "bilateral"
    public_url: str = "http://127.0.0.1:8000"  # feed URLs are built from it
    secret_file: str = "./bilateral.secret"  # feed tokens are derived from this secret (see api.feeds)
    secret: str | None = None  # BILATERAL_SECRET: the same in every web process of one installation
    max_body_bytes: int = 2 * MIB
    stale_after_seconds: float = 30.0  # a running solve whose worker is silent this long has failed
    heartbeat_seconds: float = 2.0
    solver_workers: int = 0  # CP-SAT search workers of a solve worker; 0 = one less than the cores
    session_idle_seconds: float = 8 * 3600.0  # a desk session unused this long is over (sign in again)
    session_max_seconds: float = 24 * 3600.0  # and one this old, however busy

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        for key, var in (
            ("database_url", "DATABASE_URL"),
            ("redis_url", "REDIS_URL"),
            ("queue_path", "BILATERAL_QUEUE_PATH"),
            ("queue_name", "BILATERAL_QUEUE_NAME"),
            ("public_url", "BILATERAL_PUBLIC_URL"),
            ("secret_file", "BILATERAL_SECRET_FILE"),
            ("secret", "BILATERAL_SECRET"),
        ):
            if env.get(var):
                values[key] = env[var]
        for key, var, kind in (
            ("stale_after_seconds", "BILATERAL_STALE_SECONDS", float),
            ("heartbeat_seconds", "BILATERAL_HEARTBEAT_SECONDS", float),
            ("solver_workers", "BILATERAL_SOLVER_WORKERS", int),
            ("max_body_bytes", "BILATERAL_MAX_BODY_BYTES", int),
            ("session_idle_seconds", "BILATERAL_SESSION_IDLE_SECONDS", float),
            ("session_max_seconds", "BILATERAL_SESSION_MAX_SECONDS", float),
        ):
            if env.get(var):
                values[key] = kind(env[var])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment that gives a child process (the embedded worker) these same settings."""
        env = {
            "DATABASE_URL": self.database_url,
            "BILATERAL_QUEUE_PATH": self.queue_path,
            "BILATERAL_QUEUE_NAME": self.queue_name,
            "BILATERAL_PUBLIC_URL": self.public_url,
            "BILATERAL_SECRET_FILE": self.secret_file,
            "BILATERAL_STALE_SECONDS": str(self.stale_after_seconds),
            "BILATERAL_HEARTBEAT_SECONDS": str(self.heartbeat_seconds),
            "BILATERAL_SOLVER_WORKERS": str(self.solver_workers),
            "BILATERAL_SESSION_IDLE_SECONDS": str(self.session_idle_seconds),
            "BILATERAL_SESSION_MAX_SECONDS": str(self.session_max_seconds),
        }
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.secret:
            env["BILATERAL_SECRET"] = self.secret
        return env

    @property
    def search_workers(self) -> int:
        """CP-SAT workers per solve: one core is left to the API on the machine of `scheduler serve`."""
        return self.solver_workers or max(1, (os.cpu_count() or 2) - 1)

    def installation_secret(self) -> bytes:
        """The secret feed tokens are derived from: BILATERAL_SECRET, else a file made on first start."""
        if self.secret:
            return self.secret.encode()
        path = Path(self.secret_file)
        if not path.exists():
            # written whole aside, then linked into place: another process never reads it half-written, and
            # of two processes starting at once, the first link wins and both read its secret
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, draft = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(draft)
        return path.read_text().strip().encode()
