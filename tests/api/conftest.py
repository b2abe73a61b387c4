"""Fixtures of the service's tests: a service on each storage back-end, workers, and this run's PostgreSQL schemas
(the helpers they use are in `tests/support/service.py`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.support.service import (
    PG_URL,
    RUN_SCHEMAS,
    Service,
    Worker,
    on_postgres,
    postgres_up,
    settings_for,
    start_service,
)


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas():
    """Drop this run's schemas at its end (and any a crashed run left behind a day ago)."""
    yield
    if not postgres_up():
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.connect() as connection:
        names = connection.execute(text("SELECT schema_name FROM information_schema.schemata "
                                        "WHERE schema_name LIKE 't\\_%'")).scalars().all()
    engine.dispose()
    day_ago = time.time() - 86400
    stale = [n for n in names if n.split("_")[1].isdigit() and int(n.split("_")[1]) < day_ago]
    for schema in [*RUN_SCHEMAS, *stale]:
        on_postgres(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request, tmp_path) -> Iterator[Service]:
    """The app on each storage back-end (the queue: a SQLite file; no worker)."""
    settings = settings_for(tmp_path, database=request.param)
    running = start_service(settings)
    yield running
    running.client.close()
    running.client.app.state.db.dispose()


@pytest.fixture
def sqlite_service(tmp_path) -> Iterator[Service]:
    running = start_service(settings_for(tmp_path))
    yield running
    running.client.close()


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Start workers with `workers.append(Worker(settings))`; all are stopped at the end."""
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
