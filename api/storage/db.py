"""The database seam: engines, sessions and migrations, for a SQLite file or PostgreSQL.

SQLite with concurrent writers: a deferred transaction that reads and then writes fails with "database is
locked" even with a busy timeout, so every *writing* transaction starts with `BEGIN IMMEDIATE` (the
SQLAlchemy recipe: the driver's own transaction handling off, our BEGIN in the `begin` event). Reads use a
second engine with plain deferred transactions, so that feed reads never queue behind writers (WAL).

No wait on the database is unbounded: a server that is down, or up but answering nothing (frozen, or a
network that drops packets), must give the caller an error within seconds (503, see `api.app`), never a
request that hangs. On PostgreSQL: a connect timeout, a pool checkout timeout, and a client-side bound on
every wait for the server's answer (`_BoundedConnection`: the server-side statement_timeout cannot help
when the server itself is frozen). On SQLite: the busy timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parents[1] / "migrations"
# A writer waits this long for the SQLite file's lock. Writes are short (BEGIN IMMEDIATE; milliseconds each):
# 50 proposals at once, three rounds, all 201, the slowest answered in 2.3 s with both cores loaded (load 14);
# beyond 5 s the file is held by something else (a backup, a stuck process), and 503 says so.
BUSY_TIMEOUT_MS = 5_000
# PostgreSQL: connecting, taking a connection from the pool, and each wait for the server's answer (a wait
# for a row lock counts: the service's transactions hold locks for milliseconds).
CONNECT_TIMEOUT_SECONDS = 2
POOL_TIMEOUT_SECONDS = 5.0
ANSWER_TIMEOUT_SECONDS = 4.0


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _bounded_connection() -> type:
    """A psycopg connection class whose every wait for the server ends within ANSWER_TIMEOUT_SECONDS. psycopg
    waits in one place (`wait`) for queries, fetches, commits and rollbacks; past the bound the connection is
    closed (its state is unknown) and the caller gets an OperationalError, on which the pool discards it.
    (psycopg is imported here: a SQLite installation never loads it.)"""
    import psycopg
    import psycopg.errors

    class BoundedConnection(psycopg.Connection):
        def wait(self, gen, interval=0.1, timeout=None):  # noqa: ANN001, ANN202 (psycopg's signature)
            try:
                return super().wait(gen, interval, ANSWER_TIMEOUT_SECONDS if timeout is None else timeout)
            except psycopg.errors._WaitTimeout:
                self.pgconn.finish()
                raise psycopg.OperationalError(
                    f"the database did not answer within {ANSWER_TIMEOUT_SECONDS:g} s") from None

    return BoundedConnection


def _postgres_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=POOL_TIMEOUT_SECONDS,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    connection_class = _bounded_connection()

    @event.listens_for(engine, "do_connect")
    def connect(_dialect, _record, cargs, cparams):  # noqa: ANN001, ANN202
        return connection_class.connect(*cargs, **cparams)

    return engine


class Database:
    """Sessions for writing (one transaction, BEGIN IMMEDIATE on SQLite) and for reading."""

    def __init__(self, url: str):
        self.url = url
        if _is_sqlite(url):
            self.write_engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.write_engine = _postgres_engine(url)
            self.read_engine = self.write_engine
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed at the end, rolled back on any exception."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (run at every start; a no-op when up to date)."""
        # alembic (with mako and pygments) takes a quarter of a second to import, a second on a busy machine:
        # loaded only by what migrates, not by every web process
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        # a server that does not answer fails the start within seconds (a migration itself may take long)
        bounded = {} if self.is_sqlite else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = create_engine(self.url, connect_args=bounded)
        try:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            engine.dispose()

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
