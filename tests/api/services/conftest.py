"""Fixtures of the service-layer tests: an event stored on each back-end, and the identities that act in it,
with no HTTP in between (the services are plain functions)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from api.identity import Identity
from api.schemas import KeyCreate
from api.services import keys
from api.services.events import add_event
from api.settings import Settings
from api.storage.db import Database
from tests.support.service import base_input, settings_for


@dataclass
class Office:
    """The event `conf` (delegations A-E, the host's requests A-B and C-D) and who acts in it."""

    db: Database
    settings: Settings
    host: Identity
    liaisons: dict[str, Identity]


@pytest.fixture(params=["sqlite", "postgresql"])
def office(request, tmp_path) -> Iterator[Office]:
    settings = settings_for(tmp_path, database=request.param)
    db = Database(settings.database_url)
    db.migrate()
    created = add_event(db, settings, Identity("installer", "admin", None, None), base_input())
    host = Identity(created.host_key.id, "host", "conf", None)
    liaisons = {}
    for d in "ABCDE":
        issued = keys.issue(db, host, "conf", KeyCreate(role="liaison", delegation=d))
        liaisons[d] = Identity(issued.id, "liaison", "conf", d)
    yield Office(db, settings, host, liaisons)
    db.dispose()
