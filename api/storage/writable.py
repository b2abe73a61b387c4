"""Whether `scheduler serve` can write its SQLite files, asked once before any process starts: a read-only
database made the web processes fail at start, and uvicorn restarted them forever."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError

from api.settings import Settings
from api.storage.db import Database


def unwritable(settings: Settings) -> str | None:
    """Why serve could not write its SQLite database or queue file (one line naming the file), or None."""
    checks = [("database", settings.database_url)] if settings.database_url.startswith("sqlite") else []
    if not settings.redis_url:
        checks.append(("queue file", f"sqlite:///{settings.queue_path}"))
    for what, url in checks:
        problem = _write_problem(url)
        if problem:
            path = make_url(url).database or url
            return (f"cannot write the {what} {Path(path).resolve()} ({problem}): "
                    "check that the file and its folder may be written by this user")
    return None


def _write_problem(url: str) -> str | None:
    """Writes to the SQLite database at `url` and takes it back; what went wrong, or None."""
    db = Database(url)
    try:
        with db.write_engine.connect() as connection:
            written = connection.begin()  # BEGIN IMMEDIATE: the write lock
            connection.exec_driver_sql("CREATE TABLE bilateral_write_check (x INTEGER)")  # the file, its journal
            written.rollback()
    except OperationalError as exc:
        # another writer holding the lock a moment (SQLITE_BUSY) is no reason to refuse: only a file or a
        # folder this user cannot write (SQLITE_READONLY…, SQLITE_CANTOPEN…, SQLITE_PERM)
        name = getattr(exc.orig, "sqlite_errorname", "")
        return str(exc.orig) if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")) else None
    finally:
        db.dispose()
    return None
